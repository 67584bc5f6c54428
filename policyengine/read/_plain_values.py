"""What a plain (unquoted) YAML value means in a policy file: YAML 1.1's guesses, refused.

A plain value is None for ``~``, ``null`` or nothing; a bool only for
``true``/``false`` (three spellings); an ``int`` for ``12``, ``-3`` (no leading
zeros); a :class:`~decimal.Decimal` (never a float) for ``1.50``, ``.5``,
``-0.25``, with at most as many digits as the engine computes exactly; a
``datetime.date`` for ``YYYY-MM-DD``. Anything else (``yes``, ``007``, ``1e3``,
``.inf``, ``3.5%``, a date with a time) stays text, and so do a number with too
many digits and an impossible day, each with its problem.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

from ..codes import ErrorCode
from ..core import _number_text as number_text
from ..core._numbers import CONTEXT

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
# [0-9], not \d: \d also accepts the digits of other scripts.
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")

#: A problem of a plain value: its code and details (the reader places it).
Problem = tuple[ErrorCode, dict[str, Any]]


def plain_value(text: str) -> tuple[Any, Problem | None]:
    """The value ``text`` written plain means, and the problem it has, if any."""
    if text in _NULLS:
        return None, None
    if text in _BOOLS:
        return _BOOLS[text], None
    number = number_text.parse(text, number_text.YAML)  # an int or a Decimal
    if number is not None:
        digits = len(Decimal(number).as_tuple().digits)
        # More digits than the arithmetic context keeps would be rounded
        # silently at the first calculation.
        if digits > CONTEXT.prec:
            return text, ("too-many-digits", {"digits": digits, "limit": CONTEXT.prec})
        return number, None
    date = _DATE.fullmatch(text)
    if date:
        try:
            return datetime.date(*(int(part) for part in date.groups())), None
        except ValueError:
            return text, ("invalid-date", {"text": text})
    return text, None
