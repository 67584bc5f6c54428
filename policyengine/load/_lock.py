"""``policies.lock``: the record of published policy versions, and ``lock`` / ``verify``.

:func:`lock` publishes every version file not yet locked, recording its path,
policy, version, publication day and the SHA-256 of its bytes; from then on the
file is immutable and a correction is a new version file. :func:`verify`
reports a locked file that changed or vanished, a file claiming a published
(policy, version), and a file whose policy and version cannot be read. Other
files are drafts. The lock file, UTF-8, as :func:`write_lock` writes it::

    # policies.lock: the published versions of the policies (lock format 1).
    # ... five more comment lines ...
    commission/2026-01.yaml  commission  2026-01  2026-01-15  sha256:<64 hex digits>
    电话礼仪/2026-01.yaml  电话礼仪  2026-01  2026-01-15  sha256:<64 hex digits>

A blank line, or one starting with ``#``, is a comment. Every other line has
five fields split by whitespace (written as two spaces): the path relative to
the policies folder (``<folder>/<file>.yaml`` or ``.yml``), the policy id, the
version label, the publication day ``YYYY-MM-DD`` and ``sha256:`` with the
lowercase hex digest. Inside a field ``%``, ``#``, whitespace (U+3000 too) and
invisible characters are written ``%XX`` per UTF-8 byte, so the split is
unambiguous and Chinese stays readable. Lines are sorted by path and never
padded: the same entries give the same bytes; a new version adds one line.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from ..codes import ErrorCode
from ..core._display import unclean
from ..errors import InvalidPolicy, Location, LockError, PolicyError
from ..read._source import read_policy_file
from ._layout import LOCK_NAME, POLICY_SUFFIXES, read_layout

__all__ = ["HEADER", "LOCK_NAME", "LockEntry", "lock", "read_lock", "scan", "verify", "write_lock"]

HEADER = """\
# policies.lock: the published versions of the policies (lock format 1).
# Written by `policyengine lock`, checked by `policyengine verify`; do not edit it by hand.
# A version listed here is published: its file must never be edited, renamed or deleted.
# To change a policy, add a new version file and lock it.
# Each line: path  policy  version  published-on  sha256:<SHA-256 of the file's bytes>
# (a space, '#', '%' or invisible character inside a field is written %XX, per UTF-8 byte)
"""

_SHA = re.compile(r"[0-9a-f]{64}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_BY_HAND = "restore the line from version control: the lock is written by `policyengine lock`"
_Where = str | os.PathLike[str]


def _text_ok(value: object) -> bool:
    """Non-empty clean text (``core/_display.unclean``: a lone surrogate cannot be written)."""
    return isinstance(value, str) and value != "" and unclean(value) is None


def _path_problem(path: str) -> str | None:
    """Why ``path`` cannot name a version file in the lock, or None if it can."""
    parts = path.split("/")
    if not _text_ok(path) or len(parts) != 2 or any(not p or p.startswith(".") for p in parts):
        return f"'{path}' is not '<policy folder>/<version file>' in the policies folder"
    return None if path.endswith(POLICY_SUFFIXES) else f"'{path}' does not end in .yaml or .yml"


@attrs.frozen
class LockEntry:
    """One published version; ``line``, where it was read, takes no part in equality."""

    path: str
    policy: str
    version: str
    sha256: str
    published: datetime.date
    line: int | None = attrs.field(default=None, eq=False)


_RESTORE = "restore the file from version control and put the change in a new version file"
#: A code, or (code, variant) for a second wording of one code.
_Key = ErrorCode | tuple[ErrorCode, str]
# key -> (message, hint), both formatted with the details.
# fmt: off
_TEXT: dict[_Key, tuple[str, str]] = {
    "lock-syntax": ("{reason}", _BY_HAND),
    "lock-duplicate": ("{what} is listed twice; the first entry is on line {first}",
                       "a version is published once: keep the first entry"),
    "unreadable-file": ("'{path}' cannot be read: {reason}", "check the path of the lock file"),
    "lock-unwritable": ("'{path}' cannot be written: {reason}",
                        "check that its folder exists and that you may write there"),
    "locked-file-missing": ("{path} ({policy} {version}) was published on {published} and is "
                            "listed in {lock}, but the file is gone; a published version stays, "
                            "so that past months can be recomputed with it",
                            "restore it from version control; to replace it, add a new version"),
    "locked-file-changed": ("{path} ({policy} {version}) was published on {published} and must "
                            "not change, but its sha256 is now {sha256:.12}… instead of "
                            "{locked_sha256:.12}…; publish the correction as a new version file",
                            _RESTORE),
    "version-already-published": ("{path} claims {policy} version {version}, which was "
                                  "published on {published} as {published_as}; a version is "
                                  "published once", "give this file a version label of its "
                                  "own, such as the month it takes effect"),
    ("version-already-published", "keys"): ("{path} was published on {published} as {was} "
                                            "but now claims {policy} version {version}; a "
                                            "published file keeps its policy and version",
                                            _RESTORE),
    "duplicate-version": ("{path} and {other} both claim {policy} version {version}; only "
                          "one file can publish it", "give each version file its own label"),
    "unidentified-version": ("{path} does not name its policy and version as text, so the lock "
                             "cannot tell which version it is", "write `policy: <id>` and "
                             "`version: \"<label>\"` in the file, the label in quotes"),
}
# fmt: on


def _problem(key: _Key, where: Location, **details: Any) -> PolicyError:
    message, hint = _TEXT[key]
    code = key if isinstance(key, str) else key[0]
    return LockError(message.format(**details), code=code, location=where,
                     hint=hint.format(**details), details=details)  # fmt: skip


def _encode(text: str) -> str:
    return "".join(
        "".join(f"%{b:02X}" for b in c.encode()) if c in "%# " or not c.isprintable() else c
        for c in text
    )


def _decode(token: str) -> str | None:
    """The text a field spells, or None if a ``%`` does not start UTF-8 ``%XX`` escapes."""
    parts, end = [], 0
    for match in _ESCAPES.finditer(token):
        try:
            escaped = bytes.fromhex(match[0].replace("%", "")).decode("utf-8")
        except UnicodeDecodeError:
            return None
        parts += [token[end : match.start()], escaped]
        end = match.end()
    parts.append(token[end:])
    return None if any("%" in part for part in parts[::2]) else "".join(parts)


def _field_problem(index: int, token: str, value: str | None) -> str | None:
    if value is None or not _text_ok(value):  # the one rule of clean text, raw or as %XX
        return f"'{token}' is not %XX escapes of UTF-8 text, or holds an invisible character"
    if index == 0:
        return _path_problem(value)
    if index == 3:
        try:
            datetime.date.fromisoformat(value if _DATE.fullmatch(value) else "")
        except ValueError:
            return f"'{token}' is not a publication day of the calendar written YYYY-MM-DD"
    if index == 4 and not (value.startswith("sha256:") and _SHA.fullmatch(value[7:])):
        return f"'{token}' is not 'sha256:' followed by 64 lowercase hex digits"
    return None


def _parse(text: str, file: str) -> tuple[list[LockEntry], list[PolicyError]]:
    """The entries of a lock file's text, and every problem in it."""
    entries: list[LockEntry] = []
    problems: list[PolicyError] = []
    paths: dict[str, int] = {}
    versions: dict[tuple[str, str], int] = {}
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = list(re.finditer(r"\S+", line))
        if len(fields) != 5:
            reason = f"the line has {len(fields)} fields, but a published version has 5: "
            reason += "path, policy, version, publication day and sha256"
            problems.append(_problem("lock-syntax", Location(file, number, 1), reason=reason))
            continue
        values = [_decode(field[0]) for field in fields]
        found = [
            _problem("lock-syntax", Location(file, number, field.start() + 1), reason=why)
            for index, field in enumerate(fields)
            if (why := _field_problem(index, field[0], values[index]))
        ]
        problems += found
        path, policy, version, day, sha = (v or "" for v in values)
        first = paths.get(path) or versions.get((policy, version))
        if first and not found:
            what = path if path in paths else f"{policy} version {version}"
            where = Location(file, number, 1)
            problems.append(_problem("lock-duplicate", where, what=what, first=first))
        if found or first:
            continue
        paths[path], versions[policy, version] = number, number
        published = datetime.date.fromisoformat(day)
        entries.append(LockEntry(path, policy, version, sha[7:], published, number))
    return entries, problems


