"""The monthly run's outputs: pay sheet, summaries, errors and provenance as XLSX, CSV, JSON;
facts in XLSX; the run summary; the demo."""

from __future__ import annotations

import csv
import datetime
import io
import json
import random
import shutil
import statistics
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from helpers import sample_command

import policyengine
from policyengine.cli._main import main
from policyengine.errors import FactsFileError
from policyengine.facts._io import FactsIndex, read_bundle_facts, read_facts
from policyengine.facts._sample_centre import centre, months
from policyengine.facts._sample_csv import write_months
from policyengine.facts._sample_hard_cases import monthly
from policyengine.present._report import FIXED_TIME, build_report, record_keys
from policyengine.present._summary import summary_text
from policyengine.present._writers import csv_bytes, sidecar_path, write_report, xlsx_bytes
from policyengine.run._bundle import BundleResult

ROOT = Path(__file__).parent.parent
CENTRE = ROOT / "tests" / "fixtures" / "centre"

PAY_POLICY = """\
format: 1
policy: pay
version: "2026-01"
effective_from: 2026-01-01
title: 工资
applies_to: rep
parameters:
  rate: {value: 3.5%, title: 提成比例}
rules:
  - id: commission
    kind: formula
    title: 提成
    expr: credited_sales * rate
    round: 0.01
  - id: total_pay
    kind: formula
    title: 应发工资
    expr: base_salary + commission
  - id: big_earner
    kind: formula
    title: 高收入
    expr: total_pay >= 5000
"""


def titled_folder(tmp_path: Path) -> Path:
    """The centre's policy folder plus a pay policy whose rules have Chinese titles."""
    folder = tmp_path / "policies"
    shutil.copytree(CENTRE, folder)
    (folder / "pay").mkdir()
    (folder / "pay" / "2026-01.yaml").write_text(PAY_POLICY, encoding="utf-8")
    return folder


def sample_months(tmp_path: Path, policies: Path, calls: int = 200) -> Path:
    """Three generated months (hard cases included) as CSV folders under tmp_path/examples."""
    out = tmp_path / "examples"
    generated = monthly(months("2026-01", "2026-03"), teams=2, reps=6, calls=calls, seed=7)
    write_months(generated, out, policyengine.load(policies).entities)
    return out


def run_month(policies: Path, facts: Path, month: str = "2026-01") -> tuple[BundleResult, Any]:
    """Evaluate one month's facts folder; the result and the index locating its records."""
    repository = policyengine.load(policies)
    assert repository.entities is not None
    fields = {k: dict(v.fields) for k, v in repository.entities.kinds.items()}
    files = read_bundle_facts(facts, fields)
    result = repository.for_period(month).evaluate({k: f.records for k, f in files.items()})
    return result, FactsIndex(files, record_keys(result))


def run_january(policies: Path, facts: Path, *more: str) -> int:
    """``policyengine run --allow-drafts`` of January over ``facts``, and ``more`` of its
    arguments; the exit code."""
    words = ["--policies", str(policies), "--period", "2026-01", "--facts", str(facts)]
    return main(["run", "--allow-drafts", *words, *more])


@pytest.fixture(scope="module")
def january(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, BundleResult]:
    """The titled folder, its sampled months and January's result."""
    tmp_path = tmp_path_factory.mktemp("january")
    policies = titled_folder(tmp_path)
    examples = sample_months(tmp_path, policies)
    result, _ = run_month(policies, examples / "2026-01")
    return policies, examples, result


# --- the report -----------------------------------------------------------------------


def test_pay_sheet_has_a_row_per_rep_and_a_column_per_output(
    january: tuple[Path, Path, BundleResult],
) -> None:
    """The pay sheet lists every rep with key, name, team and every output, titled by rule."""
    _, _, result = january
    report = build_report(result)
    assert report.kind == "rep"
    names = [c.name for c in report.pay.columns]
    assert names[:3] == ["rep_id", "name", "team_id"]
    assert names[-1] == "errors"
    assert {"pay.commission", "pay.total_pay", "bottom_rank.team_rank.rank"} <= set(names)
    titles = {c.name: c.title for c in report.pay.columns}
    assert titles["rep_id"] == "工号"
    assert titles["pay.commission"] == "提成"
    assert titles["appraisal.appraisal_score"] == "appraisal.appraisal_score"  # no title
    reps = {row["rep_id"]: row for row in report.pay.records()}
    assert sorted(reps) == sorted(
        r.key for r in result.rows() if r.kind == "rep" and r.policy == "pay"
    )
    for key, row in reps.items():
        assert row["pay.total_pay"] == result.value("rep", key, "total_pay")
        assert row["errors"] is None


