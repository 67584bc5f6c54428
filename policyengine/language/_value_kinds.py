"""The kinds of value the expression language knows, and how its errors speak of a value.

A policy author knows a number, a text, a yes/no value, a date, a list and
a record, not Python's types: every run-time message names those kinds and
shows a value short enough to read. The operators, the function library and
both engines build their errors here, so that one mistake reads the same
wherever it is met.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..codes import ErrorCode
from ..core._messages import render
from ..errors import EvaluationError

#: Types that count as numbers. Checked with ``type(x) in NUMBER_TYPES``, which
#: leaves out ``bool`` (a subclass of int) without a second test.
NUMBER_TYPES = frozenset({int, Decimal})


def kind_of(value: Any) -> str:
    """The name a policy author knows a value's kind by."""
    kind = type(value)
    if kind is bool:
        return "yes/no"
    if kind in NUMBER_TYPES:
        return "number"
    if kind is str:
        return "text"
    if kind is datetime.date:
        return "date"
    if kind is tuple:
        return "list"
    if isinstance(value, Mapping):
        return "record"
    return kind.__name__


def show(value: Any) -> str:
    """A value as a message shows it: its kind and a short rendering."""
    if isinstance(value, tuple):
        return f"a list of {len(value)}"
    if isinstance(value, Mapping):
        return "a record"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return "a very large number"  # str() of huge ints is slow and may refuse
    text = repr(value) if isinstance(value, str) else str(value)
    if len(text) > 40:
        text = text[:37] + "…"
    return f"{kind_of(value)} {text}"


def fail(
    code: ErrorCode,
    form: str = "",
    words: Mapping[str, Any] | None = None,
    hint: str | None = None,
    **details: Any,
) -> EvaluationError:
    """An :class:`EvaluationError` said by its code's template in ``form`` (core/_run_templates.py),
    filled from ``words`` (from ``details`` without them), with its code, hint and details."""
    return EvaluationError.from_template(code, form=form, hint=hint, details=details, words=words)


class Mistake(TypeError, ValueError):
    """A function given arguments it cannot use: the form of ``function-failed`` that says
    it, and the words to fill it with (all but the function's name and signature, which
    the caller knows). Its text is the English, as the functions always raised it."""

    def __init__(self, form: str, **words: Any) -> None:
        self.form = form
        self.words = words
        # The English message without its "name(): " lead, which the caller adds.
        text = render("function-failed", form, {"function": "", **words})[0]
        super().__init__(text.removeprefix("(): "))


def mismatch(symbol: str, *values: Any, form: str | None = None) -> EvaluationError:
    """The error for an operator given values of kinds it does not accept (said in
    ``form`` when the operator has words of its own)."""
    words = {"operator": symbol, "shown": show(values[0])}
    if len(values) > 1:
        words["other"] = show(values[1])
    return fail(
        "type-mismatch",
        form or ("operator-two" if len(values) > 1 else "operator"),
        words,
        operator=symbol,
        kinds=[kind_of(v) for v in values],
    )


def expect_bool(value: Any, where: str) -> bool:
    """``value`` when it is yes/no; conditions never guess truth from a number."""
    if type(value) is bool:
        return value
    raise fail(
        "type-mismatch",
        "condition",
        {"operator": where, "shown": show(value)},
        operator=where,
        kinds=[kind_of(value)],
    )


def function_failed(name: str, signature: str, error: Exception) -> EvaluationError:
    """The error of function ``name`` failing with ``error``: a :class:`Mistake` in its
    own form, anything else (Python's own words) as it says itself."""
    words: dict[str, Any] = {"function": name, "signature": signature}
    if isinstance(error, Mistake):
        return fail("function-failed", error.form, {**words, **error.words}, function=name)
    return fail("function-failed", "", {**words, "problem": str(error)}, function=name)
