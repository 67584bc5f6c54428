"""What every facts reader gives and shares: one file's records, and its errors.

A facts reader (one module per format: :mod:`~policyengine.facts._csv`,
:mod:`~policyengine.facts._json`, :mod:`~policyengine.facts._xlsx`) turns the
bytes of one file into a :class:`FactsFile`. It lives apart from
:mod:`policyengine.io`, which chooses the reader by the file's suffix, so that
a reader needs nothing of the registry that lists it: adding a format is its
own module and one line in ``io.READERS``.

What the readers share is here: the located error (a sheet and cell for a
spreadsheet, a line and column for text), the text check of a text format,
the header that names each column by a field's name or title, the limits
every file is held to, and the mark a reader leaves on a record it could not
read whole (:data:`UNREADABLE`).

A row the reader cannot read (a CSV row with a cell too many, bytes that are
no text, a workbook cell holding an inexact number) spoils that record
alone: the record keeps what could be read, and under the reserved key
:data:`UNREADABLE` the list of its problems, each a code, the field (when
one cell is at fault) and a message. Checking the record reports them as
that record's errors (:func:`unreadable_errors`), located by the facts index
like any other, and the rest of the month is evaluated. The mark is part of
the record as the month's inputs keep it, so a replay reports the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import attrs

from ..codes import ErrorCode
from ..core._messages import TEMPLATES, frame, render
from ..core._suggest import did_you_mean
from ..core._template import words_in
from ..errors import FactError, FactsFileError, InvalidPolicy, Location, PolicyError
from ..model import Field

__all__ = [
    "MAX_BAD_ROWS",
    "MAX_FACTS_BYTES",
    "UNREADABLE",
    "BadRows",
    "FactsFile",
    "FactsReader",
    "RowRefusals",
    "cell_name",
    "decoded_text",
    "facts_error",
    "file_error",
    "headers_of",
    "map_header",
    "row_problem",
    "too_many_bad_rows",
    "unreadable_errors",
]

#: The largest facts file read, in bytes (512 MiB: a month of two million calls as CSV
#: is about a third of it); a larger one is refused before it is read.
MAX_FACTS_BYTES = 512 * 2**20
#: Rows of one file that may each be refused alone; past this many the file is refused
#: as a whole (it is the wrong file, or saved the wrong way), naming the first and
#: counting the rest.
MAX_BAD_ROWS = 1_000
#: The reserved key under which a record holds the problems its reader found (no
#: field name starts with "$").
UNREADABLE = "$unreadable"
#: The codes a reader may leave on a record; anything else given there is reported as
#: ``unreadable-facts``.
#: The forms a reader's problem is said in, by code (each a "row" form of
#: core/_facts_templates.py, whose hint says the rest of the month is evaluated).
_ROW_FORMS: Mapping[ErrorCode, tuple[str, ...]] = {
    "ragged-row": ("row", "no-header"),
    "invalid-csv": ("row",),
    "not-utf8": ("cell",),
    "float-not-allowed": ("cell",),
    "too-many-decimals": (),
    "unreadable-facts": ("formula", "merged", "row"),
}
#: The codes a reader's problem may have, by name; any other is ``unreadable-facts``.
_ROW_CODES: Mapping[str, ErrorCode] = {code: code for code in _ROW_FORMS}


@attrs.frozen
class FactsFile:
    """The records of one facts file, with the line (row) each record starts on.

    ``columns`` gives each field's column (counting from 1) in a CSV or XLSX
    file, and ``sheet`` the worksheet an XLSX file was read from, so a
    problem found later in a record can be shown at its cell.
    """

    file: str
    records: tuple[dict[str, Any], ...]
    #: Each record's line (a tuple; machine integers for a kind typed on a cluster).
    lines: Sequence[int]
    columns: Mapping[str, int] = attrs.field(factory=dict)
    sheet: str | None = None
    #: The text encoding a text file was read in, when it was not UTF-8 (a CSV saved
    #: by Chinese Excel: ``gb18030``); the month's summary says so.
    encoding: str | None = None
    #: Each field whose column is headed otherwise than by its name -> the header as
    #: written (its title, ``电话拨打量``): a problem with the field names the header too.
    headers: Mapping[str, str] = attrs.field(factory=dict)


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
    lead = _sheet_lead(sheet, line, column)
    return FactsFileError(
        message if lead is None else frame(lead[0], None, message=message, **lead[1]),
        code=code,
        location=Location(file=file, line=line, column=column),
        hint=hint,
        details=_sheet_details(lead),
    )


def file_error(
    file: str,
    code: ErrorCode,
    line: int | None = None,
    column: int | None = None,
    sheet: str | None = None,
    form: str = "",
    hint: str | None = None,
    **words: Any,
) -> FactsFileError:
    """A problem of a facts file (its header, its encoding …), said by its template
    (core/_facts_templates.py) from ``words`` (the header the user wrote …), at its line
    and column or sheet and cell: said again in another language, the sheet and cell
    lead it in that language's words."""
    lead = _sheet_lead(sheet, line, column)
    error = FactsFileError.from_template(
        code,
        form=form,
        location=Location(file=file, line=line, column=column),
        hint=hint,
        details={**_sheet_details(lead), **words},
        words=words,
    )
    if lead is not None:
        error.lead = lead
        error.message = frame(lead[0], None, message=error.message, **lead[1])
        Exception.__init__(error, error.message)
    return error


