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


def fail(code: ErrorCode, message: str, hint: str | None = None, **details: Any) -> EvaluationError:
    """An :class:`EvaluationError` with its code, hint and details."""
    return EvaluationError(message, code=code, hint=hint, details=details)


def mismatch(symbol: str, *values: Any, hint: str | None = None) -> EvaluationError:
    """The error for an operator given values of kinds it does not accept."""
    shown = " and ".join(show(v) for v in values)
    return fail(
        "type-mismatch",
        f"'{symbol}' cannot be used with {shown}",
        hint,
        operator=symbol,
        kinds=[kind_of(v) for v in values],
    )


def expect_bool(value: Any, where: str) -> bool:
    """``value`` when it is yes/no; conditions never guess truth from a number."""
    if type(value) is bool:
        return value
    raise fail(
        "type-mismatch",
        f"'{where}' expects yes/no, got {show(value)}",
        "compare it to something, e.g. 'x > 0'",
        operator=where,
        kinds=[kind_of(value)],
    )