def _load(path: _Where) -> tuple[list[LockEntry], list[PolicyError]]:
    file = str(path)
    try:
        raw = Path(path).read_bytes()
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except FileNotFoundError:
        return [], []
    except OSError as error:
        reason = error.strerror or str(error)
        return [], [_problem("unreadable-file", Location(file), path=file, reason=reason)]
    except UnicodeDecodeError as error:
        where = Location(file, raw[: error.start].count(b"\n") + 1)
        return [], [_problem("lock-syntax", where, reason="the lock file is not UTF-8 text")]
    return _parse(text.replace("\r\n", "\n"), file)


def read_lock(path: _Where) -> tuple[LockEntry, ...]:
    """The published versions in a lock file; none when there is no lock file yet.

    Raises :class:`InvalidPolicy` holding every problem of the file.
    """
    entries, problems = _load(path)
    if problems:
        raise InvalidPolicy(problems, file=str(path))
    return tuple(entries)


def write_lock(path: _Where, entries: Iterable[LockEntry]) -> None:
    """Write the header and one line per entry, sorted by path, atomically (temp + replace).

    Raises :class:`InvalidPolicy` (``lock-duplicate``) without writing anything
    if the entries list a path or a (policy, version) twice.
    """
    file, target = str(path), Path(path)
    lines = [
        "  ".join(_encode(f) for f in (e.path, e.policy, e.version, e.published.isoformat()))
        + f"  sha256:{e.sha256}\n"
        for e in sorted(entries, key=lambda e: e.path)
    ]
    text = HEADER + "".join(lines)
    problems = _parse(text, file)[1]  # what is written can always be read back
    if problems:
        raise InvalidPolicy(problems, file=file)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    try:
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
        with open(temporary, "xb") as stream:
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        reason = error.strerror or str(error)
        problem = _problem("lock-unwritable", Location(file), path=file, reason=reason)
        raise InvalidPolicy([problem], file=file) from None


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


