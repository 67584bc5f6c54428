"""The ledger: an append-only, hash-chained record of evaluation runs.

Each run keeps the exact bytes of every policy file it used (content-addressed:
a file is stored once however many runs use it), its inputs, outputs and
provenance, and a SHA-256 chained to the run before it. ``verify()``
recomputes every hash and reports every problem it finds.

What a run is (:mod:`.ledger_records`), what its hash covers and how the
chain is verified (:mod:`.ledger_chain`), and the SQLite file with its
tables and errors (:mod:`.ledger_file`) are modules of their own; this one
is the ledger that ties them together.

What one file cannot prove on its own: that nobody cut off the last runs and
then rewrote ``meta`` (or rewrote every later hash) to match. Keep ``head()``
outside the ledger, with the payroll sign-off, and compare it later.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import sqlite3
from collections.abc import Iterator
from types import TracebackType
from typing import Any

from ..codes import ErrorCode
from ..errors import PolicyError
from ._ledger_chain import blob_tampered, chain_hash, run_problems, verify_snapshot
from ._ledger_file import (
    COLUMNS,
    EDITED,
    GENESIS,
    POLICIES,
    SCHEMA_VERSION,
    connect,
    guard,
    problem,
    read_meta,
    transaction,
)
from ._ledger_records import Ledger, PolicyBlob, RunRecord, StoredRun, sha256_hex

# What a run is and where a chain starts are read from here too, with the ledger.
__all__ = [
    "GENESIS",
    "SCHEMA_VERSION",
    "Ledger",
    "PolicyBlob",
    "RunRecord",
    "SqliteLedger",
    "StoredRun",
    "open_ledger",
]


class SqliteLedger:
    """The ledger in one SQLite file (see :mod:`.ledger_file` for how it is kept)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._db: sqlite3.Connection | None = connect(self.path)

    def __enter__(self) -> SqliteLedger:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._db is not None:
            db, self._db = self._db, None
            with self._guard("close"):
                db.close()

    def append(self, run: RunRecord) -> StoredRun:
        """Record ``run`` as the next link of the chain, in one transaction."""
        if not isinstance(run, RunRecord):
            raise TypeError(f"append takes a RunRecord, not {type(run).__name__}")
        # IMMEDIATE takes the write lock before the head is read, so two
        # processes can never both extend the same head.
        with self._transaction("IMMEDIATE", "append to") as db:
            count, head = read_meta(self.path, db)
            last = db.execute("SELECT id, hash FROM runs ORDER BY id DESC LIMIT 1").fetchone()
            if (tuple(last) if last else (0, GENESIS)) != (count, head):
                message = f"meta says {count} runs but the last is run {last and last[0]}"
                raise self._problem("head-mismatch", message, last and last[0], hint=EDITED)
            # The one clock read: the ledger records when; evaluation never asks.
            created = datetime.datetime.now(datetime.UTC).isoformat(timespec="microseconds")
            run_id = count + 1
            values: tuple[Any, ...] = (run_id, created, run.period, run.as_known_at, run.label)
            values += (run.inputs, run.outputs, run.provenance, head)
            digest = chain_hash(values, [[p.policy, p.version, p.sha256] for p in run.policies])
            for blob in run.policies:
                sql = "INSERT OR IGNORE INTO blobs VALUES (?, ?)"
                db.execute(sql, (blob.sha256, blob.data))
                sql = "SELECT data = ? FROM blobs WHERE sha256 = ?"
                if not db.execute(sql, (blob.data, blob.sha256)).fetchone()[0]:
                    # Never chain to an altered file.
                    raise blob_tampered(self.path, blob.sha256, [])
            db.execute(f"INSERT INTO runs VALUES ({', '.join('?' * 10)})", (*values, digest))
            links = [(run_id, i, p.policy, p.version, p.sha256) for i, p in enumerate(run.policies)]
            db.executemany("INSERT INTO run_policies VALUES (?, ?, ?, ?, ?)", links)
            db.execute("UPDATE meta SET run_count = ?, head_hash = ?", (run_id, digest))
        return StoredRun(run_id, created, run, head, digest)

    def get(self, run_id: int) -> StoredRun:
        """Run ``run_id``, checked against its own hash and its policy files' hashes."""
        if not isinstance(run_id, int):
            raise TypeError(f"a run id is an int, not {type(run_id).__name__}")
        db = self._connection()
        with self._guard("read"):
            row = db.execute(f"SELECT {COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                count = read_meta(self.path, db)[0]
                hint = f"the ledger holds runs 1 to {count}" if count else "the ledger is empty"
                raise self._problem("run-not-found", f"there is no run {run_id}", run_id, hint=hint)
            sql = POLICIES.format("b.data") + " WHERE rp.run_id = ? ORDER BY rp.position"
            policies = db.execute(sql, (run_id,)).fetchall()
        problems = run_problems(self.path, tuple(row), policies)
        for _, _, _, sha, data in policies:
            if data is not None and (not isinstance(data, bytes) or sha256_hex(data) != sha):
                problems.append(blob_tampered(self.path, sha, [run_id]))
        if problems:
            raise problems[0]
        blobs = tuple(PolicyBlob(*p[1:]) for p in policies)
        record = RunRecord(row[2], row[3], blobs, row[5], row[6], row[7], row[4])
        return StoredRun(row[0], row[1], record, row[8], row[9])

    def runs(self) -> Iterator[StoredRun]:
        """Every run in id order, each checked as ``get`` checks it."""
        # The ids first, so that no read lock is held while the caller works.
        with self._guard("read"):
            ids = [i for (i,) in self._connection().execute("SELECT id FROM runs ORDER BY id")]
        for run_id in ids:
            yield self.get(run_id)

    def head(self) -> tuple[int, str]:
        """(number of runs, hash of the last run or GENESIS), from meta."""
        with self._guard("read"):
            return read_meta(self.path, self._connection())

    def verify(self) -> list[PolicyError]:
        """Every problem in the ledger, in run order; [] when it is intact."""
        # One read transaction: a consistent snapshot while appends wait.
        with self._transaction("DEFERRED", "verify") as db:
            problems = verify_snapshot(self.path, db)
        return sorted(problems, key=lambda p: p.location.record or 0)

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            raise self._problem("ledger-closed", "the ledger is closed", hint="open it again")
        return self._db

    def _transaction(
        self, mode: str, doing: str
    ) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path, self._connection(), mode, doing)

    def _guard(self, doing: str) -> contextlib.AbstractContextManager[None]:
        return guard(self.path, doing)

    def _problem(
        self, code: ErrorCode, message: str, run: int | None = None, *, hint: str, **details: Any
    ) -> PolicyError:
        return problem(self.path, code, message, run, hint=hint, **details)


def open_ledger(path: str | os.PathLike[str]) -> SqliteLedger:
    """The ledger at ``path``, created with its schema if the file is absent or empty."""
    return SqliteLedger(path)
