"""Facts in an Excel workbook (``.xlsx``): the first sheet, under a header row.

The first non-empty row of the first sheet is the header (as in CSV: field
names or titles). Cells come typed: text and whole numbers as they are,
date cells as dates. Excel keeps every other number as a binary float, which
cannot carry an exact amount, so a fractional number cell is refused
(``float-not-allowed``, naming the sheet and cell) unless its field is a
``decimal`` (a score, a rate), where the number Excel shows is taken exactly
(or an ``int``, where the check then reports it as not a whole number).
Money belongs in text cells (format the column as Text). A formula cell
gives the result the workbook saved with it; one saved without a result is
refused rather than read as blank.
"""

from __future__ import annotations

import datetime
import io
import re
import warnings
import zipfile
from collections.abc import Iterator, Mapping
from typing import Any

from ..core import _number_text as number_text
from ..model import Field
from ._file import FactsFile, facts_error, map_header

#: Excel numbers are binary floats: whole numbers from 2**53 on are no longer exact.
_EXACT_WHOLE = 2**53
#: A formula element in a worksheet's XML (with or without a namespace prefix).
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


class XlsxReader:
    """Reads ``.xlsx`` facts files (see the module)."""

    suffix = ".xlsx"
    name = "Excel workbook"

    def read(self, file: str, raw: bytes, fields: Mapping[str, Field]) -> FactsFile:
        """The records of the first sheet of a workbook's bytes."""
        if not raw:
            raise facts_error(file, "the file is empty", code="empty-file")
        book = _open_workbook(file, raw, data_only=True)
        try:
            if not book.worksheets:
                raise facts_error(file, "the workbook has no worksheet", code="empty-file")
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # the size some writers record is wrong: read every cell
            formulas: dict[int, set[int]] = {}
            for row, column in _formula_cells(file, raw) if _has_formulas(raw) else ():
                formulas.setdefault(row, set()).add(column)
            return _read_sheet(file, str(sheet.title), _sheet_rows(sheet), formulas, fields)
        finally:
            book.close()


READER = XlsxReader()


def _has_formulas(raw: bytes) -> bool:
    """Whether any worksheet of the workbook holds a formula (read as plain XML)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return any(
                _FORMULA.search(archive.read(name))
                for name in archive.namelist()
                if name.startswith("xl/worksheets/") and name.endswith(".xml")
            )
    except (zipfile.BadZipFile, OSError, KeyError):
        return False


def _open_workbook(file: str, raw: bytes, *, data_only: bool) -> Any:
    import openpyxl

    try:
        with warnings.catch_warnings():
            # Extensions openpyxl cannot keep (data validation, slicers) do not matter here.
            warnings.simplefilter("ignore", UserWarning)
            return openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=data_only)
    except Exception as exc:  # zip, XML and openpyxl's own errors: the file is not a workbook
        raise facts_error(
            file,
            f"not an Excel workbook: {type(exc).__name__}: {exc}",
            code="unreadable-facts",
            hint="save it from Excel as 'Excel Workbook (*.xlsx)'",
        ) from exc


def _sheet_rows(sheet: Any) -> Iterator[tuple[int, dict[int, Any]]]:
    """(row number, {column: value}) of every row holding a value, in order."""
    for row in sheet.iter_rows():
        values = {c.column: c.value for c in row if c.value is not None and c.row is not None}
        if values:
            first = next(c.row for c in row if c.value is not None)
            yield first, values


def _formula_cells(file: str, raw: bytes) -> set[tuple[int, int]]:
    """The (row, column) of every formula cell of the first sheet."""
    book = _open_workbook(file, raw, data_only=False)
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
        return {
            (c.row, c.column)
            for row in sheet.iter_rows()
            for c in row
            if getattr(c, "data_type", None) == "f"
        }
    finally:
        book.close()


def _read_sheet(
    file: str,
    name: str,
    rows: Iterator[tuple[int, dict[int, Any]]],
    formulas: Mapping[int, set[int]],
    fields: Mapping[str, Field],
) -> FactsFile:
    """The records of sheet ``name``: its first row holding a value is the header."""
    found = next(rows, None)
    if found is None:
        raise facts_error(
            file,
            "the first sheet is empty",
            code="empty-file",
            hint="the records must be on the first sheet, under a header row",
            sheet=name,
        )
    header_row, header_cells = found
    positions = list(range(1, max(header_cells) + 1))
    header = [_header_text(header_cells.get(c)) for c in positions]
    names = map_header(file, header, fields, header_row, positions, name)
    by_column = dict(zip(positions, names, strict=True))
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    for number, cells in rows:
        record: dict[str, Any] = {}
        for column, value in sorted(cells.items()):
            field_name = by_column.get(column)
            if field_name is None:
                raise facts_error(
                    file,
                    f"a value ({value!r}) in a column with no header",
                    number,
                    code="ragged-row",
                    column=column,
                    hint="name the column in the header row, or clear the cell",
                    sheet=name,
                )
            typed = _cell(file, name, number, column, value, fields.get(field_name))
            if typed is not None:
                record[field_name] = typed
        unsaved = sorted(formulas.get(number, set()) - set(cells))
        if unsaved:
            raise facts_error(
                file,
                "the cell holds a formula without a saved result",
                number,
                code="unreadable-facts",
                column=unsaved[0],
                hint="open and save the workbook in Excel, or paste the values",
                sheet=name,
            )
        if record:
            records.append(record)
            lines.append(number)
    columns = {n: c for c, n in by_column.items()}
    return FactsFile(file, tuple(records), tuple(lines), columns, name)


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return repr(value)


def _cell(file: str, sheet: str, row: int, column: int, value: Any, field: Field | None) -> Any:
    """One cell's value as a record holds it; None for a blank cell."""
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, datetime.datetime):
        # Excel has no date without a time: a date cell is a datetime at midnight.
        midnight = value.time() == datetime.time(0) and value.tzinfo is None
        return value.date() if midnight else value
    if not isinstance(value, float):
        return value  # bool, int, date, time: typed by the field when the record is checked
    kind = field.type if field is not None else None
    if value.is_integer() and abs(value) < _EXACT_WHOLE:
        return int(value)  # a whole number is exact in binary too
    if kind in ("decimal", "int") and abs(value) < _EXACT_WHOLE:
        # float-ok: Excel stores every number as a binary float; the shortest text
        # that reads back as the same float is the number the cell shows. A
        # fraction in an int field is then reported as not a whole number.
        return number_text.exact(repr(value))
    raise facts_error(
        file,
        f"the cell holds the number {value!r}, which Excel keeps as a binary float: "
        "it cannot carry an exact amount",
        row,
        code="float-not-allowed",
        column=column,
        hint="format the column as Text and type the amount again (e.g. 1234.50), "
        "or save the sheet as CSV UTF-8",
        sheet=sheet,
    )
