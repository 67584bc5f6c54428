"""A month's results for people: the pay sheet, summaries, errors and provenance.

Built from a :class:`~policyengine.run._bundle.BundleResult`, generic over the
policies in force: the columns are the outputs of the rules that apply,
named ``policy.output`` and titled by the rule's ``title:`` (else by the
name), so a new policy adds columns without a change here.

- **Pay sheet**: one row per record of the pay kind (the rep, as the
  centre's entities say: the kind with a parent and children that policies
  apply to), with its key, its ``name`` and its parent link when the kind
  has such fields, every output of every policy applying to the kind, and
  the codes of the record's errors and of the values it lacks (a record with
  an error keeps its row, its failed values empty, so nobody silently drops
  off the sheet).
- **Summaries**: one per kind above the pay kind (the team): every output
  of the policies applying to it, the number of records of each kind
  below it, and the number of errors among them.
- **Errors**: every record or input error, with the file, row and column of
  the record when the facts files are known (:class:`~policyengine.io.FactsIndex`).

What the result holds (its outputs by kind, its records and their errors) is
read in :mod:`policyengine.present._report_records`; the tables are built here.
- **Provenance**: every version with its SHA-256, the bundle hash, the
  inputs hash, the entities hash, the engine version, the period and the
  as-known-at date.

The writers, one module per format, are listed by suffix in
:mod:`policyengine.writers`; the printed month summary is in :mod:`policyengine.summary`.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ..codes import ErrorCode
from ..core._display import cell_text
from ..core._messages import Catalogue
from ..errors import PolicyError
from ..facts._io import FactsIndex, Place
from ..facts._record_kinds import RecordKind
from ..run._bundle import BundleResult
from ..run._run_state import PastValues
from ._cells import csv_cell
from ._charts import Charts, build_charts
from ._report_records import (
    Column,
    Output,
    RecordIndex,
    entities_of,
    outputs,
    pay_kind,
    record_keys,
    record_label,
)
from ._root_causes import by_cause

__all__ = [
    "CONSEQUENCES",
    "ERRORS_COLUMN",
    "ERRORS_SHEET",
    "FIXED_TIME",
    "PAY_SHEET",
    "PROVENANCE_SHEET",
    "Column",
    "Report",
    "Reporter",
    "Table",
    "build_report",
    "csv_safe",
    "pay_kind",
    "record_keys",
    "text",
]

#: The fixed time stamped on every workbook (its properties and its zip entries), so
#: that the same result gives the same bytes: the earliest time a zip file can hold.
FIXED_TIME = datetime.datetime(1980, 1, 1)
#: Sheet names.
PAY_SHEET = "工资表 Pay"
ERRORS_SHEET = "错误 Errors"
PROVENANCE_SHEET = "来源 Provenance"
#: The column of a pay-sheet row naming the record's errors.
ERRORS_COLUMN = "errors"

#: Codes that follow from another error (reported there): shown after the causes.
CONSEQUENCES: frozenset[ErrorCode] = frozenset(
    {"invalid-parent", "incomplete-group", "failed-input"}
)

Reporter = Callable[[int, int], None]


@attrs.frozen
class Table:
    """A sheet: columns, and rows of plain values (Decimal, int, bool, str, date, None …)."""

    name: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]

    def records(self) -> list[dict[str, Any]]:
        """The rows as mappings by column name."""
        names = [c.name for c in self.columns]
        return [dict(zip(names, row, strict=True)) for row in self.rows]


@attrs.frozen
class Report:
    """The month's pay sheet, summaries, errors and provenance."""

    period: str
    kind: str
    pay: Table
    summaries: tuple[Table, ...]
    errors: Table
    provenance: Mapping[str, Any]
    #: What the workbook's chart sheet shows (None: no chart sheet).
    charts: Charts | None = None


def _name_field(kind: RecordKind) -> str | None:
    for candidate in ("name", f"{kind.name}_name"):
        if candidate in kind.fields:
            return candidate
    return None


