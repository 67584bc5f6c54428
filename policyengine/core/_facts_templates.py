"""The words of the problems found in facts: a value, a record, a file's header.

A part of the table of :mod:`policyengine.core._messages` (which joins it to its own
blocks into ``TEMPLATES``): a value its field's type refuses (``facts/_values.py``),
a record missing a field or holding an unknown one (``facts/_records.py``), a month's
records across kinds (keys, parents: ``facts/_by_kind.py``) and a header naming no
field (``facts/_file.py``).

A refused record is part of a month's result, so its error's English and details are
stored in the ledger and must replay byte for byte: as for evaluation errors
(:mod:`policyengine.core._run_templates`), each English template says exactly what the
message said before, and the values it is filled from are the error's ``words``, not
its stored details. The column header a value was read under (``电话拨打量`` for the
field ``calls``) is not part of the stored words: the facts index adds it where the
error is shown, to its location (``facts/_io.py``, ``FactsIndex.render``).
"""

from __future__ import annotations

from typing import Final

from ._template import Template, TemplateBlocks

_DIGITS_HINT: Final = "write the digits 0-9 (half-width), not full-width or other scripts' digits"
#: The hint of a row a reader could not read whole: that record alone is refused.
_ROW: Final = "correct the row in the file; the rest of the month is evaluated"

