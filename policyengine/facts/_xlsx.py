"""Facts in an Excel workbook (``.xlsx``): the first sheet, under a header row.

The first non-empty row of the first sheet is the header (as in CSV: field
names or titles). Cells come typed: text and whole numbers as they are,
date cells as dates. Excel keeps every other number as a binary float; in a
``money``, ``decimal`` or ``int`` column the number the cell shows is taken
exactly: the float's shortest decimal form (``repr``), never its binary
expansion, so ``148912.42`` is 148912.42. The record's check then holds it
to the field's places like any amount (a money cell of ``12.345`` is
``too-many-decimals`` at its cell). A fractional number in any other column
is ``float-not-allowed``. A formula cell gives the result the workbook saved
with it; one saved without a result is refused rather than read as blank.

A bad cell (a number as above, a formula without its result, a value in a
column with no header) is its record's error, and every bad cell of the
sheet is reported; the rest is read. Before openpyxl opens the workbook, its
zip is checked: a workbook unpacking to more than :data:`MAX_UNPACKED`
bytes, or a part compressed more than :data:`MAX_RATIO` to one (a zip
bomb), is refused (``file-too-large``).
"""

from __future__ import annotations

import datetime
import io
import re
import warnings
import zipfile
from collections.abc import Iterator, Mapping
from typing import Any

from ..codes import ErrorCode
from ..core import _number_text as number_text
from ..model import Field
from ._file import (
    UNREADABLE,
    BadRows,
    FactsFile,
    file_error,
    headers_of,
    map_header,
    row_problem,
)

#: Excel numbers are binary floats: whole numbers from 2**53 on are no longer exact.
_EXACT_WHOLE = 2**53
#: The most a workbook may unpack to (its zip members' declared sizes together): a
#: sheet of a million rows is a few hundred MiB of XML.
MAX_UNPACKED = 512 * 2**20
#: The most a member larger than 1 MiB may be compressed, unpacked size to packed:
#: worksheet XML packs about ten to one, a zip bomb a thousand.
MAX_RATIO = 200
#: A formula element in a worksheet's XML (with or without a namespace prefix).
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


class XlsxReader:
    """Reads ``.xlsx`` facts files (see the module)."""

    suffix = ".xlsx"
    name = "Excel workbook"

    def read(self, file: str, raw: bytes, fields: Mapping[str, Field]) -> FactsFile:
        """The records of the first sheet of a workbook's bytes."""
        if not raw:
            raise file_error(file, "empty-file", form="facts")
        _check_unpacked(file, raw)
        book = _open_workbook(file, raw, data_only=True)
        try:
            if not book.worksheets:
                raise file_error(file, "empty-file", form="no-worksheet")
            sheet = book.worksheets[0]
            if sheet.sheet_state != "visible":  # read unseen: stale data paid silently
                raise file_error(file, "unreadable-facts", form="hidden-sheet", sheet=sheet.title)
            sheet.reset_dimensions()  # the size some writers record is wrong: read every cell
            # The sheet's XML, unpacked once for what it holds beside its cells' values.
            xml = _sheet_xml(raw, getattr(sheet, "_worksheet_path", ""))
            formulas: dict[int, set[int]] = {}
            for row, column in _formula_cells(file, raw) if _FORMULA.search(xml) else ():
                formulas.setdefault(row, set()).add(column)
            merged = _merged_cells(xml)
            rows = _sheet_rows(sheet)
            return _read_sheet(file, str(sheet.title), rows, formulas, fields, merged)
        finally:
            book.close()


READER = XlsxReader()


def _check_unpacked(file: str, raw: bytes) -> None:
    """Refuse a workbook whose zip would unpack too large (see the module), by the sizes
    its members declare: zipfile never unpacks a member past its declared size."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return  # not a zip: openpyxl says the file is no workbook
    total = 0
    for member in members:
        total += member.file_size
        packed = max(member.compress_size, 1)
        bomb = member.file_size > 2**20 and member.file_size > MAX_RATIO * packed
        if bomb or total > MAX_UNPACKED:
            why = (
                f"its part '{member.filename}' unpacks {member.file_size // packed:,} times "
                f"its size (at most {MAX_RATIO})"
                if bomb
                else f"it unpacks to more than {MAX_UNPACKED // 2**20} MiB"
            )
            raise file_error(file, "file-too-large", form="workbook", reason=why)


def _sheet_xml(raw: bytes, path: str) -> bytes:
    """The XML of the worksheet at ``path`` in the workbook's zip (b"" when it cannot be
    had: openpyxl, which opened it, says what is wrong)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return archive.read(path) if path else b""
    except (zipfile.BadZipFile, OSError, KeyError):
        return b""


