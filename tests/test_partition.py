"""A month split by the plan into partitions gives the one process's result, byte for byte.

The fixture folder ``partitioned`` has a company of teams of reps of calls, with ranks
and totals that span the teams a month is split into (a company-wide rank, a rank of
teams, the company's sales) beside ones that stay in a team. Generated months hold
calls that fail (no minutes), refused records and records whose parent is missing.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import policyengine
from policyengine.month import read_month, run_month
from policyengine.run._bundle import BundleResult, evaluate_owned, plan_of
from policyengine.run._partition import ORPHANS, merge, partition_kind, partitioning, split
from policyengine.run._partition_steps import (
    apply,
    reduce_step,
    refused_order,
    run_local,
    run_partitioned,
    slice_of,
)
from policyengine.run._run_state import RunState

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"
COMPANY = policyengine.load(FIXTURES / "partitioned")
SHIPPED = policyengine.load(Path(__file__).parent.parent / "policies")


def _counts(state: RunState) -> dict[str, int]:
    return {kind: len(records) for kind, records in state.envs.items()}


def partitioned(reverse: bool = False) -> Any:
    """A runner that splits the month by its plan, its partitions taken in sorted order or
    reversed (the order must not matter)."""

    def runner(state: RunState) -> RunState:
        how = partitioning(state.plan, _counts(state))
        if how.kind is None:
            return run_partitioned(state, how)
        parts = list(split(state, how.kind).values())
        if reverse:
            parts.reverse()
        order = refused_order(state)
        for step in how.steps:
            if not step.reduce:
                parts = [run_local(part, step.nodes) for part in parts]
                continue
            index = step.nodes[0]
            slices = [slice_of(p, index, how.kind, i == 0) for i, p in enumerate(parts)]
            outcomes = reduce_step(state.plan, state, slices, index, order)
            parts = [apply(part, outcomes, index) for part in parts]
        return merge(state, parts, how.kind)

    return runner


def both(
    repository: policyengine.Repository, period: str, facts: dict[str, list[Any]], seed: int
) -> tuple[BundleResult, BundleResult]:
    """The month in one process, and partitioned with its records shuffled."""
    bundle = repository.for_period(period)
    plan = plan_of(bundle)
    one = evaluate_owned(bundle, {k: [dict(r) for r in v] for k, v in facts.items()}, plan=plan)
    shuffled = {k: [dict(r) for r in v] for k, v in facts.items()}
    for records in shuffled.values():
        random.Random(seed).shuffle(records)
    two = evaluate_owned(bundle, shuffled, plan=plan, runner=partitioned(reverse=seed % 2 == 1))
    return one, two


def assert_same(one: BundleResult, two: BundleResult) -> None:
    assert two.to_json() == one.to_json()
    assert two.outputs_json() == one.outputs_json()
    assert [e.to_dict() for e in two.errors] == [e.to_dict() for e in one.errors]


@st.composite
def company_months(draw: st.DrawFn) -> dict[str, list[dict[str, str]]]:
    """A month of one company: teams of reps with calls; some calls without minutes (their
    points fail), some records refused, some naming a parent that is not there."""
    facts: dict[str, list[dict[str, str]]] = {
        "company": [{"company_id": "C", "pool": str(draw(st.integers(0, 900)))}],
        "team": [],
        "rep": [],
        "call": [],
    }
    for t in range(draw(st.integers(1, 5))):
        team = f"T{t}"
        target = draw(st.sampled_from(["100", "5000", "oops"]))
        facts["team"].append({"team_id": team, "company_id": "C", "target": target})
        for r in range(draw(st.integers(0, 4))):
            rep = f"R{t}{r}"
            base = draw(st.sampled_from(["1000", "2000.50", "1500"]))
            eligible = draw(st.sampled_from(["true", "true", "false"]))
            facts["rep"].append(
                {"rep_id": rep, "team_id": team, "base": base, "eligible": eligible}
            )
            for c in range(draw(st.integers(0, 4))):
                minutes = str(draw(st.integers(0, 9)) if draw(st.booleans()) else 5)
                sales = str(draw(st.sampled_from([0, 50, 120, 300, 1000])))
                facts["call"].append(
                    {"call_id": f"K{t}{r}{c}", "rep_id": rep, "minutes": minutes, "sales": sales}
                )
    if draw(st.booleans()):  # a call whose rep is not in the month
        facts["call"].append({"call_id": "KX", "rep_id": "RX", "minutes": "3", "sales": "9"})
    if draw(st.booleans()):  # a rep whose team is not in the month
        facts["rep"].append({"rep_id": "RY", "team_id": "TY", "base": "1", "eligible": "true"})
    return facts


@settings(max_examples=60, deadline=None)
@given(company_months(), st.integers(0, 1000))
def test_a_partitioned_month_is_the_one_process_month(facts: Any, seed: int) -> None:
    """Generated months with company-wide ranks and totals: partitioned by team, in any
    record and partition order, the result document and every error are the same bytes."""
    one, two = both(COMPANY, "2026-01", facts, seed)
    assert_same(one, two)


def test_the_company_wide_rules_need_a_reduce_step() -> None:
    """The plan says which rules span the teams: the company-wide rank, the rank of teams
    within the company and the company's totals; the ranks within a team do not."""
    plan = plan_of(COMPANY.for_period("2026-01"))
    how = partitioning(plan, {"company": 1, "team": 3, "rep": 9, "call": 30})
    assert how.kind == "team"
    spanning = sorted(plan.nodes[i].rule.id for i in how.spanning)
    assert spanning == ["best_team_sales", "company_sales", "in_company", "team_place"]