def test_team_summary_counts_records_and_errors(
    january: tuple[Path, Path, BundleResult],
) -> None:
    """The team sheet gives each team's outputs, its reps and calls, and its error count."""
    _, _, result = january
    (teams,) = build_report(result).summaries
    assert teams.name == "小组汇总 Teams"
    rows = {row["team_id"]: row for row in teams.records()}
    assert sorted(rows) == ["T1", "T2"]
    reps = [r for r in result.rows() if r.kind == "rep" and r.policy == "pay"]
    calls = [r for r in result.rows() if r.kind == "call"]
    assert sum(row["records.rep"] for row in rows.values()) == len(reps)
    assert sum(row["records.call"] for row in rows.values()) == len(calls)
    for key, row in rows.items():
        assert row["team_pool.team_sales"] == result.value("team", key, "team_sales")
        assert row["errors"] == 0


def test_a_failed_record_keeps_its_row_with_its_error_codes(tmp_path: Path) -> None:
    """A rep with a malformed number stays on the pay sheet, without outputs, naming the code;
    its team counts the errors below it."""
    policies = titled_folder(tmp_path)
    examples = sample_months(tmp_path, policies)
    rep_csv = examples / "2026-01" / "rep.csv"
    lines = rep_csv.read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(",")
    cells[6] = "3千"  # 底薪 of the third rep
    lines[3] = ",".join(cells)
    rep_csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result, index = run_month(policies, examples / "2026-01")
    report = build_report(result, index=index)
    bad = next(r for r in report.pay.records() if r["rep_id"] == cells[0])
    assert bad["errors"] == "not-a-number"
    assert bad["name"] == cells[1]
    assert bad["pay.total_pay"] is None
    (teams,) = report.summaries
    team = next(r for r in teams.records() if r["team_id"] == cells[2])
    assert team["errors"] == len(result.errors)  # every error of the month lies in that team
    # The same in a month evaluated with the one before as history.
    repository = policyengine.load(policies)
    assert repository.entities is not None
    fields = {k: dict(v.fields) for k, v in repository.entities.kinds.items()}
    january_facts = {
        k: f.records for k, f in read_bundle_facts(examples / "2026-01", fields).items()
    }
    # December given the same figures, so that January is evaluated with history.
    later = repository.evaluate_months({"2025-12": january_facts, "2026-01": january_facts})[-1]
    assert "$history" in json.loads(later.inputs)
    again = next(r for r in build_report(later).pay.records() if r["rep_id"] == cells[0])
    assert (again["name"], again["errors"]) == (cells[1], "not-a-number")
    located = [r for r in report.errors.records() if r["code"] == "not-a-number"]
    assert located == [
        {
            "kind": "rep",
            "record": cells[0],
            "policy": None,
            "rule": None,
            "field": "base_salary",
            "code": "not-a-number",
            "message": "rep: expected a number, found '3千'",
            "hint": None,
            "file": str(rep_csv),
            "line": 4,
            "column": 7,
            "sheet": None,
            "cell": None,
        }
    ]


# --- writers --------------------------------------------------------------------------


def shuffled(facts: Path, seed: int) -> dict[str, list[dict[str, Any]]]:
    """The facts of a folder with the records of each kind in a shuffled order."""
    rng = random.Random(seed)
    found = {}
    for kind, file in read_bundle_facts(facts, {}).items():
        records = list(file.records)
        rng.shuffle(records)
        found[kind] = records
    return found


