"""Facts files in: JSON, JSONL, CSV and XLSX.

Numbers in JSON are read as Decimal (never float). CSV cells are text; the
declared field types turn them into numbers, dates and flags, and an empty
cell counts as a field left out. A header may use a field's name or its
``title`` (so a CSV with Chinese headers maps onto the fields).

An XLSX workbook is read from its first sheet, the first non-empty row being
the header (as in CSV). Cells come typed: text and whole numbers as they
are, date cells as dates. Excel keeps every other number as a binary float,
which cannot carry an exact amount, so a fractional number cell is refused
(``float-not-allowed``, naming the sheet and cell) unless its field is a
``decimal`` (a score, a rate), where the number Excel shows is taken
exactly (or an ``int``, where the check then reports it as not a whole
number). Money belongs in text cells (format the column as Text). A
formula cell gives the result the workbook saved with it.

Every problem names the file, the row (line) and column; :class:`FactsIndex`
finds the row and column of a record's problem reported later (a malformed
number, a date in the wrong form) from the record and field it names.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import operator
import os
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from sys import intern
from typing import Any

import attrs

from .codes import ErrorCode
from .errors import FactsFileError, Location, PolicyError
from .model import Field
from .suggest import did_you_mean

FORMATS = (".json", ".jsonl", ".csv", ".xlsx")
#: The formats, as a hint names them.
FORMAT_NAMES = ".json, .jsonl, .csv or .xlsx"
#: Excel numbers are binary floats: whole numbers from 2**53 on are no longer exact.
_EXACT_WHOLE = 2**53


@attrs.frozen
class FactsFile:
    """The records of one facts file, with the line (row) each record starts on.

    ``columns`` gives each field's column (counting from 1) in a CSV or XLSX
    file, and ``sheet`` the worksheet an XLSX file was read from, so a
    problem found later in a record can be shown at its cell.
    """

    file: str
    records: tuple[dict[str, Any], ...]
    lines: tuple[int, ...]
    columns: Mapping[str, int] = attrs.field(factory=dict)
    sheet: str | None = None


def _fail(
    file: str,
    message: str,
    line: int | None = None,
    code: ErrorCode = "unreadable-facts",
    hint: str | None = None,
    column: int | None = None,
    sheet: str | None = None,
) -> FactsFileError:
    details: dict[str, Any] = {}
    if sheet is not None:
        # Excel users look for a sheet and a cell, not a line and a column.
        where = f"sheet '{sheet}'"
        if line is not None and column is not None:
            details["cell"] = cell_name(line, column)
            where += f", cell {details['cell']}"
        elif line is not None:
            where += f", row {line}"
        message = f"{where}: {message}"
        details["sheet"] = sheet
    return FactsFileError(
        message,
        code=code,
        location=Location(file=file, line=line, column=column),
        hint=hint,
        details=details,
    )


def cell_name(row: int, column: int) -> str:
    """A spreadsheet cell's name: row 3, column 2 is B3."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{row}"


def read_facts(
    path: str | os.PathLike[str], fields: Mapping[str, Field] | None = None
) -> FactsFile:
    """Read the records of a JSON, JSONL, CSV or XLSX file; raises FactsFileError, located."""
    file = str(path)
    suffix = Path(file).suffix.lower()
    if suffix not in FORMATS:
        raise _fail(
            file,
            f"cannot read '{suffix or file}' files",
            code="unknown-format",
            hint=f"use {FORMAT_NAMES}",
        )
    try:
        raw = Path(file).read_bytes()
    except FileNotFoundError as exc:
        raise _fail(file, "no such file", code="file-not-found") from exc
    except OSError as exc:
        raise _fail(file, f"cannot read the file: {exc.strerror}") from exc
    if suffix == ".xlsx":
        if not raw:
            raise _fail(file, "the file is empty", code="empty-file")
        return _xlsx(file, raw, fields or {})
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(
            file,
            "the file is not UTF-8 text",
            line,
            code="not-utf8",
            hint="save it as UTF-8 (in Excel: CSV UTF-8)",
        ) from exc
    if not text.strip():
        raise _fail(file, "the file is empty", code="empty-file")
    if suffix == ".csv":
        # Parsed from the bytes, decoded a block at a time: a month's calls file
        # would otherwise sit in memory three times over (bytes, text, a copy of it)
        # beside its records. The whole decode above has shown it is UTF-8.
        del text
        return _csv(file, io.TextIOWrapper(io.BytesIO(raw), "utf-8-sig", newline=""), fields or {})
    if suffix == ".jsonl":
        return _jsonl(file, text)
    return _json(file, text)


