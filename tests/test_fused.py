"""A policy's fused function: the values and errors of the rule-by-rule path and the reference.

Evaluation runs a policy's record rules through one generated function
(``policyengine.run._fused``) and evaluates again rule by rule any record it
gives up on. These tests pin the three paths together — fused, rule by rule,
and the reference evaluator (``engine="reference"``) — over random records of
the benchmark policy and every policy shipped in policies/ and examples/,
records that make rules fail included; they check that the fused function
really computes the common record (it is not the fallback doing all the
work), that the embedding application's decimal context changes nothing, and
that policy text reaches the generated source only as literals.
"""

from __future__ import annotations

import ast
import datetime
import decimal
import json
import random
import re
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs
import pytest
from helpers import policy_from, value_shape
from hypothesis import given, settings
from hypothesis import strategies as st

import policyengine
from policyengine.core._numbers import engine_context
from policyengine.core._period import Period
from policyengine.errors import PolicyError
from policyengine.model import Field, Policy
from policyengine.rules import KINDS
from policyengine.run._engine import _evaluate

D = Decimal
ROOT = Path(__file__).parent.parent
BENCHMARK = ROOT / "benchmarks" / "policy.yaml"
ALL_KINDS = Path(__file__).parent / "fixtures" / "policies" / "good-all-kinds.yaml"


def shipped() -> list[tuple[str, Policy]]:
    """Every version in policies/ and examples/, with a name for the test's id."""
    found = [("benchmark", policyengine.load_policy(BENCHMARK))]
    found.append(("all-kinds", policyengine.load_policy(ALL_KINDS)))
    for folder in ("policies", "examples/standalone/policies", "examples/chinese"):
        for version in policyengine.load(ROOT / folder).versions:
            found.append((f"{folder}:{version.id}@{version.version}", version.policy))
    return found


SHIPPED = shipped()
FUSED = [(name, policy) for name, policy in SHIPPED if policy.program.fused is not None]


def month_of(policy: Policy) -> str:
    """A month the version is in force in."""
    return Period(policy.effective_from.year, policy.effective_from.month).key


# --- what each path gives ----------------------------------------------------------


def full(item: policyengine.Result | PolicyError) -> tuple[Any, ...]:
    """Everything a result or an error says: every value the rules saw in env order, or
    the error's whole data (code, message, location, details, hint)."""
    if isinstance(item, PolicyError):
        return ("error", type(item).__name__, value_shape(item.to_dict()))
    return ("result", item.record, value_shape(item.env), value_shape(item.outputs))


def summary(item: policyengine.Result | PolicyError) -> tuple[Any, ...]:
    """What the reference must agree on: outputs, or the error's code, place and message."""
    if isinstance(item, PolicyError):
        return ("error", item.code, item.location, item.message)
    return ("result", item.record, value_shape(item.outputs))


def fused(policy: Policy, record: Any, period: str | None) -> policyengine.Result | PolicyError:
    try:
        return policy.evaluate(record, period=period)
    except PolicyError as error:
        return error


def step_by_step(
    policy: Policy, record: Any, period: str | None, index: int | None = None
) -> policyengine.Result | PolicyError:
    """The rule-by-rule path, as the engine ran every record before the fused function."""
    month = Period.parse(period) if period is not None else None
    try:
        with engine_context():
            program = policy.program
            return _evaluate(
                policy, program, record, month, index, frozenset(), {}, False, "compiled"
            )
    except PolicyError as error:
        return error


def reference(policy: Policy, record: Any, period: str | None) -> policyengine.Result | PolicyError:
    try:
        return policy.evaluate(record, period=period, engine="reference")
    except PolicyError as error:
        return error


# --- random records ----------------------------------------------------------------

#: Amounts that strain rules: zero divides, below the first band, near and past the bound.
_EDGE_AMOUNTS = [D(0), D("-0.01"), D("0.01"), D("999999999999999999.99"), D("99999999999999999")]
_EDGE_INTS = [0, -1, 1, 10**17, 10**20]
#: Values no field accepts as they are: the record is refused before any rule runs.
_BAD = ["abc", 1.5, None, True, "1,000", D("NaN")]


