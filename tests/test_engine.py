"""Evaluation: exact, deterministic, explainable; bad records reported, never dropped."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import policy_from
from hypothesis import given
from hypothesis import strategies as st

import policyengine
from policyengine import EvaluationError, FactError, PolicyError, run_tests

ROOT = Path(__file__).parent.parent
COMMISSION = ROOT / "examples" / "standalone" / "policies" / "commission" / "2026-01.yaml"
ETIQUETTE = ROOT / "examples" / "chinese" / "电话礼仪" / "2026-01.yaml"
ALL_KINDS = Path(__file__).parent / "fixtures" / "policies" / "good-all-kinds.yaml"

REP = {
    "rep_id": "A01",
    "credited_sales": "123456.78",
    "self_sourced_sales": 0,
    "dials": 700,
    "talk_minutes": 1600,
}


def _walk(value: object) -> list[object]:
    if isinstance(value, dict | tuple | list):
        items = value.values() if isinstance(value, dict) else value
        return [leaf for item in items for leaf in _walk(item)]
    return [value]


def test_tenth_plus_two_tenths_is_three_tenths(tmp_path: Path) -> None:
    """0.1 + 0.2 == 0.3 inside a policy, because literals are Decimal from their text."""
    policy = policy_from(
        tmp_path,
        """
        rules:
          - {id: exact, kind: formula, expr: 0.1 + 0.2 == 0.3}
          - {id: total, kind: formula, expr: 0.1 + 0.2}
        """,
    )
    result = policy.evaluate({})
    assert result.outputs["exact"] is True
    assert result.outputs["total"] == Decimal("0.3")


def test_commission_rounds_half_up_to_the_fen() -> None:
    """Commission on 123456.78 at 3.5% is 4320.99 (4320.9873 rounded half-up)."""
    result = policyengine.load_policy(COMMISSION).evaluate(REP, period="2026-03")
    assert result.outputs["commission"] == Decimal("4320.99")
    assert str(result.outputs["commission"]) == "4320.99"


@given(st.decimals(min_value=0, max_value=10**9, places=2), st.integers(0, 5000))
def test_no_float_in_any_result(sales: Decimal, dials: int) -> None:
    """Whatever the inputs, every output is Decimal, int, bool or text, never float."""
    record = {**REP, "credited_sales": sales, "dials": dials}
    result = policyengine.load_policy(COMMISSION).evaluate(record, period="2026-03")
    assert not any(isinstance(v, float) for v in _walk(dict(result.outputs)))
    assert isinstance(result.outputs["commission"], Decimal)


def test_shipped_policies_pass_their_embedded_tests() -> None:
    """Every embedded case of the shipped example policies passes."""
    outcomes = run_tests(
        [policyengine.load_policy(COMMISSION), policyengine.load_policy(ETIQUETTE)]
    )
    assert outcomes and all(o.passed for o in outcomes), [o.render() for o in outcomes]


def test_every_rule_kind_evaluates() -> None:
    """The fixture using every rule kind passes its embedded case."""
    outcomes = run_tests([policyengine.load_policy(ALL_KINDS)])
    assert [o.passed for o in outcomes] == [True], outcomes[0].render()


def test_a_failing_case_shows_expected_actual_and_explanation(tmp_path: Path) -> None:
    """A wrong expectation fails with the expected value, the actual one and the explanation."""
    policy = policy_from(
        tmp_path,
        """
        inputs: {x: decimal}
        rules:
          - {id: y, kind: formula, expr: x * 2, source: 第一条}
        tests:
          - {name: wrong, facts: {x: 2}, expect: {y: 5}}
        """,
    )
    [outcome] = run_tests([policy])
    assert not outcome.passed
    assert [(m.output, m.expected, m.actual) for m in outcome.mismatches] == [("y", 5, Decimal(4))]
    assert "第一条" in outcome.explanations[0]


def test_chinese_policy_loads_evaluates_and_explains() -> None:
    """A policy with Chinese ids, names and messages evaluates and explains itself."""
    policy = policyengine.load_policy(ETIQUETTE)
    call = {
        "通话编号": "C9",
        "呼叫方向": "呼入",
        "响铃次数": 5,
        "标准问候语": True,
        "自报家门": True,
        "记录客户信息": True,
        "客户先挂机": True,
        "不文明用语": False,
    }
    result = policy.evaluate(call)
    assert result.outputs["礼仪检查.violations"] == ("三声内接听",)
    assert result.outputs["处理意见"] == "口头警告"
    text = result.explain("处理意见")
    assert "电话铃响超过三声才接听" in text
    assert "违规处理" in text
    assert result.record == "C9"


def test_batch_keeps_going_and_drops_nothing() -> None:
    """A bad record gets its error in place; the good ones are still evaluated."""
    policy = policyengine.load_policy(COMMISSION)
    records = [REP, {**REP, "rep_id": "B", "dials": "many"}, {**REP, "rep_id": "C"}]
    batch = policy.evaluate_many(records, period="2026-03")
    assert len(batch) == 3
    assert [type(item).__name__ for item in batch] == ["Result", "FactError", "Result"]
    [error] = batch.errors
    assert (error.code, error.location.record, error.location.field) == (
        "not-a-whole-number",
        "B",
        "dials",
    )


def test_every_record_problem_is_reported_at_once() -> None:
    """A record with a float, a missing field and an unknown field reports all three."""
    policy = policyengine.load_policy(COMMISSION)
    record = {
        "rep_id": "A",
        "credited_sales": 1.5,
        "self_sourced_sales": 0,
        "dials": 1,
        "talk_minute": 3,
    }
    with pytest.raises(FactError) as caught:
        policy.evaluate(record)
    codes = sorted((p.code, p.location.field) for p in caught.value.problems)  # type: ignore[attr-defined]
    assert codes == [
        ("float-not-allowed", "credited_sales"),
        ("missing-field", "talk_minutes"),
        ("unknown-field", "talk_minute"),
    ]


def test_runtime_failure_names_rule_record_and_values(tmp_path: Path) -> None:
    """Division by zero is an EvaluationError naming the rule, the record and the values read."""
    policy = policy_from(
        tmp_path,
        """
        key: rep
        inputs: {rep: string, sales: money, days: int}
        rules:
          - {id: per_day, kind: formula, expr: sales / days}
        """,
    )
    with pytest.raises(EvaluationError) as caught:
        policy.evaluate({"rep": "R7", "sales": "100", "days": 0})
    error = caught.value
    assert error.code == "division-by-zero"
    assert (error.location.rule_id, error.location.record, error.location.line) == (
        "per_day",
        "R7",
        10,
    )
    assert error.details["read"] == {"days": 0, "sales": "100"}


def test_unique_table_overlap_names_both_rows(tmp_path: Path) -> None:
    """Two rows holding under hit: unique is an error naming both rows."""
    policy = policy_from(
        tmp_path,
        """
        inputs: {score: decimal}
        rules:
          - id: grade
            kind: table
            hit: unique
            rows:
              - {when: score >= 80, then: A}
              - {when: score >= 60, then: B}
        """,
    )
    assert policy.evaluate({"score": 70}).outputs["grade"] == "B"
    with pytest.raises(EvaluationError) as caught:
        policy.evaluate({"score": 90})
    assert caught.value.code == "rows-overlap"
    assert caught.value.details["rows"] == [1, 2]


def test_table_without_default_never_invents_a_value(tmp_path: Path) -> None:
    """No row holding and no default is an error, not a silent None."""
    policy = policy_from(
        tmp_path,
        """
        inputs: {score: decimal}
        rules:
          - id: grade
            kind: table
            hit: first
            rows:
              - {when: score >= 80, then: A}
        """,
    )
    with pytest.raises(EvaluationError) as caught:
        policy.evaluate({"score": 10})
    assert caught.value.code == "no-row-matched"


def test_amount_below_the_first_band_is_an_error(tmp_path: Path) -> None:
    """A negative amount below the first band is reported, not given band 1's rate."""
    policy = policy_from(
        tmp_path,
        """
        inputs: {sales: money}
        rules:
          - id: rate
            kind: tiers
            of: sales
            mode: flat
            bands:
              - {from: 0, value: 1%}
        """,
    )
    with pytest.raises(EvaluationError) as caught:
        policy.evaluate({"sales": "-1"})
    assert caught.value.code == "below-bands"


