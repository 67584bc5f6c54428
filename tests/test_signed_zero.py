"""No output shows ``-0.00`` (result format 3); runs recorded in format 2 replay with it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import policyengine
from policyengine.core._numbers import unsigned_zero
from policyengine.run._bundle import evaluate_bundle

POLICY = """\
format: 1
policy: zero
version: "1"
title: zero
effective_from: 2026-01-01
key: rep_id
inputs: {rep_id: string, refund: money, fine: money}
rules:
  - {id: rounded, kind: formula, expr: "refund * -1 / 1000", round: 0.01}
  - {id: product, kind: formula, expr: "-fine * 0"}
  - id: band
    kind: tiers
    of: fine
    mode: flat
    bands:
      - {from: 0, value: {rate: 0%, base: 0}}
  - {id: net, kind: formula, expr: "rounded + product"}
"""


@pytest.fixture
def repo(tmp_path: Path) -> policyengine.Repository:
    (tmp_path / "zero").mkdir()
    (tmp_path / "zero" / "1.yaml").write_text(POLICY, encoding="utf-8")
    return policyengine.load(tmp_path)


def test_unsigned_zero() -> None:
    assert str(unsigned_zero(Decimal("-0.00"))) == "0.00"
    assert str(unsigned_zero(Decimal("-0"))) == "0"
    assert str(unsigned_zero(Decimal("-0.01"))) == "-0.01"
    assert unsigned_zero({"a": Decimal("-0.0"), "b": 1}) == {"a": Decimal("0.0"), "b": 1}
    assert str(unsigned_zero({"a": Decimal("-0.0")})["a"]) == "0.0"
    assert unsigned_zero(-0) == 0 and unsigned_zero("−0") == "−0"


def test_no_output_is_a_negative_zero(repo: policyengine.Repository) -> None:
    bundle = repo.for_period("2026-03")
    facts = {"zero": [{"rep_id": "A", "refund": "1.00", "fine": "3.00"}]}
    result = bundle.evaluate(facts)
    for name in ("rounded", "product", "net"):
        value = result.value("zero", "A", name)
        assert value == 0 and not value.is_signed(), (name, value)
    assert result.provenance.result_format == 4  # the newest: no negative zero from 3 on
    outputs = result.to_dict()["records"][0]["outputs"]["zero"]
    assert outputs["rounded"] == "0.00" and outputs["product"] == "0.00"
    assert not any(str(v).startswith("-0") for v in outputs.values()), outputs
    # A run recorded in format 2 replays as it was computed: signed zeros and all.
    older = evaluate_bundle(bundle, facts, result_format=2)
    assert str(older.value("zero", "A", "rounded")) == "-0.00"
    assert older.provenance.result_format == 2


@pytest.mark.parametrize("engine", ["compiled", "reference"])
def test_one_policy_gives_no_negative_zero(tmp_path: Path, engine: str) -> None:
    (tmp_path / "zero").mkdir()
    (tmp_path / "zero" / "1.yaml").write_text(POLICY, encoding="utf-8")
    policy = policyengine.load_policy(tmp_path / "zero" / "1.yaml")
    record = {"rep_id": "A", "refund": "1.00", "fine": "3.00"}
    results = [
        policy.evaluate(record, engine=engine),  # type: ignore[arg-type]
        *policy.evaluate_many([record], engine=engine).results,  # type: ignore[arg-type]
    ]
    for result in results:
        for name in ("rounded", "product", "net", "band.rate"):
            value = result.outputs[name]
            assert value == 0 and not value.is_signed(), (engine, name, value)
