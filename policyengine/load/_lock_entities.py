"""``entities.yaml`` in the lock: versioned and published like a policy version.

The record kinds decide field types, defaults and parents, so a change to them
changes pay as surely as a policy does. ``lock`` publishes the file's bytes as
a line ``entities.yaml  entities  <n>  <day>  sha256:<…>``, numbering the
versions 1, 2, 3 … in order; the last line is the published version. The file
then in the folder is a **draft** while its SHA-256 is not that line's (edited
since, or never locked): ``run`` refuses it as it refuses a draft policy
version, unless ``--allow-drafts``. A lock that lists ``entities.yaml`` while
the file is gone is a finding of ``verify``.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from ..errors import Location, PolicyError
from ._layout import ENTITIES_NAME
from ._lock_file import LockEntry, load_lock, lock_problem

#: The policy field of an entities.yaml line.
ENTITIES_POLICY = "entities"


def is_entities(entry: LockEntry) -> bool:
    return entry.path == ENTITIES_NAME


def _sha(root: Path) -> str | None:
    try:
        return hashlib.sha256((root / ENTITIES_NAME).read_bytes()).hexdigest()
    except OSError:
        return None


def entities_problems(
    root: Path, lock_path: str | os.PathLike[str], entries: Sequence[LockEntry]
) -> list[PolicyError]:
    """A published entities.yaml that is gone from the folder."""
    published = [e for e in entries if is_entities(e)]
    if not published or (root / ENTITIES_NAME).is_file():
        return []
    last = published[-1]
    return [
        lock_problem("locked-file-missing", Location(str(lock_path), last.line), path=last.path,
                     policy=last.policy, version=last.version, published=last.published,
                     lock=Path(lock_path).name)
    ]  # fmt: skip


def new_entities_entry(
    root: Path, entries: Sequence[LockEntry], published: datetime.date
) -> LockEntry | None:
    """The line publishing entities.yaml as it is now, or None when it is published already
    (or absent)."""
    sha = _sha(root)
    done = [e for e in entries if is_entities(e)]
    if sha is None or (done and done[-1].sha256 == sha):
        return None
    return LockEntry(ENTITIES_NAME, ENTITIES_POLICY, str(len(done) + 1), sha, published)


def entities_standing(root: str | os.PathLike[str], lock_path: str | os.PathLike[str]) -> str:
    """Where the folder's entities.yaml stands against the lock, read once: ``"none"`` (no
    such file), ``"published"`` (the version the lock last published), ``"draft"`` (another,
    or nothing is published at all) or ``"unlisted"`` (a lock of published versions written
    before entities.yaml was locked: its folder keeps running as it did, and the next
    ``policyengine lock`` publishes the file)."""
    sha = _sha(Path(root))
    if sha is None:
        return "none"
    entries = load_lock(lock_path)[0]
    done = [e for e in entries if is_entities(e)]
    if not done:
        return "unlisted" if entries else "draft"
    return "published" if done[-1].sha256 == sha else "draft"
