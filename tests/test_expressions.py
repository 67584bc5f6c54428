"""Expressions: exact arithmetic, strict kinds, the function library, what is reported."""

from __future__ import annotations

import ast
import datetime
import decimal
import importlib
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from policyengine.core._numbers import CONTEXT, MAX_MAGNITUDE, ROUNDING_MODES
from policyengine.errors import EvaluationError, ExpressionError
from policyengine.language._expressions import Evaluator, Expression, compile_expression
from policyengine.language._functions import FUNCTIONS, months_between

D = Decimal
DAY = datetime.date
#: The modules of the expression language, from the kinds of value up to the façade.
LANGUAGE_MODULES = (
    "value_kinds",
    "operators",
    "functions",
    "shared_runtime",
    "expression_checker",
    "expression_parser",
    "reference_evaluator",
    "expression_translator",
    "compiler",
    "expressions",
)


def run(source: str, /, **env: Any) -> Any:
    return Evaluator().evaluate(compile_expression(source), env)


def failure(source: str, /, **env: Any) -> EvaluationError:
    expression = compile_expression(source)
    with pytest.raises(EvaluationError) as info:
        Evaluator().evaluate(expression, env)
    return info.value


# --- numbers -----------------------------------------------------------------------


def test_decimal_literals_are_exact() -> None:
    """0.1 + 0.2 == 0.3 holds because literals are read as Decimal from their text."""
    assert run("0.1 + 0.2 == 0.3") is True
    assert run("0.1 + 0.2") == D("0.3")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.5", D("1.5")),
        ("7", D(7)),
        ("1_000.25", D("1000.25")),
        ("1e3", D("1E+3")),
        (".5", D("0.5")),
        ("0x10", D(16)),
        ("-2.50", D("-2.50")),
    ],
)
def test_numeric_literals_become_decimal_constants(text: str, value: Decimal) -> None:
    """Every numeric literal in the checked tree is a Decimal equal to its source text."""
    tree = compile_expression(text).tree
    assert isinstance(tree, ast.Constant)
    literal: object = tree.value
    assert type(literal) is Decimal
    assert literal == value
    assert str(literal) == str(value)


def test_commission_rounds_half_up_to_cents() -> None:
    """123456.78 * 0.035 rounded half up to 0.01 is 4320.99, as a Decimal."""
    literal = run('round_to(123456.78 * 0.035, 0.01, "half_up")')
    named = run("round_to(credited_sales * rate)", credited_sales=D("123456.78"), rate=D("0.035"))
    assert literal == named == D("4320.99")
    assert type(literal) is Decimal and str(literal) == "4320.99"


def test_chinese_names() -> None:
    """Chinese identifiers are names like any other."""
    expression = compile_expression("销售额 * 提成比例")
    assert expression.names == {"销售额", "提成比例"}
    assert Evaluator().evaluate(expression, {"销售额": D("20000"), "提成比例": D("0.05")}) == 1000


def test_division_always_gives_a_decimal() -> None:
    """'/' between two ints is exact and a Decimal, never a truncated int."""
    result = run("a / b", a=7, b=2)
    assert result == D("3.5") and type(result) is Decimal


def test_int_arithmetic_stays_int() -> None:
    """+, -, *, // and % between ints give ints."""
    for text in ("a + b", "a - b", "a * b", "a // b", "a % b"):
        assert type(run(text, a=7, b=2)) is int


@pytest.mark.parametrize(
    ("a", "b", "quotient", "remainder"),
    [
        (7, 2, 3, 1),
        (-7, 2, -4, 1),
        (7, -2, -4, -1),
        (-7, -2, 3, -1),
        (D("-7.5"), 2, -4, D("0.5")),
        (D("7.5"), D("-2"), -4, D("-0.5")),
        (D("6"), D("1.5"), 4, 0),
    ],
)
def test_floor_division_floors_toward_minus_infinity(
    a: Any, b: Any, quotient: Any, remainder: Any
) -> None:
    """'//' floors (not truncates) for ints and Decimals alike, and '%' goes with it."""
    assert run("a // b", a=a, b=b) == quotient
    assert run("a % b", a=a, b=b) == remainder


