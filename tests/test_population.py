"""Population rules in a bundle: roll-ups, ranks, history, across kinds and months."""

from __future__ import annotations

import datetime
import random
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from helpers import ranking_folder
from hypothesis import given, settings
from hypothesis import strategies as st

import policyengine
from policyengine.facts._sample_centre import centre, months
from policyengine.run._bundle import evaluate_bundle

FIXTURES = Path(__file__).parent / "fixtures"
CENTRE = policyengine.load(FIXTURES / "centre")
LEAGUE = policyengine.load(FIXTURES / "ranking")
FACTS = centre(months("2026-01", "2026-04"), calls=2000)  # 3 teams × 12 reps


@pytest.fixture(scope="module")
def year() -> list[policyengine.BundleResult]:
    return CENTRE.evaluate_months(FACTS)


def outputs(result: policyengine.BundleResult, policy: str) -> dict[str, dict[str, Any]]:
    return {row.key: dict(row.outputs) for row in result.rows() if row.policy == policy}


def test_the_whole_chain_runs_for_four_months(year: list[policyengine.BundleResult]) -> None:
    """Calls → roll-ups → score → rank → bottom flag → streak → stars, with no error."""
    assert [r.bundle.period.key for r in year] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    for result in year:
        assert result.errors == ()
        reps = outputs(result, "appraisal")
        assert set(reps) == {r["rep_id"] for r in FACTS[result.bundle.period.key]["rep"]}
        assert len(reps) > 30
        calls = sum(1 for row in result.rows() if row.kind == "call")
        assert calls == 2000
        points = sum(r["etiquette_points"] for r in reps.values())
        call_points = sum(
            row.outputs["call_checks.points"] for row in result.rows() if row.kind == "call"
        )
        assert points == call_points


def test_streaks_and_stars_follow_the_months(year: list[policyengine.BundleResult]) -> None:
    """A streak of n means bottom in each of the last n months; quarterly stars only in March."""
    flags = [outputs(r, "bottom_rank") for r in year]
    for month, today in enumerate(flags):
        for rep, values in today.items():
            streak = values["bottom_streak"]
            for back in range(streak):
                assert flags[month - back][rep]["bottom_flag"] is True
            if month - streak >= 0 and rep in flags[month - streak]:
                assert flags[month - streak][rep]["bottom_flag"] is False or streak == 0
            expected = {2: "改进计划或辞退", 1: "警告", 0: "无"}[min(streak, 2)]
            assert values["bottom_outcome"] == expected
    stars = [outputs(r, "stars") for r in year]
    assert not any(v["quarterly_star"] for m in (0, 1, 3) for v in stars[m].values())
    for rep, values in stars[2].items():
        count = sum(stars[m][rep]["monthly_star"] for m in range(3) if rep in stars[m])
        assert values["stars_this_quarter"] == count


def test_one_rep_is_explained_end_to_end(year: list[policyengine.BundleResult]) -> None:
    """One rep's bottom outcome explains its streak, its rank in the team and the roll-up."""
    data = year[-1].trace("rep", "R101", "bottom_outcome")
    kinds = []

    def walk(node: dict[str, Any]) -> None:
        kinds.append(node["kind"])
        for sub in node["because"]:
            walk(sub)

    walk(data)
    assert kinds[:4] == ["table", "history", "formula", "rank"]
    assert "aggregate" in kinds and "score" in kinds
    rank = data["because"][0]["because"][0]["because"][0]
    assert rank["detail"]["group"] == "T1"
    assert len(rank["detail"]["ordered"]) == rank["detail"]["eligible_count"]


@settings(max_examples=8, deadline=None)
@given(st.randoms(use_true_random=False))
def test_results_do_not_depend_on_record_or_month_order(rng: random.Random) -> None:
    """Shuffling records, kinds and months gives byte-identical result documents."""
    facts = centre(months("2026-01", "2026-03"), calls=150, reps=5, seed=3)
    expected = [r.to_json() for r in CENTRE.evaluate_months(facts)]
    shuffled: dict[str, dict[str, list[Any]]] = {}
    periods = list(facts)
    rng.shuffle(periods)
    for period in periods:
        kinds = list(facts[period])
        rng.shuffle(kinds)
        shuffled[period] = {}
        for kind in kinds:
            records = list(facts[period][kind])
            rng.shuffle(records)
            shuffled[period][kind] = records
    assert [r.to_json() for r in CENTRE.evaluate_months(shuffled)] == expected


