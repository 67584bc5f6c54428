"""The operators of the expression language: what each symbol means, checked.

``OPERATORS`` gives each operator its checked meaning: numbers are ``int`` or
``Decimal`` (never ``bool``), text stays text, and mixing kinds is an error
rather than a silent answer. Every result stays below ``MAX_MAGNITUDE``:
nothing a pay rule computes comes near it, so reaching it means a wrong
formula, not a large payout. Both engines call these same functions (the
reference evaluator through its operator table, compiled code by name), so
an operator's checks and errors are written once.

Operators raise :class:`~policyengine.errors.EvaluationError` themselves,
with the code and details a policy author can act on.
"""

from __future__ import annotations

import ast
import datetime
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from ..core._numbers import MAX_MAGNITUDE
from ..errors import EvaluationError
from ._value_kinds import NUMBER_TYPES, expect_bool, fail, kind_of, mismatch

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


# --- the bound on every number ---------------------------------------------------


def too_large() -> EvaluationError:
    """The error for a result at or beyond ``MAX_MAGNITUDE``."""
    return fail("number-too-large", "bound")


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
            raise fail("string-too-long", "", {"limit": MAX_TEXT})
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
        raise fail("division-by-zero", "operator", operator=symbol)


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
    if type(b) is Decimal and b != b.to_integral_value():
        raise fail("invalid-operation", "exponent", {"exponent": b}, operator="**")
    if not -MAX_EXPONENT <= b <= MAX_EXPONENT:
        # Refused before any work: 9 ** 387420489 would run for minutes, and int() of
        # an exponent written 1e999999999 would write out a billion digits first.
        # (Shown as the whole number it is, as always, unless that is too long to write.)
        shown = b if type(b) is int or b.adjusted() > 18 else int(b)
        words = {"exponent": shown, "limit": MAX_EXPONENT}
        raise fail("number-too-large", "exponent", words, operator="**")
    b = int(b)
    if b == 0:
        # Decimal calls 0 ** 0 undefined; a rule means 1, as for any base.
        return 1 if type(a) is int else Decimal(1)
    if type(a) is int and b > 0:
        return bounded(a**b)
    if not a and b < 0:
        # Decimal answers Infinity here without a signal; a rule means an error.
        raise fail("division-by-zero", "negative-power", {}, operator="**")
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
ORDERED_AGAINST: Mapping[type, frozenset[type]] = {
    int: _NUM,
    Decimal: _NUM,
    str: frozenset({str}),
    datetime.date: frozenset({datetime.date}),
}
#: What a kind without an order can be ordered against: nothing.
UNORDERED: frozenset[type] = frozenset()

# One function per comparison rather than a shared wrapper: comparisons are
# in nearly every condition, and the extra call was a third of their cost.


def _lt(a: Any, b: Any) -> bool:
    if type(b) in ORDERED_AGAINST.get(type(a), UNORDERED):
        return bool(a < b)
    raise mismatch("<", a, b)


def _le(a: Any, b: Any) -> bool:
    if type(b) in ORDERED_AGAINST.get(type(a), UNORDERED):
        return bool(a <= b)
    raise mismatch("<=", a, b)


def _gt(a: Any, b: Any) -> bool:
    if type(b) in ORDERED_AGAINST.get(type(a), UNORDERED):
        return bool(a > b)
    raise mismatch(">", a, b)


def _ge(a: Any, b: Any) -> bool:
    if type(b) in ORDERED_AGAINST.get(type(a), UNORDERED):
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
        raise mismatch("in", a, b, form="in")
    # Text among a tuple (a check's violations, read for every call): only text equals
    # text, so a match found by the tuple itself is one item by item would find; an empty
    # tuple holds nothing. Otherwise item by item, which also refuses a tuple of no text.
    if type(a) is str and (not b or a in b):
        return bool(b)
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