def _identify(path: Path, rel: str) -> _Found:
    file = str(path)
    try:
        document = read_policy_file(path)
    except InvalidPolicy as error:
        try:
            with open(path, "rb") as stream:
                sha: str | None = hashlib.file_digest(stream, "sha256").hexdigest()
        except (OSError, ValueError):
            sha = None
        return _Found(rel, file, sha, Location(file), problems=error.problems)
    at = document.key_positions.get("/version")
    where = Location(file, at.line, at.column, "/version") if at else Location(file)
    policy, version = document.data.get("policy"), document.data.get("version")
    if _text_ok(policy) and _text_ok(version):
        return _Found(rel, file, document.sha256, where, policy, version)
    problem = _problem("unidentified-version", where, path=rel)
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
    policies_dir: _Where, lock_path: _Where
) -> tuple[list[LockEntry], list[_Found], list[PolicyError]]:
    entries, findings = _load(lock_path)
    found, stray = _scan(policies_dir)
    findings += stray  # a file that looks like a version but is not one cannot be locked
    by_path = {f.path: f for f in found}
    by_version = {(e.policy, e.version): e for e in entries}
    for e in entries:
        f = by_path.get(e.path)
        said = {"path": e.path, "policy": e.policy, "version": e.version, "published": e.published}
        if f is None:
            where = Location(str(lock_path), e.line)
            lock = Path(lock_path).name
            findings.append(_problem("locked-file-missing", where, lock=lock, **said))
        elif f.sha256 is None:
            findings += f.problems
        elif f.sha256 != e.sha256:
            findings.append(_problem("locked-file-changed", Location(f.file), **said,
                                     locked_sha256=e.sha256, sha256=f.sha256))  # fmt: skip
        if f and f.policy and (f.policy, f.version) != (e.policy, e.version):
            said |= {"was": f"{e.policy} {e.version}", "policy": f.policy, "version": f.version}
            findings.append(_problem(("version-already-published", "keys"), f.where, **said))
    locked_paths = {e.path for e in entries}
    for f in found:
        if f.path in locked_paths:
            continue
        findings += f.problems
        if (claimed := by_version.get((f.policy or "", f.version or ""))) is not None:
            findings.append(_problem("version-already-published", f.where, path=f.path,
                policy=f.policy, version=f.version, published=claimed.published,
                published_as=claimed.path))  # fmt: skip
    findings.sort(key=lambda p: (p.location.sort_key(), p.code))
    return entries, found, findings


def verify(policies_dir: _Where, lock_path: _Where) -> list[PolicyError]:
    """Every finding about the published versions, sorted by place; empty when all is well."""
    return _check(policies_dir, lock_path)[2]


def lock(
    policies_dir: _Where, lock_path: _Where, published: datetime.date
) -> tuple[LockEntry, ...]:
    """Publish every version file not yet locked, on ``published``; return the added entries.

    Refuses with :class:`InvalidPolicy` while :func:`verify` has findings, or when
    two new files claim one version. Existing entries are never rewritten.
    """
    entries, found, findings = _check(policies_dir, lock_path)
    locked = {e.path for e in entries}
    new: dict[tuple[str, str], LockEntry] = {}
    for f in found:
        if f.path in locked or not (f.policy and f.version and f.sha256):
            continue
        entry = LockEntry(f.path, f.policy, f.version, f.sha256, published)
        first = new.setdefault((f.policy, f.version), entry)
        if first is not entry:
            findings.append(_problem("duplicate-version", f.where, path=f.path,
                other=first.path, policy=f.policy, version=f.version))  # fmt: skip
    latest = max((e.published for e in entries), default=None)
    if new and latest is not None and published < latest:
        # as_known_at trusts publication dates: a version locked today but dated
        # before an earlier publication would rewrite what was known back then.
        findings.append(
            LockError(
                f"cannot publish on {published}: versions were already published on {latest}",
                code="backdated-publication",
                location=Location(file=str(lock_path)),
                hint=f"publish on {latest} or later",
            )
        )
    if findings:
        raise InvalidPolicy(findings, file=str(lock_path))
    if not new:
        return ()
    write_lock(lock_path, [*entries, *new.values()])
    added = {e.path for e in new.values()}
    return tuple(e for e in read_lock(lock_path) if e.path in added)
