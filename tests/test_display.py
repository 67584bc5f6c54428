"""How a value is shown (``core/_display.py``): one module for JSON-friendly data and cell text."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from policyengine.core._display import cell_text, decimal_text, plain, short_text, show_value
from policyengine.rules import base


def test_the_old_path_still_gives_the_same_functions() -> None:
    assert base.plain is plain and base.show_value is show_value


@settings(max_examples=200, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_an_exact_number_is_its_digits_never_an_exponent(value: Decimal) -> None:
    text = decimal_text(value)
    assert "E" not in text and Decimal(text) == value
    assert plain(value) == text == cell_text(value) == short_text(value, "-")


def test_cells() -> None:
    day = datetime.date(2026, 3, 1)
    row = (None, True, 12, Decimal("1.20E+3"), day, ("a", Decimal("0.5")), ())
    assert [cell_text(v) for v in row] == ["", "true", "12", "1200", "2026-03-01", "a, 0.5", ""]
    shown = ["-", "true", "12", "1200", "2026-03-01", "a,0.5", "-"]
    assert [short_text(v, "-") for v in row] == shown
    assert [short_text(v, "") for v in row][-1] == ""
    assert plain({"x": (day, False)}) == {"x": ["2026-03-01", False]}
    assert show_value(plain({"x": (True, Decimal("2"))})) == "{x: [true, 2]}"
