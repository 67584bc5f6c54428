"""One policy evaluated record by record.

A public path kept as a façade: the code lives in :mod:`policyengine.run._engine`.
"""

from .run._engine import *  # noqa: F403
from .run._engine import __all__ as __all__
