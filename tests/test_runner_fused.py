"""A month's record rules fused in the runner give exactly what they give rule by rule.

The runner (``policyengine.run._runner``) runs the record rules of one policy
that a bundle's plan takes one after the other through one generated
function per record (``Program.fused_run``), and rule by rule a record that
has a failed value already or that the function gives up on. These tests pin
the two paths together: over generated months of the shipped policies with
every hard case (refused facts, failures by value, earlier months), and over
a folder whose rules fail for some records, one policy reading another's
values; the result documents are the same bytes. They also check that the
fused function does compute the common record (the rule-by-rule path is not
doing all the work).
"""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import policyengine
from policyengine.facts._sample_centre import months
from policyengine.facts._sample_hard_cases import monthly
from policyengine.run import _runner
from policyengine.run._population_frame import PopulationFrame
from policyengine.run._program import Program

ROOT = Path(__file__).parent.parent
SHIPPED = policyengine.load(ROOT / "policies")


def rule_by_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """No run of rules fused: every record rule over every record, one at a time."""
    monkeypatch.setattr(Program, "fused_run", lambda self, rule_ids: None)


def hard_months() -> dict[str, dict[str, list[Any]]]:
    """Three months of every hard case; March with a refused call (its rep's roll-ups
    incomplete) and a rep without dials."""
    generated = monthly(months("2026-01", "2026-03"), teams=2, reps=6, calls=300, seed=5)
    facts = {month.period.key: {k: list(v) for k, v in month.facts.items()} for month in generated}
    march = facts["2026-03"]
    march["call"][0] = {**march["call"][0], "rings": "many"}
    march["rep"][1] = {**march["rep"][1], "dials": 0}
    return facts


def test_the_shipped_months_are_the_same_bytes_fused_and_rule_by_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three months of every hard case, in order: documents, errors and failures alike."""
    facts = hard_months()
    fused = SHIPPED.evaluate_months(facts)
    rule_by_rule(monkeypatch)
    plain = SHIPPED.evaluate_months(facts)
    assert len(fused) == len(plain) == 3
    assert any(result.errors for result in plain)  # the hard cases do fail values
    for one, other in zip(fused, plain, strict=True):
        assert one.to_json() == other.to_json()
        assert [e.to_dict() for e in one.errors] == [e.to_dict() for e in other.errors]
        assert [(k, r, o, e.to_dict()) for k, r, o, e in one.failures()] == [
            (k, r, o, e.to_dict()) for k, r, o, e in other.failures()
        ]


ENTITIES = """\
format: 1
kinds:
  rep:
    key: rep_id
    fields:
      rep_id: {type: string}
      sales: {type: money}
      count: {type: int}
"""

SPLIT = """\
format: 1
policy: split
version: "2026-01"
effective_from: 2026-01-01
title: split
applies_to: rep
rules:
  - id: share
    kind: formula
    expr: sales / count
    round: 0.01
  - id: doubled
    kind: formula
    expr: share * 2
  - id: bonus
    kind: formula
    expr: sales * 0
  - id: audit
    kind: checks
    checks:
      - {id: counted, assert: count > 0, points: 1}
"""

READER = """\
format: 1
policy: reader
version: "2026-01"
effective_from: 2026-01-01
title: reader
applies_to: rep
rules:
  - id: owed
    kind: formula
    expr: doubled + bonus
"""


def folder(tmp_path: Path) -> policyengine.Repository:
    for name, text in (("entities.yaml", ENTITIES),):
        (tmp_path / name).write_text(text, encoding="utf-8")
    for policy, text in (("split", SPLIT), ("reader", READER)):
        (tmp_path / policy).mkdir()
        (tmp_path / policy / "2026-01.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return policyengine.load(tmp_path)


REPS = [
    {"rep_id": "R1", "sales": "100.00", "count": "4"},
    {"rep_id": "R2", "sales": "-0.01", "count": "0"},  # share fails: division by zero
    {"rep_id": "R3", "sales": "-5.00", "count": "3"},  # bonus is 0.00, never -0.00
    {"rep_id": "R4", "sales": "7.00", "count": "x"},  # refused: not a whole number
]


def test_failing_rules_fail_the_same_values_fused_and_rule_by_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A value that fails fails the values reading it, in this policy and in another;
    the rest of the record is computed; the two paths give the same document."""
    bundle = folder(tmp_path).for_period("2026-01")
    fused = bundle.evaluate({"rep": REPS})
    rule_by_rule(monkeypatch)
    plain = bundle.evaluate({"rep": REPS})
    assert fused.to_json() == plain.to_json()
    failed = {(key, output): error.code for _, key, output, error in fused.failures()}
    assert failed[("R2", "share")] == "division-by-zero"
    assert failed[("R2", "doubled")] == "failed-input"
    assert failed[("R2", "owed")] == "failed-input"
    assert ("R2", "bonus") not in failed
    values = fused.values("rep", "R3")
    assert values is not None
    assert str(values["bonus"]) == "0.00"
    assert values["audit"]["violations"] == ()


def test_the_fused_function_computes_the_common_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Of a month with no failed value, no record is run rule by rule; rule by rule
    (no fusing) runs every record of every record rule."""
    generated = monthly(months("2026-01", "2026-01"), teams=2, reps=6, calls=200, seed=5)
    facts: dict[str, Any] = {k: list(v) for k, v in generated[0].facts.items()}
    bundle = SHIPPED.for_period("2026-01")
    counted: Counter[str] = Counter()
    one_by_one = _runner._record

    def counting(state: Any, rule: Any, *args: Any) -> None:
        counted[rule.node.kind] += 1
        one_by_one(state, rule, *args)

    monkeypatch.setattr(_runner, "_record", counting)
    result = bundle.evaluate(facts)
    calls = len(result.keys("call"))
    assert calls > 150
    # The calls of the hard cases that failed are the only ones run rule by rule.
    failed_calls = {key for kind, key, _, _ in result.failures() if kind == "call"}
    assert counted["call"] == len(failed_calls) < calls
    counted.clear()
    rule_by_rule(monkeypatch)
    bundle.evaluate(facts)
    assert counted["call"] == calls


def test_roll_ups_asked_at_once_give_what_each_child_asked_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A roll-up's children asked all at once from the index of their values, with the
    expression compiled knowing their fields' kinds, give the same months as each child
    looked up by key with the expression compiled plainly."""
    facts = hard_months()
    quick = SHIPPED.evaluate_months(facts)

    def by_key(frame: PopulationFrame, expression: Any, key: str, kind: str) -> list[Any]:
        keys = frame.descendants(key, kind)
        return [frame.program.code(expression)(frame.state.envs[kind][k]) for k in keys]

    monkeypatch.setattr(PopulationFrame, "run_below", by_key)
    monkeypatch.setattr(
        Program, "code_over", lambda self, expression, fields: self.code(expression)
    )
    plain = SHIPPED.evaluate_months(facts)
    assert any(result.errors for result in plain)
    assert [r.to_json() for r in quick] == [r.to_json() for r in plain]
