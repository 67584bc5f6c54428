"""How a value is shown: as JSON-friendly data, as the text of a cell, as an explanation.

Every writer, report, trace, ledger and diff shows values through these
functions, so an amount is written the same way everywhere: exact digits,
never exponent notation (``1230``, not ``1.23E+3``); ``true``/``false``;
dates as ``YYYY-MM-DD``; a list as its items joined by commas.

- :func:`plain` — JSON-friendly data (what the JSON output, the ledger, the
  trace and canonical inputs hold); the other forms start from it.
- :func:`decimal_text` — one exact number as its digits.
- :func:`cell_text` — a CSV cell, an xlsx list cell, a summary item (blank
  for nothing, list items by ``", "``).
- :func:`short_text` — a printed table's cell or a diff's CSV cell (list
  items by ``","``; ``blank`` for nothing).
- :func:`show_value` — a plain value as an explanation line shows it.

How a value appears *inside an error message* ("number 3", "text 'a'", "a
list of 4") is a different job — naming the kind of a value an operator was
given — and stays with the expression language (``language/_value_kinds.show``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any


def decimal_text(value: Decimal) -> str:
    """An exact number as its digits, never in exponent notation: 1230, not 1.23E+3."""
    return f"{value:f}"


def plain(value: Any) -> Any:
    """A value as JSON-friendly data: Decimals and dates as text (exact), whole ints as ints."""
    if type(value) is Decimal:  # the common case, without the ABC checks
        return f"{value:f}"
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def _bool_text(value: bool) -> str:
    return "true" if value else "false"


def cell_text(value: Any) -> str:
    """A value as text in a CSV cell or a summary: exact digits, true/false, lists by ", "."""
    shown = plain(value)
    if shown is None:
        return ""
    if isinstance(shown, bool):
        return _bool_text(shown)
    if isinstance(shown, list):
        return ", ".join(cell_text(v) for v in shown)
    return str(shown)


def short_text(value: Any, blank: str) -> str:
    """A value as one short cell: ``blank`` for nothing (or an empty list), list items by ","."""
    shown = plain(value)
    if shown is None:
        return blank
    if isinstance(shown, list):
        return ",".join(str(v) for v in shown) or blank
    if isinstance(shown, bool):
        return _bool_text(shown)
    return str(shown)


def show_value(value: Any) -> str:
    """A plain (JSON-friendly) value as an explanation shows it."""
    if isinstance(value, list):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return _bool_text(value)
    return str(value)