def value_of(field: Field) -> st.SearchStrategy[Any]:
    """A value for ``field``: mostly plausible, sometimes at an edge."""
    kind = field.type
    if kind in ("money", "decimal"):
        cents = st.integers(-100_000, 50_000_000).map(lambda n: D(n) / 100)
        return st.one_of(cents, cents, cents, st.sampled_from(_EDGE_AMOUNTS))
    if kind == "int":
        return st.one_of(st.integers(-3, 2_000), st.integers(0, 40), st.sampled_from(_EDGE_INTS))
    if kind == "bool":
        return st.booleans()
    if kind == "enum":
        return st.one_of(st.sampled_from(sorted(field.values)), st.just("not-a-choice"))
    if kind == "date":
        return st.dates(datetime.date(2020, 1, 1), datetime.date(2030, 12, 31))
    if kind == "list":
        item = attrs.evolve(field, type=field.item_type or "string", item_type=None)
        return st.lists(value_of(item), max_size=4)
    return st.text(max_size=6)


@st.composite
def records(draw: st.DrawFn, policy: Policy) -> dict[str, Any]:
    """A record of ``policy``'s inputs; one in five spoiled (a field dropped, a bad value,
    an unknown field) so that the facts' errors go through the same paths."""
    record = {name: draw(value_of(field)) for name, field in policy.inputs.items()}
    spoil = draw(st.integers(0, 9))
    if record and spoil == 0:
        del record[draw(st.sampled_from(sorted(record)))]
    elif record and spoil == 1:
        record[draw(st.sampled_from(sorted(record)))] = draw(st.sampled_from(_BAD))
    elif spoil == 2:
        record["unexpected"] = 1
    return record


# --- fused == rule by rule == reference --------------------------------------------


@pytest.mark.parametrize(("name", "policy"), SHIPPED, ids=[name for name, _ in SHIPPED])
@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_fused_gives_what_rule_by_rule_and_the_reference_give(
    name: str, policy: Policy, data: st.DataObject
) -> None:
    """For every shipped policy and random records, good and bad: the fused path gives
    exactly the rule-by-rule path's values and errors (the whole error, details and all),
    and the reference's outputs, or its error's code, place and message."""
    record = data.draw(records(policy))
    period = month_of(policy)
    got = fused(policy, record, period)
    assert full(got) == full(step_by_step(policy, record, period))
    assert summary(got) == summary(reference(policy, record, period))


@pytest.mark.parametrize(("name", "policy"), FUSED, ids=[name for name, _ in FUSED])
def test_a_batch_gives_each_records_outcome_as_rule_by_rule(name: str, policy: Policy) -> None:
    """evaluate_many through the fused function gives, record by record and in order, what
    the rule-by-rule path gives for that record at that index."""
    period = month_of(policy)
    rng = random.Random(name)
    batch = [_plausible(policy, rng) for _ in range(60)]
    got = policy.evaluate_many(batch, period=period)
    want = [step_by_step(policy, record, period, index) for index, record in enumerate(batch)]
    assert [full(item) for item in got] == [full(item) for item in want]
    reference_batch = policy.evaluate_many(batch, period=period, engine="reference")
    assert [summary(item) for item in got] == [summary(item) for item in reference_batch]


def _plausible(policy: Policy, rng: random.Random) -> dict[str, Any]:
    """A record with every field of a sensible value (a few at zero or an edge)."""
    record: dict[str, Any] = {}
    for name, field in policy.inputs.items():
        if field.type in ("money", "decimal"):
            record[name] = rng.choice([D(rng.randrange(0, 30_000_000)) / 100, D(0), D(1)])
        elif field.type == "int":
            record[name] = rng.choice([rng.randrange(0, 3000), 0, rng.randrange(0, 31)])
        elif field.type == "bool":
            record[name] = rng.random() < 0.5
        elif field.type == "enum":
            record[name] = rng.choice(sorted(field.values))
        elif field.type == "date":
            record[name] = datetime.date(2025, 1, 1) + datetime.timedelta(rng.randrange(0, 900))
        elif field.type == "list":
            record[name] = ()
        else:
            record[name] = f"X{rng.randrange(0, 10**6)}"
    return record