GRADUATED = """
    inputs: {sales: money}
    rules:
      - id: commission
        kind: tiers
        of: sales
        mode: graduated
        bands:
          - {from: 0, to: 10000, value: 1%}
          - {from: 10000, to: 50000, value: 2%}
          - {from: 50000, value: 4%}
    """


@given(st.decimals(min_value=0, max_value=10**7, places=2))
def test_graduated_equals_the_marginal_sum(sales: Decimal) -> None:
    """Graduated tiers charge each band's rate on the part of the amount inside it."""
    expected = (
        min(sales, Decimal(10000)) * Decimal("0.01")
        + max(Decimal(0), min(sales, Decimal(50000)) - 10000) * Decimal("0.02")
        + max(Decimal(0), sales - 50000) * Decimal("0.04")
    )
    assert _graduated().evaluate({"sales": sales}).outputs["commission"] == expected


_CACHE: dict[str, policyengine.Policy] = {}


def _graduated() -> policyengine.Policy:
    if "g" not in _CACHE:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            _CACHE["g"] = policy_from(Path(tmp), GRADUATED)
    return _CACHE["g"]


@given(st.permutations(list(REP)))
def test_result_does_not_depend_on_field_order(order: list[str]) -> None:
    """The same record with its fields in any order gives byte-identical result documents."""
    policy = policyengine.load_policy(COMMISSION)
    shuffled = {name: REP[name] for name in order}
    assert (
        policy.evaluate(shuffled, period="2026-03").to_dict()
        == policy.evaluate(REP, period="2026-03").to_dict()
    )


