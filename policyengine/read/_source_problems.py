"""What the policy file reader says of each problem it finds, in words HR staff act on.

The people who edit policy files are not programmers: a message names what
is wrong in their terms (a key given twice, a date that does not exist, a
file saved as GBK) and a hint says what to do about it. The codes and their
meaning are fixed in :mod:`policyengine.codes`; the words are kept here
together, apart from the reading itself, so that they can be read and
improved as one text.
"""

from __future__ import annotations

from typing import Any

from ..codes import ErrorCode
from ..errors import Location, PolicyError, PolicySourceError

# code -> (message, hint); both are formatted with the problem's details.
# fmt: off
MESSAGES: dict[ErrorCode, tuple[str, str]] = {
    "file-not-found": ("there is no file '{path}'", "check the folder and the file name"),
    "unreadable-file": ("'{path}' cannot be read: {reason}", "name a policy file you may read"),
    "file-too-large": ("the file is larger than 1 MiB ({limit:,} bytes), the most a policy file "
                       "may be", "split the policy into smaller files"),
    "not-utf8": ("the file is not UTF-8 text: the byte 0x{byte} here cannot be read",
                 "save the file with the encoding 'UTF-8' (not GBK, GB2312 or UTF-16)"),
    "control-character": ("the file contains the invisible control character {character}",
                          "delete it (it often comes with text copied from another program); "
                          "if there are many, the file may be UTF-16: save it as UTF-8"),
    "empty-document": ("the file has no content, only blank lines or comments",
                       "write the policy as 'key: value' lines"),
    "not-a-mapping": ("the top level of a policy file must be 'key: value' lines, but this is "
                      "{found}", "start the file with 'key: value' lines at the left margin"),
    "multiple-documents": ("a second document starts here, but a policy file holds exactly one",
                           "a line of only '---' or '...' separates documents: remove it, "
                           "or put each policy in its own file"),
    "too-deep": ("the document is nested more than {limit} levels deep", "no policy needs so "
                 "many levels: look for a bracket '[' or '{{' that is never closed"),
    "yaml-alias": ("'{name}' {does}, but policy files do not allow anchors (&) or aliases (*)",
                   "write each value out in full where it is needed"),
    "yaml-tag": ("the tag '{tag}' is not allowed in a policy file",
                 "remove it; to make a value text, put the value in quotes"),
    "complex-key": ("a key must be a single name, not a list or a mapping",
                    "look for '?', '[' or '{{' before the colon"),
    "duplicate-key": ("the key '{key}' is given twice in the same mapping; the first is on line "
                      "{first_line}", "keep one: a second entry would silently replace the first"),
    "invalid-date": ("'{text}' is written as a date (year-month-day), but there is no such day",
                     "check the month (01-12) and the day; to keep it as text, put it in quotes"),
    "too-many-digits": ("the number has {digits} digits, but at most {limit} can be calculated "
                        "exactly", "shorten it; if it is a code, not an amount, put it in quotes"),
    "yaml-syntax": ("{problem}", ""),
}

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
    code: ErrorCode, where: Location, hint: str | None = None, **details: Any
) -> PolicyError:
    """The problem ``code`` at ``where``, its message and hint filled in from ``details``."""
    message, advice = MESSAGES[code]
    return PolicySourceError(
        message.format(**details),
        code=code,
        location=where,
        hint=hint or advice.format(**details) or None,
        details=details,
    )


def syntax_hint(problem: str, line: str) -> str | None:
    """What to do about the YAML parser's ``problem`` on ``line``, when that is known."""
    if "\t" in line[: len(line) - len(line.lstrip(" \t"))]:
        return "indent with spaces: tab characters cannot be used for indentation"
    if "'\\t'" in problem:
        return "write spaces instead of the tab, or put the text in quotes"
    return next((hint for needle, hint in _SYNTAX_HINTS if needle in problem), None)
