"""A number from outside is bounded before anything converts it or writes it out.

``1e999999999`` is a few bytes of JSON and a billion digits once formatted; an int
field given ``1e1000000`` used to take half a minute per record and end in a raw
ValueError. Every path a number comes in by (CSV text, JSON numbers, a caller's Decimal
or int) refuses what is 10^28 or more, or has more than 28 decimal places, as that
record's located error; everything within the bounds reads as before.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import policyengine
from policyengine.core import _number_text as number_text
from policyengine.errors import FactError
from policyengine.facts._records import coerce_record
from policyengine.model import Field
from policyengine.sample import centre, months

FIELDS = {
    "money": Field("amount", "money"),
    "decimal": Field("score", "decimal"),
    "int": Field("count", "int"),
}


def refusal(kind: str, value: Any) -> str | None:
    """The code a record holding ``value`` in a field of ``kind`` is refused with, if any."""
    field = FIELDS[kind]
    try:
        coerce_record({field.name: field}, {field.name: value}, "R1")
    except FactError as error:
        problems = getattr(error, "problems", (error,))
        assert all(p.location.field == field.name for p in problems)
        return problems[0].code
    return None


@pytest.mark.parametrize(
    ("kind", "value", "code"),
    [
        ("money", Decimal("1e999999999"), "number-too-large"),
        ("money", "9" * 40, "number-too-large"),
        ("money", "1" * 30 + ".50", "number-too-large"),
        ("decimal", Decimal("1e-999999999"), "too-many-decimals"),
        ("decimal", "0." + "1" * 40, "too-many-decimals"),
        ("int", Decimal("1e1000000"), "number-too-large"),
        ("int", "9" * 5000, "number-too-large"),
        ("int", 10**40, "number-too-large"),
        ("int", -(10**40), "number-too-large"),
    ],
)
def test_a_number_beyond_the_bounds_is_that_records_error(kind: str, value: Any, code: str) -> None:
    """Each hostile number is refused with its code, located at its field, at once."""
    assert refusal(kind, value) == code


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["money", "decimal", "int"]),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=0, max_value=2),
)
def test_the_bound_is_exactly_the_engines_28_digits(kind: str, whole: int, places: int) -> None:
    """A number under 10^28 reads as before; from 10^28 on it is refused, as text or typed."""
    places = 0 if kind == "int" else places
    value = Decimal(whole).scaleb(-places)
    inside = abs(value) < 10**number_text.MAX_MAGNITUDE
    for written in (value if kind != "int" else whole, f"{value:f}"):
        code = refusal(kind, written)
        assert (code is None) == inside, (kind, written, code)
        if not inside:
            assert code == "number-too-large"


def test_json_facts_with_a_huge_number_refuse_that_record_only(tmp_path: Path) -> None:
    """A JSON month with 1e999999999 as a sales figure and 5,000 digits as a count:
    those two records are refused, located; the other reps are evaluated."""
    facts = centre(months("2026-01", "2026-01"), calls=40, seed=2)["2026-01"]
    document = {kind: [{k: _text(v) for k, v in r.items()} for r in facts[kind]] for kind in facts}
    reps = document["rep"]
    first, second = reps[0]["rep_id"], reps[1]["rep_id"]
    reps[0]["credited_sales"], reps[1]["dials"] = "@HUGE@", "@LONG@"
    text = json.dumps(document, ensure_ascii=False)
    text = text.replace('"@HUGE@"', "1e999999999").replace('"@LONG@"', "9" * 5000)
    path = tmp_path / "month.json"
    path.write_text(text, encoding="utf-8")
    repository = policyengine.load(Path(__file__).parent / "fixtures" / "centre")
    result = repository.for_period("2026-01").evaluate(repository.read_facts(path))
    refused = {(e.location.record, e.code) for e in result.errors if e.code == "number-too-large"}
    assert refused == {(first, "number-too-large"), (second, "number-too-large")}
    assert len(result.keys("rep")) == len(reps) - 2


def _text(value: Any) -> Any:
    """A sample value as JSON holds it: numbers and dates as text, whole numbers as they are."""
    return value if type(value) in (int, str, bool) else str(value)


@pytest.mark.parametrize(
    ("source", "value", "code"),
    [
        ("2 ** k", Decimal("1e999999999"), "number-too-large"),
        ("2 ** k", Decimal("1.01E+2"), "number-too-large"),
        ("date(k, 1, 1)", Decimal("1e999999999"), "function-failed"),
        ("date(k, 1, 1)", 10**30, "function-failed"),
    ],
)
def test_an_exponent_or_a_year_written_huge_is_refused_before_any_work(
    source: str, value: Any, code: str
) -> None:
    """``2 ** k`` and ``date(k, 1, 1)`` with a k of a billion digits fail at once, in both
    engines alike (int() of such a k used to hang); the message shows a whole number as one."""
    from policyengine.core._numbers import engine_context
    from policyengine.language._compiler import compile_code
    from policyengine.language._expressions import Evaluator, compile_expression

    expression = compile_expression(source)
    code_of = compile_code(expression.tree, expression.source, expression.names)
    outcomes = []
    for run in (
        lambda: code_of({"k": value}),
        lambda: Evaluator().evaluate(expression, {"k": value}),
    ):
        with pytest.raises(policyengine.PolicyError) as raised, engine_context():
            run()
        outcomes.append((raised.value.code, raised.value.message))
    assert outcomes[0] == outcomes[1] and outcomes[0][0] == code
    if value == Decimal("1.01E+2"):
        assert "exponent 101 " in outcomes[0][1]


@pytest.mark.parametrize(
    ("source", "refused"),
    [
        ("x + 1e999999999", True),
        ("x * 1e-999999999", True),
        ("x + 1e18", True),
        ("x + 1e17", False),
        ("x * 1e-28", False),
        ("x * 0e30", False),
    ],
)
def test_a_literal_out_of_range_is_refused_at_load_never_a_traceback(
    source: str, refused: bool
) -> None:
    """A number literal of 10^18 or more, or with more than 28 places, is a located
    number-too-large when the expression is checked (abs() of 1e999999999 used to raise
    a raw decimal.Overflow out of loading)."""
    from policyengine.language._expressions import compile_expression

    if not refused:
        compile_expression(source)
        return
    with pytest.raises(policyengine.PolicyError) as raised:
        compile_expression(source)
    assert raised.value.code == "number-too-large"
