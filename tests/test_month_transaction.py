"""A month's run is one transaction of its ledger: its history is read, and its run
appended, under one write lock, so two runs on one ledger never both read the same history
and both append (a month run beside the one before it would miss that month's values)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from policyengine.audit import open_ledger
from policyengine.month import Recording, run_month
from policyengine.run._repository import load

ROOT = Path(__file__).parent.parent
POLICIES = ROOT / "policies"
EXAMPLES = ROOT / "examples"
WORKER = Path(__file__).parent / "month_worker.py"


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    """A ledger holding January."""
    file = tmp_path / "ledger.sqlite"
    run_month(
        load(POLICIES), "2026-01", EXAMPLES / "2026-01", ledger=file, recording=Recording(new=True)
    )
    return file


def start(ledger: Path, period: str, step: str, out: Path) -> subprocess.Popen[str]:
    args = [str(WORKER), str(POLICIES), str(EXAMPLES / period), str(ledger), str(out), step]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.Popen(
        [sys.executable, *args, period],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def first_line(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line:
        raise AssertionError(f"the worker ended: {proc.communicate()[1][-800:]}")
    return line


def test_a_month_waits_for_the_month_before_it_and_reads_its_values(
    ledger: Path, tmp_path: Path
) -> None:
    """February holds the ledger from its history read to its append; March, started
    meanwhile, waits, and then reads February's run as history."""
    february = start(ledger, "2026-02", "hold", tmp_path / "feb.csv")
    march = None
    try:
        assert first_line(february) == "stalled"
        march = start(ledger, "2026-03", "none", tmp_path / "mar.csv")
        # March must wait rather than read a history without February.
        assert first_line(march) == "waiting"
        out, err = february.communicate("go\n", timeout=120)
        assert out.split() == ["done", "1"], err[-800:]
        out, err = march.communicate(timeout=120)
        assert out.split() == ["done", "1,2"], err[-800:]
    finally:
        for proc in (february, march):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.communicate()
    with open_ledger(ledger, read_only=True) as opened:
        assert opened.verify() == []
        assert [run.record.period for run in opened.runs()] == ["2026-01", "2026-02", "2026-03"]


def test_a_failed_run_appends_nothing_and_releases_the_ledger(ledger: Path, tmp_path: Path) -> None:
    """A run that fails inside the hold rolls back, and the next run takes the ledger."""
    pack = load(POLICIES)
    with pytest.raises(Exception, match="no such"):
        run_month(pack, "2026-02", tmp_path / "no such folder", ledger=ledger)
    run = run_month(pack, "2026-02", EXAMPLES / "2026-02", ledger=ledger)
    assert run.recorded is not None and run.recorded[0] == 2
    assert run.history_runs == (1,)
