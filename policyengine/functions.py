"""What a rule expression can do: its functions and the operators behind its symbols.

``FUNCTIONS`` is the whole library a policy may call; the reference in the
docs is generated from it, so every entry carries its signature and a
one-line description in English and Chinese. ``OPERATORS`` gives each
operator its checked meaning: numbers are ``int`` or ``Decimal`` (never
``bool``), text stays text, and mixing kinds is an error rather than a
silent answer. Every function here is pure and deterministic.

Operators raise :class:`EvaluationError` themselves. Functions raise
``TypeError``/``ValueError`` with a plain message; the evaluator wraps those
as ``function-failed`` naming the function.

The module also holds what the language refuses (``REFUSED_OPERATORS``,
``REFUSED_SYNTAX``, each with a hint) and the two measures taken of an
expression before it is trusted (bracket and tree depth), so that
:mod:`policyengine.expressions` is left with compiling and evaluating.
"""

from __future__ import annotations

import ast
import calendar
import datetime
import functools
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs

from .codes import ErrorCode
from .errors import EvaluationError
from .numbers import (
    DEFAULT_MODE,
    DEFAULT_PLACES,
    MAX_MAGNITUDE,
    ROUNDING_MODES,
    quantize,
    rounding_step,
)

#: Types that count as numbers. Checked with ``type(x) in NUMBER_TYPES``, which
#: leaves out ``bool`` (a subclass of int) without a second test.
NUMBER_TYPES = frozenset({int, Decimal})
#: Text joined by ``+`` may not grow beyond this: it bounds memory per record.
MAX_TEXT = 10_000
#: ``**`` refuses larger exponents before doing any work.
MAX_EXPONENT = 100

_NUM = NUMBER_TYPES
_HIGH = MAX_MAGNITUDE
_HIGH_INT = int(MAX_MAGNITUDE)
_LOW_INT = -_HIGH_INT
# |x| < 10**_ADJUSTED <= MAX_MAGNITUDE whenever x.adjusted() < _ADJUSTED.
_ADJUSTED = MAX_MAGNITUDE.adjusted()


@attrs.frozen
class Function:
    """One callable of the expression language, with the text its docs show."""

    name: str
    call: Callable[..., Any]
    signature: str
    doc: str


# --- describing values in messages -------------------------------------------------


def kind_of(value: Any) -> str:
    """The name a policy author knows a value's kind by."""
    kind = type(value)
    if kind is bool:
        return "yes/no"
    if kind in _NUM:
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


def too_large() -> EvaluationError:
    """The error for a result at or beyond ``MAX_MAGNITUDE``."""
    return fail(
        "number-too-large",
        "a result reached 10^18 or more, beyond any amount a policy needs",
        "check the formula for a missing division or a wrong power",
    )


def bounded(result: Any) -> Any:
    """``result`` if its magnitude is below ``MAX_MAGNITUDE``; beyond that, an error."""
    if type(result) is int:
        if _LOW_INT < result < _HIGH_INT:
            return result
    elif result.adjusted() < _ADJUSTED or abs(result) < _HIGH:
        return result
    raise too_large()


# --- operators ---------------------------------------------------------------------
# The four common operators repeat the type tests and the bound check inline:
# they run for every node of every evaluation, and a helper call costs more
# than the arithmetic. Decimal's adjusted() (the exponent of the leading
# digit) decides most bound checks without two Decimal comparisons.


def _add(a: Any, b: Any) -> Any:
    if type(a) is Decimal or type(b) is Decimal:
        if type(a) in _NUM and type(b) in _NUM:
            result = a + b
            if result.adjusted() < _ADJUSTED or abs(result) < _HIGH:
                return result
            raise too_large()
    elif type(a) is int and type(b) is int:
        result = a + b
        if _LOW_INT < result < _HIGH_INT:
            return result
        raise too_large()
    elif type(a) is str and type(b) is str:
        if len(a) + len(b) > MAX_TEXT:
            raise fail("string-too-long", f"joined text would exceed {MAX_TEXT} characters")
        return a + b
    raise mismatch("+", a, b)


def _sub(a: Any, b: Any) -> Any:
    if type(a) is Decimal or type(b) is Decimal:
        if type(a) in _NUM and type(b) in _NUM:
            result = a - b
            if result.adjusted() < _ADJUSTED or abs(result) < _HIGH:
                return result
            raise too_large()
    elif type(a) is int and type(b) is int:
        result = a - b
        if _LOW_INT < result < _HIGH_INT:
            return result
        raise too_large()
    raise mismatch("-", a, b)


