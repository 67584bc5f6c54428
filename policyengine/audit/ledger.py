"""The ledger: an append-only, hash-chained record of evaluation runs.

Each run keeps the exact bytes of every policy file it used (content-addressed:
a file is stored once however many runs use it), its inputs, outputs and
provenance, and a SHA-256 chained to the run before it. ``verify()``
recomputes every hash and reports every problem it finds.

The run hash can be recomputed with nothing but JSON and SHA-256: it is the
SHA-256 of the UTF-8 bytes of the JSON array (no spaces, non-ASCII escaped)::

    ["policyengine-ledger-run", 1, prev_hash, id, created, period, as_known_at,
     label, [[policy, version, sha256], ...],
     sha256(inputs), sha256(outputs), sha256(provenance)]

with hashes as lowercase hex and ``prev_hash`` of run 1 = ``GENESIS``.

What one file cannot prove on its own: that nobody cut off the last runs and
then rewrote ``meta`` (or rewrote every later hash) to match. Keep ``head()``
outside the ledger, with the payroll sign-off, and compare it later.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import Any, Protocol

import attrs

from ..codes import ErrorCode
from ..errors import LedgerError, Location, PolicyError
from ..period import Period

GENESIS = "0" * 64
SCHEMA_VERSION = 1
_HASH_TAG = "policyengine-ledger-run"
# An append takes milliseconds; waiting longer than this for another process's
# lock means something is stuck, and saying so beats hanging a payroll run.
_BUSY_TIMEOUT = 30.0

_COLUMNS = "id, created, period, as_known_at, label, inputs, outputs, provenance, prev_hash, hash"
# What each column must hold; any other type was written by someone else.
_TYPES: tuple[Any, ...] = (int, str, str, (str, type(None)), str, bytes, bytes, bytes, str, str)
# Compared with sqlite_master when opening, so another database is never misread.
# meta keeps this shape in every schema version, so a newer ledger is recognised.
_TABLES = {
    "meta": "CREATE TABLE meta (id INTEGER PRIMARY KEY CHECK (id = 1),"
    " schema_version INTEGER NOT NULL, run_count INTEGER NOT NULL, head_hash TEXT NOT NULL)",
    "blobs": "CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL)",
    "runs": "CREATE TABLE runs (id INTEGER PRIMARY KEY, created TEXT NOT NULL,"
    " period TEXT NOT NULL, as_known_at TEXT, label TEXT NOT NULL, inputs BLOB NOT NULL,"
    " outputs BLOB NOT NULL, provenance BLOB NOT NULL, prev_hash TEXT NOT NULL,"
    " hash TEXT NOT NULL)",
    "run_policies": "CREATE TABLE run_policies (run_id INTEGER NOT NULL REFERENCES runs (id),"
    " position INTEGER NOT NULL, policy TEXT NOT NULL, version TEXT NOT NULL,"
    " sha256 TEXT NOT NULL REFERENCES blobs (sha256), PRIMARY KEY (run_id, position))",
}
_SCHEMA = (
    *_TABLES.values(),
    f"INSERT INTO meta VALUES (1, {SCHEMA_VERSION}, 0, '{GENESIS}')",
    # These stop honest tools (a clean-up script) from editing history; they
    # stop no attacker, which is what the hash chain is for.
    *(
        f"CREATE TRIGGER {table}_no_{op} BEFORE {op} ON {table}"
        " BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END"
        for table in ("blobs", "runs", "run_policies")
        for op in ("UPDATE", "DELETE")
    ),
)
_POLICIES = (
    "SELECT rp.run_id, rp.policy, rp.version, rp.sha256, {}"
    " FROM run_policies rp LEFT JOIN blobs b ON b.sha256 = rp.sha256"
)
_NOT_A_LEDGER = "name a ledger file, or a new path for a new ledger"
_IO_HINTS = {
    "SQLITE_BUSY": f"another process has held the ledger for over {_BUSY_TIMEOUT:.0f} s",
    "SQLITE_CORRUPT": "the file is damaged; restore it from a backup",
    "SQLITE_READONLY": "the ledger file or its folder is read-only",
    "SQLITE_CANTOPEN": "check that the folder exists and can be written",
    "SQLITE_FULL": "the disk is full",
}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be text, not {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate, e.g. from a mis-decoded file name
        raise LedgerError(f"{attribute.name} {value!r} is not Unicode", code="not-utf8") from exc


_bytes = attrs.validators.instance_of(bytes)


@attrs.frozen
class PolicyBlob:
    """One policy file as a run used it: id, version and the exact bytes."""

    policy: str = attrs.field(validator=_text)
    version: str = attrs.field(validator=_text)
    sha256: str = attrs.field(validator=_text)
    data: bytes = attrs.field(validator=_bytes, repr=False)

    def __attrs_post_init__(self) -> None:
        actual = _sha256(self.data)
        if self.sha256 != actual:
            raise LedgerError(
                f"policy {self.policy} {self.version}: {self.sha256!r} is not the SHA-256"
                f" of its bytes ({actual})",
                code="blob-mismatch",
                hint="pass the lowercase hex SHA-256 of exactly the bytes given",
                details={"policy": self.policy, "version": self.version, "actual": actual},
            )


@attrs.frozen
class RunRecord:
    """One evaluation run as the caller appends it; the bytes are opaque here."""

    period: str = attrs.field(validator=_text)
    as_known_at: str | None = attrs.field(validator=attrs.validators.optional(_text))
    policies: tuple[PolicyBlob, ...] = attrs.field(
        validator=attrs.validators.deep_iterable(
            attrs.validators.instance_of(PolicyBlob), attrs.validators.instance_of(tuple)
        )
    )
    inputs: bytes = attrs.field(validator=_bytes, repr=False)
    outputs: bytes = attrs.field(validator=_bytes, repr=False)
    provenance: bytes = attrs.field(validator=_bytes, repr=False)
    label: str = attrs.field(default="", validator=_text)

    def __attrs_post_init__(self) -> None:
        # Only the canonical spelling: the text is hashed, so "2026-3" and
        # "2026-03" must not both stand for one month.
        if Period.parse(self.period).key != self.period:
            raise LedgerError(
                f"{self.period!r} is not a month", code="invalid-period", hint="write YYYY-MM"
            )
        if self.as_known_at is not None:
            try:
                canonical = datetime.date.fromisoformat(self.as_known_at).isoformat()
            except ValueError:
                canonical = None
            if canonical != self.as_known_at:
                raise LedgerError(
                    f"as_known_at {self.as_known_at!r} is not a date",
                    code="invalid-date",
                    hint="write YYYY-MM-DD",
                )


@attrs.frozen
class StoredRun:
    """A run as the ledger holds it: numbered, timestamped and chained."""

    id: int
    created: str
    record: RunRecord
    prev_hash: str
    hash: str


class Ledger(Protocol):
    """The small interface another database could implement."""

    def append(self, run: RunRecord) -> StoredRun: ...
    def get(self, run_id: int) -> StoredRun: ...
    def runs(self) -> Iterator[StoredRun]: ...
    def head(self) -> tuple[int, str]: ...
    def verify(self) -> list[PolicyError]: ...
    def close(self) -> None: ...


def _chain_hash(row: Sequence[Any], policies: list[list[str]]) -> str:
    """The hash of a run, from its columns in ``_COLUMNS`` order (``hash`` not needed)."""
    run_id, created, period, known, label, inputs, outputs, provenance, prev_hash = row[:9]
    # A JSON array of text, integers and null has one reading: no two runs share an encoding.
    head = [_HASH_TAG, SCHEMA_VERSION, prev_hash, run_id, created, period, known, label, policies]
    digests = [_sha256(data) for data in (inputs, outputs, provenance)]
    return _sha256(json.dumps(head + digests, separators=(",", ":")).encode("utf-8"))


class SqliteLedger:
    """The ledger in one SQLite file.

    Journal mode is DELETE (SQLite's rollback journal), not WAL: after every
    commit the whole ledger is in the one file, so copying or archiving that
    file is enough, and it works on network drives. WAL's concurrent readers
    are not worth that here: the chain serialises appends anyway, and there
    are a few a month. ``synchronous=FULL``: a committed run survives power loss.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._db: sqlite3.Connection | None = None
        with self._guard("open"):
            # isolation_level=None: this class issues BEGIN and COMMIT itself.
            db = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT, isolation_level=None)
        try:
            with self._guard("open"):
                for pragma in ("journal_mode = DELETE", "synchronous = FULL", "foreign_keys = ON"):
                    db.execute(f"PRAGMA {pragma}")
                self._prepare(db)
        except BaseException:
            db.close()
            raise
        self._db = db

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
            count, head = self._meta(db)
            last = db.execute("SELECT id, hash FROM runs ORDER BY id DESC LIMIT 1").fetchone()
            if (tuple(last) if last else (0, GENESIS)) != (count, head):
                message = f"meta says {count} runs but the last is run {last and last[0]}"
                raise self._problem("head-mismatch", message, last and last[0], hint=_EDITED)
            # The one clock read: the ledger records when; evaluation never asks.
            created = datetime.datetime.now(datetime.UTC).isoformat(timespec="microseconds")
            run_id = count + 1
            values: tuple[Any, ...] = (run_id, created, run.period, run.as_known_at, run.label)
            values += (run.inputs, run.outputs, run.provenance, head)
            digest = _chain_hash(values, [[p.policy, p.version, p.sha256] for p in run.policies])
            for blob in run.policies:
                sql = "INSERT OR IGNORE INTO blobs VALUES (?, ?)"
                db.execute(sql, (blob.sha256, blob.data))
                sql = "SELECT data = ? FROM blobs WHERE sha256 = ?"
                if not db.execute(sql, (blob.data, blob.sha256)).fetchone()[0]:
                    raise self._blob_tampered(blob.sha256, [])  # never chain to an altered file
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
            row = db.execute(f"SELECT {_COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                count = self._meta(db)[0]
                hint = f"the ledger holds runs 1 to {count}" if count else "the ledger is empty"
                raise self._problem("run-not-found", f"there is no run {run_id}", run_id, hint=hint)
            sql = _POLICIES.format("b.data") + " WHERE rp.run_id = ? ORDER BY rp.position"
            policies = db.execute(sql, (run_id,)).fetchall()
        problems = self._run_problems(tuple(row), policies)
        for _, _, _, sha, data in policies:
            if data is not None and (not isinstance(data, bytes) or _sha256(data) != sha):
                problems.append(self._blob_tampered(sha, [run_id]))
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
            return self._meta(self._connection())

    def verify(self) -> list[PolicyError]:
        """Every problem in the ledger, in run order; [] when it is intact."""
        problems: list[PolicyError] = []
        # One read transaction: a consistent snapshot while appends wait.
        with self._transaction("DEFERRED", "verify") as db:
            links: dict[int, list[tuple[Any, ...]]] = {}
            users: dict[str, set[int]] = {}
            for link in db.execute(_POLICIES.format("b.sha256") + " ORDER BY 1, rp.position"):
                links.setdefault(link[0], []).append(tuple(link))
                users.setdefault(link[3], set()).add(link[0])
            for sha, data in db.execute("SELECT sha256, data FROM blobs"):
                if not isinstance(data, bytes) or _sha256(data) != sha:
                    problems.append(self._blob_tampered(sha, sorted(users.get(sha, ()))))
            last = (0, GENESIS)
            for row in db.execute(f"SELECT {_COLUMNS} FROM runs ORDER BY id"):
                problems += self._run_problems(tuple(row), links.get(row[0], []))
                if (row[0], row[8]) != (last[0] + 1, last[1]):
                    before = f"run {last[0]}" if last[0] else "the start of the ledger"
                    gap = row[0] != last[0] + 1
                    why = "its id does not follow" if gap else "its prev_hash is not the hash of"
                    message = f"run {row[0]}: {why} {before}"
                    problems.append(self._problem("chain-broken", message, row[0], hint=_EDITED))
                last = (row[0], row[9])
            meta = db.execute("SELECT run_count, head_hash FROM meta").fetchall()
            if [tuple(m) for m in meta] != [last]:
                said = ", ".join(f"{n} runs, head {h}" for n, h in meta) or "nothing"
                text = f"meta says {said}, but the last run is {last[0]}, hash {last[1]}"
                problems.append(self._problem("head-mismatch", text, last[0] or None, hint=_EDITED))
        return sorted(problems, key=lambda p: p.location.record or 0)

    def _prepare(self, db: sqlite3.Connection) -> None:
        if not _tables(db):
            with self._transaction("IMMEDIATE", "create", db):
                if not _tables(db):  # re-checked under the lock: another process may be first
                    for statement in _SCHEMA:
                        db.execute(statement)
        tables = _tables(db)
        if tables.get("meta") != _TABLES["meta"]:
            raise self._problem("not-a-ledger", "the file is not a ledger", hint=_NOT_A_LEDGER)
        version = db.execute("SELECT max(schema_version) FROM meta").fetchone()[0]
        if version != SCHEMA_VERSION:
            newer = isinstance(version, int) and version > SCHEMA_VERSION
            raise self._problem(
                "ledger-version",
                f"the ledger has schema version {version}; this code reads {SCHEMA_VERSION}",
                hint="upgrade policyengine" if newer else _EDITED,
                version=version,
            )
        if tables != {**tables, **_TABLES}:
            raise self._problem("not-a-ledger", "the ledger's tables were altered", hint=_EDITED)

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            raise self._problem("ledger-closed", "the ledger is closed", hint="open it again")
        return self._db

    @contextlib.contextmanager
    def _transaction(
        self, mode: str, doing: str, db: sqlite3.Connection | None = None
    ) -> Iterator[sqlite3.Connection]:
        db = db or self._connection()
        with self._guard(doing):
            db.execute(f"BEGIN {mode}")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                # A failed COMMIT leaves the transaction open: end it, so that
                # nothing half-done survives and the connection stays usable.
                if db.in_transaction:
                    db.rollback()
                raise

    @contextlib.contextmanager
    def _guard(self, doing: str) -> Iterator[None]:
        """Any sqlite3 error leaves as a PolicyError, its cause kept."""
        try:
            yield
        except sqlite3.Error as exc:
            name = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
            if name == "SQLITE_NOTADB":
                message = "the file is not a ledger (not an SQLite database)"
                raise self._problem("not-a-ledger", message, hint=_NOT_A_LEDGER) from exc
            hint = _IO_HINTS.get("_".join(name.split("_")[:2]), "sqlite3's error is the cause")
            message = f"cannot {doing} the ledger: {exc}"
            raise self._problem("ledger-io", message, hint=hint, sqlite=name) from exc

    def _meta(self, db: sqlite3.Connection) -> tuple[int, str]:
        row = db.execute("SELECT run_count, head_hash FROM meta").fetchone()
        if row is None or not (isinstance(row[0], int) and isinstance(row[1], str)):
            raise self._problem("head-mismatch", "the ledger's meta row is damaged", hint=_EDITED)
        return row[0], row[1]

    def _run_problems(self, row: tuple[Any, ...], links: list[Any]) -> list[PolicyError]:
        """The run's own problems: fields that no longer hash to its hash, missing blobs."""
        problems = []
        typed = all(isinstance(value, kind) for value, kind in zip(row, _TYPES, strict=True))
        typed = typed and all(isinstance(v, str) for link in links for v in link[1:4])
        if not typed or _chain_hash(row, [list(p[1:4]) for p in links]) != row[9]:
            message = f"run {row[0]} was edited: its fields no longer hash to its hash"
            problems.append(self._problem("run-tampered", message, row[0], hint=_EDITED))
        for _, policy, version, sha, present in links:
            if present is None:
                message = f"run {row[0]} used {policy} {version} ({sha}), no longer in the ledger"
                problems.append(
                    self._problem("blob-missing", message, row[0], hint=_EDITED, sha256=sha)
                )
        return problems

    def _blob_tampered(self, sha: str, runs: list[int]) -> PolicyError:
        message = f"the stored bytes of policy file {sha} no longer have that SHA-256"
        run = runs[0] if runs else None
        return self._problem("blob-tampered", message, run, hint=_EDITED, sha256=sha, runs=runs)

    def _problem(
        self, code: ErrorCode, message: str, run: int | None = None, *, hint: str, **details: Any
    ) -> PolicyError:
        where = Location(file=self.path, record=run)
        return LedgerError(message, code=code, location=where, hint=hint, details=details)


_EDITED = "the file was edited outside policyengine; compare it with a backup"


def _tables(db: sqlite3.Connection) -> dict[str, str]:
    """Each table's CREATE statement, as SQLite keeps it."""
    return dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall())


def open_ledger(path: str | os.PathLike[str]) -> SqliteLedger:
    """The ledger at ``path``, created with its schema if the file is absent or empty."""
    return SqliteLedger(path)
