"""Compiled expressions: the reference evaluator's values and errors, without its tree walk."""

from __future__ import annotations

import datetime
import decimal
import random
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from helpers import value_shape, write_policy
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st
from strategies import MISSING, environments, expressions, numbers

import policyengine
from policyengine.core._numbers import engine_context
from policyengine.errors import EvaluationError, ExpressionError, PolicyError
from policyengine.language._compiler import Code, compile_code, many_of
from policyengine.language._expression_translator import kind_of_value
from policyengine.language._expressions import Evaluator, Expression, compile_expression
from policyengine.run._program import Engine

D = Decimal
ROOT = Path(__file__).parent.parent
BENCHMARK = ROOT / "benchmarks" / "policy.yaml"
COMMISSION = ROOT / "examples" / "standalone" / "policies" / "commission"
ALL_KINDS = Path(__file__).parent / "fixtures" / "policies" / "good-all-kinds.yaml"

#: One reference evaluator for the whole module: reusing it is part of what is tested.
REFERENCE = Evaluator()


# --- comparing the two implementations ---------------------------------------------


def outcome(compute: Callable[[], Any]) -> tuple[Any, ...]:
    """What one evaluation gives, inside the engine's context: a value, or the error it raised."""
    try:
        with engine_context():
            value = compute()
    except EvaluationError as error:
        return ("error", error.code, error.message, dict(error.details))
    return ("value", value_shape(value, sort_mappings=True))


def checked(source: str) -> Expression:
    """The checked expression, or no example at all if the checker refuses the text."""
    try:
        return compile_expression(source)
    except ExpressionError:
        assume(False)
        raise  # unreachable: assume(False) stops the example


def compiled(expression: Expression, constants: Mapping[str, Any] | None = None) -> Code:
    return compile_code(expression.tree, expression.source, expression.names, constants)


def both(source: str, /, **env: Any) -> tuple[Any, ...]:
    """The outcome of ``source`` over ``env``, after checking both implementations agree on it."""
    expression = compile_expression(source)
    code = compiled(expression)
    expected = outcome(lambda: REFERENCE.evaluate(expression, env))
    assert outcome(lambda: code(env)) == expected
    return expected


def _label(result: tuple[Any, ...]) -> str:
    return f"{result[0]}: {result[1] if result[0] == 'error' else result[1][0]}"


# --- the differential properties ---------------------------------------------------


@settings(max_examples=600, deadline=None)
@given(expressions(), st.lists(environments(), min_size=1, max_size=3))
def test_compiled_code_gives_the_references_value_or_error(
    source: str, envs: list[dict[str, Any]]
) -> None:
    """Compiled code gives the reference's value (same type and text) or the same error."""
    expression = checked(source)
    code = compiled(expression)  # one code object for several records, as the engine uses it
    for env in envs:
        before = dict(env)
        expected = outcome(lambda env=env: REFERENCE.evaluate(expression, env))
        event(_label(expected))
        assert outcome(lambda env=env: code(env)) == expected, (source, env)
        assert env == before  # neither implementation writes to the values


@settings(max_examples=300, deadline=None)
@given(expressions(), st.lists(environments(), min_size=0, max_size=4))
def test_the_many_records_form_gives_each_records_value_or_raises(
    source: str, envs: list[dict[str, Any]]
) -> None:
    """many_of(code) over a list of records gives [code(env) …] exactly (type and text) when
    every record has a value, and raises when any record's evaluation fails (the caller
    then evaluates them one by one to get the reference's error)."""
    expression = checked(source)
    code = compiled(expression)
    singles = [outcome(lambda env=env: code(env)) for env in envs]
    try:
        with engine_context():
            together = many_of(code)(envs)
    except Exception:
        assert any(single[0] == "error" for single in singles), (source, envs)
        return
    assert all(single[0] == "value" for single in singles), (source, envs)
    assert [("value", value_shape(value, sort_mappings=True)) for value in together] == singles


def test_the_many_records_form_of_a_field_read_alone() -> None:
    """A typed field read alone compiles to a plain lookup; its many-records form is too."""
    expression = compile_expression("amount")
    code = compile_code(
        expression.tree, expression.source, expression.names, None, {"amount": "number"}
    )
    assert many_of(code)([{"amount": D(1)}, {"amount": D("2.5")}]) == [D(1), D("2.5")]
    with pytest.raises(KeyError):
        many_of(code)([{"amount": D(1)}, {}])


