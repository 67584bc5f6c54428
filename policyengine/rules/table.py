"""``table``: a decision table with a hit policy.

``first`` takes the first row whose ``when`` holds; ``unique`` requires at
most one row to hold (two rows holding is an error naming both); ``collect``
gathers every holding row's ``then`` and combines them with ``aggregate``
(sum, min, max, count). With no row holding, ``default`` is the answer; a
table without one reports an error rather than inventing a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from ..core._display import show_value as _show
from ..core._numbers import is_number
from ..errors import EvaluationError
from ..language._expressions import Expression
from ..language._fused_source import GIVE_UP, FusedSource
from .base import (
    Built,
    Code,
    CodeOf,
    Detail,
    Emitted,
    RuleCode,
    RuleContext,
    RuleKind,
    emitted_constants,
)

_NO_DEFAULT = object()


@attrs.frozen
class DecisionRow:
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


def _shape(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, Mapping) else ()


def build(ctx: RuleContext) -> Built | None:
    raw = ctx.raw
    hit = raw["hit"]
    aggregate = raw.get("aggregate")
    ok = True
    if hit == "collect" and aggregate is None:
        ctx.add("missing-aggregate", "")
        ok = False
    if hit != "collect" and aggregate is not None:
        ctx.add("aggregate-without-collect", "/aggregate", at_key=True)
        ok = False
    rows: list[DecisionRow] = []
    shape: tuple[str, ...] | None = None
    for index, item in enumerate(raw["rows"]):
        at = f"/rows/{index}"
        when = ctx.expr(at + "/when", item["when"])
        then = ctx.literal(at + "/then", item["then"])
        if shape is None:
            shape = _shape(then)
        elif _shape(then) != shape:
            _rows_differ(ctx, at + "/then", index + 1, _shape(then), shape)
            ok = False
        if hit == "collect" and aggregate in ("sum", "min", "max") and not is_number(then):
            ctx.add(
                "collect-needs-numbers",
                at + "/then",
                aggregate=aggregate,
                row=index + 1,
                value=repr(then),
            )
            ok = False
        if when is None:
            ok = False
        else:
            rows.append(DecisionRow(when, then, item.get("title"), item.get("source")))
    default = _NO_DEFAULT
    if "default" in raw:
        default = ctx.literal("/default", raw["default"])
        if shape is not None and _shape(default) != shape:
            ctx.add("row-values-differ", "/default", form="default")
            ok = False
    if not ok:
        return None
    outputs = shape if hit != "collect" and shape else ()
    return Built(DecisionTable(hit, tuple(rows), aggregate, default), outputs or ())


def _holds(index: int, when: Code, env: Any) -> bool:
    result = when(env)
    if type(result) is not bool:
        raise _not_yes_no(index, result)
    return result


def _not_yes_no(index: int, result: Any) -> EvaluationError:
    return EvaluationError(
        f"row {index + 1}'s condition must be true or false, found {result!r}",
        code="type-mismatch",
    )


def compile_rule(spec: DecisionTable, code_of: CodeOf) -> RuleCode:
    rows = [(index, row, code_of(row.when)) for index, row in enumerate(spec.rows)]
    hit = spec.hit

    def value_of(env: Any, detail: Detail = None) -> Any:
        if detail is not None:
            detail["hit"] = hit
        if hit == "first":
            for index, row, when in rows:
                holds = when(env)
                if holds is True:
                    if detail is not None:
                        detail["rows"] = [_row_detail(index, row)]
                    return row.then
                if holds is not False:
                    raise _not_yes_no(index, holds)
            return _fallback(spec, detail)
        matched = [(index, row) for index, row, when in rows if _holds(index, when, env)]
        if detail is not None:
            detail["rows"] = [_row_detail(i, row) for i, row in matched]
        if hit == "unique":
            if len(matched) > 1:
                (a, row_a), (b, row_b) = matched[0], matched[1]
                raise EvaluationError(
                    f"rows {a + 1} and {b + 1} both hold, but the table's hit policy is unique",
                    code="rows-overlap",
                    details={
                        "rows": [a + 1, b + 1],
                        "conditions": [row_a.when.source, row_b.when.source],
                    },
                    hint="make the conditions exclusive, or use hit: first",
                )
            if matched:
                return matched[0][1].then
            return _fallback(spec, detail)
        values = [row.then for _, row in matched]
        if spec.aggregate == "count":
            return len(values)
        if spec.aggregate == "sum":
            return sum(values, Decimal(0))
        if not values:
            return _fallback(spec, detail)
        return min(values) if spec.aggregate == "min" else max(values)

    return value_of


def _row_detail(index: int, row: DecisionRow) -> dict[str, Any]:
    return {
        "number": index + 1,
        "when": row.when.source,
        "then": row.then,
        "title": row.title,
        "source": row.source,
    }


def _fallback(spec: DecisionTable, detail: Detail) -> Any:
    if spec.default is _NO_DEFAULT:
        raise EvaluationError(
            "no row of the table holds for this record and the table has no default",
            code="no-row-matched",
            hint="add a last row with when: true, or a default",
        )
    if detail is not None:
        detail["default"] = True
    return spec.default


def explain(detail: Mapping[str, Any]) -> list[str]:
    """What the trace says of how this kind reached its value."""
    lines: list[str] = []
    for row in detail.get("rows", []):
        label = f" «{row['title']}»" if row.get("title") else ""
        src = f" [{row['source']}]" if row.get("source") else ""
        lines.append(f"row {row['number']}{label} holds: {row['when']} → {_show(row['then'])}{src}")
    if detail.get("default"):
        lines.append("no row holds: the table's default applies")
    return lines


def emit(spec: DecisionTable, source: FusedSource, target: str) -> Emitted | None:
    """A first-hit table inline, as an if/elif chain over its rows; a row whose condition
    is neither yes nor no, or no row holding without a default, gives up. The other hit
    policies look at every row: they run through their compiled function."""
    if spec.hit != "first":
        return None
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


KIND = RuleKind("table", build, compile_rule, explain, emit)


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
