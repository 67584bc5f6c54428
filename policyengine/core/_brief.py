"""A value from outside, shown in a message: its ``repr``, but bounded and never failing.

A message names the value it refuses (``expected a number, found 'lots'``).
The value can be anything a caller passes: a list 5,000 levels deep (whose
``repr`` raises RecursionError), a list of 20,000 items (a 130 KB message), an
int of a million digits (whose ``repr`` raises ValueError), text of a
megabyte. :func:`brief` is ``repr(value)`` whenever the value is of ordinary
size, so the messages of ordinary values (and the runs that recorded them)
are unchanged; a long or deep value is cut with ``...``, as the standard
library's :mod:`reprlib` cuts it.
"""

from __future__ import annotations

import reprlib
from typing import Any

#: The longest text shown whole.
LIMIT = 200


class _Brief(reprlib.Repr):
    """:class:`reprlib.Repr` with limits wide enough for any ordinary value, a huge int
    shown by its size (``repr`` of it raises), and an object whose ``repr`` fails shown by
    its type (reprlib would show its address, which changes from run to run)."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 3
        self.maxlist = self.maxtuple = self.maxset = self.maxfrozenset = self.maxdict = 30
        self.maxstring = self.maxlong = self.maxother = LIMIT

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 4 * LIMIT:
            return f"<a whole number of {x.bit_length():,} bits>"
        return super().repr_int(x, level)

    def repr_instance(self, x: Any, level: int) -> str:
        try:
            shown = repr(x)
        except Exception:  # a caller's object: its type is still worth showing
            return f"<{type(x).__name__}>"
        if len(shown) > self.maxother:
            half = (self.maxother - 3) // 2
            return f"{shown[:half]}...{shown[len(shown) - half :]}"
        return shown


_BRIEF = _Brief()


def brief(value: Any) -> str:
    """``repr(value)``, cut when the value is long or deep; never raises."""
    return _BRIEF.repr(value)


def brief_text(text: str) -> str:
    """Text shown as written (the caller quotes it): whole when short, else cut."""
    if len(text) <= LIMIT:
        return text
    return f"{text[: LIMIT - 1]}… ({len(text):,} characters)"
