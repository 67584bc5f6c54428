"""The public path of a ledger run recomputed (docs/api.md, Audit modules): a façade.

The code lives in :mod:`policyengine.audit._replay`; this module re-exports its public names
so that ``policyengine.replay`` keeps working.
"""

from __future__ import annotations

from .audit._replay import (
    ENTITIES_BLOB,
    Discrepancy,
    PaidFile,
    RunReplay,
    bundle_of,
    compare_paid,
    history_from_ledger,
    read_paid,
    replay_run,
    run_record,
    summary,
)

__all__ = [
    "ENTITIES_BLOB",
    "Discrepancy",
    "PaidFile",
    "RunReplay",
    "bundle_of",
    "compare_paid",
    "history_from_ledger",
    "read_paid",
    "replay_run",
    "run_record",
    "summary",
]
