"""Facts in CSV: a header row naming the fields, then one record per row.

CSV cells are text; the declared field types turn them into numbers, dates
and flags when the record is checked, and an empty cell counts as a field
left out. A header may use a field's name or its ``title`` (so a CSV with
Chinese headers maps onto the fields). The file must be UTF-8 (Excel's "CSV
UTF-8"; a BOM is allowed).

A month's calls file has millions of rows: the loop over them calls no
Python function of its own per row, and keeps each repeated cell once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from sys import intern
from typing import Any

from ..model import Field
from ._file import FactsFile, decoded_text, facts_error, map_header


class CsvReader:
    """Reads ``.csv`` facts files (see the module)."""

    suffix = ".csv"
    name = "CSV"

    def read(self, file: str, raw: bytes, fields: Mapping[str, Field]) -> FactsFile:
        """The records of a CSV file's bytes."""
        decoded_text(file, raw)  # UTF-8 and not blank, or a located error
        # Parsed from the bytes, decoded a block at a time: a month's calls file
        # would otherwise sit in memory three times over (bytes, text, a copy of it)
        # beside its records. The whole decode above has shown it is UTF-8.
        return read_csv(file, io.TextIOWrapper(io.BytesIO(raw), "utf-8-sig", newline=""), fields)


READER = CsvReader()


def read_csv(file: str, text: Iterable[str], fields: Mapping[str, Field]) -> FactsFile:
    """The records of CSV ``text`` (lines), headed by field names or titles."""
    reader = csv.reader(text)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise facts_error(file, f"not valid CSV: {exc}", 1, code="invalid-csv") from exc
    if not any(cell.strip() for cell in header):
        raise facts_error(
            file,
            "the first line, which must name the columns, is blank",
            1,
            code="unknown-column",
            hint="put the header (field names or titles) on the first line",
        )
    names = map_header(file, header, fields)
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
                raise facts_error(
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
        raise facts_error(
            file, f"not valid CSV: {exc}", reader.line_num, code="invalid-csv"
        ) from exc
    columns = {name: index for index, name in enumerate(names, start=1)}
    return FactsFile(file, tuple(records), tuple(lines), columns)
