"""Exact numbers: Decimal everywhere, the engine's context, declared rounding.

No float ever touches an amount. Numbers arrive as ``int`` or ``Decimal``
(the YAML reader and the facts readers never make a float) or as text, which
one parser reads (:mod:`policyengine.core._number_text`: ``to_decimal``, the
percent strings such as ``"3.5%"``, which mean ``Decimal("0.035")``).
"""

from __future__ import annotations

import decimal
import functools
import threading
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any

#: The arithmetic context of every evaluation: 34 significant digits
#: (IEEE decimal128), and every doubtful operation is an error, never a
#: silent NaN or infinity.
CONTEXT = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=999_999,
    Emin=-999_999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


def engine_context() -> AbstractContextManager[decimal.Context]:
    """The engine's own arithmetic, entered once around a whole evaluation.

    Whatever context the embedding application has set (``prec = 6``,
    another rounding, other traps) is put aside for the evaluation and
    restored after it, so no result depends on it.
    """
    return _EngineContext()


_THREAD = threading.local()


class _EngineContext:
    """Like ``decimal.localcontext(CONTEXT)`` without copying the context on each entry.

    Each thread keeps its own copy of :data:`CONTEXT` (its sticky flags are
    never read): a single record's evaluation enters this too, and a copy
    cost as much as a small rule.
    """

    __slots__ = ("_outer",)

    def __enter__(self) -> decimal.Context:
        self._outer = decimal.getcontext()
        mine: decimal.Context | None = getattr(_THREAD, "context", None)
        if mine is None:
            mine = _THREAD.context = CONTEXT.copy()
        decimal.setcontext(mine)
        return mine

    def __exit__(self, *exc: object) -> None:
        decimal.setcontext(self._outer)


#: No value an evaluation produces may reach this magnitude: it bounds the
#: work of every later operation and no pay rule needs more.
MAX_MAGNITUDE = Decimal(10) ** 18

#: The finest rounding step: any value below MAX_MAGNITUDE (18 digits before the point)
#: rounded to it has at most 34 digits, the context's precision. A finer step would make
#: ``quantize`` fail for large values, at run time, in the middle of a month.
MIN_STEP = Decimal("1E-16")

#: Rounding modes a policy may declare, by the name it uses.
ROUNDING_MODES: dict[str, str] = {
    "half_up": decimal.ROUND_HALF_UP,
    "half_even": decimal.ROUND_HALF_EVEN,
    "half_down": decimal.ROUND_HALF_DOWN,
    "up": decimal.ROUND_UP,
    "down": decimal.ROUND_DOWN,
    "ceiling": decimal.ROUND_CEILING,
    "floor": decimal.ROUND_FLOOR,
}

DEFAULT_PLACES = Decimal("0.01")
DEFAULT_MODE = "half_up"


def total(values: Iterable[Any]) -> Decimal:
    """The exact sum of ``values`` in the engine's own context: never the caller's (a
    thread whose context holds 6 digits summed a team's sales to 4373730)."""
    found = Decimal(0)
    for value in values:
        found = CONTEXT.add(found, value)
    return found


def difference(new: Any, old: Any) -> Decimal:
    """``new - old`` exactly, in the engine's own context (see :func:`total`)."""
    return CONTEXT.subtract(Decimal(new), Decimal(old))


def is_number(value: object) -> bool:
    """True for int and Decimal, false for bool (a bool is not a number here)."""
    kind = type(value)
    if kind is Decimal or kind is int:  # the common case, without the ABC checks
        return True
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def unsigned_zero(value: Any) -> Any:
    """``value`` with a negative zero (``-0.00``, from rounding a small negative or from
    ``-x * 0``) made ``0.00``, in a rule's named values too; anything else as it is.

    ``-0.00`` equals ``0.00`` in every comparison, but it shows as ``-0.00`` on a pay
    sheet, and that is not an amount anyone is owed or owes.
    """
    if type(value) is Decimal:
        return value.copy_abs() if not value and value.is_signed() else value
    if isinstance(value, Mapping) and any(_signed_zero(v) for v in value.values()):
        return {name: unsigned_zero(v) for name, v in value.items()}
    return value


def _signed_zero(value: Any) -> bool:
    return type(value) is Decimal and not value and value.is_signed()


def rounding_step(places: Decimal) -> Decimal:
    """``places`` checked and made plain: 0.010 -> 0.01, 1E+1 -> 10.

    Raises ValueError unless it is a power of ten (0.01, 0.1, 1, 10 …): a
    step such as 0.05 would look like rounding to the nearest 5 fen but is
    not what ``quantize`` does.
    """
    if not places.is_finite() or places <= 0:
        raise ValueError(f"places must be a power of ten such as 0.01, 1 or 10, got {places}")
    if not MIN_STEP <= places <= MAX_MAGNITUDE:
        raise ValueError(
            f"places must be between {MIN_STEP} and 1E+18, got {places}: a value "
            "below 10^18 rounded finer than 16 places needs more digits than the engine keeps"
        )
    step = places.normalize(CONTEXT)
    if step.as_tuple().digits != (1,):
        raise ValueError(f"places must be a power of ten such as 0.01, 1 or 10, got {places}")
    return step.quantize(Decimal(1), context=CONTEXT) if step >= 1 else step


def quantize(value: Decimal, places: Decimal = DEFAULT_PLACES, mode: str = DEFAULT_MODE) -> Decimal:
    """Round ``value`` to the quantum ``places`` (0.01, 1, 10 …) with a named mode."""
    return rounder(places, mode)(value)


def rounder(places: Decimal, mode: str) -> Callable[[Decimal], Decimal]:
    """The function rounding to ``places`` with ``mode``, made once: rules round every record.

    Every step uses the engine's context, whatever context the caller has.
    """
    # Keyed by the text: 0.01 and 0.010 are equal Decimals but quantize differently.
    return _rounder(str(places), mode)


@functools.lru_cache(maxsize=256)
def _rounder(text: str, mode: str) -> Callable[[Decimal], Decimal]:
    places = Decimal(text)
    rounding = ROUNDING_MODES[mode]
    if places >= 1 and places == places.to_integral_value():
        # Rounding to tens or hundreds: quantize works on exponents, so scale.
        one = Decimal(1)

        def scaled(value: Decimal) -> Decimal:
            whole = CONTEXT.divide(value, places).quantize(one, rounding=rounding, context=CONTEXT)
            return CONTEXT.multiply(whole, places)

        return scaled

    def plain(value: Decimal) -> Decimal:
        return value.quantize(places, rounding=rounding, context=CONTEXT)

    return plain
