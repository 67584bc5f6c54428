"""A run's inputs and outputs in a schema version 3 ledger: stored once, compressed, by hash.

A month's canonical inputs and its outputs are the bulk of a run (some 80 MB for a
month of 200,000 calls, kept whole in every run by schema versions 1 and 2), and
they are very repetitive text. Schema version 3 keeps each distinct one once, in the
table ``documents``, keyed by the SHA-256 of its uncompressed bytes and compressed
with zlib (in the standard library of every language that reads SQLite); a run's
``inputs`` and ``outputs`` columns name their documents by that key. A month run
again over the same facts adds no document.

The run hash covers exactly what it covered before: the SHA-256 of the inputs and
outputs, which is now the key itself. So a changed document is found by
decompressing it and hashing it again (``verify``, and every read of a run): it no
longer has its key, and the run naming the key still hashes to its hash only with
the original bytes.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from collections.abc import Iterable, Mapping

from ..core._packed import Packed
from ..errors import PolicyError
from ._ledger_file import finding

__all__ = ["CODEC", "document_problems", "missing_document", "read_document", "store_document"]

#: How a document's bytes are compressed: zlib, read by anything (Python's zlib, SQLite's
#: shell), at the level :mod:`policyengine.core._packed` gives (a month's run hands its
#: documents over compressed already). Any level reads back the same bytes, so ledgers
#: written at another level read as before.
CODEC = "zlib"


#: How much of a stored document is unpacked at a time while it is checked: a ledger's
#: documents are checked against their keys piece by piece, never unpacked whole first,
#: so that a hostile ledger's small zlib bomb (a few MB unpacking to GBs) costs the
#: auditor no memory before it is refused.
_PIECE = 2**20


def unpacked_sha256(codec: object, data: object, size: object = None) -> str | None:
    """The SHA-256 of a stored document's bytes, unpacked a piece at a time; None when it
    cannot be had (an unknown codec, bytes that are no zlib stream, a stream cut short,
    or more bytes than the row's ``size`` declares: the document was altered)."""
    if codec != CODEC or not isinstance(data, bytes):
        return None
    inflater, digest, total, rest = zlib.decompressobj(), hashlib.sha256(), 0, data
    try:
        while not inflater.eof:
            piece = inflater.decompress(rest, _PIECE)
            total += len(piece)
            if isinstance(size, int) and total > size:
                return None
            digest.update(piece)
            rest = inflater.unconsumed_tail
            if not rest and not piece:
                return None  # all input taken and no end of stream: cut short
    except zlib.error:
        return None
    return digest.hexdigest()


def store_document(path: str, db: sqlite3.Connection, data: bytes | Packed) -> str:
    """Keep ``data`` once (a document already stored is only checked), and give its key.
    Bytes held packed are stored as they are packed: never unpacked to be packed again."""
    document = data if isinstance(data, Packed) else Packed.of(data)
    key = document.sha256
    row = db.execute("SELECT codec, data, size FROM documents WHERE sha256 = ?", (key,)).fetchone()
    if row is None:
        stored = (key, CODEC, document.size, document.packed)
        db.execute("INSERT INTO documents VALUES (?, ?, ?, ?)", stored)
    elif unpacked_sha256(*row) != key:
        # Never chain a run to a document that no longer holds what its key says.
        raise finding(path, "blob-tampered", form="document-unused", sha256=key)
    return key


def read_document(path: str, db: sqlite3.Connection, run_id: int, key: str) -> bytes:
    """The document ``key`` of run ``run_id``, checked against its key."""
    row = db.execute("SELECT codec, data, size FROM documents WHERE sha256 = ?", (key,)).fetchone()
    if row is None:
        raise missing_document(path, run_id, key)
    if unpacked_sha256(*row) != key:
        raise finding(path, "blob-tampered", run_id, form="document", sha256=key, runs=[run_id])
    return zlib.decompress(row[1])  # the bytes the key names: their size is theirs


def missing_document(path: str, run_id: int, key: object) -> PolicyError:
    """Run ``run_id`` names a document the ledger no longer holds."""
    return finding(path, "blob-missing", run_id, form="document", run=run_id, sha256=key)


def document_problems(
    path: str, db: sqlite3.Connection, users: Mapping[str, Iterable[int]]
) -> list[PolicyError]:
    """Every stored document that no longer decompresses to bytes with its key (``users``:
    the runs naming each key); a run naming a key with no document is the run's problem."""
    problems = []
    keys = [key for (key,) in db.execute("SELECT sha256 FROM documents ORDER BY sha256")]
    for key in keys:
        # One document in memory at a time: a large month's inputs are tens of MB.
        row = db.execute(
            "SELECT codec, data, size FROM documents WHERE sha256 = ?", (key,)
        ).fetchone()
        if unpacked_sha256(*row) == key:
            continue
        runs = sorted(users.get(key, ()))
        if runs:
            problems.append(
                finding(path, "blob-tampered", runs[0], form="document", sha256=key, runs=runs)
            )
        else:
            problems.append(finding(path, "blob-tampered", form="document-unused", sha256=key))
    return problems
