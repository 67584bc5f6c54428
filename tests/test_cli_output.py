"""What the commands print: the summary of a month, the JSON only when asked for."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from policyengine.cli._commands import COMMANDS
from policyengine.cli._main import CLOSED_PIPE, main
from policyengine.present._texttable import width

ROOT = Path(__file__).parent.parent
STANDALONE = ROOT / "examples" / "standalone" / "policies"
MONTH = ["--policies", str(STANDALONE), "--period", "2026-03"]
FACTS = ["--facts", str(ROOT / "examples" / "standalone" / "2026-03")]


def test_run_without_out_prints_the_summary_and_where_results_can_go(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`run` without --out prints the summary and the --out hint, not the JSON document."""
    assert main(["run", *MONTH, *FACTS]) == 0
    out, err = capsys.readouterr()
    assert '"provenance"' not in out and '"provenance"' not in err
    assert "errors: none" in out
    assert (
        out.splitlines()[-1] == "results not written: name a file with --out FILE.xlsx|.csv|.json"
    )


def test_run_format_json_prints_the_document_alone_on_standard_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`run --format json` prints only the canonical document on standard output."""
    assert main(["run", *MONTH, *FACTS, "--format", "json"]) == 0
    out, err = capsys.readouterr()
    document = json.loads(out)
    assert document["provenance"]["period"] == "2026-03"
    assert "errors: none" in err and "--out" not in out


def test_run_format_json_with_out_keeps_standard_output_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --out and --format json, the file is written and standard output stays JSON."""
    target = tmp_path / "month.json"
    assert main(["run", *MONTH, *FACTS, "--format", "json", "--out", str(target)]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == json.loads(target.read_text(encoding="utf-8"))
    assert f"wrote {target}" in err


def test_output_cut_short_by_head_ends_quietly() -> None:
    """A reader that has closed the pipe (`| head -1` once it has its line) gets no
    traceback from the command: it stops quietly with 141, as if stopped by SIGPIPE."""
    command = [sys.executable, "-m", "policyengine", "run", *MONTH, *FACTS, "--format", "json"]
    child = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_utf8()
    )
    assert child.stdout is not None
    child.stdout.close()  # gone before the command has written a line
    _, errors = child.communicate(timeout=120)
    assert child.returncode == CLOSED_PIPE, errors
    assert b"Traceback" not in errors and b"BrokenPipeError" not in errors


def _utf8() -> dict[str, str]:
    return {**os.environ, "PYTHONIOENCODING": "utf-8"}


def test_ledger_list_fits_100_columns_and_json_has_every_detail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ledger list` is a table no wider than 100 columns, a long Chinese label cut with
    an ellipsis; --format json gives each run's versions, hashes and label in full."""
    ledger = tmp_path / "ledger.sqlite"
    label = "三月按人事部更正后的数据重新计算，工单 4711，经财务复核" * 3
    run = ["run", *MONTH, *FACTS, "--ledger", str(ledger), "--new-ledger", "--label", label]
    assert main(run) == 0
    capsys.readouterr()
    assert main(["ledger", "list", str(ledger)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and max(width(line) for line in lines) <= 100
    cells = lines[1].split()
    assert cells[0] == "1" and cells[3] == "2026-03" and lines[1].endswith("…")
    assert main(["ledger", "list", str(ledger), "--format", "json"]) == 0
    (stored,) = json.loads(capsys.readouterr().out)["runs"]
    assert stored["label"] == label and stored["period"] == "2026-03"
    assert len(stored["hash"]) == 64 and stored["hash"].startswith(cells[6])
    assert [v["policy"] for v in stored["versions"]] == ["commission"]


def test_every_subcommand_help_has_a_description(capsys: pytest.CaptureFixture[str]) -> None:
    """`replay --help` (and every command's) says what the command does."""
    for command in COMMANDS:
        with pytest.raises(SystemExit):
            main([command.name, "--help"])
        shown = capsys.readouterr().out
        assert " ".join(command.description.split()[:4]) in " ".join(shown.split()), command.name


def _compared(path: Path) -> dict[str, tuple[object, ...]]:
    """The chart sheet's rows comparing a total with the month before, by title."""
    sheet = openpyxl.load_workbook(path)["图表 Charts"]
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0] is not None]
    return {str(r[0]): r for r in rows if len(r) > 2 and r[2] is not None}


def test_demo_and_run_with_a_ledger_chart_the_month_against_the_one_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The workbooks of `demo` and of `run --ledger` compare March's net pay with
    February's: the earlier months reach the workbook writer."""
    pack = ["--policies", str(ROOT / "policies")]
    assert main(["demo", *pack, "--examples", str(ROOT / "examples"), "--out", str(tmp_path)]) == 0
    from_demo = _compared(tmp_path / "2026-03.xlsx")["应发工资"]
    ledger = str(tmp_path / "ledger.sqlite")
    for month in ("2026-01", "2026-02", "2026-03"):
        facts = ["--facts", str(ROOT / "examples" / month)]
        first = ["--new-ledger"] if month == "2026-01" else []
        suffix = ".json" if month == "2026-02" else ".xlsx"
        out = ["--out", str(tmp_path / f"run-{month}{suffix}")]
        assert (
            main(["run", *pack, "--period", month, *facts, "--ledger", ledger, *first, *out]) == 0
        )
    capsys.readouterr()
    from_run = _compared(tmp_path / "run-2026-03.xlsx")["应发工资"]
    assert from_run == from_demo and from_run[1] != from_run[2]
    february = json.loads((tmp_path / "run-2026-02.json").read_text(encoding="utf-8"))
    net = [r["outputs"]["pay"]["net_pay"] for r in february["records"] if r["kind"] == "rep"]
    assert Decimal(repr(from_run[1])) == sum(map(Decimal, net), Decimal(0))
