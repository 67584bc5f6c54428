"""The rule kinds: a small closed table, one module each.

Record kinds compute one record from that record alone; population kinds
(aggregate, rank, history) see every record of a kind at once and run only
in a bundle beside entities.yaml.
"""

from __future__ import annotations

from . import aggregate, checks, formula, history, rank, score, table, tiers
from .base import Built, Code, CodeOf, Detail, Outcome, RuleCode, RuleContext, RuleKind
from .population import Frame, PopulationKind

KINDS: dict[str, RuleKind] = {
    kind.name: kind for kind in (formula.KIND, tiers.KIND, score.KIND, table.KIND, checks.KIND)
}

POPULATION: dict[str, PopulationKind] = {
    kind.name: kind for kind in (aggregate.KIND, rank.KIND, history.KIND)
}

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
]
