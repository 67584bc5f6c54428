"""The state of a month's run: every record's values as the rules fill them in.

:mod:`policyengine.run._runner` fills a :class:`RunState` rule by rule; the
result (:class:`policyengine.run._bundle_result.BundleResult`), the trace and the
population rules' frame (:mod:`policyengine.run._population_frame`) read it. What
an expression over one record reads — its values, ``period``, its ancestors'
values — is decided here once (:func:`scope_of`), so the record loop and the
frame read a record the same way.
"""

from __future__ import annotations

from collections import ChainMap, Counter
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

import attrs

from ..core._period import Period
from ..errors import EvaluationError, PolicyError
from ..facts._record_kinds import Entities
from ..language._previous import last_month
from ..load._plan import BundlePlan

#: Earlier months' values: period key -> kind -> record key -> name -> value. (A policy's
#: versions over time are its history too, but those are ``HistoryEntry``s: these are
#: the values past months gave.)
PastValues = Mapping[str, Mapping[str, Mapping[str, Mapping[str, Any]]]]


#: The failure a value depends on, as results and reports name it.
Root = Mapping[str, Any]


#: The result document's format: 4 orders a rank's last tie-break by a whole-number key
#: as a number and counts a past value that is null as a month without one; 3, the same
#: with the key as text and the null as it is; 2 keeps negative zeros; 1 keeps failures
#: by record (2 and later: by value, every record keeps its row).
RESULT_FORMAT = 4
#: Every format :func:`policyengine.run._bundle.evaluate_bundle` can evaluate in: older
#: runs replay in the format they were recorded in.
RESULT_FORMATS = (1, 2, 3, 4)


