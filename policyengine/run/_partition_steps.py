"""The steps of a partitioned month: a partition's rules run, a reduce step, its values
handed back; and the one-process way of taking them in order.

A reduce step sees what every partition holds of the kinds its rule reads (its
own kind, the kind it rolls up, their ancestors): their records with their
values so far, their failures and refused records. It runs the rule there,
through the runner, exactly as the one process would, and hands each
partition the outcomes of its own records. Every function here is a pure
step of data (a partition's state in, a state or outcome out), so that a
cluster may run it anywhere, and again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from ..errors import PolicyError
from ..load._plan import BundlePlan, Node
from ._partition import Partitioning, merge, owned_kinds, partitioning, split
from ._run_state import RunState
from ._runner import run_nodes

#: A reduce step's outcome per record: (value or None, whether there is a value, the
#: failure or None, the population rule's detail or None).
Outcome = tuple[Any, bool, PolicyError | None, Mapping[str, Any] | None]


@attrs.frozen
class Slice:
    """What one partition holds of the kinds a reduce step reads."""

    envs: dict[str, dict[str, dict[str, Any]]]
    parents: dict[str, dict[str, str]]
    failures: dict[str, dict[str, dict[str, PolicyError]]]
    refused: dict[str, list[tuple[str, dict[str, str]]]]
    fact_errors: dict[tuple[str, str], PolicyError]


def read_kinds(plan: BundlePlan, node: Node) -> tuple[str, ...]:
    """The kinds a population rule reads: its own, the one it rolls up, their ancestors."""
    entities = plan.entities
    spec = node.rule.spec
    if node.rule.kind not in ("rank", "aggregate"):
        return tuple(entities.kinds)  # unknown to this module: everything, to be safe
    wanted = [node.kind, *([str(spec.of)] if node.rule.kind == "aggregate" else [])]
    for name in list(wanted):
        wanted.extend(entities.ancestors(name))
    return tuple(dict.fromkeys(wanted))


def run_local(part: RunState, nodes: Sequence[int]) -> RunState:
    """A partition's run of ``nodes`` (indices into its plan)."""
    return run_nodes(part, [part.plan.nodes[i] for i in nodes])


def slice_of(part: RunState, index: int, kind: str, first: bool) -> Slice:
    """What partition ``part`` holds of the kinds node ``index`` reads; the kinds above
    the partition kind ``kind`` only from the ``first`` partition (every one holds them)."""
    plan = part.plan
    owned = set(owned_kinds(plan.entities, kind))
    names = [k for k in read_kinds(plan, plan.nodes[index]) if k in owned or first]
    return Slice(
        {k: part.envs.get(k, {}) for k in names},
        {k: part.parents.get(k, {}) for k in names},
        {k: part.failures.get(k, {}) for k in names},
        {k: part.refused.get(k, []) for k in names},
        {slot: e for slot, e in part.fact_errors.items() if slot[0] in names},
    )


def reduce_step(
    plan: BundlePlan,
    template: RunState,
    slices: Iterable[Slice],
    index: int,
    order: Mapping[tuple[str, str], int],
) -> dict[str, Outcome]:
    """Node ``index`` run over every partition's slice at once; each record's outcome.

    ``template`` gives the month (period, history, formats); ``order`` each refused
    record's place in the month's list, so that the first bad member of a group is the
    one the one process names.
    """
    state = RunState(
        plan,
        template.period,
        {},
        {},
        {},
        history=template.history,
        by_value=template.by_value,
        result_format=template.result_format,
    )
    for part in slices:
        for name, envs in part.envs.items():
            # Copies: the values the rule adds go back through the outcome, not sideways.
            state.envs.setdefault(name, {}).update((k, dict(v)) for k, v in envs.items())
        for name, links in part.parents.items():
            state.parents.setdefault(name, {}).update(links)
        for name, records in part.failures.items():
            mine = state.failures.setdefault(name, {})
            mine.update((k, dict(v)) for k, v in records.items())
        for name, refused in part.refused.items():
            state.refused.setdefault(name, []).extend(refused)
        state.fact_errors.update(part.fact_errors)
    for name, refused in state.refused.items():
        places = {label: order.get((name, label), 0) for label, _ in refused}
        refused.sort(key=lambda entry: places[entry[0]])
    node = plan.nodes[index]
    run_nodes(state, [node])
    kind, rule_id = node.kind, node.rule.id
    failures = state.failures.get(kind, {})
    outcomes: dict[str, Outcome] = {}
    for key, env in state.envs.get(kind, {}).items():
        error = failures.get(key, {}).get(rule_id)
        detail = state.details.get((kind, key, rule_id))
        outcomes[key] = (env.get(rule_id), rule_id in env, error, detail)
    return outcomes


def apply(part: RunState, outcomes: Mapping[str, Outcome], index: int) -> RunState:
    """A reduce step's outcomes for the records ``part`` holds, stored as the runner would."""
    node = part.plan.nodes[index]
    kind, rule_id = node.kind, node.rule.id
    envs = part.envs.get(kind, {})
    for key in sorted(envs):
        found = outcomes.get(key)
        if found is None:
            continue
        value, has_value, error, detail = found
        if has_value:
            envs[key][rule_id] = value
        if error is not None:
            part.fail(kind, key, rule_id, error)
        if detail is not None:
            part.details[(kind, key, rule_id)] = detail
    return part


def refused_order(state: RunState) -> dict[tuple[str, str], int]:
    """Each refused record's place in the month's list of its kind."""
    return {
        (name, label): place
        for name, refused in state.refused.items()
        for place, (label, _) in enumerate(refused)
    }


def run_partitioned(
    state: RunState,
    how: Partitioning | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> RunState:
    """``state`` (as :func:`~policyengine.run._runner.start` made it) run partition by
    partition in this process: the same state as :func:`~policyengine.run._runner.run`."""
    how = how or partitioning(state.plan)
    if how.kind is None:
        return run_nodes(state, state.plan.nodes)
    kind = how.kind
    parts = list(split(state, kind).values())
    order = refused_order(state)
    for step in how.steps:
        if not step.reduce:
            parts = [run_local(part, step.nodes) for part in parts]
            continue
        index = step.nodes[0]
        slices = [slice_of(part, index, kind, i == 0) for i, part in enumerate(parts)]
        outcomes = reduce_step(state.plan, state, slices, index, order)
        parts = [apply(part, outcomes, index) for part in parts]
    if progress is not None:
        progress(len(parts), len(parts))
    return merge(state, parts, kind)
