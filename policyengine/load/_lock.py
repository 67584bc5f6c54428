"""``policies.lock``: the record of published policy versions, and ``lock`` / ``verify``.

:func:`lock` publishes every version file not yet locked, recording its path,
policy, version, publication day and the SHA-256 of its bytes; from then on the
file is immutable and a correction is a new version file. :func:`verify`
reports a locked file that changed or vanished, a file claiming a published
(policy, version), and a file whose policy and version cannot be read. Other
files are drafts.

The file's two formats are :mod:`policyengine.load._lock_file`'s: format 1,
unsigned, sorted by path; format 2, written by ``lock`` given a signing key, a
log in publication order, each line chained and signed
(:mod:`policyengine.load._lock_log`). ``verify`` given the auditor's
:class:`~policyengine.load._keys.Trust` checks the signatures, and whether a
signed lock is required.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from ..core._reading import open_regular
from ..errors import InvalidPolicy, Location, LockError, PolicyError
from ..read._source import read_policy_file
from ._keys import SigningKey, Trust
from ._layout import LOCK_NAME, read_layout
from ._lock_entities import entities_problems, is_entities, new_entities_entry
from ._lock_file import (
    HEADER,
    LockEntry,
    load_lock,
    lock_problem,
    read_lock,
    text_ok,
    write_lock,
)
from ._lock_log import GENESIS, log_problems, sign_entries

__all__ = ["HEADER", "LOCK_NAME", "LockEntry", "lock", "read_lock", "scan", "verify", "write_lock"]

_Where = str | os.PathLike[str]


@attrs.frozen
class _Found:
    """A version file under the policies folder, as far as it could be read."""

    path: str  # relative posix path
    file: str  # the path to report
    sha256: str | None
    where: Location  # the `version:` key
    policy: str | None = None
    version: str | None = None
    problems: tuple[PolicyError, ...] = ()
    #: The day it takes effect as written (YYYY-MM-DD), and whether it corrects another.
    effective_from: str | None = None
    correction: bool = False


def _identify(path: Path, rel: str) -> _Found:
    file = str(path)
    try:
        document = read_policy_file(path)
    except InvalidPolicy as error:
        try:
            with open_regular(path) as stream:  # a pipe or device is never hashed
                sha: str | None = hashlib.file_digest(stream, "sha256").hexdigest()
        except (OSError, ValueError):
            sha = None
        return _Found(rel, file, sha, Location(file), problems=error.problems)
    at = document.key_positions.get("/version")
    where = Location(file, at.line, at.column, "/version") if at else Location(file)
    policy, version = document.data.get("policy"), document.data.get("version")
    if text_ok(policy) and text_ok(version):
        start, data = document.data.get("effective_from"), document.data
        effective = str(start) if start is not None else None
        return _Found(
            rel, file, document.sha256, where, policy, version,
            effective_from=effective, correction=data.get("corrects") is not None,
        )  # fmt: skip
    problem = lock_problem("unidentified-version", where, path=rel)
    return _Found(rel, file, document.sha256, where, problems=(problem,))


def _scan(policies_dir: _Where) -> tuple[list[_Found], list[PolicyError]]:
    """The version files as the layout names them, and a problem for each stray one."""
    root = Path(policies_dir)
    if not root.is_dir():
        return [], []
    layout = read_layout(root)
    found = [_identify(layout.path(rel), rel) for rel in layout.versions]
    return found, layout.problems()


def scan(policies_dir: _Where) -> list[tuple[str, str, str, str]]:
    """Every version file ``<folder>/<file>.yaml|.yml``: (path, policy, version, sha256), sorted.

    The files are those :mod:`policyengine.load._layout` names versions; a stray
    YAML file, a file that cannot be read, or one that does not name its
    policy and version is left out here and reported by :func:`verify`.
    """
    return [
        (f.path, f.policy, f.version, f.sha256)
        for f in _scan(policies_dir)[0]
        if f.policy and f.version and f.sha256
    ]


def _check(
    policies_dir: _Where, lock_path: _Where, trust: Trust | None = None
) -> tuple[list[LockEntry], list[_Found], list[PolicyError]]:
    entries, findings = load_lock(lock_path)
    if not findings:
        findings += log_problems(Path(lock_path), entries, trust or Trust())
    findings += entities_problems(Path(policies_dir), lock_path, entries)
    entries = [e for e in entries if not is_entities(e)]  # the rest are version files
    found, stray = _scan(policies_dir)
    findings += stray  # a file that looks like a version but is not one cannot be locked
    by_path = {f.path: f for f in found}
    by_version = {(e.policy, e.version): e for e in entries}
    for e in entries:
        f = by_path.get(e.path)
        said: dict[str, Any] = {
            "path": e.path,
            "policy": e.policy,
            "version": e.version,
            "published": e.published,
        }
        if f is None:
            where = Location(str(lock_path), e.line)
            lock = Path(lock_path).name
            findings.append(lock_problem("locked-file-missing", where, lock=lock, **said))
        elif f.sha256 is None:
            findings += f.problems
        elif f.sha256 != e.sha256:
            findings.append(lock_problem("locked-file-changed", Location(f.file), **said,
                                     locked_sha256=e.sha256, sha256=f.sha256))  # fmt: skip
        if f and f.policy and (f.policy, f.version) != (e.policy, e.version):
            said |= {"was": f"{e.policy} {e.version}", "policy": f.policy, "version": f.version}
            findings.append(lock_problem("version-already-published", f.where, form="keys", **said))
    locked_paths = {e.path for e in entries}
    for f in found:
        if f.path in locked_paths:
            continue
        findings += f.problems
        if (claimed := by_version.get((f.policy or "", f.version or ""))) is not None:
            findings.append(lock_problem("version-already-published", f.where, path=f.path,
                policy=f.policy, version=f.version, published=claimed.published,
                published_as=claimed.path))  # fmt: skip
    findings.sort(key=lambda p: (p.location.sort_key(), p.code))
    return entries, found, findings


def verify(
    policies_dir: _Where, lock_path: _Where, trust: Trust | None = None
) -> list[PolicyError]:
    """Every finding about the published versions, sorted by place; empty when all is well.

    With ``trust``: a signed lock's signatures checked against its keys, an unsigned or
    missing lock refused when it asks for signatures, its kept head looked for.
    """
    return _check(policies_dir, lock_path, trust)[2]


def lock(
    policies_dir: _Where,
    lock_path: _Where,
    published: datetime.date,
    key: SigningKey | None = None,
    *,
    tested: Mapping[str, str] | None = None,
) -> tuple[LockEntry, ...]:
    """Publish every version file not yet locked, on ``published``; return the added entries.

    With ``tested`` (each new file's SHA-256 when its tests passed), a new file whose
    bytes are not those is refused (``test-failed``, form ``changed``).

    With ``key`` the lock is signed (format 2): new lines are chained after the last
    one and signed; an unsigned lock is turned into a signed log first, its lines in
    order of publication. A signed lock is only ever extended with a key.

    Refuses with :class:`InvalidPolicy` while :func:`verify` has findings, or when
    two new files claim one version. Existing entries are never rewritten.
    """
    entries = load_lock(lock_path)[0]  # every line, entities.yaml's too, is kept as it is
    _, found, findings = _check(policies_dir, lock_path)
    signed = bool(entries) and entries[0].signature is not None
    if signed and key is None:
        where = Location(str(lock_path))
        findings.append(LockError.from_template("lock-unsigned", form="new-line", location=where))
    new = _new_entries(entries, found, published, tested, findings)
    entities = new_entities_entry(Path(policies_dir), entries, published)
    if entities is not None:
        new[(entities.policy, entities.version)] = entities
    latest = max((e.published for e in entries), default=None)
    if new and latest is not None and published < latest:
        # as_known_at trusts publication dates: a version locked today but dated
        # before an earlier publication would rewrite what was known back then.
        findings.append(
            LockError.from_template(
                "backdated-publication",
                location=Location(file=str(lock_path)),
                words={"published": published, "latest": latest},
            )
        )
    if findings:
        raise InvalidPolicy(findings, file=str(lock_path))
    if not new and (key is None or signed):
        return ()
    _write(lock_path, entries, sorted(new.values(), key=lambda e: e.path), key)
    return tuple(e for e in read_lock(lock_path) if (e.policy, e.version) in new)


def _new_entries(
    entries: list[LockEntry],
    found: list[_Found],
    published: datetime.date,
    tested: Mapping[str, str] | None,
    findings: list[PolicyError],
) -> dict[tuple[str, str], LockEntry]:
    """The lines the version files not yet locked would add, by (policy, version); what
    refuses one is added to ``findings``: bytes other than those tested, a version taking
    effect before one published, two files claiming one version."""
    locked = {e.path for e in entries}
    starts = {f.path: f.effective_from for f in found}  # of the published files, as now
    new: dict[tuple[str, str], LockEntry] = {}
    for f in found:
        if f.path in locked or not (f.policy and f.version and f.sha256):
            continue
        if tested is not None and tested.get(f.path) != f.sha256:
            findings.append(lock_problem("test-failed", f.where, form="changed", path=f.path,
                policy=f.policy, version=f.version, sha256=f.sha256))  # fmt: skip
            continue
        if (earlier := _taking_effect_before(f, entries, starts)) is not None:
            findings.append(earlier)
            continue
        entry = LockEntry(f.path, f.policy, f.version, f.sha256, published)
        first = new.setdefault((f.policy, f.version), entry)
        if first is not entry:
            findings.append(lock_problem("duplicate-version", f.where, form="lock", path=f.path,
                other=first.path, policy=f.policy, version=f.version))  # fmt: skip
    return new


def _taking_effect_before(
    new: _Found, entries: list[LockEntry], starts: Mapping[str, str | None]
) -> PolicyError | None:
    """A new version (no correction) that takes effect before a version of its policy
    already published: it would change the months between, already paid, without saying
    so (``backdated-publication``, form ``effect``). A correction (``corrects:``) says so."""
    if new.correction or new.effective_from is None:
        return None
    for entry in entries:
        start = starts.get(entry.path)
        if entry.policy == new.policy and start is not None and start > new.effective_from:
            return lock_problem(
                "backdated-publication", new.where, form="effect", path=new.path,
                start=new.effective_from, other=entry.path, other_start=start,
            )  # fmt: skip
    return None


def _write(
    lock_path: _Where, entries: list[LockEntry], added: list[LockEntry], key: SigningKey | None
) -> None:
    """The lock with ``added`` after ``entries``: unsigned, or chained and signed with ``key``
    (an unsigned lock becomes a log, its lines in the order they were published)."""
    if key is None:
        write_lock(lock_path, [*entries, *added])
    elif entries and entries[0].signature is not None:
        head = entries[-1].chain or GENESIS
        write_lock(lock_path, [*entries, *sign_entries(added, key, head)])
    else:
        old = sorted(entries, key=lambda e: (e.published, e.path))
        write_lock(lock_path, sign_entries([*old, *added], key))
