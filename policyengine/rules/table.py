"""``table``: a decision table with a hit policy.

``first`` takes the first row whose ``when`` holds; ``unique`` requires at
most one row to hold (two rows holding is an error naming both); ``collect``
gathers every holding row's ``then`` and combines them with ``aggregate``
(sum, min, max, count). With no row holding, ``default`` is the answer; a
table without one reports an error rather than inventing a value.

A row's ``then`` (or the default, or one of their named values) is written
as it is meant: ``then: band.base`` is the text "band.base". A value
computed for the record is written ``{expr: band.base}``: an expression like
any other, its names resolved and read in order, evaluated when its row
holds. A table with one runs through its compiled function, not inline in
the fused one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from ..core._display import show_value as _show
from ..core._numbers import is_number
from ..core._text_templates import ENGLISH, Saying
from ..errors import EvaluationError
from ..language._expressions import Expression
from ..language._fused_source import GIVE_UP, FusedSource
from ..language._value_kinds import fail
from ..model import frozen_mapping
from .base import (
    Built,
    Code,
    CodeOf,
    Detail,
    Emitted,
    RuleCode,
    RuleContext,
    RuleKind,
    TypeReader,
    ValueType,
    WrittenValues,
    emitted_constants,
)

_NO_DEFAULT = object()


@attrs.frozen
class DecisionRow:
    """One row of a decision table: its test, its values, and how people know it."""

    when: Expression
    then: Any
    title: str | None = None
    source: str | None = None


@attrs.frozen
class DecisionTable:
    hit: str
    rows: tuple[DecisionRow, ...]
    aggregate: str | None = None
    default: Any = _NO_DEFAULT

    @property
    def defaults(self) -> tuple[Any, ...]:
        """The default, if the table has one (it may be any value, None included)."""
        return () if self.default is _NO_DEFAULT else (self.default,)


def _shape(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, Mapping) else ()


def computed(value: Any) -> bool:
    """Whether a written value is the expression form ``{expr: band.base}``: plain text
    stays text (``then: band.base`` is the text "band.base")."""
    return isinstance(value, Mapping) and len(value) == 1 and "expr" in value


def _value(ctx: RuleContext, at: str, raw: Any) -> Any:
    """A row's ``then`` or the default: a value, an expression, or named values of either.
    None when an expression is refused (its problem is reported)."""
    if computed(raw):
        return ctx.expr(at + "/expr", raw["expr"])
    if isinstance(raw, Mapping):
        values = {name: _value(ctx, f"{at}/{name}", item) for name, item in raw.items()}
        return None if None in values.values() else frozen_mapping(values.items())
    return ctx.literal(at, raw)


def build(ctx: RuleContext) -> Built | None:
    raw = ctx.raw
    hit = raw["hit"]
    aggregate = raw.get("aggregate")
    ok = _hit_and_aggregate(ctx, hit, aggregate)
    rows: list[DecisionRow] = []
    shape: tuple[str, ...] | None = None
    for index, item in enumerate(raw["rows"]):
        at = f"/rows/{index}"
        when = ctx.expr(at + "/when", item["when"])
        then = _value(ctx, at + "/then", item["then"])
        if shape is None:
            shape = _shape(then)
        elif then is not None and _shape(then) != shape:
            _rows_differ(ctx, at + "/then", index + 1, _shape(then), shape)
            ok = False
        summed = hit == "collect" and aggregate in ("sum", "min", "max")
        if summed and not (is_number(then) or isinstance(then, Expression | None)):
            ctx.add(
                "collect-needs-numbers",
                at + "/then",
                aggregate=aggregate,
                row=index + 1,
                value=repr(then),
            )
            ok = False
        if when is None or then is None:
            ok = False
        else:
            rows.append(DecisionRow(when, then, item.get("title"), item.get("source")))
    default = _NO_DEFAULT
    if "default" in raw:
        default = _value(ctx, "/default", raw["default"])
        ok = ok and default is not None
        if shape is not None and _shape(default) != shape:
            ctx.add("row-values-differ", "/default", form="default")
            ok = False
    if not ok:
        return None
    outputs = shape if hit != "collect" and shape else ()
    return Built(DecisionTable(hit, tuple(rows), aggregate, default), outputs or ())


def _hit_and_aggregate(ctx: RuleContext, hit: str, aggregate: Any) -> bool:
    """Whether ``aggregate`` is given exactly when the hit policy collects."""
    if hit == "collect" and aggregate is None:
        ctx.add("missing-aggregate", "")
        return False
    if hit != "collect" and aggregate is not None:
        ctx.add("aggregate-without-collect", "/aggregate", at_key=True)
        return False
    return True


def _holds(index: int, when: Code, env: Any) -> bool:
    result = when(env)
    if type(result) is not bool:
        raise _not_yes_no(index, result)
    return result


def _not_yes_no(index: int, result: Any) -> EvaluationError:
    return fail("type-mismatch", "table-condition", {"row": index + 1, "value": repr(result)})


#: What a row (or the default) gives for a record: its value, computed if it is an expression.
Give = Callable[[Any], Any]


def _giver(value: Any, code_of: CodeOf) -> Give:
    """A row's value for a record: the value itself, or its expressions evaluated."""
    if isinstance(value, Expression):
        return code_of(value)
    if isinstance(value, Mapping) and any(isinstance(v, Expression) for v in value.values()):
        parts = [
            (name, code_of(item) if isinstance(item, Expression) else None, item)
            for name, item in value.items()
        ]
        return lambda env: frozen_mapping(
            (name, code(env) if code is not None else item) for name, code, item in parts
        )
    return lambda env: value


