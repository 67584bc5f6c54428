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

from collections.abc import Mapping, MutableMapping
from types import MappingProxyType
from typing import Any

from ..core._numbers import engine_context, unsigned_zero
from ..core._period import Period
from ..errors import EvaluationError, PolicyError
from ..facts._by_kind import TypedFacts
from ..facts._record_kinds import RecordKind
from ..load._plan import BundlePlan, Node
from ..model import frozen_mapping
from ..rules import POPULATION
from ..rules.base import Outcome
from ._population_frame import PopulationFrame
from ._program import Program
from ._run_state import (
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
__all__ = ["PastValues", "Root", "RunState", "record_key", "root", "run", "start"]


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
    result_format: int = 3,
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
    wide = reaches_beyond(rule.reads, kind, state.plan.entities)
    envs = state.envs.get(kind, {})
    failures = state.failures.setdefault(kind, {})
    by_value, named = state.by_value, bool(rule.outputs)
    unsigned = state.result_format >= 3
    past = past_reads(rule.expressions)  # previous(name): last month's values
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
            scope = scope_of(state, kind, key, period) if wide else env
            value = code(state.with_past(kind, key, past, scope) if past else scope, None)
        except PolicyError as error:
            _store(state, node, key, error)
            continue
        except Exception as exc:  # a defect in a kind must still come out as located data
            defect = EvaluationError(f"unexpected failure: {exc!r}", code="internal-error")
            defect.__cause__ = exc
            _store(state, node, key, defect)
            continue
        if unsigned:
            value = unsigned_zero(value)
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
