"""A deterministic generator of example centre data: teams, rep-months and calls.

The same arguments always give the same records (a seeded generator, never
the clock), so examples, tests and benchmarks are reproducible. Figures are
realistic, not real. :func:`centre` follows the kinds of
``tests/fixtures/centre/entities.yaml`` (team, rep, call); the files
:func:`write_months` writes keep only the fields a policy folder's
``entities.yaml`` declares.

:func:`centre` gives plain months for tests and benchmarks. :func:`monthly`
gives months that hold the hard cases a payroll month meets (lead
conflicts at both escalation levels, a malicious grab, new hires, an exact
tie, a rep leaving mid-month, referrals), and :func:`write_months` writes
them as one folder of CSV files per month, with the columns the entities
of a policy folder declare, headed by the fields' titles.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from .entities import Entities, Kind
from .model import Field
from .period import Period

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
    staff = [
        {
            "rep_id": f"R{t + 1}{r + 1:02d}",
            "team_id": f"T{t + 1}",
            "name": f"营销代表{t + 1}-{r + 1:02d}",
            "hired_on": datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randrange(0, 800)),
            "skill": Decimal(rng.randrange(60, 140)) / 100,
        }
        for t in range(teams)
        for r in range(reps)
    ]
    found: dict[str, Facts] = {}
    for period in periods:
        team_rows = [
            {
                "team_id": f"T{t + 1}",
                "team_name": f"第{t + 1}组",
                "sales_target": Decimal(reps * 90000),
            }
            for t in range(teams)
        ]
        rep_rows = [_rep_month(rng, person, period) for person in staff]
        active = [row for row in rep_rows if row["hired_on"] <= period.end]
        call_rows = [_call(rng, period, index, active) for index in range(calls)]
        found[period.key] = {"team": team_rows, "rep": active, "call": call_rows}
    return found


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100)) / 100


def _rep_month(rng: random.Random, person: dict[str, Any], period: Period) -> dict[str, Any]:
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


def _call(
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


# --- months with the hard cases -------------------------------------------------------


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

    def lines(self) -> list[str]:
        return [
            f"exact tie (same sales, figures and calls): {self.tie[0]} and {self.tie[1]}",
            f"lead conflict escalated to the manager: {self.conflict_to_manager}",
            f"lead conflict escalated to leadership: {self.conflict_to_leadership}",
            f"malicious grab: {self.malicious_grab}",
            f"new hires: {', '.join(self.new_hires)}",
            f"leaves mid-month: {self.leaver}",
            f"referral sales: {', '.join(self.referrals)}",
        ]


@attrs.frozen
class Month:
    """One month of generated facts, and where its hard cases are."""

    period: Period
    facts: Facts
    cases: HardCases


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
    if not periods:
        raise ValueError("no months to generate")
    if teams < 1 or reps < 3 or calls < 0:
        raise ValueError("need at least 1 team, 3 reps per team and no negative call count")
    if reps + len(periods) > 99:
        raise ValueError("at most 99 reps per team, new hires included")
    candidates = [(t, r) for r in range(reps) for t in range(teams) if (t, r) not in _TWINS]
    if len(candidates) < 4 + len(periods):
        raise ValueError(
            f"{teams} teams of {reps} reps are too few for every hard case in "
            f"{len(periods)} months: give at least {4 + len(periods) + 2} reps in all"
        )
    rng = random.Random(seed)
    first = min(periods)
    staff = [
        _person(rng, t, r, first.start - datetime.timedelta(days=rng.randrange(120, 1500)))
        for t in range(teams)
        for r in range(reps)
    ]
    by_slot = {(t, r): staff[t * reps + r] for t in range(teams) for r in range(reps)}
    twin_a, twin_b = by_slot[_TWINS[0]], by_slot[_TWINS[1]]
    twin_b["hired_on"] = twin_a["hired_on"]
    manager, leadership, grab, referral = (by_slot[c]["rep_id"] for c in candidates[:4])
    leavers: dict[str, str] = {}  # period key -> rep id
    found: list[Month] = []
    gone: set[str] = set()
    for number, period in enumerate(sorted(periods)):
        joiner = _person(rng, number % teams, reps + number, period.start + datetime.timedelta(2))
        staff.append(joiner)
        leaver = by_slot[candidates[-(number + 1)]]["rep_id"]
        leavers[period.key] = leaver
        active = [p for p in staff if p["hired_on"] <= period.end and p["rep_id"] not in gone]
        rows = [_rep_month(rng, person, period) for person in active]
        by_id = {row["rep_id"]: row for row in rows}
        for row in rows:
            row["referral_sales"] = Decimal(0)
            if rng.randrange(4) == 0 or row["rep_id"] == referral:
                share = Decimal(rng.randrange(5, 25)) / 100
                row["referral_sales"] = (row["credited_sales"] * share).quantize(Decimal("0.01"))
            days = (period.end - row["hired_on"]).days + 1
            row["days_worked"] = min(row["days_worked"], max(1, days * 5 // 7))
            row.update(_funnel(rng, row["dials"]))
        by_id[manager]["conflicts_to_manager"] = 1 + number % 2
        by_id[leadership]["conflicts_to_manager"] = 1
        by_id[leadership]["conflicts_to_leadership"] = 1
        by_id[grab]["malicious_grab"] = True
        left = by_id[leaver]
        left["left_on"] = period.start + datetime.timedelta(14)
        left["days_worked"] = min(left["days_worked"], 10)
        twin = dict(by_id[twin_a["rep_id"]])
        twin.update(rep_id=twin_b["rep_id"], name=twin_b["name"])
        rows[rows.index(by_id[twin_b["rep_id"]])] = twin
        callers = [row for row in rows if row["rep_id"] != twin_b["rep_id"]]
        call_rows = [_call(rng, period, index, callers) for index in range(calls)]
        for call in call_rows:
            call["transferred_without_consent"] = rng.randrange(200) == 0
            call["logged_same_day"] = rng.randrange(40) != 0
        call_rows += [
            {**c, "call_id": c["call_id"] + "T", "rep_id": twin_b["rep_id"]}
            for c in call_rows
            if c["rep_id"] == twin_a["rep_id"]
        ]
        team_rows = [
            {
                "team_id": f"T{t + 1}",
                "team_name": f"第{t + 1}组",
                "sales_target": Decimal(reps * 90000),
            }
            for t in range(teams)
        ]
        hires = tuple(
            row["rep_id"] for row in rows if _months_between(row["hired_on"], period.start) < 3
        )
        cases = HardCases(
            tie=(twin_a["rep_id"], twin_b["rep_id"]),
            conflict_to_manager=manager,
            conflict_to_leadership=leadership,
            malicious_grab=grab,
            new_hires=hires,
            leaver=leaver,
            referrals=tuple(r["rep_id"] for r in rows if r["referral_sales"] > 0),
        )
        found.append(Month(period, {"team": team_rows, "rep": rows, "call": call_rows}, cases))
        gone.add(leaver)
    return found


def _funnel(rng: random.Random, dials: int) -> dict[str, int]:
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


#: The two reps of the first team whose figures and calls are exactly the same.
_TWINS = ((0, 0), (0, 1))


def _person(rng: random.Random, team: int, number: int, hired_on: datetime.date) -> dict[str, Any]:
    return {
        "rep_id": f"R{team + 1}{number + 1:02d}",
        "team_id": f"T{team + 1}",
        "name": f"营销代表{team + 1}-{number + 1:02d}",
        "hired_on": hired_on,
        "skill": Decimal(rng.randrange(60, 140)) / 100,
    }


def _months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole months from ``start`` to ``end`` (as the expression function counts them)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (end.day < start.day)


# --- writing months as CSV folders ------------------------------------------------------

#: The generator's key and parent-link fields of each kind it makes.
_KEYS = {"team": ("team_id", None), "rep": ("rep_id", "team_id"), "call": ("call_id", "rep_id")}


def fit(facts: Facts, entities: Entities, period: Period) -> Facts:
    """The month's records as ``entities`` declares them: only declared kinds and fields,
    the key and parent link under the declared names, values of the declared types, and a
    plausible value for a declared field without a default the generator does not make."""
    found: Facts = {}
    for kind, records in facts.items():
        spec = entities.kinds.get(kind)
        if spec is None:
            continue
        fields = list(spec.fields.values())
        fillers = {
            f.name: random.Random(f"{period.key}/{kind}/{f.name}")
            for f in fields
            if not f.has_default
        }
        rows = []
        for index, generated in enumerate(records):
            record = _renamed(kind, generated, spec)
            row: dict[str, Any] = {}
            for field in fields:
                if field.name in record:
                    row[field.name] = _as_field(record[field.name], field)
                elif not field.has_default and field.type != "list":
                    row[field.name] = _filler(fillers[field.name], field, kind, index)
            rows.append(row)
        found[kind] = rows
    return found


def write_months(
    months_: Sequence[Month], folder: str | Path, entities: Entities | None
) -> list[Path]:
    """Write each month as ``folder/<YYYY-MM>/<kind>.csv``; returns the files written.

    With ``entities``, each kind's file has exactly the declared fields (see
    :func:`fit`), in the declared order, headed by their titles (else their
    names); a field left to its default is an empty cell. Without, every
    generated field is written, headed by its name.
    """
    written: list[Path] = []
    for month in months_:
        target = Path(folder) / month.period.key
        target.mkdir(parents=True, exist_ok=True)
        facts = month.facts if entities is None else fit(month.facts, entities, month.period)
        for kind, records in facts.items():
            spec = entities.kinds[kind] if entities is not None else None
            path = target / f"{kind}.csv"
            path.write_bytes(_csv(records, spec))
            written.append(path)
    return written


def _csv(records: list[dict[str, Any]], spec: Kind | None) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    if spec is None:
        names = list(dict.fromkeys(n for r in records for n in r if n != "skill"))
        writer.writerow(names)
    else:
        names = list(spec.fields)
        writer.writerow([f.title or f.name for f in spec.fields.values()])
    writer.writerows([_text(r.get(n)) for n in names] for r in records)
    return out.getvalue().encode("utf-8")


def _renamed(kind: str, record: Mapping[str, Any], spec: Kind) -> dict[str, Any]:
    """The record with the generator's key and parent link under the entities' names."""
    found = dict(record)
    key, link = _KEYS.get(kind, (None, None))
    if key and key != spec.key and key in found:
        found[spec.key] = found.pop(key)
    if link and spec.parent is not None and link != spec.parent.field and link in found:
        found[spec.parent.field] = found.pop(link)
    return found


def _as_field(value: Any, field: Field) -> Any:
    """A generated value as the declared field type holds it."""
    if field.type == "money" and isinstance(value, int | Decimal) and not isinstance(value, bool):
        return Decimal(value).quantize(Decimal("0.01"))
    if field.type == "int" and isinstance(value, Decimal):
        return int(value.to_integral_value())
    if field.type == "enum" and value not in field.values:
        return field.values[0]
    return value


def _filler(rng: random.Random, field: Field, kind: str, index: int) -> Any:
    """A plausible value for a declared field the generator does not know."""
    if field.type == "money":
        return Decimal(rng.randrange(0, 100_000)) / 100
    if field.type == "decimal":
        return Decimal(rng.randrange(60, 100))
    if field.type == "int":
        return rng.randrange(0, 3)
    if field.type == "bool":
        return False
    if field.type == "date":
        return datetime.date(2024, 1, 1)
    if field.type == "enum":
        return field.values[0]
    return f"{field.name}-{kind}-{index + 1}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def unknown_fields(entities: Entities) -> dict[str, list[str]]:
    """Per kind, the declared fields without a default that the generator fills generically."""
    made = {
        "team": {"team_id", "team_name", "sales_target"},
        "rep": {
            *_rep_fields(),
            "referral_sales",
            "left_on",
            "conflicts_to_manager",
            "conflicts_to_leadership",
            "malicious_grab",
            *_funnel(random.Random(0), 0),
        },
        "call": {
            "call_id",
            "rep_id",
            "direction",
            "rings",
            "greeting",
            "introduced",
            "recorded_info",
            "customer_hung_up_first",
            "abusive",
            "transferred_without_consent",
            "logged_same_day",
        },
    }
    found: dict[str, list[str]] = {}
    for name, kind in entities.kinds.items():
        if name not in made:
            continue
        known = {*made[name], kind.key, *([kind.parent.field] if kind.parent else [])}
        missing = [
            f.name for f in kind.fields.values() if f.name not in known and not f.has_default
        ]
        if missing:
            found[name] = missing
    return found


def _rep_fields() -> set[str]:
    person = {
        "rep_id": "R",
        "name": "",
        "team_id": "T",
        "hired_on": datetime.date(2024, 1, 1),
        "skill": Decimal(1),
    }
    return set(_rep_month(random.Random(0), person, Period.parse("2026-01")))
