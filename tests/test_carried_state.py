"""State carried forward: a `history` rule of measure `previous` reads last month's
value of an output, the output may read it back (no dependency-cycle), and the
first month takes the value its `missing:` declares."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from helpers import assert_streak_carries_on, ranking_folder

import policyengine

STREAK = """\
  - {id: streak_before, kind: history, of: streak, measure: previous, missing: as_zero}
  - {id: streak, kind: formula, expr: "streak_before + 1 if score >= 50 else 0"}
"""

REGULAR = """\
  - {id: was_regular, kind: history, of: regular, measure: previous, missing: as_false}
  - {id: regular, kind: formula, expr: was_regular or sales >= 1000}
"""


def _month(*reps: tuple[str, int, int]) -> dict[str, list[dict[str, Any]]]:
    """One team; each rep as (key, score, sales)."""
    rows = [
        {"rep_id": k, "team_id": "T0", "score": Decimal(s), "sales": Decimal(v), "eligible": True}
        for k, s, v in reps
    ]
    return {"team": [{"team_id": "T0"}], "rep": rows}


def test_a_streak_counter_counts_months_in_a_row(tmp_path: Path) -> None:
    """streak reads its own value of last month: 1, 2, then 0 when the score drops;
    the first month starts from the declared zero."""
    repo = policyengine.load(ranking_folder(tmp_path, STREAK))
    months = {
        "2026-01": _month(("A", 60, 0), ("B", 10, 0)),
        "2026-02": _month(("A", 70, 0), ("B", 55, 0)),
        "2026-03": _month(("A", 20, 0), ("B", 90, 0)),
    }
    results = repo.evaluate_months(months)
    streaks = [{key: r.value("rep", key, "streak") for key in ("A", "B")} for r in results]
    assert streaks == [{"A": 1, "B": 0}, {"A": 2, "B": 1}, {"A": 0, "B": 2}]
    assert all(r.errors == () for r in results)


def test_once_regular_stays_regular(tmp_path: Path) -> None:
    """A rep regular once (sales of 1,000 or more) stays regular in later months."""
    repo = policyengine.load(ranking_folder(tmp_path, REGULAR))
    months = {
        "2026-01": _month(("A", 0, 1500), ("B", 0, 10)),
        "2026-02": _month(("A", 0, 0), ("B", 0, 2000)),
        "2026-03": _month(("A", 0, 0), ("B", 0, 0)),
    }
    flags = [
        {key: r.value("rep", key, "regular") for key in ("A", "B")}
        for r in repo.evaluate_months(months)
    ]
    assert flags == [{"A": True, "B": False}, {"A": True, "B": True}, {"A": True, "B": True}]


def test_a_rule_reading_its_own_previous_value_is_not_a_cycle(tmp_path: Path) -> None:
    """The policy loads alone and in its folder; a same-month loop is still refused."""
    root = ranking_folder(tmp_path, STREAK)
    policy = policyengine.load_policy(root / "state" / "2026-01.yaml")
    assert policy.plan == ("streak_before", "streak")
    looped = ranking_folder(
        tmp_path / "loop",
        "  - {id: run, kind: history, of: streak, measure: consecutive, missing: as_false}\n"
        "  - {id: streak, kind: formula, expr: run > 0}\n",
    )
    with pytest.raises(policyengine.InvalidPolicy) as refused:
        policyengine.load_policy(looped / "state" / "2026-01.yaml")
    assert [p.code for p in refused.value.problems] == ["dependency-cycle"]


def test_the_first_month_without_history_uses_the_declared_value(tmp_path: Path) -> None:
    """With missing: error instead, the first month is refused rather than guessed;
    given last month's value, it carries on from it."""
    rules = STREAK.replace("missing: as_zero", "missing: error")
    repo = policyengine.load(ranking_folder(tmp_path, rules))
    month = _month(("A", 60, 0))
    assert_streak_carries_on(repo, month)


@pytest.mark.parametrize(
    ("of", "code"),
    [("streek", "unknown-name"), ("team.team_id", "bad-history-of"), ("1x", "bad-history-of")],
)
def test_a_bad_previous_is_refused_at_load(tmp_path: Path, of: str, code: str) -> None:
    """previous of a name this kind does not have, of a parent's value, or of no name
    at all is refused at load, at the rule's line."""
    rules = STREAK.replace("of: streak,", f"of: {of},")
    root = ranking_folder(tmp_path, rules)
    with pytest.raises(policyengine.InvalidPolicy) as refused:
        policyengine.load(root)
    [problem] = refused.value.problems
    assert (problem.code, problem.location.line) == (code, 8)
