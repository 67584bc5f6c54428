"""A ledger run recomputed, paid amounts compared (docs/api.md, Audit modules).

A public path kept as a façade: the code lives in :mod:`policyengine.audit._replay`.
"""

from .audit._replay import *  # noqa: F403
from .audit._replay import __all__ as __all__
