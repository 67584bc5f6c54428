"""``x * 6%``: a percentage written in an expression is the rate it names.

Python reads ``%`` after a number as the remainder operator, which needs a
right operand: ``x * 6%`` does not parse. A policy author writes rates as
percentages everywhere else (parameters, bands), so in an expression too a
``%`` that directly follows a number and is followed by nothing an operand
could start with — the end, ``)``, ``]``, ``,``, a comparison, ``*``, ``/``,
a keyword (``if``, ``else``, ``and``, ``or``, ``in``, ``not``, ``is``), or a
``+``/``-`` with a space after it — is a percent sign: ``6%`` is 0.06,
exactly. Every other ``%`` is still the remainder (``x % 2``, ``10%3``).

The text is read token by token (a ``%`` inside quotes is text) and each
percent sign becomes ``j``, the same width, so the parser reads a number
there and every column stays where it was written; the checker turns those
numbers, and only those, into the rate (:func:`percent_value`).
"""

from __future__ import annotations

import io
import tokenize
from decimal import Decimal

#: Where a percentage's number starts: (line, column in UTF-8 bytes), as ``ast`` counts.
Places = frozenset[tuple[int, int]]

_AFTER = frozenset({")", "]", ",", "*", "/", "<", ">", "<=", ">=", "==", "!=", "//", "**"})
_KEYWORDS = frozenset({"if", "else", "and", "or", "in", "not", "is"})


def mark_percents(source: str) -> tuple[str, Places]:
    """``source`` with each percent sign made ``j``, and where those numbers start."""
    if "%" not in source:
        return source, frozenset()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, ValueError):
        return source, frozenset()
    lines = source.splitlines(keepends=True)
    places: set[tuple[int, int]] = set()
    for index in range(1, len(tokens) - 1):
        sign, number = tokens[index], tokens[index - 1]
        if sign.string != "%" or number.type != tokenize.NUMBER or number.end != sign.start:
            continue
        if not _ends_operand(tokens, index, lines):
            continue
        row, column = sign.start
        line = lines[row - 1]
        lines[row - 1] = line[:column] + "j" + line[column + 1 :]
        start_row, start_column = number.start
        places.add((start_row, len(lines[start_row - 1][:start_column].encode())))
    return "".join(lines), frozenset(places)


def _ends_operand(tokens: list[tokenize.TokenInfo], index: int, lines: list[str]) -> bool:
    """Whether what follows the ``%`` at ``index`` cannot start its right operand."""
    following = tokens[index + 1]
    if following.type in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.COMMENT):
        return True
    text = following.string
    if following.type == tokenize.NAME:
        return text in _KEYWORDS
    if text in _AFTER:
        return True
    if text in ("+", "-"):  # "6% - 1" is a rate less one; "6%-1" stays a remainder
        row, column = following.end
        after = lines[row - 1][column : column + 1]
        return after in (" ", "\t")
    return False


def percent_value(text: str) -> Decimal:
    """The rate a percentage's number names (``"6j"`` as read: 0.06), exactly."""
    return Decimal(text.rstrip("jJ").replace("_", "")).scaleb(-2)
