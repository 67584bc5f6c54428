"""The ledger: an append-only, hash-chained record of evaluation runs.

Each run keeps the exact bytes of every policy file it used (content-addressed:
a file is stored once however many runs use it), its inputs, outputs and
provenance, and a SHA-256 chained to the run before it. ``verify()``
recomputes every hash and reports every problem it finds.

What a run is (:mod:`.ledger_records`), what its hash covers and how the
chain is verified (:mod:`.ledger_chain`), and the SQLite file with its
tables and errors (:mod:`.ledger_file`) are modules of their own; this one
is the ledger that ties them together.

Anyone who can write the file can recompute a hash chain; a run appended with
a signing key (``append(..., signer=key)``) carries an Ed25519 signature that
only the key's holder can make, checked against the keys the auditor trusts
(:mod:`.ledger_seals`). What one file cannot prove on its own: that nobody cut
off the last runs, or put back an older copy. Keep ``head()`` outside the
ledger, with the payroll sign-off, and give it to ``verify`` later.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import sqlite3
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

from ..codes import ErrorCode
from ..core._packed import raw
from ..errors import PolicyError
from ..load._keys import SigningKey
from ._ledger_chain import blob_tampered, chain_hash, read_seals, run_problems, verify_snapshot
from ._ledger_documents import read_document, store_document
from ._ledger_file import (
    BUSY_TIMEOUT,
    COLUMNS,
    GENESIS,
    POLICIES,
    SCHEMA_VERSION,
    connect,
    finding,
    guard,
    read_meta,
    transaction,
)
from ._ledger_records import Ledger, PolicyBlob, RunRecord, StoredRun, sha256_hex
from ._ledger_seals import SealStatus, Trust, seal_message, seal_status

# What a run is and where a chain starts are read from here too, with the ledger.
__all__ = [
    "GENESIS",
    "SCHEMA_VERSION",
    "Ledger",
    "PolicyBlob",
    "RunRecord",
    "SqliteLedger",
    "StoredRun",
    "Trust",
    "first_run",
    "open_ledger",
]


# How long a month's run waits for another run holding the ledger (``hold``): the other
# run evaluates a whole month meanwhile, which takes minutes, not milliseconds.
HOLD_TIMEOUT = 3600.0


def recorded_time() -> datetime.datetime:
    """The time a new run is recorded at: the clock, or ``SOURCE_DATE_EPOCH`` (seconds since
    1970, UTC) when it is set — the convention of reproducible builds — so that a guide's
    or a test's ledger has the same hashes on every machine. The order check holds either
    way: a run is never recorded before the last one."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isascii() and epoch.isdigit() and len(epoch) <= 12:
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
    return datetime.datetime.now(datetime.UTC)