@attrs.define
class RunState:
    """Every record's values as the rules fill them in, and every failure.

    Two ways of failing are kept apart (``by_value``):

    - by value (result format 2, the default): a value that fails fails
      exactly the values that read it, directly or through others, each
      naming the root cause; every other value of the record is still
      computed.
    - by record (result format 1, kept so that runs recorded before format 2
      replay byte for byte): a record's first failure is its only error and
      it takes no further part.

    From format 3 on, no value is a signed zero: ``-0.00`` (a quantized small
    negative, ``-x * 0``) is kept as ``0.00``, so no output shows it. Runs of
    formats 1 and 2 replay as they were recorded, signed zeros and all.
    """

    plan: BundlePlan
    period: Period
    envs: dict[str, dict[str, dict[str, Any]]]  # kind -> key -> fields and outputs
    parents: dict[str, dict[str, str]]  # kind -> key -> parent key
    refused: dict[str, list[tuple[str, dict[str, str]]]]  # kind -> (label, ancestors) of bad facts
    #: kind -> key -> rule id -> the error that left that value empty.
    failures: dict[str, dict[str, dict[str, PolicyError]]] = attrs.field(factory=dict)
    #: (kind, ancestor kind) -> ancestor key -> keys below it; built once, on first use.
    below: dict[tuple[str, str], dict[str, list[str]]] = attrs.field(factory=dict)
    #: The same records' values (their envs), in the same order.
    below_values: dict[tuple[str, str], dict[str, list[Any]]] = attrs.field(factory=dict)
    #: Population rules' details (record rules' are computed again on request).
    details: dict[tuple[str, str, str], Mapping[str, Any]] = attrs.field(factory=dict)
    history: PastValues = attrs.field(factory=dict)
    by_value: bool = True
    #: The result format evaluated in (see :data:`policyengine.run._bundle.RESULT_FORMAT`).
    result_format: int = RESULT_FORMAT
    #: (kind, label) -> the fact error that refused the record.
    fact_errors: dict[tuple[str, str], PolicyError] = attrs.field(factory=dict)
    #: (kind, label) -> a refused record as given (see TypedFacts.given).
    given: Mapping[tuple[str, str], Mapping[str, Any]] = attrs.field(factory=dict)

    @property
    def failed(self) -> dict[str, dict[str, PolicyError]]:
        """kind -> key -> the record's first failure (in plan order)."""
        order = {(n.kind, n.rule.id): i for i, n in enumerate(self.plan.nodes)}
        first: dict[str, dict[str, PolicyError]] = {}
        for kind, records in self.failures.items():
            for key, errors in records.items():
                if errors:
                    rule_id = min(errors, key=lambda r: order.get((kind, r), 0))
                    first.setdefault(kind, {})[key] = errors[rule_id]
        return first

    def sound(self, kind: str) -> list[str]:
        """Keys of the records of ``kind`` with no failed value, sorted."""
        bad = self.failures.get(kind, {})
        return [key for key in sorted(self.envs.get(kind, {})) if not bad.get(key)]

    def ancestor(self, kind: str, key: str, wanted: str) -> str | None:
        current: str | None = key
        for step in self.plan.entities.ancestors(kind):
            current = self.parents.get(kind, {}).get(current) if current is not None else None
            kind = step
            if step == wanted:
                return current
        return None

    def count_by_ancestor(self, kind: str, wanted: str) -> Counter[str]:
        """:meth:`ancestor` of every record of ``kind``, counted: by parent first, then
        rolled up a kind at a time (not one walk up per record)."""
        chain = self.plan.entities.ancestors(kind)
        if wanted not in chain:
            return Counter()
        counts = Counter(self.parents.get(kind, {}).values())
        for step in chain[: chain.index(wanted)]:
            parents, rolled = self.parents.get(step, {}), Counter[str]()
            for key, count in counts.items():
                parent = parents.get(key)
                if parent is not None:
                    rolled[parent] += count
            counts = rolled
        return counts

    def scope(self, kind: str, key: str) -> Mapping[str, Any]:
        """What an expression over one record reads (its values, period, ancestors)."""
        return scope_of(self, kind, key, {"period": self.period.as_mapping()})

    def with_past(
        self, kind: str, key: str, past: Mapping[str, tuple[str, Any]], scope: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        """``scope`` with the values ``previous(name)`` reads (``past``: key -> name and
        initial value): last month's, from the month's history, or the initial value for a
        record with no last month; without one, that is ``missing-history``."""
        if not past:
            return scope
        before = self.period.shift(-1)
        record = self.history.get(before.key, {}).get(kind, {}).get(key)
        values = last_month(
            past,
            record,
            lambda name: missing_previous(name, before),
            null_is_missing=self.result_format >= 4,
        )
        return ChainMap(values, scope)  # type: ignore[arg-type]  # read, never written

    def fail(self, kind: str, key: str, rule_id: str, error: PolicyError) -> None:
        self.failures.setdefault(kind, {}).setdefault(key, {}).setdefault(rule_id, error)

    def roots(self) -> list[PolicyError]:
        """Every root cause among the failed values, once each, in kind and key order."""
        found = []
        for kind in sorted(self.failures):
            for key in sorted(self.failures[kind]):
                for error in self.failures[kind][key].values():
                    if "root" not in error.details:
                        found.append(error)
        return found

    def root_of(self, kind: str, key: str, names: Iterable[str]) -> Root | None:
        """The root cause of the first of ``names`` that failed for this record, if any."""
        errors = self.failures.get(kind, {}).get(key)
        if not errors:
            return None
        for name in names:
            error = errors.get(name)
            if error is not None:
                return root(error)
        return None

    def member_root(self, kind: str, key: str) -> Root | None:
        """Why a member of a group failed: its refused fact, or its first failed value."""
        fact = self.fact_errors.get((kind, key))
        if fact is not None:
            return root(fact)
        errors = self.failures.get(kind, {}).get(key)
        if errors:
            return root(next(iter(errors.values())))
        return None


def past_reads(expressions: Iterable[Any]) -> Mapping[str, tuple[str, Any]]:
    """Every ``previous(name)`` the expressions read: the key each is read as -> (name,
    initial value)."""
    found: dict[str, tuple[str, Any]] = {}
    for expr in expressions:
        found.update(expr.past)
    return found


def missing_previous(name: str, before: Period | None) -> EvaluationError:
    """``previous(name)`` without an initial value, for a record with no value of last
    month (``before``; None: a record evaluated alone, given no last month)."""
    if before is None:
        return EvaluationError.from_template(
            "missing-history", form="previous-record", words={"of": name}
        )
    return EvaluationError.from_template(
        "missing-history",
        form="previous",
        details={"period": before.key},
        words={"of": name, "month": before},
    )


def root(error: PolicyError) -> Root:
    """The root cause an error stands for: itself, or the one it names."""
    given = error.details.get("root")
    if given is not None:
        return dict(given)
    return {
        "kind": error.details.get("kind"),
        "record": error.location.record,
        "policy": error.details.get("policy"),
        "rule": error.location.rule_id,
        "field": error.location.field,
        "code": error.code,
    }


def reaches_beyond(names: frozenset[str], kind: str, entities: Entities) -> bool:
    """Whether expressions reading ``names`` over a record of ``kind`` need more than the
    record's own values: ``period`` or a parent's values (parameters are constants of the
    compiled code)."""
    return "period" in names or not names.isdisjoint(entities.ancestors(kind))


def scope_of(
    state: RunState, kind: str, key: str, extras: MutableMapping[str, Any]
) -> Mapping[str, Any]:
    """What an expression over one record reads: its values, ``period``, its ancestors.

    Parameters are not here: they are constants of the compiled code.
    """
    env = state.envs[kind][key]
    ancestors = state.plan.entities.ancestors(kind)
    if not ancestors:
        return ChainMap(env, extras) if extras else env
    above: dict[str, Any] = {}
    for name in ancestors:
        parent = state.ancestor(kind, key, name)
        if parent is not None and parent in state.envs.get(name, {}):
            above[name] = state.envs[name][parent]
    return ChainMap(env, above, extras)
