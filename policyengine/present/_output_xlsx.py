"""The month as an Excel workbook (``.xlsx``): a sheet per table of the report, and provenance.

The same result always gives the same bytes: the workbook's times and its
zip entries' times are fixed (:data:`~policyengine.report.FIXED_TIME`). Row 1
holds the column titles for people, row 2 the machine names.

Numbers are number cells, so that SUM, filters and sorting work: an amount
formatted ``#,##0.00``, a count ``0``, a rate or score with its places
(:mod:`~policyengine.present._report_numbers`). A spreadsheet number is a
binary double, so each cell holds the decimal's shortest digits only when
they read back as the same number (at most 15 significant digits: checked
for each cell, see :func:`number_text`). A longer value of an output without
``round:`` holds its value at its display places; any other such value is a
text cell of its exact digits. Either way the sheet "说明 Notes" names the
cell; the JSON result and the CSV keep every exact digit. Yes/no values are
booleans, dates ``YYYY-MM-DD`` text.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..core._display import cell_text, plain
from ..core._numbers import CONTEXT
from ._cells import xlsx_text
from ._charts import CHARTS_SHEET, write_charts
from ._output import RunLink, WriteRequest
from ._output_xlsx_notes import NOTES_SHEET, Note, write_notes
from ._report import FIXED_TIME, PROVENANCE_SHEET, Report, Reporter, Table
from ._report_numbers import NumberStyle, shown
from ._texttable import width

#: Whole numbers from this size on are text: a double holds every int only below 2**53.
_WHOLE_LIMIT = 10**15
#: The significant digits a spreadsheet number shows and keeps.
_DIGITS = 15


class XlsxWriter:
    """Writes the report as a workbook (see the module)."""

    suffix = ".xlsx"
    name = "Excel workbook"
    holds = "pay sheet, summaries, errors, provenance"

    def write(self, request: WriteRequest) -> list[Path]:
        """Write the workbook to ``target``, counting its rows on ``progress``."""
        report, target, progress = request.report(), request.target, request.progress
        reporter: Reporter | None = None
        if progress is not None and progress.enabled:
            label = progress.said("writing-rows", file=target.name)

            def reporter(done: int, total: int) -> None:
                progress.count(label, done, total)

        target.write_bytes(xlsx_bytes(report, progress=reporter, run=request.run))
        if progress is not None:
            progress.done()
        return [target]


WRITER = XlsxWriter()


def xlsx_bytes(
    report: Report, *, progress: Reporter | None = None, run: RunLink | None = None
) -> bytes:
    """The report as an XLSX workbook, naming the ledger run ``run`` that records it; the
    same report and run give the same bytes."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    tables = (report.pay, *report.summaries, report.errors)
    total = sum(len(t.rows) for t in tables)
    done = 0
    notes: list[Note] = []
    for table in tables:
        if table is report.errors and report.charts is not None:
            # The charts after the pay sheet and its summaries, before the errors.
            write_charts(book.create_sheet(CHARTS_SHEET), report.charts, _put)
        sheet = book.create_sheet(_unique(book, table.name))
        done = _write_table(sheet, table, (done, total, progress), notes)
    write_notes(book.create_sheet(NOTES_SHEET), tables, notes)
    _write_provenance(book.create_sheet(PROVENANCE_SHEET), report, run)
    book.properties.creator = "policyengine"
    book.properties.lastModifiedBy = "policyengine"
    book.properties.title = f"{report.period}"
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    return _fixed_zip(buffer.getvalue())


def _unique(book: Any, name: str) -> str:
    taken = set(book.sheetnames)
    candidate, number = name, 2
    while candidate in taken:
        suffix = f" {number}"
        candidate, number = name[: 31 - len(suffix)] + suffix, number + 1
    return candidate


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with every entry stamped :data:`FIXED_TIME` (zip entries carry the
    time they were written, which would make every save differ)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()


def _write_table(
    sheet: Any, table: Table, counted: tuple[int, int, Reporter | None], notes: list[Note]
) -> int:
    from openpyxl.styles import Font

    done, total, progress = counted
    bold, grey = Font(bold=True), Font(italic=True, color="808080")
    for column, spec in enumerate(table.columns, start=1):
        _put(sheet, 1, column, spec.title).font = bold
        _put(sheet, 2, column, spec.name).font = grey
    widths = [max(width(c.title), width(c.name)) for c in table.columns]
    styles = [c.style for c in table.columns]
    for number, row in enumerate(table.rows, start=3):
        for column, value in enumerate(row, start=1):
            if value is not None:
                style = styles[column - 1]
                _put(sheet, number, column, value, style, notes)
                if number < 200:  # widths from the first rows: enough to read, cheap
                    size = width(_display(value, style))
                    widths[column - 1] = max(widths[column - 1], size)
        done += 1
        if progress is not None:
            progress(done, total)
    if table.columns:
        sheet.freeze_panes = "B3"
    from openpyxl.utils import get_column_letter

    for column, size in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(size, 60) + 2
    return done


