"""The public path of two sides of a change compared (docs/api.md, Audit modules): a façade.

The code lives in :mod:`policyengine.audit._diff`; this module re-exports its public names
so that ``policyengine.diff`` keeps working.
"""

from __future__ import annotations

from .audit._diff import (
    Change,
    Diff,
    Totals,
    compare,
    diff,
)

__all__ = [
    "Change",
    "Diff",
    "Totals",
    "compare",
    "diff",
]
