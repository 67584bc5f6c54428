"""The English phrases some details are worded in, said again in another language.

Most details are data (a name, a number, a line). A few are English phrases, made
where a problem is found: the type a schema wanted and the value it found
(``read/_schema.py``: ``wanted``, ``found``), what a YAML alias does
(``read/_safe_yaml.py``: ``does``). A Chinese message would show them in English, so
each phrase is a catalogue entry too (msgctxt ``detail``), and a describing detail
that is wholly made of them (several joined by " or ") is said again through the
catalogue; any other value is left as it is. tests/test_locale.py checks that every
phrase those steps make is listed here.

An error met while evaluating shows a value as its kind and a short rendering
(``language/_value_kinds.show``: ``number 5``, ``text 'a'``, ``a list of 3``) and names an
argument in English (``every value``): those details (``SAID_WHOLE``) are said again
when the whole value is one of ``WHOLE_PHRASES``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from ._messages import Catalogue, frame, say

#: The msgctxt of a phrase, and the details that may be worded as phrases.
DETAIL_CONTEXT: Final = "detail"
DESCRIBING: Final = frozenset({"found", "wanted", "does", "left", "right"})
#: Every phrase, with a placeholder for the part that is data.
PHRASES: Final[tuple[str, ...]] = (
    # read/_schema.py: the types a schema wants (_TYPE_NAMES, _NUMBER)
    "text",
    "a number",
    "a whole number",
    "true or false",
    "a mapping (key: value lines)",
    "a list (lines starting with '-')",
    "nothing",
    "a number or a percentage",
    # read/_schema.py: the value found (_describe)
    "nothing (an empty value)",
    "the yes/no value {value}",
    "the number {number}",
    "the date {date}",
    "the text '{text}'",
    "a mapping",
    "a list",
    # read/_safe_yaml.py: the top level of a file, and what an alias does
    "the single value {value}",
    "an alias",
    "repeats a value marked elsewhere",
    "marks a value for reuse",
    # load/_type_check.py: the types of values compared or given by branches
    "money",
    "a rate",
    "a count",
    "a yes/no value",
    "a date",
    # load/_embedded_previous.py: a test case's value of last month
    "one value",
    "a list or mapping",
)


#: The details said again only when the whole value is a phrase, and those phrases.
SAID_WHOLE: Final = frozenset(
    {"shown", "other", "argument", "failed", "comma", "construct", "csv_problem", "problem"}
)
WHOLE_PHRASES: Final[tuple[str, ...]] = (
    # language/_value_kinds.py: show(), a value in an evaluation error
    "number {value}",
    "text {value}",
    "yes/no {value}",
    "date {value}",
    "a list of {count}",
    "a record",
    "a very large number",
    # language/_functions.py: the arguments a function names
    "argument",
    "every value",
    "the value",
    "places",
    "year",
    "month",
    "day",
    # run/_runner.py: a failed input that is a whole record
    "the record",
    # language/_expression_checker.py: the constructs an expression may not use
    "comprehension",
    "generator",
    "subscript x[...]",
    "slice",
    "starred *x",
    "dict literal",
    "set literal",
    "call of a computed value",
    "keyword argument",
    "complex number",
    "bytes literal",
    # facts/_csv.py: what Python's CSV reader says of a row it cannot read
    "field larger than field limit ({limit})",
    "new-line character seen in unquoted field - do you need to open the file with newline=''?",
    "unexpected end of data",
    "line contains NUL",
    # language/_expression_parser.py: what Python's parser says of an expression's text
    "invalid syntax",
    "expected 'else' after 'if' expression",
    "invalid character '{character}' (U+{code})",
    "'{bracket}' was never closed",
    "unmatched '{bracket}'",
    "invalid decimal literal",
    "unterminated string literal (detected at line {line})",
    # core/_number_text.py: why text with a comma is no number (comma_problem)
    "a comma cannot be the decimal point (write 12.34, not 12,34)",
    "a comma may only separate thousands, in groups of three digits (1,234.50)",
)


def _pattern(phrase: str) -> re.Pattern[str]:
    text = re.escape(phrase)
    return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.*)", text))


#: Longest first, so that "a number or a percentage" is one phrase, not two.
_MATCHERS: Final = tuple((_pattern(p), p) for p in sorted(PHRASES, key=len, reverse=True))
_OR: Final = " or "
_WHOLE: Final = tuple((_pattern(p), p) for p in WHOLE_PHRASES)


def said_phrase(value: str, catalogue: Catalogue) -> str:
    """``value`` said through ``catalogue`` when it is made of phrases joined by " or ";
    otherwise ``value`` as it is."""
    said: list[str] = []
    rest = value
    while rest:
        for pattern, phrase in _MATCHERS:
            found = pattern.match(rest)
            if found is not None and found.end() > 0:
                said.append(say(DETAIL_CONTEXT, phrase, found.groupdict(), catalogue))
                rest = rest[found.end() :]
                break
        else:
            return value
        if rest.startswith(_OR):
            said.append(frame("or", catalogue))
            rest = rest[len(_OR) :]
        elif rest:
            return value
    return "".join(said) if said else value


def said_whole(value: str, catalogue: Catalogue) -> str:
    """``value`` said through ``catalogue`` when it is wholly one of ``WHOLE_PHRASES``."""
    for pattern, phrase in _WHOLE:
        found = pattern.fullmatch(value)
        if found is not None:
            return say(DETAIL_CONTEXT, phrase, found.groupdict(), catalogue)
    return value


def said_details(details: Mapping[str, Any], catalogue: Catalogue) -> dict[str, Any]:
    """The details, the describing ones said through ``catalogue``."""
    return {
        name: said_phrase(value, catalogue)
        if name in DESCRIBING and isinstance(value, str)
        else said_whole(value, catalogue)
        if name in SAID_WHOLE and isinstance(value, str)
        else value
        for name, value in details.items()
    }
