"""Records in shapes no one meant, passed by a program to ``Bundle.evaluate``: each is
an error of the month, located, never an exception out of the library, and the month
is recorded and replayed byte for byte with it.

A kind's records given as text were read as one record a letter (``list("abc")``); a
number, ``None`` or a record that is not JSON (bytes, a Decimal, any object) raised
``TypeError`` from the inputs' encoder.
"""

from __future__ import annotations

import decimal
from pathlib import Path
from typing import Any

import pytest

import policyengine
from policyengine.audit._replay import replay_run, run_record
from policyengine.audit.ledger import open_ledger

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = policyengine.load(ROOT / "policies").for_period("2026-03")


class _Odd:
    def __str__(self) -> str:
        return "odd"


#: What the reps are given as -> the code and the record of the one error it makes.
SHAPES: dict[str, tuple[Any, str, Any]] = {
    "text": ("abc", "not-a-record-list", None),
    "one mapping": ({"rep_id": "R1"}, "not-a-record-list", None),
    "a number": (5, "not-a-record-list", None),
    "nothing": (None, "not-a-record-list", None),
    "bytes": (b"R1", "not-a-record-list", None),
    "a list of an object": ([_Odd()], "not-a-record", 0),
    "a list of a Decimal": ([decimal.Decimal("1")], "not-a-record", 0),
    "a list of bytes": ([b"x"], "not-a-record", 0),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_kind_in_a_shape_no_one_meant_is_one_error(shape: str, tmp_path: Path) -> None:
    given, code, record = SHAPES[shape]
    result = BUNDLE.evaluate({"rep": given, "team": [], "call": []})
    assert [(e.code, e.location.record) for e in result.errors] == [(code, record)]
    ledger = tmp_path / "ledger.sqlite"
    with open_ledger(ledger, create=True) as opened:
        opened.append(run_record(result))
    with open_ledger(ledger, read_only=True) as opened:
        assert opened.verify() == []
        replayed = replay_run(opened, 1)
    assert replayed.identical, replayed.first_difference


_REPS = policyengine.load(ROOT / "policies").read_facts(ROOT / "examples" / "2026-03")

#: A value a program may pass in a rep's field -> the code of the rep's own error.
VALUES: dict[str, tuple[str, Any, str]] = {
    "a float": ("base_salary", 3000.5, "float-not-allowed"),
    "a Decimal NaN": ("base_salary", decimal.Decimal("NaN"), "not-a-number"),
    "a Decimal of 41 digits": ("base_salary", decimal.Decimal("1E+40"), "number-too-large"),
    "a datetime": ("hired_on", __import__("datetime").datetime(2024, 12, 2, 9), "not-a-date"),
    "bytes": ("name", b"x", "not-text"),
    "a tuple": ("name", ("a",), "not-text"),
    "a set": ("name", {"a", "b"}, "not-text"),
}


@pytest.mark.parametrize("value", sorted(VALUES))
def test_a_value_json_cannot_hold_is_refused_alike_in_its_replay(
    value: str, tmp_path: Path
) -> None:
    """The run is evaluated in the form its ledger keeps: the rep is refused, and the
    replay refuses it in the same words (a float kept as text was paid in its replay)."""
    field, given, code = VALUES[value]
    facts = {kind: [dict(record) for record in records] for kind, records in _REPS.items()}
    facts["rep"][0] = {**facts["rep"][0], field: given}
    result = BUNDLE.evaluate(facts)
    own = [e.code for e in result.errors if e.code != "invalid-parent"]
    assert own == [code]
    ledger = tmp_path / "ledger.sqlite"
    with open_ledger(ledger, create=True) as opened:
        opened.append(run_record(result))
    with open_ledger(ledger, read_only=True) as opened:
        replayed = replay_run(opened, 1)
    assert replayed.identical, replayed.first_difference


@pytest.mark.parametrize("written", ["20260203", "2026W051", "2026-W05-1", "2026-02-3"])
def test_a_day_is_read_only_as_written_yyyy_mm_dd(written: str, tmp_path: Path) -> None:
    """Python reads 20260203 and the ISO week forms as days; a hire date so written is
    refused as not-a-date (it moved a rep's seniority silently), in facts and in a policy."""
    facts = {kind: [dict(record) for record in records] for kind, records in _REPS.items()}
    facts["rep"][0] = {**facts["rep"][0], "hired_on": written}
    result = BUNDLE.evaluate(facts)
    assert [e.code for e in result.errors if e.code != "invalid-parent"] == ["not-a-date"]
    path = tmp_path / "p.yaml"
    path.write_text(
        f'format: 1\npolicy: p\nversion: "1"\neffective_from: "{written}"\ntitle: t\n'
        "inputs:\n  x: decimal\nrules:\n  - {id: y, kind: formula, expr: x}\n",
        encoding="utf-8",
    )
    assert [p.code for p in policyengine.check_policy(path)] == ["invalid-date"]
