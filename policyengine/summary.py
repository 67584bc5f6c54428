"""The printed month summary (docs/api.md, The month's report).

A public path kept as a façade: the code lives in :mod:`policyengine.present._summary`.
"""

from .present._summary import *  # noqa: F403
from .present._summary import __all__ as __all__
