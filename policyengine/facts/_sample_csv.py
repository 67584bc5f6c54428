"""Example months written as files: one folder of CSV files per month.

The generator makes its own fields under its own names; a policy folder's
``entities.yaml`` declares which fields each kind has, under which names,
of which types and with which titles. :func:`fit` makes the one fit the
other (and fills a declared field the generator does not make with a
plausible value, seeded by month, kind and field); :func:`unknown_fields`
says which those are, so the command can say so.
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

from ..core._period import Period
from ..model import Field
from ._record_kinds import Entities, RecordKind
from ._sample_centre import Facts, rep_month
from ._sample_hard_cases import Month, funnel

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


def _csv(records: list[dict[str, Any]], spec: RecordKind | None) -> bytes:
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


def _renamed(kind: str, record: Mapping[str, Any], spec: RecordKind) -> dict[str, Any]:
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
            *funnel(random.Random(0), 0),
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
    return set(rep_month(random.Random(0), person, Period.parse("2026-01")))
