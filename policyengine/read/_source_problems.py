"""What the policy file reader says of each problem it finds, in words HR staff act on.

The people who edit policy files are not programmers: a message names what
is wrong in their terms (a key given twice, a date that does not exist, a
file saved as GBK) and a hint says what to do about it. The codes and their
meaning are fixed in :mod:`policyengine.codes`, their words (message and
hint templates) in :mod:`policyengine.core._messages` with every other
load-time problem's; here a reading problem is made from them, and the YAML
parser's own messages get the hint that fits them.
"""

from __future__ import annotations

from typing import Any

from ..codes import ErrorCode
from ..errors import Location, PolicyError, PolicySourceError

# fmt: off
#: Hints for the YAML parser's messages, by a phrase the message contains.
_SYNTAX_HINTS = (
    ("could not find expected ':'", "each entry needs 'key: value' with a space after the "
     "colon: look here and on the line above for a missing colon or an unclosed quote"),
    ("mapping values are not allowed", "text containing ': ' must be put in quotes, "
     "and the keys of one mapping must start in the same column"),
    ("end of stream", "a quote or a bracket is opened but never closed"),
    ("expected <block end>", "check the indentation: entries at one level start in one column"),
    ("expected ',' or", "check that every '[' has its ']' and every '{' its '}'"),
    ("unknown escape", "in double quotes '\\' starts an escape: write '\\\\' or use single quotes"),
    ("cannot start any token", "text that starts with this character must be put in quotes"),
    ("tag handle", "tags are not allowed in a policy file; put text in quotes instead"),
    ("<document start>", "a line of only '...' ends the document: remove it"),
)
# fmt: on


def source_problem(
    code: ErrorCode, where: Location, hint: str | None = None, *, form: str = "", **details: Any
) -> PolicyError:
    """The problem ``code`` at ``where``, said in ``form``, worded by its template from
    ``details``."""
    return PolicySourceError.from_template(
        code, form=form, location=where, hint=hint, details=details
    )


def syntax_hint(problem: str, line: str) -> str | None:
    """What to do about the YAML parser's ``problem`` on ``line``, when that is known."""
    if "\t" in line[: len(line) - len(line.lstrip(" \t"))]:
        return "indent with spaces: tab characters cannot be used for indentation"
    if "'\\t'" in problem:
        return "write spaces instead of the tab, or put the text in quotes"
    return next((hint for needle, hint in _SYNTAX_HINTS if needle in problem), None)


def full_width_hint(line: str) -> str | None:
    """A hint naming a full-width colon or comma typed by a Chinese input method on
    ``line`` where YAML's own is wanted: a '：' before any ': ' (the key's colon), a '，'
    inside braces or brackets. In text after a key they are ordinary characters."""
    code = line.split("#", 1)[0]
    key, wide_colon, _ = code.partition("：")
    if wide_colon and ": " not in key:
        return "the full-width '：' is not YAML's colon: write ': ' (ASCII, then a space)"
    if "，" in code and ("{" in code or "[" in code):
        return "the full-width '，' is not YAML's comma: write ', ' between the entries"
    return None