def _open_workbook(file: str, raw: bytes, *, data_only: bool) -> Any:
    import openpyxl

    try:
        with warnings.catch_warnings():
            # Extensions openpyxl cannot keep (data validation, slicers) do not matter here.
            warnings.simplefilter("ignore", UserWarning)
            return openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=data_only)
    except Exception as exc:  # zip, XML and openpyxl's own errors: the file is not a workbook
        reason = f"{type(exc).__name__}: {exc}"
        raise file_error(file, "unreadable-facts", form="workbook", reason=reason) from exc


def _sheet_rows(sheet: Any) -> Iterator[tuple[int, dict[int, Any]]]:
    """(row number, {column: value}) of every row holding a value, in order."""
    for row in sheet.iter_rows():
        values = {c.column: c.value for c in row if c.value is not None and c.row is not None}
        if values:
            first = next(c.row for c in row if c.value is not None)
            yield first, values


#: A range of merged cells in a worksheet's XML.
_MERGED = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


def _merged_cells(xml: bytes) -> dict[int, dict[int, str]]:
    """Every cell of the sheet (its ``xml``) that merged cells cover but do not hold the
    value of (all but a range's first cell), by row and column, with its range: Excel
    keeps the value in the first cell alone, and the others would read as blank."""
    from openpyxl.utils.cell import range_boundaries

    covered: dict[int, dict[int, str]] = {}
    for found in _MERGED.finditer(xml):
        ref = found.group(1).decode("ascii")
        first_column, first_row, last_column, last_row = range_boundaries(ref)
        if first_column is None or first_row is None or last_column is None or last_row is None:
            continue  # a whole row or column: the pattern above takes only cell ranges
        for row in range(first_row, last_row + 1):
            for column in range(first_column, last_column + 1):
                if (row, column) != (first_row, first_column):
                    covered.setdefault(row, {})[column] = ref
    return covered


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
    merged: Mapping[int, Mapping[int, str]],
) -> FactsFile:
    """The records of sheet ``name``: its first row holding a value is the header."""
    found = next(rows, None)
    if found is None:
        raise file_error(file, "empty-file", sheet=name, form="first-sheet")
    header_row, header_cells = found
    positions = list(range(1, max(header_cells) + 1))
    header = [_header_text(header_cells.get(c)) for c in positions]
    names = map_header(file, header, fields, header_row, positions, name)
    by_column = dict(zip(positions, names, strict=True))
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    bad = BadRows(file)
    for number, cells in rows:
        record, problems = _row(cells, by_column, fields)
        unsaved = sorted(formulas.get(number, set()) - set(cells))
        problems.extend(
            (
                column,
                row_problem("unreadable-facts", "formula", by_column.get(column)),
            )
            for column in unsaved
        )
        problems.extend(
            (column, row_problem("unreadable-facts", "merged", by_column[column], cells=ref))
            for column, ref in sorted(merged.get(number, {}).items())
            if column in by_column
        )
        if problems:
            for column, problem in problems:
                bad.add(number, problem, column, name)
            record[UNREADABLE] = [problem for _, problem in problems]
        if record:
            records.append(record)
            lines.append(number)
    bad.check()
    columns = {n: c for c, n in by_column.items()}
    headers = headers_of(header, names)
    return FactsFile(file, tuple(records), tuple(lines), columns, name, headers=headers)


def _row(
    cells: Mapping[int, Any], by_column: Mapping[int, str], fields: Mapping[str, Field]
) -> tuple[dict[str, Any], list[tuple[int, dict[str, str]]]]:
    """One row's record, and the problems of its cells, each with its column."""
    record: dict[str, Any] = {}
    problems: list[tuple[int, dict[str, str]]] = []
    for column, value in sorted(cells.items()):
        field_name = by_column.get(column)
        if field_name is None:
            problem = row_problem("ragged-row", "no-header", value=repr(value), column=column)
            problems.append((column, problem))
            continue
        try:
            typed = _cell(value, fields.get(field_name))
        except _BadCell as exc:
            problems.append((column, row_problem(exc.code, exc.form, field_name, **exc.words)))
            continue
        if typed is not None:
            record[field_name] = typed
    return record, problems


class _BadCell(Exception):
    """A cell that cannot be read: its code, and the form and words that say why."""

    def __init__(self, code: ErrorCode, form: str, **words: Any) -> None:
        super().__init__(code, form)
        self.code, self.form, self.words = code, form, words


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return repr(value)


def _cell(value: Any, field: Field | None) -> Any:
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
    if kind in ("money", "decimal", "int") and abs(value) < _EXACT_WHOLE:
        # float-ok: Excel stores every number as a binary float; the shortest text
        # that reads back as the same float is the number the cell shows. Its places
        # are then held to the field's (money: two) when the record is checked, and a
        # fraction in an int field is reported as not a whole number.
        return number_text.exact(repr(value))
    raise _BadCell("float-not-allowed", "cell", value=repr(value))
