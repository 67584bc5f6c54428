"""``formula``: a value from an expression, optionally rounded and clamped."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from ..errors import EvaluationError
from ..expressions import Expression
from ..model import Rounding
from ..numbers import is_number
from .base import Built, Kind, Outcome, RuleContext, Run


@attrs.frozen
class Formula:
    expr: Expression
    rounding: Rounding | None = None
    low: Expression | None = None
    high: Expression | None = None


def build(ctx: RuleContext) -> Built | None:
    raw = ctx.raw
    expr = ctx.expr("/expr", raw["expr"])
    rounding = ctx.rounding("/round", raw.get("round"))
    low = ctx.expr("/min", raw["min"]) if "min" in raw else None
    high = ctx.expr("/max", raw["max"]) if "max" in raw else None
    if expr is None:
        return None
    return Built(Formula(expr, rounding, low, high))


def _number(value: Any, what: str) -> Decimal | int:
    if not is_number(value):
        raise EvaluationError(f"{what} must be a number, found {value!r}", code="type-mismatch")
    assert isinstance(value, Decimal | int)
    return value


def clamp_and_round(
    value: Any, rounding: Rounding | None, low: Any, high: Any, detail: dict[str, Any]
) -> Any:
    """The shared tail of numeric rules: clamp to [min, max], then round."""
    if low is not None or high is not None or rounding is not None:
        value = _number(value, "the result")
    if low is not None and value < _number(low, "min"):
        detail["clamped"] = {"to": "min", "from": value}
        value = low
    if high is not None and value > _number(high, "max"):
        detail["clamped"] = {"to": "max", "from": value}
        value = high
    if rounding is not None:
        rounded = rounding.apply(Decimal(value))
        if rounded != value:
            detail["rounded"] = {"from": value, "by": str(rounding)}
        value = rounded
    return value


def evaluate(spec: Formula, run: Run) -> Outcome:
    detail: dict[str, Any] = {"expression": spec.expr.source}
    value = run(spec.expr)
    low = run(spec.low) if spec.low is not None else None
    high = run(spec.high) if spec.high is not None else None
    value = clamp_and_round(value, spec.rounding, low, high, detail)
    return Outcome(value, detail)


KIND = Kind("formula", build, evaluate)
