"""``policies.lock``: lock and verify (docs/api.md, Audit modules).

A public path kept as a façade: the code lives in :mod:`policyengine.load._lock`.
"""

from ..load._lock import *  # noqa: F403
from ..load._lock import __all__ as __all__
