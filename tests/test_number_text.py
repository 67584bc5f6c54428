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
    FLOAT_TEXT,
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
ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
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
    # A comma anywhere else is no separator: the text is no number at all.
    assert parse(sign + "," + whole + "," + tail, FACT_AMOUNT) is None
    # Plain decimal text takes no separators and no surrounding space.
    if len(whole) > 3:
        assert parse(sign + _grouped(whole) + tail, DECIMAL) is None
    if space:
        assert parse(space + sign + whole + tail, DECIMAL) is None


@SETTINGS
@given(digits, st.text(alphabet=ASCII, max_size=8))
def test_only_ascii_digits_are_digits(whole: str, fraction: str) -> None:
    for script in (FULLWIDTH, ARABIC_INDIC):
        wide = whole.translate(str.maketrans(ASCII, script))
        text = wide + ("." + fraction if fraction else "")
        for spelling in (DECIMAL, FACT_AMOUNT, YAML, WHOLE, FLOAT_TEXT):
            assert parse(text, spelling) is None, spelling.name
        assert parse(text + "%", PERCENT) is None
        assert number_text.non_ascii_digits(text)
        assert number_text.looks_numeric(text)  # refused as a number, not kept as text
    assert not number_text.non_ascii_digits(whole + "." + fraction)


@SETTINGS
@given(signs, st.integers(min_value=1000, max_value=10**20), st.text(alphabet=ASCII, max_size=4))
def test_comma_only_between_groups_of_three(sign: str, whole: int, fraction: str) -> None:
    tail = "." + fraction if fraction else ""
    grouped = _grouped(str(whole))
    assert parse(sign + grouped + tail, FACT_AMOUNT) == _meant(sign, str(whole), fraction)
    assert number_text.comma_problem(sign + grouped + tail) is None
    # Any comma moved off its place makes the text no number, and the reason is given.
    for position in range(1, len(grouped)):
        if grouped[position] == ",":
            continue
        moved = grouped.replace(",", "", 1)
        moved = moved[:position] + "," + moved[position:]
        if moved == grouped or _grouped(moved.replace(",", "")) == moved:
            continue
        assert parse(sign + moved + tail, FACT_AMOUNT) is None, moved
        assert number_text.comma_problem(sign + moved + tail) is not None


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("12,34", "decimal point"),
        ("773,48", "decimal point"),
        ("1,2,3,4", "groups of three"),
        ("1234,567", "groups of three"),
        ("1,234,56", "groups of three"),
        ("1,234.5,6", "groups of three"),
        (",123", "groups of three"),
        ("123,", "groups of three"),
    ],
)
def test_misplaced_commas(text: str, why: str) -> None:
    assert parse(text, FACT_AMOUNT) is None
    problem = number_text.comma_problem(text)
    assert problem is not None and why in problem


@pytest.mark.parametrize("length", [10, 1_000, 50_000])
def test_looks_numeric_is_linear(length: int) -> None:
    # 20,000 digits and an 'x' once backtracked quadratically; the answer is what matters here
    # (benchmarks/ holds the timing): each text is classified right whatever its length.
    assert number_text.looks_numeric("1" * length)
    assert not number_text.looks_numeric("1" * length + "x")
    assert number_text.looks_numeric("1,000" * (length // 5 + 1))
    assert not number_text.looks_numeric("," * length)


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


# --- what a facts reader says of a slip ----------------------------------------------------


@pytest.mark.parametrize(
    ("field_type", "text", "code", "said"),
    [
        ("money", "12,34", "not-a-number", "decimal point"),
        ("money", "773,48", "not-a-number", "decimal point"),
        ("decimal", "1,2,3,4", "not-a-number", "groups of three"),
        ("money", "１２３", "not-a-number", "only the digits 0-9"),
        ("money", "٣٠٠.٥٠", "not-a-number", "only the digits 0-9"),
        ("decimal", "٣%", "not-a-number", "only the digits 0-9"),
        ("int", "１２", "not-a-whole-number", "only the digits 0-9"),
    ],
)
def test_facts_refuse_commas_and_other_digits_saying_why(
    field_type: str, text: str, code: str, said: str
) -> None:
    from policyengine.errors import FactError
    from policyengine.facts._values import coerce_value
    from policyengine.model import Field

    with pytest.raises(FactError) as caught:
        coerce_value(text, Field("amount", field_type))
    assert caught.value.code == code
    assert said in caught.value.message and text in caught.value.message


def test_period_digits_are_ascii() -> None:
    from policyengine.core._period import Period
    from policyengine.errors import PolicyError

    assert str(Period.parse("2026-03")) == "2026-03"
    with pytest.raises(PolicyError):
        Period.parse("２０２６-０３")
