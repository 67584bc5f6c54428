"""Edits a forger makes to a ledger file with plain sqlite3, for the tampering tests.

In a schema version 3 ledger a run's ``inputs`` and ``outputs`` columns hold the
SHA-256 of their documents, kept compressed in ``documents``; these helpers read and
change what a run stores whatever the version, as an attacker who read the docs would.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

COLUMNS = ("inputs", "outputs")


@contextlib.contextmanager
def forging(file: Path) -> Iterator[sqlite3.Connection]:
    """A plain connection to the ledger file, as a forger editing it behind the ledger's
    back: the append-only triggers dropped first; committed and closed on the way out."""
    with contextlib.closing(sqlite3.connect(file)) as db, db:
        triggers = db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for (name,) in triggers:
            db.execute(f"DROP TRIGGER {name}")
        yield db


def digest(value: bytes | str) -> str:
    """The SHA-256 a run hash covers: of the bytes, or the document's key (version 3)."""
    return value if isinstance(value, str) else hashlib.sha256(value).hexdigest()


def hash_format(db: sqlite3.Connection) -> int:
    """The version the run hash's array names: schema version 3 hashes as 2 does."""
    (version,) = db.execute("SELECT schema_version FROM meta").fetchone()
    return min(int(version), 2)


def stored(db: sqlite3.Connection, run_id: int, column: str) -> bytes:
    """What run ``run_id`` stores as its ``column``, decompressed."""
    (value,) = db.execute(f"SELECT {column} FROM runs WHERE id = ?", (run_id,)).fetchone()
    if isinstance(value, bytes):
        return value
    sql = "SELECT data FROM documents WHERE sha256 = ?"
    (data,) = db.execute(sql, (value,)).fetchone()
    return zlib.decompress(data)


def put(db: sqlite3.Connection, run_id: int, column: str, data: bytes) -> None:
    """Run ``run_id`` made to store ``data`` as its ``column``: in the row (versions 1
    and 2), or as a new document the row names (version 3)."""
    (value,) = db.execute(f"SELECT {column} FROM runs WHERE id = ?", (run_id,)).fetchone()
    if isinstance(value, str):
        key = hashlib.sha256(data).hexdigest()
        sql = "INSERT OR IGNORE INTO documents VALUES (?, 'zlib', ?, ?)"
        db.execute(sql, (key, len(data), zlib.compress(data)))
        db.execute(f"UPDATE runs SET {column} = ? WHERE id = ?", (key, run_id))
    else:
        db.execute(f"UPDATE runs SET {column} = ? WHERE id = ?", (data, run_id))


def change(
    db: sqlite3.Connection, run_id: int, column: str, edit: Callable[[bytes], bytes]
) -> None:
    """Run ``run_id``'s ``column`` changed by ``edit``, as :func:`put` stores it."""
    put(db, run_id, column, edit(stored(db, run_id, column)))


def change_in_place(
    db: sqlite3.Connection, run_id: int, column: str, edit: Callable[[bytes], bytes]
) -> None:
    """The document run ``run_id`` names as its ``column`` rewritten under its own key."""
    (key,) = db.execute(f"SELECT {column} FROM runs WHERE id = ?", (run_id,)).fetchone()
    data = zlib.compress(edit(stored(db, run_id, column)))
    db.execute("UPDATE documents SET data = ? WHERE sha256 = ?", (data, key))