def test_every_format_is_byte_identical_for_the_same_inputs(
    january: tuple[Path, Path, BundleResult], tmp_path: Path
) -> None:
    """JSON, CSV (with its sidecar) and XLSX come out byte for byte the same from the same
    versions and facts given in another order, and the workbook carries fixed times."""
    policies, examples, _ = january
    repository = policyengine.load(policies)
    texts = {}
    for seed in (1, 2):
        facts = {k: [dict(r) for r in rs] for k, rs in shuffled(examples / "2026-01", seed).items()}
        titles = {
            f.title: f.name
            for k in repository.entities.kinds.values()  # type: ignore[union-attr]
            for f in k.fields.values()
            if f.title
        }
        facts = {
            k: [{titles.get(n, n): v for n, v in r.items()} for r in rs] for k, rs in facts.items()
        }
        result = repository.for_period("2026-01").evaluate(facts)
        out = tmp_path / str(seed)
        written = [
            *write_report(result, out / "m.json"),
            *write_report(result, out / "m.csv"),
            *write_report(result, out / "m.xlsx"),
        ]
        texts[seed] = {p.name: p.read_bytes() for p in written}
    assert sorted(texts[1]) == ["m.csv", "m.json", "m.provenance.json", "m.xlsx"]
    assert texts[1] == texts[2]
    with zipfile.ZipFile(io.BytesIO(texts[1]["m.xlsx"])) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert core.count("1980-01-01T00:00:00Z") == 2


def test_xlsx_round_trip_keeps_amounts_exact(tmp_path: Path) -> None:
    """Amounts read back from the workbook are the exact Decimals: number cells where a
    double holds them, the exact digits as text past float precision; whole numbers stay
    numbers, yes/no booleans, and the title row leads."""
    policies = titled_folder(tmp_path)
    examples = sample_months(tmp_path, policies)
    rep_csv = examples / "2026-01" / "rep.csv"
    text = rep_csv.read_text(encoding="utf-8").replace(",3000.00,", ",123456789012345.67,", 1)
    rep_csv.write_text(text, encoding="utf-8")
    result, index = run_month(policies, examples / "2026-01")
    target = tmp_path / "out" / "2026-01.xlsx"
    assert write_report(result, target, index=index) == [target]
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == [
        "工资表 Pay",
        "小组汇总 Teams",
        "图表 Charts",
        "错误 Errors",
        "说明 Notes",
        "来源 Provenance",
    ]
    sheet = book["工资表 Pay"]
    rows = list(sheet.iter_rows(values_only=True))
    titles, names, data = rows[0], rows[1], rows[2:]
    assert titles[:3] == ("工号", "姓名", "小组编号")
    assert titles[names.index("pay.total_pay")] == "应发工资"
    total = names.index("pay.total_pay")
    rank = names.index("bottom_rank.team_rank.size")
    flag = names.index("pay.big_earner")
    read = {str(row[0]): row for row in data}
    biggest = max(Decimal(str(row[total])) for row in data)
    assert biggest > Decimal("123456789012345")  # beyond a float's 15–17 digits
    texts = []
    for number, (key, row) in enumerate(read.items(), start=3):
        exact = result.value("rep", key, "total_pay")
        if isinstance(row[total], str):  # past a double's 15 digits: the digits as text
            assert Decimal(row[total]) == exact
            assert sheet.cell(number, total + 1).number_format == "@"
            texts.append(exact)
        else:
            assert isinstance(row[total], float | int)
            assert Decimal(repr(row[total])) == exact
            assert sheet.cell(number, total + 1).number_format == "#,##0.00"
        assert row[rank] == result.value("rep", key, "team_rank.size")
        assert row[flag] is result.value("rep", key, "big_earner")
    assert texts == [biggest]
    provenance = {r[1]: r[2] for r in book["来源 Provenance"].iter_rows(values_only=True) if r[1]}
    assert provenance["bundle_sha256"] == result.provenance.bundle_sha256
    assert provenance["inputs_sha256"] == result.provenance.inputs_sha256
    assert provenance["period"] == "2026-01"
    versions = [
        r
        for r in book["来源 Provenance"].iter_rows(values_only=True)
        if r[0] in {v.id for v in result.bundle.versions}
    ]
    assert sorted((r[0], r[2]) for r in versions) == sorted(
        (v.id, v.sha256) for v in result.bundle.versions
    )


