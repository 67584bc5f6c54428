"""``formula``: a value from an expression, optionally rounded and clamped."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from ..core._numbers import is_number, rounder
from ..language._expressions import Expression
from ..language._fused_source import FusedSource
from ..language._value_kinds import fail
from ..model import Rounding
from .base import Built, CodeOf, Detail, Emitted, RuleCode, RuleContext, RuleKind


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
        form = "result" if what == "the result" else what  # the result, min or max
        raise fail("type-mismatch", form, {"value": repr(value)})
    assert isinstance(value, Decimal | int)
    return value


def clamp_and_round(
    value: Any, rounding: Rounding | None, low: Any, high: Any, detail: Detail
) -> Any:
    """The shared tail of numeric rules: clamp to [min, max], then round."""
    if low is not None or high is not None or rounding is not None:
        value = _number(value, "the result")
    if low is not None and value < _number(low, "min"):
        if detail is not None:
            detail["clamped"] = {"to": "min", "from": value, "at": low}
        value = low
    if high is not None and value > _number(high, "max"):
        if detail is not None:
            detail["clamped"] = {"to": "max", "from": value, "at": high}
        value = high
    if rounding is not None:
        rounded = rounding.apply(Decimal(value))
        if detail is not None and rounded != value:
            detail["rounded"] = {"from": value, "by": str(rounding)}
        value = rounded
    return value


def compile_rule(spec: Formula, code_of: CodeOf) -> RuleCode:
    expr = code_of(spec.expr)
    low = code_of(spec.low) if spec.low is not None else None
    high = code_of(spec.high) if spec.high is not None else None
    rounding, source = spec.rounding, spec.expr.source
    if low is None and high is None and rounding is None:

        def plain_value(env: Any, detail: Detail = None) -> Any:
            if detail is not None:
                detail["expression"] = source
            return expr(env)

        return plain_value
    if low is None and high is None and rounding is not None:
        apply = rounder(rounding.places, rounding.mode)

        def rounded_value(env: Any, detail: Detail = None) -> Any:
            value = expr(env)
            if detail is not None:
                detail["expression"] = source
                return clamp_and_round(value, rounding, None, None, detail)
            if type(value) is not Decimal:
                value = Decimal(_number(value, "the result"))
            return apply(value)

        return rounded_value

    def value_of(env: Any, detail: Detail = None) -> Any:
        if detail is not None:
            detail["expression"] = source
        value = expr(env)
        return clamp_and_round(
            value,
            rounding,
            low(env) if low is not None else None,
            high(env) if high is not None else None,
            detail,
        )

    return value_of


def emit(spec: Formula, source: FusedSource, target: str) -> Emitted:
    """The formula inline: its expression, then (as ``compile_rule``) clamped and rounded."""
    value, kind = source.value(spec.expr), source.kind(spec.expr)
    if spec.low is not None or spec.high is not None:
        rounding = spec.rounding

        def clamped(value: Any, low: Any, high: Any) -> Any:
            return clamp_and_round(value, rounding, low, high, None)

        bounds = [source.value(e) if e is not None else "None" for e in (spec.low, spec.high)]
        call = f"{source.constant(clamped)}({value}, {bounds[0]}, {bounds[1]})"
        exact = Decimal if spec.rounding is not None else None
        return Emitted((f"{target} = {call}",), "number", exact=exact)
    if spec.rounding is None:
        return Emitted((f"{target} = {value}",), kind, exact=source.type(spec.expr))
    lines = [f"{target} = {value}", *source.to_decimal(target, spec.expr)]
    lines.append(f"{target} = {source.rounded(target, spec.rounding.places, spec.rounding.mode)}")
    return Emitted(tuple(lines), "number", exact=Decimal)


# A formula's value has the type of its expression.
KIND = RuleKind(
    "formula", build, compile_rule, emit=emit, value_type=lambda spec, types: types.of(spec.expr)
)