@given(st.integers(-(10**9), 10**9), st.integers(-(10**6), 10**6).filter(bool))
def test_decimal_floor_division_matches_int_semantics(a: int, b: int) -> None:
    """For whole numbers written as Decimals, '//' and '%' agree with Python's ints."""
    env = {"a": D(a), "b": D(b)}
    evaluator = Evaluator()
    assert evaluator.evaluate(compile_expression("a // b"), env) == a // b
    assert evaluator.evaluate(compile_expression("a % b"), env) == a % b


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2 ** 10", 1024),
        ("n ** 3", 27),
        ("0.5 ** 2", D("0.25")),
        ("2 ** -2", D("0.25")),
        ("x ** 0", 1),
        ("0 ** 0", 1),
        ("(-2) ** 3", -8),
    ],
)
def test_power(text: str, value: Any) -> None:
    """'**' with a whole exponent is exact."""
    assert run(text, n=3, x=D("1.5")) == value


@given(st.data())
def test_arithmetic_is_decimal_computed_in_context(data: st.DataObject) -> None:
    """Random arithmetic over ints and Decimals equals the same computation done in CONTEXT."""
    env: dict[str, Any] = {}
    text, tree = data.draw(_arithmetic(env))
    expression = compile_expression(text)
    try:
        expected: Any = _reference(tree, env)
    except _Expected as refused:
        with pytest.raises(EvaluationError) as info:
            Evaluator().evaluate(expression, env)
        assert info.value.code == refused.code
        return
    result = Evaluator().evaluate(expression, env)
    assert type(result) in (int, Decimal)
    assert result == expected


class _Expected(Exception):
    def __init__(self, code: str) -> None:
        self.code = code


_NUMBER = st.one_of(
    st.integers(-(10**6), 10**6),
    st.decimals(-(10**6), 10**6, allow_nan=False, allow_infinity=False, places=4),
)
_OPS = ["+", "-", "*", "/", "//", "%", "**"]


@st.composite
def _arithmetic(draw: st.DrawFn, env: dict[str, Any], depth: int = 0) -> tuple[str, Any]:
    """An expression text and its tree as nested tuples; names are added to env."""
    if depth >= 3 or draw(st.integers(0, 2)) == 0:
        value = draw(_NUMBER)
        if draw(st.booleans()):
            name = f"v{len(env)}"
            env[name] = value
            return name, ("name", name)
        return f"({value})", ("literal", D(value))
    op = draw(st.sampled_from(_OPS))
    left_text, left = draw(_arithmetic(env, depth + 1))
    if op == "**":
        exponent = draw(st.integers(0, 3))
        return f"({left_text} ** {exponent})", ("**", left, ("literal", D(exponent)))
    right_text, right = draw(_arithmetic(env, depth + 1))
    if draw(st.booleans()):
        return f"(-({left_text} {op} {right_text}))", ("neg", (op, left, right))
    return f"({left_text} {op} {right_text})", (op, left, right)


