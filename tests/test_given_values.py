"""A policy evaluated alone is given the values it reads of other policies' rules in the
record, as an embedded test gives them: a month's bundle would compute them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from helpers import add_rep_policy, ranking_folder

import policyengine


def _reader(tmp_path: Path) -> policyengine.Policy:
    """``bonus`` (over reps) reads ``doubled``, a rule of another policy."""
    root = ranking_folder(tmp_path, "  - {id: doubled, kind: formula, expr: 'score * 2'}\n")
    add_rep_policy(
        root, "bonus", "  - {id: bonus, kind: formula, expr: 'doubled + sales', round: 0.01}\n"
    )
    bundle = policyengine.load(root).for_period("2026-01")
    return next(v.policy for v in bundle.versions if v.policy.id == "bonus")


REP = {"rep_id": "A", "team_id": "T", "score": 1, "sales": "100.00", "eligible": True}


def test_another_policys_value_given_in_the_record_is_read(tmp_path: Path) -> None:
    """``doubled`` given with the rep is what ``bonus`` reads, alone and in a batch."""
    policy = _reader(tmp_path)
    record = {**REP, "doubled": Decimal("7.5")}
    assert policy.evaluate(record).outputs == {"bonus": Decimal("107.50")}
    (result,) = policy.evaluate_many([record]).items
    assert isinstance(result, policyengine.Result)
    assert result.outputs == {"bonus": Decimal("107.50")}


def test_without_it_the_rule_reading_it_has_no_value(tmp_path: Path) -> None:
    with pytest.raises(policyengine.PolicyError) as failed:
        _reader(tmp_path).evaluate(REP)
    assert failed.value.code == "missing-value"


def test_a_float_given_is_refused_as_any_amount(tmp_path: Path) -> None:
    with pytest.raises(policyengine.PolicyError) as refused:
        _reader(tmp_path).evaluate({**REP, "doubled": 7.5})
    assert (refused.value.code, refused.value.location.field) == ("float-not-allowed", "doubled")


def test_a_given_value_is_an_input_its_hash_and_explanation_name(tmp_path: Path) -> None:
    """Two reps differing only in the value given for ``doubled`` are two inputs: each
    result's inputs (and so its hash) hold it, and the explanation shows it."""
    policy = _reader(tmp_path)
    low = policy.evaluate({**REP, "doubled": Decimal("7.5")})
    high = policy.evaluate({**REP, "doubled": Decimal("900")})
    assert low.inputs["doubled"] == Decimal("7.5")
    assert low.provenance.inputs_sha256 != high.provenance.inputs_sha256
    assert "input doubled = 7.5" in low.explain("bonus")


def test_last_months_values_read_are_inputs_too(tmp_path: Path) -> None:
    """Two records differing only in last month's streak are two inputs."""
    rules = "  - {id: streak, kind: formula, expr: 'previous(streak, 0) + 1'}\n"
    root = ranking_folder(tmp_path, rules)
    policy = next(
        v.policy for v in policyengine.load(root).for_period("2026-01").versions
        if v.policy.id == "state"
    )  # fmt: skip
    one = policy.evaluate(REP, previous={"streak": 1})
    four = policy.evaluate(REP, previous={"streak": 4})
    assert (one.value("streak"), four.value("streak")) == (2, 5)
    assert one.provenance.inputs_sha256 != four.provenance.inputs_sha256
