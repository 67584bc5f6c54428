"""The public path of the function library an expression may call (docs/expressions.md): a façade.

The code lives in :mod:`policyengine.language._functions`; this module re-exports its public names
so that ``policyengine.functions`` keeps working.
"""

from __future__ import annotations

from .language._functions import (
    FUNCTIONS,
    Function,
    days_in_month,
    months_between,
)

__all__ = [
    "FUNCTIONS",
    "Function",
    "days_in_month",
    "months_between",
]
