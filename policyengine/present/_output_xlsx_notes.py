"""The workbook's sheet "说明 Notes": how each column of numbers is shown, and which cells
do not hold their exact number.

Every output column of numbers is listed with its number format, its places
and where they come from (the rule's ``round:``, or the display default of
:mod:`~policyengine.present._report_numbers`), and whether it adds up. Then
every cell whose exact value a spreadsheet number cannot hold: rounded for
display, or written as text (the JSON result and the CSV hold every digit).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from ._cells import xlsx_text
from ._report import Table

__all__ = ["NOTES_SHEET", "Note", "write_notes"]

NOTES_SHEET = "说明 Notes"
#: Cells listed one by one, at most; the rest are counted.
_LISTED = 1000


@attrs.frozen
class Note:
    """A cell that does not hold its exact number, and why."""

    sheet: str
    cell: str
    exact: str
    why: str


def write_notes(sheet: Any, tables: Sequence[Table], notes: Sequence[Note]) -> None:
    """The notes sheet (see the module)."""
    from openpyxl.styles import Font

    bold = Font(bold=True)
    row = _line(sheet, 1, ("Numbers are number cells, so that SUM, filters and sorting work.",))
    _line(sheet, row, ("The JSON result and the CSV hold every exact digit.",))
    row += 2
    header = ("sheet", "column", "title", "format", "places", "places from", "totalled")
    row = _line(sheet, row, header, bold)
    for table in tables:
        for number, column in enumerate(table.columns, start=1):
            style = column.style
            if style is None:
                continue
            source = "round:" if style.declared else "display default"
            if style.whole:
                source = "whole numbers"
            shown = (table.name, _letter(number), f"{column.title} ({column.name})")
            facts = (style.excel_format, str(style.places), source)
            row = _line(sheet, row, (*shown, *facts, "yes" if style.totalled else "no"))
    row += 1
    if not notes:
        row = _line(sheet, row, ("Every number cell holds its exact value.",))
    else:
        row = _line(sheet, row, ("sheet", "cell", "exact value", "written as"), bold)
        for note in notes[:_LISTED]:
            row = _line(sheet, row, (note.sheet, note.cell, note.exact, note.why))
        if len(notes) > _LISTED:
            _line(sheet, row, (f"… and {len(notes) - _LISTED} more cells",))
    from openpyxl.utils import get_column_letter

    for number, size in enumerate((24, 10, 44, 60, 8, 16, 9), start=1):
        sheet.column_dimensions[get_column_letter(number)].width = size


def _line(sheet: Any, row: int, texts: Sequence[str], font: Any = None) -> int:
    """Write ``texts`` as text cells across ``row``; the next row."""
    for number, text in enumerate(texts, start=1):
        cell = sheet.cell(row=row, column=number)
        xlsx_text(cell, text)
        if font is not None:
            cell.font = font
    return row + 1


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)
