"""The checks a policy folder's versions must pass together, at load.

Each version file is checked on its own by :mod:`policyengine.load._build`; these
are the rules that take the folder, all checked and reported together:

- A version lies at ``<policy>/<version>.yaml``: the file says the policy of
  its folder and the version of its name.
- A version starts on the first day of a month (``effective_from``) and,
  when it says so, ends on the first day of a later month (``effective_to``,
  half-open). Periods are months resolved on their first day, so a
  mid-month date would silently take effect only from the next month: it is
  an error (``mid-month-date``) instead.
- A version without ``effective_to`` runs until the next version of the
  same policy starts. Two versions starting on the same day, an explicit end
  after the next start, or one before it, are errors naming both files.
- A correction is a new version that says ``corrects: <version>`` and starts
  on the same day as the version it corrects; once known, it replaces that
  version everywhere.

What the versions read of each other (names across policies, rule ids,
cycles) is checked by planning each month's bundle, in
:func:`policyengine.run._repository.load`.
"""

from __future__ import annotations

import datetime
import itertools
from pathlib import Path
from typing import Any

from ..core._problems import Problems
from ..core._suggest import did_you_mean
from ..errors import Location, PolicyError
from ..read._source import read_policy_bytes
from ..read._source_map import Document
from ._policy_versions import Version, timeline


def check_file(document: Document, path: str, named: frozenset[str]) -> list[PolicyError]:
    """A version file's place and dates, read before it is built: its folder, its name,
    first days of months. ``path`` is the file's place in the folder (posix, as
    ``named``, every version file's place without its suffix).

    These are checked on the read file, not the built policy, so that a file whose
    build fails still hears what is wrong with its name or dates — usually the root
    cause (a copied file whose 'version:' was not changed also fails every test of
    the version it was copied from)."""
    problems = Problems()
    data, place = document.data, Path(path)
    policy, version = data.get("policy"), data.get("version")
    if isinstance(policy, str) and policy != place.parent.name:
        problems.add(
            "policy-folder-mismatch",
            document.locate("/policy"),
            policy=policy,
            folder=place.parent.name,
        )
    if isinstance(version, str) and version != place.stem:
        at = document.locate("/version")
        if place.with_name(version).as_posix() in named:
            original = place.with_name(version + place.suffix).name
            problems.add(
                "version-file-mismatch",
                at,
                form="copy",
                version=version,
                stem=place.stem,
                original=original,
            )
        else:
            problems.add(
                "version-file-mismatch", at, version=version, stem=place.stem, suffix=place.suffix
            )
    for key in ("effective_from", "effective_to"):
        day = data.get(key)
        if isinstance(day, datetime.date) and day.day != 1:
            problems.add(
                "mid-month-date",
                document.locate("/" + key),
                key=key,
                day=day,
                first=day.replace(day=1),
            )
    return problems.found


def check_versions(versions: list[Version]) -> list[PolicyError]:
    """Every problem of the built versions taken together (each file's own are found by
    :func:`check_file` and when it is built)."""
    problems = Problems()
    by_policy: dict[str, list[Version]] = {}
    for v in versions:
        if v.version != Path(v.path).stem:
            # Said by check_file; its clash with the version it repeats (same label, same
            # start) follows from it and is not said again.
            continue
        by_policy.setdefault(v.id, []).append(v)
    for items in by_policy.values():
        seen = _duplicates(items, problems)
        _corrections(items, seen, problems)
        _sequence(items, problems)
    return problems.found


def _at(version: Version, pointer: str) -> Location:
    """Where ``pointer`` is in the version's file, line and column included: the file is
    read again for its source map, which happens only when there is a problem to say."""
    try:
        return read_policy_bytes(version.policy.raw, version.policy.file).locate(pointer)
    except PolicyError:  # the bytes it was built from read; the pointer is the fallback
        return Location(file=version.policy.file, pointer=pointer)


def _duplicates(items: list[Version], problems: Problems) -> dict[str, Version]:
    """One policy's versions given twice reported; each version label's first file."""
    seen: dict[str, Version] = {}
    for v in items:
        if v.version in seen:
            problems.add(
                "duplicate-version",
                _at(v, "/version"),
                version=v.version,
                other=seen[v.version].path,
            )
        seen.setdefault(v.version, v)
    return seen


def _corrections(items: list[Version], seen: dict[str, Version], problems: Problems) -> None:
    """Each correction names another version of its policy and starts on its day."""
    for v in items:
        if v.corrects is None:
            continue
        target = seen.get(v.corrects)
        if target is None or target is v:
            hint = did_you_mean(v.corrects, seen)
            problems.add(
                "unknown-corrected-version", _at(v, "/corrects"), hint=hint, corrects=v.corrects
            )
        elif target.policy.effective_from != v.policy.effective_from:
            problems.add(
                "correction-dates-differ",
                _at(v, "/effective_from"),
                other=target.path,
                other_start=target.policy.effective_from,
                start=v.policy.effective_from,
            )


def _sequence(items: list[Version], problems: Problems) -> None:
    """One policy's versions one after another: no two in force at once, no month without."""
    for (a, _), (b, _) in itertools.pairwise(timeline(items)):
        start, end = b.policy.effective_from, a.policy.effective_to
        at = _at(b, "/effective_from")
        # Both problems name the later version where it starts, and the one before it.
        pair: dict[str, Any] = {
            "start": start,
            "version": b.version,
            "other": a.path,
            "other_version": a.version,
        }
        if a.policy.effective_from == start or (end is not None and end > start):
            problems.add("overlapping-versions", at, file=b.path, **pair)
        elif end is not None and end < start:
            problems.add("gap-between-versions", at, end=end, **pair)
