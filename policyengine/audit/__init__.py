"""Audit: the records that let an auditor prove, later, what produced every amount."""

from .ledger import GENESIS, Ledger, PolicyBlob, RunRecord, SqliteLedger, StoredRun, open_ledger

__all__ = [
    "GENESIS",
    "Ledger",
    "PolicyBlob",
    "RunRecord",
    "SqliteLedger",
    "StoredRun",
    "open_ledger",
]
