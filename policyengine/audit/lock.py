"""The public path of policies.lock (docs/api.md, Audit modules): a façade.

The code lives in :mod:`policyengine.load._lock`; this module re-exports its public names
so that ``policyengine.audit.lock`` keeps working.
"""

from __future__ import annotations

from ..load._lock import (
    HEADER,
    LOCK_NAME,
    LockEntry,
    lock,
    read_lock,
    scan,
    verify,
    write_lock,
)

__all__ = [
    "HEADER",
    "LOCK_NAME",
    "LockEntry",
    "lock",
    "read_lock",
    "scan",
    "verify",
    "write_lock",
]
