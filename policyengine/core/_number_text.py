"""A number written as text: the one parser every reader uses.

Policies (YAML scalars and literals), facts files (CSV and xlsx text cells,
JSON numbers, xlsx number cells), earlier months' values read back and paid
amounts all turn text into an exact number here, through :func:`parse`, each
reader naming the :class:`Spelling` it accepts. A spelling is built from the
parts below — sign, digits, decimal point, exponent, percent, thousands
separators — so each rule is written once:

- what a digit is: :data:`DIGIT`, ASCII ``0-9`` only, everywhere (``١٢٣`` and
  ``１２３`` are no number: Python's ``Decimal`` and ``int`` would read them);
- what a thousands separator is: :func:`without_separators` (facts amounts: a
  comma between groups of three digits, ``1,234.50``; any other comma makes the
  text no number, and :func:`comma_problem` says why);
- the sign, the decimal point and the percent: :data:`SIGN`, :func:`unsigned`,
  the ``PERCENT`` spelling (``3.5%`` is ``0.035``, exact);
- the exponent: only the spellings of a binary float's shortest text
  (``FLOAT_TEXT``: an xlsx number cell, a JSON number) accept one.

No spelling makes a float. A text that is no number of its spelling gives
``None``; each reader then raises its own located error with its own code.
:func:`looks_numeric` says when a text that is no number was surely meant as
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


#: The pattern of one digit: ASCII ``0-9``. The one place the digit rule lives. (``\\d``
#: would also take the digits of every other script, which an amount must not be
#: written in: ``٣%`` would be 3%.)
DIGIT = "[0-9]"

#: Whole-number digits with thousands separators: one to three digits, then groups
#: of a comma and exactly three digits (``1,234`` ``12,345,678``).
#: (Also the written form JSON Schema's patterns of the facts take: facts/_record_kinds.py.)
GROUPED_DIGITS = rf"{DIGIT}{{1,3}}(?:,{DIGIT}{{3}})+"
_GROUPED = re.compile(rf"^([-+]?){GROUPED_DIGITS}(?=[.]|$)")


def without_separators(text: str) -> str:
    """``text`` with its thousands separators taken out, when every comma in it stands
    between groups of three digits of the whole part (``-1,234.50`` → ``-1234.50``);
    otherwise ``text`` as it is, commas and all, which no spelling reads as a number.

    The one place the thousands-separator rule lives: ``12,34``, ``773,48`` and
    ``1,2,3,4`` are no number (a decimal comma or a slip), never 1234 or 77348.
    """
    if "," not in text:
        return text
    grouped = _GROUPED.match(text)
    if grouped is None or "," in text[grouped.end() :]:
        return text
    return grouped.group(0).replace(",", "") + text[grouped.end() :]


def comma_problem(text: str) -> str | None:
    """Why the commas in ``text``, a number written with them, are not thousands
    separators; None when it has no comma or its commas are separators."""
    text = text.strip()
    if "," not in text or without_separators(text) != text:
        return None
    if re.fullmatch(rf"[-+]?{DIGIT}+,{DIGIT}{{1,2}}", text):
        return "a comma cannot be the decimal point (write 12.34, not 12,34)"
    return "a comma may only separate thousands, in groups of three digits (1,234.50)"


def non_ascii_digits(text: str) -> bool:
    """Whether ``text`` holds a digit of another script (``１２`` ``٣``), which is no digit."""
    return any(not c.isascii() for c in _ANY_DIGIT.findall(text))


def unsigned(*, bare_point: bool) -> str:
    """Digits, an optional fraction (``12``, ``12.5``, ``.5``); ``bare_point`` accepts ``12.``."""
    d = DIGIT
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


#: Plain decimal text: ``12``, ``-3.50``, ``12.``, ``.5``. The final
#: ``$`` also lets a last line break through, which ``Decimal`` ignores.
DECIMAL = Spelling("decimal", re.compile(rf"^{SIGN}{unsigned(bare_point=True)}$"), _decimal)
#: An amount in a facts file: :data:`DECIMAL` once white space and thousands separators are out.
FACT_AMOUNT = Spelling("fact amount", DECIMAL.pattern, _decimal, strip=True, separators=True)
#: A percentage: ``3.5%``, `` -12 % `` (white space around).
PERCENT = Spelling(
    "percent",
    re.compile(rf"^\s*({SIGN}{unsigned(bare_point=False)})\s*%\s*$"),
    _percent,
)
#: A YAML plain scalar that is a number: an int (``12``, ``-3``, no leading zeros) or a
#: Decimal (``1.50``, ``.5``); ASCII digits, no exponent, no percent. (A whole number with
#: more digits than the engine keeps is given as a Decimal: the reader refuses it.)
YAML = Spelling(
    "YAML",
    re.compile(
        rf"^{SIGN}(?=\.?{DIGIT})(?:0|[1-9]{DIGIT}*)?"
        rf"(?P<fraction>\.{DIGIT}+)?\Z"
    ),
    _yaml_number,
)


def _whole(match: re.Match[str]) -> Decimal | int:
    # More digits than any number the engine reads: kept a Decimal (no digit is written
    # out), for the reader to refuse (:func:`out_of_range`); int() of it would be slow.
    text = match.string
    return int(text) if len(text) <= MAX_MAGNITUDE + 1 else Decimal(text)


#: A whole number in a facts file: ``12``, ``-3``, ``007``; ASCII digits, white space around.
WHOLE = Spelling("whole", re.compile(rf"^{SIGN}{DIGIT}+\Z"), _whole, strip=True)
#: The shortest text of a binary float (Python's ``repr``) or a JSON number: an exponent is
#: allowed. An xlsx number cell and a JSON number arrive so.
FLOAT_TEXT = Spelling(
    "float text",
    re.compile(rf"^{SIGN}{unsigned(bare_point=True)}(?:[eE]{SIGN}{DIGIT}+)?\Z"),
    _decimal,
)

#: The fast reader's inline check, from the same parts: unsigned ASCII digits with an optional
#: fraction (``1234.50``), which :data:`FACT_AMOUNT` reads as the same number, within
#: :func:`out_of_range`'s bounds (anything longer goes the general way, which refuses it).
FAST_AMOUNT = re.compile(rf"{DIGIT}{{1,{MAX_MAGNITUDE}}}(?:\.{DIGIT}{{1,{MAX_PLACES}}})?")

#: The characters of a text that was surely meant as a number (1,000  1e3  ３.５%  4％) but
#: is not one, when it also holds a digit (of any script: see :func:`looks_numeric`).
_NUMERIC_CHARACTERS = re.compile(r"[\s\d.,_eE%％+\-]*")
_ANY_DIGIT = re.compile(r"\d")


def looks_numeric(text: str) -> bool:
    """Whether ``text`` was surely meant as a number: only digits (of any script), signs,
    points, commas, exponents and percents, and at least one digit. Two linear scans
    (one pattern with the digit in its middle backtracks quadratically: 20,000 digits
    and an ``x`` took seconds)."""
    return _NUMERIC_CHARACTERS.fullmatch(text) is not None and _ANY_DIGIT.search(text) is not None


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
