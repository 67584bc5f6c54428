"""What a spreadsheet cell may hold: text that no spreadsheet evaluates as a formula.

Excel, LibreOffice and Google Sheets run a cell whose text starts with
``=``, ``+``, ``-`` or ``@`` (and, in a CSV, a tab or a carriage return,
which some of them skip before looking) as a formula: a fact such as
``=HYPERLINK("http://…", "点击")`` in a rep's name, or a policy's title,
would run on the desk of whoever opens the pay sheet. A Chinese input method
types the full-width ``＝＋－＠``, which Excel takes as the same. Every text
written to a CSV or workbook cell, from the facts or from a policy, header
or value, passes through this module; the JSON result and the ledger keep
the exact text.

- In a CSV such text is written behind an apostrophe (``'=1+1``), the mark
  every spreadsheet reads as "text as typed". A text that itself starts with
  an apostrophe gets one more, so the original is always the written text
  with its first apostrophe taken off (:func:`csv_text_back`).
- In a workbook the cell is a text cell (``data_type 's'``, never ``'f'``)
  with Excel's quote prefix set, so it stays text when someone edits it.

Numbers stay numbers: a negative amount is written as ``-12.50``, not as text.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from ..core._display import cell_text

__all__ = [
    "FORMULA_STARTS",
    "csv_cell",
    "csv_text",
    "csv_text_back",
    "formula_like",
    "xlsx_text",
]

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠")
#: What a CSV cell is written behind when its text could be read as a formula.
_QUOTE = "'"
_NUMBERS = (Decimal, int, datetime.date)


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula."""
    return text[:1] in FORMULA_STARTS


def csv_text(text: str) -> str:
    """Text as a CSV cell holds it: behind an apostrophe when it could be read as a formula
    (or starts with an apostrophe itself, so that the mark is never ambiguous)."""
    if text[:1] in FORMULA_STARTS or text.startswith(_QUOTE):
        return _QUOTE + text
    return text


def csv_text_back(cell: str) -> str:
    """The text a CSV cell written by :func:`csv_text` holds."""
    return cell[1:] if cell.startswith(_QUOTE) else cell


def csv_cell(value: Any) -> str:
    """Any value as a CSV cell: numbers and dates as they are shown (``-12.50`` stays a
    number), everything else as neutral text (:func:`csv_text`)."""
    shown = cell_text(value)
    if isinstance(value, _NUMBERS):  # bool is an int too: true/false start no formula
        return shown
    return csv_text(shown)


def xlsx_text(cell: Any, text: str) -> None:
    """Put ``text`` in an openpyxl ``cell`` as a text cell: never a formula, whatever it
    starts with, and quote-prefixed when it could be read as one (so it stays text when
    someone edits the cell). Characters XML cannot carry become U+FFFD."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # The value first: openpyxl guesses a formula from a leading "=", and the type set
    # after it is what is written.
    cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    cell.data_type = "s"
    if formula_like(text):
        cell.quotePrefix = True
