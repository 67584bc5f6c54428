"""The ledger's SQLite file: its tables, how it is opened and recognised, and its errors.

Journal mode is DELETE (SQLite's rollback journal), not WAL: after every
commit the whole ledger is in the one file, so copying or archiving that
file is enough, and it works on network drives. WAL's concurrent readers
are not worth that here: the chain serialises appends anyway, and there
are a few a month. ``synchronous=FULL``: a committed run survives power loss.

A file is read as a ledger only when its tables are exactly those of its
schema version, and that version is one this code reads, so another database
(or a newer ledger) is never misread; every sqlite3 error leaves as a located
``LedgerError``. Schema version 1 is the unsigned ledger; version 2 (every new
ledger) adds ``seals``: per run, the lock head it used and, when it was run
with a key, the key's id and its Ed25519 signature. Version 3 (every new
ledger) keeps a run's inputs and outputs in ``documents``, each distinct one once,
compressed, keyed by its SHA-256 (:mod:`._ledger_documents`); its ``runs`` name
them by that key. Ledgers of versions 1 and 2 are still read, verified, replayed
and appended to in their own version (version 1 unsigned): a file is never
rewritten into another version behind its owner's back.

Opening for verify, list and replay is read-only (``read_only``): it never
creates or changes a file. A ledger is created only when asked (``create``).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import urllib.parse
from collections.abc import Iterator
from typing import Any

from ..codes import ErrorCode
from ..errors import LedgerError, Location, PolicyError

GENESIS = "0" * 64
SCHEMA_VERSION = 3
#: The schema versions this code reads.
READABLE_VERSIONS = (1, 2, 3)
# An append takes milliseconds; waiting longer than this for another process's
# lock means something is stuck, and saying so beats hanging a payroll run.
BUSY_TIMEOUT = 30.0

COLUMNS = "id, created, period, as_known_at, label, inputs, outputs, provenance, prev_hash, hash"
# What each column must hold; any other type was written by someone else.
TYPES: tuple[Any, ...] = (int, str, str, (str, type(None)), str, bytes, bytes, bytes, str, str)
#: In schema version 3, ``inputs`` and ``outputs`` name their documents by SHA-256.
TYPES_OF = {1: TYPES, 2: TYPES, 3: (*TYPES[:5], str, str, *TYPES[7:])}
# Compared with sqlite_master when opening, so another database is never misread.
# meta keeps this shape in every schema version, so a newer ledger is recognised.
TABLES = {
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
#: Version 2's own table: the lock head a run used, and its signature when it has one.
SEALS = (
    "CREATE TABLE seals (run_id INTEGER PRIMARY KEY REFERENCES runs (id),"
    " lock_head TEXT NOT NULL, key_id TEXT, signature TEXT)"
)
#: Version 3's own table: each distinct inputs or outputs document of a run, compressed.
DOCUMENTS = (
    "CREATE TABLE documents (sha256 TEXT PRIMARY KEY, codec TEXT NOT NULL,"
    " size INTEGER NOT NULL, data BLOB NOT NULL)"
)
#: Version 3's runs: ``inputs`` and ``outputs`` are the SHA-256 of their documents.
RUNS_BY_KEY = (
    "CREATE TABLE runs (id INTEGER PRIMARY KEY, created TEXT NOT NULL,"
    " period TEXT NOT NULL, as_known_at TEXT, label TEXT NOT NULL,"
    " inputs TEXT NOT NULL REFERENCES documents (sha256),"
    " outputs TEXT NOT NULL REFERENCES documents (sha256), provenance BLOB NOT NULL,"
    " prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"
)
#: The tables of each schema version.
TABLES_OF = {
    1: TABLES,
    2: {**TABLES, "seals": SEALS},
    3: {**TABLES, "documents": DOCUMENTS, "runs": RUNS_BY_KEY, "seals": SEALS},
}
_SCHEMA = (
    *TABLES_OF[SCHEMA_VERSION].values(),
    f"INSERT INTO meta VALUES (1, {SCHEMA_VERSION}, 0, '{GENESIS}')",
    # These stop honest tools (a clean-up script) from editing history; they
    # stop no attacker, which is what the hash chain and the signatures are for.
    *(
        f"CREATE TRIGGER {table}_no_{op} BEFORE {op} ON {table}"
        " BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END"
        for table in ("blobs", "documents", "runs", "run_policies", "seals")
        for op in ("UPDATE", "DELETE")
    ),
)
#: A run's policy files with one column of their blob (its data, or its hash).
POLICIES = (
    "SELECT rp.run_id, rp.policy, rp.version, rp.sha256, {}"
    " FROM run_policies rp LEFT JOIN blobs b ON b.sha256 = rp.sha256"
)
#: The forms of ``ledger-io`` by SQLite's error, each with the usual cause as its hint.
_IO_FORMS = {
    "SQLITE_BUSY": "busy",
    "SQLITE_CORRUPT": "corrupt",
    "SQLITE_READONLY": "read-only",
    "SQLITE_CANTOPEN": "cannot-open",
    "SQLITE_FULL": "full",
}


def problem(
    path: str, code: ErrorCode, message: str, run: int | None = None, *, hint: str, **details: Any
) -> PolicyError:
    """A ledger problem worded where it is found (sqlite3's own words), located at the file
    and (as ``record``) the run's number; the others are :func:`finding`."""
    where = Location(file=path, record=run)
    return LedgerError(message, code=code, location=where, hint=hint, details=details)


def finding(
    path: str, code: ErrorCode, record: int | None = None, *, form: str = "", **details: Any
) -> PolicyError:
    """A ledger problem (what ``ledger verify`` finds, or why a ledger cannot be used),
    worded by its template (core/_check_templates.py) from ``details``, located at the
    file and ``record``, the number of the run it is about."""
    where = Location(file=path, record=record)
    return LedgerError.from_template(code, form=form, location=where, details=details)


def connect(
    path: str, *, create: bool = True, read_only: bool = False
) -> tuple[sqlite3.Connection, int]:
    """The ledger file at ``path``, opened, and its schema version.

    ``create``: an absent or empty file becomes a new ledger (otherwise it is an
    error); ``read_only``: the file is opened so that nothing can be written to it.
    """
    if read_only or not create:
        _must_exist(path)
    with guard(path, "open"):
        # isolation_level=None: the ledger issues BEGIN and COMMIT itself.
        if read_only:
            uri = "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=ro"
            db = sqlite3.connect(uri, timeout=BUSY_TIMEOUT, isolation_level=None, uri=True)
        else:
            db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
    try:
        with guard(path, "open"):
            pragmas = ["foreign_keys = ON"]
            if not read_only:
                pragmas += ["journal_mode = DELETE", "synchronous = FULL"]
            for pragma in pragmas:
                db.execute(f"PRAGMA {pragma}")
            version = _prepare(path, db, create=create and not read_only)
    except BaseException:
        db.close()
        raise
    return db, version


def _must_exist(path: str) -> None:
    """Refuse a path with no file, or an empty one: a typo must not read as a new ledger."""
    try:
        size = os.stat(path).st_size
    except OSError:
        raise finding(path, "file-not-found", form="ledger") from None
    if size == 0:
        raise finding(path, "not-a-ledger", form="empty")


def _prepare(path: str, db: sqlite3.Connection, *, create: bool) -> int:
    if not _tables(db) and create:
        with transaction(path, db, "IMMEDIATE", "create"):
            if not _tables(db):  # re-checked under the lock: another process may be first
                for statement in _SCHEMA:
                    db.execute(statement)
    tables = _tables(db)
    if tables.get("meta") != TABLES["meta"]:
        raise finding(path, "not-a-ledger")
    version = db.execute("SELECT max(schema_version) FROM meta").fetchone()[0]
    if version not in READABLE_VERSIONS:
        newer = isinstance(version, int) and version > SCHEMA_VERSION
        readable = " and ".join(map(str, READABLE_VERSIONS))
        form = "newer" if newer else ""
        raise finding(path, "ledger-version", form=form, version=version, readable=readable)
    expected = TABLES_OF[version]
    extra = {"seals", "documents"} - set(expected)
    if tables != {**tables, **expected} or extra & set(tables):
        raise finding(path, "not-a-ledger", form="tables")
    return int(version)


def _tables(db: sqlite3.Connection) -> dict[str, str]:
    """Each table's CREATE statement, as SQLite keeps it."""
    return dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall())


