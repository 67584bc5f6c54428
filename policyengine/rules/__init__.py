"""The rule kinds: a small closed table, one module each.

Record kinds compute one record from that record alone; population kinds
(aggregate, rank, history) see every record of a kind at once and run only
in a bundle beside entities.yaml.
"""

from __future__ import annotations

from typing import Any

from . import aggregate, checks, formula, history, rank, score, table, tiers
from .base import (
    Built,
    Code,
    CodeOf,
    Detail,
    Outcome,
    RuleCode,
    RuleContext,
    RuleKind,
    TypeReader,
    ValueType,
)
from .population import Frame, PopulationKind

KINDS: dict[str, RuleKind] = {
    kind.name: kind for kind in (formula.KIND, tiers.KIND, score.KIND, table.KIND, checks.KIND)
}

POPULATION: dict[str, PopulationKind] = {
    kind.name: kind for kind in (aggregate.KIND, rank.KIND, history.KIND)
}


def kind_of(name: str) -> RuleKind | PopulationKind | None:
    """The rule kind called ``name``, of either table; None for a name no kind has."""
    return KINDS.get(name) or POPULATION.get(name)


def reads_past(rule: Any) -> frozenset[str]:
    """The values ``rule`` reads from earlier months: what its kind says (none for a
    kind that reads only this month, or a rule that did not build)."""
    kind = POPULATION.get(rule.kind)
    if kind is None or rule.spec is None:
        # previous(name) in an expression reads last month's value of name.
        expressions = getattr(rule, "expressions", ())
        return frozenset(n.partition(".")[0] for e in expressions for n, _ in e.past.values())
    return kind.reads_past(rule.spec)


__all__ = [
    "KINDS",
    "POPULATION",
    "Built",
    "Code",
    "CodeOf",
    "Detail",
    "Frame",
    "Outcome",
    "PopulationKind",
    "RuleCode",
    "RuleContext",
    "RuleKind",
    "TypeReader",
    "ValueType",
    "kind_of",
    "reads_past",
]