@settings(max_examples=300, deadline=None)
@given(expressions(), environments(), st.data())
def test_constants_bound_at_compile_time_give_the_same_result(
    source: str, env: dict[str, Any], data: st.DataObject
) -> None:
    """Compile-time constants (a policy's parameters) give what the reference reads from env."""
    expression = checked(source)
    names = data.draw(st.sets(st.sampled_from(sorted(env))), label="constant names")
    constants = {name: env[name] for name in names}
    if data.draw(st.booleans(), label="bind the missing name"):
        constants[MISSING] = data.draw(numbers, label=MISSING)
    constants["unread"] = D(1)  # a parameter the expression does not read changes nothing
    record = {name: value for name, value in env.items() if name not in constants}
    code = compiled(expression, constants)
    expected = outcome(lambda: REFERENCE.evaluate(expression, {**env, **constants}))
    assert outcome(lambda: code(record)) == expected, (source, constants)


@settings(max_examples=400, deadline=None)
@given(expressions(), environments(), st.data())
def test_comparisons_of_values_of_known_kinds_give_the_same_result(
    source: str, env: dict[str, Any], data: st.DataObject
) -> None:
    """Declaring names' kinds (as a policy's typed fields are) changes no value and no error:
    the comparisons that then run unchecked give what the checked operators give."""
    expression = checked(source)
    names = data.draw(st.sets(st.sampled_from(sorted(env))), label="typed names")
    kinds = {name: kind for name in names if (kind := kind_of_value(env[name])) is not None}
    code = compile_code(expression.tree, expression.source, expression.names, None, kinds)
    expected = outcome(lambda: REFERENCE.evaluate(expression, env))
    assert outcome(lambda: code(env)) == expected, (source, kinds)


_OF_EACH_KIND = {
    "whole": 2,
    "exact": D("2.50"),
    "text": "2",
    "yes": True,
    "day": datetime.date(2026, 3, 1),
}


@pytest.mark.parametrize("op", ["==", "!=", "<", "<=", ">", ">="])
@pytest.mark.parametrize("left", sorted(_OF_EACH_KIND))
@pytest.mark.parametrize("right", sorted(_OF_EACH_KIND))
def test_a_comparison_of_declared_kinds_answers_as_the_checked_operator(
    op: str, left: str, right: str
) -> None:
    """Every pair of kinds under every comparison: declared kinds give the reference's answer
    or its error (a number against text is a type-mismatch, never a silent no)."""
    env = {"a": _OF_EACH_KIND[left], "b": _OF_EACH_KIND[right]}
    expression = compile_expression(f"a {op} b")
    kinds = {name: kind_of_value(value) for name, value in env.items()}
    code = compile_code(expression.tree, expression.source, expression.names, None, kinds)  # type: ignore[arg-type]
    expected = outcome(lambda: REFERENCE.evaluate(expression, env))
    assert outcome(lambda: code(env)) == expected


# --- tricky cases, pinned ----------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("1 > 2 < x", False),  # the chain stops at the first no: x is never read
        ("x < 1 > 2", "missing-value"),
        ("1 < 2 < x", "missing-value"),
        ("a < b > c", False),
        ("a < b <= c < d", True),
        ("c < b < a", False),
        ("a < 'x' < b", "type-mismatch"),  # the first link fails on its kinds
        ("b < a < 'x'", False),  # the failing link is never reached
    ],
)
def test_chained_comparison_short_circuits(source: str, value: Any) -> None:
    """'a < b < c' reads b once and stops at the first no, in both implementations."""
    result = both(source, a=1, b=D("2.5"), c=D(3), d=4)
    assert (result[1] if result[0] == "error" else result[1][1]) == value