def _loads(file: str, text: str, line_offset: int = 0) -> Any:
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise _fail(
            file,
            f"not valid JSON: {exc.msg}",
            exc.lineno + line_offset,
            code="invalid-json",
            column=exc.colno,
        ) from exc
    except ValueError as exc:
        raise _fail(file, str(exc), code="invalid-json") from exc


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a policy can use")


def _json(file: str, text: str) -> FactsFile:
    data = _loads(file, text)
    if isinstance(data, Mapping) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list):
        raise _fail(
            file, 'expected a list of records (or {"records": [...]})', code="not-a-record-list"
        )
    return FactsFile(file, tuple(data), tuple(0 for _ in data))


def _jsonl(file: str, text: str) -> FactsFile:
    records: list[Any] = []
    lines: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            records.append(_loads(file, line, number - 1))
            lines.append(number)
    return FactsFile(file, tuple(records), tuple(lines))


def _csv(file: str, text: Iterable[str], fields: Mapping[str, Field]) -> FactsFile:
    reader = csv.reader(text)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise _fail(file, f"not valid CSV: {exc}", 1, code="invalid-csv") from exc
    if not any(cell.strip() for cell in header):
        raise _fail(
            file,
            "the first line, which must name the columns, is blank",
            1,
            code="unknown-column",
            hint="put the header (field names or titles) on the first line",
        )
    names = _map_header(file, header, fields)
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    try:
        strip = str.strip
        for row in reader:
            # (map over the cells, not a generator: a month's calls file has millions)
            if not any(map(strip, row)):
                continue
            line = reader.line_num
            if len(row) != len(names):
                raise _fail(
                    file,
                    f"the row has {len(row)} cells but the header has {len(names)}",
                    line,
                    code="ragged-row",
                )
            # Interned: a month repeats the same few cells (true, 呼入, a rep's id)
            # millions of times, and each would otherwise be its own string. A blank
            # cell gives no value; most rows have none, and take the quick way.
            if all(map(strip, row)):
                records.append(dict(zip(names, map(intern, row), strict=True)))
            else:
                records.append({n: intern(c) for n, c in zip(names, row, strict=True) if strip(c)})
            lines.append(line)
    except csv.Error as exc:
        raise _fail(file, f"not valid CSV: {exc}", reader.line_num, code="invalid-csv") from exc
    columns = {name: index for index, name in enumerate(names, start=1)}
    return FactsFile(file, tuple(records), tuple(lines), columns)


def _map_header(
    file: str,
    header: list[str],
    fields: Mapping[str, Field],
    line: int = 1,
    positions: list[int] | None = None,
    sheet: str | None = None,
) -> list[str]:
    """The field name of each header cell (written as the name or the title)."""
    by_title = {f.title: f.name for f in fields.values() if f.title}
    names: list[str] = []
    for index, cell in enumerate(header):
        column = positions[index] if positions else index + 1
        label = cell.strip()
        if not label:
            raise _fail(
                file,
                "a column has no header",
                line,
                code="unknown-column",
                column=column,
                hint="name every column by a field name or title, or delete the column",
                sheet=sheet,
            )
        name = label if label in fields or not fields else by_title.get(label)
        if name is None:
            raise _fail(
                file,
                f"unknown column '{label}'",
                line,
                code="unknown-column",
                column=column,
                hint=did_you_mean(label, [*fields, *by_title]),
                sheet=sheet,
            )
        if name in names:
            raise _fail(
                file,
                f"column '{label}' appears twice",
                line,
                code="duplicate-column",
                column=column,
                sheet=sheet,
            )
        names.append(name)
    return names


