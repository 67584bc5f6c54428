"""The order rules run in: dependencies first, written order otherwise.

One ordering serves both a policy's own rules (:func:`order_rules`, at
load) and a bundle's rules across policies and kinds
(:func:`policyengine.runner.plan_bundle`): :func:`topological`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

from .model import Rule

ReportError = Callable[..., None]
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


def order_rules(rules: Mapping[str, Rule], error: ReportError) -> tuple[str, ...]:
    """Rule ids in a runnable order; a cycle is reported through ``error`` naming the loop.

    Among rules whose dependencies are met, the one written first runs first,
    so the order is stable and does not depend on dict or set order.
    """
    written = {rule_id: index for index, rule_id in enumerate(rules)}
    needs = {
        rule_id: sorted(rule.reads & rules.keys(), key=written.__getitem__)
        for rule_id, rule in rules.items()
    }
    reported: set[frozenset[str]] = set()

    def cycle(loop: list[str]) -> None:
        if frozenset(loop) in reported:
            return
        reported.add(frozenset(loop))
        rule_id = loop[0]
        error(
            "dependency-cycle",
            "rules depend on each other in a loop: " + " → ".join(loop),
            rules[rule_id].pointer,
            "break the loop: one of these rules must not read the others",
            rule_id=rule_id,
        )

    return tuple(topological(list(rules), needs.__getitem__, cycle))
