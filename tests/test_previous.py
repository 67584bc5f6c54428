"""``previous(name)`` in an expression: an output reads its own value of last month, with
a declared initial value for the first month, takes part in history as a ``history`` rule
of measure ``previous`` does, and replays byte for byte from a ledger."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import add_rep_policy, assert_streak_carries_on, ranking_folder

import policyengine
from policyengine.audit._replay import replay_run
from policyengine.audit.ledger import open_ledger
from policyengine.month import Recording, run_month
from policyengine.run._bundle import evaluate_bundle

RULES = """\
  - id: regular
    kind: formula
    expr: previous(regular, False) or sales >= 1000
  - id: streak
    kind: formula
    expr: "previous(streak, 0) + 1 if score >= 50 else 0"
"""

#: Each month's reps: (key, score, sales).
MONTHS = {
    "2026-01": [("A", 60, 1500), ("B", 10, 10)],
    "2026-02": [("A", 70, 0), ("B", 55, 2000)],
    "2026-03": [("A", 20, 0), ("B", 90, 0)],
}


def _facts(tmp_path: Path, month: str) -> Path:
    folder = tmp_path / "facts" / month
    folder.mkdir(parents=True)
    (folder / "team.csv").write_text("team_id\nT0\n", encoding="utf-8")
    rows = "".join(f"{k},T0,{s},{v},true\n" for k, s, v in MONTHS[month])
    (folder / "rep.csv").write_text(
        "rep_id,team_id,score,sales,eligible\n" + rows, encoding="utf-8"
    )
    return folder


def test_state_carries_forward_through_a_ledger_and_replays_the_same(tmp_path: Path) -> None:
    """Once regular, stays regular; the streak counts months in a row; each month reads
    the last from the ledger, records what it read, and replays byte for byte."""
    repo = policyengine.load(ranking_folder(tmp_path, RULES))
    ledger = tmp_path / "ledger.sqlite"
    runs = []
    for index, month in enumerate(MONTHS):
        recording = Recording(new=True) if index == 0 else None
        runs.append(
            run_month(repo, month, _facts(tmp_path, month), ledger=ledger, recording=recording)
        )
    regular = [{k: r.result.value("rep", k, "regular") for k in "AB"} for r in runs]
    streak = [{k: r.result.value("rep", k, "streak") for k in "AB"} for r in runs]
    assert regular == [{"A": True, "B": False}, {"A": True, "B": True}, {"A": True, "B": True}]
    assert streak == [{"A": 1, "B": 0}, {"A": 2, "B": 1}, {"A": 0, "B": 2}]
    assert [r.history_runs for r in runs] == [(), (1,), (1, 2)]
    assert runs[0].history_readers == ("regular", "streak")  # the first month had none
    with open_ledger(ledger) as opened:
        outcomes = [replay_run(opened, run.id) for run in opened.runs()]
    assert [o.identical for o in outcomes] == [True, True, True]


def test_the_rule_reading_its_own_past_is_no_cycle(tmp_path: Path) -> None:
    """previous(name) is no read of this month: the policy loads; a plain self-read loops."""
    policy = policyengine.load_policy(ranking_folder(tmp_path, RULES) / "state" / "2026-01.yaml")
    assert policy.plan == ("regular", "streak")
    looped = ranking_folder(
        tmp_path / "loop", "  - {id: streak, kind: formula, expr: streak + 1}\n"
    )
    with pytest.raises(policyengine.InvalidPolicy) as refused:
        policyengine.load(looped)
    assert [p.code for p in refused.value.problems] == ["dependency-cycle"]


def test_without_an_initial_value_the_first_month_is_missing_history(tmp_path: Path) -> None:
    """previous(name) alone: a record with no last month fails, and carries on given one."""
    rules = "  - {id: streak, kind: formula, expr: 'previous(streak) + 1'}\n"
    repo = policyengine.load(ranking_folder(tmp_path, rules))
    month = {
        "team": [{"team_id": "T0"}],
        "rep": [{"rep_id": "A", "team_id": "T0", "score": 1, "sales": 1, "eligible": True}],
    }
    assert_streak_carries_on(repo, month)


@pytest.mark.parametrize(
    ("expr", "code"),
    [
        ("previous(streak, score) + 1", "forbidden-syntax"),
        ("previous(streak + 1)", "forbidden-syntax"),
        ("previous() + 1", "forbidden-syntax"),
    ],
)
def test_a_bad_previous_is_refused_at_load(tmp_path: Path, expr: str, code: str) -> None:
    """A name the kind does not have, an initial value that is not written, or no name."""
    rules = f"  - {{id: streak, kind: formula, expr: '{expr}'}}\n"
    with pytest.raises(policyengine.InvalidPolicy) as refused:
        policyengine.load(ranking_folder(tmp_path, rules))
    assert [p.code for p in refused.value.problems] == [code]


def test_previous_has_the_type_of_what_it_reads(tmp_path: Path) -> None:
    """previous(base) of money is money: multiplied by money, it is refused."""
    rules = (
        "  - {id: base, kind: formula, expr: 'sales * 2'}\n"
        "  - {id: pay, kind: formula, expr: 'previous(base, 0) * sales'}\n"
    )
    with pytest.raises(policyengine.InvalidPolicy) as refused:
        policyengine.load(ranking_folder(tmp_path, rules))
    assert [p.code for p in refused.value.problems] == ["money-times-money"]


def test_previous_of_an_unknown_name_is_refused(tmp_path: Path) -> None:
    """In a policy file alone, previous() of a name it does not have is unknown-name."""
    path = tmp_path / "p.yaml"
    path.write_text(
        'format: 1\npolicy: p\nversion: "1"\neffective_from: 2026-01-01\ntitle: t\n'
        "inputs:\n  score: decimal\nrules:\n"
        "  - {id: streak, kind: formula, expr: 'previous(streek, 0) + 1'}\n",
        encoding="utf-8",
    )
    problems = policyengine.check_policy(path)
    assert [(p.code, p.details["name"], p.hint) for p in problems] == [
        ("unknown-name", "streek", "did you mean 'streak'?")
    ]


def test_previous_of_an_unknown_name_is_refused_beside_entities(tmp_path: Path) -> None:
    """Beside entities.yaml a name may be another policy's rule, but previous() of a name
    no field and no rule in force gives is unknown-name, not the initial value every
    month; previous() of another policy's rule is read."""
    rules = "  - {id: streak, kind: formula, expr: 'previous(streek, 0) + 1'}\n"
    with pytest.raises(policyengine.InvalidPolicy) as refused:
        policyengine.load(ranking_folder(tmp_path / "typo", rules))
    problem = refused.value.problems[0]
    assert [p.code for p in refused.value.problems] == ["unknown-name"]
    assert (problem.details["name"], problem.hint) == ("streek", "did you mean 'streak'?")
    root = ranking_folder(
        tmp_path / "other", "  - {id: doubled, kind: formula, expr: 'score * 2'}\n"
    )
    add_rep_policy(
        root, "later", "  - {id: was, kind: formula, expr: 'previous(doubled, 0) + 1'}\n"
    )
    assert policyengine.load(root).for_period("2026-01") is not None


