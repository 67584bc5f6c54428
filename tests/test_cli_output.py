"""What the commands print: the summary of a month, the JSON only when asked for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policyengine.cli._main import main

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
