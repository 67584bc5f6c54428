"""Facts files read by suffix (docs/api.md, read_facts).

A public path kept as a façade: the code lives in :mod:`policyengine.facts._io`.
"""

from .facts._io import *  # noqa: F403
from .facts._io import __all__ as __all__
