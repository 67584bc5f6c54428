"""What the commands print: the summary of a month, the JSON only when asked for."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