def test_and_or_short_circuit_but_check_what_they_read() -> None:
    """'a or b' with a yes never reads b; after a no, a number b is a type-mismatch."""
    assert both("a or b", a=True, b=1500) == ("value", ("bool", True))
    assert both("a and b", a=False, b=1500) == ("value", ("bool", False))
    assert both("a or b", a=False, b=1500)[1] == "type-mismatch"
    assert both("a and b", a=True, b=D(1))[1] == "type-mismatch"
    assert both("a or ghost", a=True) == ("value", ("bool", True))
    assert both("a and ghost", a=True)[1] == "missing-value"


def test_division_of_two_ints_is_a_decimal() -> None:
    """'/' between two ints gives an exact Decimal in both, even when the quotient is whole."""
    assert both("a / b", a=7, b=2) == ("value", ("Decimal", "3.5"))
    assert both("a / b", a=6, b=3) == ("value", ("Decimal", "2"))
    assert both("a // b", a=7, b=2) == ("value", ("int", 3))
    assert both("a / b", a=7, b=0)[1] == "division-by-zero"


def test_negative_zero() -> None:
    """A literal -0 is the Decimal -0 in both; negating a zero value keeps its type."""
    assert both("-0") == ("value", ("Decimal", "-0"))
    assert both("-0.00") == ("value", ("Decimal", "-0.00"))
    assert both("-x", x=0) == ("value", ("int", 0))
    assert both("-x", x=D("0.00")) == both("0 - x", x=D("0.00")) == ("value", ("Decimal", "0.00"))
    assert both("-x", x=D("-0")) == ("value", ("Decimal", "0"))
    assert both("-0 == 0 and -x == x", x=D(0)) == ("value", ("bool", True))
    # Decimal's signed zeros, whatever their sign: the two agree, and it is zero.
    for source, x in (("x % 1", D(-5)), ("x // -1", D(0)), ("x * -1", D(0))):
        result = both(source, x=x)
        assert result[0] == "value" and D(result[1][1]) == 0


def test_powers_beyond_the_bound_are_refused() -> None:
    """'2 ** 200' and other too-large powers are number-too-large in both, ints or Decimals."""
    assert both("2 ** 200")[1] == "number-too-large"
    assert both("2 ** 60")[1] == "number-too-large"
    assert both("i ** 100", i=10)[1] == "number-too-large"
    assert both("i ** -101", i=2)[1] == "number-too-large"
    assert both("i ** 2", i=10**9)[1] == "number-too-large"
    assert both("i ** 0", i=0) == ("value", ("int", 1))
    assert both("i ** -1", i=0)[1] == "division-by-zero"
    assert both("2 ** 0.5")[1] == "invalid-operation"


def test_round_to_with_an_unknown_mode_fails() -> None:
    """round_to(x, 0.01, "bad") is function-failed naming round_to, in both."""
    result = both('round_to(x, 0.01, "bad")', x=D("1.005"))
    assert result[1] == "function-failed"
    assert result[3]["function"] == "round_to"
    assert both('round_to(x, 0.01, "half_up")', x=D("1.005")) == ("value", ("Decimal", "1.01"))


@pytest.mark.parametrize(
    ("source", "code"),
    [
        ("rec.part", None),
        ("rec.nope", "unknown-attribute"),
        ("x.part", "unknown-attribute"),
        ("d.year", "unknown-attribute"),
        ("ghost.part", "missing-value"),
        ("min()", "function-failed"),
        ("abs(x, x)", "function-failed"),
        ("date(2026, 2, 29)", "function-failed"),
        ("sum(x, x)", "number-too-large"),
        ("x // 1e-20", "invalid-operation"),
        ("1 == '1'", "type-mismatch"),
        ("d != s", "type-mismatch"),
        ("p == 1", "type-mismatch"),
        ("not x", "type-mismatch"),
        ("1 if x else 2", "type-mismatch"),
    ],
)
def test_errors_are_the_same(source: str, code: str | None) -> None:
    """Records, functions, bounds and kinds fail with the same error in both implementations."""
    record = MappingProxyType({"part": D("1.5")})
    result = both(source, rec=record, x=D("9e17"), d=datetime.date(2026, 3, 1), s="a", p=True)
    assert (result[1] if result[0] == "error" else None) == code


