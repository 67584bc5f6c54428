"""A month split by the plan into partitions that evaluate independently.

Every rule of a plan either stays inside one record and its ancestors (a
record rule, a history rule) or groups records under an ancestor: a rank
``within`` a kind, an aggregate onto its own kind. The partition kind is the
top kind of the chain of kinds (team, say) that such a grouping names:
every record at or below it goes with its ancestor of that kind, and the
few records above it (a company) are copied into every partition. A rule
whose group is above the partition kind (a company-wide rank, a company
total) spans partitions: it runs in a reduce step over what every
partition holds of the kinds it reads, and its values go back to the
partitions that own their records (:mod:`policyengine.run._partition_steps`).

Nothing is approximated: each value is computed by the runner from exactly
the records it would see in one process, so the merged result is the one
process's result, failures by value and all, whatever the order of the
records or of the partitions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ..facts._inputs_tree import Layout
from ..facts._record_kinds import Entities
from ..load._plan import BundlePlan, Node
from ..rules import POPULATION
from ._run_state import RunState

#: The key of the partition holding records whose chain of parents stops below the
#: partition kind (their ancestor of that kind is unknown): they group only among
#: themselves, so they form one partition of their own.
ORPHANS = "\x00orphans"


@attrs.frozen
class Step:
    """Plan nodes (by index) run in every partition (``reduce`` False), or one node run
    once over every partition's records (``reduce`` True)."""

    nodes: tuple[int, ...]
    reduce: bool = False


@attrs.frozen
class Partitioning:
    """How a plan splits a month: the partition kind (None: one partition), and the
    steps in plan order."""

    kind: str | None
    steps: tuple[Step, ...]

    @property
    def spanning(self) -> tuple[int, ...]:
        """The plan nodes that need a reduce step, by index."""
        return tuple(i for step in self.steps if step.reduce for i in step.nodes)


def chain(entities: Entities) -> tuple[str, ...] | None:
    """The kinds from the root down, when every kind is on one line of parents below the
    root or hangs below it (None: several roots, or a side branch)."""
    roots = [k for k, kind in entities.kinds.items() if kind.parent is None]
    if len(roots) != 1:
        return None
    line = [roots[0]]
    while True:
        below = entities.children(line[-1])
        if len(below) != 1:
            break
        line.append(below[0])
    return tuple(line)


def grouping(node: Node) -> tuple[bool, str | None]:
    """(groups at all, the kind a population rule groups its records under; None: all of
    them). A record rule or a history rule groups nothing."""
    kind = node.rule.kind
    if kind not in POPULATION or kind == "history":
        return False, None
    if kind == "rank":
        return True, getattr(node.rule.spec, "within", None)
    if kind == "aggregate":
        return True, node.kind
    return True, None  # a population kind not known here spans everything: safe


def partition_kind(plan: BundlePlan, counts: Mapping[str, int] | None = None) -> str | None:
    """The top kind on the chain of kinds that some rule groups under and of which the month
    holds at least two records (``counts``, raw records by kind; None: not asked).

    None when nothing is worth splitting: the month then runs as one partition.
    """
    line = chain(plan.entities)
    if line is None:
        return None
    groups = {g for n in plan.nodes for grouped, g in [grouping(n)] if grouped and g is not None}
    for kind in line:
        if kind in groups and (counts is None or counts.get(kind, 0) >= 2):
            return kind
    return None


def partitioning(plan: BundlePlan, counts: Mapping[str, int] | None = None) -> Partitioning:
    """The steps of ``plan`` over a month split by :func:`partition_kind`."""
    kind = partition_kind(plan, counts)
    if kind is None:
        return Partitioning(None, (Step(tuple(range(len(plan.nodes)))),))
    owned = set(owned_kinds(plan.entities, kind))
    steps: list[Step] = []
    local: list[int] = []
    for index, node in enumerate(plan.nodes):
        grouped, group = grouping(node)
        if grouped and (group is None or group not in owned):
            if local:
                steps.append(Step(tuple(local)))
                local = []
            steps.append(Step((index,), reduce=True))
        else:
            local.append(index)
    if local:
        steps.append(Step(tuple(local)))
    return Partitioning(kind, tuple(steps))


def hash_layout(plan: BundlePlan, counts: Mapping[str, int] | None = None) -> Layout:
    """How the inputs hash partitions a month (format 3): by :func:`partition_kind`."""
    kind = partition_kind(plan, counts)
    if kind is None:
        return Layout(None)
    kinds = plan.entities.kinds
    owned = []
    for name in owned_kinds(plan.entities, kind):
        link = kinds[name].parent
        parent = (link.kind, link.field) if link is not None and name != kind else (None, None)
        owned.append((name, kinds[name].key, *parent))
    return Layout(kind, tuple(owned))