# Kept one template a line where it fits, as docs/errors.md shows them: easier to compare.
# ruff: noqa: E501
# fmt: off
#: (section of docs/errors.md, {(code, form): template}), by the step that reports them.
FACT_BLOCKS: Final[TemplateBlocks] = (
    # a value as its field's type (policyengine/facts/_values.py) and a record (_records.py)
    ("input-records", {
        ("float-not-allowed", "amount"): Template("{value} is a binary float and cannot carry an exact amount", 'pass a Decimal or text such as "123.45"'),
        ("float-not-allowed", "whole"): Template("{value} is a binary float", 'pass a whole number such as 12, or text such as "12"'),
        ("too-many-decimals", "money"): Template("{value} has more than two decimal places; money is paid to the fen (0.01)"),
        ("too-many-decimals", "places"): Template("{value} has more than {limit} decimal places", "round it in the file to the places it needs"),
        ("number-too-large", "fact"): Template("{value} is 10^{limit} or more, beyond the {limit} digits the engine computes with exactly", "check the cell: a stray exponent (1e30) or digits pasted twice"),
        ("not-a-number", "comma"): Template("'{text}' is not a number: {comma}", "correct the cell"),
        ("not-a-number", "digits"): Template("'{text}' is not a number: only the digits 0-9 are read", _DIGITS_HINT),
        ("not-a-number", "text"): Template("expected a number, found '{text}'"),
        ("not-a-number", "value"): Template("expected a number, found {value}"),
        ("not-a-number", "whole"): Template("expected a whole number, found {value}"),
        ("not-a-whole-number", "digits"): Template("'{text}' is not a whole number: only the digits 0-9 are read", _DIGITS_HINT),
        ("not-a-whole-number", ""): Template("expected a whole number, found {value}"),
        ("not-a-bool", ""): Template("expected true or false, found {value}"),
        ("control-character", "fact"): Template("the text holds the invisible character {name}", "delete it: control, bidi and zero-width characters are not allowed in text (it often comes with text copied from another program)"),
        ("not-text", ""): Template("expected text, found {value}"),
        ("not-a-date", ""): Template("expected a date written YYYY-MM-DD, found {value}"),
        ("not-a-date", "date-time"): Template("expected a date, found a date and time {value}"),
        ("not-allowed", "fact"): Template("{value} is not one of {values}"),
        ("empty-value", ""): Template("the value is empty"),
        ("out-of-range", "min"): Template("{value} is below the least this field may hold, {bound}", "check the sign and the digits: the record is left out, the rest of the month is evaluated"),
        ("out-of-range", "max"): Template("{value} is above the most this field may hold, {bound}", "check the digits (one too many?): the record is left out, the rest of the month is evaluated"),
        ("not-a-list", ""): Template("expected a list, found {value}"),
        ("list-too-long", ""): Template("the list has {count} items; at most {limit} are accepted"),
        ("not-a-record", ""): Template("a record must be a mapping of field names to values, found {found}"),
        ("missing-field", ""): Template("the field '{field}' is missing"),
        ("unknown-field", ""): Template("unknown field '{field}'"),
    }),
    # a month's facts across kinds (policyengine/facts/_by_kind.py)
    ("facts-by-kind", {
        ("unknown-kind", "facts"): Template("there is no kind of record '{kind}'", "the kinds are: {kinds}"),
        ("not-a-record-list", "facts"): Template("the facts must be a list of records, found {found}", 'write {{"<kind>": [records], ...}}'),
        ("not-a-record-list", "batch"): Template("the records must be a list of records, found {found}", "evaluate_many([record, ...]); one record alone: evaluate(record)"),
        ("not-a-record-list", "kind"): Template("the {kind} must be a list of records, found {found}", 'write {{"<kind>": [records], ...}}'),
        ("duplicate-key", "facts"): Template("the {kind} records at positions {positions} (counting from 0) all have the {field} '{record}'", "each {kind} needs its own {field}; all are left out"),
        ("key-white-space", ""): Template("the {field} '{record}' begins or ends with a space: it would be another {kind} than the one written without it", "delete the space (also a full-width or non-breaking one) around the {field}"),
        ("duplicate-key", "facts-rows"): Template("the {kind} records on rows {rows} all have the {field} '{record}'", "each {kind} needs its own {field}; all are left out"),
        ("missing-parent", ""): Template("there is no {parent} '{value}' for this {kind}", "add the {parent} record, or correct {field}"),
        ("invalid-parent", ""): Template("the {parent} '{value}' of this {kind} has a problem of its own (reported there), so the {kind} is left out too", "correct the {parent} record"),
    }),
    # a facts file and its header (policyengine/facts/_file.py, _io.py, _csv.py, _json.py, _xlsx.py)
    ("facts-files", {
        ("unknown-column", "no-header"): Template("a column has no header", "name every column by a field name or title, or delete the column"),
        ("unknown-column", ""): Template("unknown column '{header}'"),
        ("unknown-column", "no-field"): Template("no cell of this row names a field, so it is no header ('{header}' …)", "the first row that holds anything must be the header (field names or titles): delete a title row above it, and put the records' sheet first"),
        ("unknown-column", "blank-first-line"): Template("the first line, which must name the columns, is blank", "put the header (field names or titles) on the first line"),
        ("duplicate-column", ""): Template("column '{header}' appears twice"),
        ("unknown-format", "file"): Template("cannot read '{suffix}' files", "use {formats}"),
        ("unknown-format", "spreadsheet"): Template("a '{suffix}' file is not read: its records would be left out", "save it from Excel as 'Excel Workbook (*.xlsx)' or 'CSV UTF-8' ({formats}), and remove this one"),
        ("file-not-found", "facts"): Template("no such file"),
        ("file-not-found", "month"): Template("no such folder or file", "name the month's folder of facts files (e.g. examples/2026-03), or one .json file of every kind"),
        ("unreadable-facts", "os"): Template("cannot read the file: {reason}"),
        ("unreadable-facts", "not-a-file"): Template("this is not a file but a pipe, a device or a socket, and is not read", "put the month's file itself here (a copy on disk), not a link to a device or a pipe"),
        ("unreadable-facts", "changed"): Template("the file changed while it was read: its records would be a mix of two versions of it", "run the month again once the file is saved in full"),
        ("unreadable-facts", "workbook"): Template("not an Excel workbook: {reason}", "save it from Excel as 'Excel Workbook (*.xlsx)'"),
        ("file-too-large", "facts"): Template("the file is {size:,} bytes, over the {limit} MiB a facts file may hold", "split the month's records of this kind, or check it is the right file"),
        ("file-too-large", "workbook"): Template("the workbook is refused: {reason}", "save the sheet again from Excel, or as CSV UTF-8"),
        ("not-utf8", "facts"): Template("the file is not UTF-8 text", "save it as UTF-8 (in Excel: CSV UTF-8)"),
        ("not-utf8", "header"): Template("the header holds bytes that are not UTF-8 text", "save it as UTF-8 (in Excel: CSV UTF-8)"),
        ("empty-file", "facts"): Template("the file is empty"),
        ("empty-file", "no-worksheet"): Template("the workbook has no worksheet"),
        ("unreadable-facts", "hidden-sheet"): Template("the first sheet is hidden: the records would be read from a sheet no one sees", "unhide it, delete it, or move the sheet holding the records to the first place"),
        ("empty-file", "first-sheet"): Template("the first sheet is empty", "the records must be on the first sheet, under a header row"),
        ("invalid-csv", ""): Template("not valid CSV: {problem}"),
        ("invalid-json", ""): Template("not valid JSON: {problem}"),
        ("invalid-json", "value"): Template("{problem}"),
        ("invalid-json", "repeated-name"): Template("an object gives '{name}' twice: the second value would silently replace the first", "keep one '{name}' in each record"),
        ("too-deep", "json"): Template("the JSON nests more than {limit} levels deep", "a record is an object of plain values and lists of them"),
        ("not-a-record-list", "json"): Template('expected a list of records (or {{"records": [...]}})'),
        # a row read but not whole: kept in the record (facts/_file.py, UNREADABLE), said again from there
        ("ragged-row", "row"): Template("the row has {cells} cells but the header has {columns}", _ROW),
        ("ragged-row", "no-header"): Template("a value ({value}) in column {column}, which has no header: name the column in the header row, or clear the cell", _ROW),
        ("invalid-csv", "row"): Template("not valid CSV: {csv_problem}", _ROW),
        ("not-utf8", "cell"): Template("the cell holds bytes that are not UTF-8 text", _ROW),
        ("float-not-allowed", "cell"): Template("the cell holds the number {value}, which Excel keeps as a binary float: it cannot carry an exact value here (format the column as Text and type it again, or save the sheet as CSV UTF-8)", _ROW),
        ("unreadable-facts", "formula"): Template("the cell holds a formula without a saved result: open and save the workbook in Excel, or paste the values", _ROW),
        ("unreadable-facts", "merged"): Template("the cell is inside the merged cells {cells}, whose value only their first cell holds: this row's would be read blank", "unmerge the cells and write the value in each row; the rest of the month is evaluated"),
        ("unreadable-facts", "row"): Template("the reader could not read the record", _ROW),
    }),
    # a month's facts: a folder of files, or one file by kind (policyengine/facts/_io.py)
    ("facts-folders-and-paid-amount-files", {
        ("unknown-format", "by-kind"): Template("facts for several kinds come as a folder or one .json file", '{{"rep": [...], "call": [...]}}'),
        ("not-a-record-list", "by-kind"): Template('expected {{"<kind>": [records], ...}}'),
        ("duplicate-kind", ""): Template("two files hold the records of '{kind}'"),
        ("empty-file", "folder"): Template("the folder holds no facts files ({formats})"),
    }),
)
# fmt: on