def test_values_outside_the_context_precision_are_rounded_alike() -> None:
    """Operands with more digits than the engine keeps (34) are rounded the same way in both."""
    x = D("123456789.123456789123456789123456789")
    rounded = ("value", ("Decimal", "123456789.1234567891234567891234568"))
    assert both("x + 0", x=x) == both("+x", x=x) == both("x * 1", x=x) == rounded
    assert both("x", x=x) == ("value", ("Decimal", str(x)))  # reading a value is exact


# --- the sandbox -------------------------------------------------------------------


def test_generated_code_has_no_builtins() -> None:
    """The compiled function's globals hold empty builtins and only the compiler's helpers."""
    expression = compile_expression("min(a, 2) + rec.part if a > 0 and p else -a")
    code = compiled(expression, {"p": True})
    assert code.__globals__["__builtins__"] == {}
    names = set(code.__code__.co_names)
    assert names <= set(code.__globals__)
    # The policy's names are string keys of env, never identifiers of the code.
    assert not names & {"a", "p", "rec", "min"}
    assert all(name.startswith("_") for name in names)


_PYTHON_NAMES = [
    "__import__",
    "open",
    "eval",
    "exec",
    "compile",
    "getattr",
    "globals",
    "__builtins__",
    "print",
    "type",
    "env",
    "error",
    "_k0",
    "_t0",
    "_attr",
    "_truth",
    "_op__add",
    "_fn_min",
    "_EvaluationError",
    "_enrich",
    "_translate",
]


@pytest.mark.parametrize("name", _PYTHON_NAMES)
def test_python_names_are_plain_keys(name: str) -> None:
    """__import__, open, env or a helper's name is read from the values, never from Python."""
    try:
        expression = compile_expression(f"{name} + 1")
    except ExpressionError:
        return  # refused outright is as safe
    code = compiled(expression)
    missing = outcome(lambda: code({}))
    assert missing == outcome(lambda: REFERENCE.evaluate(expression, {}))
    assert missing[1] == "missing-value" and missing[3]["name"] == name
    values = {name: 41}
    assert outcome(lambda: code(values)) == outcome(lambda: REFERENCE.evaluate(expression, values))
    assert outcome(lambda: code(values)) == ("value", ("Decimal", "42"))


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os')",
        "open('/etc/passwd')",
        "eval('1')",
        "exec('x = 1')",
        "getattr(x, 'y')",
        "x.__class__",
        "().__class__",
        "min.__globals__",
        "(lambda: 1)()",
        "[x for x in nums]",
        "nums[0]",
    ],
)
def test_escapes_are_refused_before_compiling(source: str) -> None:
    """Calls of Python's builtins, private attributes and other escapes never reach the compiler."""
    with pytest.raises(ExpressionError):
        compile_expression(source)


# --- decimal context independence --------------------------------------------------

_HOSTILE_CONTEXTS = [
    pytest.param(decimal.Context(prec=6, rounding=decimal.ROUND_DOWN), id="prec6-down"),
    pytest.param(
        decimal.Context(prec=3, rounding=decimal.ROUND_CEILING, traps=[decimal.Inexact]),
        id="prec3-ceiling-inexact-trapped",
    ),
    pytest.param(
        decimal.Context(prec=60, rounding=decimal.ROUND_FLOOR, traps=[]), id="prec60-no-traps"
    ),
]


@pytest.mark.parametrize("engine", ["compiled", "reference"])
@pytest.mark.parametrize("context", _HOSTILE_CONTEXTS)
def test_results_do_not_depend_on_the_callers_decimal_context(
    engine: Engine, context: decimal.Context
) -> None:
    """Under an application's prec=6 / ROUND_DOWN (or other) context the outputs stay exact."""
    policy = policyengine.load_policy(BENCHMARK)
    records = bench_records(150, seed=3)
    expected = summary(policy.evaluate_many(records, period="2026-03", engine=engine))
    with decimal.localcontext(context):
        got = summary(policy.evaluate_many(records, period="2026-03", engine=engine))
        one = [_item(policy, record, "2026-03", engine) for record in records[:20]]
        assert decimal.getcontext().prec == context.prec  # and the caller's context is back
    assert got == expected
    assert one == expected[:20]
    results = [item[2] for item in expected if item[0] == "result"]
    assert len(results) > 60
    # Outputs with more digits than prec=6 keeps: the caller's context would have shown.
    assert any(len(D(text).as_tuple().digits) > 6 for _, text in (r["net_pay"] for r in results))