def owned_kinds(entities: Entities, kind: str) -> tuple[str, ...]:
    """``kind`` and every kind below it, parents first: the kinds a partition owns."""
    found = [kind]
    for current in found:
        found.extend(entities.children(current))
    return tuple(found)


def owners(state: RunState, kind: str) -> dict[str, dict[str, str]]:
    """For every owned kind, each record's partition: its ancestor of ``kind`` (a record of
    ``kind`` is its own), or :data:`ORPHANS` where its chain of parents stops short."""
    entities = state.plan.entities
    found: dict[str, dict[str, str]] = {kind: {key: key for key in state.envs.get(kind, {})}}
    for name in owned_kinds(entities, kind)[1:]:
        link = entities.kinds[name].parent
        assert link is not None  # a kind below the partition kind has a parent
        above, parents = found[link.kind], state.parents.get(name, {})
        direct = link.kind == kind
        found[name] = {
            key: above.get(parents[key]) or (parents[key] if direct else ORPHANS)
            for key in state.envs.get(name, {})
        }
    return found


def refused_owner(kind: str, label: str, ancestors: Mapping[str, str], top: str) -> str:
    """The partition of a refused record: its own label or its ancestor of ``top``."""
    if kind == top:
        return label
    return ancestors.get(top) or ORPHANS


def split(state: RunState, kind: str) -> dict[str, RunState]:
    """The state before any rule runs, split into partitions by their key.

    A partition's records of the owned kinds are the state's own dicts (each is in one
    partition); the records above the partition kind are copied into each.
    """
    entities = state.plan.entities
    owned = owned_kinds(entities, kind)
    by_owner = owners(state, kind)
    keys = {o for found in by_owner.values() for o in found.values()}
    for name in owned:
        for label, ancestors in state.refused.get(name, []):
            keys.add(refused_owner(name, label, ancestors, kind))
    parts = {key: empty_like(state) for key in sorted(keys)}
    for name in entities.kinds:
        if name in by_owner:
            _deal(state, parts, name, by_owner[name], kind)
        else:  # above the partition kind: every partition has its own copy
            for part in parts.values():
                part.envs[name] = {k: dict(env) for k, env in state.envs.get(name, {}).items()}
                part.parents[name] = dict(state.parents.get(name, {}))
                part.refused[name] = list(state.refused.get(name, []))
    for (name, label), error in state.fact_errors.items():
        if name not in by_owner:
            for part in parts.values():
                part.fact_errors[(name, label)] = error
    return parts


def _deal(
    state: RunState, parts: dict[str, RunState], name: str, owner: dict[str, str], top: str
) -> None:
    """One owned kind's records, parents, refused records and fact errors dealt out."""
    for part in parts.values():
        part.envs[name], part.parents[name] = {}, {}
    parents = state.parents.get(name, {})
    for key, env in state.envs.get(name, {}).items():
        part = parts[owner[key]]
        part.envs[name][key] = env
        if key in parents:
            part.parents[name][key] = parents[key]
    for label, ancestors in state.refused.get(name, []):
        target = parts[refused_owner(name, label, ancestors, top)]
        target.refused.setdefault(name, []).append((label, ancestors))
        error = state.fact_errors.get((name, label))
        if error is not None:
            target.fact_errors.setdefault((name, label), error)


def empty_like(state: RunState) -> RunState:
    """A state of the month's plan, period, history and formats, holding no record."""
    return RunState(
        state.plan,
        state.period,
        {},
        {},
        {},
        history=state.history,
        by_value=state.by_value,
        result_format=state.result_format,
    )


def merge(state: RunState, parts: Iterable[RunState], kind: str) -> RunState:
    """``state`` (split by :func:`split`) with every partition's values, failures and
    details: the one process's state. The records of the kinds above ``kind`` are taken
    from the first partition (every partition holds the same)."""
    owned = set(owned_kinds(state.plan.entities, kind))
    failures = []
    first = True
    for part in parts:
        for name, envs in part.envs.items():
            if name in owned or first:
                mine = state.envs.setdefault(name, {})
                for key, env in envs.items():
                    if mine.get(key) is not env:
                        mine[key] = env
        failures.append({k: v for k, v in part.failures.items() if k in owned or first})
        state.details.update(
            (slot, detail) for slot, detail in part.details.items() if slot[0] in owned or first
        )
        first = False
    return merge_failures(state, failures)


def merge_failures(
    state: RunState, found: Iterable[Mapping[str, Mapping[str, dict[str, Any]]]]
) -> RunState:
    """``state`` with the partitions' failures (each record's in one of them), by kind and
    key in order; each record's own in the order they failed (plan order)."""
    failures: dict[str, dict[str, dict[str, Any]]] = {}
    for part in found:
        for name, records in part.items():
            failures.setdefault(name, {}).update(records)
    state.failures = {
        name: {key: failures[name][key] for key in sorted(failures[name])}
        for name in sorted(failures)
    }
    return state