def number_text(value: Decimal | int) -> str | None:
    """The shortest digits of ``value`` when a spreadsheet's double holds exactly that
    number, else None: at most 15 significant digits (all that Excel shows and keeps
    when a cell is edited), and read back as a double, through its ``repr``, equal to
    ``value``."""
    if isinstance(value, int):
        return str(value) if abs(value) < _WHOLE_LIMIT else None
    if not value.is_finite():
        return None
    short = value.normalize(CONTEXT)
    if len(short.as_tuple().digits) > _DIGITS:
        return None
    text = "0" if not value else f"{short:f}"
    # The one float in the package: it checks what the file's double will read back as.
    return text if Decimal(repr(float(text))) == value else None  # float-ok: the cell's double


def _put(
    sheet: Any,
    row: int,
    column: int,
    value: Any,
    style: NumberStyle | None = None,
    notes: list[Note] | None = None,
) -> Any:
    """Write one value: a number as a number cell (see the module; a note is kept for one
    that is rounded or written as text), any text as a text cell no spreadsheet runs as a
    formula."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, bool):
        cell.value = value
    elif isinstance(value, Decimal | int):
        note = _put_number(cell, value, style)
        if note is not None and notes is not None:
            notes.append(Note(sheet.title, cell.coordinate, plain(value), note))
    else:
        shown = plain(value)
        xlsx_text(cell, cell_text(value) if isinstance(shown, list) else str(shown))
    return cell


def _put_number(cell: Any, value: Decimal | int, style: NumberStyle | None) -> str | None:
    """Write a number (see the module); what the note on the cell says, if it needs one."""
    from openpyxl.styles import Alignment

    text = number_text(value)
    note = None
    if text is None and style is not None and not style.declared and isinstance(value, Decimal):
        text = number_text(shown(value, style))
        note = f"rounded to {style.places} places for display (no round: declared)"
    if text is None:
        xlsx_text(cell, plain(value))
        cell.number_format = "@"
        cell.alignment = Alignment(horizontal="right")
        note = "exact digits as text: more than a spreadsheet number holds"
    else:
        # Set as text first, then typed a number: the file holds exactly these digits.
        cell.value = text
        cell.data_type = "n"
        cell.number_format = style.excel_format if style is not None else "General"
    return note


def _display(value: Any, style: NumberStyle | None) -> str:
    """About what the cell shows, for the column's width."""
    if style is not None and isinstance(value, Decimal):
        return f"{shown(value, style):,f}"
    return cell_text(value)


def _write_provenance(sheet: Any, report: Report, run: RunLink | None) -> None:
    from openpyxl.styles import Font

    bold = Font(bold=True)
    provenance = report.provenance
    facts = [
        ("period", "期间", provenance.get("period")),
        (
            "as_known_at",
            "截至日期（按当时已发布的版本）",
            provenance.get("as_known_at") or "every version on disk（全部版本）",
        ),
        ("engine_version", "引擎版本", provenance.get("engine_version")),
        ("bundle_sha256", "版本组合 SHA-256", provenance.get("bundle_sha256")),
        ("inputs_sha256", "输入数据 SHA-256", provenance.get("inputs_sha256")),
        ("entities_sha256", "entities.yaml SHA-256", provenance.get("entities_sha256")),
        # The ledger run that records the workbook: not provenance (its hash covers the
        # results), but where an auditor finds them.
        ("ledger_run", "台账记录", run.id if run else "none: no ledger（未记入台账）"),
        ("ledger_run_sha256", "台账记录 SHA-256", run.hash if run else None),
    ]
    for row, (name, title, value) in enumerate(facts, start=1):
        _put(sheet, row, 1, title).font = bold
        _put(sheet, row, 2, name)
        _put(sheet, row, 3, "" if value is None else value)
    top = len(facts) + 2
    headings = [
        ("policy", "政策"),
        ("version", "版本"),
        ("sha256", "SHA-256"),
        ("path", "文件"),
        ("published", "发布日期"),
    ]
    for column, (name, title) in enumerate(headings, start=1):
        _put(sheet, top, column, title).font = bold
        _put(sheet, top + 1, column, name)
    for row, version in enumerate(provenance.get("versions", ()), start=top + 2):
        for column, (name, _) in enumerate(headings, start=1):
            value = version.get(name)
            if value is not None:
                _put(sheet, row, column, value)
    from openpyxl.utils import get_column_letter

    for column, size in enumerate((34, 24, 66, 30, 12), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = size
