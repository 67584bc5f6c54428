"""Example months that hold the hard cases a payroll month meets.

Every month of :func:`monthly` holds each of them (see :class:`HardCases`):
lead conflicts escalated to the manager and to leadership, a malicious grab,
new hires, an exact tie within a team, a rep leaving mid-month and referral
sales. The same reps play the same case every month (:class:`_Cast`), except
the leaver, who is a different rep each month and gone from the months
after. The records themselves are drawn as :mod:`policyengine.facts._sample_centre`
draws them, from one seeded generator, in one fixed order.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import attrs

from ..core._messages import Catalogue
from ..core._period import Period
from ..core._text_templates import said_text, saying
from ._sample_centre import Facts, call, new_rep, rep_month, team_rows


@attrs.frozen
class HardCases:
    """Which records of one month hold each hard case (keys of rep records)."""

    tie: tuple[str, str]  # two reps of one team with exactly the same figures and calls
    conflict_to_manager: str  # lead conflicts escalated to the sales manager
    conflict_to_leadership: str  # … and to the company's leadership
    malicious_grab: str
    new_hires: tuple[str, ...]  # hired within the three months up to this one
    leaver: str  # leaves in the middle of this month
    referrals: tuple[str, ...]  # sales from customers' referrals

    def lines(self, catalogue: Catalogue | None = None) -> list[str]:
        """Where each hard case is, in ``catalogue``'s language (English without one)."""
        said = saying(catalogue)
        return [
            said("case-tie", first=self.tie[0], second=self.tie[1]),
            said("case-to-manager", rep=self.conflict_to_manager),
            said("case-to-leadership", rep=self.conflict_to_leadership),
            said("case-malicious-grab", rep=self.malicious_grab),
            said("case-new-hires", reps=", ".join(self.new_hires)),
            said("case-leaver", rep=self.leaver),
            said("case-referrals", reps=", ".join(self.referrals)),
        ]


@attrs.frozen
class Month:
    """One month of generated facts, and where its hard cases are."""

    period: Period
    facts: Facts
    cases: HardCases


#: The two reps of the first team whose figures and calls are exactly the same.
_TWINS = ((0, 0), (0, 1))


@attrs.frozen
class _Cast:
    """The reps who play the same hard case in every month (keys of rep records)."""

    tie: tuple[str, str]  # the second's row is a copy of the first's, under its own id
    twin_name: str  # the second's own name
    to_manager: str
    to_leadership: str
    grab: str
    referral: str


def monthly(
    periods: Sequence[Period],
    *,
    teams: int = 3,
    reps: int = 12,
    calls: int = 2000,
    seed: int = 1,
) -> list[Month]:
    """Facts for each month with every hard case in every month (see :class:`HardCases`).

    ``teams`` teams of ``reps`` reps to start with; each month one rep joins
    (on the 3rd) and one leaves (on the 15th, and is gone from the months
    after). Raises ValueError when there are too few reps for every case.
    """
    candidates = _candidates(periods, teams, reps, calls)
    rng = random.Random(seed)
    first = min(periods)
    staff = [
        new_rep(rng, t, r, first.start - datetime.timedelta(days=rng.randrange(120, 1500)))
        for t in range(teams)
        for r in range(reps)
    ]
    by_slot = {(t, r): staff[t * reps + r] for t in range(teams) for r in range(reps)}
    twin_a, twin_b = by_slot[_TWINS[0]], by_slot[_TWINS[1]]
    twin_b["hired_on"] = twin_a["hired_on"]
    manager, leadership, grab, referral = (by_slot[c]["rep_id"] for c in candidates[:4])
    cast = _Cast(
        (twin_a["rep_id"], twin_b["rep_id"]), twin_b["name"], manager, leadership, grab, referral
    )
    found: list[Month] = []
    gone: set[str] = set()
    for number, period in enumerate(sorted(periods)):
        joined = period.start + datetime.timedelta(2)
        staff.append(new_rep(rng, number % teams, reps + number, joined))
        leaver = by_slot[candidates[-(number + 1)]]["rep_id"]
        active = [p for p in staff if p["hired_on"] <= period.end and p["rep_id"] not in gone]
        rows = _rep_rows(rng, period, number, active, leaver, cast)
        callers = [row for row in rows if row["rep_id"] != cast.tie[1]]
        call_rows = _call_rows(rng, period, calls, callers, cast.tie)
        facts: Facts = {"team": team_rows(teams, reps), "rep": rows, "call": call_rows}
        found.append(Month(period, facts, _cases(period, rows, leaver, cast)))
        gone.add(leaver)
    return found


