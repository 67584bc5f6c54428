"""A month's run under faults: a full disk or a kill at any step never leaves a pay sheet that
no ledger run records, nor a 0-byte or cut-off output file, nor a traceback."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from policyengine.audit import open_ledger
from policyengine.errors import PolicyError
from policyengine.month import Recording, run_month
from policyengine.run._repository import Repository, load

ROOT = Path(__file__).parent.parent
STANDALONE = ROOT / "examples" / "standalone"
WORKER = Path(__file__).parent / "month_worker.py"


@pytest.fixture
def pack() -> Repository:
    return load(STANDALONE / "policies")


@pytest.fixture
def ledger(tmp_path: Path, pack: Repository) -> Path:
    """A ledger holding one run of March."""
    file = tmp_path / "ledger.sqlite"
    run_month(pack, "2026-03", STANDALONE / "2026-03", ledger=file, recording=Recording(new=True))
    return file


def runs_in(file: Path) -> int:
    with open_ledger(file, read_only=True) as opened:
        assert opened.verify() == []
        return opened.head()[0]


def no_full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: Path, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_bytes", full)


@pytest.mark.parametrize("suffix", [".json", ".csv", ".xlsx"])
def test_full_disk_is_a_located_error_and_records_nothing(
    pack: Repository, ledger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    """A write failing with ENOSPC is output-io at the output file; the earlier pay sheet is
    untouched, no ledger run is added and nothing half-written is left in the folder."""
    out = tmp_path / "out" / f"pay{suffix}"
    run_month(pack, "2026-03", STANDALONE / "2026-03", ledger=ledger, out=out)
    before = {p.name: p.read_bytes() for p in out.parent.iterdir()}
    no_full_disk(monkeypatch)
    with pytest.raises(PolicyError) as caught:
        run_month(pack, "2026-03", STANDALONE / "2026-03", ledger=ledger, out=out)
    assert (caught.value.code, caught.value.location.file) == ("output-io", str(out))
    assert "disk is full" in (caught.value.hint or "")
    assert {p.name: p.read_bytes() for p in out.parent.iterdir()} == before
    assert runs_in(ledger) == 2


def test_files_are_moved_in_only_after_the_ledger_commits(
    pack: Repository, ledger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ledger append that fails leaves no output file in place."""
    out = tmp_path / "pay.csv"

    def refuse(*args: object, **kwargs: object) -> object:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr("policyengine.month.record_run", refuse)
    with pytest.raises(OSError):
        run_month(pack, "2026-03", STANDALONE / "2026-03", ledger=ledger, out=out)
    assert list(tmp_path.glob("pay*")) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def start(ledger: Path, out: Path, step: str) -> subprocess.Popen[str]:
    facts = str(STANDALONE / "2026-03")
    args = [sys.executable, str(WORKER), str(STANDALONE / "policies"), facts, str(ledger)]
    # This checkout's package, whatever another installed copy says.
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.Popen(
        [*args, str(out), step], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


@pytest.mark.parametrize(("step", "recorded"), [("write", 1), ("append", 1), ("commit", 2)])
def test_a_kill_at_any_step_leaves_no_unrecorded_or_cut_off_file(
    ledger: Path, tmp_path: Path, step: str, recorded: int
) -> None:
    """Killed while writing, before the append or before the files are moved in: the pay
    sheet is never in place unless a ledger run records it, and never 0-byte or cut off."""
    out = tmp_path / "out" / "pay.csv"
    proc = start(ledger, out, step)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    assert line == "stalled", proc.communicate()[1][-800:]
    proc.send_signal(signal.SIGKILL)
    proc.communicate()  # closes the pipes
    assert runs_in(ledger) == recorded
    assert not out.exists() and not out.with_suffix(".provenance.json").exists()
    # What a kill leaves is only the hidden staging folder, never a visible file.
    assert [p.name for p in out.parent.iterdir() if not p.name.startswith(".")] == []


def test_an_unkilled_worker_writes_and_records(ledger: Path, tmp_path: Path) -> None:
    """The worker without a stall step completes: the kill tests test the steps, not a
    worker that never writes."""
    out = tmp_path / "pay.csv"
    proc = start(ledger, out, "none")
    stdout, stderr = proc.communicate(timeout=120)
    assert stdout.strip() == "done", stderr[-800:]
    assert runs_in(ledger) == 2 and out.stat().st_size > 0