def test_csv_pay_sheet_has_a_bom_titles_and_a_provenance_sidecar(
    january: tuple[Path, Path, BundleResult], tmp_path: Path
) -> None:
    """The CSV starts with a UTF-8 BOM, heads columns 'title（name）', holds exact amounts, and
    its sidecar names the provenance and the CSV's SHA-256."""
    _, _, result = january
    target = tmp_path / "2026-01.csv"
    assert write_report(result, target) == [target, tmp_path / "2026-01.provenance.json"]
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:3] == ["工号（rep_id）", "姓名（name）", "小组编号（team_id）"]
    assert "提成（pay.commission）" in header
    assert "appraisal.appraisal_score" in header
    column = header.index("应发工资（pay.total_pay）")
    assert {r[0]: Decimal(r[column]) for r in rows[1:]} == {
        r.key: r.outputs["total_pay"] for r in result.rows() if r.policy == "pay"
    }
    sidecar = json.loads(sidecar_path(target).read_text(encoding="utf-8"))
    assert sidecar["provenance"] == json.loads(result.to_json())["provenance"]
    assert sidecar["pay_sheet"]["rows"] == len(rows) - 1
    import hashlib

    assert sidecar["pay_sheet"]["sha256"] == hashlib.sha256(raw).hexdigest()


def test_csv_cells_never_start_a_formula(january: tuple[Path, Path, BundleResult]) -> None:
    """A text value starting with '=' is written so that Excel shows it as text."""
    _, _, result = january
    report = build_report(result)
    row = list(report.pay.rows[0])
    row[1] = "=HYPERLINK(1)"
    changed = type(report.pay)(report.pay.name, report.pay.columns, (tuple(row),))
    data = csv_bytes(type(report)(report.period, report.kind, changed, (), report.errors, {}))
    assert "'=HYPERLINK(1)" in data.decode("utf-8-sig")
    book = openpyxl.load_workbook(
        io.BytesIO(
            xlsx_bytes(type(report)(report.period, report.kind, changed, (), report.errors, {}))
        )
    )
    cell = book["工资表 Pay"].cell(3, 2)
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1)", "s")


# --- the run command ------------------------------------------------------------------


