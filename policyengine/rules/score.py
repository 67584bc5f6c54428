"""``score``: a weighted sum of components whose weights total exactly 100%."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from ..core._numbers import is_number, rounder
from ..language._expressions import Expression
from ..language._fused_source import FusedSource
from ..language._value_kinds import fail
from ..model import Rounding
from .base import Built, CodeOf, Detail, Emitted, RuleCode, RuleContext, RuleKind
from .formula import clamp_and_round


@attrs.frozen
class Component:
    name: str
    expr: Expression
    weight: Decimal
    title: str | None = None


@attrs.frozen
class Score:
    components: tuple[Component, ...]
    rounding: Rounding | None = None


def build(ctx: RuleContext) -> Built | None:
    components: list[Component] = []
    total = Decimal(0)
    complete = ctx.unique("components", "name", "duplicate-component")
    for index, item in enumerate(ctx.raw["components"]):
        at = f"/components/{index}"
        name = str(item["name"])
        expr = ctx.expr(at + "/expr", item["expr"])
        weight = ctx.number(at + "/weight", item["weight"])
        if weight is not None:
            total += weight
            if weight < 0:
                ctx.add("negative-weight", at + "/weight", name=name, weight=weight)
        if expr is None or weight is None:
            complete = False
            continue
        components.append(Component(name, expr, weight, item.get("title")))
    if complete and total != 1:
        ctx.add("weights-not-100", "/components", total=f"{total.scaleb(2).normalize():f}")
        complete = False
    rounding = ctx.rounding("/round", ctx.raw.get("round"))
    if not complete:
        return None
    return Built(Score(tuple(components), rounding))


def compile_rule(spec: Score, code_of: CodeOf) -> RuleCode:
    parts = [(c, code_of(c.expr), c.weight) for c in spec.components]
    rounding = spec.rounding
    apply = rounder(rounding.places, rounding.mode) if rounding is not None else None

    def value_of(env: Any, detail: Detail = None) -> Any:
        total = Decimal(0)
        rows: list[dict[str, Any]] = []
        for component, code, weight in parts:
            value = code(env)
            kind = type(value)
            if kind is not Decimal and kind is not int and not is_number(value):
                words = {"component": component.name, "value": repr(value)}
                raise fail("type-mismatch", "score", words)
            contribution = value * weight
            total += contribution
            if detail is not None:
                rows.append(
                    {
                        "name": component.name,
                        "title": component.title,
                        "value": value,
                        "weight": weight,
                        "contribution": contribution,
                    }
                )
        if detail is not None:
            detail["components"] = rows
            return clamp_and_round(total, rounding, None, None, detail)
        # The total is a Decimal (it starts at 0 and adds numbers): round it directly.
        return apply(total) if apply is not None else total

    return value_of


def explain(detail: Mapping[str, Any]) -> list[str]:
    """What the trace says of how this kind reached its value."""
    lines: list[str] = []
    for c in detail["components"]:
        label = f" «{c['title']}»" if c.get("title") else ""
        lines.append(
            f"component {c['name']}{label}: {c['value']} × weight {c['weight']} "
            f"= {c['contribution']}"
        )
    return lines


def emit(spec: Score, source: FusedSource, target: str) -> Emitted:
    """The weighted sum inline, added up from 0 in the declared order as ``compile_rule``
    adds it (each component a number, else give up), then rounded."""
    total = source.local()
    lines = [f"{total} = _D0"]
    for component in spec.components:
        weight = source.constant(component.weight)
        kind = source.kind(component.expr)
        if kind == "number":
            lines.append(f"{total} = {total} + {source.value(component.expr)} * {weight}")
            continue
        value = source.local()
        lines += [f"{value} = {source.value(component.expr)}", *source.number(value, kind)]
        lines.append(f"{total} = {total} + {value} * {weight}")
    rounding = spec.rounding
    if rounding is None:
        lines.append(f"{target} = {total}")
    else:
        lines.append(f"{target} = {source.rounded(total, rounding.places, rounding.mode)}")
    return Emitted(tuple(lines), "number", exact=Decimal)


# A weighted sum of components is a number, a score: not money, and not totalled.
KIND = RuleKind(
    "score", build, compile_rule, explain, emit, lambda spec, types: "number", amounts=False
)
