"""The order rules run in: dependencies first, written order otherwise."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .model import Rule

ReportError = Callable[..., None]


def order_rules(rules: Mapping[str, Rule], error: ReportError) -> tuple[str, ...]:
    """Rule ids in a runnable order; a cycle is reported through ``error`` naming the loop.

    Among rules whose dependencies are met, the one written first runs first,
    so the order is stable and does not depend on dict or set order.
    """
    needs = {
        rule_id: sorted(rule.reads & rules.keys(), key=list(rules).index)
        for rule_id, rule in rules.items()
    }
    order: list[str] = []
    state: dict[str, str] = {}  # "active" while on the stack, "done" after
    reported: set[frozenset[str]] = set()

    def visit(rule_id: str, stack: list[str]) -> None:
        if state.get(rule_id) == "done":
            return
        if state.get(rule_id) == "active":
            loop = [*stack[stack.index(rule_id) :], rule_id]
            if frozenset(loop) not in reported:
                reported.add(frozenset(loop))
                error(
                    "dependency-cycle",
                    "rules depend on each other in a loop: " + " → ".join(loop),
                    rules[rule_id].pointer,
                    "break the loop: one of these rules must not read the others",
                    rule_id=rule_id,
                )
            return
        state[rule_id] = "active"
        stack.append(rule_id)
        for dependency in needs[rule_id]:
            visit(dependency, stack)
        stack.pop()
        state[rule_id] = "done"
        order.append(rule_id)

    for rule_id in rules:
        visit(rule_id, [])
    return tuple(order)