def _reference(tree: Any, env: dict[str, Any]) -> Any:
    """The value computed directly: Decimal in CONTEXT, Fraction for the floor operations."""
    kind = tree[0]
    if kind == "name":
        return env[tree[1]]
    if kind == "literal":
        return tree[1]
    if kind == "neg":
        with decimal.localcontext(CONTEXT):
            return -_reference(tree[1], env)
    left, right = _reference(tree[1], env), _reference(tree[2], env)
    with decimal.localcontext(CONTEXT):
        if kind in ("/", "//", "%") and right == 0:
            raise _Expected("division-by-zero")
        if kind == "//":
            result: Any = D(Fraction(left) // Fraction(right))
        elif kind == "%":
            rest = Fraction(left) % Fraction(right)
            result = D(rest.numerator) / D(rest.denominator)
        elif kind == "**":
            result = D(1) if right == 0 else D(left) ** int(right)
        else:
            result = {"+": D.__add__, "-": D.__sub__, "*": D.__mul__, "/": D.__truediv__}[kind](
                D(left), D(right)
            )
    if abs(result) >= MAX_MAGNITUDE:
        raise _Expected("number-too-large")
    return result


def test_results_beyond_the_bound_are_refused() -> None:
    """A result of 10^18 or more is an error, whether from ints, Decimals or functions."""
    assert failure("a * 10", a=10**17).code == "number-too-large"
    assert failure("a * a", a=D("1e10")).code == "number-too-large"
    assert failure("sum(a, a)", a=D("9e17")).code == "number-too-large"
    assert run("999999999999999999") == 10**18 - 1


def test_float_values_are_refused() -> None:
    """A float that slipped into the values is never passed through or computed with."""
    assert failure("x", x=1.5).code == "type-mismatch"
    assert failure("x + 1", x=1.5).code == "type-mismatch"
    assert failure("round_to(x)", x=1.5).code == "type-mismatch"


# --- kinds and conditions ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "flag + 1",
        "text + 1",
        "text * 2",
        "text % 1",
        "-text",
        "n == text",
        "n != text",
        "flag == 1",
        "day == '2024-01-31'",
        "n < text",
        "text < day",
        "flag < 1",
        "n in names",
        "n in 12",
        "1 in text",
        "tags + tags",
        "record + 1",
    ],
)
def test_type_mismatch(text: str) -> None:
    """Operators refuse values of kinds that make no sense together, rather than guess."""
    error = failure(
        text,
        flag=True,
        text="a",
        n=D(5),
        day=DAY(2024, 1, 31),
        names=("a", "b"),
        tags=("x",),
        record={"k": 1},
    )
    assert error.code == "type-mismatch"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a < b <= c", True),
        ("a < b > c", False),
        ("1 == 1.0", True),
        ("text < 'b'", True),
        ("day < date(2025, 1, 1)", True),
        ("day == date(2024, 1, 31)", True),
        ("'x' in tags", True),
        ("'z' not in tags", True),
        ("'bc' in 'abcd'", True),
        ("2 in (1, 2)", True),
        ("tags == ('x', 'y')", True),
        ("flag != False", True),
    ],
)
def test_comparisons(text: str, value: bool) -> None:
    """Comparisons between like kinds, chained ones and membership behave as in Python."""
    env = {
        "a": 1,
        "b": D("2.5"),
        "c": D(3),
        "text": "a",
        "day": DAY(2024, 1, 31),
        "tags": ("x", "y"),
        "flag": True,
    }
    assert run(text, **env) is value


@pytest.mark.parametrize(
    "text", ["n and flag", "n or flag", "not n", "1 if n else 2", "flag and n > 1 and n"]
)
def test_conditions_need_yes_or_no(text: str) -> None:
    """and, or, not and the test of if-else refuse anything but a yes/no value."""
    assert failure(text, n=1500, flag=True).code == "type-mismatch"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("False and missing", False),
        ("True or missing", True),
        ("1 if True else missing", 1),
        ("missing if False else 2", 2),
        ("n > 0 and n < 10", True),
        ("not (n > 10)", True),
    ],
)
def test_boolean_logic_short_circuits(text: str, value: Any) -> None:
    """Unneeded operands are not evaluated, so a missing value there does no harm."""
    assert run(text, n=5) == value


# --- names, records, errors --------------------------------------------------------


def test_missing_value() -> None:
    """A name without a value is 'missing-value', naming it, with the values that were there."""
    error = failure("a + missing", a=D(1))
    assert error.code == "missing-value"
    assert error.details["name"] == "missing"
    assert error.details["expression"] == "a + missing"
    assert error.details["values"] == {"a": D(1)}


def test_records_are_read_through_attributes() -> None:
    """name.part reads an item of a record such as a band's outputs or the period."""
    period = MappingProxyType({"year": 2026, "month": 3, "quarter": 1, "key": "2026-03"})
    band = MappingProxyType({"rate": D("0.035")})
    assert run("band.rate * 100", band=band) == D("3.500")
    assert run("period.quarter == 1 and period.key == '2026-03'", period=period) is True


@pytest.mark.parametrize(
    ("text", "env"),
    [
        ("band.missing", {"band": {"rate": 1}}),
        ("n.rate", {"n": 1}),
        ("day.year", {"day": DAY(2024, 1, 1)}),
        ("missing.rate", {}),
    ],
)
def test_unknown_attribute(text: str, env: dict[str, Any]) -> None:
    """A part a record lacks, or a part of something that is no record, is an error."""
    code = "missing-value" if text.startswith("missing") else "unknown-attribute"
    assert failure(text, **env).code == code


