"""The order rules run in: dependencies first, written order otherwise.

One ordering, :func:`topological`, serves both a policy's own rules
(:func:`order_rules`, at load) and a bundle's plan (:func:`plan_bundle`):
every rule of every version in force in one graph across policies and
kinds, with the names read across policies checked.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

import attrs

from ..core._problems import Problems
from ..core._suggest import did_you_mean
from ..errors import InvalidPolicy, Location
from ..facts._record_kinds import Entities
from ..model import Policy, Read, Rule
from ..rules.history import reads_only_past
from ._bundle_types import check_reads, type_plan

Slot = TypeVar("Slot", bound=Hashable)


def topological(
    slots: Sequence[Slot],
    needs: Callable[[Slot], Iterable[Slot]],
    on_cycle: Callable[[list[Slot]], None],
) -> list[Slot]:
    """``slots`` with every slot after what it needs, depth first in the given order.

    A slot's needs are visited in the order ``needs`` gives them, so the
    result never depends on dict or set order. A loop is passed to
    ``on_cycle`` (its slots from the first repeated one, that one again at
    the end) each time it is met, and broken there. Iterative: a long chain
    of rules cannot exhaust Python's stack.
    """
    order: list[Slot] = []
    state: dict[Slot, str] = {}  # "active" while on the path, "done" after
    for first in slots:
        if first in state:
            continue
        state[first] = "active"
        path: list[Slot] = [first]
        pending: list[Iterable[Slot]] = [iter(needs(first))]
        while path:
            following = next(pending[-1], None)  # type: ignore[call-overload]
            if following is None:
                done = path.pop()
                pending.pop()
                state[done] = "done"
                order.append(done)
                continue
            seen = state.get(following)
            if seen == "done":
                continue
            if seen == "active":
                on_cycle([*path[path.index(following) :], following])
                continue
            state[following] = "active"
            path.append(following)
            pending.append(iter(needs(following)))
    return order


def order_rules(rules: Mapping[str, Rule], problems: Problems) -> tuple[str, ...]:
    """Rule ids in a runnable order; a cycle is reported to ``problems`` naming the loop.

    Among rules whose dependencies are met, the one written first runs first,
    so the order is stable and does not depend on dict or set order.
    """
    written = {rule_id: index for index, rule_id in enumerate(rules)}
    # A name read only from earlier months (history, measure: previous) is no need this month.
    needs = {
        rule_id: sorted(
            (rule.reads - reads_only_past(rule.kind, rule.spec)) & rules.keys(),
            key=written.__getitem__,
        )
        for rule_id, rule in rules.items()
    }
    reported: set[frozenset[str]] = set()

    def cycle(loop: list[str]) -> None:
        if frozenset(loop) in reported:
            return
        reported.add(frozenset(loop))
        rule_id = loop[0]
        problems.add(
            "dependency-cycle", rules[rule_id].pointer, rule_id=rule_id, loop=" → ".join(loop)
        )

    return tuple(topological(list(rules), needs.__getitem__, cycle))


@attrs.frozen
class Node:
    """One rule of one policy, on the kind the policy applies to."""

    policy: Policy
    rule: Rule

    @property
    def kind(self) -> str:
        return self.policy.record_kind


@attrs.frozen
class BundlePlan:
    entities: Entities
    nodes: tuple[Node, ...]  # in evaluation order
    #: (kind, rule id) -> every (kind, rule id) it reads, directly or through others.
    upstream: Mapping[tuple[str, str], frozenset[tuple[str, str]]] = attrs.field(factory=dict)

    _by_slot: Mapping[tuple[str, str], Node] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        # One lookup per question, not a scan of the plan: explanations ask per rule read.
        by_slot = {(node.kind, node.rule.id): node for node in reversed(self.nodes)}
        object.__setattr__(self, "_by_slot", by_slot)

    def node(self, kind: str, rule_id: str) -> Node | None:
        return self._by_slot.get((kind, rule_id))


def _at(node: Node, pointer: str | None = None) -> Location:
    """Where a problem of the plan is: the rule of ``node``, or the part of it at ``pointer``."""
    return Location(
        file=node.policy.file,
        line=node.rule.line,
        pointer=pointer or node.rule.pointer,
        rule_id=node.rule.id,
    )


def plan_bundle(policies: Sequence[Policy], entities: Entities) -> BundlePlan:
    """Order every rule of ``policies`` into one plan; raises InvalidPolicy with every problem."""
    problems = Problems()
    nodes: dict[tuple[str, str], Node] = {}
    for policy in sorted(policies, key=lambda p: p.id):
        for rule in policy.ordered_rules:
            node = Node(policy, rule)
            first = nodes.setdefault((node.kind, rule.id), node)
            if first is not node:
                problems.add(
                    "rule-id-clash",
                    _at(node),
                    rule_id=rule.id,
                    kind=node.kind,
                    other=first.policy.file,
                )
    rule_ids: dict[str, list[str]] = {}  # by kind, for suggestions: built once, not per read
    for kind, rule_id in nodes:
        rule_ids.setdefault(kind, []).append(rule_id)
    for policy in policies:
        for read in policy.external:
            _check_read(read, policy, nodes, entities, rule_ids, problems)
    order = _order(nodes, problems)
    if not problems.found:  # each name read is given, in order: what it is can be typed
        types = type_plan([(node.policy, node.rule) for node in order], entities)
        for policy in policies:
            check_reads(policy, types, entities, problems)
    if problems.found:
        raise InvalidPolicy(problems.found)
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
    read: Read,
    policy: Policy,
    nodes: Mapping[tuple[str, str], Node],
    entities: Entities,
    rule_ids: Mapping[str, list[str]],
    problems: Problems,
) -> None:
    """A name one policy reads of another's rules: given by a field or rule in force.
    ``rule_ids``: the rules of each kind, for suggestions (built once, not per read)."""
    kind = read.kind or policy.record_kind
    at = _at(Node(policy, policy.rule(read.rule_id)), read.pointer)
    target = nodes.get((kind, read.name))
    fields = entities.kinds[kind].fields if kind in entities.kinds else {}
    if target is None:
        if read.attr is not None or read.name not in fields:
            choices = [*fields, *rule_ids.get(kind, ())]
            hint = did_you_mean(read.name, choices)
            problems.add(
                "unknown-name",
                at,
                form="bundle",
                hint=hint,
                name=read.name,
                kind=kind,
                expression=read.source,
            )
        return
    _check_output(read, target.rule.outputs, at, problems)


def _check_output(read: Read, outputs: Sequence[str], at: Location, problems: Problems) -> None:
    """A read of another policy's rule names one of its outputs, if it has named ones."""
    if read.attr is not None and read.attr not in outputs:
        hint = did_you_mean(read.attr, outputs)
        if outputs:
            listed = ", ".join(outputs)
            problems.add(
                "unknown-output",
                at,
                hint=hint,
                rule=read.name,
                output=read.attr,
                outputs=listed,
                expression=read.source,
            )
        else:
            problems.add(
                "unknown-output",
                at,
                form="one-value",
                rule=read.name,
                output=read.attr,
                expression=read.source,
            )
    elif read.attr is None and outputs:
        written = ", ".join(f"{read.name}.{o}" for o in outputs)
        problems.add(
            "needs-output-name",
            at,
            form="rule",
            rule=read.name,
            choices=written,
            expression=read.source,
        )


def _order(nodes: Mapping[tuple[str, str], Node], problems: Problems) -> list[Node]:
    """Dependencies first; otherwise by policy id and written order (stable, not dict order)."""

    def needs(slot: tuple[str, str]) -> list[tuple[str, str]]:
        node = nodes[slot]
        found = ((read.kind or node.kind, read.name) for read in node.rule.reads_from)
        return [needed for needed in found if needed in nodes]

    def cycle(loop: list[tuple[str, str]]) -> None:
        first = nodes[loop[0]]
        path = " → ".join(f"{k}.{r}" for k, r in loop)
        problems.add("dependency-cycle", _at(first), rule_id=first.rule.id, loop=path)

    return [nodes[slot] for slot in topological(list(nodes), needs, cycle)]
