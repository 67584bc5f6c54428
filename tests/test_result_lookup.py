"""Reading one record of a month: one argument order, and a failure says why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import registered

import policyengine
from policyengine.errors import UsageError
from policyengine.run._bundle import evaluate_bundle
from policyengine.sample import centre, months

CENTRE = Path(__file__).parent / "fixtures" / "centre"
#: The first call of the month, refused: its ``rings`` is not a number.
BAD_CALL = "C202602000000"


@pytest.fixture(scope="module")
def repository() -> policyengine.Repository:
    return policyengine.load(CENTRE)


@pytest.fixture(scope="module")
def facts() -> dict[str, list[dict[str, Any]]]:
    month = centre(months("2026-02", "2026-02"), teams=2, reps=6, calls=200)["2026-02"]
    calls = month["call"]
    assert calls[0]["call_id"] == BAD_CALL
    return {**month, "call": [{**calls[0], "rings": "many"}, *calls[1:]]}


@pytest.fixture(scope="module")
def month(
    repository: policyengine.Repository, facts: dict[str, list[dict[str, Any]]]
) -> policyengine.BundleResult:
    return repository.for_period("2026-02").evaluate(facts)


def _spoiled(month: policyengine.BundleResult) -> str:
    """A rep whose team ranking failed because of the bad call (not the call's own rep)."""
    return next(
        key
        for kind, key, rule_id, error in month.failures()
        if kind == "rep" and rule_id == "team_rank" and error.code == "incomplete-group"
    )


def _sound_rep(month: policyengine.BundleResult) -> str:
    spoiled = {key for kind, key, _, _ in month.failures() if kind == "rep"}
    return next(key for key in month.keys("rep") if key not in spoiled)


# --- one order --------------------------------------------------------------------------


def test_every_accessor_names_the_record_first(month: policyengine.BundleResult) -> None:
    """value, trace, explain and result_for all take (kind, key, …) and agree with the rows."""
    rep = _sound_rep(month)
    row = month.result_for("rep", rep, "appraisal")
    score = month.value("rep", rep, "appraisal_score")
    assert row.outputs["appraisal_score"] == score
    assert month.trace("rep", rep, "appraisal_score")["value"] == str(score)
    assert month.explain("rep", rep, "appraisal_score").startswith(f"appraisal_score = {score}")
    ranked = month.result_for("rep", rep, "bottom_rank")
    assert ranked.outputs["team_rank.rank"] == month.value("rep", rep, "team_rank.rank")


def test_a_rule_with_named_outputs_gives_them_all(month: policyengine.BundleResult) -> None:
    """value of a rule id with named outputs gives them as one read-only mapping."""
    rep = _sound_rep(month)
    whole = month.value("rep", rep, "team_rank")
    assert whole["rank"] == month.value("rep", rep, "team_rank.rank")
    with pytest.raises(TypeError):
        whole["rank"] = 0  # type: ignore[index]


def test_the_earlier_order_still_works_and_warns(month: policyengine.BundleResult) -> None:
    """value(policy, key, output) and result_for(policy, key) give the same, with a warning."""
    rep = _sound_rep(month)
    with pytest.warns(DeprecationWarning, match=r"value\('rep', key"):
        old = month.value("appraisal", rep, "appraisal_score")
    assert old == month.value("rep", rep, "appraisal_score")
    with pytest.warns(DeprecationWarning, match="result_for"):
        row = month.result_for("bottom_rank", rep)  # type: ignore[call-arg]
    assert row == month.result_for("rep", rep, "bottom_rank")


def test_a_policy_not_applying_to_the_kind_is_refused(month: policyengine.BundleResult) -> None:
    """result_for names the policies of the kind when the one asked for is not among them."""
    with pytest.raises(UsageError) as caught:
        month.result_for("rep", _sound_rep(month), "etiquette")
    assert caught.value.code == "unknown-policy"


def test_an_unknown_kind_is_said_with_a_suggestion(month: policyengine.BundleResult) -> None:
    """A first argument that is neither a kind nor a policy is unknown-kind, did you mean."""
    with pytest.raises(UsageError) as caught:
        month.value("reps", "R101", "appraisal_score")
    assert caught.value.code == "unknown-kind"
    assert "rep" in (caught.value.hint or "")


def test_a_missing_record_is_unknown(month: policyengine.BundleResult) -> None:
    """A key the month does not hold is unknown-record, for value and explain alike."""
    for ask in (month.value, month.explain, month.trace):
        with pytest.raises(UsageError) as caught:
            ask("rep", "R999", "appraisal_score")
        assert caught.value.code == "unknown-record"


# --- a failed record says it failed ----------------------------------------------------


def test_a_refused_record_says_it_failed_and_why(month: policyengine.BundleResult) -> None:
    """Asking anything of a refused record is failed-record, naming its fact error."""
    assert registered(UsageError, "failed-record")
    for ask in (month.value, month.explain, month.trace):
        with pytest.raises(UsageError) as caught:
            ask("call", BAD_CALL, "call_checks.points")
        error = caught.value
        assert error.code == "failed-record"
        assert "not-a-whole-number" in error.message and "found 'many'" in error.message
        assert error.details["root"]["code"] == "not-a-whole-number"
        assert error.details["root"]["field"] == "rings"
        assert error.__cause__ is not None
    with pytest.raises(UsageError) as caught:
        month.result_for("call", BAD_CALL, "etiquette")
    assert caught.value.code == "failed-record"


def test_a_failed_value_names_its_root_cause(month: policyengine.BundleResult) -> None:
    """value and explain of a value that failed say its failure and the root cause's."""
    rep = _spoiled(month)
    for ask in (month.value, month.explain):
        with pytest.raises(UsageError) as caught:
            ask("rep", rep, "team_rank.rank")
        error = caught.value
        assert error.code == "failed-value"
        assert "incomplete-group" in error.message
        assert f"root cause: call {BAD_CALL} field 'rings': not-a-whole-number" in error.message
        assert error.details["root"]["record"] == BAD_CALL
        assert error.details["root"]["message"].endswith("found 'many'")
        assert error.details["error"]["code"] == "incomplete-group"
        assert isinstance(error.__cause__, policyengine.PolicyError)


def test_a_record_failed_by_record_says_so(
    repository: policyengine.Repository, facts: dict[str, list[dict[str, Any]]]
) -> None:
    """Failures kept by record (format 1): a failed record is failed-record, not unknown,
    with its failure (which names the bad call: format 1 keeps no root of its own)."""
    month = evaluate_bundle(repository.for_period("2026-02"), facts, result_format=1)
    rep, first = next(iter(month.failed_records("rep").items()))
    with pytest.raises(UsageError) as caught:
        month.value("rep", rep, "appraisal_score")
    assert caught.value.code == "failed-record"
    assert "a value failed" in caught.value.message and BAD_CALL in caught.value.message
    assert caught.value.details["root"]["code"] == first.code == "incomplete-group"


# --- a batch of one policy's records: the same order, the same failures ----------------

COMMISSION = (
    Path(__file__).parent.parent / "examples" / "standalone" / "policies" / "commission"
) / "2026-01.yaml"
REP = {"rep_id": "A", "credited_sales": "100000", "self_sourced_sales": 0, "dials": 700}
REP["talk_minutes"] = 1600


@pytest.fixture(scope="module")
def batch() -> policyengine.Batch:
    records = [REP, {**REP, "rep_id": "B", "dials": "many"}]
    return policyengine.load_policy(COMMISSION).evaluate_many(records, period="2026-03")


def test_a_batch_reads_a_record_first_then_its_output(batch: policyengine.Batch) -> None:
    """Batch.value/explain/trace take (record, output), as a month takes (kind, key, output)."""
    [result] = batch.results
    assert (
        batch.value("A", "commission") == result.outputs["commission"] == result.value("commission")
    )
    assert batch.explain("A", "commission") == result.explain("commission")
    assert batch.trace("A", "commission_rate") == result.trace("commission_rate")


def test_a_failed_batch_record_says_it_failed_and_why(batch: policyengine.Batch) -> None:
    """A record of the batch that failed is failed-record with its own error, not unknown."""
    [error] = batch.errors
    for ask in (batch.value, batch.explain, batch.trace):
        with pytest.raises(UsageError) as caught:
            ask("B", "commission")
        assert caught.value.code == "failed-record"
        assert f"{error.code}: {error.message}" in caught.value.message
        assert caught.value.details["root"]["field"] == "dials"
        assert caught.value.__cause__ is error
    with pytest.raises(UsageError) as missing:
        batch.value("Z", "commission")
    assert missing.value.code == "unknown-record"


def test_a_result_reads_one_output_by_name(batch: policyengine.Batch) -> None:
    """Result.value gives an output by name, and suggests the name meant otherwise."""
    [result] = batch.results
    with pytest.raises(UsageError) as caught:
        result.value("comission")
    assert caught.value.code == "unknown-output"
    assert "'commission'" in (caught.value.hint or "")


def test_a_batch_label_two_records_share_is_refused_not_the_first() -> None:
    """Two records keyed A01 in one batch: asked by A01, the batch answered from the first
    (the second unreachable); it is duplicate-key, saying how many share it."""
    standalone = Path(__file__).parent.parent / "examples" / "standalone" / "policies"
    policy = policyengine.load_policy(standalone / "commission" / "2026-01.yaml")
    rep = {"rep_id": "A01", "credited_sales": "123456.78", "self_sourced_sales": "0"}
    rep |= {"dials": 600, "talk_minutes": 1500}
    batch = policy.evaluate_many([rep, {**rep, "credited_sales": "1000.00"}], period="2026-03")
    with pytest.raises(UsageError) as refused:
        batch.value("A01", "commission")
    assert (refused.value.code, refused.value.form) == ("duplicate-key", "batch")
    assert "2 records" in refused.value.message
    assert len(batch.results) == 2


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda p, r: p.evaluate_many(None), "not-a-record-list"),
        (lambda p, r: p.evaluate_many(r), "not-a-record-list"),  # one record, not a list
        (lambda p, r: p.evaluate(r, engine="fast"), "unknown-engine"),
        (lambda p, r: p.evaluate(r).value(None), "unknown-output"),
        (lambda p, r: p.evaluate(r).explain(3), "unknown-output"),
    ],
    ids=["none", "one record", "engine", "value of None", "explain of a number"],
)
def test_misuse_is_a_policy_error_with_a_code(call: Any, code: str) -> None:
    """A library call given the wrong kind of argument says so as a PolicyError with a
    code, never as Python's TypeError or AttributeError from inside the library."""
    standalone = Path(__file__).parent.parent / "examples" / "standalone" / "policies"
    policy = policyengine.load_policy(standalone / "commission" / "2026-01.yaml")
    rep = {"rep_id": "A01", "credited_sales": "100.00", "self_sourced_sales": "0"}
    rep |= {"dials": 600, "talk_minutes": 1500}
    with pytest.raises(policyengine.PolicyError) as refused:
        call(policy, rep)
    assert refused.value.code == code