def test_division_by_zero() -> None:
    """Dividing, flooring, taking a remainder by zero, or 0 to a negative power, is refused."""
    for text in ("a / 0", "a // z", "a % z", "0 / z", "z ** -1", "a / (z * 2)"):
        assert failure(text, a=D(5), z=0).code == "division-by-zero"


def test_power_limits() -> None:
    """'**' refuses fractional exponents, exponents beyond 100, and results too large."""
    assert failure("2 ** 0.5").code == "invalid-operation"
    assert failure("1 ** 101").code == "number-too-large"
    assert failure("10 ** 18").code == "number-too-large"
    assert run("10 ** 17") == 10**17


def test_text_can_be_joined_within_a_limit() -> None:
    """'+' joins two texts, up to 10,000 characters in all."""
    assert run("a + '-' + b", a="team", b="东区") == "team-东区"
    assert failure("a + a", a="x" * 6000).code == "string-too-long"


def test_list_literals_are_tuples() -> None:
    """(a, b) and [a, b] both evaluate to a tuple."""
    assert run("[1, n]", n=2) == (D(1), 2)
    assert run("(1, 'a')") == (D(1), "a")
    assert run("()") == ()


def test_multiline_expression() -> None:
    """A formula written over several lines (a YAML block) reads as one expression."""
    text = "base\n  + bonus  # monthly\n  - 10\n"
    assert run(text, base=D(100), bonus=D(5)) == D(95)


def test_errors_carry_expression_and_values() -> None:
    """Every run-time error names the expression and the values it read."""
    error = failure("a / b", a=D(1), b=0, unrelated=5)
    assert error.details["expression"] == "a / b"
    assert error.details["values"] == {"a": D(1), "b": 0}


def test_function_failure_is_chained() -> None:
    """A failing function becomes 'function-failed' naming it, with the original as cause."""
    error = failure("date(2023, 2, 29)")
    assert error.code == "function-failed"
    assert error.details["function"] == "date"
    assert isinstance(error.__cause__, ValueError)


class _Broken(Mapping[str, Any]):
    """A values mapping whose lookups fail in an unforeseen way."""

    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("storage went away")

    def __iter__(self) -> Iterator[str]:
        return iter(["a"])

    def __len__(self) -> int:
        return 1


def test_unexpected_failures_become_evaluation_errors() -> None:
    """An exception nobody foresaw still comes out as an EvaluationError, chained to it."""
    with pytest.raises(EvaluationError) as info:
        Evaluator().evaluate(compile_expression("a + 1"), _Broken())
    assert info.value.code == "evaluation-failed"
    assert isinstance(info.value.__cause__, RuntimeError)


def test_evaluator_keeps_nothing_between_calls() -> None:
    """One Evaluator serves many evaluations; values of one call are not seen by the next."""
    evaluator = Evaluator()
    expression = compile_expression("a * 2")
    assert evaluator.evaluate(expression, {"a": 2}) == 4
    with pytest.raises(EvaluationError) as info:
        evaluator.evaluate(expression, {})
    assert info.value.code == "missing-value"
    assert evaluator.evaluate(expression, {"a": D("1.5")}) == D("3.0")


def test_decimal_context_is_restored() -> None:
    """Evaluating, even when it fails, leaves the caller's decimal context as it was."""
    before = decimal.getcontext()
    run("1 / 3")
    failure("1 / 0")
    assert decimal.getcontext() is before
    assert run("1 / 3") == CONTEXT.divide(D(1), D(3))


def test_result_never_depends_on_the_callers_context() -> None:
    """A caller's coarse decimal context changes nothing: arithmetic runs in CONTEXT."""
    env = {"a": D("1.000000000000000000000000000001"), "b": D(1), "c": D(3)}
    coarse = decimal.Context(prec=3, traps=[])
    with decimal.localcontext(coarse):
        assert run("a > b", **env) is True
        assert run("a - b", **env) == D("1E-30")
        assert run("b / c", **env) == CONTEXT.divide(D(1), D(3))
        assert failure("b / 0", **env).code == "division-by-zero"


