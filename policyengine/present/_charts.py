"""The workbook's chart sheet: the month at a glance.

Two bar charts (openpyxl charts, over small tables on the same sheet, so
that the numbers behind each bar are there to read):

- **Pay by group**: the total of the pay sheet's pay amount for each record
  of the kind above it (each team's total net pay). The amount charted is
  the output named ``net_pay``, else ``total_pay``, else the last amount
  column of the pay sheet (an output that adds up and is not a count).
- **This month against the previous one**: the total of each amount of the
  pay sheet a rule rounds (each amount, if no rule rounds one) this month and
  the month before, when the previous month's
  values are at hand (the ``history`` handed to the report, or the history
  the month was evaluated with). Otherwise that chart is left out and the
  sheet says why.

The totals are exact sums of the values; a record lacking the value is
counted and said.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from ..core._numbers import total as exact_total
from ..core._period import Period
from ..run._bundle import BundleResult
from ._report_numbers import NumberStyle
from ._report_records import Column

__all__ = ["CHARTS_SHEET", "Charts", "build_charts", "write_charts"]

CHARTS_SHEET = "图表 Charts"
#: The pay amount charted by group, by preference.
_PAY_NAMES = ("net_pay", "total_pay")
_AMOUNT = NumberStyle(2, True, True)

Put = Callable[..., Any]


@attrs.frozen
class Charts:
    """What the chart sheet shows."""

    #: The amount charted by group, its group kind's title, and (group, total) pairs.
    amount: Column | None = None
    group: str = ""
    by_group: tuple[tuple[str, Decimal], ...] = ()
    #: Records of the pay kind lacking the amount (failed or refused).
    lacking: int = 0
    #: The previous month and (title, previous total, this total) per amount; or why not.
    previous: str | None = None
    totals: tuple[tuple[str, Decimal, Decimal], ...] = ()
    why_not: str | None = None


def build_charts(
    result: BundleResult, kind: str, columns: tuple[Column, ...], rows: Any, history: Any
) -> Charts:
    """The charts of the pay sheet (``columns`` and ``rows`` of records of ``kind``);
    ``history`` holds earlier months' values by period (None: the result's own)."""
    entities = result.entities
    amounts = [(i, c) for i, c in enumerate(columns) if c.style is not None and c.style.totalled]
    amounts = [(i, c) for i, c in amounts if c.style is not None and not c.style.whole]
    parent = entities.kinds[kind].parent if kind in entities.kinds else None
    if not amounts or parent is None:
        return Charts(why_not="the pay sheet has no amount, or its records no group")
    chosen = _chosen(amounts)
    position = [c.name for c in columns].index(parent.field)
    groups: dict[str, Decimal] = {}
    lacking = 0
    for row in rows:
        value, group = row[chosen[0]], row[position]
        if value is None or group is None:
            lacking += 1
            continue
        groups[str(group)] = exact_total((groups.get(str(group), Decimal(0)), value))
    group_kind = entities.kinds[parent.kind]
    charts = Charts(
        chosen[1], group_kind.title or parent.kind, tuple(sorted(groups.items())), lacking
    )
    return _with_previous(charts, result, kind, amounts, rows, history)


def _chosen(amounts: list[tuple[int, Column]]) -> tuple[int, Column]:
    for wanted in _PAY_NAMES:
        for index, column in amounts:
            if (column.output or "").split(".")[-1] == wanted:
                return index, column
    return amounts[-1]


def _with_previous(
    charts: Charts,
    result: BundleResult,
    kind: str,
    amounts: list[tuple[int, Column]],
    rows: Any,
    history: Any,
) -> Charts:
    previous = Period.parse(result.period).shift(-1).key
    past: Mapping[str, Any] = (history if history is not None else result.history).get(previous, {})
    records = past.get(kind, {})
    # The amounts a rule rounds (the ones paid), when there are any: a chart to read.
    declared = [(i, c) for i, c in amounts if c.style is not None and c.style.declared]
    totals = []
    for index, column in declared or amounts:
        before = [_value(env, column) for env in records.values()]
        known = [v for v in before if v is not None]
        if known:
            now = exact_total(row[index] for row in rows if row[index] is not None)
            totals.append((column.title, exact_total(known), now))
    if not totals:
        why = (
            f"no values of {previous} are at hand: none were handed to the report "
            "(write_report(..., history=...)), and the month read none of its amounts"
        )
        return attrs.evolve(charts, previous=previous, why_not=why)
    return attrs.evolve(charts, previous=previous, totals=tuple(totals))


def _value(env: Mapping[str, Any], column: Column) -> Decimal | None:
    """One record's value of ``column`` in an earlier month's values (``rule`` or
    ``rule.part``), as an exact number, or None."""
    rule, _, part = (column.output or "").partition(".")
    found = env.get(rule)
    if part and isinstance(found, Mapping):
        found = found.get(part)
    if isinstance(found, bool) or not isinstance(found, Decimal | int | str):
        return None
    try:
        return Decimal(found)
    except ArithmeticError:
        return None


def write_charts(sheet: Any, charts: Charts, put: Put) -> None:
    """The chart sheet: each chart's table and the chart beside it; ``put`` writes a cell
    as the workbook writes every cell."""
    row = 1
    if charts.amount is None:
        put(sheet, row, 1, charts.why_not or "")
        return
    put(sheet, row, 1, f"{charts.amount.title}（按{charts.group}合计） by {charts.group}")
    put(sheet, row + 1, 1, charts.group)
    put(sheet, row + 1, 2, charts.amount.title)
    for number, (group, total) in enumerate(charts.by_group, start=row + 2):
        put(sheet, number, 1, group)
        put(sheet, number, 2, total, _AMOUNT)
    last = row + 1 + len(charts.by_group)
    if charts.lacking:
        put(sheet, last + 1, 1, f"{charts.lacking} records lack the value (not in the totals)")
    _bar(sheet, f"{charts.amount.title}（按{charts.group}）", (row + 1, last), 1, "D1")
    row = max(last + 3, 24)  # below the first chart
    if not charts.totals:
        put(sheet, row, 1, f"没有上月对比 No comparison with {charts.previous}: {charts.why_not}")
        return
    put(sheet, row, 1, f"本月与 {charts.previous} 合计对比 Totals against {charts.previous}")
    put(sheet, row + 1, 1, "amount")
    put(sheet, row + 1, 2, str(charts.previous))
    put(sheet, row + 1, 3, "this month")
    for number, (title, before, now) in enumerate(charts.totals, start=row + 2):
        put(sheet, number, 1, title)
        put(sheet, number, 2, before, _AMOUNT)
        put(sheet, number, 3, now, _AMOUNT)
    last = row + 1 + len(charts.totals)
    _bar(sheet, f"本月与 {charts.previous} 合计对比", (row + 1, last), 2, f"E{row}")


def _bar(sheet: Any, title: str, rows: tuple[int, int], series: int, anchor: str) -> None:
    """A column chart of ``series`` columns (from B) over ``rows`` (the first holds the
    series' names, column A the categories)."""
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type = "col"
    chart.title = title
    chart.width, chart.height = 24, 10
    first, last = rows
    data = Reference(sheet, min_col=2, max_col=1 + series, min_row=first, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=first + 1, max_row=last))
    sheet.add_chart(chart, anchor)
