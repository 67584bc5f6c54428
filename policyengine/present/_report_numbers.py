"""How a number output is shown to people: its places, its spreadsheet format, whether it adds up.

Outputs carry no unit, so what a column of numbers is shown as follows from
what the policy declares and, where it declares nothing, from a documented
default (docs/api.md, "Numbers in the workbook and the summary"):

- **Places.** An output with ``round:`` is shown at the places of its step
  (0.01 → 2, 0.0001 → 4, 1 or 10 → 0). An output without ``round:`` is shown
  at 2 places when every value has at most 2 (nothing is hidden: amounts
  summed from rounded amounts), else at 4 places (rates and scores). That
  default is for display only: the JSON result, the CSV and the ledger keep
  the exact value.
- **Adds up.** Amounts and counts are totalled; rates and scores are not
  (their minimum, median and maximum are shown instead). A rate or score is
  an output of a ``score`` or ``rank`` rule, one rounded finer than a cent,
  one whose name has the word ``rate``, ``ratio``, ``percent`` or ``score``
  (``connect_rate``, ``team_avg_rep_score_of_own_team``), or one without
  ``round:`` whose values have more than 2 places.
- **Whole numbers** (ints: counts, positions) are shown as whole numbers.

:func:`shown` rounds a value to its places for display (half-up, the
engine's default mode), never for a stored result.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import attrs

from ..core._numbers import CONTEXT
from ..model import Rounding, Rule
from ..rules import kind_of

__all__ = ["NumberStyle", "number_style", "shown"]

#: Places shown for an output without ``round:``: amounts, and rates or scores.
AMOUNT_PLACES = 2
RATE_PLACES = 4
#: Words of a name that mark a rate or a score by the policies' naming convention.
_RATE_WORDS = frozenset({"rate", "ratio", "percent", "score"})
_CENT = Decimal("0.01")
_NUMBER_KINDS = frozenset({int, Decimal})


@attrs.frozen
class NumberStyle:
    """How one column of numbers is shown."""

    #: Places shown; 0 for whole numbers.
    places: int
    #: Whether the places come from the rule's ``round:`` (else the display default).
    declared: bool
    #: Whether the column adds up (amounts and counts), else min/median/max.
    totalled: bool
    #: Whether the values are ints (counts, positions).
    whole: bool = False

    @property
    def excel_format(self) -> str:
        """The spreadsheet number format: ``0`` for whole numbers, ``#,##0.00`` for an
        amount at 2 places, ``0.0000`` for a rate at 4."""
        if self.whole:
            return "0"
        decimals = "." + "0" * self.places if self.places else ""
        return ("#,##0" if self.totalled else "0") + decimals


def number_style(rule: Rule, name: str, values: Iterable[Any]) -> NumberStyle | None:
    """The style of one output's column, or None when its values are not all numbers."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    # The kinds of the values, gathered in C (a column of a month's calls has millions);
    # anything but ints and Decimals is looked at one by one.
    kinds = set(map(type, present))
    if not kinds <= _NUMBER_KINDS and not all(_is_number(v) for v in present):
        return None
    # Equal values need equal places (1.5 and 1.50 both 1): each distinct value once, as a
    # column of a month's calls holds few distinct values among hundreds of thousands.
    distinct = set(present)
    if any(v != v for v in distinct):  # NaN is no number to show
        return None
    # A kind says whether its numbers are amounts (a score's or a rank's are not).
    kind = kind_of(rule.kind)
    amounts = kind is None or kind.amounts
    marked = not amounts or not _RATE_WORDS.isdisjoint(name.split("_"))
    if kinds == {int}:
        return NumberStyle(0, False, totalled=not marked, whole=True)
    rounding = getattr(rule.spec, "rounding", None)
    if isinstance(rounding, Rounding):
        step = rounding.places
        places = max(0, -step.normalize(CONTEXT).as_tuple().exponent)  # type: ignore[operator]
        return NumberStyle(places, True, totalled=not marked and step >= _CENT)
    wide = max(map(_places, distinct))
    places = AMOUNT_PLACES if wide <= AMOUNT_PLACES else RATE_PLACES
    return NumberStyle(places, False, totalled=not marked and wide <= AMOUNT_PLACES)


def shown(value: Decimal, style: NumberStyle) -> Decimal:
    """``value`` rounded half-up to the style's places: for display only (a value too large
    to hold those places within the engine's precision is shown as it is)."""
    try:
        return value.quantize(Decimal(1).scaleb(-style.places), ROUND_HALF_UP, CONTEXT)
    except InvalidOperation:
        return value


def _places(value: Any) -> int:
    """The places ``value`` needs: 2 for 0.35 and for 0.350, 0 for 3000.00."""
    if type(value) is int or not value:
        return 0
    exponent = value.normalize(CONTEXT).as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _is_number(value: Any) -> bool:
    return (type(value) is int or isinstance(value, Decimal)) and value == value