@pytest.mark.parametrize(
    ("text", "arithmetic"),
    [
        ("a > 1 and not flag", False),
        ("-1", False),
        ("x if flag else 'n'", False),
        ("a + 1", True),
        ("-a", True),
        ("min(a, 1)", True),
        ("a > 1 and b * 2 > 3", True),
    ],
)
def test_arithmetic_is_reported(text: str, arithmetic: bool) -> None:
    """Expressions that only compare and choose are marked as needing no decimal context."""
    assert compile_expression(text).arithmetic is arithmetic


def test_expression_is_frozen() -> None:
    """A compiled Expression cannot be changed after the fact."""
    expression = compile_expression("a + 1")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        expression.source = "b"  # type: ignore[misc]


# --- what an expression reads ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names", "attributes", "functions"),
    [
        ("credited_sales * rate", {"credited_sales", "rate"}, set(), set()),
        (
            "commission_band.rate * sales",
            {"commission_band", "sales"},
            {("commission_band", "rate")},
            set(),
        ),
        ("round_to(min(a, cap.value), 1)", {"a", "cap"}, {("cap", "value")}, {"round_to", "min"}),
        (
            "period.month == 3 and period.year > 2025",
            {"period"},
            {("period", "month"), ("period", "year")},
            set(),
        ),
        ("x if flag else 'none'", {"x", "flag"}, set(), set()),
        ("sum((1, 2))", set(), set(), {"sum"}),
        ("'text'", set(), set(), set()),
    ],
)
def test_reports_what_it_reads(
    text: str, names: set[str], attributes: set[tuple[str, str]], functions: set[str]
) -> None:
    """names, attributes and functions list exactly what the expression uses."""
    expression = compile_expression(text)
    assert isinstance(expression, Expression)
    assert expression.source == text
    assert expression.names == names
    assert expression.attributes == attributes
    assert expression.functions == functions


# --- the function library ----------------------------------------------------------

_DAY = DAY(2024, 1, 31)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("min(3, 1, 2)", 1),
        ("min((3, 1.5))", D("1.5")),
        ("min('b', 'a')", "a"),
        ("min(day, date(2020, 1, 1))", DAY(2020, 1, 1)),
        ("max(3, 1, 2)", 3),
        ("max(amounts)", D("2.5")),
        ("max(1)", 1),
        ("abs(-1.5)", D("1.5")),
        ("abs(n)", 3),
        ("sum(amounts)", D("3.5")),
        ("sum(1, 2, 3)", 6),
        ("sum(())", 0),
        ("any((flag, False))", True),
        ("any(())", False),
        ("all((flag, False))", False),
        ("all(())", True),
        ("all(flag, True)", True),
        ("len('电话礼仪')", 4),
        ("len(amounts)", 2),
        ("len(())", 0),
        ("clamp(5, 1, 3)", 3),
        ("clamp(-1, 0, 10)", 0),
        ("clamp(2.5, 1, 3)", D("2.5")),
        ("round_to(1.005)", D("1.01")),
        ("round_to(2.5, 1, 'half_even')", 2),
        ("round_to(-2.5, 1)", -3),
        ("round_to(12345, 100)", 12300),
        ("round_to(1234.5678, 0.010)", D("1234.57")),
        ("round_to(1.29, 0.1, 'down')", D("1.2")),
        ("days_between(day, date(2024, 3, 1))", 30),
        ("days_between(date(2024, 3, 1), day)", -30),
        ("months_between(day, date(2024, 2, 29))", 1),
        ("days_in_month(day)", 31),
        ("days_in_month(date(2023, 2, 1))", 28),
        ("year(day)", 2024),
        ("month(day)", 1),
        ("date(2024, 2, 29)", DAY(2024, 2, 29)),
        ("date(year(day), 12, 31)", DAY(2024, 12, 31)),
    ],
)
def test_functions_good_arguments(text: str, value: Any) -> None:
    """Each function gives the documented result, as Decimal, int, bool, text or date."""
    result = run(text, n=-3, amounts=(1, D("2.5")), flag=True, day=_DAY)
    assert result == value
    assert type(result) is type(value) or {type(result), type(value)} <= {int, Decimal}
    assert not isinstance(result, float)