scores = st.decimals(min_value=0, max_value=100, places=0)
member = st.tuples(scores, st.sampled_from([Decimal(100), Decimal(200)]), st.booleans())


def league(groups: list[list[tuple[Decimal, Decimal, bool]]]) -> dict[str, list[dict[str, Any]]]:
    teams = [{"team_id": f"T{g}"} for g in range(len(groups))]
    reps = [
        {"rep_id": f"R{g}-{i:02d}", "team_id": f"T{g}", "score": s, "sales": v, "eligible": e}
        for g, members in enumerate(groups)
        for i, (s, v, e) in enumerate(members)
    ]
    return {"team": teams, "rep": reps}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(member, min_size=1, max_size=9), min_size=1, max_size=3))
def test_ranks_are_a_permutation_with_declared_ties(groups: list[list[Any]]) -> None:
    """Ranks are 1..n over eligible records, ordered by score, then sales, then key."""
    result = LEAGUE.for_period("2026-03").evaluate(league(groups))
    rows = {row.key: row.outputs for row in result.rows()}
    for g, members in enumerate(groups):
        keys = [f"R{g}-{i:02d}" for i in range(len(members))]
        eligible = [k for k, m in zip(keys, members, strict=True) if m[2]]
        ranked = sorted(eligible, key=lambda k: rows[k]["place.rank"])
        assert [rows[k]["place.rank"] for k in ranked] == list(range(1, len(eligible) + 1))
        by_rule = sorted(
            eligible, key=lambda k: (-members[keys.index(k)][0], -members[keys.index(k)][1], k)
        )
        assert ranked == by_rule
        assert all(rows[k]["place.rank"] is None for k in keys if k not in eligible)
        assert all(rows[k]["place.size"] == len(eligible) for k in keys)
        chosen = [k for k in keys if rows[k]["place.selected"]]
        assert chosen == sorted(by_rule[-2:]) if len(eligible) >= 3 else chosen == []


def test_equal_ranks_fall_to_an_int_key_in_number_order(tmp_path: Path) -> None:
    """The last tie-break is the key in ascending order as its field types it: whole-number
    keys 2, 9, 10, 100 rank 9 before 10 before 100, not as text ("10" < "100" < "9")."""
    root = ranking_folder(
        tmp_path, "  - {id: place, kind: rank, by: score, order: descending, ties: []}\n"
    )
    entities = (root / "entities.yaml").read_text(encoding="utf-8")
    (root / "entities.yaml").write_text(entities.replace("rep_id: string", "rep_id: int"))
    repo = policyengine.load(root)
    reps = [(10, 5), (9, 5), (100, 5), (2, 1)]  # (key, score): three tie
    records = {
        "team": [{"team_id": "T"}],
        "rep": [
            {"rep_id": key, "team_id": "T", "score": score, "sales": 0, "eligible": True}
            for key, score in reps
        ],
    }
    result = repo.for_period("2026-01").evaluate(records)
    ranks = {key: result.value("rep", str(key), "place")["rank"] for key, _ in reps}
    assert ranks == {9: 1, 10: 2, 100: 3, 2: 4}
    # A run recorded before result format 4 replays as it was computed: keys as text.
    older = evaluate_bundle(repo.for_period("2026-01"), records, result_format=3)
    ranks = {key: older.value("rep", str(key), "place")["rank"] for key, _ in reps}
    assert ranks == {10: 1, 100: 2, 9: 3, 2: 4}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(member, min_size=1, max_size=12), min_size=1, max_size=3))
