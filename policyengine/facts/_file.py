"""What every facts reader gives and shares: one file's records, and its errors.

A facts reader (one module per format: :mod:`~policyengine.facts._csv`,
:mod:`~policyengine.facts._json`, :mod:`~policyengine.facts._xlsx`) turns the
bytes of one file into a :class:`FactsFile`. It lives apart from
:mod:`policyengine.io`, which chooses the reader by the file's suffix, so that
a reader needs nothing of the registry that lists it: adding a format is its
own module and one line in ``io.READERS``.

What the readers share is here: the located error (a sheet and cell for a
spreadsheet, a line and column for text), the text check of a text format,
and the header that names each column by a field's name or title.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import attrs

from ..codes import ErrorCode
from ..core._suggest import did_you_mean
from ..errors import FactsFileError, Location
from ..model import Field

__all__ = ["FactsFile", "FactsReader", "cell_name", "decoded_text", "facts_error", "map_header"]


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


class FactsReader(Protocol):
    """One format of facts file, as ``io.READERS`` lists it.

    ``suffix`` is the file suffix it reads, in lower case with its dot
    (``.csv``); ``name`` what people call the format. ``read`` gets the file's
    name (for errors), its bytes (read once, by :func:`~policyengine.io.read_facts`)
    and the fields the records may hold (by name; a header may name a field by
    its title), and gives the records, or raises :class:`FactsFileError`,
    located in the file.
    """

    suffix: str
    name: str

    def read(self, file: str, raw: bytes, fields: Mapping[str, Field]) -> FactsFile:
        """The records of ``raw``, the bytes of ``file``."""
        ...


def facts_error(
    file: str,
    message: str,
    line: int | None = None,
    code: ErrorCode = "unreadable-facts",
    hint: str | None = None,
    column: int | None = None,
    sheet: str | None = None,
) -> FactsFileError:
    """A problem of a facts file, at its line and column, or its sheet and cell."""
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


def decoded_text(file: str, raw: bytes) -> str:
    """The text of a text format's file: UTF-8 (a BOM allowed), and not blank."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise facts_error(
            file,
            "the file is not UTF-8 text",
            line,
            code="not-utf8",
            hint="save it as UTF-8 (in Excel: CSV UTF-8)",
        ) from exc
    if not text.strip():
        raise facts_error(file, "the file is empty", code="empty-file")
    return text


def map_header(
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
            raise facts_error(
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
            raise facts_error(
                file,
                f"unknown column '{label}'",
                line,
                code="unknown-column",
                column=column,
                hint=did_you_mean(label, [*fields, *by_title]),
                sheet=sheet,
            )
        if name in names:
            raise facts_error(
                file,
                f"column '{label}' appears twice",
                line,
                code="duplicate-column",
                column=column,
                sheet=sheet,
            )
        names.append(name)
    return names
