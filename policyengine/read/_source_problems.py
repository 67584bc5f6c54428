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
from ..core._messages import frame
from ..errors import Location, PolicyError, PolicySourceError

#: Hints for the YAML parser's messages, by a phrase the message contains: each the
#: name of its words (core/_frame_words.py), said in the reader's language.
_SYNTAX_HINTS = (
    ("could not find expected ':'", "yaml-missing-colon"),
    ("mapping values are not allowed", "yaml-mapping-values"),
    ("end of stream", "yaml-end-of-stream"),
    ("expected <block end>", "yaml-block-end"),
    ("expected ',' or", "yaml-flow"),
    ("unknown escape", "yaml-escape"),
    ("cannot start any token", "yaml-token"),
    ("tag handle", "yaml-tag"),
    ("<document start>", "yaml-document"),
)


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
        return frame("yaml-tab-indent")
    if "'\\t'" in problem:
        return frame("yaml-tab")
    return next((frame(name) for needle, name in _SYNTAX_HINTS if needle in problem), None)


def full_width_hint(line: str) -> str | None:
    """A hint naming a full-width colon or comma typed by a Chinese input method on
    ``line`` where YAML's own is wanted: a '：' before any ': ' (the key's colon), a '，'
    inside braces or brackets. In text after a key they are ordinary characters."""
    code = line.split("#", 1)[0]
    key, wide_colon, _ = code.partition("：")
    if wide_colon and ": " not in key:
        return frame("yaml-wide-colon")
    if "，" in code and ("{" in code or "[" in code):
        return frame("yaml-wide-comma")
    return None
