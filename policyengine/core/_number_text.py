"""A number written as text: the one parser every reader uses.

Policies (YAML scalars and literals), facts files (CSV and xlsx text cells,
JSON numbers, xlsx number cells), earlier months' values read back and paid
amounts all turn text into an exact number here, through :func:`parse`, each
reader naming the :class:`Spelling` it accepts. A spelling is built from the
parts below — sign, digits, decimal point, exponent, percent, thousands
separators — so each rule is written once:

- what a digit is: :func:`digit` (policy YAML, whole numbers and the fast
  reader take ASCII ``0-9``; amounts in facts and percentages take the digits
  of any script, as they always have);
- what a thousands separator is: :func:`without_separators` (facts amounts:
  every comma is dropped, wherever it stands);
- the sign, the decimal point and the percent: :data:`SIGN`, :func:`unsigned`,
  the ``PERCENT`` spelling (``3.5%`` is ``0.035``, exact);
- the exponent: only the spellings of a binary float's shortest text
  (``FLOAT_TEXT``: an xlsx number cell, a JSON number) accept one.

No spelling makes a float. A text that is no number of its spelling gives
``None``; each reader then raises its own located error with its own code.
:data:`LOOKS_NUMERIC` says when a text that is no number was surely meant as
one (``1,000`` in a policy, ``4％``), so that it is refused, not kept as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from ._numbers import CONTEXT

#: An optional sign.
SIGN = "[-+]?"

#: What a number read from outside (a fact, a paid amount) may be: less than
#: 10^MAX_MAGNITUDE in size and at most MAX_PLACES decimal places. 28 is the engine's
#: precision: a number beyond it could not be computed with exactly, and would be
#: rounded without a word. Checked on the number's exponent, before anything writes
#: its digits out: ``1e999999999`` is 11 bytes of text and a billion digits once
#: formatted. (Results of the rules have their own, smaller bound: 10^18.) Runs
#: recorded before the bound never held such a number: it made them hang or fail.
MAX_MAGNITUDE = 28
MAX_PLACES = 28


def out_of_range(number: Decimal | int) -> str | None:
    """Why ``number`` is outside what the engine reads: ``"large"`` (10^28 or more),
    ``"places"`` (more than 28 decimal places); None when it is within."""
    if type(number) is int:
        return None if -_LIMIT < number < _LIMIT else "large"
    if not isinstance(number, Decimal) or not number.is_finite():
        return None  # not a number at all: the reader says so
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent < -MAX_PLACES:
        return "places"
    return "large" if number.adjusted() >= MAX_MAGNITUDE else None


_LIMIT = 10**MAX_MAGNITUDE


def digit(any_script: bool) -> str:
    """The pattern of one digit: ASCII ``0-9``, or (``any_script``) any script's digits.

    The one place the digit rule lives.
    """
    return r"\d" if any_script else "[0-9]"


def without_separators(text: str) -> str:
    """``text`` with its thousands separators taken out: today every comma, wherever it is.

    The one place the thousands-separator rule lives.
    """
    return text.replace(",", "")


def unsigned(any_script: bool, *, bare_point: bool) -> str:
    """Digits, an optional fraction (``12``, ``12.5``, ``.5``); ``bare_point`` accepts ``12.``."""
    d = digit(any_script)
    fraction = rf"(?:\.{d}*)?" if bare_point else rf"(?:\.{d}+)?"
    return rf"(?:{d}+{fraction}|\.{d}+)"


@dataclass(frozen=True)
class Spelling:
    """What one reader accepts as a number: a pattern (anchored; ``match`` is used) and how a
    match becomes the number. ``strip`` takes surrounding white space off first and
    ``separators`` takes thousands separators out."""

    name: str
    pattern: re.Pattern[str]
    value: Callable[[re.Match[str]], Decimal | int]
    strip: bool = False
    separators: bool = False


def _decimal(match: re.Match[str]) -> Decimal:
    return Decimal(match.string)


def _yaml_number(match: re.Match[str]) -> Decimal | int:
    number = Decimal(match.string)
    if match.group("fraction") or len(number.as_tuple().digits) > CONTEXT.prec:
        return number  # a whole number too long to compute exactly stays a Decimal, refused
    return int(match.string)


def _percent(match: re.Match[str]) -> Decimal:
    # In the engine's context: a caller's prec = 6 must not cut 12.3456789%.
    return Decimal(match.group(1)).scaleb(-2, context=CONTEXT)


#: Plain decimal text: ``12``, ``-3.50``, ``12.``, ``.5`` (any script's digits). The final
#: ``$`` also lets a last line break through, which ``Decimal`` ignores.
DECIMAL = Spelling("decimal", re.compile(rf"^{SIGN}{unsigned(True, bare_point=True)}$"), _decimal)
#: An amount in a facts file: :data:`DECIMAL` once white space and thousands separators are out.
FACT_AMOUNT = Spelling("fact amount", DECIMAL.pattern, _decimal, strip=True, separators=True)
#: A percentage: ``3.5%``, `` -12 % `` (white space around; any script's digits).
PERCENT = Spelling(
    "percent",
    re.compile(rf"^\s*({SIGN}{unsigned(True, bare_point=False)})\s*%\s*$"),
    _percent,
)
#: A YAML plain scalar that is a number: an int (``12``, ``-3``, no leading zeros) or a
#: Decimal (``1.50``, ``.5``); ASCII digits, no exponent, no percent. (A whole number with
#: more digits than the engine keeps is given as a Decimal: the reader refuses it.)
YAML = Spelling(
    "YAML",
    re.compile(
        rf"^{SIGN}(?=\.?{digit(False)})(?:0|[1-9]{digit(False)}*)?"
        rf"(?P<fraction>\.{digit(False)}+)?\Z"
    ),
    _yaml_number,
)


def _whole(match: re.Match[str]) -> Decimal | int:
    # More digits than any number the engine reads: kept a Decimal (no digit is written
    # out), for the reader to refuse (:func:`out_of_range`); int() of it would be slow.
    text = match.string
    return int(text) if len(text) <= MAX_MAGNITUDE + 1 else Decimal(text)


#: A whole number in a facts file: ``12``, ``-3``, ``007``; ASCII digits, white space around.
WHOLE = Spelling("whole", re.compile(rf"^{SIGN}{digit(False)}+\Z"), _whole, strip=True)
#: The shortest text of a binary float (Python's ``repr``) or a JSON number: an exponent is
#: allowed. An xlsx number cell and a JSON number arrive so.
FLOAT_TEXT = Spelling(
    "float text",
    re.compile(rf"^{SIGN}{unsigned(True, bare_point=True)}(?:[eE]{SIGN}{digit(True)}+)?\Z"),
    _decimal,
)

#: The fast reader's inline check, from the same parts: unsigned ASCII digits with an optional
#: fraction (``1234.50``), which :data:`FACT_AMOUNT` reads as the same number, within
#: :func:`out_of_range`'s bounds (anything longer goes the general way, which refuses it).
FAST_AMOUNT = re.compile(
    rf"{digit(False)}{{1,{MAX_MAGNITUDE}}}(?:\.{digit(False)}{{1,{MAX_PLACES}}})?"
)

#: Text that was surely meant as a number (1,000  1e3  ３.５%  4％) but is not one.
LOOKS_NUMERIC = re.compile(r"^[\s\d.,_eE%％+\-]*\d[\s\d.,_eE%％+\-]*$")


def parse(text: str, spelling: Spelling) -> Decimal | int | None:
    """The number ``text`` writes in ``spelling``, or None when it writes none."""
    if spelling.strip:
        text = text.strip()
    if spelling.separators:
        text = without_separators(text)
    match = spelling.pattern.match(text)
    return None if match is None else spelling.value(match)


def parse_decimal(text: str, spelling: Spelling) -> Decimal | None:
    """:func:`parse` for a spelling whose numbers are Decimals."""
    number = parse(text, spelling)
    assert number is None or isinstance(number, Decimal)
    return number


def to_decimal(value: object) -> Decimal:
    """An int, Decimal or percent string as an exact Decimal.

    Raises ``ValueError`` for anything else (including float and bool):
    callers turn it into a located error.
    """
    if isinstance(value, bool):
        raise ValueError("a yes/no value is not a number")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a finite number")
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        number = parse_decimal(value, PERCENT)
        if number is not None:
            return number
        raise ValueError(f"'{value}' is not a number or a percentage")
    raise ValueError(f"{type(value).__name__} is not an exact number; use int, Decimal or text")


def json_int(text: str) -> int | str:
    """A JSON whole number: an int, or (longer than any number the engine reads) its text as
    written, for the field's reading to refuse: 5,000 digits are one record's error, not
    the file's, and are never converted."""
    return int(text) if len(text) <= MAX_MAGNITUDE + 1 else text


def json_number(text: str) -> Decimal | str:
    """A JSON number with a fraction or an exponent: exact, or (beyond the bounds, see
    :func:`out_of_range`) its text as written, never expanded: the canonical inputs would
    otherwise write out a billion digits of ``1e999999999``."""
    number = exact(text)
    return text if out_of_range(number) else number


def exact(text: str, spelling: Spelling = FLOAT_TEXT) -> Decimal:
    """The Decimal ``text`` writes, for text that is surely a number of ``spelling``
    (a float's ``repr``, a number the JSON reader has matched); ValueError otherwise."""
    number = parse(text, spelling)
    if type(number) is not Decimal:
        raise ValueError(f"'{text}' is not a number")
    return number