# --- the fused function does the work ---------------------------------------------

#: A policy with every record kind in every form its emitter writes, and forms it leaves
#: to the compiled function (unique and collect tables), read by later rules.
EVERY_FORM = """
key: id
inputs:
  id: string
  sales: money
  rate: decimal
  days: int
  flag: bool
  level: {type: enum, values: [low, high]}
  note: string
parameters:
  cap: 200
  step: 10
rules:
  - {id: plain, kind: formula, expr: "sales * rate"}
  - {id: ten, kind: formula, expr: "sales / 3", round: {places: 10, mode: half_even}}
  - {id: clamped, kind: formula, expr: "sales - cap", min: 0, max: "cap * 2", round: 0.1}
  - {id: mixed, kind: formula, expr: "note if flag else 'none'"}
  - {id: maybe, kind: formula, expr: "flag if days > 3 else 0"}
  - {id: whole, kind: formula, expr: "days * 2", round: 1}
  - id: floor_share
    kind: formula
    expr: "max(days, 1) / min(days, 30) + rate"
    round: {places: 0.001, mode: floor}
  - id: flat
    kind: tiers
    of: sales
    mode: flat
    bands:
      - {from: 0, to: 1000, value: {r: 1%, base: 10}}
      - {from: 1000, to: 100000, value: {r: 2%, base: 20}}
  - id: graduated
    kind: tiers
    of: sales
    mode: graduated
    round: 0.01
    bands:
      - {from: 0, to: 1000, value: 1%}
      - {from: 1000, to: 5000, value: 2%}
      - {from: 5000, to: 400000, value: 5%}
  - id: open_flat
    kind: tiers
    of: days
    mode: flat
    bands:
      - {from: 0, value: ok}
  - id: first
    kind: table
    hit: first
    rows:
      - {when: flag, then: 1}
      - {when: "level == 'high'", then: 2}
      - {when: maybe, then: 3}
      - {when: "days > 20", then: 4}
  - id: first_default
    kind: table
    hit: first
    rows:
      - {when: "mixed == 'none'", then: {a: 1, b: x}}
    default: {a: 2, b: y}
  - id: unique
    kind: table
    hit: unique
    rows:
      - {when: "days < 6", then: 1}
      - {when: "sales > 80000", then: 2}
    default: 0
  - id: collected
    kind: table
    hit: collect
    aggregate: sum
    rows:
      - {when: flag, then: 5}
      - {when: "unique > 0", then: 3}
  - id: score
    kind: score
    components:
      - {name: a, expr: "flat.r * 100", weight: 50%}
      - {name: b, expr: "first_default.a + collected", weight: 50%}
  - id: checked
    kind: checks
    checks:
      - {id: c1, assert: "days < 25", points: 1}
      - {id: c2, when: "level == 'low'", assert: "sales > 100", points: 2}
      - {id: c3, when: maybe, assert: "mixed", points: 3}
      - {id: c4, assert: "maybe", points: 4}
  - id: total
    kind: formula
    expr: "plain + graduated + score + checked.points + first"
    round: 0.01
"""


def every_form(tmp_path: Path) -> Policy:
    return policy_from(tmp_path, EVERY_FORM)


def _computable(policy: Policy, rng: random.Random) -> dict[str, Any]:
    """A plausible record every rule computes a value for."""
    record = _plausible(policy, rng)
    if "level" in record:  # EVERY_FORM: its first table holds at its second row
        record.update(days=rng.randrange(4, 20), flag=False, note="none", level="high")
        record["sales"] = D(rng.randrange(0, 8_000_000)) / 100
    return record


