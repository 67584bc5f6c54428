"""Facts in CSV: a header row naming the fields, then one record per row.

CSV cells are text; the declared field types turn them into numbers, dates
and flags when the record is checked, and an empty cell counts as a field
left out. A header may use a field's name or its ``title`` (so a CSV with
Chinese headers maps onto the fields). The file is read as UTF-8 (Excel's
"CSV UTF-8"; a BOM is allowed) when it is that; a file Chinese Excel saved
as plain CSV (GBK, GB18030) or as Unicode text (UTF-16) is read in its
encoding, and the file says which (:mod:`~policyengine.facts._encoding`).

A row that cannot be read (more or fewer cells than the header, bytes that
are no text, a cell over the CSV reader's limit of 131,072 characters) is
that record's error (:data:`~policyengine.facts._file.UNREADABLE`); the
rest of the file is read. A well-formed row is then at most as long as its
header's cells at 131,072 characters each: that bounds a line.

A month's calls file has millions of rows: the loop over them calls no
Python function of its own per row, and keeps each repeated cell once.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from sys import intern
from typing import Any

import attrs

from ..errors import FactsFileError
from ..model import Field
from ._encoding import Encoding, csv_encoding
from ._file import (
    UNREADABLE,
    BadRows,
    FactsFile,
    RowRefusals,
    decoded_text,
    file_error,
    headers_of,
    map_header,
    row_problem,
)

_UTF8 = Encoding("utf-8-sig")
#: A byte that was not UTF-8, as ``surrogateescape`` keeps it in the text.
_BAD_BYTE = re.compile("[\udc80-\udcff]")


class CsvReader:
    """Reads ``.csv`` facts files (see the module)."""

    suffix = ".csv"
    name = "CSV"

    def read(self, file: str, raw: bytes, fields: Mapping[str, Field]) -> FactsFile:
        """The records of a CSV file's bytes."""
        try:
            decoded_text(file, raw)  # UTF-8 and not blank, or a located error
        except FactsFileError as exc:
            if exc.code != "not-utf8":
                raise
            encoding = csv_encoding(raw)  # only when it is not UTF-8: the quick way first
        else:
            encoding = _UTF8
        # Parsed from the bytes, decoded a block at a time: a month's calls file
        # would otherwise sit in memory three times over (bytes, text, a copy of it)
        # beside its records.
        errors = "surrogateescape" if encoding.damaged else "strict"
        text = io.TextIOWrapper(io.BytesIO(raw), encoding.codec, errors=errors, newline="")
        bad = BadRows(file)  # the rows refused alone, of both kinds, counted together
        read = read_csv(file, text, fields, bad)
        if encoding.damaged:
            read = _undecodable_cells(read, bad)
        bad.check()
        return attrs.evolve(read, encoding=encoding.reported)


READER = CsvReader()


def read_csv(
    file: str, text: Iterable[str], fields: Mapping[str, Field], bad: BadRows | None = None
) -> FactsFile:
    """The records of CSV ``text`` (lines), headed by field names or titles; ``bad`` counts
    the rows refused alone (checked here when not given)."""
    reader = csv.reader(text)
    header = read_header(file, reader)
    names = map_header(file, header, fields)
    counted = bad or BadRows(file)
    records, lines = read_rows(reader, names, counted)
    if bad is None:
        counted.check()
    return headed_file(file, header, names, records, lines)


def read_header(file: str, reader: Any) -> list[str]:
    """The header row of a CSV ``reader``, or the located error of a file without one."""
    try:
        header: list[str] = next(reader)
    except StopIteration:
        raise file_error(file, "empty-file", form="facts") from None
    except csv.Error as exc:
        raise file_error(file, "invalid-csv", 1, problem=str(exc)) from exc
    if header and header[0].startswith("\ufeff"):  # a BOM the codec keeps (UTF-16, GB18030)
        header[0] = header[0][1:]
    if not any(cell.strip() for cell in header):
        raise file_error(file, "unknown-column", 1, form="blank-first-line")
    if any(_BAD_BYTE.search(cell) for cell in header):
        raise file_error(file, "not-utf8", 1, form="header")
    return header


def read_rows(
    reader: Any, names: list[str], bad: RowRefusals
) -> tuple[list[dict[str, Any]], list[int]]:
    """The records after the header and the line each starts on; a row that is not valid
    CSV is refused alone and the reader goes on from the next line; ``bad`` is told
    of every row refused.
    Lines count from the reader's first line: a range of a file (facts._csv_ranges)
    adds its own first line."""
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    while True:
        try:
            _read_rows(reader, names, records, lines, bad)
            break
        except csv.Error as exc:
            # That row alone is refused; the reader goes on from the next line.
            problem = row_problem("invalid-csv", "row", csv_problem=str(exc))
            bad.add(reader.line_num, problem)
            records.append({UNREADABLE: [problem]})
            lines.append(reader.line_num)
    return records, lines


def headed_file(
    file: str,
    header: list[str],
    names: list[str],
    records: list[dict[str, Any]],
    lines: list[int],
) -> FactsFile:
    """One CSV file's records with what locates their problems: each field's column and
    the header it was written under."""
    columns = {name: index for index, name in enumerate(names, start=1)}
    headers = headers_of(header, names)
    return FactsFile(file, tuple(records), tuple(lines), columns, headers=headers)


def _read_rows(
    reader: Any,
    names: list[str],
    records: list[dict[str, Any]],
    lines: list[int],
    bad: RowRefusals,
) -> None:
    """Every row of ``reader`` to ``records`` (and its line to ``lines``): the loop a
    month's millions of calls go through."""
    strip = str.strip
    width = len(names)
    for row in reader:
        # (map over the cells, not a generator: a month's calls file has millions)
        if not any(map(strip, row)):
            continue
        line = reader.line_num
        if len(row) != width:
            records.append(_ragged(names, row, line, bad))
        # Interned: a month repeats the same few cells (true, 呼入, a rep's id)
        # millions of times, and each would otherwise be its own string. A blank
        # cell gives no value; most rows have none, and take the quick way.
        elif all(map(strip, row)):
            records.append(dict(zip(names, map(intern, row), strict=True)))
        else:
            records.append({n: intern(c) for n, c in zip(names, row, strict=True) if strip(c)})
        lines.append(line)


def _ragged(names: list[str], row: list[str], line: int, bad: RowRefusals) -> dict[str, Any]:
    """A row with more or fewer cells than the header: its cells under the header's names
    as far as they go (the key is then usually right), marked with its problem."""
    problem = row_problem("ragged-row", "row", cells=len(row), columns=len(names))
    bad.add(line, problem)
    record: dict[str, Any] = {n: c for n, c in zip(names, row, strict=False) if c.strip()}
    record[UNREADABLE] = [problem]
    return record


def _undecodable_cells(read: FactsFile, bad: BadRows) -> FactsFile:
    """The records of a UTF-8 file with bad bytes: each cell holding some is left out of
    its record, which is marked with a problem naming the field (``not-utf8``)."""
    records = list(read.records)
    for index, record in enumerate(records):
        spoilt = [n for n, v in record.items() if isinstance(v, str) and _BAD_BYTE.search(v)]
        if not spoilt:
            continue
        kept = {n: v for n, v in record.items() if n not in spoilt}
        problems = [row_problem("not-utf8", "cell", name) for name in spoilt]
        if UNREADABLE not in record:  # a ragged row is counted already
            bad.add(read.lines[index], problems[0])
        kept[UNREADABLE] = [*kept.get(UNREADABLE, []), *problems]
        records[index] = kept
    return attrs.evolve(read, records=tuple(records))
