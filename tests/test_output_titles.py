"""Named outputs have titles of their own: ``output_titles:`` heads their columns."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import policyengine
from policyengine.present._summary import summary_text
from policyengine.present._writers import write_report

BAD = Path(__file__).parent / "fixtures" / "policies" / "bad"

ENTITIES = """\
format: 1
kinds:
  team:
    key: team_id
    fields:
      team_id: {type: string}
  rep:
    key: rep_id
    parent: {kind: team, field: team_id}
    fields:
      rep_id: {type: string}
      team_id: {type: string}
      sales: {type: money}
"""

POLICY = """\
format: 1
policy: pay
version: "2026-01"
effective_from: 2026-01-01
title: 提成
applies_to: rep
rules:
  - id: band
    kind: tiers
    title: 提成档位（比例与档位底薪）
{titles}    of: sales
    mode: flat
    bands:
      - {{from: 0, to: 80000, value: {{rate: 3%, base: 0}}}}
      - {{from: 80000, value: {{rate: 4%, base: 500}}}}
  - id: commission
    kind: formula
    title: 佣金
    expr: sales * band.rate + band.base
    round: 0.01
"""

TITLES = "    output_titles: {rate: 提成比例, base: 档位底薪}\n"

FACTS = {
    "team": [{"team_id": "T1"}],
    "rep": [
        {"rep_id": "A", "team_id": "T1", "sales": "50000"},
        {"rep_id": "B", "team_id": "T1", "sales": "100000"},
    ],
}


def _month(root: Path, titles: str) -> policyengine.BundleResult:
    (root / "pay").mkdir(parents=True)
    (root / "entities.yaml").write_text(ENTITIES, encoding="utf-8")
    (root / "pay" / "2026-01.yaml").write_text(POLICY.format(titles=titles), encoding="utf-8")
    return policyengine.load(root).for_period("2026-01").evaluate(FACTS)


def test_the_titles_are_read_into_the_rule(tmp_path: Path) -> None:
    """A rule keeps each named output's title, in the order of its outputs."""
    month = _month(tmp_path, TITLES)
    [band] = [rule for _, rule in month.rules("rep") if rule.id == "band"]
    assert band.output_titles == (("rate", "提成比例"), ("base", "档位底薪"))
    assert band.output_title("base") == "档位底薪"
    assert band.output_title("missing") is None


def test_the_workbook_header_reads_the_titles_back(tmp_path: Path) -> None:
    """The pay sheet's first row heads each named output by its own title; the second
    row keeps the machine names."""
    target = tmp_path / "out" / "2026-01.xlsx"
    target.parent.mkdir()
    write_report(_month(tmp_path / "policies", TITLES), target)
    sheet = openpyxl.load_workbook(target)["工资表 Pay"]
    titles = [cell.value for cell in sheet[1]]
    names = [cell.value for cell in sheet[2]]
    assert titles[names.index("pay.band.rate")] == "提成比例"
    assert titles[names.index("pay.band.base")] == "档位底薪"
    assert titles[names.index("pay.commission")] == "佣金"


def test_without_titles_the_heading_is_the_rules_title_and_name(tmp_path: Path) -> None:
    """A named output with no title of its own is headed ``title.name``, as before."""
    target = tmp_path / "2026-01.xlsx"
    write_report(_month(tmp_path / "policies", ""), target)
    sheet = openpyxl.load_workbook(target)["工资表 Pay"]
    titles = [cell.value for cell in sheet[1]]
    names = [cell.value for cell in sheet[2]]
    assert titles[names.index("pay.band.rate")] == "提成档位（比例与档位底薪）.rate"


def test_the_csv_header_and_the_summary_use_the_titles(tmp_path: Path) -> None:
    """The CSV's header and the printed summary name the outputs by their titles."""
    month = _month(tmp_path / "policies", TITLES)
    target = tmp_path / "2026-01.csv"
    write_report(month, target)
    header = target.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert "提成比例（pay.band.rate）" in header
    assert "档位底薪（pay.band.base）" in header
    lines = summary_text(month).splitlines()
    base = next(line for line in lines if line.strip().startswith("pay.band.base "))
    assert "档位底薪" in base


def test_titles_change_headings_only(tmp_path: Path) -> None:
    """With titles or without, the month's outputs (what the ledger keeps) are the same
    bytes: only the headings differ."""
    titled = _month(tmp_path / "titled", TITLES)
    plain = _month(tmp_path / "plain", "")
    assert titled.outputs_json() == plain.outputs_json()


@pytest.mark.parametrize(
    ("name", "code", "pointer", "line"),
    [
        ("output-titles-unknown-output.yaml", "unknown-output", "/rules/0/output_titles/bsae", 12),
        ("output-titles-one-value.yaml", "no-named-outputs", "/rules/0/output_titles", 14),
        ("output-titles-on-formula.yaml", "unknown-key", "/rules/0/output_titles", 13),
    ],
)
def test_a_wrong_title_is_located(name: str, code: str, pointer: str, line: int) -> None:
    """A title for an output the rule does not give, for a rule of one value, or on a
    kind that has no named outputs, is one located problem."""
    problems = policyengine.check_policy(BAD / name)
    assert [(p.code, p.location.pointer, p.location.line) for p in problems] == [
        (code, pointer, line)
    ]


def test_a_misspelt_output_is_suggested() -> None:
    """The misspelt name gets a "did you mean" for the output it resembles."""
    [problem] = policyengine.check_policy(BAD / "output-titles-unknown-output.yaml")
    assert "'base'" in (problem.hint or "")
