"""The function library of the expression language: everything a policy may call.

``FUNCTIONS`` is the whole library; the reference in the docs is generated
from it, so every entry carries its signature and a one-line description in
English and Chinese. Every function here is pure and deterministic, and
takes the same kinds the operators do (:mod:`policyengine.language._operators`):
numbers are ``int`` or ``Decimal``, never ``bool``.

Functions raise a :class:`~._value_kinds.Mistake` (a ``TypeError`` and a
``ValueError``) naming the form of ``function-failed`` that says it
(core/_run_templates.py) and its words; both engines wrap it as ``function-failed``
naming the function, so a mistake here need not say which function it came from.
"""

from __future__ import annotations

import calendar
import datetime
import functools
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs

from ..core._numbers import DEFAULT_MODE, DEFAULT_PLACES, ROUNDING_MODES, quantize, rounding_step
from ._operators import ORDERED_AGAINST, UNORDERED, bounded
from ._value_kinds import NUMBER_TYPES, Mistake, show

__all__ = ["FUNCTIONS", "Function", "days_in_month", "months_between"]

_NUM = NUMBER_TYPES


@attrs.frozen
class Function:
    """One callable of the expression language, with the text its docs show."""

    name: str
    call: Callable[..., Any]
    signature: str
    doc: str
    #: What the arguments must be, for the type check at load time: ``number`` (every
    #: one), ``first-number`` (the first), ``date``, ``boolean``, or None (anything).
    takes: str | None = None
    #: What it gives: a type (``count``, ``date``, ``boolean``), ``first`` (the first
    #: argument's), ``items`` (the arguments' or the list's items'), or None (not known).
    gives: str | None = None


# --- argument checks for functions -------------------------------------------------


def _number(value: Any, what: str = "argument") -> Any:
    if type(value) in _NUM:
        return value
    raise Mistake("not-a-number", argument=what, shown=show(value))


def _whole(value: Any, what: str) -> int:
    if type(value) is int:
        return value
    if type(value) is Decimal and value.is_finite() and value.adjusted() >= 18:
        # Before int(): a year written 1e999999999 would be a billion digits long.
        raise Mistake("too-large", argument=what, value=value)
    if type(value) is Decimal and value == value.to_integral_value():
        return int(value)
    raise Mistake("not-whole", argument=what, shown=show(value))


def _date(value: Any, what: str = "argument") -> datetime.date:
    if type(value) is datetime.date:
        return value
    raise Mistake("not-a-date", argument=what, shown=show(value))


