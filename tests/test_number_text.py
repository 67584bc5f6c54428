"""The one parser of numbers written as text (``core/_number_text.py``).

The properties pin what each reader accepts today: numbers are generated with
the parts they are written from (sign, digits, fraction, separators, percent),
spelled, and the parsed value compared with the number meant; the spellings a
reader refuses are generated too. The last tests check that every reader —
policy YAML and literals, CSV, xlsx and JSON facts, values read back — goes
through :func:`parse`.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyengine.core import _number_text as number_text
from policyengine.core._number_text import (
    DECIMAL,
    FACT_AMOUNT,
    PERCENT,
    WHOLE,
    YAML,
    exact,
    parse,
    to_decimal,
)

SETTINGS = settings(max_examples=300, deadline=None)

ASCII = "0123456789"
FULLWIDTH = "０１２３４５６７８９"
digits = st.text(alphabet=ASCII, min_size=1, max_size=20)
signs = st.sampled_from(["", "-", "+"])


def _meant(sign: str, whole: str, fraction: str) -> Decimal:
    """The number the parts mean, built without reading text."""
    places = tuple(int(d) for d in (whole + fraction))
    return Decimal((1 if sign == "-" else 0, places or (0,), -len(fraction)))


def _grouped(whole: str) -> str:
    """``whole`` with a comma between each group of three digits, from the right."""
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return ",".join([whole, *groups])


@SETTINGS
@given(signs, digits, st.text(alphabet=ASCII, max_size=12))
def test_decimal_text(sign: str, whole: str, fraction: str) -> None:
    text = sign + whole + ("." + fraction if fraction else "")
    assert parse(text, DECIMAL) == _meant(sign, whole, fraction)
    # A bare point is accepted (12.), a bare fraction too (.5).
    assert parse(sign + whole + ".", DECIMAL) == _meant(sign, whole, "")
    if fraction:
        assert parse(sign + "." + fraction, DECIMAL) == _meant(sign, "", fraction)


@SETTINGS
@given(signs, digits, st.text(alphabet=ASCII, max_size=6), st.sampled_from(["", " ", "\t "]))
def test_fact_amount_separators_and_space(sign: str, whole: str, fraction: str, space: str) -> None:
    meant = _meant(sign, whole, fraction)
    tail = "." + fraction if fraction else ""
    assert parse(space + sign + _grouped(whole) + tail + space, FACT_AMOUNT) == meant
    # Today every comma is a separator, wherever it stands.
    assert parse(sign + "," + whole + "," + tail, FACT_AMOUNT) == meant
    # Plain decimal text takes no separators and no surrounding space.
    if len(whole) > 3:
        assert parse(sign + _grouped(whole) + tail, DECIMAL) is None
    if space:
        assert parse(space + sign + whole + tail, DECIMAL) is None


@SETTINGS
@given(digits, st.text(alphabet=ASCII, max_size=8))
def test_any_script_digits_where_accepted_today(whole: str, fraction: str) -> None:
    wide = whole.translate(str.maketrans(ASCII, FULLWIDTH))
    wide_fraction = fraction.translate(str.maketrans(ASCII, FULLWIDTH))
    text = wide + ("." + wide_fraction if fraction else "")
    meant = _meant("", whole, fraction)
    assert parse(text, DECIMAL) == meant
    assert parse(text, FACT_AMOUNT) == meant
    assert parse(text + "%", PERCENT) == meant.scaleb(-2)
    assert parse(wide, YAML) is None
    assert parse(wide, WHOLE) is None


@SETTINGS
@given(signs, digits, st.text(alphabet=ASCII, max_size=8), st.sampled_from(["", " "]))
def test_percent(sign: str, whole: str, fraction: str, space: str) -> None:
    tail = "." + fraction if fraction else ""
    text = f"{space}{sign}{whole}{tail}{space}%{space}"
    meant = _meant(sign, whole, fraction).scaleb(-2)
    assert parse(text, PERCENT) == meant
    assert to_decimal(text) == meant
    assert parse(sign + whole + ".%", PERCENT) is None  # no bare point before a percent
    assert parse(sign + whole + "％", PERCENT) is None  # the full-width percent is refused


@SETTINGS
@given(signs, st.integers(min_value=0, max_value=10**30), st.text(alphabet=ASCII, max_size=8))
def test_yaml_numbers(sign: str, whole: int, fraction: str) -> None:
    text = sign + str(whole)
    number = parse(text, YAML)
    assert type(number) is int and number == (-whole if sign == "-" else whole)
    if fraction:
        decimal = parse(text + "." + fraction, YAML)
        assert type(decimal) is Decimal
        assert decimal == _meant(sign, str(whole), fraction)
        assert parse(sign + "." + fraction, YAML) == _meant(sign, "", fraction)
    # Refused: leading zeros, a bare point, an exponent, a percent, separators.
    assert parse(sign + "0" + str(whole), YAML) is None
    assert parse(text + ".", YAML) is None
    assert parse(text + "e3", YAML) is None
    assert parse(text + "%", YAML) is None
    if whole >= 1000:
        assert parse(sign + _grouped(str(whole)), YAML) is None


@SETTINGS
@given(signs, digits, st.sampled_from(["", " "]))
def test_whole_numbers(sign: str, whole: str, space: str) -> None:
    assert parse(space + sign + whole + space, WHOLE) == int(sign + whole)
    assert parse(sign + whole + ".0", WHOLE) is None
    assert parse(sign + sign + whole, WHOLE) is None or sign == ""


@SETTINGS
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_text(value: float) -> None:
    # An xlsx number cell: the shortest text of the float, exponent and all.
    number = exact(repr(value))
    assert float(number) == value
    assert parse(repr(value), DECIMAL) is None or "e" not in repr(value)


@pytest.mark.parametrize(
    "text",
    ["", " ", ".", "-", "+", "+-5", "1e3", "1E3", "0x10", "1_000", "inf", "NaN", "12a", "²"],
)
def test_refused_everywhere(text: str) -> None:
    for spelling in (DECIMAL, FACT_AMOUNT, PERCENT, YAML, WHOLE):
        assert parse(text, spelling) is None, spelling.name
    with pytest.raises(ValueError):
        to_decimal(text)


# --- every reader goes through the one parser ----------------------------------------------


@pytest.fixture
def spellings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the spellings :func:`parse` is asked for while the test runs."""
    asked: list[str] = []
    real = number_text.parse

    def watched(text: str, spelling: number_text.Spelling) -> Any:
        asked.append(spelling.name)
        return real(text, spelling)

    monkeypatch.setattr(number_text, "parse", watched)
    return asked


