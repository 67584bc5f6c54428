"""What the facts readers share (docs/api.md, read_facts).

A public path kept as a façade: the code lives in :mod:`policyengine.facts._file`.
"""

from .facts._file import *  # noqa: F403
from .facts._file import __all__ as __all__