def _mul(a: Any, b: Any) -> Any:
    # Text is never repeated: "'a' * 10**9" must fail before allocating anything.
    if type(a) is Decimal or type(b) is Decimal:
        if type(a) in _NUM and type(b) in _NUM:
            result = a * b
            if result.adjusted() < _ADJUSTED or abs(result) < _HIGH:
                return result
            raise too_large()
    elif type(a) is int and type(b) is int:
        result = a * b
        if _LOW_INT < result < _HIGH_INT:
            return result
        raise too_large()
    raise mismatch("*", a, b)


def _nonzero(symbol: str, a: Any, b: Any) -> None:
    if type(a) not in _NUM or type(b) not in _NUM:
        raise mismatch(symbol, a, b)
    if not b:
        raise fail("division-by-zero", f"'{symbol}' by zero", operator=symbol)


def _truediv(a: Any, b: Any) -> Any:
    # Always a Decimal, even for two ints: 7 / 2 is 3.5, never 3.
    _nonzero("/", a, b)
    result = (Decimal(a) if type(a) is int else a) / b
    if result.adjusted() < _ADJUSTED or abs(result) < _HIGH:
        return result
    raise too_large()


def floor_divmod(a: Any, b: Any) -> tuple[Any, Any]:
    """Quotient floored toward −∞ and the remainder that goes with it.

    ``a == q * b + r`` with ``r`` having the sign of ``b``, as Python's ints
    do. Decimal's own ``//`` truncates toward zero (``-7 // 2 == -3``); pay
    rules that split an amount into whole units need the floor (``-4``).
    """
    if type(a) is int and type(b) is int:
        return divmod(a, b)
    quotient, remainder = divmod(Decimal(a), Decimal(b))
    if remainder and (remainder < 0) != (b < 0):
        quotient -= 1
        remainder += b
    return quotient, remainder


def _floordiv(a: Any, b: Any) -> Any:
    _nonzero("//", a, b)
    return bounded(floor_divmod(a, b)[0])


def _mod(a: Any, b: Any) -> Any:
    # Numbers only: on text '%' would be printf formatting ('%999999999d' % 1).
    _nonzero("%", a, b)
    return floor_divmod(a, b)[1]


def _pow(a: Any, b: Any) -> Any:
    if type(a) not in _NUM or type(b) not in _NUM:
        raise mismatch("**", a, b)
    if type(b) is Decimal:
        if b != b.to_integral_value():
            raise fail(
                "invalid-operation",
                f"'**' needs a whole-number exponent, got {b}",
                "exact arithmetic cannot take roots",
                operator="**",
            )
        b = int(b)
    if not -MAX_EXPONENT <= b <= MAX_EXPONENT:
        # Refused before any work: 9 ** 387420489 would run for minutes.
        raise fail(
            "number-too-large",
            f"exponent {b} is outside ±{MAX_EXPONENT}",
            operator="**",
        )
    if b == 0:
        # Decimal calls 0 ** 0 undefined; a rule means 1, as for any base.
        return 1 if type(a) is int else Decimal(1)
    if type(a) is int and b > 0:
        return bounded(a**b)
    if not a and b < 0:
        # Decimal answers Infinity here without a signal; a rule means an error.
        raise fail("division-by-zero", "zero to a negative power", operator="**")
    return bounded(Decimal(a) ** b)


def _neg(a: Any) -> Any:
    if type(a) in _NUM:
        return -a
    raise mismatch("-", a)


def _pos(a: Any) -> Any:
    if type(a) in _NUM:
        return +a
    raise mismatch("+", a)


def _not(a: Any) -> bool:
    return not expect_bool(a, "not")


def same_kind(a: Any, b: Any) -> bool:
    """True when ``==`` between ``a`` and ``b`` is a meaningful question."""
    if type(a) is type(b):
        return True
    if type(a) in _NUM:
        return type(b) in _NUM
    return kind_of(a) == kind_of(b)


#: For each kind that has an order, the kinds it can be ordered against.
_ORDER: Mapping[type, frozenset[type]] = {
    int: _NUM,
    Decimal: _NUM,
    str: frozenset({str}),
    datetime.date: frozenset({datetime.date}),
}
_NEITHER: frozenset[type] = frozenset()

# One function per comparison rather than a shared wrapper: comparisons are
# in nearly every condition, and the extra call was a third of their cost.


def _lt(a: Any, b: Any) -> bool:
    if type(b) in _ORDER.get(type(a), _NEITHER):
        return bool(a < b)
    raise mismatch("<", a, b)


def _le(a: Any, b: Any) -> bool:
    if type(b) in _ORDER.get(type(a), _NEITHER):
        return bool(a <= b)
    raise mismatch("<=", a, b)


def _gt(a: Any, b: Any) -> bool:
    if type(b) in _ORDER.get(type(a), _NEITHER):
        return bool(a > b)
    raise mismatch(">", a, b)