def test_provenance_names_the_exact_file_and_inputs() -> None:
    """Provenance names the policy, its version, and the SHA-256 of the file and of the inputs."""
    result = policyengine.load_policy(COMMISSION).evaluate(REP, period="2026-03")
    prov = result.provenance
    assert (prov.policy, prov.version, prov.period) == ("commission", "2026-01", "2026-03")
    assert prov.sha256 == hashlib.sha256(COMMISSION.read_bytes()).hexdigest()
    assert prov.engine_version == policyengine.ENGINE_VERSION
    changed = policyengine.load_policy(COMMISSION).evaluate({**REP, "dials": 701}, period="2026-03")
    assert changed.provenance.inputs_sha256 != prov.inputs_sha256


def test_period_outside_the_version_is_refused() -> None:
    """Evaluating a month before the version took effect is an error, not a silent answer."""
    with pytest.raises(PolicyError) as caught:
        policyengine.load_policy(COMMISSION).evaluate(REP, period="2025-12")
    assert caught.value.code == "not-in-force"


def test_explain_shows_band_inputs_parameters_and_source() -> None:
    """The explanation names the rule, the band reached, inputs, parameters and the article."""
    result = policyengine.load_policy(COMMISSION).evaluate(REP, period="2026-03")
    data = result.trace("commission")
    assert data["source"] == "3.3.2 第二款"
    assert data["inputs"]["credited_sales"] == "123456.78"
    assert data["parameters"]["self_sourced_rate"]["value"] == "0.06"
    [rate, started] = sorted(data["because"], key=lambda d: d["rule"])
    assert rate["detail"]["band"]["number"] == 2
    assert started["value"] is True
    with pytest.raises(PolicyError) as caught:
        result.explain("comission")
    assert caught.value.hint == "did you mean 'commission'?"


def test_a_policy_reading_period_needs_one(tmp_path: Path) -> None:
    """A policy that reads period refuses to run without one instead of failing mid-rule."""
    policy = policy_from(
        tmp_path,
        """
        rules:
          - {id: days, kind: formula, expr: period.days}
        """,
    )
    assert policy.evaluate({}, period="2026-02").outputs["days"] == 28
    with pytest.raises(PolicyError) as caught:
        policy.evaluate({})
    assert caught.value.code == "missing-period"