class SqliteLedger:
    """The ledger in one SQLite file (see :mod:`.ledger_file` for how it is kept)."""

    def __init__(
        self, path: str | os.PathLike[str], *, create: bool = True, read_only: bool = False
    ) -> None:
        self.path = os.fspath(path)
        self._db: sqlite3.Connection | None
        self._db, self.version = connect(self.path, create=create, read_only=read_only)
        # Inside hold(): every read and append joins the one held transaction.
        self._held = False

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

    def append(
        self,
        run: RunRecord,
        *,
        lock_head: str = GENESIS,
        signer: SigningKey | None = None,
        planned: StoredRun | None = None,
    ) -> StoredRun:
        """Record ``run`` as the next link of the chain, in one transaction: with the head of
        the lock it used (``lock_head``) and, given a key, signed. ``planned`` (from
        :meth:`plan`) is the run as its outputs already name it: it is recorded as that
        run, or not at all."""
        if not isinstance(run, RunRecord):
            raise TypeError(f"append takes a RunRecord, not {type(run).__name__}")
        if signer is not None and self.version < 2:
            raise self._problem("ledger-version", form="unsigned", version=self.version)
        # IMMEDIATE takes the write lock before the head is read, so two
        # processes can never both extend the same head.
        with self._transaction("IMMEDIATE", "append to") as db:
            link = self._link(db, run, lock_head, signer, planned.created if planned else None)
            if planned is not None and (planned.id, planned.hash) != (link.id, link.hash):
                raise self._problem("head-mismatch", form="moved", run=planned.id)
            for blob in run.policies:
                sql = "INSERT OR IGNORE INTO blobs VALUES (?, ?)"
                db.execute(sql, (blob.sha256, blob.data))
                sql = "SELECT data = ? FROM blobs WHERE sha256 = ?"
                if not db.execute(sql, (blob.data, blob.sha256)).fetchone()[0]:
                    # Never chain to an altered file.
                    raise blob_tampered(self.path, blob.sha256, [])
            documents: tuple[Any, ...] = (run.inputs, run.outputs)
            if self.version >= 3:
                documents = tuple(store_document(self.path, db, d) for d in documents)
            else:  # schema 1 and 2 keep the bytes in the run's own row
                documents = tuple(map(raw, documents))
            values: tuple[Any, ...] = (link.id, link.created, run.period, run.as_known_at)
            values += (run.label, *documents, run.provenance, link.prev_hash, link.hash)
            db.execute(f"INSERT INTO runs VALUES ({', '.join('?' * 10)})", values)
            policies = enumerate(run.policies)
            links = [(link.id, i, p.policy, p.version, p.sha256) for i, p in policies]
            db.executemany("INSERT INTO run_policies VALUES (?, ?, ?, ?, ?)", links)
            if self.version >= 2:
                message = seal_message(link.id, link.prev_hash, link.hash, lock_head)
                sign = signer and signer.sign(message)
                seal = (link.id, lock_head, signer and signer.public.id, sign)
                db.execute("INSERT INTO seals VALUES (?, ?, ?, ?)", seal)
            db.execute("UPDATE meta SET run_count = ?, head_hash = ?", (link.id, link.hash))
        return link

    def plan(
        self, run: RunRecord, *, lock_head: str = GENESIS, signer: SigningKey | None = None
    ) -> StoredRun:
        """The run ``run`` would be if appended now (its number, time and hash), appended by
        nothing: a month's run names it in its outputs, then appends it (``planned``)
        while it holds the ledger (:meth:`hold`), so that nothing comes in between."""
        with self._transaction("DEFERRED", "read") as db:
            return self._link(db, run, lock_head, signer, None)

    def _link(
        self,
        db: sqlite3.Connection,
        run: RunRecord,
        lock_head: str,
        signer: SigningKey | None,
        created: str | None,
    ) -> StoredRun:
        """``run`` as the next link of the chain (at ``created``, or now)."""
        count, head = read_meta(self.path, db)
        last = db.execute("SELECT id, hash FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        if (tuple(last) if last else (0, GENESIS)) != (count, head):
            last_id = last and last[0]
            raise self._problem("head-mismatch", last_id, form="append", count=count, last=last_id)
        return link_of(
            run, count + 1, head, created or self._now(db), self.version, lock_head, signer
        )

    def _now(self, db: sqlite3.Connection) -> str:
        """The time of a new run: the one clock read (evaluation never asks), refused
        when it is before the last run's, so that runs are strictly ordered in time."""
        created = recorded_time().isoformat(timespec="microseconds")
        last = db.execute("SELECT created FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        if last and isinstance(last[0], str) and created < last[0]:
            raise self._problem("run-out-of-order", form="clock", created=created, last=last[0])
        return created

    @contextlib.contextmanager
    def hold(
        self, waiting: Callable[[], None] | None = None, *, wait: float = HOLD_TIMEOUT
    ) -> Iterator[SqliteLedger]:
        """The ledger's write lock, held until the block ends: one transaction that
        commits every append made in it, or none. A month's run reads its history, and
        appends, inside one hold, so that no other run appends in between; readers
        (verify, list, replay) go on reading meanwhile. ``waiting`` is called when
        another process holds the lock, before waiting up to ``wait`` seconds for it."""
        db = self._connection()
        if self._held:
            raise RuntimeError("the ledger is already held")
        with self._guard("lock"):
            try:
                db.execute("PRAGMA busy_timeout = 0")
                begun = self._begin(db)
                if not begun and waiting is not None:
                    waiting()
                db.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
                if not begun:
                    db.execute("BEGIN IMMEDIATE")
            finally:
                db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        self._held = True
        try:
            with self._guard("append to"):
                try:
                    yield self
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        db.rollback()
                    raise
        finally:
            self._held = False

    @staticmethod
    def _begin(db: sqlite3.Connection) -> bool:
        """BEGIN IMMEDIATE at once: True, or False when another process holds the lock."""
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorname", "") != "SQLITE_BUSY":
                raise
            return False
        return True

    def get(self, run_id: int) -> StoredRun:
        """Run ``run_id``, checked against its own hash and its policy files' hashes."""
        if not isinstance(run_id, int):
            raise TypeError(f"a run id is an int, not {type(run_id).__name__}")
        db = self._connection()
        with self._guard("read"):
            row = db.execute(f"SELECT {COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                count = read_meta(self.path, db)[0]
                if count:
                    raise self._problem("run-not-found", run_id, run=run_id, count=count)
                raise self._problem("run-not-found", run_id, form="empty", run=run_id)
            sql = POLICIES.format("b.data") + " WHERE rp.run_id = ? ORDER BY rp.position"
            policies = db.execute(sql, (run_id,)).fetchall()
            seal = read_seals(db, self.version).get(run_id)
        problems = run_problems(self.path, tuple(row), policies, self.version, seal)
        if self.version >= 3 and not problems:
            with self._guard("read"):
                documents = [read_document(self.path, db, run_id, key) for key in row[5:7]]
            row = (*row[:5], *documents, *row[7:])
        for _, _, _, sha, data in policies:
            if data is not None and (not isinstance(data, bytes) or sha256_hex(data) != sha):
                problems.append(blob_tampered(self.path, sha, [run_id]))
        if problems:
            raise problems[0]
        blobs = tuple(PolicyBlob(*p[1:]) for p in policies)
        record = RunRecord(row[2], row[3], blobs, row[5], row[6], row[7], row[4])
        lock_head, key_id = seal[:2] if seal else (None, None)
        return StoredRun(row[0], row[1], record, row[8], row[9], lock_head, key_id)

    def runs(self) -> Iterator[StoredRun]:
        """Every run in id order, each checked as ``get`` checks it."""
        # The ids first, so that no read lock is held while the caller works.
        with self._guard("read"):
            ids = [i for (i,) in self._connection().execute("SELECT id FROM runs ORDER BY id")]
        for run_id in ids:
            yield self.get(run_id)

    def last_inputs(self, period: str) -> tuple[int, str] | None:
        """(id, SHA-256 of the inputs) of the last run of ``period``; None if it has none."""
        sql = "SELECT id, inputs FROM runs WHERE period = ? ORDER BY id DESC LIMIT 1"
        with self._guard("read"):
            row = self._connection().execute(sql, (period,)).fetchone()
        if row is None or not isinstance(row[1], bytes | str):
            return None
        # Schema version 3 keeps the key of the inputs' document, their SHA-256.
        return row[0], row[1] if isinstance(row[1], str) else sha256_hex(row[1])

    def backup(self, dest: str | os.PathLike[str]) -> tuple[int, str]:
        """Copy the ledger to ``dest`` (a new file) with SQLite's online backup: one
        consistent snapshot, even while another process appends; (runs, head) copied."""
        target = os.fspath(dest)
        if os.path.lexists(target):
            raise finding(target, "ledger-exists")
        with guard(target, "back up"):
            copy = sqlite3.connect(target)
        try:
            with guard(target, "back up"):
                self._connection().backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")
                count, head = read_meta(target, copy)
        finally:
            copy.close()
        return count, head

    def head(self) -> tuple[int, str]:
        """(number of runs, hash of the last run or GENESIS), from meta."""
        with self._guard("read"):
            return read_meta(self.path, self._connection())

    def verify(self, trust: Trust | None = None) -> list[PolicyError]:
        """Every problem in the ledger, in run order; [] when it is intact. With ``trust``:
        signatures checked against its keys, and its kept head looked for."""
        # One read transaction: a consistent snapshot while appends wait.
        with self._transaction("DEFERRED", "verify") as db:
            problems = verify_snapshot(self.path, db, self.version, trust or Trust())
        return sorted(problems, key=lambda p: p.location.record or 0)

    def seals(self, trust: Trust | None = None) -> SealStatus:
        """How the ledger's runs are signed (``checked``: whether ``trust`` gives keys)."""
        with self._transaction("DEFERRED", "read") as db:
            seals = read_seals(db, self.version)
            runs = db.execute("SELECT count(*) FROM runs").fetchone()[0]
        return seal_status(self.version, seals, runs, bool(trust and trust.keys))

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            raise self._problem("ledger-closed")
        return self._db

    def _transaction(
        self, mode: str, doing: str
    ) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        if self._held:  # joined to the held transaction, which commits it
            return contextlib.nullcontext(self._connection())
        return transaction(self.path, self._connection(), mode, doing)

    def _guard(self, doing: str) -> contextlib.AbstractContextManager[None]:
        return guard(self.path, doing)

    def _problem(
        self, code: ErrorCode, record: int | None = None, *, form: str = "", **details: Any
    ) -> PolicyError:
        """This ledger's problem ``code``, worded by its template (see :func:`finding`)."""
        return finding(self.path, code, record, form=form, **details)


def link_of(
    run: RunRecord,
    run_id: int,
    prev_hash: str,
    created: str,
    version: int = SCHEMA_VERSION,
    lock_head: str = GENESIS,
    signer: SigningKey | None = None,
) -> StoredRun:
    """``run`` as run ``run_id`` of a ledger of schema ``version``, chained to ``prev_hash``."""
    values: tuple[Any, ...] = (run_id, created, run.period, run.as_known_at, run.label)
    values += (run.inputs, run.outputs, run.provenance, prev_hash)
    policies = [[p.policy, p.version, p.sha256] for p in run.policies]
    digest = chain_hash(values, policies, version, lock_head)
    seal_head = lock_head if version >= 2 else None
    key_id = signer.public.id if signer else None
    return StoredRun(run_id, created, run, prev_hash, digest, seal_head, key_id)


def first_run(
    run: RunRecord, *, lock_head: str = GENESIS, signer: SigningKey | None = None
) -> StoredRun:
    """``run`` as the first run of a new ledger: what a month run with ``--new-ledger``
    names in its outputs before the ledger is made."""
    created = recorded_time().isoformat(timespec="microseconds")
    return link_of(run, 1, GENESIS, created, SCHEMA_VERSION, lock_head, signer)


def open_ledger(
    path: str | os.PathLike[str], *, create: bool = True, read_only: bool = False
) -> SqliteLedger:
    """The ledger at ``path``; with ``create``, created with its schema if the file is
    absent or empty (else that is a ``file-not-found`` or ``not-a-ledger`` error); with
    ``read_only``, opened so that nothing is written (never created)."""
    return SqliteLedger(path, create=create, read_only=read_only)