def _sheet_lead(
    sheet: str | None, line: int | None, column: int | None
) -> tuple[str, dict[str, Any]] | None:
    """What leads a problem in a workbook: Excel users look for a sheet and a cell (or a
    row), not a line and a column. None outside a workbook."""
    if sheet is None:
        return None
    if line is not None and column is not None:
        return "in-sheet-cell", {"sheet": sheet, "cell": cell_name(line, column)}
    if line is not None:
        return "in-sheet-row", {"sheet": sheet, "row": line}
    return "in-sheet", {"sheet": sheet}


def _sheet_details(lead: tuple[str, dict[str, Any]] | None) -> dict[str, Any]:
    """The sheet and cell a problem's details name (its row is its location's line)."""
    if lead is None:
        return {}
    return {k: v for k, v in lead[1].items() if k != "row"}


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
        raise file_error(file, "not-utf8", line, form="facts") from exc
    if not text.strip():
        raise file_error(file, "empty-file", form="facts")
    return text


def headers_of(header: list[str], names: list[str]) -> dict[str, str]:
    """The header of each field named by ``names`` whose header cell is not its name."""
    return {
        name: cell.strip()
        for name, cell in zip(names, header, strict=False)
        if cell.strip() != name
    }


def map_header(
    file: str,
    header: list[str],
    fields: Mapping[str, Field],
    line: int = 1,
    positions: list[int] | None = None,
    sheet: str | None = None,
) -> list[str]:
    """The field name of each header cell (written as the name or the title); every
    cell that names none is reported at once (one error, or :class:`InvalidPolicy`
    holding each), and a row none of whose cells names a field is said to be no header
    (a title row above it, or a notes sheet first, is read as one)."""
    by_title = {f.title: f.name for f in fields.values() if f.title}
    names: list[str] = []
    problems: list[PolicyError] = []
    for index, cell in enumerate(header):
        column = positions[index] if positions else index + 1
        label = cell.strip()
        name = label if label in fields or not fields else by_title.get(label)
        if not label:
            problems.append(file_error(file, "unknown-column", line, column, sheet, "no-header"))
        elif name is None:
            hint = did_you_mean(label, [*fields, *by_title])
            said = file_error(file, "unknown-column", line, column, sheet, hint=hint, header=label)
            problems.append(said)
        elif name in names:
            problems.append(file_error(file, "duplicate-column", line, column, sheet, header=label))
        names.append(name or "")
    if problems and fields and not any(names):
        first = header[0].strip() if header else ""
        raise file_error(file, "unknown-column", line, None, sheet, "no-field", header=first)
    refuse_all(problems, file)
    return names