def _ge(a: Any, b: Any) -> bool:
    if type(b) in _ORDER.get(type(a), _NEITHER):
        return bool(a >= b)
    raise mismatch(">=", a, b)


def _eq(a: Any, b: Any) -> bool:
    # 1500 == '1500' is refused: a silent False would be a silently wrong payout.
    if same_kind(a, b):
        return bool(a == b)
    raise mismatch("==", a, b)


def _ne(a: Any, b: Any) -> bool:
    if same_kind(a, b):
        return bool(a != b)
    raise mismatch("!=", a, b)


def _in(a: Any, b: Any) -> bool:
    if type(b) is str:
        if type(a) is str:
            return a in b
        raise mismatch("in", a, b)
    if type(b) is not tuple:
        raise mismatch("in", a, b, hint="'in' looks in a list or in text")
    comparable = False
    for item in b:
        # Item by item, so that 1 does not match True and '5' never matches 5.
        if same_kind(a, item):
            comparable = True
            if a == item:
                return True
    if b and not comparable:
        raise mismatch("in", a, b)
    return False


def _not_in(a: Any, b: Any) -> bool:
    return not _in(a, b)


#: Operator node type -> implementation. Operators not listed are refused
#: when the expression is compiled, so nothing else can reach run time.
OPERATORS: Mapping[type[ast.AST], Callable[..., Any]] = MappingProxyType(
    {
        ast.Add: _add,
        ast.Sub: _sub,
        ast.Mult: _mul,
        ast.Div: _truediv,
        ast.FloorDiv: _floordiv,
        ast.Mod: _mod,
        ast.Pow: _pow,
        ast.USub: _neg,
        ast.UAdd: _pos,
        ast.Not: _not,
        ast.Eq: _eq,
        ast.NotEq: _ne,
        ast.Lt: _lt,
        ast.LtE: _le,
        ast.Gt: _gt,
        ast.GtE: _ge,
        ast.In: _in,
        ast.NotIn: _not_in,
    }
)


#: Operators the parser knows but a policy may not use: symbol and a hint.
REFUSED_OPERATORS: Mapping[type[ast.AST], tuple[str, str]] = MappingProxyType(
    {
        ast.BitXor: ("^", "did you mean '**' for a power?"),
        ast.BitOr: ("|", "did you mean 'or'?"),
        ast.BitAnd: ("&", "did you mean 'and'?"),
        ast.LShift: ("<<", "bit shifts have no use in a pay rule; multiply instead"),
        ast.RShift: (">>", "bit shifts have no use in a pay rule; divide instead"),
        ast.MatMult: ("@", "did you mean '*'?"),
        ast.Invert: ("~", "did you mean 'not' or '-'?"),
        ast.Is: ("is", "did you mean '=='?"),
        ast.IsNot: ("is not", "did you mean '!='?"),
    }
)

_OVER_A_LIST = "use sum(), min(), max(), any() or all() over a list"
#: Python constructs a policy may not use: the name errors give and a hint.
REFUSED_SYNTAX: Mapping[type[ast.AST], tuple[str, str | None]] = MappingProxyType(
    {
        ast.Lambda: ("lambda", None),
        ast.ListComp: ("comprehension", _OVER_A_LIST),
        ast.SetComp: ("comprehension", _OVER_A_LIST),
        ast.DictComp: ("comprehension", None),
        ast.GeneratorExp: ("generator", _OVER_A_LIST),
        ast.Subscript: ("subscript x[...]", "name a rule's output as rule.output"),
        ast.Slice: ("slice", None),
        ast.Starred: ("starred *x", "pass the list itself, e.g. sum(amounts)"),
        ast.JoinedStr: ("f-string", "join text with '+'"),
        ast.FormattedValue: ("f-string", "join text with '+'"),
        ast.Dict: ("dict literal", None),
        ast.Set: ("set literal", "use a list: (a, b, c)"),
        ast.Await: ("await", None),
        ast.Yield: ("yield", None),
        ast.YieldFrom: ("yield", None),
        ast.NamedExpr: ("assignment", "to compare, use '=='"),
    }
)

#: Full-width punctuation a Chinese input method types easily, and the ASCII
#: character Python needs instead: named in the hint of a syntax error.
FULL_WIDTH: Mapping[str, str] = MappingProxyType(
    dict(zip("（），×÷＋－＊／＝＜＞“”‘’％．。", "(),*/+-*/=<>\"\"''%..", strict=True))
)


# --- measuring an expression before trusting it ---------------------------------
# Iterative on purpose: they run before anything has bounded the input.


