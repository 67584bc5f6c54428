"""A number field's declared ``min``/``max``: a value outside them leaves its record out
(``out-of-range``), the rest of the month evaluated; bounds written wrong are refused at
load (``bad-field-bounds``)."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

import policyengine
from policyengine.facts._records import coerce_record, field_from_spec

ROOT = Path(__file__).resolve().parent.parent
SALARY = "base_salary: {type: money, title: 底薪, min: 0, max: 100000,"


def _bounded_pack(tmp_path: Path) -> policyengine.Repository:
    """The shipped pack, its reps' base salary bounded to 0 … 100,000."""
    folder = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", folder)
    (folder / "policies.lock").unlink()  # entities.yaml edited: a draft
    path = folder / "entities.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("base_salary: {type: money, title: 底薪,") == 1
    path.write_text(text.replace("base_salary: {type: money, title: 底薪,", SALARY))
    return policyengine.load(folder)


@pytest.mark.parametrize(("salary", "form"), [("-3000.00", "min"), ("300000.00", "max")])
def test_a_salary_outside_its_bounds_leaves_its_rep_out(
    tmp_path: Path, salary: str, form: str
) -> None:
    """A sign typed wrong or a digit too many: that rep is refused at its field, in both
    languages; every other rep is paid as before."""
    repo = _bounded_pack(tmp_path)
    facts = repo.read_facts(ROOT / "examples" / "2026-03")
    rep = dict(facts["rep"][0])
    facts["rep"] = [{**rep, "base_salary": salary}, *facts["rep"][1:]]
    result = repo.for_period("2026-03").evaluate(facts)
    own = [e for e in result.errors if e.code == "out-of-range"]
    assert [(e.form, e.location.record, e.location.field) for e in own] == [
        (form, rep["rep_id"], "base_salary")
    ]
    assert salary.split(".")[0] in own[0].message and "底薪" not in own[0].message
    assert "最" in own[0].render("zh")
    # Another team's reps do not read this rep: they are paid as before.
    other = next(r for r in facts["rep"] if r["team_id"] != rep["team_id"])
    assert result.value("rep", other["rep_id"], "net_pay") > 0
    with pytest.raises(policyengine.UsageError):
        result.value("rep", rep["rep_id"], "net_pay")


def test_the_fast_and_general_paths_refuse_alike() -> None:
    """A record the fast reader would take whole gives the bound to the general path."""
    fields = {
        "id": field_from_spec("id", "string"),
        "pay": field_from_spec("pay", {"type": "money", "min": 0, "max": 10}),
    }
    assert coerce_record(fields, {"id": "A", "pay": "10.00"}, "A")["pay"] == Decimal("10.00")
    assert coerce_record(fields, {"id": "A", "pay": Decimal(0)}, "A")["pay"] == 0
    for outside in ("10.01", Decimal("-0.01"), "-1"):
        with pytest.raises(policyengine.PolicyError) as refused:
            coerce_record(fields, {"id": "A", "pay": outside}, "A")
        assert refused.value.code == "out-of-range"


@pytest.mark.parametrize(
    ("spec", "form"),
    [
        ({"type": "string", "min": 0}, "type"),
        ({"type": "money", "min": "zero"}, "value"),
        ({"type": "int", "max": "1.5"}, "value"),
        ({"type": "money", "min": 5000, "max": 100}, "order"),
    ],
)
def test_bounds_written_wrong_are_refused_at_load(spec: dict[str, object], form: str) -> None:
    with pytest.raises(policyengine.ModelError) as refused:
        field_from_spec("base", spec)
    assert (refused.value.code, refused.value.form) == ("bad-field-bounds", form)