def test_loading_does_not_depend_on_the_callers_decimal_context(tmp_path: Path) -> None:
    """A policy loaded under prec=6 / ROUND_DOWN has the parameters the default context gives."""
    path = write_policy(
        tmp_path,
        """\
        inputs:
          sales: money
        parameters:
          rate: 12.3456789%
        rules:
          - id: pay
            kind: formula
            expr: sales * rate
        """,
    )
    expected = policyengine.load_policy(path).evaluate({"sales": D(100)}).outputs["pay"]
    with decimal.localcontext(decimal.Context(prec=6, rounding=decimal.ROUND_DOWN)):
        policy = policyengine.load_policy(path)
    assert policy.parameters["rate"].value == D("0.123456789")
    assert policy.evaluate({"sales": D(100)}).outputs["pay"] == expected


# --- whole policies: compiled and reference engines --------------------------------


def bench_records(count: int, seed: int) -> list[dict[str, Any]]:
    """Rep-months for benchmarks/policy.yaml (as its bench_evaluate.make_records), some spoiled."""
    rng = random.Random(seed)
    records = [
        {
            "rep_id": f"R{i:06d}",
            "role": "leader" if i % 12 == 0 else "rep",
            "base_salary": D(3000 + rng.randrange(0, 2000)),
            "credited_sales": D(rng.randrange(0, 30_000_000)) / 100,
            "dials": rng.randrange(300, 1200),
            "talk_minutes": rng.randrange(800, 3000),
            "phone_bill": D(rng.randrange(5000, 40000)) / 100,
            "days_worked": rng.randrange(0, 23),
            "satisfaction": D(rng.randrange(50, 101)),
            "attitude": D(rng.randrange(50, 101)),
            "complaints": rng.choice((0, 0, 0, 1)),
            "late_days": rng.choice((0, 0, 1, 2)),
        }
        for i in range(count)
    ]
    return spoiled(records, rng)


def commission_records(count: int, seed: int) -> list[dict[str, Any]]:
    """Rep-months for the commission examples, some spoiled."""
    rng = random.Random(seed)
    records = [
        {
            "rep_id": f"A{i:04d}",
            "credited_sales": D(rng.randrange(0, 30_000_000)) / 100,
            "self_sourced_sales": rng.choice((0, D(rng.randrange(0, 2_000_000)) / 100)),
            "dials": rng.randrange(500, 800),
            "talk_minutes": rng.randrange(1300, 1800),
        }
        for i in range(count)
    ]
    return spoiled(records, rng)


def all_kinds_records(count: int, seed: int) -> list[dict[str, Any]]:
    """Records for the every-kind fixture, some spoiled."""
    rng = random.Random(seed)
    records = [
        {
            "rep": f"K{i:04d}",
            "sales": D(rng.randrange(0, 4_000_000)) / 100,
            "satisfaction": D(rng.randrange(0, 1001)) / 10,
            "attitude": D(rng.randrange(50, 101)),
            "role": rng.choice(("rep", "leader")),
            "complaints": rng.choice((0, 0, 1, 2)),
            "calls_missed": rng.randrange(0, 5),
            "hired": datetime.date(2020, 1, 1) + datetime.timedelta(days=rng.randrange(0, 2400)),
        }
        for i in range(count)
    ]
    for record in records[::5]:
        del record["calls_missed"]  # it has a default
    return spoiled(records, rng)


#: Values a record cannot have: text in a number, floats, nothing, a wrong choice, …
_BAD_VALUES: list[Any] = ["abc", "1,000", "3.5%", D("12.345"), 1.5, None, True, "boss"]

#: Values a record may have that strain the rules: below the first band, zero, too large, …
_EXTREME_VALUES: list[Callable[[Any], Any]] = [
    lambda value: -value - 1 if isinstance(value, int | Decimal) else value,
    lambda value: D("-0.01"),
    lambda value: 0,
    lambda value: D("999999999999999999.99"),
    lambda value: D("99999999999999999"),
    lambda value: 10**17,
    lambda value: str(value),  # numbers as text are read as numbers
]