def test_the_fused_function_computes_the_common_record_itself(tmp_path: Path) -> None:
    """The fused function gives every value of a plausible record without giving up, and
    leaves env exactly as rule by rule does: the fallback is for the rare record only."""
    for policy in (policyengine.load_policy(BENCHMARK), every_form(tmp_path)):
        function = policy.program.fused.function  # type: ignore[union-attr]
        rng, computed = random.Random(3), 0
        month = Period.parse("2026-03")
        for _ in range(200):
            record = _computable(policy, rng)
            env = dict(record) | {"period": month.as_mapping()}
            with engine_context():
                function(env)  # raises if it gives up
            computed += 1
            want = step_by_step(policy, record, "2026-03")
            assert isinstance(want, policyengine.Result)
            assert value_shape(env) == value_shape(dict(want.env))
        assert computed == 200


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_every_form_of_every_kind_agrees(data: st.DataObject) -> None:
    """Each kind's emitted lines — formulas rounded to tens and floored, clamped; flat tiers
    with named values, graduated and open; first tables with yes/no and other conditions;
    unique and collect tables left to their compiled function; scores; checks with 'when' —
    give the rule-by-rule values and errors, and the reference's."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        policy = every_form(Path(folder))
    record = data.draw(records(policy))
    if data.draw(st.booleans()):  # a record the whole table of rules can compute
        record.update(days=data.draw(st.integers(4, 19)), note="none", flag=False, level="high")
    assert full(fused(policy, record, None)) == full(step_by_step(policy, record, None))
    assert summary(fused(policy, record, None)) == summary(reference(policy, record, None))


def test_a_kind_without_an_emitter_is_called_through_its_compiled_function(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no emitter for formulas, the fused function calls each formula's compiled
    function with the values before it already in env, and gives the same values."""
    monkeypatch.setitem(KINDS, "formula", attrs.evolve(KINDS["formula"], emit=None))
    policy = policyengine.load_policy(BENCHMARK)
    source = policy.program.fused.source  # type: ignore[union-attr]
    assert "(env, None)" in source
    rng = random.Random(5)
    for _ in range(50):
        record = _plausible(policy, rng)
        got = fused(policy, record, "2026-03")
        assert full(got) == full(step_by_step(policy, record, "2026-03"))


def test_a_record_a_rule_fails_on_gives_the_rule_by_rule_error(tmp_path: Path) -> None:
    """Division by zero, an amount past the last band, a value past the engine's bound, a
    row that holds for no record: the fused path raises exactly the located error."""
    policy = every_form(tmp_path)
    good: dict[str, Any] = {"id": "A", "sales": D(50), "rate": D("0.1"), "days": 8}
    good |= {"flag": False, "level": "high", "note": "none"}
    cases: dict[str, dict[str, Any]] = {
        "division-by-zero": {"days": 0},
        "above-bands": {"sales": D(500000)},
        "below-bands": {"sales": D(-1)},
        "number-too-large": {"rate": D("99999999999999999")},
        "no-row-matched": {"days": 20, "level": "low"},
        "type-mismatch": {"days": 3, "level": "low"},
        "rows-overlap": {"days": 4, "sales": D(90000)},
    }
    for code, change in cases.items():
        got = fused(policy, good | change, None)
        assert isinstance(got, PolicyError), code
        assert got.code == code
        assert full(got) == full(step_by_step(policy, good | change, None))
    assert isinstance(fused(policy, good, None), policyengine.Result)


# --- the engine's decimal context, and the sandbox -----------------------------------


