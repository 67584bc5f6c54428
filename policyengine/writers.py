"""The month's report written by suffix (docs/api.md, The month's report).

A public path kept as a façade: the code lives in :mod:`policyengine.present._writers`.
"""

from .present._writers import *  # noqa: F403
from .present._writers import __all__ as __all__
