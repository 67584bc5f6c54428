"""Every version of every policy, and which ones are in force for a month.

Layout: ``policies/<policy-id>/<version>.yaml``, with ``policies.lock`` in
the same folder recording each published version's SHA-256 and publication
date.

The rules the versions must follow together are in
:mod:`policyengine.load._repository_checks`, and the order in which a policy's
versions are in force in :mod:`policyengine.load._policy_versions`; both run at
load, and every problem is reported at once.

Resolution is bitemporal: ``for_period(P)`` uses every version on disk;
``for_period(P, as_known_at=T)`` uses only versions published (locked) on or
before T — what the centre believed when it paid.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import attrs

from ..core._period import Period, iso_day
from ..core._suggest import did_you_mean
from ..errors import InvalidPolicy, Location, PolicyError, UsageError
from ..facts._entities_file import load_entities
from ..facts._io import FactsFile, Splitter, read_bundle_facts
from ..facts._record_kinds import Entities
from ..load._build import build_policy
from ..load._layout import ENTITIES_NAME, LOCK_NAME, read_layout
from ..load._lock import read_lock
from ..load._policy_versions import HistoryEntry, Version, timeline
from ..load._repository_checks import check_file, check_versions
from ..model import Field
from ..read._source import read_policy_file
from ._bundle import BundleResult, evaluate_bundle, plan_of
from ._runner import PastValues

# A version and a line of its history are read from here too, with the repository
# that holds them.
__all__ = ["Bundle", "HistoryEntry", "Repository", "Version", "load"]


@attrs.frozen
class Repository:
    """All policy versions under one folder; load it with :func:`load`."""

    root: str
    versions: tuple[Version, ...]
    entities: Entities | None = None

    def facts_files(
        self, path: str | os.PathLike[str], split: Splitter | None = None
    ) -> dict[str, FactsFile]:
        """A month's facts files by kind (a folder of ``<kind>.csv|.json|.jsonl|.xlsx``, or
        one JSON file by kind). Headers may name any field the record kinds declare (or,
        without entities.yaml, any input of the policies), by name or by title. ``split``:
        another way to read a file's bytes (``facts._io.read_facts``)."""
        fields: dict[str, dict[str, Field]] = {}
        for version in self.versions:
            fields.setdefault(version.policy.record_kind, {}).update(version.policy.inputs)
        if self.entities is not None:
            for name, kind in self.entities.kinds.items():
                fields.setdefault(name, {}).update(kind.fields)
        return read_bundle_facts(path, fields, split)

    def read_facts(self, path: str | os.PathLike[str]) -> dict[str, list[Any]]:
        """A month's records by kind, read as :meth:`facts_files` does."""
        return {kind: list(f.records) for kind, f in self.facts_files(path).items()}

    def evaluate_months(
        self,
        facts: Mapping[str, Mapping[str, Iterable[Mapping[str, Any]]]],
        *,
        as_known_at: datetime.date | str | None = None,
        history: PastValues | None = None,
    ) -> list[BundleResult]:
        """Evaluate several months in order (``{"2026-01": facts, …}``), each month's
        values becoming history for the ones after it."""
        carried: dict[str, Any] = dict(history or {})
        results = []
        for period in sorted(facts, key=lambda p: Period.parse(p)):
            result = self.for_period(period, as_known_at=as_known_at).evaluate(
                facts[period], history=carried
            )
            carried[Period.parse(period).key] = result.snapshot()
            results.append(result)
        return results

    @property
    def policy_ids(self) -> tuple[str, ...]:
        return tuple(sorted({v.id for v in self.versions}))

    def _of(self, policy_id: str) -> list[Version]:
        found = [v for v in self.versions if v.id == policy_id]
        if not found:
            raise UsageError.from_template(
                "unknown-policy",
                hint=did_you_mean(policy_id, self.policy_ids),
                details={"policy": policy_id, "root": str(self.root)},
            )
        return found

    def version(self, policy_id: str, version: str) -> Version:
        """One version by policy id and version label."""
        for item in self._of(policy_id):
            if item.version == version:
                return item
        raise UsageError.from_template(
            "unknown-version",
            hint=did_you_mean(version, [v.version for v in self._of(policy_id)]),
            details={"policy": policy_id, "version": version},
        )

    def history(self, policy_id: str) -> tuple[HistoryEntry, ...]:
        """Every version of a policy with its dates, publication and hash, oldest first."""
        versions = self._of(policy_id)
        ends = {id(v): end for v, end in timeline(versions)}
        corrected_by = {v.corrects: v.version for v in versions if v.corrects}
        entries = [
            HistoryEntry(
                version=v.version,
                effective_from=v.policy.effective_from,
                effective_to=ends.get(id(v), v.policy.effective_to),
                published=v.published,
                sha256=v.sha256,
                path=v.path,
                corrects=v.corrects,
                corrected_by=corrected_by.get(v.version),
            )
            for v in versions
        ]
        return tuple(
            sorted(
                entries,
                key=lambda e: (e.effective_from, e.published or datetime.date.max, e.version),
            )
        )

    def for_period(
        self, period: Period | str, *, as_known_at: datetime.date | str | None = None
    ) -> Bundle:
        """The versions in force on the first day of ``period``, as known at a date if given."""
        month = Period.parse(period)
        known = _day(as_known_at) if as_known_at is not None else None
        chosen: list[Version] = []
        for policy_id in self.policy_ids:
            visible = [v for v in self._of(policy_id) if v.known_at(known)]
            for item, end in timeline(visible):
                if item.policy.effective_from <= month.start and (end is None or month.start < end):
                    chosen.append(item)
        return Bundle(month, known, tuple(chosen), self.entities)