@pytest.mark.parametrize(
    "text",
    [
        "min()",
        "min(1, 'a')",
        "min(flag, 1)",
        "max(())",
        "max(day, 1)",
        "abs('a')",
        "abs(flag)",
        "abs(1, 2)",
        "sum(('a',))",
        "sum(flag)",
        "any((1,))",
        "all('yes')",
        "len(5)",
        "len(day)",
        "len()",
        "clamp(1, 3, 2)",
        "clamp('a', 1, 2)",
        "clamp(1, 2)",
        "round_to(1, 0.05)",
        "round_to(1, 0)",
        "round_to(1, -1)",
        "round_to(1, 0.01, 'bogus')",
        "round_to(1, 0.01, 5)",
        "round_to('a')",
        "round_to(1, 0.01, 'half_up', 4)",
        "round_to()",
        "days_between(day, 5)",
        "days_between(day)",
        "months_between('2024-01-01', day)",
        "days_in_month(2024)",
        "year('2024')",
        "month(5)",
        "date(2023, 2, 29)",
        "date(2024.5, 1, 1)",
        "date(2024, 13, 1)",
        "date(flag, 1, 1)",
        "date(2024, 1)",
    ],
)
def test_functions_bad_arguments(text: str) -> None:
    """Wrong kinds, counts or values of arguments are 'function-failed', naming the function."""
    error = failure(text, flag=True, day=_DAY)
    assert error.code == "function-failed"
    assert error.details["function"] == text.split("(")[0]


def test_round_to_modes() -> None:
    """round_to accepts every rounding mode the numbers module names."""
    for mode in ROUNDING_MODES:
        assert type(run(f"round_to(x, 0.1, '{mode}')", x=D("-1.25"))) is Decimal


@pytest.mark.parametrize(
    ("a", "b", "months"),
    [
        ((2024, 1, 31), (2024, 2, 29), 1),
        ((2023, 1, 31), (2023, 2, 28), 1),
        ((2024, 1, 15), (2024, 2, 14), 0),
        ((2024, 1, 15), (2024, 2, 15), 1),
        ((2024, 1, 31), (2024, 3, 30), 1),
        ((2024, 1, 31), (2024, 3, 31), 2),
        ((2024, 3, 31), (2024, 1, 31), -2),
        ((2024, 5, 5), (2024, 5, 5), 0),
        ((2023, 6, 30), (2024, 6, 29), 11),
        ((2023, 6, 30), (2024, 6, 30), 12),
    ],
)
def test_months_between(a: tuple[int, int, int], b: tuple[int, int, int], months: int) -> None:
    """Whole months count anniversaries, clipped to the end of shorter months."""
    assert run("months_between(a, b)", a=DAY(*a), b=DAY(*b)) == months


@given(st.dates(), st.dates())
def test_months_between_is_antisymmetric_and_consistent(a: DAY, b: DAY) -> None:
    """months_between(a, b) is -months_between(b, a) and never exceeds the calendar months."""
    assert months_between(a, b) == -months_between(b, a)
    if a <= b:
        calendar_months = (b.year - a.year) * 12 + b.month - a.month
        assert calendar_months - 1 <= months_between(a, b) <= calendar_months


def test_function_table_documents_every_function() -> None:
    """Every function has its name, a signature, and a one-line doc in English and Chinese."""
    assert set(FUNCTIONS) == {
        "min",
        "max",
        "abs",
        "sum",
        "any",
        "all",
        "len",
        "clamp",
        "round_to",
        "days_between",
        "months_between",
        "days_in_month",
        "year",
        "month",
        "date",
    }
    for name, function in FUNCTIONS.items():
        assert function.name == name and callable(function.call)
        assert function.signature.startswith(name + "(")
        assert "\n" not in function.doc and re.search("[\u4e00-\u9fff]", function.doc)


def test_no_float_or_round_in_the_modules() -> None:
    """The expression modules never call float() or Python's round()."""
    for name in LANGUAGE_MODULES:
        module = importlib.import_module(f"policyengine.language._{name}")
        assert module.__file__ is not None
        with open(module.__file__, encoding="utf-8") as source:
            text = source.read()
        assert not re.search(r"\b(float|round)\(", text), name


def test_compile_errors_are_expression_errors() -> None:
    """Load-time refusals are ExpressionError, never EvaluationError."""
    with pytest.raises(ExpressionError):
        compile_expression("a +")