def _items(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """``f(a, b, c)`` and ``f(list)`` mean the same."""
    if len(args) == 1 and type(args[0]) is tuple:
        return args[0]
    return args


def _comparable(items: tuple[Any, ...]) -> tuple[Any, ...]:
    if not items:
        raise Mistake("no-values")
    first = items[0]
    kinds = ORDERED_AGAINST.get(type(first), UNORDERED)
    for item in items:
        if type(item) not in kinds:
            raise Mistake("not-comparable", shown=show(first), other=show(item))
    return items


def _bools(items: tuple[Any, ...]) -> tuple[bool, ...]:
    for item in items:
        if type(item) is not bool:
            raise Mistake("not-yes-no", shown=show(item))
    return items


def _arity(args: tuple[Any, ...], low: int, high: int) -> None:
    if not low <= len(args) <= high:
        wanted = str(low) if low == high else f"{low} to {high}"
        raise Mistake("arity-many" if high > 1 else "arity-one", wanted=wanted, count=len(args))


# --- the functions -----------------------------------------------------------------
# Written with *args so that a wrong count gives our message, not Python's.


def _min(*args: Any) -> Any:
    return min(_comparable(_items(args)))


def _max(*args: Any) -> Any:
    return max(_comparable(_items(args)))


def _abs(*args: Any) -> Any:
    _arity(args, 1, 1)
    return abs(_number(args[0]))


def _sum(*args: Any) -> Any:
    total: Any = 0
    for item in _items(args):
        total = bounded(total + _number(item, "every value"))
    return total


def _any(*args: Any) -> bool:
    return any(_bools(_items(args)))


def _all(*args: Any) -> bool:
    return all(_bools(_items(args)))


def _len(*args: Any) -> int:
    _arity(args, 1, 1)
    if type(args[0]) in (str, tuple):
        return len(args[0])
    raise Mistake("not-text-or-list", shown=show(args[0]))


def _clamp(*args: Any) -> Any:
    _arity(args, 3, 3)
    x, low, high = (_number(v) for v in args)
    if low > high:
        raise Mistake("low-above-high", low=low, high=high)
    return min(max(x, low), high)


@functools.lru_cache(maxsize=64)
def _quantum(places: Decimal) -> Decimal:
    """``places`` checked and made plain (0.010 -> 0.01, 1E+1 -> 10); cached, rules repeat it."""
    return rounding_step(places)


def _round_to(*args: Any) -> Decimal:
    _arity(args, 1, 3)
    value = _number(args[0], "the value")
    places = Decimal(_number(args[1], "places")) if len(args) > 1 else DEFAULT_PLACES
    mode = args[2] if len(args) > 2 else DEFAULT_MODE
    if type(mode) is not str or mode not in ROUNDING_MODES:
        raise Mistake("mode", modes=", ".join(ROUNDING_MODES), shown=show(mode))
    return quantize(Decimal(value), _quantum(places), mode)


def _days_between(*args: Any) -> int:
    _arity(args, 2, 2)
    return (_date(args[1], "b") - _date(args[0], "a")).days


def days_in_month(day: datetime.date) -> int:
    """How many days the month of ``day`` has."""
    return calendar.monthrange(day.year, day.month)[1]


def months_between(a: datetime.date, b: datetime.date) -> int:
    """Whole months from ``a`` to ``b``: how many monthly anniversaries of ``a`` fall in (a, b].

    An anniversary on a day the month lacks falls on its last day, so
    31 Jan -> 28 Feb is one month and 15 Jan -> 14 Feb is none. When ``b`` is
    before ``a`` the answer is ``-months_between(b, a)``.
    """
    if b < a:
        return -months_between(b, a)
    months = (b.year - a.year) * 12 + b.month - a.month
    if b.day < a.day and b.day != days_in_month(b):
        months -= 1
    return months


def _months_between(*args: Any) -> int:
    _arity(args, 2, 2)
    return months_between(_date(args[0], "a"), _date(args[1], "b"))


def _days_in_month(*args: Any) -> int:
    _arity(args, 1, 1)
    return days_in_month(_date(args[0]))


def _year(*args: Any) -> int:
    _arity(args, 1, 1)
    return _date(args[0]).year


def _month(*args: Any) -> int:
    _arity(args, 1, 1)
    return _date(args[0]).month


def _make_date(*args: Any) -> datetime.date:
    _arity(args, 3, 3)
    return datetime.date(_whole(args[0], "year"), _whole(args[1], "month"), _whole(args[2], "day"))


_TABLE = (
    Function(
        "min", _min, "min(a, b, …) | min(list)", "Smaller of the values (最小值)", None, "items"
    ),
    Function(
        "max", _max, "max(a, b, …) | max(list)", "Larger of the values (最大值)", None, "items"
    ),
    Function("abs", _abs, "abs(x)", "Distance from zero (绝对值)", "number", "first"),
    Function(
        "sum",
        _sum,
        "sum(list) | sum(a, b, …)",
        "Total of the numbers; 0 when empty (求和)",
        "number",
        "items",
    ),
    Function(
        "any",
        _any,
        "any(list)",
        "Yes when at least one yes/no value is yes (任一为真)",
        "boolean",
        "boolean",
    ),
    Function(
        "all",
        _all,
        "all(list)",
        "Yes when every yes/no value is yes (全部为真)",
        "boolean",
        "boolean",
    ),
    Function(
        "len", _len, "len(text | list)", "Number of characters or items (长度)", None, "count"
    ),
    Function(
        "clamp",
        _clamp,
        "clamp(x, low, high)",
        "x kept within low..high (限定范围)",
        "number",
        "first",
    ),
    Function(
        "round_to",
        _round_to,
        'round_to(x, places=0.01, mode="half_up")',
        "x rounded to a power of ten with a named mode, arguments by position (按指定精度舍入)",
        "first-number",
        "first",
    ),
    Function(
        "days_between",
        _days_between,
        "days_between(a, b)",
        "Days from date a to date b (相差天数)",
        "date",
        "count",
    ),
    Function(
        "months_between",
        _months_between,
        "months_between(a, b)",
        "Whole months from a to b; 31 Jan to 28 Feb counts as one (相差整月数)",
        "date",
        "count",
    ),
    Function(
        "days_in_month",
        _days_in_month,
        "days_in_month(d)",
        "Days in d's month (当月天数)",
        "date",
        "count",
    ),
    Function("year", _year, "year(d)", "Year of a date (年份)", "date", "count"),
    Function("month", _month, "month(d)", "Month of a date, 1-12 (月份)", "date", "count"),
    Function(
        "date",
        _make_date,
        "date(year, month, day)",
        "The date with those parts (构造日期)",
        "number",
        "date",
    ),
)

#: Every function an expression may call, by name. Read-only.
FUNCTIONS: Mapping[str, Function] = MappingProxyType({f.name: f for f in _TABLE})
