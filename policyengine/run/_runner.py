"""A bundle's plan run rule by rule over every record of a kind.

The plan (:func:`policyengine.load._plan.plan_bundle`) puts every rule of every
policy in force into one dependency graph across kinds. Evaluation takes
the rules in that order, each over all records of its kind, so a population
rule (aggregate, rank, history) sees complete inputs. A value that fails
spoils exactly the values that read it, each naming the root cause; a group
or roll-up that would miss a record says so, so no total or ranking is ever
silently computed from part of its records.

The state the rules fill in is :mod:`policyengine.run._run_state`; what a
population rule sees of it is :mod:`policyengine.run._population_frame`. This
module is the loop over the plan, and where each outcome is stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from types import MappingProxyType
from typing import Any

import attrs

from ..core._numbers import engine_context, unsigned_zero
from ..core._period import Period
from ..errors import EvaluationError, PolicyError
from ..facts._by_kind import TypedFacts
from ..facts._record_kinds import RecordKind
from ..load._plan import BundlePlan, Node
from ..model import frozen_mapping
from ..rules import POPULATION
from ..rules.base import Outcome, RuleCode
from ._population_frame import PopulationFrame
from ._program import FusedFunction, Program
from ._run_state import (
    RESULT_FORMAT,
    PastValues,
    Root,
    RunState,
    past_reads,
    reaches_beyond,
    root,
    scope_of,
)

# The state's names are read from here too: a month's history is handed to the
# runner, so month, diff, inputs and repository import PastValues from it.
__all__ = ["PastValues", "Root", "RunState", "record_key", "root", "run", "run_nodes", "start"]


def record_key(kind: RecordKind, record: Mapping[str, Any], index: int) -> str:
    if kind.key and kind.key in record:
        return str(record[kind.key])
    return str(index)


def start(
    plan: BundlePlan,
    period: Period,
    typed: TypedFacts,
    history: PastValues,
    *,
    result_format: int = RESULT_FORMAT,
) -> RunState:
    """The state before any rule runs: typed records by key, parents, refused facts."""
    entities = plan.entities
    envs: dict[str, dict[str, dict[str, Any]]] = {}
    parents: dict[str, dict[str, str]] = {}
    for name, kind in entities.kinds.items():
        envs[name] = own = {}  # this kind's records, by key
        parents[name] = linked = {}
        link = kind.parent.field if kind.parent is not None else None
        for index, record in enumerate(typed.records.get(name, ())):
            # record_key, inline: a month has millions of calls.
            key = str(record[kind.key]) if kind.key and kind.key in record else str(index)
            # Owned typed records (check_facts(owned=True)) are taken over, not copied.
            own[key] = record if type(record) is dict else dict(record)
            if link is not None:
                linked[key] = str(record[link])
    state = RunState(
        plan,
        period,
        envs,
        parents,
        {},
        history=history,
        by_value=result_format >= 2,
        result_format=result_format,
    )
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
    return run_nodes(state, state.plan.nodes)


def _runs(state: RunState, nodes: Iterable[Node]) -> list[tuple[bool, list[Node]]]:
    """``nodes`` (a run of the plan) in order, the record rules of one policy that it takes
    one after the other over a kind's own values grouped (True: to be fused), every other
    node alone.

    A rule reading ``period`` or a parent's values reads a scope the fused function does
    not see, and runs of formats 1 and 2 store values as they were recorded: those run
    rule by rule.
    """
    runs: list[tuple[bool, list[Node]]] = []
    fusing = state.by_value and state.result_format >= 3
    entities = state.plan.entities
    for node in nodes:
        fusable = (
            fusing
            and node.rule.kind not in POPULATION
            and not reaches_beyond(node.rule.reads, node.kind, entities)
            and not past_reads(node.rule.expressions)  # previous(): last month, per record
        )
        if fusable and runs and runs[-1][0]:
            last = runs[-1][1][-1]
            if last.kind == node.kind and last.policy is node.policy:
                runs[-1][1].append(node)
                continue
        runs.append((fusable, [node]))
    return runs


def _fused_records(
    state: RunState, nodes: list[Node], fused: FusedFunction, period: MutableMapping[str, Any]
) -> None:
    """Record rules of one policy over every record of their kind, each record in one call
    of their fused function: the hot loop of a month. A record with a failed value
    already, or one the function gives up on, runs rule by rule (:func:`_record`), which
    gives exactly the values or the located errors, as evaluation is deterministic."""
    kind = nodes[0].kind
    envs = state.envs.get(kind, {})
    failures = state.failures.setdefault(kind, {})
    named = [node.rule.id for node in nodes if node.rule.outputs]
    prepared: list[_RecordRule] | None = None
    for key in sorted(envs):
        env = envs[key]
        if not failures.get(key):
            try:
                fused(env)
            except Exception:  # any: the rule-by-rule path gives the located error (or value)
                pass
            else:
                for rule_id in named:  # named values are read-only; most already are
                    if type(env[rule_id]) is not MappingProxyType:
                        env[rule_id] = frozen_mapping(env[rule_id])
                continue
        if prepared is None:
            prepared = [_prepare(state, node) for node in nodes]
        for rule in prepared:
            _record(state, rule, key, env, failures, period)


@attrs.frozen
class _RecordRule:
    """What running one record rule over a record needs, read once per rule."""

    node: Node
    code: RuleCode
    #: The names it reads from its own kind's values, and from parents (kind, name).
    local: tuple[str, ...]
    above: tuple[tuple[str | None, str], ...]
    #: Whether it reads more than the record's own values (``period``, parents).
    wide: bool
    #: What its ``previous(name)`` calls read of last month: key -> (name, initial).
    past: Mapping[str, tuple[str, Any]]


def _prepare(state: RunState, node: Node) -> _RecordRule:
    kind, rule = node.kind, node.rule
    local = tuple(r.name for r in rule.reads_from if (r.kind or kind) == kind)
    above = tuple(
        (r.kind, r.name) for r in rule.reads_from if r.kind is not None and r.kind != kind
    )
    wide = reaches_beyond(rule.reads, kind, state.plan.entities)
    code = node.policy.program.rules[rule.id]
    return _RecordRule(node, code, local, above, wide, past_reads(rule.expressions))


def _records(
    state: RunState, node: Node, program: Program, period: MutableMapping[str, Any]
) -> None:
    """One record rule over every record of its kind."""
    rule = _prepare(state, node)
    envs = state.envs.get(node.kind, {})
    failures = state.failures.setdefault(node.kind, {})
    for key in sorted(envs):
        _record(state, rule, key, envs[key], failures, period)


def _record(
    state: RunState,
    rule: _RecordRule,
    key: str,
    env: dict[str, Any],
    failures: Mapping[str, Mapping[str, PolicyError]],
    period: MutableMapping[str, Any],
) -> None:
    """One record rule over one record: its value, or its failure kept with its cause."""
    node, by_value = rule.node, state.by_value
    if failures.get(key):
        if not by_value:
            return  # format 1: a failed record takes no further part
        cause = state.root_of(node.kind, key, rule.local)
        if cause is not None:
            _store(state, node, key, _failed_input(cause))
            return
    if rule.above and by_value:  # format 1 read a failed parent's value as missing
        cause = _failed_above(state, node.kind, key, rule.above)
        if cause is not None:
            _store(state, node, key, _failed_input(cause))
            return
    try:
        scope = scope_of(state, node.kind, key, period) if rule.wide else env
        if rule.past:
            scope = state.with_past(node.kind, key, rule.past, scope)
        value = rule.code(scope, None)
    except PolicyError as error:
        _store(state, node, key, error)
        return
    except Exception as exc:  # a defect in a kind must still come out as located data
        defect = EvaluationError.from_template("internal-error", words={"failure": repr(exc)})
        defect.__cause__ = exc
        _store(state, node, key, defect)
        return
    if state.result_format >= 3:
        value = unsigned_zero(value)
    if node.rule.outputs and type(value) is not MappingProxyType:
        value = frozen_mapping(value)  # named values are read-only; most already are
    env[node.rule.id] = value


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
    words = {"where": where, "failed": what, "cause": cause.get("code")}
    return EvaluationError.from_template("failed-input", details={"root": dict(cause)}, words=words)


def _population(
    state: RunState, node: Node, program: Program, period: MutableMapping[str, Any]
) -> None:
    """One population rule (aggregate, rank, history) over every record of its kind at once."""
    population = POPULATION[node.rule.kind]
    frame = PopulationFrame(state, node, program, period)
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
    if state.result_format >= 3:
        value = unsigned_zero(value)
    if node.rule.outputs:
        value = frozen_mapping(value)
    state.envs[node.kind][key][node.rule.id] = value
    state.details[(node.kind, key, node.rule.id)] = outcome.detail


def run_nodes(state: RunState, nodes: Iterable[Node]) -> RunState:
    """Evaluate ``nodes`` (the plan, or a run of it in its order: a partition's part, see
    run._partition_steps) over every record of their kinds that ``state`` holds."""
    period = {"period": state.period.as_mapping()}
    with engine_context():
        for fusable, run_of in _runs(state, nodes):
            program = run_of[0].policy.program
            if run_of[0].rule.kind in POPULATION:
                _population(state, run_of[0], program, period)
                continue
            fused = program.fused_run(tuple(n.rule.id for n in run_of)) if fusable else None
            if fused is not None:
                _fused_records(state, run_of, fused, period)
            else:
                for node in run_of:
                    _records(state, node, program, period)
    return state