def test_run_prints_a_summary_with_totals_and_writes_the_workbook(
    january: tuple[Path, Path, BundleResult], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """run --out FILE.xlsx prints the versions, record counts, totals of amounts with their
    minimum, median and maximum, counts of true flags and of text values, and writes the
    workbook."""
    policies, examples, result = january
    target = tmp_path / "2026-01.xlsx"
    code = run_january(policies, examples / "2026-01", "--out", str(target))
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("2026-01: versions in force: appraisal 2026-01, bottom_rank 2026-01")
    reps = [r for r in result.rows() if r.policy == "pay"]
    total = sum((r.outputs["total_pay"] for r in reps), Decimal(0))
    line = next(x for x in out.splitlines() if "pay.total_pay" in x)
    amounts = [r.outputs["total_pay"] for r in reps]
    cent = Decimal("0.01")
    assert line.split()[1:] == [
        "应发工资",
        "rep",
        str(len(reps)),
        f"{total.quantize(cent):f}",
        f"{min(amounts).quantize(cent):f}",
        f"{statistics.median(amounts).quantize(cent):f}",
        f"{max(amounts).quantize(cent):f}",
    ]
    flagged = sum(1 for r in reps if r.outputs["big_earner"])
    line = next(x for x in out.splitlines() if "pay.big_earner" in x)
    assert line.split()[-3:] == [str(flagged), "of", str(len(reps))]
    outcomes = [r.outputs["bottom_outcome"] for r in result.rows() if r.policy == "bottom_rank"]
    line = next(x for x in out.splitlines() if "bottom_rank.bottom_outcome" in x)
    assert f"无 {outcomes.count('无')}" in line
    calls = sum(1 for r in result.rows() if r.kind == "call")
    assert f"call {calls}" in out
    assert "errors: none" in out
    assert f"wrote {target}" in out
    assert openpyxl.load_workbook(target).sheetnames[0] == "工资表 Pay"


def test_run_summarises_errors_located_in_the_facts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A malformed number and a date in the wrong form are counted by code and shown at
    file:row:column, causes before consequences; the exit code is 2."""
    policies = titled_folder(tmp_path)
    examples = sample_months(tmp_path, policies)
    rep_csv = examples / "2026-01" / "rep.csv"
    lines = rep_csv.read_text(encoding="utf-8").splitlines()
    first = lines[1].split(",")
    first[6] = "abc"  # 底薪
    second = lines[2].split(",")
    second[4] = "2024/12/02"  # 入职日期
    lines[1], lines[2] = ",".join(first), ",".join(second)
    rep_csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = run_january(policies, examples / "2026-01", "--out", str(tmp_path / "m.json"))
    captured = capsys.readouterr()
    assert code == 2
    summary = captured.out.splitlines()
    heading = next(x for x in summary if x.startswith("errors: "))
    assert "not-a-number 1" in heading and "not-a-date 1" in heading
    listed = summary[summary.index(heading) + 1 :]
    # The root causes, each with the calls it took along on a line of its own below it;
    # each field named by the column header the file gives it too (its title).
    shown = [line for line in listed[:4] if not line.startswith("    and ")]
    where = f"  {rep_csv}:2:7, record {first[0]}, field 'base_salary', column '底薪': "
    assert shown[0].startswith(where)
    where = f"  {rep_csv}:3:5, record {second[0]}, field 'hired_on', column '入职日期': "
    assert shown[1].startswith(where)
    assert f"{rep_csv}:2:7, record {first[0]}" in captured.err


def test_run_refuses_an_unknown_output_format_before_working(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--out with a suffix no writer knows is a usage error (exit 2) naming the formats."""
    code = run_january(CENTRE, tmp_path / "nowhere", "--out", str(tmp_path / "m.txt"))
    err = capsys.readouterr().err
    assert code == 2
    assert "unknown-format" in err and ".xlsx, .csv or .json" in err
    assert not (tmp_path / "m.txt").exists()


def test_run_format_json_prints_the_document(
    january: tuple[Path, Path, BundleResult], capsys: pytest.CaptureFixture[str]
) -> None:
    """With --format json the result document is standard output (naming no ledger run, as
    the month was run without one), and the summary standard error."""
    policies, examples, result = january
    code = run_january(policies, examples / "2026-01", "--format", "json")
    captured = capsys.readouterr()
    assert code == 0
    assert json.loads(captured.out) == {**json.loads(result.to_json()), "ledger_run": None}
    assert captured.err.startswith("2026-01: versions in force:")


# --- facts in XLSX ----------------------------------------------------------------------


def workbook(rows: list[list[Any]], title: str = "数据") -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    return book


def csv_as_xlsx(source: Path, target: Path, fields: dict[str, Any]) -> None:
    """A CSV facts file as a workbook, with typed cells: whole numbers as numbers, dates as
    date cells, decimals that are not money as numbers, money as text."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    by_title = {f.title or f.name: f for f in fields.values()}
    typed: list[list[Any]] = [rows[0]]
    for row in rows[1:]:
        cells: list[Any] = []
        for title, value in zip(rows[0], row, strict=True):
            field = by_title[title]
            if value == "":
                cells.append(None)
            elif field.type == "int":
                cells.append(int(value))
            elif field.type == "date":
                cells.append(datetime.datetime.fromisoformat(value))
            elif field.type == "bool":
                cells.append(value == "true")
            else:
                cells.append(value)
        typed.append(cells)
    workbook(typed).save(target)


def test_xlsx_facts_give_the_same_outputs_as_csv(
    january: tuple[Path, Path, BundleResult], tmp_path: Path
) -> None:
    """A month given as typed workbooks (title headers, date cells, numbers) evaluates to
    exactly the outputs of the same month as CSV."""
    policies, examples, result = january
    entities = policyengine.load(policies).entities
    assert entities is not None
    folder = tmp_path / "xlsx"
    folder.mkdir()
    for kind in ("team", "rep", "call"):
        fields = dict(entities.kinds[kind].fields)
        csv_as_xlsx(examples / "2026-01" / f"{kind}.csv", folder / f"{kind}.xlsx", fields)
    (folder / "~$rep.xlsx").write_bytes(b"Excel's lock file of an open workbook")
    from_xlsx, _ = run_month(policies, folder)
    assert from_xlsx.errors == ()
    assert from_xlsx.records() == result.records()
    files = read_bundle_facts(folder, {k: dict(v.fields) for k, v in entities.kinds.items()})
    assert files["rep"].sheet == "数据" and files["rep"].lines[0] == 2
    assert isinstance(files["rep"].records[0]["hired_on"], datetime.date)


def test_a_fractional_money_cell_is_read_as_the_number_it_shows(tmp_path: Path) -> None:
    """A money cell holding a binary float is read as its shortest decimal form, exactly; a
    whole number and a decimal score too (too many places: tests/test_facts_files.py)."""
    entities = policyengine.load(CENTRE).entities
    assert entities is not None
    fields = dict(entities.kinds["rep"].fields)
    path = tmp_path / "rep.xlsx"
    workbook([["工号", "底薪", "客户满意度"], ["A1", 3000, 87.5], ["A2", 3000.1, 90]]).save(path)
    assert read_facts(path, fields).records == (
        {"rep_id": "A1", "base_salary": 3000, "satisfaction": Decimal("87.5")},
        {"rep_id": "A2", "base_salary": Decimal("3000.1"), "satisfaction": 90},
    )


@pytest.mark.parametrize(
    ("write", "code", "line", "column", "located"),
    [
        (lambda p: p.write_bytes(b""), "empty-file", None, None, ""),
        (lambda p: p.write_bytes(b"not a zip"), "unreadable-facts", None, None, ""),
        (lambda p: workbook([]).save(p), "empty-file", None, None, "sheet '数据': "),
        (
            lambda p: workbook([["小组编号", "目标"]]).save(p),
            "unknown-column",
            1,
            2,
            "sheet '数据', cell B1: ",
        ),
        (
            lambda p: workbook([[None, None], ["小组编号", None, "小组编号"]]).save(p),
            "unknown-column",
            2,
            2,
            "sheet '数据', cell B2: ",
        ),
    ],
    ids=[
        "zero-bytes",
        "not-a-workbook",
        "empty-sheet",
        "wrong-header",
        "header-gap",
    ],
)
def test_bad_workbooks_are_located(
    tmp_path: Path, write: Any, code: str, line: int | None, column: int | None, located: str
) -> None:
    """Each unreadable workbook gives its first error with a stable code at its sheet,
    row and column (a header with a gap and a repeated column gives both, the gap first)."""
    entities = policyengine.load(CENTRE).entities
    assert entities is not None
    path = tmp_path / "team.xlsx"
    write(path)
    with pytest.raises((FactsFileError, policyengine.InvalidPolicy)) as caught:
        read_facts(path, dict(entities.kinds["team"].fields))
    found = caught.value
    error = found.problems[0] if isinstance(found, policyengine.InvalidPolicy) else found
    assert (error.code, error.location.file) == (code, str(path))
    assert (error.location.line, error.location.column) == (line, column)
    assert error.message.startswith(located)


def test_record_problems_are_placed_at_their_cell(tmp_path: Path) -> None:
    """A malformed number and a misformed date in a workbook are shown at sheet, row, column
    and cell, though found only when the record is checked."""
    folder = tmp_path / "facts"
    folder.mkdir()
    workbook(
        [
            ["小组编号", "小组名称", "小组月度销售目标"],
            ["T1", "一组", "50万"],
            ["T2", "二组", "500000.00"],
        ],
        "小组",
    ).save(folder / "team.xlsx")
    (folder / "rep.csv").write_text("工号,小组编号,入职日期\nA1,T2,2024-13-01\n", encoding="utf-8")
    repository = policyengine.load(CENTRE)
    entities = repository.entities
    assert entities is not None
    files = read_bundle_facts(folder, {k: dict(v.fields) for k, v in entities.kinds.items()})
    result = repository.for_period("2026-01").evaluate({k: f.records for k, f in files.items()})
    index = FactsIndex(files, record_keys(result))
    errors = {(e.details["kind"], e.code): e for e in result.errors}
    number = errors[("team", "not-a-number")]
    place = index.place(number)
    assert place is not None
    assert (place.file, place.line, place.column, place.sheet, place.cell) == (
        str(folder / "team.xlsx"),
        2,
        3,
        "小组",
        "C2",
    )
    assert index.render(number).startswith(
        f"{folder / 'team.xlsx'}:2:3, record T1, field 'sales_target', column '小组月度销售目标': "
        "not-a-number: "
        "sheet '小组', cell C2: "
    )
    date = errors[("rep", "not-a-date")]
    assert index.render(date).startswith(f"{folder / 'rep.csv'}:2:3, record A1")
    assert "sheet" not in index.render(date)
    text = summary_text(result, index)
    assert "not-a-number 1" in text and "not-a-date 1" in text


def test_csv_header_mistakes_are_located(tmp_path: Path) -> None:
    """A blank header line and a column without a header name their line and column."""
    fields = dict(policyengine.load(CENTRE).entities.kinds["team"].fields)  # type: ignore[union-attr]
    path = tmp_path / "team.csv"
    path.write_text("\nT1,一组\n", encoding="utf-8")
    with pytest.raises(FactsFileError) as caught:
        read_facts(path, fields)
    assert (caught.value.code, caught.value.location.line) == ("unknown-column", 1)
    path.write_text("小组编号,,小组名称\nT1,x,一组\n", encoding="utf-8")
    with pytest.raises(FactsFileError) as caught:
        read_facts(path, fields)
    assert (caught.value.code, caught.value.location.line, caught.value.location.column) == (
        "unknown-column",
        1,
        2,
    )


# --- the demo --------------------------------------------------------------------------


def test_demo_runs_the_months_in_order_and_writes_the_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """demo evaluates every month folder in order with history, prints each month's summary
    and writes the last month's workbook."""
    examples = tmp_path / "examples"
    assert sample_command(CENTRE, "2026-01..2026-03", examples, teams=2, reps=6, calls=150) == 0
    (examples / "notes").mkdir()  # not a month: left alone
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--policies", str(CENTRE)]) == 0
    out = capsys.readouterr().out
    starts = [line[:7] for line in out.splitlines() if ": versions in force:" in line]
    assert starts == ["2026-01", "2026-02", "2026-03"]
    assert out.count("errors: none") == 3
    assert "wrote demo-results/2026-03.xlsx" in out
    book = openpyxl.load_workbook(tmp_path / "demo-results" / "2026-03.xlsx")
    rows = list(book["工资表 Pay"].iter_rows(values_only=True))
    streak = rows[1].index("bottom_rank.bottom_streak")
    assert max(int(str(r[streak])) for r in rows[2:]) >= 1
    repository = policyengine.load(CENTRE)
    facts = {
        m: {
            k: f.records
            for k, f in read_bundle_facts(
                examples / m,
                {
                    k: dict(v.fields)
                    for k, v in repository.entities.kinds.items()  # type: ignore[union-attr]
                },
            ).items()
        }
        for m in ("2026-01", "2026-02", "2026-03")
    }
    march = repository.evaluate_months(facts)[-1]
    assert {r[0]: r[streak] for r in rows[2:]} == {
        r.key: r.outputs["bottom_streak"] for r in march.rows() if r.policy == "bottom_rank"
    }


def test_demo_says_so_when_the_shipped_files_are_not_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside a checkout, demo names the folder it looked for and how to point at one."""
    monkeypatch.chdir(tmp_path)
    assert main(["demo"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("policies: file-not-found: the shipped policy folder is not here")
    assert "--policies DIR and --examples DIR" in err
    assert main(["demo", "--policies", str(CENTRE)]) == 2
    assert "examples: file-not-found: the shipped example months" in capsys.readouterr().err
    assert not (tmp_path / "demo-results").exists()


def test_summary_text_names_provenance(january: tuple[Path, Path, BundleResult]) -> None:
    """The summary names each version's hash prefix and the bundle and inputs hashes."""
    _, _, result = january
    text = summary_text(result)
    for version in result.bundle.versions:
        assert version.sha256[:12] in text
    assert result.provenance.bundle_sha256[:12] in text
    assert result.provenance.inputs_sha256[:12] in text
    assert FIXED_TIME.year == 1980


def test_one_bad_call_keeps_every_row_and_marks_totals_incomplete() -> None:
    """After one bad call every rep keeps its pay-sheet row, only the values that read it are
    empty and coded, and the printed totals that lack them say by how many records."""
    from policyengine.facts._sample_centre import centre

    facts = centre(months("2026-01", "2026-01"), calls=200, seed=5)["2026-01"]
    victim = facts["call"][0]
    facts["call"][0] = {**victim, "rings": "many"}
    result = policyengine.load(CENTRE).for_period("2026-01").evaluate(facts)
    report = build_report(result)
    rows = {row["rep_id"]: row for row in report.pay.records()}
    assert set(rows) == {r["rep_id"] for r in facts["rep"]}
    spoiled = {
        (key, f"{policy}.{name}")
        for _, key, _, error in result.failures()
        for policy, name in [(error.details["policy"], error.location.rule_id)]
    }
    for key, column in spoiled:
        matching = [c for c in rows[key] if c == column or c.startswith(column + ".")]
        assert matching and all(rows[key][c] is None for c in matching)
        assert "incomplete-group" in rows[key]["errors"] or "failed-input" in rows[key]["errors"]
    clean = [key for key in rows if not any(k == key for k, _ in spoiled)]
    assert clean and all(rows[key]["errors"] is None for key in clean)
    text = summary_text(result)
    assert "incomplete: " in text and "lacking" in text
    assert report.errors.records()[0]["code"] == "not-a-whole-number"
    assert len(report.errors.rows) == 1  # the root cause, once


def test_a_refused_rep_keeps_its_name_and_a_repeated_key_shows_one_record_whatever_the_order() -> (
    None
):
    """A refused rep's row shows the name it was given; of two records with one key, the
    row shows the same one in any input order (the first in canonical form)."""
    facts = centre(months("2026-01", "2026-01"), calls=40, reps=4, seed=5)["2026-01"]
    reps = facts["rep"]
    reps[0] = {**reps[0], "credited_sales": "lots"}  # refused: a bad cell
    twin = {**reps[1], "name": "又一位"}  # the same key, another name
    bundle = policyengine.load(CENTRE).for_period("2026-01")

    def pay_rows(rep_records: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
        result = bundle.evaluate({**facts, "rep": rep_records})
        return {row[0]: row for row in build_report(result, kind="rep").pay.rows}

    forward = pay_rows([*reps, twin])
    backward = pay_rows([twin, *reversed(reps)])
    assert forward == backward
    bad = forward[str(reps[0]["rep_id"])]
    assert reps[0]["name"] in bad and "lots" not in bad
    shown = forward[str(reps[1]["rep_id"])]
    assert {reps[1]["name"], "又一位"} & set(shown)


def test_the_errors_sheet_is_in_the_runs_language_its_root_causes_first(
    tmp_path: Path,
) -> None:
    """run --lang zh: the workbook's errors sheet says each message and hint in Chinese
    (the result document keeps the English), and a bad hire date comes before the calls
    and team-mates it took along."""
    month = tmp_path / "2026-03"
    shutil.copytree(ROOT / "examples" / "2026-03", month)
    rows = (month / "rep.csv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    column = next(i for i, name in enumerate(header) if name in ("hired_on", "入职日期"))
    cells = rows[1].split(",")
    cells[column] = "2023年2月26日"
    rows[1] = ",".join(cells)
    (month / "rep.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "pay.xlsx"
    arguments = ["--lang", "zh", "run", "--policies", str(ROOT / "policies")]
    assert main([*arguments, "--period", "2026-03", "--facts", str(month), "--out", str(out)]) == 2
    sheet = openpyxl.load_workbook(out)["错误 Errors"]
    first = [cell.value for cell in sheet[3]]
    assert first[5] == "not-a-date" and "日期" in first[6]
    assert all(row[5] != "not-a-date" for row in list(sheet.iter_rows(values_only=True))[3:])
