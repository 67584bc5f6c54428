"""A bundle's plan run rule by rule over every record of a kind.

The plan (:func:`policyengine.plan.plan_bundle`) puts every rule of every
policy in force into one dependency graph across kinds. Evaluation takes
the rules in that order, each over all records of its kind, so a population
rule (aggregate, rank, history) sees complete inputs. A value that fails
spoils exactly the values that read it, each naming the root cause; a group
or roll-up that would miss a record says so, so no total or ranking is ever
silently computed from part of its records.
"""

from __future__ import annotations

from collections import ChainMap, Counter
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from types import MappingProxyType
from typing import Any

import attrs

from .compiler import many_of
from .entities import Entities, Kind, TypedFacts
from .errors import EvaluationError, PolicyError
from .expressions import Expression
from .model import frozen_mapping
from .numbers import engine_context
from .period import Period
from .plan import BundlePlan, Node
from .program import Program
from .rules import POPULATION
from .rules.base import Outcome
from .rules.population import MISSING

#: Earlier months' values: period key -> kind -> record key -> name -> value.
HistoryStore = Mapping[str, Mapping[str, Mapping[str, Mapping[str, Any]]]]


#: The failure a value depends on, as results and reports name it.
Root = Mapping[str, Any]


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
    #: Population rules' details (record rules' are computed again on request).
    details: dict[tuple[str, str, str], Mapping[str, Any]] = attrs.field(factory=dict)
    history: HistoryStore = attrs.field(factory=dict)
    by_value: bool = True
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
        return _scope(self, kind, key, {"period": self.period.as_mapping()})

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


@attrs.define
class _Frame:
    """What a population rule sees (policyengine.rules.population.Frame)."""

    state: RunState
    node: Node
    program: Program
    extras: MutableMapping[str, Any]
    #: (expression, kind) -> its prepared runner (see ``runner``).
    _runners: dict[tuple[int, str], Callable[[str], Any]] = attrs.field(factory=dict)
    #: (expression, kind) -> its prepared form over many records (see ``run_many``).
    _many: dict[tuple[int, str], Callable[[list[str]], list[Any]]] = attrs.field(factory=dict)

    @property
    def kind(self) -> str:
        return self.node.kind

    @property
    def period(self) -> Period:
        return self.state.period

    def records(self) -> list[str]:
        return sorted(self.state.envs.get(self.kind, {}))

    def unusable(self, key: str, kind: str | None = None) -> str | None:
        """The record, when a failure left it without a value this rule reads."""
        kind = kind or self.kind
        errors = self.state.failures.get(kind, {}).get(key)
        if not errors:
            return None
        needed = self.state.plan.upstream.get((self.kind, self.node.rule.id), frozenset())
        if self.state.by_value:
            missing = [rule_id for k, rule_id in needed if k == kind and rule_id in errors]
        else:
            env = self.state.envs[kind][key]
            missing = [rule_id for k, rule_id in needed if k == kind and rule_id not in env]
        return key if missing else None

    def has_failures(self, kind: str | None = None) -> bool:
        return bool(self.state.failures.get(kind or self.kind))

    def scope(self, kind: str, key: str) -> Mapping[str, Any]:
        return _scope(self.state, kind, key, self.extras)

    def run(self, expression: Expression, key: str, kind: str | None = None) -> Any:
        return self.runner(expression, kind)(key)

    def runner(self, expression: Expression, kind: str | None = None) -> Callable[[str], Any]:
        kind = kind or self.kind
        found = self._runners.get((id(expression), kind))
        if found is not None:
            return found
        code = self.program.code(expression)
        if _reaches_beyond(expression.names, kind, self.state.plan.entities):

            def wide(key: str) -> Any:
                return code(self.scope(kind, key))

            found = wide
        else:
            # Most roll-ups read the child's own values: its env is the whole scope.
            envs = self.state.envs[kind]

            def own(key: str) -> Any:
                return code(envs[key])

            found = own
        self._runners[(id(expression), kind)] = found
        return found

    def run_many(self, expression: Expression, keys: list[str], kind: str) -> list[Any]:
        found = self._many.get((id(expression), kind))
        if found is None:
            code = self.program.code(expression)
            if _reaches_beyond(expression.names, kind, self.state.plan.entities):

                def found(keys: list[str]) -> list[Any]:
                    return [code(self.scope(kind, key)) for key in keys]

            else:
                many, envs = many_of(code), self.state.envs[kind]

                def found(keys: list[str]) -> list[Any]:
                    return many([envs[key] for key in keys])

            self._many[(id(expression), kind)] = found
        return found(keys)

    def value(self, key: str, name: str) -> Any:
        return _part(self.state.envs[self.kind][key], name)

    def ancestor(self, key: str, kind: str) -> str | None:
        return self.state.ancestor(self.kind, key, kind)

    def descendants(self, key: str, kind: str) -> list[str]:
        index = self.state.below.get((kind, self.kind))
        if index is None:
            index = {}
            for child in sorted(self.state.envs.get(kind, {})):
                above = self.state.ancestor(kind, child, self.kind)
                if above is not None:
                    index.setdefault(above, []).append(child)
            self.state.below[(kind, self.kind)] = index
        return list(index.get(key, ()))

    def unsound(self, key: str, kind: str) -> str | None:
        for label, ancestors in self.state.refused.get(kind, []):
            if ancestors.get(self.kind) == key:
                return label
        return None

    def unsound_peer(self, within: str | None, group: str) -> str | None:
        for label, ancestors in self.state.refused.get(self.kind, []):
            if within is None or ancestors.get(within) == group:
                return label
        return None

    def past(self, key: str, name: str, period: Period) -> Any:
        record = self.state.history.get(period.key, {}).get(self.kind, {}).get(key)
        if record is None:
            return MISSING
        try:
            return _part(record, name)
        except KeyError:
            return MISSING


