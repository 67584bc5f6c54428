"""A process that appends runs to a ledger, for the crash and concurrency tests.

    python ledger_worker.py PATH COUNT SIZE TAG [STALL]

Appends COUNT runs whose outputs are about SIZE bytes, labelled ``TAG n``, and
prints ``appended <id>`` after each. With STALL (the start of an SQL
statement, e.g. ``UPDATE meta``) it then starts one more append, prints
``stalled`` just before the ledger runs that statement, and sleeps until the
test kills it: a crash at a chosen point inside the transaction.
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
import time
from typing import Any

from policyengine.audit import PolicyBlob, RunRecord, open_ledger

POLICY = b"policy: commission\nversion: '2026-01'\nrules: []\n"
BLOB = PolicyBlob("commission", "2026-01", hashlib.sha256(POLICY).hexdigest(), POLICY)


def record(n: int, size: int, tag: str) -> RunRecord:
    """Run ``n``: outputs padded to ``size`` bytes so that writing it takes a while."""
    outputs = b'{"commission":"3500.00","run":%d,"pad":"%s"}' % (n, b"x" * size)
    return RunRecord("2026-03", None, (BLOB,), b'{"rep_id":"A01"}', outputs, b"{}", f"{tag} {n}")


def main(path: str, count: int, size: int, tag: str, stall: str | None = None) -> None:
    connections: list[sqlite3.Connection] = []
    real_connect = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection: sqlite3.Connection = real_connect(*args, **kwargs)
        connections.append(connection)
        return connection

    def trace(statement: str) -> None:
        if stall and statement.startswith(stall):
            print("stalled", flush=True)
            time.sleep(600)

    sqlite3.connect = connect  # type: ignore[assignment]  # to reach the ledger's connection
    with open_ledger(path) as ledger:
        for n in range(count):
            print(f"appended {ledger.append(record(n, size, tag)).id}", flush=True)
        if stall:
            connections[0].set_trace_callback(trace)
            ledger.append(record(count, size, tag))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], *sys.argv[5:])