def _field_column(kind: RecordKind, name: str) -> Column:
    field = kind.fields[name]
    return Column(name, field.title or name)


def build_report(
    result: BundleResult,
    *,
    index: FactsIndex | None = None,
    kind: str | None = None,
    history: PastValues | None = None,
    catalogue: Catalogue | None = None,
) -> Report:
    """The pay sheet (of ``kind``, by default :func:`pay_kind`), summaries, errors,
    provenance and charts of a month's result; ``index`` locates errors in the facts
    files; ``history`` holds earlier months' values by period, for the chart comparing
    the month with the one before (by default, those the month was evaluated with);
    the errors' messages and hints in ``catalogue``'s language (else English)."""
    entities = entities_of(result)
    chosen = kind or pay_kind(result)
    records = RecordIndex(result)
    pay = _pay_table(result, records, entities.kinds[chosen]) if chosen else _empty(PAY_SHEET)
    summaries = tuple(
        _summary_table(result, records, entities.kinds[above])
        for above in (entities.ancestors(chosen) if chosen else ())
    )
    return Report(
        period=result.provenance.period,
        kind=chosen,
        pay=pay,
        summaries=summaries,
        errors=_errors_table(result, index, catalogue),
        provenance=result.provenance.to_dict(),
        charts=build_charts(result, chosen, pay.columns, pay.rows, history) if chosen else None,
    )


def _empty(name: str) -> Table:
    return Table(name, (), ())


def _pay_table(result: BundleResult, records: RecordIndex, kind: RecordKind) -> Table:
    fields = [kind.key]
    name_field = _name_field(kind)
    if name_field:
        fields.append(name_field)
    if kind.parent is not None and kind.parent.field not in fields:
        fields.append(kind.parent.field)
    found = outputs(result, kind.name)
    columns = (
        *(_field_column(kind, f) for f in fields),
        *(o.column for o in found),
        Column(ERRORS_COLUMN, "错误"),
    )
    raw = _raw_records(result, kind) if records.refused.get(kind.name) else {}
    rows = []
    for key in records.keys(kind.name):
        env = records.env(kind.name, key)
        source = env if env is not None else raw.get(key, {})
        values: list[Any] = [key, *(source.get(f) for f in fields[1:])]
        ok = records.evaluated(kind.name, key)
        values.extend(o.value(env) if ok and env is not None else None for o in found)
        values.append(records.codes(kind.name, key))
        rows.append(tuple(values))
    return Table(PAY_SHEET, _styled(columns, rows, found, len(fields)), tuple(rows))


def _raw_records(result: BundleResult, kind: RecordKind) -> dict[str, Mapping[str, Any]]:
    """The refused records of ``kind`` as given (they have no typed fields), by label."""
    found: dict[str, Mapping[str, Any]] = {}
    for label in result.refused(kind.name):
        record = result.given(kind.name, label)
        if record is not None:
            found[label] = record
    return found


def _summary_table(result: BundleResult, records: RecordIndex, kind: RecordKind) -> Table:
    entities = records.entities
    below = [k for k in entities.kinds if kind.name in entities.ancestors(k)]
    name_field = _name_field(kind)
    fields = [kind.key, *([name_field] if name_field else [])]
    found = outputs(result, kind.name)
    columns = (
        *(_field_column(kind, f) for f in fields),
        *(o.column for o in found),
        *(Column(f"records.{k}", f"{entities.kinds[k].title or k} 记录数") for k in below),
        Column(ERRORS_COLUMN, "错误数"),
    )
    counts: dict[str, Counter[str]] = {}
    for lower in below:
        counts[lower] = records.count_below(lower, kind.name)
    errors: Counter[str] = Counter()
    for (error_kind, label), found_errors in records.errors.items():
        if error_kind == kind.name or error_kind in below:
            owner = records.ancestor(error_kind, label, kind.name)
            if owner is not None:
                errors[owner] += len(found_errors)
    raw = _raw_records(result, kind) if records.refused.get(kind.name) else {}
    rows = []
    for key in records.keys(kind.name):
        env = records.env(kind.name, key)
        source = env if env is not None else raw.get(key, {})
        ok = records.evaluated(kind.name, key)
        rows.append(
            (
                key,
                *(source.get(f) for f in fields[1:]),
                *(o.value(env) if ok and env is not None else None for o in found),
                *(counts[lower][key] for lower in below),
                errors[key],
            )
        )
    title = kind.title or ""
    plural = _plural(kind.name.capitalize())
    name = f"{title}汇总 {plural}" if title else plural
    styled = _styled(columns, rows, found, len(fields))
    return Table(_sheet_name(name), styled, tuple(rows))