def test_policy_yaml_reads_numbers_through_the_parser(spellings: list[str]) -> None:
    from policyengine.read._source import read_policy_bytes

    document = read_policy_bytes(b"a: 12\nb: 1.50\nc: text\n", "p.yaml")
    assert document.data["a"] == 12 and document.data["b"] == Decimal("1.50")
    assert spellings.count("YAML") == 3


def test_percent_literals_read_through_the_parser(spellings: list[str]) -> None:
    assert to_decimal("3.5%") == Decimal("0.035")
    assert spellings == ["percent"]


def test_csv_facts_read_through_the_parser(spellings: list[str]) -> None:
    from policyengine.facts._csv import read_csv
    from policyengine.facts._records import coerce_record
    from policyengine.model import Field

    fields = {"amount": Field("amount", "money"), "calls": Field("calls", "int")}
    facts = read_csv("f.csv", io.StringIO('amount,calls\n"1,234.50", 7 \n'), fields)
    record = coerce_record(fields, dict(facts.records[0]), 1)
    assert record["amount"] == Decimal("1234.50") and record["calls"] == 7
    assert "fact amount" in spellings and "whole" in spellings


def test_json_facts_read_through_the_parser(spellings: list[str]) -> None:
    from policyengine.facts._json import loads

    assert loads("f.json", '{"a": 1.50, "b": 2e-3}') == {
        "a": Decimal("1.50"),
        "b": Decimal("0.002"),
    }
    assert spellings == ["float text", "float text"]


def test_xlsx_number_cells_read_through_the_parser(spellings: list[str]) -> None:
    from policyengine.facts._xlsx import _cell
    from policyengine.model import Field

    assert _cell(1.25, Field("rate", "decimal")) == Decimal("1.25")
    assert spellings == ["float text"]
    assert _cell(datetime.datetime(2026, 3, 1), None) == datetime.date(2026, 3, 1)


def test_values_read_back_through_the_parser(spellings: list[str]) -> None:
    from policyengine.facts._inputs import typed_history

    assert typed_history({"x": ["1.50", "text"]}) == {"x": (Decimal("1.50"), "text")}
    assert spellings == ["decimal", "decimal"]
