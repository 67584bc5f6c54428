"""The rule kinds: a small closed table, one module each."""

from __future__ import annotations

from . import checks, formula, score, table, tiers
from .base import Built, Kind, Outcome, RuleContext, Run

KINDS: dict[str, Kind] = {
    kind.name: kind for kind in (formula.KIND, tiers.KIND, score.KIND, table.KIND, checks.KIND)
}

__all__ = ["KINDS", "Built", "Kind", "Outcome", "RuleContext", "Run"]
