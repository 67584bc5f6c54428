"""The command line: exit codes, located problems, results in table and JSON form."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import write_policy

from policyengine.cli._main import main

ROOT = Path(__file__).parent.parent
STANDALONE = ROOT / "examples" / "standalone" / "policies"
FIXTURES = Path(__file__).parent / "fixtures" / "policies"
COMMISSION = str(ROOT / "examples" / "standalone" / "policies" / "commission" / "2026-01.yaml")
EXAMPLE = str(ROOT / "examples" / "commission-2026-03.csv")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_passes_the_shipped_policies(capsys: pytest.CaptureFixture[str]) -> None:
    """validate exits 0 on the shipped policies folder."""
    code, out, _ = run(capsys, "validate", str(STANDALONE))
    assert code == 0
    assert out.startswith("ok: 2 policy versions valid (1 policy)")


def test_validate_lists_every_problem_located(capsys: pytest.CaptureFixture[str]) -> None:
    """validate exits 2 and prints each of the five mistakes as file:line:col: code: message."""
    path = str(FIXTURES / "five-mistakes.yaml")
    code, out, _ = run(capsys, "validate", path)
    assert code == 2
    lines = out.splitlines()
    codes = [line.split(": ")[1] for line in lines[:-1]]
    assert len(lines) == 6 and lines[-1] == "5 problems found"
    assert codes == [
        "duplicate-key",
        "unknown-name",
        "overlapping-bands",
        "weights-not-100",
        "unknown-rule-kind",
    ]
    assert all(line.startswith(path + ":") for line in lines[:-1])
    assert "Traceback" not in out


def test_test_command_reports_failures(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """test exits 1 when a case fails, and shows expected and actual."""
    path = write_policy(
        tmp_path,
        """
        inputs: {x: decimal}
        rules:
          - {id: y, kind: formula, expr: x * 2}
        tests:
          - {name: right, facts: {x: 2}, expect: {y: 4}}
          - {name: wrong, facts: {x: 2}, expect: {y: 5}}
        """,
    )
    code, out, _ = run(capsys, "test", str(path))
    assert code == 1
    assert "y: expected 5, got 4" in out
    assert out.splitlines()[-1] == "1 passed, 1 failed"


def test_test_command_passes_shipped_policies(capsys: pytest.CaptureFixture[str]) -> None:
    """test exits 0 on the shipped policies."""
    code, out, _ = run(capsys, "test", str(STANDALONE))
    assert code == 0, out
    assert out.splitlines()[-1].endswith("passed, 0 failed")


def test_eval_reads_chinese_csv_headers(capsys: pytest.CaptureFixture[str]) -> None:
    """eval maps Chinese CSV headers by field title and prints a table."""
    code, out, err = run(capsys, "eval", COMMISSION, "--facts", EXAMPLE, "--period", "2026-03")
    assert code == 0, err
    header, first = out.splitlines()[:2]
    assert header.split() == ["record", "commission_started", "commission_rate", "commission"]
    assert first.split() == ["A01", "true", "0.035", "4320.99"]


def test_eval_json_keeps_exact_text(capsys: pytest.CaptureFixture[str]) -> None:
    """JSON output carries amounts as exact text and provenance per record."""
    code, out, _ = run(
        capsys, "eval", COMMISSION, "--facts", EXAMPLE, "--period", "2026-03", "--format", "json"
    )
    assert code == 0
    document = json.loads(out)
    first = document["results"][0]
    assert first["outputs"]["commission"] == "4320.99"
    assert first["provenance"]["version"] == "2026-01"
    assert document["errors"] == []


def test_eval_reports_bad_records_and_keeps_good_ones(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A bad row is reported with file and line, exit 2, and the good rows are still printed."""
    facts = tmp_path / "facts.csv"
    facts.write_text(
        "rep_id,credited_sales,self_sourced_sales,dials,talk_minutes\n"
        "A,100,0,700,1600\nB,lots,0,700,1600\nC,200,0,700,1600\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "eval", COMMISSION, "--facts", str(facts))
    assert code == 2
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["A", "C"]
    assert f"{facts}:3: " in err and "not-a-number" in err and "field 'credited_sales'" in err


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        ("", "empty.csv", "empty-file"),
        ("工号,销售\nA,1\n", "header.csv", "unknown-column"),
        ('[{"a": 1,}]', "bad.json", "invalid-json"),
        # Python's reader would keep the second value silently: paid at the wrong amount.
        ('[{"id": "A", "credited_sales": 1, "credited_sales": 9}]', "twice.json", "invalid-json"),
        ('{"id": "A", "credited_sales": 1, "credited_sales": 9}\n', "twice.jsonl", "invalid-json"),
        ("{}", "object.json", "not-a-record-list"),
        ("x", "facts.txt", "unknown-format"),
    ],
)
def test_bad_facts_files_are_located(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, name: str, code: str
) -> None:
    """An unreadable facts file gives exit 2 and one located message with a stable code."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    status, _, err = run(capsys, "eval", COMMISSION, "--facts", str(path))
    assert status == 2
    assert f": {code}: " in err
    assert err.startswith(str(path))


def test_eval_explain_prints_the_reasoning(capsys: pytest.CaptureFixture[str]) -> None:
    """--explain NAME prints the rule, band and source article for every record."""
    code, out, _ = run(capsys, "eval", COMMISSION, "--facts", EXAMPLE, "--explain", "commission")
    assert code == 0
    assert out.count("rule 'commission' (formula)") == 5
    assert "source: 3.3.2 第二款" in out


def test_module_entry_point_works() -> None:
    """python -m policyengine runs the same command line."""
    done = subprocess.run(
        [sys.executable, "-m", "policyengine", "validate", COMMISSION],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: 1 policy version valid (1 policy)")


def test_json_with_explanations_stays_json(capsys: pytest.CaptureFixture[str]) -> None:
    """--format json --explain puts each explanation inside the JSON document."""
    code, out, _ = run(
        capsys,
        "eval",
        COMMISSION,
        "--facts",
        EXAMPLE,
        "--format",
        "json",
        "--explain",
        "commission",
    )
    assert code == 0
    first = json.loads(out)["results"][0]
    assert first["explanations"]["commission"]["source"] == "3.3.2 第二款"


def test_explaining_an_unknown_output_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """--explain with a misspelt output exits 2 with a hint, before any evaluation."""
    code, out, err = run(capsys, "eval", COMMISSION, "--facts", EXAMPLE, "--explain", "comission")
    assert code == 2 and out == ""
    assert "unknown-output" in err and "did you mean 'commission'?" in err


def test_schema_facts_describes_every_kind(capsys: pytest.CaptureFixture[str]) -> None:
    """schema facts prints a JSON Schema with one array of records per kind."""
    centre = str(Path(__file__).parent / "fixtures" / "centre")
    assert main(["schema", "facts", "--policies", centre]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert sorted(schema["properties"]) == ["call", "rep", "team"]


def test_validate_checks_a_policy_folder_whole(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """validate on a folder with entities.yaml finds names no policy in force gives."""
    import shutil

    folder = tmp_path / "centre"
    shutil.copytree(Path(__file__).parent / "fixtures" / "centre", folder)
    stars = folder / "stars" / "2026-01.yaml"
    stars.write_text(
        stars.read_text(encoding="utf-8").replace("by: appraisal_score", "by: appraisal_scor"),
        encoding="utf-8",
    )
    assert main(["validate", str(folder)]) == 2
    out = capsys.readouterr().out
    assert "unknown-name" in out and "did you mean 'appraisal_score'?" in out


def test_a_month_folder_that_is_not_there_is_not_found(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A mistyped --facts folder is file-not-found, not a file of the wrong format."""
    missing = tmp_path / "2026-3"
    policies = str(ROOT / "policies")
    code, _, err = run(
        capsys, "run", "--policies", policies, "--period", "2026-03", "--facts", str(missing)
    )
    assert code == 2
    assert err.startswith(f"{missing}: file-not-found: no such folder or file")


