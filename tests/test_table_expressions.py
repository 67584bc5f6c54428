"""A table's value computed for the record: ``then: {expr: …}`` and ``default: {expr: …}``."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import policyengine
from policyengine.run._engine import evaluate

POLICY = """\
format: 1
policy: p
version: "1"
effective_from: 2026-01-01
title: t
inputs:
  sales: money
  status: {type: enum, values: [regular, trial]}
parameters:
  trial_base: 3000
rules:
  - id: band
    kind: tiers
    of: sales
    mode: flat
    bands:
      - {from: 0, to: 1000, value: {rate: 3%, base: 4000}}
      - {from: 1000, value: {rate: 4%, base: 5000}}
  - id: base_pay
    kind: table
    hit: HIT
    rows:
      - {when: 'status == "regular"', then: {expr: band.base + sales * band.rate}}
    default: {expr: trial_base}
  - id: named
    kind: table
    hit: first
    rows:
      - {when: 'status == "regular"', then: {pay: {expr: band.base}, label: 正式}}
    default: {pay: 1, label: {expr: '"试用"'}}
  - id: added
    kind: table
    hit: collect
    aggregate: sum
    rows:
      - {when: "sales > 0", then: {expr: band.base}}
      - {when: "sales > 500", then: 1}
    default: 0
"""


def _load(tmp_path: Path, hit: str = "first") -> policyengine.Policy:
    path = tmp_path / "p.yaml"
    path.write_text(POLICY.replace("HIT", hit), encoding="utf-8")
    return policyengine.load_policy(path)


@pytest.mark.parametrize("hit", ["first", "unique"])
@pytest.mark.parametrize(
    ("status", "sales", "base_pay", "pay", "label", "added"),
    [
        ("regular", "2000", "5080", "5000", "正式", "5001"),
        ("trial", "2000", "3000", "1", "试用", "5001"),
        ("regular", "100", "4003", "4000", "正式", "4000"),
    ],
)
def test_computed_values_are_evaluated_for_the_record(
    tmp_path: Path,
    hit: str,
    status: str,
    sales: str,
    base_pay: str,
    pay: str,
    label: str,
    added: str,
) -> None:
    """A row's and the default's expressions give the record's value, named or not."""
    result = evaluate(_load(tmp_path, hit), {"sales": sales, "status": status}).outputs
    assert result["base_pay"] == Decimal(base_pay)
    assert result["named.pay"] == Decimal(pay)
    assert result["named.label"] == label
    assert result["added"] == Decimal(added)


def test_a_computed_value_reads_in_order_and_explains(tmp_path: Path) -> None:
    """The rule reads what its expression names (so runs after it); the explanation
    shows the value the row gave."""
    policy = _load(tmp_path)
    rule = next(r for r in policy.rules if r.id == "base_pay")
    assert {read.name for read in rule.reads_from} == {"band"}
    text = evaluate(policy, {"sales": "2000", "status": "regular"}).explain("base_pay")
    assert 'row 1 holds: status == "regular" → 5080' in text


def test_a_computed_value_is_checked_like_any_expression(tmp_path: Path) -> None:
    """An unknown name inside {expr: …} is unknown-name at its own pointer."""
    path = tmp_path / "p.yaml"
    path.write_text(
        POLICY.replace("HIT", "first").replace("{expr: trial_base}", "{expr: trial_bse}"),
        encoding="utf-8",
    )
    problems = policyengine.check_policy(path)
    assert [(p.code, p.location.pointer, p.hint) for p in problems] == [
        ("unknown-name", "/rules/1/default/expr", "did you mean 'trial_base'?")
    ]


def test_a_batch_and_the_reference_engine_agree(tmp_path: Path) -> None:
    """evaluate_many (the fused function, which calls such a table's compiled function) and
    the reference engine give what one record at a time gives."""
    policy = _load(tmp_path)
    batch = [
        {"sales": str(sales), "status": status}
        for sales in (0, 100, 999, 1000, 2500)
        for status in ("regular", "trial")
    ]
    one_by_one = [dict(evaluate(policy, record).outputs) for record in batch]
    fused = [dict(item.outputs) for item in policy.evaluate_many(batch)]
    reference = [dict(item.outputs) for item in policy.evaluate_many(batch, engine="reference")]
    assert fused == one_by_one
    assert reference == one_by_one
    assert one_by_one[0]["base_pay"] == Decimal(4000)