def has_expressions(spec: DecisionTable) -> bool:
    """Whether a row or the default is computed (``{expr: …}``)."""
    values = [row.then for row in spec.rows] + list(spec.defaults)
    return any(
        isinstance(value, Expression)
        or (isinstance(value, Mapping) and any(isinstance(v, Expression) for v in value.values()))
        for value in values
    )


def compile_rule(spec: DecisionTable, code_of: CodeOf) -> RuleCode:
    rows = [
        (index, row, code_of(row.when), _giver(row.then, code_of))
        for index, row in enumerate(spec.rows)
    ]
    default = _giver(spec.default, code_of) if spec.defaults else None
    hit = spec.hit

    def value_of(env: Any, detail: Detail = None) -> Any:
        if detail is not None:
            detail["hit"] = hit
        if hit == "first":
            for index, row, when, give in rows:
                holds = when(env)
                if holds is True:
                    value = give(env)
                    if detail is not None:
                        detail["rows"] = [_row_detail(index, row, value)]
                    return value
                if holds is not False:
                    raise _not_yes_no(index, holds)
            return _fallback(spec, default, env, detail)
        matched = [
            (index, row, give(env)) for index, row, when, give in rows if _holds(index, when, env)
        ]
        if detail is not None:
            detail["rows"] = [_row_detail(i, row, value) for i, row, value in matched]
        if hit == "unique":
            if len(matched) > 1:
                (a, row_a, _), (b, row_b, _) = matched[0], matched[1]
                raise fail(
                    "rows-overlap",
                    "",
                    {"first": a + 1, "second": b + 1},
                    rows=[a + 1, b + 1],
                    conditions=[row_a.when.source, row_b.when.source],
                )
            if matched:
                return matched[0][2]
            return _fallback(spec, default, env, detail)
        if spec.aggregate == "count":
            return len(matched)
        values = [_collected(index, value) for index, _, value in matched]
        if spec.aggregate == "sum":
            return sum(values, Decimal(0))
        if not values:
            return _fallback(spec, default, env, detail)
        return min(values) if spec.aggregate == "min" else max(values)

    return value_of