def test_the_applications_decimal_context_changes_nothing(tmp_path: Path) -> None:
    """prec=6 and ROUND_FLOOR set by the embedding application give, through the fused
    path, exactly the values the engine gives under Python's default context."""
    for policy in (policyengine.load_policy(BENCHMARK), every_form(tmp_path)):
        rng = random.Random(11)
        batch = [_computable(policy, rng) for _ in range(100)]
        period = "2026-03" if policy.reads_period else None
        with decimal.localcontext(decimal.Context()):
            want = [full(item) for item in policy.evaluate_many(batch, period=period)]
        hostile = decimal.Context(prec=6, rounding=decimal.ROUND_FLOOR, traps=[])
        with decimal.localcontext(hostile):
            assert [full(item) for item in policy.evaluate_many(batch, period=period)] == want
            assert [full(fused(policy, r, period)) for r in batch] == want
            assert decimal.getcontext().prec == 6  # and it is the application's again after
        assert sum(item[0] == "result" for item in want) == 100


#: Text that would be code if it were spliced into the source.
HOSTILE = "x'); __import__('os').system('exit 3') #\n\"\"\"\nraise SystemExit"


def _injection() -> str:
    q = json.dumps  # a JSON string is a YAML double-quoted scalar
    return f"""
description: {q(HOSTILE)}
inputs:
  env: money
  _f0: {{type: enum, values: [{q(HOSTILE)}, plain]}}
  _bounded: int
parameters:
  _c0: 5
rules:
  - id: _r0
    kind: formula
    title: {q(HOSTILE)}
    expr: {q(f"env * _c0 if _f0 == {json.dumps(HOSTILE)} else 0")}
    round: 0.01
  - id: _GiveUp
    kind: table
    hit: first
    rows:
      - {{when: "_r0 > 10", then: {q(HOSTILE)}, title: {q(HOSTILE)}}}
      - {{when: true, then: ok}}
  - id: __builtins__
    kind: checks
    checks:
      - {{id: x___import, assert: "_bounded < 10", points: 1, message: {q(HOSTILE)}}}
"""


#: The names a fused function may mention: its argument, locals it makes, what its
#: namespace holds. Nothing a policy names.
_GENERATED = re.compile(r"^(env|_[fprvtkc]\d*|_[A-Za-z_]+)$")


def test_policy_text_reaches_the_generated_source_only_as_literals(tmp_path: Path) -> None:
    """Names, titles, enum values and string literals that look like code — and fields and
    rules named like the generated function's own names — are literals in its source (or
    constants of its namespace): every name it reads is its own, and it computes the
    values the rule-by-rule path computes."""
    policy = policy_from(tmp_path, _injection())
    fused_function = policy.program.fused
    assert fused_function is not None
    tree = ast.parse(fused_function.source)
    namespace = fused_function.function.__globals__
    assigned = {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            assert node.id == "env" or node.id in assigned or node.id in namespace, node.id
            assert _GENERATED.match(node.id), node.id
        assert not isinstance(node, ast.Import | ast.ImportFrom | ast.Lambda), node
        if isinstance(node, ast.Attribute):  # only methods of Decimal and of env
            assert node.attr in ("adjusted", "quantize", "get"), node.attr
    assert namespace["__builtins__"] == {}
    # The policy's text is there as a literal of the source, never as its text.
    assert HOSTILE in {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    assert HOSTILE not in fused_function.source
    for record in (
        {"env": D(3), "_f0": HOSTILE, "_bounded": 4},
        {"env": D(1), "_f0": "plain", "_bounded": 40},
    ):
        got = fused(policy, record, None)
        assert isinstance(got, policyengine.Result)
        assert full(got) == full(step_by_step(policy, record, None))
    assert (
        fused(policy, {"env": D(3), "_f0": HOSTILE, "_bounded": 4}, None).outputs[  # type: ignore[union-attr]
            "_GiveUp"
        ]
        == HOSTILE
    )


def test_results_hold_no_fused_state(tmp_path: Path) -> None:
    """A result's env is read-only and its outputs are the rules' values, whichever path."""
    policy = policyengine.load_policy(BENCHMARK)
    record = _plausible(policy, random.Random(1))
    result = policy.evaluate(record, period="2026-03")
    assert type(result.env) is MappingProxyType
    with pytest.raises(TypeError):
        result.env["net_pay"] = D(0)  # type: ignore[index]
    assert set(result.outputs) == set(policy.output_names)
