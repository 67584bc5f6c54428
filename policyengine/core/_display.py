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
  items by ``","``; ``blank`` for nothing; unclean characters escaped).
- :func:`show_value` — a plain value as an explanation line shows it.
- :func:`unclean` — the one rule of which characters text from outside may not
  hold (control, bidi and zero-width characters, lone surrogates,
  non-characters); :func:`safe_text` shows such text with them escaped, so
  nothing from a policy or a fact reaches a terminal as an escape sequence.

How a value appears *inside an error message* ("number 3", "text 'a'", "a
list of 4") is a different job — naming the kind of a value an operator was
given — and stays with the expression language (``language/_value_kinds.show``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

# --- clean text -------------------------------------------------------------------------
# Characters that change how text looks or is read without being seen: C0 and C1 controls
# and DEL (an escape sequence recolours or rewrites a terminal), bidi controls (Trojan
# Source: text that reads differently from what it holds), zero-width characters (two
# names that look alike but differ), lone surrogates (cannot be written as UTF-8) and
# non-characters (U+FFFE, U+FDD0 …: never meant for interchange). Tab, line feed and
# carriage return are allowed where text may span lines.
_NON_CHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
_UNCLEAN = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 but tab, LF, CR; DEL; C1
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi controls
    "\u200b-\u200d\u2060\ufeff"  # zero-width characters (a BOM inside the text is one)
    "\ud800-\udfff" + _NON_CHARACTERS  # lone surrogates, non-characters
)
# Every unclean character is a control (Cc), format (Cf), surrogate (Cs) or unassigned
# (Cn) character, none of which ``str.isprintable`` accepts: text it accepts is clean
# without the search (tests/test_clean_text.py checks every code point).
#: The unclean characters of text that may span lines (tab, LF and CR allowed).
UNCLEAN_TEXT = re.compile(f"[{_UNCLEAN}]")
#: The unclean characters of one line of text, a name or a key (tab, LF and CR too).
UNCLEAN_LINE = re.compile(f"[{_UNCLEAN}\t\n\r]")


def unclean(text: str, *, lines: bool = True) -> re.Match[str] | None:
    """The first character ``text`` may not hold, or None when it is clean.

    The one rule, used by every reader of text from outside (policy files, entities.yaml,
    the lock, facts): ``lines`` allows tab, line feed and carriage return.
    """
    if text.isprintable():  # the common case, one fast pass: nothing unclean is printable
        return None
    return (UNCLEAN_TEXT if lines else UNCLEAN_LINE).search(text)


def character_name(character: str) -> str:
    """``U+200B (ZERO WIDTH SPACE)``: how a message names an unclean character."""
    code = f"U+{ord(character):04X}"
    if "\ud800" <= character <= "\udfff":
        return f"{code} (a lone surrogate, half of a character)"
    name = unicodedata.name(character, "")
    if name:
        return f"{code} ({name})"
    return f"{code} (a control character)" if character < "\xa0" else f"{code} (a non-character)"


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )


_SHOWN_UNSAFE = re.compile(f"[{_UNCLEAN}\t\r]")


def safe_text(text: str, *, lines: bool = False) -> str:
    """``text`` with every unclean character written as an escape (``\\x1b``, ``\\u202e``), so
    that it shows as what it holds, never as a terminal's escape sequence; ``lines``
    keeps line feeds (a message of several lines)."""
    pattern = _SHOWN_UNSAFE if lines else UNCLEAN_LINE
    return pattern.sub(_escape, text) if pattern.search(text) else text


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
        return safe_text(",".join(str(v) for v in shown)) or blank
    if isinstance(shown, bool):
        return _bool_text(shown)
    return safe_text(str(shown))


def show_value(value: Any) -> str:
    """A plain (JSON-friendly) value as an explanation shows it (unclean characters escaped)."""
    if isinstance(value, list):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return _bool_text(value)
    return safe_text(str(value))