def _plural(noun: str) -> str:
    """An English noun's plural, as a sheet's name says it: Teams, Companies, Branches."""
    if noun.endswith("y") and noun[-2:-1].lower() not in ("a", "e", "i", "o", "u", ""):
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    return noun + "s"


def _styled(
    columns: tuple[Column, ...], rows: list[tuple[Any, ...]], found: list[Output], first: int
) -> tuple[Column, ...]:
    """The columns, each output's with the style its values are shown in (the outputs
    start at column ``first``)."""
    styled = list(columns)
    for offset, output in enumerate(found, start=first):
        style = output.style(row[offset] for row in rows)
        if style is not None:
            styled[offset] = attrs.evolve(columns[offset], style=style)
    return tuple(styled)


_ERROR_COLUMNS = (
    Column("kind", "类型"),
    Column("record", "记录"),
    Column("policy", "政策"),
    Column("rule", "规则"),
    Column("field", "字段"),
    Column("code", "代码"),
    Column("message", "说明"),
    Column("hint", "提示"),
    Column("file", "文件"),
    Column("line", "行"),
    Column("column", "列"),
    Column("sheet", "工作表"),
    Column("cell", "单元格"),
)


def _errors_table(
    result: BundleResult, index: FactsIndex | None, catalogue: Catalogue | None = None
) -> Table:
    def order(e: PolicyError) -> tuple[str, str, str, str]:
        return (
            str(e.details.get("kind")),
            str(e.location.record),
            str(e.details.get("policy")),
            e.code,
        )

    # Each root cause, then the records it took along (by_cause, as the summary says them):
    # the first rows say what to correct (a bad date before the fifty calls it left out).
    causes = by_cause(sorted(result.errors, key=order))
    rows = []
    for error in (e for c in causes for e in (c.error, *c.also_missing, *c.followers)):
        place = index.place(error) if index is not None else None
        where = error.location
        if place is None and where.file is not None:
            place = Place(where.file, where.line, where.column)
        record = where.record
        said = error.translated(catalogue) if catalogue is not None else error
        rows.append(
            (
                error.details.get("kind"),
                record_label(record) if record is not None else None,
                error.details.get("policy"),
                where.rule_id,
                where.field,
                error.code,
                said.message,
                said.hint,
                place.file if place else None,
                place.line if place else None,
                place.column if place else None,
                place.sheet if place else None,
                place.cell if place else None,
            )
        )
    return Table(ERRORS_SHEET, _ERROR_COLUMNS, tuple(rows))


def _sheet_name(name: str) -> str:
    """A name Excel accepts: no []:*?/\\ and at most 31 characters."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in name).strip()
    return cleaned[:31] or "Sheet"


# --- cells ------------------------------------------------------------------------------


#: A value as text in a CSV cell or a summary (kept by this name: ``policyengine.report.text``).
text = cell_text


def csv_safe(value: Any) -> str:
    """A value as a CSV cell that no spreadsheet runs as a formula (see
    :mod:`~policyengine.present._cells`)."""
    return csv_cell(value)