# --- XLSX ---------------------------------------------------------------------------

#: A formula element in a worksheet's XML (with or without a namespace prefix).
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


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
        raise _fail(
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


def _xlsx(file: str, raw: bytes, fields: Mapping[str, Field]) -> FactsFile:
    book = _open_workbook(file, raw, data_only=True)
    try:
        if not book.worksheets:
            raise _fail(file, "the workbook has no worksheet", code="empty-file")
        sheet = book.worksheets[0]
        name = str(sheet.title)
        sheet.reset_dimensions()  # the size some writers record is wrong: read every cell
        formulas: dict[int, set[int]] = {}
        for row, column in _formula_cells(file, raw) if _has_formulas(raw) else ():
            formulas.setdefault(row, set()).add(column)
        rows = _sheet_rows(sheet)
        found = next(rows, None)
        if found is None:
            raise _fail(
                file,
                "the first sheet is empty",
                code="empty-file",
                hint="the records must be on the first sheet, under a header row",
                sheet=name,
            )
        header_row, header_cells = found
        last = max(header_cells)
        positions = list(range(1, last + 1))
        header = [_header_text(header_cells.get(c)) for c in positions]
        names = _map_header(file, header, fields, header_row, positions, name)
        by_column = dict(zip(positions, names, strict=True))
        records: list[dict[str, Any]] = []
        lines: list[int] = []
        for number, cells in rows:
            record: dict[str, Any] = {}
            for column, value in sorted(cells.items()):
                field_name = by_column.get(column)
                if field_name is None:
                    raise _fail(
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
                raise _fail(
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
    finally:
        book.close()


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
        return Decimal(repr(value))
    raise _fail(
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


def read_bundle_facts(
    path: str | os.PathLike[str], fields: Mapping[str, Mapping[str, Field]]
) -> dict[str, FactsFile]:
    """A month's facts by record kind: a folder of ``<kind>.csv|.json|.jsonl|.xlsx`` files,
    or one JSON file ``{"<kind>": [records], …}``. ``fields`` gives each kind's known fields
    (for CSV and XLSX headers written with field titles)."""
    source = Path(path)
    if source.is_dir():
        found: dict[str, FactsFile] = {}
        for entry in sorted(source.iterdir()):
            if entry.suffix.lower() not in FORMATS or entry.name.startswith(("~$", ".")):
                continue  # Excel's lock file of an open workbook, hidden files
            kind = entry.stem
            if kind in found:
                raise _fail(
                    str(entry), f"two files hold the records of '{kind}'", code="duplicate-kind"
                )
            found[kind] = read_facts(entry, fields.get(kind, {}))
        if not found:
            raise _fail(
                str(source),
                f"the folder holds no facts files ({FORMAT_NAMES})",
                code="empty-file",
            )
        return found
    file = str(source)
    if source.suffix.lower() != ".json":
        raise _fail(
            file,
            "facts for several kinds come as a folder or one .json file",
            code="unknown-format",
            hint='{"rep": [...], "call": [...]}',
        )
    try:
        data = _loads(file, source.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise _fail(file, "no such file", code="file-not-found") from exc
    if not isinstance(data, Mapping) or not all(isinstance(v, list) for v in data.values()):
        raise _fail(file, 'expected {"<kind>": [records], ...}', code="not-a-record-list")
    return {str(k): FactsFile(file, tuple(v), tuple(0 for _ in v)) for k, v in data.items()}


# --- where a record's problem is in its file ----------------------------------------


@attrs.frozen
class Place:
    """Where a record (and a field of it) is written in its facts file."""

    file: str
    line: int | None = None
    column: int | None = None
    sheet: str | None = None

    @property
    def cell(self) -> str | None:
        """The spreadsheet cell (``B3``) of an XLSX place with a row and a column."""
        if self.sheet is None or self.line is None or self.column is None:
            return None
        return cell_name(self.line, self.column)

    def __str__(self) -> str:
        text = self.file
        if self.line:
            text += f":{self.line}"
            if self.column:
                text += f":{self.column}"
        if self.sheet is not None:
            text += f" (sheet '{self.sheet}'" + (f", cell {self.cell})" if self.cell else ")")
        return text


class FactsIndex:
    """Finds the file, row and column of a record's problem, from the kind, record and field
    the problem names (a check of the typed record knows nothing of files)."""

    def __init__(self, files: Mapping[str, FactsFile], keys: Mapping[str, str]) -> None:
        self._files = dict(files)
        self._keys = dict(keys)
        self._positions: dict[str, dict[str, int]] = {}
        self._counts = {kind: len(f.records) for kind, f in self._files.items()}

    def detached(self) -> FactsIndex:
        """The same index, holding no record: every position worked out now, so the
        records themselves can be let go (a month's calls are most of its memory)."""
        for kind in self._files:
            self._positions_of(kind)
        self._files = {kind: attrs.evolve(f, records=()) for kind, f in self._files.items()}
        return self

    def _positions_of(self, kind: str) -> dict[str, int]:
        if kind not in self._positions:
            key = self._keys.get(kind)
            records = self._files[kind].records
            found = _text_positions(records, key) if key else None
            if found is not None:
                self._positions[kind] = found
                return found
            found = {}
            for index, raw in enumerate(records):
                value = raw.get(key) if isinstance(raw, Mapping) and key else None
                if value is not None and not isinstance(value, bool):
                    text = value.strip() if isinstance(value, str) else str(value)
                    found.setdefault(text, index)
                    found.setdefault(str(value), index)
            self._positions[kind] = found
        return self._positions[kind]

    def _position(self, kind: str, record: int | str) -> int | None:
        if isinstance(record, int):
            return record if 0 <= record < self._counts[kind] else None
        return self._positions_of(kind).get(record)

    def place(self, error: PolicyError) -> Place | None:
        """Where the record (and field) an error names is written; None when unknown."""
        kind = error.details.get("kind")
        record = error.location.record
        if not isinstance(kind, str) or kind not in self._files or record is None:
            return None
        facts = self._files[kind]
        index = self._position(kind, record)
        if index is None:
            return Place(facts.file, sheet=facts.sheet)
        line = facts.lines[index] if index < len(facts.lines) else 0
        field = error.location.field
        column = facts.columns.get(field) if field else None
        return Place(facts.file, line or None, column if line else None, facts.sheet)

    def render(self, error: PolicyError) -> str:
        """The error's line, led by the file, row and column of its record when known."""
        place = self.place(error)
        if place is None:
            return error.render()
        if error.location.file is None:
            located = error.at(file=place.file, line=place.line, column=place.column)
            text = located.render()
            if place.sheet is not None:
                where = f"sheet '{place.sheet}'" + (f", cell {place.cell}" if place.cell else "")
                text = text.replace(f"{error.code}: ", f"{error.code}: {where}: ", 1)
            return text
        return f"{place}: {error.render()}"


def _text_positions(records: tuple[Any, ...], key: str) -> dict[str, int] | None:
    """Each key's first position, when every record is a dict whose key is written as
    text with no spaces around it (a CSV's, mostly); None otherwise. Built in C: a
    month has millions of calls, and this runs for each of them."""
    if set(map(type, records)) - {dict}:
        return None
    values = list(map(operator.methodcaller("get", key), records))
    if set(map(type, values)) - {str} or list(map(str.strip, values)) != values:
        return None
    # Built from the last record to the first, so the first position of a key stays.
    return dict(zip(reversed(values), range(len(values) - 1, -1, -1), strict=True))
