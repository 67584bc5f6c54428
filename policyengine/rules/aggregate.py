"""``aggregate``: roll the records of a child kind up to this kind.

``function`` is one of sum, count, min, max, mean, any, all, over ``value``
read from each child record that ``where`` lets through. With no child
record counted, sum and count give 0, any false and all true; min, max and
mean give ``empty`` when the rule declares it, and an error otherwise. A
parent with a child record that could not be evaluated (or was refused as a
bad fact) gets an error too: a total that silently misses a call would be a
wrong number.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from ..core._numbers import CONTEXT, is_number
from ..errors import PolicyError
from ..language._expressions import Expression
from ..language._value_kinds import fail
from ..model import Rounding
from .base import Built, Outcome, RuleContext, TypeReader, ValueType
from .formula import clamp_and_round
from .population import Frame, PopulationKind, needs_entities

_NO_EMPTY = object()
_NUMERIC = ("sum", "min", "max", "mean")


@attrs.frozen
class Aggregate:
    of: str
    function: str
    value: Expression | None
    where: Expression | None
    empty: Any = _NO_EMPTY
    rounding: Rounding | None = None


def build(ctx: RuleContext) -> Built | None:
    if not needs_entities(ctx, "aggregate"):
        return None
    raw = ctx.raw
    of, function = str(raw["of"]), raw["function"]
    entities = ctx.entities
    if of not in entities.kinds:
        ctx.add("unknown-kind", "/of", form="aggregate", of=of, kinds=", ".join(entities.kinds))
        return None
    if ctx.own_kind not in entities.ancestors(of):
        below = ", ".join(k for k in entities.kinds if ctx.own_kind in entities.ancestors(k))
        if below:
            ctx.add("not-a-child-kind", "/of", of=of, kind=ctx.own_kind, below=below)
        else:
            ctx.add("not-a-child-kind", "/of", form="none", of=of, kind=ctx.own_kind)
        return None
    value = ctx.expr("/value", raw["value"], kind=of) if "value" in raw else None
    where = ctx.expr("/where", raw["where"], kind=of) if "where" in raw else None
    if function != "count" and "value" not in raw:
        ctx.add("missing-value-expression", "", function=function)
        return None
    if function == "count" and "value" in raw:
        ctx.add("value-with-count", "/value")
        return None
    empty = ctx.literal("/empty", raw["empty"]) if "empty" in raw else _NO_EMPTY
    rounding = ctx.rounding("/round", raw.get("round"))
    if ("value" in raw and value is None) or ("where" in raw and where is None):
        return None
    return Built(Aggregate(of, function, value, where, empty, rounding))


def evaluate(spec: Aggregate, frame: Frame) -> Mapping[str, Outcome | PolicyError]:
    found: dict[str, Outcome | PolicyError] = {}
    # Prepared once: the same expressions run for every child of every record.
    where = frame.runner(spec.where, spec.of) if spec.where is not None else None
    value = frame.runner(spec.value, spec.of) if spec.value is not None else None
    for key in frame.records():
        bad = frame.unsound(key, spec.of)
        if bad is not None:
            words = {"of": spec.of, "record": bad, "kind": frame.kind, "function": spec.function}
            found[key] = fail("incomplete-group", "aggregate", words, kind=spec.of, record=bad)
            continue
        try:
            found[key] = _one(spec, frame, key, where, value)
        except PolicyError as error:
            found[key] = error
    return found


def _one(
    spec: Aggregate,
    frame: Frame,
    key: str,
    where: Callable[[str], Any] | None,
    value: Callable[[str], Any] | None,
) -> Outcome:
    children = frame.descendants(key, spec.of)
    at_once = _at_once(spec, frame, key, children)
    if at_once is not None:
        return _outcome(spec, *at_once)
    values: list[Any] = []
    counted: list[str] = []
    # Children are visited in order and the first problem met is the one
    # reported, as always; the per-child question is skipped when no child failed.
    some_failed = frame.has_failures(spec.of)
    numeric = spec.function in _NUMERIC
    boolean = spec.function in ("any", "all")
    for child in children:  # the loop of a month: every call of every rep
        if some_failed and frame.unusable(child, spec.of) is not None:
            words = {"of": spec.of, "record": child, "kind": frame.kind, "function": spec.function}
            raise fail("incomplete-group", "aggregate-failed", words, kind=spec.of, record=child)
        try:
            if where is not None:
                applies = where(child)
                if applies is not True and _truth(applies) is False:
                    continue
            item = value(child) if value is not None else None
        except PolicyError as error:
            raise error.at(record=key) from error
        kind = type(item)
        if numeric and kind is not Decimal and kind is not int and not is_number(item):
            words = {"of": spec.of, "record": child, "value": repr(item)}
            raise fail("type-mismatch", "aggregate-number", words)
        if boolean and kind is not bool:
            words = {"of": spec.of, "record": child, "value": repr(item)}
            raise fail("type-mismatch", "aggregate-bool", words)
        values.append(item)
        counted.append(child)
    return _outcome(spec, values, counted)


_NUMBERS = frozenset({Decimal, int})
_BOOLEANS = frozenset({bool})


def _at_once(
    spec: Aggregate, frame: Frame, key: str, children: list[str]
) -> tuple[list[Any], list[str]] | None:
    """The values and the children counted, each expression run over all the children
    in one call; None when a child failed earlier or anything is amiss, and the
    children are then visited one by one, which reports the first problem exactly."""
    if frame.has_failures(spec.of):
        return None
    try:
        counted = children
        if spec.where is not None:
            applies = frame.run_below(spec.where, key, spec.of)
            if not set(map(type, applies)) <= _BOOLEANS:
                return None
            counted = list(itertools.compress(children, applies))
        if spec.value is None:
            return [None] * len(counted), counted
        if spec.where is None:
            values = frame.run_below(spec.value, key, spec.of)
        else:
            values = frame.run_many(spec.value, counted, spec.of)
    except Exception:  # met again, one child at a time, and reported as it should be
        return None
    if spec.function in _NUMERIC:
        wanted: frozenset[type] | None = _NUMBERS
    else:
        wanted = _BOOLEANS if spec.function in ("any", "all") else None
    if wanted is not None and not set(map(type, values)) <= wanted:
        return None
    return values, counted


def _outcome(spec: Aggregate, values: list[Any], counted: list[str]) -> Outcome:
    detail: dict[str, Any] = {
        "of": spec.of,
        "function": spec.function,
        "count": len(counted),
        "records": counted,
    }
    if spec.value is not None:
        detail["value"] = spec.value.source
        detail["values"] = values
    if spec.where is not None:
        detail["where"] = spec.where.source
    result = _combine(spec, values, detail)
    return Outcome(clamp_and_round(result, spec.rounding, None, None, detail), detail)


def _truth(value: Any) -> bool:
    if not isinstance(value, bool):
        raise fail("type-mismatch", "where", {"value": repr(value)})
    return value


def _combine(spec: Aggregate, values: list[Any], detail: dict[str, Any]) -> Any:
    function = spec.function
    if function == "count":
        return len(values)
    if function == "sum":
        return sum(values, Decimal(0))
    if function == "any":
        return any(values)
    if function == "all":
        return all(values)
    if not values:
        if spec.empty is _NO_EMPTY:
            raise fail("empty-group", "", {"of": spec.of, "function": function})
        detail["empty"] = True
        return spec.empty
    if function == "min":
        return min(values)
    if function == "max":
        return max(values)
    return CONTEXT.divide(sum(values, Decimal(0)), Decimal(len(values)))


def explain(detail: Mapping[str, Any]) -> list[str]:
    """What the trace says of how this kind reached its value."""
    lines: list[str] = []
    what = f" of {detail['value']}" if detail.get("value") else ""
    where = f" where {detail['where']}" if detail.get("where") else ""
    lines.append(
        f"{detail['function']}{what} over {detail['count']} {detail['of']} "
        f"records{where}: {', '.join(str(r) for r in detail['records'][:20])}"
        + (" …" if len(detail["records"]) > 20 else "")
    )
    if detail.get("empty"):
        lines.append("no record counted: the declared empty value applies")
    return lines


def value_type(spec: Aggregate, types: TypeReader) -> ValueType:
    """A count is a count, any/all a yes or no; the other roll-ups have the type of what
    they roll up, read over the child kind."""
    if spec.function == "count":
        return "count"
    if spec.function in ("any", "all"):
        return "boolean"
    return types.of(spec.value, spec.of)


KIND = PopulationKind("aggregate", build, evaluate, explain, value_type=value_type)
