"""The ``policies.lock`` file: its two formats, read and written.

Format 1 (unsigned), UTF-8, as :func:`write_lock` writes it::

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

Format 2 (signed; the header's first line says ``lock format 2``) is a log:
lines in the order they were published, never re-sorted, each with two more
fields, ``chain:<64 hex>`` (the line chained to the one before it) and
``sig:<key id>:<128 hex>`` (the publisher's Ed25519 signature of that chain
value); :mod:`policyengine.load._lock_log` says how both are computed and
checked. A lock is read in the format its header names.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from ..codes import ErrorCode
from ..core._atomic import write_atomically
from ..core._display import unclean
from ..core._reading import read_limited
from ..errors import InvalidPolicy, Location, LockError, PolicyError
from ._layout import ENTITIES_NAME, POLICY_SUFFIXES

HEADER = """\
# policies.lock: the published versions of the policies (lock format 1).
# Written by `policyengine lock`, checked by `policyengine verify`; do not edit it by hand.
# A version listed here is published: its file must never be edited, renamed or deleted.
# To change a policy, add a new version file and lock it.
# Each line: path  policy  version  published-on  sha256:<SHA-256 of the file's bytes>
# (a space, '#', '%' or invisible character inside a field is written %XX, per UTF-8 byte)
"""
#: The header of a signed lock (format 2): a log, one line per publication, in order.
HEADER_2 = """\
# policies.lock: the published versions of the policies (lock format 2).
# Written by `policyengine lock --key`, checked by `policyengine verify`; do not edit it by hand.
# A version listed here is published: its file must never be edited, renamed or deleted.
# Lines are in the order of publication; a line is never removed, re-ordered or back-dated.
# Each line: path  policy  version  published-on  sha256:<SHA-256>  chain:<hash>  sig:<key>:<sig>
# (a space, '#', '%' or invisible character inside a field is written %XX, per UTF-8 byte)
"""
_FORMAT_2 = "(lock format 2)"

#: The most a lock file may hold: a line a publication, some 200 bytes, so a lock of
#: this size would list 300,000 versions. Read no further (a device is never read).
MAX_LOCK_BYTES = 64 * 2**20
_SHA = re.compile(r"[0-9a-f]{64}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_SIG = re.compile(r"sig:[0-9a-f]{16}:[0-9a-f]{128}")
_BY_HAND = "restore the line from version control: the lock is written by `policyengine lock`"
_Where = str | os.PathLike[str]


def text_ok(value: object) -> bool:
    """Non-empty clean text (``core/_display.unclean``: a lone surrogate cannot be written)."""
    return isinstance(value, str) and value != "" and unclean(value) is None


def _path_problem(path: str) -> str | None:
    """Why ``path`` cannot name a version file in the lock (the form of ``lock-syntax``
    that says it), or None if it can."""
    if path == ENTITIES_NAME:  # the record kinds, published like a version
        return None
    parts = path.split("/")
    if not text_ok(path) or len(parts) != 2 or any(not p or p.startswith(".") for p in parts):
        return "path"
    return None if path.endswith(POLICY_SUFFIXES) else "suffix"


@attrs.frozen
class LockEntry:
    """One published version; ``line``, where it was read, takes no part in equality."""

    path: str
    policy: str
    version: str
    sha256: str
    published: datetime.date
    line: int | None = attrs.field(default=None, eq=False)
    #: In a signed lock: the line's chain value, and who signed it with what.
    chain: str | None = attrs.field(default=None, eq=False)
    key_id: str | None = attrs.field(default=None, eq=False)
    signature: str | None = attrs.field(default=None, eq=False)


def lock_problem(
    code: ErrorCode, where: Location, *, form: str = "", **details: Any
) -> PolicyError:
    """The lock's problem ``code`` at ``where``, worded by its template (core/_messages.py)
    from ``details``; ``form`` names a second wording of one code."""
    return LockError.from_template(code, form=form, location=where, details=details)


def _syntax(where: Location, form: str, token: str, value: str | None) -> PolicyError:
    """A field of a line that is no such field: a path is named as it reads, any other
    field as it is written."""
    if form in ("path", "suffix"):
        return lock_problem("lock-syntax", where, form=form, path=value)
    return lock_problem("lock-syntax", where, form=form, token=token)


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
    """Why the line's field ``index`` (written ``token``, read as ``value``) is no such
    field: the form of ``lock-syntax`` that says it, or None."""
    if value is None or not text_ok(value):  # the one rule of clean text, raw or as %XX
        return "escapes"
    if index == 0:
        return _path_problem(value)
    if index == 3:
        try:
            datetime.date.fromisoformat(value if _DATE.fullmatch(value) else "")
        except ValueError:
            return "day"
    if index == 4 and not (value.startswith("sha256:") and _SHA.fullmatch(value[7:])):
        return "sha256"
    if index == 5 and not (value.startswith("chain:") and _SHA.fullmatch(value[6:])):
        return "chain"
    if index == 6 and not _SIG.fullmatch(value):
        return "sig"
    return None


def lock_format(text: str) -> int:
    """The format a lock file's text is written in, as its first line says (1 by default)."""
    return 2 if _FORMAT_2 in text.split("\n", 1)[0] else 1