def _collected(index: int, value: Any) -> Any:
    """A value a collect table combines: a number (a computed row may give anything)."""
    if not is_number(value):
        raise fail("type-mismatch", "table-sum", {"row": index + 1, "value": repr(value)})
    return value


def _row_detail(index: int, row: DecisionRow, value: Any) -> dict[str, Any]:
    return {
        "number": index + 1,
        "when": row.when.source,
        "then": value,
        "title": row.title,
        "source": row.source,
    }


def _fallback(spec: DecisionTable, default: Give | None, env: Any, detail: Detail) -> Any:
    if default is None:
        raise fail("no-row-matched", "", {})
    if detail is not None:
        detail["default"] = True
    return default(env)


def explain(detail: Mapping[str, Any], said: Saying = ENGLISH) -> list[str]:
    """What the trace says of how this kind reached its value."""
    lines: list[str] = []
    for row in detail.get("rows", []):
        label = f" «{row['title']}»" if row.get("title") else ""
        src = f" [{row['source']}]" if row.get("source") else ""
        then = _show(row["then"])
        words = {"number": row["number"], "when": row["when"], "then": then}
        lines.append(said("table-row", title=label, source=src, **words))
    if detail.get("default"):
        lines.append(said("table-default"))
    return lines


def emit(spec: DecisionTable, source: FusedSource, target: str) -> Emitted | None:
    """A first-hit table inline, as an if/elif chain over its rows; a row whose condition
    is neither yes nor no, or no row holding without a default, gives up. The other hit
    policies look at every row: they run through their compiled function."""
    if spec.hit != "first" or has_expressions(spec):
        return None  # a computed value runs through the compiled function
    lines: list[str] = []
    holds = source.local()
    values = [row.then for row in spec.rows]
    for index, row in enumerate(spec.rows):
        test, not_yes_no = source.condition(row.when, holds)
        value = source.constant(row.then)
        lines += [f"{'if' if index == 0 else 'elif'} {test}:", f"    {target} = {value}"]
        if not_yes_no is not None:  # neither yes nor no: the chain stops there
            lines += [f"elif {not_yes_no}:", f"    {GIVE_UP}"]
    if spec.default is _NO_DEFAULT:
        lines += ["else:", f"    {GIVE_UP}"] if lines else [GIVE_UP]
    else:
        values.append(spec.default)
        value = source.constant(spec.default)
        lines += ["else:", f"    {target} = {value}"] if lines else [f"{target} = {value}"]
    return emitted_constants(lines, values)


def value_type(spec: DecisionTable, types: TypeReader) -> ValueType:
    """A count of the rows that hold is a count (another collect: not said); a single hit
    gives the values written in the rows and the default."""
    if spec.hit == "collect":
        return "count" if spec.aggregate == "count" else None
    return types.written([row.then for row in spec.rows] + list(spec.defaults))


def written(spec: DecisionTable, raw: Mapping[str, Any]) -> WrittenValues:
    """The rows' ``then`` and the default as written; any may be computed."""
    items = [(f"/rows/{i}/then", row.get("then")) for i, row in enumerate(raw["rows"])]
    if "default" in raw:
        items.append(("/default", raw["default"]))
    return WrittenValues(tuple(items), computed=True)


KIND = RuleKind("table", build, compile_rule, explain, emit, value_type, written=written)


def _rows_differ(
    ctx: RuleContext, at: str, row: int, given: tuple[str, ...], first: tuple[str, ...]
) -> None:
    """Report that row ``row`` gives other named values (``given``) than row 1 (``first``)."""
    if given and first:
        ctx.add("row-values-differ", at, row=row, outputs=", ".join(given), first=", ".join(first))
    elif first:
        ctx.add("row-values-differ", at, form="one-value", row=row, first=", ".join(first))
    else:
        ctx.add("row-values-differ", at, form="first-one-value", row=row, outputs=", ".join(given))