def test_percent_selection_rounds_as_declared(groups: list[list[Any]]) -> None:
    """top 25% rounded up selects ceil(n / 4) records of every group."""
    result = LEAGUE.for_period("2026-03").evaluate(league(groups))
    rows = {row.key: row.outputs for row in result.rows()}
    for g, members in enumerate(groups):
        keys = [f"R{g}-{i:02d}" for i in range(len(members))]
        chosen = [k for k in keys if rows[k]["share.selected"]]
        assert len(chosen) == -(-len(members) // 4)
        assert all(rows[k]["share.rank"] <= len(chosen) for k in chosen)


def test_a_bad_call_spoils_only_the_values_that_read_it() -> None:
    """A refused call is the root cause; its rep's roll-up and the team's ranking fail naming it,
    and every rep still has its row with every value that did not read them."""
    facts = centre(months("2026-01", "2026-01"), calls=200, seed=5)["2026-01"]
    victim = facts["call"][0]
    facts["call"][0] = {**victim, "rings": "many"}
    result = CENTRE.for_period("2026-01").evaluate(facts)
    roots = {(e.details.get("kind"), str(e.location.record), e.code) for e in result.errors}
    assert roots == {("call", victim["call_id"], "not-a-whole-number")}
    failed = {(kind, key, error.code) for kind, key, _, error in result.failures()}
    assert ("rep", victim["rep_id"], "incomplete-group") in failed
    for _, _, _, error in result.failures():
        assert error.details["root"]["record"] == victim["call_id"]
        assert error.details["root"]["code"] == "not-a-whole-number"
    team = victim["rep_id"][:2].replace("R", "T")
    same_team = {r["rep_id"] for r in facts["rep"] if r["team_id"] == team}
    spoiled = {key for kind, key, _, _ in result.failures() if kind == "rep"}
    assert spoiled == same_team  # the ranking within the team reads the bad rep's roll-up
    reps = {row.key for row in result.rows() if row.kind == "rep"}
    assert reps == {r["rep_id"] for r in facts["rep"]}
    # A value that reads nothing the failure touched stands, for the bad rep too.
    row = result.result_for("team", team, "team_pool")
    assert not row.failed
    sales = sum(r["credited_sales"] for r in facts["rep"] if r["team_id"] == team)
    assert result.value("team", team, "team_sales") == sales


def test_a_missing_month_is_an_explicit_choice(tmp_path: Path) -> None:
    """history with missing: error refuses to guess a month it was not given."""
    root = ranking_folder(
        tmp_path,
        "  - {id: good, kind: formula, expr: score >= 50}\n"
        "  - {id: run, kind: history, of: good, measure: consecutive, missing: error}\n",
        policy="streak",
    )
    repo = policyengine.load(root)
    facts = league([[(Decimal(60), Decimal(100), True)]])
    result = repo.for_period("2026-02").evaluate(facts)
    assert [e.code for e in result.errors] == ["missing-history"]
    december = {"2025-12": {"rep": {"R0-00": {"good": False}}}}
    [january, february] = repo.evaluate_months(
        {"2026-01": facts, "2026-02": facts}, history=december
    )
    assert january.value("rep", "R0-00", "run") == 1
    assert february.value("rep", "R0-00", "run") == 2


def _policy(root: Path, name: str, rules: str, kind: str = "rep") -> None:
    (root / name).mkdir(parents=True, exist_ok=True)
    (root / name / "2026-01.yaml").write_text(
        f'format: 1\npolicy: {name}\nversion: "2026-01"\neffective_from: 2026-01-01\n'
        f"title: t\napplies_to: {kind}\nrules:\n{rules}",
        encoding="utf-8",
    )


@pytest.mark.parametrize(
    ("policies", "code"),
    [
        ({"a": "  - {id: x, kind: formula, expr: scor * 2}\n"}, "unknown-name"),
        (
            {
                "a": "  - {id: x, kind: formula, expr: score}\n",
                "b": "  - {id: x, kind: formula, expr: sales}\n",
            },
            "rule-id-clash",
        ),
        (
            {
                "a": "  - {id: x, kind: formula, expr: y + 1}\n",
                "b": "  - {id: y, kind: formula, expr: x + 1}\n",
            },
            "dependency-cycle",
        ),
        ({"a": "  - {id: x, kind: aggregate, of: team, function: count}\n"}, "not-a-child-kind"),
        ({"a": "  - {id: x, kind: formula, expr: team.size}\n"}, "unknown-name"),
    ],
)
def test_bundle_plan_mistakes_are_load_errors(
    tmp_path: Path, policies: dict[str, str], code: str
) -> None:
    """Names across policies, clashing ids and cross-policy loops are found when loading."""
    root = tmp_path / "policies"
    root.mkdir()
    (root / "entities.yaml").write_text(
        (FIXTURES / "ranking" / "entities.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    for name, rules in policies.items():
        _policy(root, name, rules)
    with pytest.raises(policyengine.InvalidPolicy) as caught:
        policyengine.load(root)
    assert code in [p.code for p in caught.value.problems]
    assert all(p.location.file for p in caught.value.problems)


def test_a_rule_reads_another_policys_output_and_its_parent(tmp_path: Path) -> None:
    """A rep rule reads another policy's rule and the team's roll-up through team.<name>."""
    root = tmp_path / "policies"
    root.mkdir()
    (root / "entities.yaml").write_text(
        (FIXTURES / "ranking" / "entities.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    _policy(root, "base", "  - {id: doubled, kind: formula, expr: score * 2}\n")
    _policy(
        root,
        "totals",
        "  - {id: team_total, kind: aggregate, of: rep, function: sum, value: doubled}\n",
        kind="team",
    )
    _policy(root, "share", "  - {id: part, kind: formula, expr: doubled / team.team_total}\n")
    repo = policyengine.load(root)
    result = repo.for_period("2026-01").evaluate(
        league([[(Decimal(10), Decimal(1), True), (Decimal(30), Decimal(1), True)]])
    )
    assert result.value("rep", "R0-01", "part") == Decimal("0.75")
    assert result.value("team", "T0", "team_total") == Decimal(80)
    assert datetime.date(2026, 1, 1) == repo.for_period("2026-01").period.start


def test_ten_record_mistakes_are_reported_and_good_records_evaluated() -> None:
    """Every bad record is named; sound records are evaluated; roll-ups over bad ones refuse."""
    import json

    from policyengine.facts._json import loads

    text = (FIXTURES / "entities" / "ten-mistakes.json").read_text(encoding="utf-8")
    facts = loads("ten-mistakes.json", text)
    result = CENTRE.for_period("2026-01").evaluate(facts)
    fact_codes = sorted(e.code for e in result.fact_errors)
    assert len(fact_codes) == 10
    evaluated = {(row.kind, row.key) for row in result.rows()}
    assert {("call", "C01"), ("call", "C02")} <= evaluated
    incomplete = {key for _, key, _, e in result.failures() if e.code == "incomplete-group"}
    assert "R01" in incomplete  # its calls C03 and C04 were refused
    every = {(e.details.get("kind"), str(e.location.record)) for e in result.errors}
    named = evaluated | every
    for kind, records in json.loads(text).items():
        if kind in ("team", "rep", "call"):
            key = {"team": "team_id", "rep": "rep_id", "call": "call_id"}[kind]
            assert all(
                (kind, str(r[key])) in named or (kind, str(i)) in named
                for i, r in enumerate(records)
            )


def test_a_month_result_is_read_through_methods_and_cannot_be_changed() -> None:
    """The result's values are read-only views; the runner's state is not public."""
    facts = centre(months("2026-01", "2026-01"), calls=100, seed=2)["2026-01"]
    result = CENTRE.for_period("2026-01").evaluate(facts)
    key = result.keys("rep")[0]
    values = result.values("rep", key)
    assert values is not None and "appraisal_score" in values
    with pytest.raises(TypeError):
        values["appraisal_score"] = 0  # type: ignore[index]
    assert not hasattr(result, "state")
    assert result.complete("rep") == result.keys("rep")
    assert {rule.id for _, rule in result.rules("rep")} >= {"appraisal_score", "team_rank"}


def _failed_values(root: Path, facts: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    result = policyengine.load(root).for_period("2026-01").evaluate(facts)
    return {(kind, key, rule_id, error.code) for kind, key, rule_id, error in result.failures()}


def test_what_fails_does_not_depend_on_the_order_policies_run_in(tmp_path: Path) -> None:
    """Renaming a policy moves its rules in the plan; the same values fail, for the same
    reasons, and the same values stand."""
    facts = centre(months("2026-01", "2026-01"), calls=200, seed=5)["2026-01"]
    facts["call"][0] = {**facts["call"][0], "rings": "many"}
    renamed = tmp_path / "centre"
    shutil.copytree(FIXTURES / "centre", renamed)
    (renamed / "team_pool").rename(renamed / "a_pool")
    policy = renamed / "a_pool" / "2026-01.yaml"
    policy.write_text(
        policy.read_text(encoding="utf-8").replace("policy: team_pool", "policy: a_pool"),
        encoding="utf-8",
    )
    assert _failed_values(renamed, facts) == _failed_values(FIXTURES / "centre", facts)


def test_a_month_does_not_depend_on_the_callers_decimal_context() -> None:
    """A month evaluated under a caller's prec = 6 and rounding down gives the same bytes."""
    import decimal

    facts = centre(months("2026-01", "2026-01"), calls=100, seed=3)["2026-01"]
    expected = CENTRE.for_period("2026-01").evaluate(facts).outputs_json()
    with decimal.localcontext(decimal.Context(prec=6, rounding=decimal.ROUND_DOWN)):
        again = CENTRE.for_period("2026-01").evaluate(facts).outputs_json()
    assert again == expected


_SPOILERS = {
    "call": [("rings", "many"), ("direction", "sideways"), ("greeting", "perhaps")],
    "rep": [("credited_sales", "lots"), ("satisfaction", None)],
    "team": [("sales_target", "-")],
}


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_every_record_keeps_its_row_and_every_failure_names_a_reported_root(
    data: st.DataObject,
) -> None:
    """Whatever cells are spoilt: every record has its rows; each failed value names a root
    cause that errors lists once; a value is empty exactly when it failed."""
    facts = centre(months("2026-01", "2026-01"), calls=60, seed=data.draw(st.integers(0, 3)))[
        "2026-01"
    ]
    for kind, choices in _SPOILERS.items():
        for index in data.draw(st.sets(st.integers(0, len(facts[kind]) - 1), max_size=2)):
            field, bad = data.draw(st.sampled_from(choices))
            facts[kind][index] = {**facts[kind][index], field: bad}
    result = CENTRE.for_period("2026-01").evaluate(facts)
    keys = {kind: {str(r[f"{kind}_id"]) for r in facts[kind]} for kind in ("team", "rep", "call")}
    for kind, expected in keys.items():
        assert {row.key for row in result.rows() if row.kind == kind} == expected
    roots = {
        (e.details.get("kind"), str(e.location.record), e.location.rule_id, e.code)
        for e in result.errors
    }
    assert len(roots) == len(result.errors)  # each root cause once
    for kind, key, rule_id, error in result.failures():
        cause = error.details.get("root")
        if cause is None:
            assert (kind, key, rule_id, error.code) in roots
        else:
            named = (cause["kind"], str(cause["record"]), cause.get("rule"), cause["code"])
            assert named in roots or any(
                r[0] == named[0] and r[1] == named[1] and r[3] == named[3] for r in roots
            )
    for row in result.rows():
        for name in row.failed:
            assert row.outputs[name] is None  # a failed value is empty, never a stale number


def test_evaluating_a_month_leaves_the_garbage_collector_as_it_found_it() -> None:
    """The collector is paused while a month is built, and restored after, also on failure."""
    import gc

    facts = centre(months("2026-01", "2026-01"), calls=20, seed=1)["2026-01"]
    assert gc.isenabled()
    CENTRE.for_period("2026-01").evaluate(facts)
    assert gc.isenabled()
    gc.disable()
    try:
        CENTRE.for_period("2026-01").evaluate(facts)
        assert not gc.isenabled()
    finally:
        gc.enable()


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_roll_ups_give_the_same_whether_children_are_read_at_once_or_one_by_one(
    data: st.DataObject,
) -> None:
    """A roll-up reads all of a record's children in one call when it can; the one-by-one
    visit it falls back to must give the same result document and the same explanations."""
    from policyengine.rules import aggregate

    facts = centre(months("2026-01", "2026-01"), calls=80, seed=data.draw(st.integers(0, 3)))[
        "2026-01"
    ]
    for kind, choices in _SPOILERS.items():
        for index in data.draw(st.sets(st.integers(0, len(facts[kind]) - 1), max_size=2)):
            field, bad = data.draw(st.sampled_from(choices))
            facts[kind][index] = {**facts[kind][index], field: bad}
    bundle = CENTRE.for_period("2026-01")

    def explained(result: policyengine.BundleResult) -> list[Any]:
        return [
            result.trace(kind, key, rule.id)
            for kind in ("team", "rep")
            for key in result.keys(kind)
            for _, rule in result.rules(kind)
            if rule.kind == "aggregate" and key not in result.failed_records(kind)
        ]

    at_once = bundle.evaluate(facts)
    with mock.patch.object(aggregate, "_at_once", lambda *_: None):
        one_by_one = bundle.evaluate(facts)
    assert at_once.to_json() == one_by_one.to_json()
    assert explained(at_once) == explained(one_by_one)


def test_counting_records_by_ancestor_agrees_with_asking_each_record() -> None:
    """count_by_ancestor (rolled up a kind at a time) gives what asking every record for
    its ancestor gives, with refused and orphaned records among them."""
    from collections import Counter

    facts = centre(months("2026-01", "2026-01"), calls=120, seed=4)["2026-01"]
    facts["call"][0] = {**facts["call"][0], "rings": "many"}  # refused
    facts["rep"][1] = {**facts["rep"][1], "credited_sales": "lots"}  # refused, with calls
    result = CENTRE.for_period("2026-01").evaluate(facts)
    for lower, wanted in (("call", "rep"), ("call", "team"), ("rep", "team"), ("team", "rep")):
        asked = Counter(
            above
            for key in result.keys(lower)
            if (above := result.ancestor(lower, key, wanted)) is not None
        )
        assert result.count_by_ancestor(lower, wanted) == asked
    assert sum(result.count_by_ancestor("call", "team").values()) > 0


@pytest.mark.parametrize(
    "rule",
    [
        "  - {id: r, kind: rank, within: team, by: score, order: descending, ties: []}\n",
        "  - {id: n, kind: aggregate, of: call, function: count}\n",
        "  - {id: h, kind: history, of: flag, measure: consecutive, missing: as_false}\n",
    ],
)
def test_a_kind_entities_lacks_is_reported_once_at_applies_to(tmp_path: Path, rule: str) -> None:
    """applies_to naming a kind entities.yaml lacks is the one problem reported, at its line,
    by a rule that reads other records too (not a KeyError, not a second problem)."""
    root = tmp_path / "policies"
    root.mkdir()
    shutil.copyfile(FIXTURES / "centre" / "entities.yaml", root / "entities.yaml")
    _policy(root, "x", rule, kind="agent")
    with pytest.raises(policyengine.InvalidPolicy) as raised:
        policyengine.load(root)
    assert [(p.code, p.location.line) for p in raised.value.problems] == [("unknown-kind", 6)]


def test_an_output_column_is_each_records_value_in_order() -> None:
    """output_column reads a whole column at once: the same values, in the keys' order, as
    asking each record, None where a value failed or a record was refused."""
    from policyengine.present._report_records import outputs

    facts = centre(months("2026-01", "2026-01"), calls=80, seed=6)["2026-01"]
    facts["call"][3] = {**facts["call"][3], "rings": "many"}
    facts["rep"][2] = {**facts["rep"][2], "satisfaction": None}
    result = CENTRE.for_period("2026-01").evaluate(facts)
    for kind in ("team", "rep", "call"):
        keys = [*result.keys(kind), "no-such-record"]
        for output in outputs(result, kind):
            expected = [output.value(result.values(kind, key) or {}) for key in keys]
            assert result.output_column(kind, keys, output.rule, output.part) == expected
    assert result.keys("call") == sorted(result.keys("call"))  # sorted, and a copy each time
    result.keys("call").clear()
    assert result.keys("call")