def test_the_explanation_names_last_months_value(tmp_path: Path) -> None:
    """Explaining the streak shows the value of last month it was computed from."""
    repo = policyengine.load(ranking_folder(tmp_path, RULES))
    months = {
        month: {
            "team": [{"team_id": "T0"}],
            "rep": [
                {"rep_id": k, "team_id": "T0", "score": s, "sales": v, "eligible": True}
                for k, s, v in reps
            ],
        }
        for month, reps in MONTHS.items()
    }
    results = repo.evaluate_months(months)
    lines = results[1].explain("rep", "A", "streak").splitlines()
    assert lines[0] == "streak = 2"
    assert "  last month streak = 1" in lines


def test_a_null_value_last_month_counts_as_no_value(tmp_path: Path) -> None:
    """A rep not eligible last month has a null rank: history's ``missing: as_zero`` gives
    0 for it and previous() its initial value (from result format 4), not a null that
    fails the rule reading it; a run recorded in format 3 replays as it was computed."""
    rules = (
        "  - {id: place, kind: rank, by: score, order: descending, ties: [],"
        " eligible: 'eligible'}\n"
        "  - {id: was, kind: history, of: place.rank, measure: previous, missing: as_zero}\n"
        "  - {id: before, kind: formula, expr: 'previous(place.rank, 0)'}\n"
    )
    repo = policyengine.load(ranking_folder(tmp_path, rules))

    def month(period: str, eligible: bool, history: dict[str, object] | None = None) -> object:
        rep = {"rep_id": "A", "team_id": "T0", "score": 1, "sales": 0, "eligible": eligible}
        facts = {"team": [{"team_id": "T0"}], "rep": [rep]}
        return evaluate_bundle(repo.for_period(period), facts, history=history, **format_)

    format_: dict[str, int] = {}
    january = month("2026-01", False)
    assert january.value("rep", "A", "place")["rank"] is None
    february = month("2026-02", True, {"2026-01": january.snapshot()})
    assert (february.value("rep", "A", "was"), february.value("rep", "A", "before")) == (0, 0)
    format_ = {"result_format": 3}
    older = month("2026-02", True, {"2026-01": january.snapshot()})
    assert (older.value("rep", "A", "was"), older.value("rep", "A", "before")) == (None, None)


@pytest.mark.parametrize(
    ("history", "form"),
    [
        ({"2026-1": {}}, "month"),
        ({"january": {}}, "month"),
        ({"2026-02": {}}, "later"),
        ({"2026-05": {}}, "later"),
        ({"2026-01": {"rep": ["A"]}}, "values"),
        ([], "shape"),
    ],
)
def test_history_that_is_no_earlier_months_snapshots_is_refused(
    tmp_path: Path, history: object, form: str
) -> None:
    """A month written '2026-1', the month itself or a later one, or no snapshot: it was
    ignored, and the streak silently started again; it is bad-history."""
    repo = policyengine.load(ranking_folder(tmp_path, RULES))
    facts = {
        "team": [{"team_id": "T0"}],
        "rep": [{"rep_id": "A", "team_id": "T0", "score": 60, "sales": 0, "eligible": True}],
    }
    with pytest.raises(policyengine.UsageError) as refused:
        repo.for_period("2026-02").evaluate(facts, history=history)  # type: ignore[arg-type]
    assert (refused.value.code, refused.value.form) == ("bad-history", form)
