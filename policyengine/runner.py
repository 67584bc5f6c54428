"""One plan per bundle, run rule by rule over every record of a kind.

The plan puts every rule of every policy in force into one dependency graph
across kinds (a rep rule reading a call roll-up runs after the call rules it
reads). Evaluation then takes the rules in order, each over all records of
its kind, so a population rule (aggregate, rank, history) sees complete
inputs. A record that fails a rule is reported once and takes no further
part; a group or roll-up that would miss it reports that too, so no total or
ranking is ever silently computed from part of its records.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from .entities import Entities, Kind, TypedFacts
from .errors import EvaluationError, InvalidPolicy, Location, ModelError, PolicyError
from .expressions import Evaluator, Expression
from .model import Policy, Rule, frozen_mapping
from .period import Period
from .rules import KINDS, POPULATION
from .rules.base import Outcome
from .rules.population import MISSING
from .suggest import did_you_mean

#: Earlier months' values: period key -> kind -> record key -> name -> value.
HistoryStore = Mapping[str, Mapping[str, Mapping[str, Mapping[str, Any]]]]


@attrs.frozen
class Node:
    """One rule of one policy, on the kind the policy applies to."""

    policy: Policy
    rule: Rule

    @property
    def kind(self) -> str:
        return self.policy.applies_to or ""


@attrs.frozen
class BundlePlan:
    entities: Entities
    nodes: tuple[Node, ...]  # in evaluation order
    #: (kind, rule id) -> every (kind, rule id) it reads, directly or through others.
    upstream: Mapping[tuple[str, str], frozenset[tuple[str, str]]] = attrs.field(factory=dict)

    def node(self, kind: str, rule_id: str) -> Node | None:
        for node in self.nodes:
            if node.kind == kind and node.rule.id == rule_id:
                return node
        return None


def _error(
    code: str, message: str, node: Node, pointer: str | None = None, hint: str | None = None
) -> PolicyError:
    location = Location(
        file=node.policy.file,
        line=node.rule.line,
        pointer=pointer or node.rule.pointer,
        rule_id=node.rule.id,
    )
    return ModelError(message, code=code, location=location, hint=hint)


def plan_bundle(policies: Sequence[Policy], entities: Entities) -> BundlePlan:
    """Order every rule of ``policies`` into one plan; raises InvalidPolicy with every problem."""
    problems: list[PolicyError] = []
    nodes: dict[tuple[str, str], Node] = {}
    for policy in sorted(policies, key=lambda p: p.id):
        for rule in policy.ordered_rules:
            node = Node(policy, rule)
            first = nodes.setdefault((node.kind, rule.id), node)
            if first is not node:
                problems.append(
                    _error(
                        "rule-id-clash",
                        f"rule '{rule.id}' for {node.kind} records is also given by "
                        f"{first.policy.file}",
                        node,
                        hint="rule ids must be unique per kind of record "
                        "across the policies in force",
                    )
                )
    for policy in policies:
        for read in policy.external:
            problems.extend(_check_read(read, policy, nodes, entities))
    order = _order(nodes, problems)
    if problems:
        raise InvalidPolicy(problems)
    upstream: dict[tuple[str, str], frozenset[tuple[str, str]]] = {}
    for node in order:  # dependencies come first, so their closures are ready
        found: set[tuple[str, str]] = set()
        for read in node.rule.reads_from:
            slot = (read.kind or node.kind, read.name)
            if slot in nodes:
                found |= {slot, *upstream[slot]}
        upstream[(node.kind, node.rule.id)] = frozenset(found)
    return BundlePlan(entities, tuple(order), upstream)


def _check_read(
    read: Any, policy: Policy, nodes: Mapping[tuple[str, str], Node], entities: Entities
) -> list[PolicyError]:
    kind = read.kind or policy.applies_to or ""
    reader = Node(policy, policy.rule(read.rule_id))
    target = nodes.get((kind, read.name))
    fields = entities.kinds[kind].fields if kind in entities.kinds else {}
    if target is None:
        if read.attr is None and read.name in fields:
            return []
        choices = [*fields, *(rule_id for k, rule_id in nodes if k == kind)]
        return [
            _error(
                "unknown-name",
                f"unknown name '{read.name}' in '{read.source}': no field of {kind} and no rule "
                f"for {kind} records in the policies in force",
                reader,
                read.pointer,
                did_you_mean(read.name, choices) or "add the policy that gives it",
            )
        ]
    outputs = target.rule.outputs
    if read.attr is not None and read.attr not in outputs:
        return [
            _error(
                "unknown-output",
                f"'{read.name}' has no '{read.attr}' in '{read.source}'",
                reader,
                read.pointer,
                did_you_mean(read.attr, outputs)
                or ("it has: " + ", ".join(outputs) if outputs else f"write '{read.name}'"),
            )
        ]
    if read.attr is None and outputs:
        return [
            _error(
                "needs-output-name",
                f"rule '{read.name}' gives several values; '{read.source}' must say which",
                reader,
                read.pointer,
                "write one of: " + ", ".join(f"{read.name}.{o}" for o in outputs),
            )
        ]
    return []


def _order(nodes: Mapping[tuple[str, str], Node], problems: list[PolicyError]) -> list[Node]:
    """Dependencies first; otherwise by policy id and written order (stable, not dict order)."""
    order: list[Node] = []
    state: dict[tuple[str, str], str] = {}

    def visit(slot: tuple[str, str], stack: list[tuple[str, str]]) -> None:
        if state.get(slot) == "done":
            return
        if state.get(slot) == "active":
            loop = [*stack[stack.index(slot) :], slot]
            node = nodes[slot]
            problems.append(
                _error(
                    "dependency-cycle",
                    "rules depend on each other in a loop: "
                    + " → ".join(f"{k}.{r}" for k, r in loop),
                    node,
                    hint="break the loop: one of these rules must not read the others",
                )
            )
            return
        state[slot] = "active"
        stack.append(slot)
        node = nodes[slot]
        for read in node.rule.reads_from:
            needed = (read.kind or node.kind, read.name)
            if needed in nodes:
                visit(needed, stack)
        stack.pop()
        state[slot] = "done"
        order.append(nodes[slot])

    for slot in nodes:
        visit(slot, [])
    return order


@attrs.define
class RunState:
    """Every record's values as the rules fill them in, and every failure."""

    plan: BundlePlan
    period: Period
    envs: dict[str, dict[str, dict[str, Any]]]  # kind -> key -> fields and outputs
    parents: dict[str, dict[str, str]]  # kind -> key -> parent key
    refused: dict[str, list[tuple[str, dict[str, str]]]]  # kind -> (label, ancestors) of bad facts
    failed: dict[str, dict[str, PolicyError]] = attrs.field(factory=dict)
    #: (kind, ancestor kind) -> ancestor key -> keys below it; built once, on first use.
    below: dict[tuple[str, str], dict[str, list[str]]] = attrs.field(factory=dict)
    details: dict[tuple[str, str, str], Mapping[str, Any]] = attrs.field(factory=dict)
    history: HistoryStore = attrs.field(factory=dict)

    def sound(self, kind: str) -> list[str]:
        bad = self.failed.get(kind, {})
        return [key for key in sorted(self.envs.get(kind, {})) if key not in bad]

    def ancestor(self, kind: str, key: str, wanted: str) -> str | None:
        current: str | None = key
        for step in self.plan.entities.ancestors(kind):
            current = self.parents.get(kind, {}).get(current) if current is not None else None
            kind = step
            if step == wanted:
                return current
        return None

    def fail(self, kind: str, key: str, error: PolicyError) -> None:
        self.failed.setdefault(kind, {}).setdefault(key, error)