def parse_lock(text: str, file: str) -> tuple[list[LockEntry], list[PolicyError]]:
    """The entries of a lock file's text, and every problem in it."""
    width = 7 if lock_format(text) == 2 else 5
    entries: list[LockEntry] = []
    problems: list[PolicyError] = []
    paths: dict[str, int] = {}
    versions: dict[tuple[str, str], int] = {}
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = list(re.finditer(r"\S+", line))
        if len(fields) != width:
            short = "fields-signed" if width == 7 else "fields"
            where = Location(file, number, 1)
            problems.append(lock_problem("lock-syntax", where, form=short, count=len(fields)))
            continue
        values = [_decode(field[0]) for field in fields]
        found = [
            _syntax(Location(file, number, field.start() + 1), why, field[0], values[index])
            for index, field in enumerate(fields)
            if (why := _field_problem(index, field[0], values[index]))
        ]
        problems += found
        path, policy, version, day, sha, *seal = (v or "" for v in values)
        # entities.yaml is listed once per published version of it.
        first = (None if path == ENTITIES_NAME else paths.get(path)) or versions.get(
            (policy, version)
        )
        if first and not found:
            what = path if path in paths else f"{policy} version {version}"
            where = Location(file, number, 1)
            problems.append(lock_problem("lock-duplicate", where, what=what, first=first))
        if found or first:
            continue
        paths[path], versions[policy, version] = number, number
        published = datetime.date.fromisoformat(day)
        entry = LockEntry(path, policy, version, sha[7:], published, number)
        if seal:
            _, key_id, signature = seal[1].split(":")
            entry = attrs.evolve(entry, chain=seal[0][6:], key_id=key_id, signature=signature)
        entries.append(entry)
    return entries, problems


def load_lock(path: _Where) -> tuple[list[LockEntry], list[PolicyError]]:
    """The entries of the lock file at ``path`` and every problem in it; none, and no
    problem, when there is no file."""
    file = str(path)
    try:
        raw = read_limited(path, MAX_LOCK_BYTES)
        if len(raw) > MAX_LOCK_BYTES:
            limit = MAX_LOCK_BYTES // 2**20
            return [], [lock_problem("lock-syntax", Location(file), form="too-large", limit=limit)]
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except FileNotFoundError:
        return [], []
    except OSError as error:
        reason = error.strerror or str(error)
        return [], [
            lock_problem("unreadable-file", Location(file), form="lock", path=file, reason=reason)
        ]
    except UnicodeDecodeError as error:
        where = Location(file, raw[: error.start].count(b"\n") + 1)
        return [], [lock_problem("lock-syntax", where, form="not-utf8")]
    return parse_lock(text.replace("\r\n", "\n"), file)


def read_lock(path: _Where) -> tuple[LockEntry, ...]:
    """The published versions in a lock file; none when there is no lock file yet.

    Raises :class:`InvalidPolicy` holding every problem of the file.
    """
    entries, problems = load_lock(path)
    if problems:
        raise InvalidPolicy(problems, file=str(path))
    return tuple(entries)


def _line(entry: LockEntry) -> str:
    fields = (entry.path, entry.policy, entry.version, entry.published.isoformat())
    line = "  ".join(_encode(f) for f in fields) + f"  sha256:{entry.sha256}"
    if entry.signature is not None:
        line += f"  chain:{entry.chain}  sig:{entry.key_id}:{entry.signature}"
    return line + "\n"


def write_lock(path: _Where, entries: Iterable[LockEntry]) -> None:
    """Write the header and one line per entry, atomically (temp + replace): format 1,
    sorted by path, or, when the entries are signed, format 2 in the order given.

    Raises :class:`InvalidPolicy` (``lock-duplicate``) without writing anything
    if the entries list a path or a (policy, version) twice.
    """
    file, target = str(path), Path(path)
    given = list(entries)
    signed = bool(given) and all(e.signature is not None for e in given)
    ordered = given if signed else sorted(given, key=lambda e: e.path)
    text = (HEADER_2 if signed else HEADER) + "".join(map(_line, ordered))
    problems = parse_lock(text, file)[1]  # what is written can always be read back
    if problems:
        raise InvalidPolicy(problems, file=file)
    try:
        write_atomically(target, text.encode("utf-8"))
    except OSError as error:
        reason = error.strerror or str(error)
        problem = lock_problem("lock-unwritable", Location(file), path=file, reason=reason)
        raise InvalidPolicy([problem], file=file) from None
