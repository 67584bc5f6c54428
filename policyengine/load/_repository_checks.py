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

from ..codes import ErrorCode
from ..core._suggest import did_you_mean
from ..errors import Location, ModelError, PolicyError
from ._policy_versions import Version, timeline


def check_versions(versions: list[Version]) -> list[PolicyError]:
    """Every problem of the folder's versions taken together (each file's own are found
    when it is built)."""
    problems: list[PolicyError] = []
    by_policy: dict[str, list[Version]] = {}
    for v in versions:
        problems.extend(_check_file(v))
        by_policy.setdefault(v.id, []).append(v)
    for items in by_policy.values():
        duplicates, seen = _duplicates(items)
        problems.extend(duplicates)
        problems.extend(_corrections(items, seen))
        problems.extend(_sequence(items))
    return problems


def _check_file(v: Version) -> list[PolicyError]:
    """A version file's place and dates: its folder, its name, first days of months."""
    problems: list[PolicyError] = []
    folder, stem = Path(v.path).parent.name, Path(v.path).stem
    if v.id != folder:
        problems.append(
            _problem(
                "policy-folder-mismatch",
                v,
                f"the file says policy '{v.id}' but lies in folder '{folder}'",
                "/policy",
                f"move it to {v.id}/ or correct 'policy:'",
            )
        )
    if v.version != stem:
        problems.append(
            _problem(
                "version-file-mismatch",
                v,
                f"the file says version '{v.version}' but is named {stem}",
                "/version",
                f"name the file {v.version}{Path(v.path).suffix}",
            )
        )
    for key, day in (
        ("effective_from", v.policy.effective_from),
        ("effective_to", v.policy.effective_to),
    ):
        if day is not None and day.day != 1:
            problems.append(
                _problem(
                    "mid-month-date",
                    v,
                    f"{key} {day} is not the first day of a month",
                    "/" + key,
                    "periods are months: a version takes effect on the 1st "
                    f"(use {day.replace(day=1)} or a later month's 1st)",
                )
            )
    return problems


def _duplicates(items: list[Version]) -> tuple[list[PolicyError], dict[str, Version]]:
    """One policy's versions given twice; and each version label's first file."""
    problems: list[PolicyError] = []
    seen: dict[str, Version] = {}
    for v in items:
        if v.version in seen:
            problems.append(
                _problem(
                    "duplicate-version",
                    v,
                    f"version '{v.version}' is also in {seen[v.version].path}",
                    "/version",
                )
            )
        seen.setdefault(v.version, v)
    return problems, seen


def _corrections(items: list[Version], seen: dict[str, Version]) -> list[PolicyError]:
    """Each correction names another version of its policy and starts on its day."""
    problems: list[PolicyError] = []
    for v in items:
        if v.corrects is None:
            continue
        target = seen.get(v.corrects)
        if target is None or target is v:
            problems.append(
                _problem(
                    "unknown-corrected-version",
                    v,
                    f"corrects '{v.corrects}', which is no other version",
                    "/corrects",
                    did_you_mean(v.corrects, seen),
                )
            )
        elif target.policy.effective_from != v.policy.effective_from:
            problems.append(
                _problem(
                    "correction-dates-differ",
                    v,
                    f"corrects {target.path}, which starts {target.policy.effective_from}, "
                    f"but starts {v.policy.effective_from}",
                    "/effective_from",
                    "a correction replaces a version for its whole time: start on the same day, "
                    "or publish a new version without 'corrects'",
                )
            )
    return problems


def _sequence(items: list[Version]) -> list[PolicyError]:
    """One policy's versions one after another: no two in force at once, no month without."""
    problems: list[PolicyError] = []
    for (a, _), (b, _) in itertools.pairwise(timeline(items)):
        start, end = b.policy.effective_from, a.policy.effective_to
        if a.policy.effective_from == start or (end is not None and end > start):
            problems.append(
                _problem(
                    "overlapping-versions",
                    b,
                    f"{b.path} starts {start} while {a.path} is still in force",
                    "/effective_from",
                    f"if {b.version} corrects {a.version}, say 'corrects: \"{a.version}\"'",
                )
            )
        elif end is not None and end < start:
            problems.append(
                _problem(
                    "gap-between-versions",
                    b,
                    f"nothing is in force from {end} (end of {a.path}) until {start}",
                    "/effective_from",
                    f"start {b.version} on {end}, or end {a.version} later",
                )
            )
    return problems


def _problem(
    code: ErrorCode, version: Version, message: str, pointer: str, hint: str | None = None
) -> PolicyError:
    return ModelError(
        message, code=code, hint=hint, location=Location(file=version.policy.file, pointer=pointer)
    )