@attrs.define
class _Frame:
    """What a population rule sees (policyengine.rules.population.Frame)."""

    state: RunState
    node: Node
    evaluator: Evaluator
    shared: Mapping[str, Any]

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
        if key not in self.state.failed.get(kind, {}):
            return None
        needed = self.state.plan.upstream.get((self.kind, self.node.rule.id), frozenset())
        env = self.state.envs[kind][key]
        missing = [rule_id for k, rule_id in needed if k == kind and rule_id not in env]
        return key if missing else None

    def scope(self, kind: str, key: str) -> Mapping[str, Any]:
        return _scope(self.state, kind, key, self.shared)

    def run(self, expression: Expression, key: str, kind: str | None = None) -> Any:
        return self.evaluator.evaluate(expression, self.scope(kind or self.kind, key))

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


def _scope(state: RunState, kind: str, key: str, shared: Mapping[str, Any]) -> Mapping[str, Any]:
    env = state.envs[kind][key]
    ancestors: dict[str, Any] = {}
    for above in state.plan.entities.ancestors(kind):
        parent = state.ancestor(kind, key, above)
        if parent is not None and parent in state.envs.get(above, {}):
            ancestors[above] = state.envs[above][parent]
    return ChainMap(env, ancestors, dict(shared))


def record_key(kind: Kind, record: Mapping[str, Any], index: int) -> str:
    if kind.key and kind.key in record:
        return str(record[kind.key])
    return str(index)


