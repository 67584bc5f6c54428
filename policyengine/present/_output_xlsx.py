"""The month as an Excel workbook (``.xlsx``): a sheet per table of the report, and provenance.

The same result always gives the same bytes: the workbook's times and its
zip entries' times are fixed (:data:`~policyengine.report.FIXED_TIME`). Every
Decimal is a text cell holding its exact digits, since a spreadsheet number
is a binary float; whole numbers are numbers, yes/no are booleans, dates are
``YYYY-MM-DD`` text. Row 1 holds the column titles for people, row 2 the
machine names.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..core._display import cell_text, plain
from ._cells import xlsx_text
from ._output import WriteRequest
from ._report import FIXED_TIME, PROVENANCE_SHEET, Report, Reporter, Table
from ._texttable import width


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
            label = f"writing {target.name}:"

            def reporter(done: int, total: int) -> None:
                progress.count(label, done, total)

        target.write_bytes(xlsx_bytes(report, progress=reporter))
        if progress is not None:
            progress.done()
        return [target]


WRITER = XlsxWriter()


def xlsx_bytes(report: Report, *, progress: Reporter | None = None) -> bytes:
    """The report as an XLSX workbook; the same report gives the same bytes."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    tables = (report.pay, *report.summaries, report.errors)
    total = sum(len(t.rows) for t in tables)
    done = 0
    for table in tables:
        sheet = book.create_sheet(_unique(book, table.name))
        done = _write_table(sheet, table, done, total, progress)
    _write_provenance(book.create_sheet(PROVENANCE_SHEET), report)
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


def _write_table(sheet: Any, table: Table, done: int, total: int, progress: Reporter | None) -> int:
    from openpyxl.styles import Font

    bold, grey = Font(bold=True), Font(italic=True, color="808080")
    for column, spec in enumerate(table.columns, start=1):
        _put(sheet, 1, column, spec.title).font = bold
        _put(sheet, 2, column, spec.name).font = grey
    widths = [max(width(c.title), width(c.name)) for c in table.columns]
    for number, row in enumerate(table.rows, start=3):
        for column, value in enumerate(row, start=1):
            if value is not None:
                _put(sheet, number, column, value)
                if number < 200:  # widths from the first rows: enough to read, cheap
                    widths[column - 1] = max(widths[column - 1], width(cell_text(value)))
        done += 1
        if progress is not None:
            progress(done, total)
    if table.columns:
        sheet.freeze_panes = "B3"
    from openpyxl.utils import get_column_letter

    for column, size in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(size, 60) + 2
    return done


def _put(sheet: Any, row: int, column: int, value: Any) -> Any:
    """Write one value exactly: a Decimal as a text cell of its digits (see the module),
    any text as a text cell no spreadsheet runs as a formula."""
    from openpyxl.styles import Alignment

    cell = sheet.cell(row=row, column=column)
    if isinstance(value, Decimal):
        cell.value = plain(value)
        cell.data_type = "s"
        cell.number_format = "@"
        cell.alignment = Alignment(horizontal="right")
    elif isinstance(value, bool | int):
        cell.value = value
    else:
        shown = plain(value)
        xlsx_text(cell, cell_text(value) if isinstance(shown, list) else str(shown))
    return cell


def _write_provenance(sheet: Any, report: Report) -> None:
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
