"""The workbook as a spreadsheet reads it: number cells that add up, formats with their
places, and a note for every cell that cannot hold its exact number."""

from __future__ import annotations

import io
import json
import statistics
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import policyengine
from policyengine.cli._main import main
from policyengine.month import evaluate_month
from policyengine.present._output_xlsx import number_text
from policyengine.present._report import Column, Report, Table
from policyengine.present._report_numbers import NumberStyle
from policyengine.present._summary import summary_text
from policyengine.present._writers import csv_bytes, write_report, xlsx_bytes

ROOT = Path(__file__).parent.parent
POLICIES = ROOT / "policies"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The demo's workbook (written by ``policyengine demo``) and the JSON result document
    of the same month, evaluated as the demo does: each month with the ones before."""
    out = tmp_path_factory.mktemp("demo")
    args = ["demo", "--policies", str(POLICIES), "--examples", str(EXAMPLES), "--out", str(out)]
    assert main(args) == 0
    repository = policyengine.load(POLICIES)
    carried: dict[str, Any] = {}
    for folder in ("2026-01", "2026-02", "2026-03"):
        month = evaluate_month(repository, folder, EXAMPLES / folder, history=dict(carried))
        carried[month.result.period.key] = month.result.snapshot()
    document = out / "2026-03.json"
    write_report(month.result, document)
    (out / "summary.txt").write_text(summary_text(month.result), encoding="utf-8")
    return out / "2026-03.xlsx", json.loads(document.read_bytes())


def test_net_pay_is_number_cells_whose_exact_sum_is_the_json_total(
    demo: tuple[Path, dict[str, Any]],
) -> None:
    """Read back with openpyxl, the pay sheet's net pay column is number cells formatted as
    amounts, and their exact sum (each through its repr) is the JSON document's total."""
    path, document = demo
    sheet = openpyxl.load_workbook(path)["工资表 Pay"]
    names = [cell.value for cell in sheet[2]]
    column = names.index("pay.net_pay") + 1
    cells = [sheet.cell(row, column) for row in range(3, sheet.max_row + 1)]
    assert len(cells) > 10
    assert {c.data_type for c in cells} == {"n"}
    assert {c.number_format for c in cells} == {"#,##0.00"}
    assert all(isinstance(c.value, float | int) for c in cells)
    in_sheet = sum((Decimal(repr(c.value)) for c in cells), Decimal(0))
    in_json = sum(
        (
            Decimal(r["outputs"]["pay"]["net_pay"])
            for r in document["records"]
            if r["kind"] == "rep"
        ),
        Decimal(0),
    )
    assert in_sheet == in_json
    assert in_json > 0


def test_counts_and_rates_are_numbers_with_their_places(
    demo: tuple[Path, dict[str, Any]],
) -> None:
    """A count is a whole number formatted ``0``; a rate rounded to 0.0001 shows 4 places;
    an unrounded score whose value a double cannot hold is its value at the display places,
    and the notes sheet names the cell."""
    path, _ = demo
    book = openpyxl.load_workbook(path)
    sheet = book["工资表 Pay"]
    names = [cell.value for cell in sheet[2]]
    calls = sheet.cell(3, names.index("workload.inbound_calls") + 1)
    assert (calls.data_type, calls.number_format, type(calls.value)) == ("n", "0", int)
    rate = sheet.cell(3, names.index("workload.connect_rate") + 1)
    assert (rate.data_type, rate.number_format) == ("n", "0.0000")
    score = names.index("appraisal.sales_score") + 1
    notes = {(r[0], r[1]): r for r in book["说明 Notes"].iter_rows(values_only=True) if r[1]}
    rounded = [
        sheet.cell(row, score)
        for row in range(3, sheet.max_row + 1)
        if ("工资表 Pay", sheet.cell(row, score).coordinate) in notes
    ]
    assert rounded, "the demo's sales scores have 34 digits"
    for cell in rounded:
        exact = Decimal(notes[("工资表 Pay", cell.coordinate)][2])
        assert len(exact.as_tuple().digits) > 15
        assert Decimal(repr(cell.value)) == exact.quantize(Decimal("0.0001"))
        assert cell.number_format == "0.0000"


def _one_column(value: Any, style: NumberStyle | None) -> Report:
    column = Column("pay.x", "x", "pay", "x", style)
    pay = Table("工资表 Pay", (column,), ((value,),))
    return Report("2026-01", "rep", pay, (), Table("错误 Errors", (), ()), {})


def test_a_declared_amount_past_15_digits_is_its_exact_text_and_noted() -> None:
    """An amount rounded by its rule but longer than a double holds is a text cell of its
    exact digits, named in the notes; the CSV holds the same digits."""
    value = Decimal("1234567890123456.78")
    report = _one_column(value, NumberStyle(2, True, True))
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(report)))
    cell = book["工资表 Pay"].cell(3, 1)
    assert (cell.value, cell.data_type) == ("1234567890123456.78", "s")
    notes = [r for r in book["说明 Notes"].iter_rows(values_only=True) if r[1] == "A3"]
    assert notes and notes[0][2] == "1234567890123456.78"
    assert "1234567890123456.78" in csv_bytes(report).decode("utf-8-sig")


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-(10**10)),
    st.integers(min_value=-(10**20), max_value=10**20),
)
def test_number_text_round_trips_or_refuses(value: Decimal, whole: int) -> None:
    """Every number written as a number cell reads back (as a double, through its repr) as
    exactly the Decimal; every one refused has more than 15 significant digits."""
    for number in (value, whole):
        text = number_text(number)
        digits = len(Decimal(number).normalize().as_tuple().digits)
        if text is None:
            assert digits > 15 or abs(number) >= 10**15
        else:
            assert Decimal(repr(float(text))) == number
            assert digits <= 15