def _candidates(
    periods: Sequence[Period], teams: int, reps: int, calls: int
) -> list[tuple[int, int]]:
    """The (team, rep) slots that can play a case other than the tie: the first four play
    one each, and each month's leaver is taken from the end. ValueError when too few."""
    if not periods:
        raise Refused("sample-no-months")
    if teams < 1 or reps < 3 or calls < 0:
        raise Refused("sample-too-small")
    if reps + len(periods) > 99:
        raise Refused("sample-too-many-reps")
    candidates = [(t, r) for r in range(reps) for t in range(teams) if (t, r) not in _TWINS]
    if len(candidates) < 4 + len(periods):
        least = 4 + len(periods) + 2
        raise Refused("sample-too-few", teams=teams, reps=reps, months=len(periods), least=least)
    return candidates


class Refused(ValueError):
    """Months the generator cannot make, said by name (core/_text_templates.py): in English
    as a ValueError, or in a catalogue's language (:meth:`said`)."""

    def __init__(self, name: str, /, **values: Any) -> None:
        super().__init__(said_text(name, None, **values))
        self.name, self.values = name, values

    def said(self, catalogue: Catalogue | None) -> str:
        return said_text(self.name, catalogue, **self.values)


def _rep_rows(
    rng: random.Random,
    period: Period,
    number: int,
    active: list[dict[str, Any]],
    leaver: str,
    cast: _Cast,
) -> list[dict[str, Any]]:
    """The month's rep records, with the figures of each hard case written in."""
    rows = [rep_month(rng, person, period) for person in active]
    by_id = {row["rep_id"]: row for row in rows}
    for row in rows:
        row["referral_sales"] = Decimal(0)
        if rng.randrange(4) == 0 or row["rep_id"] == cast.referral:
            share = Decimal(rng.randrange(5, 25)) / 100
            row["referral_sales"] = (row["credited_sales"] * share).quantize(Decimal("0.01"))
        days = (period.end - row["hired_on"]).days + 1
        row["days_worked"] = min(row["days_worked"], max(1, days * 5 // 7))
        row.update(funnel(rng, row["dials"]))
    by_id[cast.to_manager]["conflicts_to_manager"] = 1 + number % 2
    by_id[cast.to_leadership]["conflicts_to_manager"] = 1
    by_id[cast.to_leadership]["conflicts_to_leadership"] = 1
    by_id[cast.grab]["malicious_grab"] = True
    left = by_id[leaver]
    left["left_on"] = period.start + datetime.timedelta(14)
    left["days_worked"] = min(left["days_worked"], 10)
    twin = dict(by_id[cast.tie[0]])
    twin.update(rep_id=cast.tie[1], name=cast.twin_name)
    rows[rows.index(by_id[cast.tie[1]])] = twin
    return rows


def _call_rows(
    rng: random.Random,
    period: Period,
    calls: int,
    callers: list[dict[str, Any]],
    tie: tuple[str, str],
) -> list[dict[str, Any]]:
    """The month's calls; the second twin gets a copy of each of the first's."""
    call_rows = [call(rng, period, index, callers) for index in range(calls)]
    for row in call_rows:
        row["transferred_without_consent"] = rng.randrange(200) == 0
        row["logged_same_day"] = rng.randrange(40) != 0
    return call_rows + [
        {**c, "call_id": c["call_id"] + "T", "rep_id": tie[1]}
        for c in call_rows
        if c["rep_id"] == tie[0]
    ]


def _cases(period: Period, rows: list[dict[str, Any]], leaver: str, cast: _Cast) -> HardCases:
    """Where the month's hard cases are."""
    hires = tuple(
        row["rep_id"] for row in rows if _months_between(row["hired_on"], period.start) < 3
    )
    return HardCases(
        tie=cast.tie,
        conflict_to_manager=cast.to_manager,
        conflict_to_leadership=cast.to_leadership,
        malicious_grab=cast.grab,
        new_hires=hires,
        leaver=leaver,
        referrals=tuple(r["rep_id"] for r in rows if r["referral_sales"] > 0),
    )


def funnel(rng: random.Random, dials: int) -> dict[str, int]:
    """Call outcomes that fit together: connected ≤ dials, intents ≤ connected, deals ≤
    intents, callbacks made on time ≤ callbacks due."""
    connected = dials * rng.randrange(40, 75) // 100
    intents = connected * rng.randrange(5, 20) // 100
    due = rng.randrange(10, 60)
    return {
        "connected_calls": connected,
        "intent_customers": intents,
        "deals": intents * rng.randrange(20, 50) // 100,
        "callbacks_due": due,
        "callbacks_on_time": due * rng.randrange(70, 101) // 100,
        "left_post_count": rng.choice((0, 0, 0, 0, 1)),
    }


def _months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole months from ``start`` to ``end`` (as the expression function counts them)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (end.day < start.day)
