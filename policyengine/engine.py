"""The public path of one policy evaluated record by record: a façade.

The code lives in :mod:`policyengine.run._engine`; this module re-exports its public names
so that ``policyengine.engine`` keeps working.
"""

from __future__ import annotations

from .run._engine import (
    Batch,
    Provenance,
    Result,
    evaluate,
    evaluate_many,
)

__all__ = [
    "Batch",
    "Provenance",
    "Result",
    "evaluate",
    "evaluate_many",
]