def _part(values: Mapping[str, Any], name: str) -> Any:
    base, _, attr = name.partition(".")
    value = values[base]
    return value[attr] if attr else value


def _reaches_beyond(names: frozenset[str], kind: str, entities: Entities) -> bool:
    """Whether expressions reading ``names`` over a record of ``kind`` need more than the
    record's own values: ``period`` or a parent's values (parameters are constants of the
    compiled code)."""
    return "period" in names or not names.isdisjoint(entities.ancestors(kind))


def _scope(
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


def record_key(kind: Kind, record: Mapping[str, Any], index: int) -> str:
    if kind.key and kind.key in record:
        return str(record[kind.key])
    return str(index)


def start(
    plan: BundlePlan,
    period: Period,
    typed: TypedFacts,
    history: HistoryStore,
    *,
    by_value: bool = True,
) -> RunState:
    """The state before any rule runs: typed records by key, parents, refused facts."""
    entities = plan.entities
    envs: dict[str, dict[str, dict[str, Any]]] = {}
    parents: dict[str, dict[str, str]] = {}
    for name, kind in entities.kinds.items():
        envs[name] = {}
        parents[name] = {}
        for index, record in enumerate(typed.records.get(name, ())):
            key = record_key(kind, record, index)
            # Owned typed records (check_facts(owned=True)) are taken over, not copied.
            envs[name][key] = record if type(record) is dict else dict(record)
            if kind.parent is not None:
                parents[name][key] = str(record[kind.parent.field])
    state = RunState(plan, period, envs, parents, {}, history=history, by_value=by_value)
    state.given = typed.given
    for error in typed.errors:
        kind_name = str(error.details.get("kind", ""))
        refused_kind = entities.kinds.get(kind_name)
        label = str(error.location.record)
        if refused_kind is None or label in envs.get(kind_name, {}):
            continue
        kind = refused_kind
        ancestors: dict[str, str] = {}
        current, link = kind, typed.links.get((kind_name, label))
        # Walk up through valid parents, or through what a refused parent named
        # as its own, so every roll-up above the record knows.
        while link is not None and current.parent is not None:
            ancestors[current.parent.kind] = link
            above = entities.kinds[current.parent.kind]
            if link in envs.get(above.name, {}):
                following = parents.get(above.name, {}).get(link)
            else:
                following = typed.links.get((above.name, link))
            current, link = above, following
        state.refused.setdefault(kind_name, []).append((label, ancestors))
        state.fact_errors.setdefault((kind_name, label), error)
    return state


def run(state: RunState) -> RunState:
    """Evaluate every node of the plan over every record of its kind, in the engine's context."""
    period = {"period": state.period.as_mapping()}
    with engine_context():
        for node in state.plan.nodes:
            program = node.policy.program
            if node.rule.kind in POPULATION:
                _population(state, node, program, period)
            else:
                _records(state, node, program, period)
    return state


def _records(
    state: RunState, node: Node, program: Program, period: MutableMapping[str, Any]
) -> None:
    """One record rule over every record of its kind: the hot loop of a month."""
    kind, rule = node.kind, node.rule
    code = program.rules[rule.id]
    local = tuple(r.name for r in rule.reads_from if (r.kind or kind) == kind)
    above = tuple(
        (r.kind, r.name) for r in rule.reads_from if r.kind is not None and r.kind != kind
    )
    wide = _reaches_beyond(rule.reads, kind, state.plan.entities)
    envs = state.envs.get(kind, {})
    failures = state.failures.setdefault(kind, {})
    by_value, named = state.by_value, bool(rule.outputs)
    for key in sorted(envs):
        env = envs[key]
        if failures.get(key):
            if not by_value:
                continue  # format 1: a failed record takes no further part
            cause = state.root_of(kind, key, local)
            if cause is not None:
                _store(state, node, key, _failed_input(cause))
                continue
        if above and by_value:  # format 1 read a failed parent's value as missing
            cause = _failed_above(state, kind, key, above)
            if cause is not None:
                _store(state, node, key, _failed_input(cause))
                continue
        try:
            value = code(_scope(state, kind, key, period) if wide else env, None)
        except PolicyError as error:
            _store(state, node, key, error)
            continue
        except Exception as exc:  # a defect in a kind must still come out as located data
            defect = EvaluationError(f"unexpected failure: {exc!r}", code="internal-error")
            defect.__cause__ = exc
            _store(state, node, key, defect)
            continue
        if named and type(value) is not MappingProxyType:
            value = frozen_mapping(value)  # named values are read-only; most already are
        env[rule.id] = value


def _failed_above(
    state: RunState, kind: str, key: str, above: tuple[tuple[str | None, str], ...]
) -> Root | None:
    for wanted, name in above:
        assert wanted is not None
        if state.failures.get(wanted):
            parent = state.ancestor(kind, key, wanted)
            if parent is not None:
                cause = state.root_of(wanted, parent, (name,))
                if cause is not None:
                    return cause
    return None


def _failed_input(cause: Root) -> PolicyError:
    where = f"{cause.get('kind')} {cause.get('record')}"
    what = cause.get("rule") or cause.get("field") or "the record"
    return EvaluationError(
        f"a value this rule reads failed: {where}, {what} ({cause.get('code')})",
        code="failed-input",
        hint="fix the root cause named here; this value then follows",
        details={"root": dict(cause)},
    )


def _population(
    state: RunState, node: Node, program: Program, period: MutableMapping[str, Any]
) -> None:
    """One population rule (aggregate, rank, history) over every record of its kind at once."""
    population = POPULATION[node.rule.kind]
    frame = _Frame(state, node, program, period)
    try:
        outcomes = population.evaluate(node.rule.spec, frame)
    except PolicyError as error:
        keys = sorted(state.envs.get(node.kind, {})) if state.by_value else state.sound(node.kind)
        outcomes = {key: error for key in keys}
    for key, outcome in outcomes.items():
        if isinstance(outcome, PolicyError) and state.by_value:
            outcome = _named_cause(state, outcome, node.kind)
        _store(state, node, key, outcome)
    if state.by_value:
        # A record a population rule passed over (its own input failed) gets
        # that failure as the cause of this value too.
        # Upstream is a set: taken in plan order, so the cause named is the same in
        # every process (a set's order follows the hash seed).
        upstream = state.plan.upstream.get((node.kind, node.rule.id), frozenset())
        needed = [
            other.rule.id
            for other in state.plan.nodes
            if other.kind == node.kind and (other.kind, other.rule.id) in upstream
        ]
        for key in sorted(state.envs.get(node.kind, {})):
            if key not in outcomes:
                cause = state.root_of(node.kind, key, needed) or {"code": "no-value"}
                _store(state, node, key, _failed_input(cause))


def _named_cause(state: RunState, error: PolicyError, kind: str) -> PolicyError:
    """An incomplete group names the member that failed: its root becomes this error's root."""
    if error.code != "incomplete-group" or "root" in error.details:
        return error
    member = error.details.get("record")
    member_kind = str(error.details.get("kind") or kind)
    cause = state.member_root(member_kind, str(member)) if member is not None else None
    if cause is None:
        return error
    return _with_root(error, cause)


def _with_root(error: PolicyError, cause: Root) -> PolicyError:
    copy = error.at()
    copy.details = {**error.details, "root": dict(cause)}
    return copy


def _store(state: RunState, node: Node, key: str, outcome: Outcome | PolicyError) -> None:
    failures = state.failures.get(node.kind, {}).get(key)
    if failures and not state.by_value:
        return  # format 1: a failed record keeps its first error and takes no further values
    if isinstance(outcome, PolicyError):
        located = outcome.at(
            file=node.policy.file,
            line=node.rule.line,
            pointer=node.rule.pointer,
            rule_id=node.rule.id,
            record=key,
        )
        located.details = {**located.details, "kind": node.kind, "policy": node.policy.id}
        state.fail(node.kind, key, node.rule.id, located)
        return
    value = outcome.value
    if node.rule.outputs:
        value = frozen_mapping(value)
    state.envs[node.kind][key][node.rule.id] = value
    state.details[(node.kind, key, node.rule.id)] = outcome.detail