def _summary_rows(path: Path) -> dict[str, list[str]]:
    text = (path.parent / "summary.txt").read_text(encoding="utf-8")
    return {line.split()[0]: line.split()[3:] for line in text.splitlines() if "." in line[:40]}


def test_the_summary_shows_places_and_totals_only_amounts_and_counts(
    demo: tuple[Path, dict[str, Any]],
) -> None:
    """No value in the summary has more places than its output shows (the unrounded sales
    score has 34 digits in the JSON); amounts and counts are totalled, rates and scores
    show '-' for a total, with their minimum, median and maximum."""
    path, document = demo
    rows = _summary_rows(path)
    exact = [
        Decimal(r["outputs"]["appraisal"]["sales_score"])
        for r in document["records"]
        if r["kind"] == "rep"
    ]
    assert max(len(v.as_tuple().digits) for v in exact) > 30
    assert rows["appraisal.sales_score"] == [
        "37",
        "-",
        f"{min(exact).quantize(Decimal('0.0001'))}",
        f"{statistics.median(exact).quantize(Decimal('0.0001'))}",
        f"{max(exact).quantize(Decimal('0.0001'))}",
    ]
    assert rows["workload.connect_rate"][1] == "-"
    assert rows["appraisal.rep_score"][1] == "-"
    assert rows["bottom_rank.team_rank.rank"][1] == "-"
    net = sum(
        (
            Decimal(r["outputs"]["pay"]["net_pay"])
            for r in document["records"]
            if r["kind"] == "rep"
        ),
        Decimal(0),
    )
    assert rows["pay.net_pay"][1] == f"{net:f}"
    calls = sum(
        r["outputs"]["workload"]["inbound_calls"] for r in document["records"] if r["kind"] == "rep"
    )
    assert rows["workload.inbound_calls"][1] == str(calls)
    for cells in rows.values():
        for cell in cells:
            assert len(cell.partition(".")[2]) <= 4, cells


# --- the chart sheet --------------------------------------------------------------------


@pytest.fixture(scope="module")
def months() -> tuple[list[Any], dict[str, Any]]:
    """The demo's three months evaluated in order, and the values each left as history."""
    repository = policyengine.load(POLICIES)
    carried: dict[str, Any] = {}
    results = []
    for folder in ("2026-01", "2026-02", "2026-03"):
        month = evaluate_month(repository, folder, EXAMPLES / folder, history=dict(carried))
        carried[month.result.period.key] = month.result.snapshot()
        results.append(month.result)
    return results, carried


def _net_pay(result: Any) -> dict[str, Decimal]:
    return {
        r.key: r.outputs["net_pay"] for r in result.rows() if r.policy == "pay" and r.kind == "rep"
    }


def _chart_parts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return [
            archive.read(name).decode()
            for name in sorted(archive.namelist())
            if name.startswith("xl/charts/chart")
        ]


def test_the_chart_sheet_shows_pay_by_team_and_the_month_against_the_one_before(
    months: tuple[list[Any], dict[str, Any]], tmp_path: Path
) -> None:
    """Given the earlier months, the chart sheet holds each team's exact total net pay and
    each rounded amount's total this month and last, with a bar chart over each table."""
    (_, february, march), carried = months
    path = tmp_path / "2026-03.xlsx"
    write_report(march, path, history=carried)
    sheet = openpyxl.load_workbook(path)["图表 Charts"]
    rows = [r for r in sheet.iter_rows(values_only=True) if any(v is not None for v in r)]
    teams: dict[str, Decimal] = {}
    for key, amount in _net_pay(march).items():
        team = str(march.values("rep", key)["team_id"])
        teams[team] = teams.get(team, Decimal(0)) + amount
    table = {r[0]: r[1] for r in rows[2 : 2 + len(teams)]}
    assert {k: Decimal(repr(v)) for k, v in table.items()} == teams
    compared = {r[0]: r for r in rows if r[0] == "应发工资" and len(r) > 2 and r[2] is not None}
    before, now = compared["应发工资"][1:3]
    assert Decimal(repr(before)) == sum(_net_pay(february).values(), Decimal(0))
    assert Decimal(repr(now)) == sum(_net_pay(march).values(), Decimal(0))
    charts = _chart_parts(path)
    assert len(charts) == 2 and all("<barChart>" in c for c in charts)
    assert f"'图表 Charts'!$B$3:$B${2 + len(teams)}" in charts[0]
    assert write_report(march, tmp_path / "again.xlsx", history=carried)
    assert (tmp_path / "again.xlsx").read_bytes() == path.read_bytes()


def test_without_the_month_before_the_comparison_is_left_out_and_said(
    months: tuple[list[Any], dict[str, Any]], tmp_path: Path
) -> None:
    """Without the previous month's values the comparison chart is left out, and the sheet
    says why; the chart by team stays."""
    (january, _, _), _ = months
    path = tmp_path / "2026-01.xlsx"
    write_report(january, path)
    sheet = openpyxl.load_workbook(path)["图表 Charts"]
    texts = [str(r[0]) for r in sheet.iter_rows(values_only=True) if r[0] is not None]
    assert any("No comparison with 2025-12: no values of 2025-12" in t for t in texts)
    assert len(_chart_parts(path)) == 1