def read_meta(path: str, db: sqlite3.Connection) -> tuple[int, str]:
    """(number of runs, head hash), as the meta row says."""
    row = db.execute("SELECT run_count, head_hash FROM meta").fetchone()
    if row is None or not (isinstance(row[0], int) and isinstance(row[1], str)):
        raise finding(path, "head-mismatch", form="meta-damaged")
    return row[0], row[1]


@contextlib.contextmanager
def transaction(
    path: str, db: sqlite3.Connection, mode: str, doing: str
) -> Iterator[sqlite3.Connection]:
    """One transaction (``BEGIN mode``), committed, or rolled back on any exception."""
    with guard(path, doing):
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
def guard(path: str, doing: str) -> Iterator[None]:
    """Any sqlite3 error leaves as a PolicyError, its cause kept."""
    try:
        yield
    except sqlite3.Error as exc:
        name = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
        if name == "SQLITE_NOTADB":
            raise finding(path, "not-a-ledger", form="not-sqlite") from exc
        form = _IO_FORMS.get("_".join(name.split("_")[:2]), "")
        words = {"doing": doing, "reason": str(exc)}
        if form == "busy":
            words["seconds"] = f"{BUSY_TIMEOUT:.0f}"
        raise LedgerError.from_template(
            "ledger-io",
            form=form,
            location=Location(file=path),
            details={"sqlite": name},
            words=words,
        ) from exc
