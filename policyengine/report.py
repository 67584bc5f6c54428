"""The month's report as tables (docs/api.md, The month's report).

A public path kept as a façade: the code lives in :mod:`policyengine.present._report`.
"""

from .present._report import *  # noqa: F403
from .present._report import __all__ as __all__
