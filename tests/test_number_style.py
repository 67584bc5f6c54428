"""How a column of numbers is shown is decided the same however many values it holds.

:func:`number_style` reads a whole column at once (a month's call outputs have millions
of values): the kinds of its values together, the places of each distinct value once.
These tests hold it to the plain reading of its rule, value by value, over generated
columns of whole numbers, decimals of any places, nothing, yes/no and text.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from policyengine import load_policy
from policyengine.core._numbers import CONTEXT
from policyengine.model import Rule
from policyengine.present._report_numbers import NumberStyle, number_style

_RULES = """\
format: 1
policy: styles
version: "2026-01"
effective_from: 2026-01-01
title: styles
rules:
  - {id: amount, kind: formula, expr: "1"}
  - {id: connect_rate, kind: formula, expr: "1"}
  - {id: cent, kind: formula, expr: "1", round: 0.01}
"""


def _reference(rule: Rule, name: str, values: list[Any]) -> NumberStyle | None:
    """The rule read value by value, as it is written in the module's text."""
    present = [v for v in values if v is not None]

    def number(v: Any) -> bool:
        return (type(v) is int or isinstance(v, Decimal)) and v == v

    if not present or not all(number(v) for v in present):
        return None
    marked = rule.kind in ("score", "rank") or not {"rate", "ratio", "percent", "score"}.isdisjoint(
        name.split("_")
    )
    if all(type(v) is int for v in present):
        return NumberStyle(0, False, totalled=not marked, whole=True)
    rounding = getattr(rule.spec, "rounding", None)
    if rounding is not None:
        exponent = rounding.places.normalize(CONTEXT).as_tuple().exponent
        places = max(0, -exponent)
        return NumberStyle(places, True, totalled=not marked and rounding.places >= Decimal("0.01"))

    def places(v: Any) -> int:
        if type(v) is int or not v:
            return 0
        exponent = v.normalize(CONTEXT).as_tuple().exponent
        return max(0, -exponent) if isinstance(exponent, int) else 0

    wide = max(places(v) for v in present)
    return NumberStyle(2 if wide <= 2 else 4, False, totalled=not marked and wide <= 2)


_DECIMALS = st.decimals(
    min_value=-(10**6), max_value=10**6, allow_nan=False, allow_infinity=False, places=None
).filter(lambda d: d.as_tuple().exponent >= -8)
_VALUES = st.one_of(
    st.none(),
    st.integers(-1000, 1000),
    _DECIMALS,
    st.sampled_from([Decimal("1.5"), Decimal("1.50"), Decimal("3000.00"), Decimal("0")]),
)
_ODD = st.one_of(st.booleans(), st.text(max_size=3), st.just(Decimal("NaN")))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_VALUES, max_size=30),
    st.lists(_ODD, max_size=2),
    st.sampled_from(["amount", "connect_rate", "cent"]),
)
def test_a_column_is_styled_as_its_values_one_by_one(
    values: list[Any], odd: list[Any], rule_id: str
) -> None:
    rule = _rule(rule_id)
    for column in (values, values + odd):
        assert number_style(rule, rule_id, column) == _reference(rule, rule_id, column)


def test_equal_values_of_other_places_share_their_places() -> None:
    rule = _rule("amount")
    style = number_style(rule, "amount", [Decimal("1.50"), Decimal("1.5"), Decimal("2.125")])
    assert style == NumberStyle(4, False, totalled=False)
    assert number_style(rule, "amount", [1, Decimal("1.0")]) == NumberStyle(2, False, True)


_POLICY: list[Any] = []


def _rule(rule_id: str) -> Rule:
    if not _POLICY:
        _POLICY.append(load_policy(_written()))
    return next(rule for rule in _POLICY[0].rules if rule.id == rule_id)


def _written() -> Any:
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix="styles-")) / "styles"
    folder.mkdir()
    (folder / "2026-01.yaml").write_text(_RULES, encoding="utf-8")
    return folder / "2026-01.yaml"
