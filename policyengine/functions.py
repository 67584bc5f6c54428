"""The function library an expression may call (docs/expressions.md).

A public path kept as a façade: the code lives in :mod:`policyengine.language._functions`.
"""

from .language._functions import *  # noqa: F403
from .language._functions import __all__ as __all__
