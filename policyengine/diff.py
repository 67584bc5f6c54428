"""Two sides of a change compared (docs/api.md, Audit modules).

A public path kept as a façade: the code lives in :mod:`policyengine.audit._diff`.
"""

from .audit._diff import *  # noqa: F403
from .audit._diff import __all__ as __all__
