"""Impact of a change: the same facts under two sets of versions, record by record.

Compare two versions of one policy (``--from 2025-07 --to 2026-01``) or two
states of knowledge (``--from-known 2025-09-01 --to-known 2025-11-01``). A
version may be applied to a month it does not cover: "what would March have
paid under the April rates?" is the question a diff answers.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from ..core._display import plain, short_text
from ..core._numbers import difference, is_number, total
from ..core._period import Period
from ..present._cells import csv_text
from ..run._bundle import BundleResult, evaluate_bundle
from ..run._repository import Bundle, Repository
from ..run._runner import PastValues

__all__ = ["Change", "Diff", "Totals", "compare", "diff"]


@attrs.frozen
class Change:
    """One output of one record that differs between the two sides."""

    kind: str
    key: int | str
    policy: str
    output: str
    old: Any
    new: Any

    @property
    def delta(self) -> Decimal | None:
        if is_number(self.old) and is_number(self.new):
            return difference(self.new, self.old)
        return None


@attrs.frozen
class Totals:
    """Per output: how many records gain, lose, change otherwise or stay, and the sum of deltas."""

    policy: str
    output: str
    gain: int = 0
    lose: int = 0
    changed: int = 0
    unchanged: int = 0
    delta_sum: Decimal = Decimal(0)


@attrs.frozen
class Diff:
    changes: tuple[Change, ...]
    totals: tuple[Totals, ...]
    old: BundleResult
    new: BundleResult

    def to_dict(self) -> dict[str, Any]:
        return {
            "changes": [
                {
                    **attrs.asdict(c),
                    "old": plain(c.old),
                    "new": plain(c.new),
                    "delta": plain(c.delta),
                }
                for c in self.changes
            ],
            "totals": [{**attrs.asdict(t), "delta_sum": plain(t.delta_sum)} for t in self.totals],
            "old": self.old.provenance.to_dict(),
            "new": self.new.provenance.to_dict(),
        }

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["kind", "key", "policy", "output", "old", "new", "delta"])
        for c in self.changes:
            names = [csv_text(str(part)) for part in (c.kind, c.key, c.policy, c.output)]
            writer.writerow([*names, _cell(c.old), _cell(c.new), _cell(c.delta)])
        return out.getvalue()


def _text(value: Any) -> str:
    return short_text(value, "")


def _cell(value: Any) -> str:
    """A value as a CSV cell: a number as it is shown, text never readable as a formula."""
    shown = _text(value)
    return shown if is_number(value) else csv_text(shown)


Slot = tuple[str, str, str, str]  # kind, record key as text, policy, output


def _outputs(result: BundleResult) -> tuple[dict[Slot, Any], dict[Slot, int | str]]:
    """Every output value by slot, and each slot's record key as given."""
    found: dict[Slot, Any] = {}
    keys: dict[Slot, int | str] = {}
    for row in result.rows():
        for name, value in row.outputs.items():
            slot = (row.kind, row.key, row.policy, name)
            found[slot] = value
            keys[slot] = row.key
    return found, keys


def compare(old: BundleResult, new: BundleResult) -> Diff:
    """Every output that differs, and totals per output (over records present on both sides)."""
    (before, old_keys), (after, new_keys) = _outputs(old), _outputs(new)
    keys = {**old_keys, **new_keys}
    changes: list[Change] = []
    totals: dict[tuple[str, str], dict[str, Any]] = {}
    for slot in sorted(set(before) | set(after)):
        kind, _, policy, output = slot
        a, b = before.get(slot), after.get(slot)
        count = totals.setdefault(
            (policy, output),
            {"gain": 0, "lose": 0, "changed": 0, "unchanged": 0, "delta_sum": Decimal(0)},
        )
        change = Change(kind, keys[slot], policy, output, a, b)
        delta = change.delta
        if delta is not None:
            count["delta_sum"] = total((count["delta_sum"], delta))
            bucket = "gain" if delta > 0 else "lose" if delta < 0 else "unchanged"
        else:
            bucket = "unchanged" if _same(a, b) else "changed"
        count[bucket] += 1
        if bucket != "unchanged":
            changes.append(change)
    rows = tuple(
        Totals(policy, output, **count) for (policy, output), count in sorted(totals.items())
    )
    return Diff(tuple(changes), rows, old, new)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def diff(
    repository: Repository,
    period: Period | str,
    facts: Mapping[str, Iterable[Mapping[str, Any]]],
    *,
    policy: str | None = None,
    from_version: str | None = None,
    to_version: str | None = None,
    from_known: datetime.date | str | None = None,
    to_known: datetime.date | str | None = None,
    history: PastValues | None = None,
) -> Diff:
    """Compare two versions of ``policy``, or the bundles known at two dates, over ``facts``."""
    month = Period.parse(period)
    materialised = {k: list(v) for k, v in facts.items()}
    if policy is not None:
        if from_version is None or to_version is None:
            raise ValueError("comparing versions needs both from_version and to_version")
        base = repository.for_period(month)
        sides = [
            Bundle(
                month,
                None,
                (*(v for v in base.versions if v.id != policy), repository.version(policy, label)),
                repository.entities,
            )
            for label in (from_version, to_version)
        ]
    else:
        sides = [repository.for_period(month, as_known_at=day) for day in (from_known, to_known)]
    old, new = (evaluate_bundle(side, materialised, history=history) for side in sides)
    return compare(old, new)
