"""What a month's result holds, as the report reads it: outputs, records and their errors.

The report is generic over the policies in force, so before any table is
built it asks the result what there is: which outputs each kind's policies
give (:func:`outputs`, each one a :class:`Column` of a table), which kind the
pay sheet lists (:func:`pay_kind`) and every record of a kind, evaluated,
failed or refused by the check, with the errors naming it and the records
above it (:class:`RecordIndex`). :mod:`policyengine.report` builds the tables
from these, and :mod:`policyengine.summary` counts them.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs

from ..errors import PolicyError
from ..facts._record_kinds import Entities
from ..model import Rule
from ..run._bundle import BundleResult
from ..run._frames import pay_kind as pay_kind  # the month's main kind, decided once
from ._report_numbers import NumberStyle, number_style


@attrs.frozen
class Column:
    """One column: a machine name (a field, or ``policy.output``) and a title for people."""

    name: str
    title: str
    policy: str | None = None
    output: str | None = None
    #: How its numbers are shown, when it is an output whose values are all numbers.
    style: NumberStyle | None = None


@attrs.frozen
class Output:
    """One output of one rule of one policy, for records of one kind."""

    kind: str
    policy: str
    rule: str
    part: str | None  # the name of a named output, else None
    title: str | None
    #: The rule itself (its kind and ``round:`` decide how its numbers are shown).
    definition: Rule | None = attrs.field(default=None, eq=False, repr=False)
    #: The named output's own title (``output_titles:``), if the rule gives it one.
    part_title: str | None = None

    @property
    def name(self) -> str:
        """The output as results name it: ``rule`` or ``rule.part``."""
        return f"{self.rule}.{self.part}" if self.part else self.rule

    @property
    def titled(self) -> bool:
        """Whether the output has a title for people (its own, or its rule's)."""
        return bool(self.part_title or self.title)

    @property
    def column(self) -> Column:
        label = self.part_title or self.title or f"{self.policy}.{self.name}"
        if self.title and self.part and not self.part_title:
            label = f"{self.title}.{self.part}"  # no title of its own: the rule's, and its name
        return Column(f"{self.policy}.{self.name}", label, self.policy, self.name)

    def value(self, env: Mapping[str, Any]) -> Any:
        found = env.get(self.rule)
        if self.part is None:
            return found
        if type(found) is MappingProxyType or isinstance(found, Mapping):
            return found.get(self.part)
        return None

    def style(self, values: Iterable[Any]) -> NumberStyle | None:
        """How this output's ``values`` (a whole column) are shown, if they are numbers."""
        if self.definition is None:
            return None
        return number_style(self.definition, self.part or self.rule, values)


def outputs(result: BundleResult, kind: str) -> list[Output]:
    """Every output of every policy applying to ``kind``: policies by id, rules in plan order."""
    found: list[Output] = []
    for policy, rule in result.rules(kind):
        parts: Sequence[str | None] = rule.outputs or (None,)
        found.extend(
            Output(
                kind, policy.id, rule.id, part, rule.title, rule, part and rule.output_title(part)
            )
            for part in parts
        )
    return sorted(found, key=lambda o: o.policy)  # stable: plan order within a policy


def entities_of(result: BundleResult) -> Entities:
    return result.entities


def record_keys(result: BundleResult) -> dict[str, str]:
    """Each kind's key field."""
    return {name: kind.key for name, kind in entities_of(result).kinds.items()}


class RecordIndex:
    """Every record of every kind the facts held: evaluated, failed, or refused by the check,
    with the errors naming each and the ancestors of each."""

    def __init__(self, result: BundleResult) -> None:
        self.result = result
        self.entities = entities_of(result)
        self._failed: dict[str, dict[str, PolicyError]] = {}
        self._keys: dict[str, list[str]] = {}
        self._other_labels: dict[str, set[str]] = {}
        refused = {kind: result.refused(kind) for kind in self.entities.kinds}
        #: The ancestors of each record the check refused, by kind and label.
        self.refused: dict[str, dict[str, Mapping[str, str]]] = {}
        self.errors: dict[tuple[str, str], list[PolicyError]] = {}
        for error in result.errors:
            kind, record = error.details.get("kind"), error.location.record
            if isinstance(kind, str) and record is not None:
                label = record_label(record)
                self.errors.setdefault((kind, label), []).append(error)
                # The run names a refused record by its key, or by its position as text.
                ancestors = refused.get(kind, {}).get(str(record))
                if ancestors is not None:
                    self.refused.setdefault(kind, {})[label] = ancestors
        #: By value: (kind, label) -> the values that failed because of another's failure.
        self.spoiled: dict[tuple[str, str], list[PolicyError]] = {}
        if result.by_value:
            for kind, key, _, error in result.failures():
                if "root" in error.details:
                    self.spoiled.setdefault((kind, key), []).append(error)

    def keys(self, kind: str) -> list[str]:
        """Every record label of ``kind`` (evaluated, failed or refused), sorted by label."""
        found = self._keys.get(kind)
        if found is None:  # asked for by every table and total: sorted once
            evaluated = self.result.keys(kind)  # sorted already
            others = self._others(kind, evaluated)
            found = sorted({*evaluated, *others}) if others else evaluated
            self._keys[kind] = found
        return found

    def _others(self, kind: str, evaluated: list[str]) -> set[str]:
        """The labels of ``kind``'s records that errors name but were not evaluated (found
        in the sorted keys: a set of a month's calls' keys would be hundreds of MiB)."""
        if kind not in self._other_labels:
            labels = {label for (k, label) in self.errors if k == kind}
            self._other_labels[kind] = {label for label in labels if not _among(evaluated, label)}
        return self._other_labels[kind]

    def count_below(self, lower: str, kind: str) -> Counter[str]:
        """How many records of ``lower`` (evaluated or refused) each record of ``kind``
        above them has: the evaluated ones counted by their parents, in one pass."""
        counts = self.result.count_by_ancestor(lower, kind)
        self.keys(lower)  # the labels not evaluated, found once
        for key in sorted(self._other_labels[lower]):
            above = self.ancestor(lower, key, kind)
            if above is not None:
                counts[above] += 1
        return counts

    def env(self, kind: str, key: str) -> Mapping[str, Any] | None:
        """The record's fields and outputs; None when the check refused it."""
        return self.result.values(kind, key)

    def evaluated(self, kind: str, key: str) -> bool:
        """Whether the record's values can be shown: by value, each value that did not fail
        is; by record (format 1), only a record with no failure shows any."""
        if self.result.values(kind, key) is None:
            return False
        if self.result.by_value:
            return True
        if kind not in self._failed:
            self._failed[kind] = self.result.failed_records(kind)
        return key not in self._failed[kind]

    def codes(self, kind: str, key: str) -> str | None:
        """The codes of the record's own errors and of the values it lacks, for its row."""
        found = self.errors.get((kind, key), []) + self.spoiled.get((kind, key), [])
        return ", ".join(sorted({e.code for e in found})) or None

    def ancestor(self, kind: str, key: str, wanted: str) -> str | None:
        if kind == wanted:
            return key
        if self.result.values(kind, key) is not None:
            return self.result.ancestor(kind, key, wanted)
        return self.refused.get(kind, {}).get(key, {}).get(wanted)

    def count(self, kind: str) -> int:
        return len(self.keys(kind))


def _among(ordered: list[str], key: str) -> bool:
    at = bisect.bisect_left(ordered, key)
    return at < len(ordered) and ordered[at] == key


def record_label(record: int | str) -> str:
    """A record's label as rows show it: its key, or ``#N`` (from 1) when it had none."""
    return f"#{record + 1}" if isinstance(record, int) else str(record)
