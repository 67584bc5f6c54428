"""The ledger's hash chain: what a run's hash covers, and how the whole file is verified.

The run hash can be recomputed with nothing but JSON and SHA-256: it is the
SHA-256 of the UTF-8 bytes of the JSON array (no spaces, non-ASCII escaped)::

    ["policyengine-ledger-run", 1, prev_hash, id, created, period, as_known_at,
     label, [[policy, version, sha256], ...],
     sha256(inputs), sha256(outputs), sha256(provenance)]

with hashes as lowercase hex and ``prev_hash`` of run 1 = ``GENESIS``. In a
schema version 2 ledger the array says ``2`` and ends, after the policies,
with the lock head the run used, before the three digests. A schema version 3
ledger hashes its runs as version 2 does (the array says ``2``): its runs hold the
digests of their inputs and outputs as the keys of their documents
(:mod:`._ledger_documents`), which the digests are anyway.

Verification reads the whole file in one snapshot and reports every
problem: stored policy files whose bytes no longer have their hash, runs
whose fields no longer hash to their hash or whose files are gone, a chain
that skips or breaks, and a ``meta`` row that disagrees with the last run.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from ..core._packed import sha256_of
from ..errors import PolicyError
from ._ledger_documents import document_problems, missing_document
from ._ledger_file import COLUMNS, GENESIS, POLICIES, SCHEMA_VERSION, TYPES_OF, finding
from ._ledger_records import sha256_hex
from ._ledger_seals import Trust, seal_problems

_HASH_TAG = "policyengine-ledger-run"
#: The version the run hash's array names, by schema version: version 3 changed how the
#: bytes are kept, not what a run is, so its runs hash as version 2's do.
HASH_FORMAT = {1: 1, 2: 2, 3: 2}


def chain_hash(
    row: Sequence[Any],
    policies: list[list[str]],
    version: int = SCHEMA_VERSION,
    lock_head: object = None,
) -> str:
    """The hash of a run, from its columns in ``COLUMNS`` order (``hash`` not needed),
    in a ledger of schema ``version`` (2 adds the lock head the run used)."""
    run_id, created, period, known, label, inputs, outputs, provenance, prev_hash = row[:9]
    # A JSON array of text, integers and null has one reading: no two runs share an encoding.
    tagged = HASH_FORMAT.get(version, version)
    head = [_HASH_TAG, tagged, prev_hash, run_id, created, period, known, label, policies]
    if version >= 2:
        head.append(lock_head)
    # Bytes are hashed; text is a document's key (schema version 3), their hash already,
    # and bytes held packed carry theirs.
    digests = [d if isinstance(d, str) else sha256_of(d) for d in (inputs, outputs, provenance)]
    return sha256_hex(json.dumps(head + digests, separators=(",", ":")).encode("utf-8"))


def verify_snapshot(
    path: str, db: sqlite3.Connection, version: int, trust: Trust
) -> list[PolicyError]:
    """Every problem of the ledger as ``db`` reads it (in one transaction), unsorted."""
    problems: list[PolicyError] = []
    seals = read_seals(db, version)
    rows = [tuple(row) for row in db.execute(f"SELECT {COLUMNS} FROM runs ORDER BY id")]
    links: dict[int, list[tuple[Any, ...]]] = {}
    users: dict[str, set[int]] = {}
    for link in db.execute(POLICIES.format("b.sha256") + " ORDER BY 1, rp.position"):
        links.setdefault(link[0], []).append(tuple(link))
        users.setdefault(link[3], set()).add(link[0])
    for sha, data in db.execute("SELECT sha256, data FROM blobs"):
        if not isinstance(data, bytes) or sha256_hex(data) != sha:
            problems.append(blob_tampered(path, sha, sorted(users.get(sha, ()))))
    documents: set[Any] | None = None
    if version >= 3:
        documents = {key for (key,) in db.execute("SELECT sha256 FROM documents")}
        readers: dict[str, set[int]] = {}
        for row in rows:
            for key in row[5:7]:
                readers.setdefault(key, set()).add(row[0])
        problems += document_problems(path, db, readers)
    last = (0, GENESIS)
    for row in rows:
        links_of, seal = links.get(row[0], []), seals.get(row[0])
        problems += run_problems(path, row, links_of, version, seal, documents)
        if (row[0], row[8]) != (last[0] + 1, last[1]):
            form = ("gap" if row[0] != last[0] + 1 else "prev") + ("" if last[0] else "-start")
            before = {"before": last[0]} if last[0] else {}
            problems.append(finding(path, "chain-broken", row[0], form=form, run=row[0], **before))
        last = (row[0], row[9])
    meta = db.execute("SELECT run_count, head_hash FROM meta").fetchall()
    if [tuple(m) for m in meta] != [last]:
        problems.append(_meta_mismatch(path, meta, last))
    all_links = [link for run in links.values() for link in run]
    return problems + seal_problems(path, rows, all_links, seals, trust)


def read_seals(db: sqlite3.Connection, version: int) -> dict[int, tuple[Any, ...]]:
    """run id -> (lock head, key id, signature); none in a schema version 1 ledger."""
    if version < 2:
        return {}
    return {row[0]: tuple(row[1:]) for row in db.execute("SELECT * FROM seals")}


def run_problems(
    path: str,
    row: tuple[Any, ...],
    links: list[Any],
    version: int = 1,
    seal: tuple[Any, ...] | None = None,
    documents: set[Any] | None = None,
) -> list[PolicyError]:
    """The run's own problems: fields that no longer hash to its hash, missing blobs, and
    (``documents``: the keys a version 3 ledger holds) missing documents."""
    problems = []
    types = TYPES_OF.get(version, TYPES_OF[1])
    typed = all(isinstance(value, kind) for value, kind in zip(row, types, strict=True))
    typed = typed and all(isinstance(v, str) for link in links for v in link[1:4])
    lock_head = seal[0] if seal else None
    typed = typed and (version < 2 or isinstance(lock_head, str))
    policies = [list(p[1:4]) for p in links]
    if not typed or chain_hash(row, policies, version, lock_head) != row[9]:
        problems.append(finding(path, "run-tampered", row[0], run=row[0]))
    for _, policy, version, sha, present in links:
        if present is None:
            problems.append(
                finding(
                    path,
                    "blob-missing",
                    row[0],
                    run=row[0],
                    policy=policy,
                    version=version,
                    sha256=sha,
                )
            )
    if documents is not None:
        # A key retyped as something else is the run's edit, reported as run-tampered.
        gone = [k for k in row[5:7] if isinstance(k, str) and k not in documents]
        problems += [missing_document(path, row[0], key) for key in gone]
    return problems


def blob_tampered(path: str, sha: str, runs: list[int]) -> PolicyError:
    """A stored policy file whose bytes no longer have its SHA-256, with the runs using it."""
    if not runs:
        return finding(path, "blob-tampered", form="unused", sha256=sha)
    return finding(path, "blob-tampered", runs[0], sha256=sha, runs=runs)


def _meta_mismatch(path: str, meta: list[Any], last: tuple[int, str]) -> PolicyError:
    """The meta row's run count and head, which do not match the last run's."""
    (run, head_hash), record = last, last[0] or None
    if len(meta) == 1:
        count, head = meta[0]
        return finding(
            path, "head-mismatch", record, count=count, head=head, last=run, hash=head_hash
        )
    if not meta:
        return finding(path, "head-mismatch", record, form="no-meta", last=run, hash=head_hash)
    return finding(
        path, "head-mismatch", record, form="meta-rows", rows=len(meta), last=run, hash=head_hash
    )