def spoiled(records: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """``records``, about half spoiled: a field dropped or added, a bad or an extreme value."""
    for record in records:
        choice = rng.randrange(0, 12)
        field = rng.choice(sorted(record))
        if choice == 0:
            del record[field]
        elif choice == 1:
            record["unexpected"] = 1
        elif choice <= 3:
            record[field] = rng.choice(_BAD_VALUES)
        elif choice <= 6:
            record[field] = rng.choice(_EXTREME_VALUES)(record[field])
    return records


def _item(
    policy: policyengine.Policy, record: Mapping[str, Any], period: str | None, engine: Engine
) -> tuple[Any, ...]:
    try:
        return summary_item(policy.evaluate(record, period=period, engine=engine))
    except PolicyError as error:
        return summary_item(error)


def summary_item(item: policyengine.Result | PolicyError) -> tuple[Any, ...]:
    """A result's outputs (kinds and text), or an error's code, place and message."""
    if isinstance(item, PolicyError):
        return ("error", item.code, item.location, item.message)
    return (
        "result",
        item.record,
        {name: value_shape(value, sort_mappings=True) for name, value in item.outputs.items()},
    )


def summary(batch: policyengine.Batch) -> list[tuple[Any, ...]]:
    return [summary_item(item) for item in batch]


_POLICIES = [
    pytest.param(BENCHMARK, "2026-03", bench_records, id="benchmark"),
    pytest.param(COMMISSION / "2026-01.yaml", None, commission_records, id="commission-2026-01"),
    pytest.param(
        COMMISSION / "2026-01.yaml", "2026-03", commission_records, id="commission-2026-01@03"
    ),
    pytest.param(
        COMMISSION / "2026-04.yaml", "2026-04", commission_records, id="commission-2026-04@04"
    ),
    pytest.param(ALL_KINDS, "2026-03", all_kinds_records, id="all-kinds"),
]


@pytest.mark.parametrize(("path", "period", "make"), _POLICIES)
def test_whole_policies_agree_between_engines(
    path: Path, period: str | None, make: Callable[[int, int], list[dict[str, Any]]]
) -> None:
    """Over hundreds of records, good and bad, both engines give the same outputs or errors."""
    policy = policyengine.load_policy(path)
    records = make(300, 7)
    reference = summary(policy.evaluate_many(records, period=period, engine="reference"))
    assert summary(policy.evaluate_many(records, period=period, engine="compiled")) == reference
    for record in records[:30]:  # one by one (no batch index in the errors' place)
        expected = _item(policy, record, period, "reference")
        assert _item(policy, record, period, "compiled") == expected
    # The records exercise results and failures alike, in the facts and in the rules.
    errors = [item for item in reference if item[0] == "error"]
    assert len(reference) - len(errors) > 150
    assert len({error[1] for error in errors}) >= 5
    assert any(error[2].rule_id is not None for error in errors)


@pytest.mark.parametrize("engine", ["compiled", "reference"])
def test_which_policies_need_a_period(engine: Engine) -> None:
    """The benchmark reads period.days and needs a period; the commission versions do not."""
    record = bench_records(1, seed=1)[0]
    with pytest.raises(PolicyError) as info:
        policyengine.load_policy(BENCHMARK).evaluate(record, engine=engine)
    assert info.value.code == "missing-period"
    commission = policyengine.load_policy(COMMISSION / "2026-04.yaml")
    facts = {"rep_id": "A1", "credited_sales": 1, "self_sourced_sales": 0}
    facts |= {"dials": 600, "talk_minutes": 1500}
    assert commission.evaluate(facts, engine=engine).outputs["commission"] == D("0.03")
    with pytest.raises(PolicyError) as info:
        commission.evaluate(facts, period="2026-03", engine=engine)
    assert info.value.code == "not-in-force"


def test_a_rounding_step_written_with_trailing_zeros_rounds_the_same_either_way() -> None:
    """0.01 and 0.010 are equal numbers but different quanta: each rounds as written,
    whichever was asked for first."""
    from policyengine.core._numbers import quantize

    value = D("1.23456")
    assert str(quantize(value, D("0.010"))) == "1.235"
    assert str(quantize(value, D("0.01"))) == "1.23"
    assert str(quantize(value, D("0.010"))) == "1.235"
