"""What-if runs (as known at a day before today's versions, or with drafts) are recorded
with a mark, verify and replay like any run, and are not a later month's history unless
asked."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

import policyengine
from policyengine.audit import open_ledger
from policyengine.audit._replay import replay_run
from policyengine.cli._main import main
from policyengine.month import Recording, read_ledger_history, run_month

ROOT = Path(__file__).parent.parent
PACK = ROOT / "policies"
EXAMPLES = ROOT / "examples"
#: Before commission 2026-01 was published (2025-12-20): January's versions were others.
BEFORE = datetime.date(2025, 12, 1)


@pytest.fixture
def ledger(pack: policyengine.Repository, tmp_path: Path) -> Path:
    """January run for real (run 1), then as known at 2025-12-01 (run 2)."""
    file = tmp_path / "ledger.sqlite"
    run_month(pack, "2026-01", EXAMPLES / "2026-01", ledger=file, recording=Recording(new=True))
    run_month(pack, "2026-01", EXAMPLES / "2026-01", ledger=file, as_known_at=BEFORE)
    return file


def provenance(file: Path, run_id: int) -> dict[str, object]:
    with open_ledger(file, read_only=True) as opened:
        loaded: dict[str, object] = json.loads(opened.get(run_id).record.provenance)
    return loaded


def test_an_earlier_day_s_versions_mark_the_run_and_it_verifies_and_replays(
    ledger: Path,
) -> None:
    assert "what_if" not in provenance(ledger, 1)
    assert provenance(ledger, 2)["what_if"] == {"format": 1, "as_known_at": "2025-12-01"}
    with open_ledger(ledger, read_only=True) as opened:
        assert opened.verify() == []
        assert replay_run(opened, 2).identical and replay_run(opened, 1).identical


def test_a_what_if_is_skipped_as_history_unless_asked(
    pack: policyengine.Repository, ledger: Path
) -> None:
    february = run_month(pack, "2026-02", EXAMPLES / "2026-02", ledger=ledger)
    assert (february.history_runs, february.skipped_what_ifs) == ((1,), (2,))
    asked = run_month(
        pack,
        "2026-02",
        EXAMPLES / "2026-02",
        ledger=ledger,
        recording=Recording(what_ifs=True, rerun="with the what-if"),
    )
    assert (asked.history_runs, asked.skipped_what_ifs) == ((2,), ())


def test_today_s_versions_as_known_at_a_later_day_are_no_what_if(
    pack: policyengine.Repository, tmp_path: Path
) -> None:
    run = run_month(
        pack,
        "2026-01",
        EXAMPLES / "2026-01",
        ledger=tmp_path / "l.sqlite",
        as_known_at=datetime.date(2026, 1, 15),
        recording=Recording(new=True),
    )
    assert run.what_if is None
    assert "what_if" not in provenance(tmp_path / "l.sqlite", 1)


def test_drafts_allowed_mark_the_run(pack: policyengine.Repository, tmp_path: Path) -> None:
    file = tmp_path / "l.sqlite"
    run = run_month(
        pack,
        "2026-01",
        EXAMPLES / "2026-01",
        ledger=file,
        recording=Recording(new=True, drafts=("commission 2026-01",)),
    )
    assert run.what_if == {"format": 1, "drafts": ["commission 2026-01"]}
    assert provenance(file, 1)["what_if"] == run.what_if


def test_the_command_says_what_if_and_what_history_skipped(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run", "--policies", str(PACK), "--ledger", str(ledger)]
    january = ["--period", "2026-01", "--facts", str(EXAMPLES / "2026-01")]
    assert main([*args, *january, "--as-known-at", "2025-12-01"]) == 0
    err = capsys.readouterr().err
    assert "what-if: the run is recorded as a what-if (as known at 2025-12-01" in err
    assert main([*args, "--period", "2026-02", "--facts", str(EXAMPLES / "2026-02")]) == 0
    err = capsys.readouterr().err
    assert "history: earlier months from ledger runs 1; what-if runs 2, 3 not used" in err
    assert "what-if:" not in err


def test_ledger_list_shows_the_mark(ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ledger", "list", str(ledger)]) == 0
    lines = capsys.readouterr().out.splitlines()
    marked = [line for line in lines if "what-if" in line]
    assert len(marked) == 1 and "2025-12-01 what-if" in marked[0]
    assert main(["ledger", "list", str(ledger), "--format", "json"]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [run["what_if"] for run in runs] == [None, {"format": 1, "as_known_at": "2025-12-01"}]


def test_read_ledger_history_names_the_what_ifs_left_out(ledger: Path) -> None:
    _, used, skipped = read_ledger_history(ledger, "2026-02")
    assert (used, skipped) == ((1,), (2,))
    _, used, skipped = read_ledger_history(ledger, "2026-02", what_ifs=True)
    assert (used, skipped) == ((2,), ())