def test_a_single_team_is_split_by_rep_and_a_single_rep_not_at_all() -> None:
    """The partition kind is the top grouping kind the month has two records of: with one
    team, the reps (the rank within the team then spans them); with one rep, none."""
    plan = plan_of(COMPANY.for_period("2026-01"))
    how = partitioning(plan, {"company": 1, "team": 1, "rep": 4, "call": 8})
    assert how.kind == "rep"
    assert "in_team" in {plan.nodes[i].rule.id for i in how.spanning}
    assert partition_kind(plan, {"company": 1, "team": 1, "rep": 1, "call": 8}) is None
    assert partitioning(plan, {"company": 1, "team": 1, "rep": 1}).steps[0].reduce is False


def test_records_without_their_ancestor_form_a_partition_of_their_own() -> None:
    """A call whose rep is not in the month has no team: it goes with the orphans."""
    facts = {
        "company": [{"company_id": "C", "pool": "1"}],
        "team": [{"team_id": t, "company_id": "C", "target": "1"} for t in ("A", "B")],
        "rep": [{"rep_id": "r", "team_id": "A", "base": "1", "eligible": "true"}],
        "call": [{"call_id": "k", "rep_id": "gone", "minutes": "1", "sales": "1"}],
    }
    bundle = COMPANY.for_period("2026-01")
    seen: dict[str, RunState] = {}

    def runner(state: RunState) -> RunState:
        seen.update(split(state, "team"))
        return partitioned()(state)

    evaluate_owned(bundle, facts, runner=runner)
    assert sorted(seen) == sorted(["A", "B", ORPHANS])
    assert seen["A"].envs["rep"] == {"r": seen["A"].envs["rep"]["r"]}
    assert seen["B"].envs["rep"] == {}


@pytest.mark.parametrize("month", ["2026-01", "2026-02", "2026-03"])
def test_the_example_months_split_by_team_alike(month: str) -> None:
    """The shipped policies over the example months: split by team, nothing to reduce,
    the same bytes."""
    facts = read_month(SHIPPED, EXAMPLES / month).records
    one, two = both(SHIPPED, month, facts, seed=7)
    plan = plan_of(SHIPPED.for_period(month))
    assert partitioning(plan, {"team": 3}).kind == "team"
    assert_same(one, two)


def test_workers_without_the_dask_extra_say_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``--workers`` without ``distributed`` installed: ``missing-extra`` (exit code 2)
    naming the extra to install, before any work; nothing is written."""
    from policyengine.cli._main import main

    monkeypatch.setitem(sys.modules, "distributed", None)  # import then fails
    out = tmp_path / "month.json"
    arguments = ["run", "--policies", str(ROOT / "policies"), "--period", "2026-03"]
    arguments += ["--facts", str(EXAMPLES / "2026-03"), "--out", str(out), "--workers", "2"]
    assert main(arguments) == 2
    said = capsys.readouterr().err
    assert "missing-extra" in said and "pip install 'policyengine[dask]'" in said
    assert not out.exists()
    with pytest.raises(policyengine.PolicyError) as caught:
        run_month(SHIPPED, "2026-03", EXAMPLES / "2026-03", client=object())
    assert caught.value.code == "missing-extra"