def test_rounding_to_tens_prints_plainly(tmp_path: Path) -> None:
    """round: 10 gives 1230, written without exponent notation in results."""
    policy = policy_from(
        tmp_path,
        """
        inputs: {x: decimal}
        rules:
          - {id: y, kind: formula, expr: x, round: 10}
        """,
    )
    result = policy.evaluate({"x": "1234.5"})
    assert result.outputs["y"] == 1230
    assert result.to_dict()["outputs"]["y"] == "1230"


def test_list_facts_are_bounded_and_immutable(tmp_path: Path) -> None:
    """A list fact becomes a tuple, and a list over 10,000 items is refused."""
    policy = policy_from(
        tmp_path,
        """
        inputs: {tags: {type: list, of: string}}
        rules:
          - {id: n, kind: formula, expr: len(tags)}
        """,
    )
    tags = ["a", "b"]
    result = policy.evaluate({"tags": tags})
    assert result.outputs["n"] == 2 and result.inputs["tags"] == ("a", "b")
    with pytest.raises(FactError) as caught:
        policy.evaluate({"tags": ["x"] * 10_001})
    assert caught.value.code == "list-too-long"


def test_float_is_refused_for_whole_numbers_too() -> None:
    """An int field given a float says float-not-allowed, like a money field."""
    with pytest.raises(FactError) as caught:
        policyengine.load_policy(COMMISSION).evaluate({**REP, "dials": 700.0})
    assert caught.value.code == "float-not-allowed"


def test_explaining_an_unknown_part_is_a_policy_error() -> None:
    """Asking for a part an output does not have is unknown-output, not a KeyError."""
    result = policyengine.load_policy(ETIQUETTE).evaluate(
        {
            "通话编号": "C9",
            "呼叫方向": "呼入",
            "响铃次数": 1,
            "标准问候语": True,
            "自报家门": True,
            "记录客户信息": True,
            "客户先挂机": True,
            "不文明用语": False,
        }
    )
    for name in ("礼仪检查.pionts", "处理意见.x"):
        with pytest.raises(PolicyError) as caught:
            result.explain(name)
        assert caught.value.code == "unknown-output"


@pytest.mark.parametrize("text", ["+-5", "²", "٣", "1_000"])
def test_odd_digit_text_is_not_a_whole_number(text: str) -> None:
    """Text that Python's int() might take or choke on is a located fact error."""
    with pytest.raises(FactError) as caught:
        policyengine.load_policy(COMMISSION).evaluate({**REP, "dials": text})
    assert caught.value.code == "not-a-whole-number"


def test_a_clamped_value_is_explained_with_its_bound(tmp_path: Path) -> None:
    """The explanation of a formula held to its max says the max's value, not only that
    there was one: 200 clamped to max 40."""
    policy = policy_from(
        tmp_path,
        """
        inputs:
          sales: money
        parameters:
          cap: {value: 40}
        rules:
          - {id: capped, kind: formula, expr: sales * 2, max: cap, min: 0, round: 0.01}
        """,
    )
    assert "clamped to max 40 from 200" in policy.evaluate({"sales": "100"}).explain("capped")
    assert "clamped to min 0 from -20" in policy.evaluate({"sales": "-10"}).explain("capped")


@pytest.mark.parametrize(
    "given",
    ["2026-03\n", "2026-3", "２０２６-03", ("2026", 3), (2026.0, 3), (True, 3)],
)
def test_a_month_is_written_yyyy_mm_and_nothing_else(given: object) -> None:
    """A trailing line break, other scripts' digits, a year given as text, a float or a
    yes/no: each is invalid-period, never a month read some other way."""
    from policyengine.core._period import Period

    with pytest.raises(policyengine.UsageError) as refused:
        Period(*given) if isinstance(given, tuple) else Period.parse(given)  # type: ignore[arg-type]
    assert refused.value.code == "invalid-period"
