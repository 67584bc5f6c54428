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

import itertools
from pathlib import Path

from ..core._problems import Problems
from ..core._suggest import did_you_mean
from ..errors import Location, PolicyError
from ._policy_versions import Version, timeline


def check_versions(versions: list[Version]) -> list[PolicyError]:
    """Every problem of the folder's versions taken together (each file's own are found
    when it is built)."""
    problems = Problems()
    by_policy: dict[str, list[Version]] = {}
    for v in versions:
        _check_file(v, problems)
        by_policy.setdefault(v.id, []).append(v)
    for items in by_policy.values():
        seen = _duplicates(items, problems)
        _corrections(items, seen, problems)
        _sequence(items, problems)
    return problems.found


def _at(version: Version, pointer: str) -> Location:
    return Location(file=version.policy.file, pointer=pointer)


def _check_file(v: Version, problems: Problems) -> None:
    """A version file's place and dates: its folder, its name, first days of months."""
    path = Path(v.path)
    if v.id != path.parent.name:
        problems.add(
            "policy-folder-mismatch", _at(v, "/policy"), policy=v.id, folder=path.parent.name
        )
    if v.version != path.stem:
        problems.add(
            "version-file-mismatch",
            _at(v, "/version"),
            version=v.version,
            stem=path.stem,
            suffix=path.suffix,
        )
    for key, day in (
        ("effective_from", v.policy.effective_from),
        ("effective_to", v.policy.effective_to),
    ):
        if day is not None and day.day != 1:
            problems.add(
                "mid-month-date", _at(v, "/" + key), key=key, day=day, first=day.replace(day=1)
            )


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
        if a.policy.effective_from == start or (end is not None and end > start):
            problems.add(
                "overlapping-versions",
                at,
                file=b.path,
                start=start,
                other=a.path,
                version=b.version,
                other_version=a.version,
            )
        elif end is not None and end < start:
            problems.add(
                "gap-between-versions",
                at,
                end=end,
                other=a.path,
                start=start,
                version=b.version,
                other_version=a.version,
            )