def bracket_depth(source: str) -> int:
    """Deepest bracket nesting outside string literals and comments."""
    depth = deepest = index = 0
    quote = ""
    while index < len(source):
        char = source[index]
        if quote:
            if char == "\\":
                index += 2
                continue
            if source.startswith(quote, index):
                index += len(quote)
                quote = ""
                continue
        elif char in "'\"":
            triple = source[index : index + 3]
            quote = triple if triple in ('"""', "'''") else char
            index += len(quote)
            continue
        elif char == "#":
            newline = source.find("\n", index)
            index = len(source) if newline < 0 else newline
        elif char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
        index += 1
    return deepest


def tree_depth(root: ast.AST, limit: int) -> int:
    """Depth of ``root`` in expression nodes, found without recursion; stops once over ``limit``."""
    deepest = 0
    stack = [(root, 1)]
    while stack and deepest <= limit:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        for child in ast.iter_child_nodes(node):
            stack.append((child, depth + 1 if isinstance(child, ast.expr) else depth))
    return deepest


# --- argument checks for functions -------------------------------------------------


def _number(value: Any, what: str = "argument") -> Any:
    if type(value) in _NUM:
        return value
    raise TypeError(f"{what} must be a number, got {show(value)}")


def _whole(value: Any, what: str) -> int:
    if type(value) is int:
        return value
    if type(value) is Decimal and value == value.to_integral_value():
        return int(value)
    raise TypeError(f"{what} must be a whole number, got {show(value)}")


def _date(value: Any, what: str = "argument") -> datetime.date:
    if type(value) is datetime.date:
        return value
    raise TypeError(f"{what} must be a date, got {show(value)}")


def _items(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """``f(a, b, c)`` and ``f(list)`` mean the same."""
    if len(args) == 1 and type(args[0]) is tuple:
        return args[0]
    return args


def _comparable(items: tuple[Any, ...]) -> tuple[Any, ...]:
    if not items:
        raise ValueError("needs at least one value")
    first = items[0]
    kinds = _ORDER.get(type(first), _NEITHER)
    for item in items:
        if type(item) not in kinds:
            raise TypeError(f"cannot compare {show(first)} with {show(item)}")
    return items


def _bools(items: tuple[Any, ...]) -> tuple[bool, ...]:
    for item in items:
        if type(item) is not bool:
            raise TypeError(f"expects yes/no values, got {show(item)}")
    return items


def _arity(args: tuple[Any, ...], low: int, high: int) -> None:
    if not low <= len(args) <= high:
        wanted = str(low) if low == high else f"{low} to {high}"
        raise TypeError(f"takes {wanted} argument{'s' * (high > 1)}, got {len(args)}")


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
    raise TypeError(f"argument must be text or a list, got {show(args[0])}")


def _clamp(*args: Any) -> Any:
    _arity(args, 3, 3)
    x, low, high = (_number(v) for v in args)
    if low > high:
        raise ValueError(f"low {low} is above high {high}")
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
        raise ValueError(f"mode must be one of {', '.join(ROUNDING_MODES)}, got {show(mode)}")
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
    Function("min", _min, "min(a, b, …) | min(list)", "Smaller of the values (最小值)"),
    Function("max", _max, "max(a, b, …) | max(list)", "Larger of the values (最大值)"),
    Function("abs", _abs, "abs(x)", "Distance from zero (绝对值)"),
    Function("sum", _sum, "sum(list) | sum(a, b, …)", "Total of the numbers; 0 when empty (求和)"),
    Function("any", _any, "any(list)", "Yes when at least one yes/no value is yes (任一为真)"),
    Function("all", _all, "all(list)", "Yes when every yes/no value is yes (全部为真)"),
    Function("len", _len, "len(text | list)", "Number of characters or items (长度)"),
    Function("clamp", _clamp, "clamp(x, low, high)", "x kept within low..high (限定范围)"),
    Function(
        "round_to",
        _round_to,
        'round_to(x, places=0.01, mode="half_up")',
        "x rounded to a power of ten with a named mode, arguments by position (按指定精度舍入)",
    ),
    Function(
        "days_between", _days_between, "days_between(a, b)", "Days from date a to date b (相差天数)"
    ),
    Function(
        "months_between",
        _months_between,
        "months_between(a, b)",
        "Whole months from a to b; 31 Jan to 28 Feb counts as one (相差整月数)",
    ),
    Function("days_in_month", _days_in_month, "days_in_month(d)", "Days in d's month (当月天数)"),
    Function("year", _year, "year(d)", "Year of a date (年份)"),
    Function("month", _month, "month(d)", "Month of a date, 1-12 (月份)"),
    Function("date", _make_date, "date(year, month, day)", "The date with those parts (构造日期)"),
)

#: Every function an expression may call, by name. Read-only.
FUNCTIONS: Mapping[str, Function] = MappingProxyType({f.name: f for f in _TABLE})
