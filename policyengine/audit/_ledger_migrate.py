"""A schema version 2 ledger copied into a new file of schema version 3, only when asked.

Opening a ledger never changes its schema: evidence opened to be read is never
rewritten, and a ledger of an earlier schema takes new runs in its own. Its
owner may ask for a smaller copy: :func:`migrate_ledger` writes a new file in
schema 3 (each run's inputs and outputs as compressed documents) and leaves the
source as it was. Every run keeps its number, time, hash, lock head and
signature, since schema 3 hashes runs as schema 2 does: the copy verifies with
the same head and the same keys, which the copy is checked for before it is
handed back. A schema 1 ledger hashes its runs another way and cannot be
copied so; it stays as it is.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import urllib.parse
from collections.abc import Iterator

from ._ledger_documents import store_document
from ._ledger_file import COLUMNS, finding, guard
from ._ledger_guard import broken
from .ledger import open_ledger

__all__ = ["migrate_ledger"]


def migrate_ledger(source: str | os.PathLike[str], dest: str | os.PathLike[str]) -> tuple[int, str]:
    """Copy the schema 2 ledger ``source`` to ``dest`` (a new file) in schema 3; (runs, head)
    of the copy, which are the source's."""
    target = os.fspath(dest)
    with open_ledger(source, read_only=True) as old:
        if old.version != 2:
            raise finding(old.path, "ledger-version", form="migrate", version=old.version)
        problems = old.verify()
        if problems:
            raise broken(old.path, problems)
        head = old.head()
        if os.path.lexists(target):
            raise finding(target, "ledger-exists", form="migrate")
        open_ledger(target).close()  # the new file, with schema 3's tables
        try:
            with guard(target, "write"), _attached(target, old.path) as db:
                db.execute("BEGIN IMMEDIATE")
                _copy(target, db)
                db.execute("COMMIT")
            with open_ledger(target, read_only=True) as new:
                problems = new.verify()
                copied = new.head()
            if copied != head:  # the source's head must be the copy's
                problems.append(finding(target, "head-missing", form="kept", head=head[1]))
            if problems:
                raise broken(target, problems)
        except BaseException:
            os.remove(target)  # made here a moment ago: nothing else holds it
            raise
    return copied


@contextlib.contextmanager
def _attached(target: str, source: str) -> Iterator[sqlite3.Connection]:
    """The new ledger ``target``, with ``source`` attached read-only as ``old``."""
    db = sqlite3.connect(_uri(target, "rw"), isolation_level=None, uri=True)
    try:
        db.execute("PRAGMA synchronous = FULL")
        db.execute("ATTACH DATABASE ? AS old", (_uri(source, "ro"),))
        yield db
    finally:
        if db.in_transaction:
            db.rollback()
        db.close()


def _uri(path: str, mode: str) -> str:
    return "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=" + mode


def _copy(target: str, db: sqlite3.Connection) -> None:
    """Every row of ``old`` (schema 2, verified) into the new schema 3 ledger."""
    db.execute("INSERT INTO blobs SELECT * FROM old.blobs")
    ids = [i for (i,) in db.execute("SELECT id FROM old.runs ORDER BY id").fetchall()]
    for run_id in ids:  # one run's inputs and outputs in memory at a time
        row = db.execute(f"SELECT {COLUMNS} FROM old.runs WHERE id = ?", (run_id,)).fetchone()
        keys = [store_document(target, db, data) for data in row[5:7]]
        values = (*row[:5], *keys, *row[7:])
        db.execute(f"INSERT INTO runs VALUES ({', '.join('?' * 10)})", values)
    db.execute("INSERT INTO run_policies SELECT * FROM old.run_policies")
    db.execute("INSERT INTO seals SELECT * FROM old.seals")
    db.execute(
        "UPDATE meta SET (run_count, head_hash) = (SELECT run_count, head_hash FROM old.meta)"
    )
