"""``policies.lock``: lock and verify (docs/api.md, Audit modules).

A public path kept as a façade: the code lives in :mod:`policyengine.load._lock`, and
``lock`` in :mod:`policyengine.audit._publish`, which publishes a version only once its
folder loads and its own tests pass.
"""

from ..load._lock import HEADER, LOCK_NAME, LockEntry, read_lock, scan, verify, write_lock
from ._publish import lock

__all__ = ["HEADER", "LOCK_NAME", "LockEntry", "lock", "read_lock", "scan", "verify", "write_lock"]