def start(
    plan: BundlePlan,
    period: Period,
    typed: TypedFacts,
    raw: Mapping[str, Iterable[Mapping[str, Any]]],
    history: HistoryStore,
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
            envs[name][key] = dict(record)
            if kind.parent is not None:
                parents[name][key] = str(record[kind.parent.field])
    state = RunState(plan, period, envs, parents, {}, history=history)
    for error in typed.errors:
        kind_name = str(error.details.get("kind", ""))
        refused_kind = entities.kinds.get(kind_name)
        label = str(error.location.record)
        if refused_kind is None or label in envs.get(kind_name, {}):
            continue
        kind = refused_kind
        ancestors: dict[str, str] = {}
        current, link = kind, _raw_parent(kind, raw.get(kind_name, ()), label)
        # Walk up through valid parents, or through the raw facts where a
        # parent was refused too, so every roll-up above the record knows.
        while link is not None and current.parent is not None:
            ancestors[current.parent.kind] = link
            above = entities.kinds[current.parent.kind]
            if link in envs.get(above.name, {}):
                following = parents.get(above.name, {}).get(link)
            else:
                following = _raw_parent(above, raw.get(above.name, ()), link)
            current, link = above, following
        state.refused.setdefault(kind_name, []).append((label, ancestors))
    return state


def _raw_parent(kind: Kind, records: Iterable[Mapping[str, Any]], label: str) -> str | None:
    if kind.parent is None:
        return None
    for index, record in enumerate(records):
        if isinstance(record, Mapping) and record_key(kind, record, index) == label:
            link = record.get(kind.parent.field)
            return None if link is None else str(link)
    return None


def run(state: RunState) -> RunState:
    """Evaluate every node of the plan over every sound record of its kind."""
    evaluator = Evaluator()
    shared_by_policy: dict[str, Mapping[str, Any]] = {}
    for node in state.plan.nodes:
        policy, rule = node.policy, node.rule
        shared = shared_by_policy.get(policy.id)
        if shared is None:
            shared = {name: p.value for name, p in policy.parameters.items()}
            shared["period"] = state.period.as_mapping()
            shared_by_policy[policy.id] = shared
        population = POPULATION.get(rule.kind)
        if population is not None:
            frame = _Frame(state, node, evaluator, shared)
            try:
                outcomes = population.evaluate(rule.spec, frame)
            except PolicyError as error:
                outcomes = {key: error for key in state.sound(node.kind)}
            for key, outcome in outcomes.items():
                _store(state, node, key, outcome)
            continue
        kind = KINDS[rule.kind]
        for key in state.sound(node.kind):
            scope = _scope(state, node.kind, key, shared)

            def evaluate(expression: Expression, scope: Mapping[str, Any] = scope) -> Any:
                return evaluator.evaluate(expression, scope)

            try:
                result: Outcome | PolicyError = kind.evaluate(rule.spec, evaluate)
            except PolicyError as error:
                result = error
            except Exception as exc:  # a defect in a kind must still come out as located data
                result = EvaluationError(f"unexpected failure: {exc!r}", code="internal-error")
                result.__cause__ = exc
            _store(state, node, key, result)
    return state


def _store(state: RunState, node: Node, key: str, outcome: Outcome | PolicyError) -> None:
    if key in state.failed.get(node.kind, {}):
        return  # a failed record keeps its first error and takes no further values
    if isinstance(outcome, PolicyError):
        located = outcome.at(
            file=node.policy.file,
            line=node.rule.line,
            pointer=node.rule.pointer,
            rule_id=node.rule.id,
            record=key,
        )
        located.details = {**located.details, "kind": node.kind, "policy": node.policy.id}
        state.fail(node.kind, key, located)
        return
    value = outcome.value
    if node.rule.outputs:
        value = frozen_mapping(value)
    state.envs[node.kind][key][node.rule.id] = value
    state.details[(node.kind, key, node.rule.id)] = outcome.detail