def test_a_file_of_a_kind_no_one_declared_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A stray sales.csv beside the month's files: its unknown-kind names the file."""
    month = tmp_path / "2026-03"
    shutil.copytree(ROOT / "examples" / "2026-03", month)
    shutil.copy(month / "rep.csv", month / "sales.csv")
    policies = str(ROOT / "policies")
    _, out, err = run(
        capsys, "run", "--policies", policies, "--period", "2026-03", "--facts", str(month)
    )
    assert f"{month / 'sales.csv'}: unknown-kind: there is no kind of record 'sales'" in out + err


def test_every_refused_file_of_a_month_is_reported_at_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A header naming no field in rep.csv and a second team file: both said in one run,
    so that HR corrects both before running again."""
    month = tmp_path / "2026-03"
    shutil.copytree(ROOT / "examples" / "2026-03", month)
    (month / "rep.csv").write_text("工号,xx\n", encoding="utf-8")
    shutil.copy(month / "team.csv", month / "team.json")
    policies = str(ROOT / "policies")
    code, _, err = run(
        capsys, "run", "--policies", policies, "--period", "2026-03", "--facts", str(month)
    )
    assert code == 2
    assert [line.split(": ")[1] for line in err.splitlines()] == [
        "unknown-column",
        "duplicate-kind",
    ]


@pytest.mark.parametrize("suffix", [".xls", ".ods", ".xlsm"])
def test_a_kinds_records_in_a_spreadsheet_no_reader_reads_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, suffix: str
) -> None:
    """rep.csv saved as rep.xls: the reps were left out silently (no-records), and the
    month recorded and written without them; the file is refused by name, nothing written."""
    month = tmp_path / "2026-03"
    shutil.copytree(ROOT / "examples" / "2026-03", month)
    (month / "rep.csv").rename(month / f"rep{suffix}")
    out = tmp_path / "pay.csv"
    policies = str(ROOT / "policies")
    arguments = ["--policies", policies, "--period", "2026-03", "--facts", str(month)]
    code, _, err = run(capsys, "run", *arguments, "--out", str(out))
    assert code == 2 and not out.exists()
    assert err.startswith(f"{month / ('rep' + suffix)}: unknown-format: a '{suffix}' file")


def test_every_bad_header_cell_is_said_and_a_title_row_is_no_header(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Two misspelt headers are both said in one run; a title row above the header is
    said to be no header (not 'unknown column' for the title)."""
    month = tmp_path / "2026-03"
    shutil.copytree(ROOT / "examples" / "2026-03", month)
    text = (month / "rep.csv").read_text(encoding="utf-8")
    (month / "rep.csv").write_text(
        text.replace("话费", "电话费", 1).replace("迟到次数", "迟到数", 1), encoding="utf-8"
    )
    policies = str(ROOT / "policies")
    arguments = ["run", "--policies", policies, "--period", "2026-03", "--facts", str(month)]
    code, _, said = run(capsys, *arguments)
    assert code == 2
    assert "unknown column '电话费'" in said and "unknown column '迟到数'" in said
    (month / "rep.csv").write_text("2026年3月营销代表数据\n" + text, encoding="utf-8")
    code, _, err = run(capsys, *arguments)
    assert code == 2 and "no cell of this row names a field, so it is no header" in err


def test_a_key_given_twice_is_said_by_the_rows_of_its_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Two rows for one rep: the run says the rows of rep.csv they stand on, as HR counts,
    not their positions from 0 (which the stored error keeps)."""
    month = tmp_path / "2026-03"
    shutil.copytree(ROOT / "examples" / "2026-03", month)
    lines = (month / "rep.csv").read_text(encoding="utf-8").splitlines()
    (month / "rep.csv").write_text("\n".join([*lines, lines[4]]) + "\n", encoding="utf-8")
    policies = str(ROOT / "policies")
    arguments = ["run", "--policies", policies, "--period", "2026-03", "--facts", str(month)]
    code, _, err = run(capsys, *arguments)
    key = lines[4].split(",")[0]
    assert code == 2
    assert f"the rep records on rows 5, {len(lines) + 1} all have the rep_id '{key}'" in err
