"""Plain example months: teams, rep-months and calls, drawn from one seeded generator.

The records every example month is made of are drawn here (a rep, a
rep-month's figures, a call, a team), so that the plain months of
:func:`centre` and the hard-case months of
:mod:`policyengine.facts._sample_hard_cases` draw them alike. The same arguments
always give the same records: the generator is seeded, never the clock.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from ..core._period import Period

Facts = dict[str, list[dict[str, Any]]]


def months(first: str, last: str) -> list[Period]:
    """Every month from ``first`` to ``last`` inclusive."""
    start, end = Period.parse(first), Period.parse(last)
    found = []
    while start <= end:
        found.append(start)
        start = start.shift(1)
    return found


def centre(
    periods: list[Period],
    *,
    teams: int = 3,
    reps: int = 12,
    calls: int = 2000,
    seed: int = 1,
) -> dict[str, Facts]:
    """Facts for each month: ``teams`` teams of ``reps`` reps, ``calls`` calls a month."""
    rng = random.Random(seed)
    start = datetime.date(2024, 1, 1)
    staff = [
        new_rep(rng, t, r, start + datetime.timedelta(days=rng.randrange(0, 800)))
        for t in range(teams)
        for r in range(reps)
    ]
    found: dict[str, Facts] = {}
    for period in periods:
        rep_rows = [rep_month(rng, member, period) for member in staff]
        active = [row for row in rep_rows if row["hired_on"] <= period.end]
        call_rows = [call(rng, period, index, active) for index in range(calls)]
        found[period.key] = {"team": team_rows(teams, reps), "rep": active, "call": call_rows}
    return found


def team_rows(teams: int, reps: int) -> list[dict[str, Any]]:
    """A month's teams: numbered from T1, each with a sales target for ``reps`` reps."""
    return [
        {
            "team_id": f"T{t + 1}",
            "team_name": f"第{t + 1}组",
            "sales_target": Decimal(reps * 90000),
        }
        for t in range(teams)
    ]


def new_rep(rng: random.Random, team: int, number: int, hired_on: datetime.date) -> dict[str, Any]:
    """A rep as hired: id, team, name, hiring day, and a skill that scales their sales."""
    return {
        "rep_id": f"R{team + 1}{number + 1:02d}",
        "team_id": f"T{team + 1}",
        "name": f"营销代表{team + 1}-{number + 1:02d}",
        "hired_on": hired_on,
        "skill": Decimal(rng.randrange(60, 140)) / 100,
    }


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100)) / 100


def rep_month(rng: random.Random, person: dict[str, Any], period: Period) -> dict[str, Any]:
    skill = person["skill"]
    sales = (_money(rng, 20000, 160000) * skill).quantize(Decimal("0.01"))
    return {
        "rep_id": person["rep_id"],
        "name": person["name"],
        "team_id": person["team_id"],
        "role": "rep",
        "hired_on": person["hired_on"],
        "base_salary": Decimal(3000),
        "credited_sales": sales,
        "self_sourced_sales": (sales * Decimal(rng.randrange(0, 30)) / 100).quantize(
            Decimal("0.01")
        ),
        "dials": rng.randrange(400, 1100),
        "talk_minutes": rng.randrange(900, 2600),
        "days_worked": rng.randrange(15, period.days - 7),
        "phone_bill": _money(rng, 80, 400),
        "satisfaction": Decimal(rng.randrange(60, 100)),
        "attitude": Decimal(rng.randrange(60, 100)),
        "service_quality": Decimal(rng.randrange(60, 100)),
        "late_count": rng.choice((0, 0, 0, 1, 2)),
        "absent_days": rng.choice((0, 0, 0, 0, 1)),
        "complaints_upheld": rng.choice((0, 0, 0, 0, 0, 1)),
    }


def call(
    rng: random.Random, period: Period, index: int, reps: list[dict[str, Any]]
) -> dict[str, Any]:
    rep = reps[rng.randrange(len(reps))]
    sloppy = rng.random() < 0.08
    return {
        "call_id": f"C{period.key.replace('-', '')}{index:06d}",
        "rep_id": rep["rep_id"],
        "direction": rng.choice(("呼入", "呼出")),
        "rings": rng.randrange(1, 6 if sloppy else 4),
        "greeting": not (sloppy and rng.random() < 0.5),
        "introduced": True,
        "recorded_info": not (sloppy and rng.random() < 0.5),
        "customer_hung_up_first": not (sloppy and rng.random() < 0.3),
        "abusive": sloppy and rng.random() < 0.02,
    }