def refuse_all(problems: list[PolicyError], file: str) -> None:
    """Raise every problem of ``file`` at once: the one alone, or :class:`InvalidPolicy`
    holding each; nothing when there is none."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InvalidPolicy(problems, file=file)


def row_problem(
    code: ErrorCode, form: str, field: str | None = None, **words: Any
) -> dict[str, str]:
    """One problem a reader found in a record, as the record keeps it under
    :data:`UNREADABLE`: its code, its message said in English by the ``form`` of its
    template (a "row" form, core/_facts_templates.py) from ``words``, and its field."""
    problem = {"code": code, "message": render(code, form, words)[0]}
    if field is not None:
        problem["field"] = field
    return problem


def unreadable_errors(problems: Any, label: int | str | None) -> list[FactError]:
    """The errors of a record its reader marked (:data:`UNREADABLE`), at the record and
    field each names."""
    listed = problems if isinstance(problems, list) and problems else [problems]
    errors: list[FactError] = []
    for problem in listed:
        given = problem if isinstance(problem, Mapping) else {}
        code = _ROW_CODES.get(str(given.get("code")), "unreadable-facts")
        field = given.get("field")
        where = Location(record=label, field=field if isinstance(field, str) else None)
        message = str(given.get("message", TEMPLATES["unreadable-facts", "row"].message))
        errors.append(_said_again(code, message, where))
    return errors


def _said_again(code: ErrorCode, message: str, where: Location) -> FactError:
    """The error of a problem the record keeps as English text: made again from the
    template and words that say that text (so that it is said in every language), or
    else, a text no template says (a run recorded before), kept as it is."""
    for form in _ROW_FORMS.get(code, ()):
        template = TEMPLATES[code, form]
        words = words_in(template.message, message)
        if words is not None and render(code, form, words)[0] == message:
            return FactError.from_template(code, form=form, location=where, words=words)
    hint = TEMPLATES["unreadable-facts", "row"].hint
    return FactError(message, code=code, location=where, hint=hint)


def too_many_bad_rows(file: str, first: FactsFileError, count: int) -> FactsFileError:
    """The error refusing a file with more than :data:`MAX_BAD_ROWS` bad rows: the first
    one's, counting the rest. Said again in another language, the first row's own words
    (when a template gives them) are led by the count in that language."""
    more = {"more": count - 1, "limit": MAX_BAD_ROWS}
    error = FactsFileError(
        frame("too-many-bad-rows", None, message=first.message, **more),
        code=first.code,
        location=first.location,
        hint=frame("right-file", None),
        details={**first.details, "bad_rows": count},
    )
    if first.lead is not None:  # a sheet's cell leads it: said as it is
        return error
    again = _said_again(first.code, first.message, first.location)
    if again.form is not None:
        error.form, error.words, error.lead = again.form, again.words, ("too-many-bad-rows", more)
    return error


class RowRefusals(Protocol):
    """What a row loop tells of each row it refuses alone (:class:`BadRows` counts them)."""

    def add(self, line: int, problem: Mapping[str, Any]) -> None: ...


class BadRows:
    """The rows of one file refused alone, counted: past :data:`MAX_BAD_ROWS` the file is
    refused as a whole, with the first one's error and the count of the rest."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.count = 0
        self.first: FactsFileError | None = None

    def add(
        self,
        line: int,
        problem: Mapping[str, Any],
        column: int | None = None,
        sheet: str | None = None,
    ) -> None:
        self.count += 1
        if self.first is None:
            code = problem["code"]
            self.first = facts_error(
                self.file, problem["message"], line, code=code, column=column, sheet=sheet
            )

    def check(self) -> None:
        if self.count > MAX_BAD_ROWS and self.first is not None:
            raise too_many_bad_rows(self.file, self.first, self.count)