def bundle_in_force(
    repository: Repository, period: Period | str, as_known_at: datetime.date | str | None
) -> Bundle:
    """The bundle in force for ``period``, refused (``not-in-force``) when no version is:
    a month run before every version (a mistyped year: 2016-03 for 2026-03) would give
    every record a row and no pay, and exit well."""
    bundle = repository.for_period(period, as_known_at=as_known_at)
    if bundle.versions:
        return bundle
    details = {"month": str(bundle.period)}
    starts = [version.policy.effective_from for version in repository.versions]
    if starts:
        details["start"] = min(starts).isoformat()
    form = "month" if starts else "month-empty"
    if starts and bundle.as_known_at is not None:
        # Versions in force that month exist, but none was published by that day.
        known = [v.published for v in repository.versions if v.published is not None]
        details = {"month": str(bundle.period), "known": bundle.as_known_at.isoformat()}
        form = "known" if known else "known-none"
        if known:
            details["first"] = min(known).isoformat()
    raise UsageError.from_template("not-in-force", form=form, details=details)


def _day(value: datetime.date | str) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return iso_day(value)
    except ValueError:
        raise UsageError.from_template(
            "invalid-date", form="as-known-at", details={"value": value}
        ) from None


@attrs.frozen
class Bundle:
    """The policy versions that apply to one month (as known at a date)."""

    period: Period
    as_known_at: datetime.date | None
    versions: tuple[Version, ...]
    #: The record kinds, when the folder has an entities.yaml.
    entities: Entities | None = None

    @property
    def sha256(self) -> str:
        """A hash naming exactly this set of version files (and entities.yaml)."""
        ids = sorted([v.id, v.version, v.sha256] for v in self.versions)
        if self.entities is not None:
            ids.append(["entities.yaml", "", self.entities.sha256])
        return hashlib.sha256(json.dumps(ids, ensure_ascii=False).encode()).hexdigest()

    def evaluate(
        self,
        facts: Mapping[str, Iterable[Mapping[str, Any]]],
        *,
        history: PastValues | None = None,
    ) -> BundleResult:
        """Evaluate every version over the month's facts ``{kind: [records]}``.

        ``history`` holds earlier months' values (``BundleResult.snapshot()`` by
        period) for history rules; :meth:`Repository.evaluate_months` passes it
        along by itself.
        """
        return evaluate_bundle(self, facts, history=history)


def policy_folder(path: str | os.PathLike[str]) -> Path:
    """``path``, refused (``not-a-repository``) unless it is a folder: before its lock,
    or anything in it, is looked for."""
    root = Path(path)
    if not root.is_dir():
        where = Location(file=str(root))
        problem = UsageError.from_template(
            "not-a-repository", location=where, details={"root": str(root)}
        )
        raise InvalidPolicy([problem], file=str(root))
    return root


def load(path: str | os.PathLike[str], *, lock: str | os.PathLike[str] | None = None) -> Repository:
    """Read and check every version under ``path``; raises InvalidPolicy holding every problem."""
    root = policy_folder(path)
    problems: list[PolicyError] = []
    try:
        entries = read_lock(lock if lock is not None else root / LOCK_NAME)
    except InvalidPolicy as exc:
        problems.extend(exc.problems)
        entries = ()
    published = {entry.path: entry.published for entry in entries}
    entities = None
    if (root / ENTITIES_NAME).is_file():
        try:
            entities = load_entities(root / ENTITIES_NAME)
        except InvalidPolicy as exc:
            problems.extend(exc.problems)
    layout = read_layout(root)
    problems.extend(layout.problems())
    versions: list[Version] = []
    named = frozenset(str(PurePosixPath(relative).with_suffix("")) for relative in layout.versions)
    for relative in layout.versions:
        try:
            document = read_policy_file(layout.path(relative))
            # The file's name and dates first: often the root of what building finds.
            problems.extend(check_file(document, relative, named))
            policy = build_policy(document, entities)
        except InvalidPolicy as exc:
            problems.extend(exc.problems)
            continue
        versions.append(Version(policy, relative, published.get(relative)))
    problems.extend(check_versions(versions))
    repository = Repository(str(root), tuple(versions), entities)
    if not problems:
        problems.extend(_check_plans(repository))
    if problems:
        raise InvalidPolicy(problems, file=str(root))
    return repository


def _check_plans(repository: Repository) -> list[PolicyError]:
    """Plan the bundle of every month where the set of versions in force changes.

    Names a policy reads from other policies, rule-id clashes and cycles
    across policies are found here, at load time, for every such month.
    """
    starts = sorted(
        {v.policy.effective_from for v in repository.versions}
        | {v.policy.effective_to for v in repository.versions if v.policy.effective_to is not None}
    )
    # Every state of knowledge too: a bundle may exist only as known at a date.
    known: list[datetime.date | None] = [
        None,
        *sorted({v.published for v in repository.versions if v.published is not None}),
    ]
    problems: dict[str, PolicyError] = {}
    planned: set[tuple[str, ...]] = set()
    for day in starts:
        for as_known_at in known:
            bundle = repository.for_period(Period(day.year, day.month), as_known_at=as_known_at)
            identity = tuple(sorted(v.path for v in bundle.versions))
            if not bundle.versions or identity in planned:
                continue
            planned.add(identity)
            try:
                plan_of(bundle)
            except InvalidPolicy as exc:
                for problem in exc.problems:
                    problems.setdefault(problem.render(), problem)
    return list(problems.values())
