"""Stale later months: a month re-run with other values after later months were run from
its old ones leaves those later runs stale, which ledger verify, ledger list and run of a
later month say (later-run-stale), without refusing anything."""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path

import pytest

import policyengine
from policyengine.audit import open_ledger
from policyengine.audit._stale import stale_runs
from policyengine.cli._main import main
from policyengine.errors import PolicyError
from policyengine.month import Recording, run_month

ROOT = Path(__file__).parent.parent
PACK = ROOT / "policies"
EXAMPLES = ROOT / "examples"


@pytest.fixture
def ledger(pack: policyengine.Repository, tmp_path: Path) -> Path:
    """January, February and March run in order (runs 1 to 3)."""
    file = tmp_path / "ledger.sqlite"
    run_month(pack, "2026-01", EXAMPLES / "2026-01", ledger=file, recording=Recording(new=True))
    for month in ("2026-02", "2026-03"):
        run_month(pack, month, EXAMPLES / month, ledger=file)
    return file


def corrected(tmp_path: Path, month: str) -> Path:
    """The month's facts with its last rep left out: every later month read that rep."""
    folder = tmp_path / "corrected" / month
    shutil.copytree(EXAMPLES / month, folder)
    rep = folder / "rep.csv"
    rep.write_text("".join(rep.read_text(encoding="utf-8").splitlines(True)[:-1]), "utf-8")
    return folder


def stale(file: Path) -> list[tuple[int | None, dict[str, object]]]:
    with open_ledger(file, read_only=True) as opened:
        found = stale_runs(opened.path, opened.runs())
    assert {f.code for f in found} <= {"later-run-stale"}
    return [(f.location.record, dict(f.details)) for f in found]


def details(problems: tuple[PolicyError, ...]) -> list[tuple[int | None, str]]:
    return [(p.location.record, str(p.details["months"])) for p in problems]


def test_months_run_in_order_are_not_stale(ledger: Path) -> None:
    assert stale(ledger) == []


def test_a_re_run_with_the_same_values_or_a_what_if_leaves_nothing_stale(
    pack: policyengine.Repository, ledger: Path
) -> None:
    run_month(pack, "2026-01", EXAMPLES / "2026-01", ledger=ledger)
    day = datetime.date(2025, 12, 1)  # before January's versions: a what-if
    run_month(pack, "2026-01", EXAMPLES / "2026-01", ledger=ledger, as_known_at=day)
    assert stale(ledger) == []


def test_a_corrected_month_makes_the_later_runs_stale_until_they_are_re_run(
    pack: policyengine.Repository, ledger: Path, tmp_path: Path
) -> None:
    january = corrected(tmp_path, "2026-01")
    run_month(pack, "2026-01", january, ledger=ledger, recording=Recording(rerun="rep left"))
    assert stale(ledger) == [
        (2, {"run": 2, "period": "2026-02", "months": "2026-01", "by": "4"}),
        (3, {"run": 3, "period": "2026-03", "months": "2026-01", "by": "4"}),
    ]
    # March run again reads January's new values, and February's stale ones: it says so.
    again = Recording(rerun="January corrected")
    march = run_month(pack, "2026-03", EXAMPLES / "2026-03", ledger=ledger, recording=again)
    assert details(march.stale) == [(2, "2026-01")]
    assert [r for r, _ in stale(ledger)] == [2]
    february = run_month(pack, "2026-02", EXAMPLES / "2026-02", ledger=ledger, recording=again)
    assert february.stale == ()
    # February's values that March reads came out as before the correction: the new
    # March (run 5) read February as run 2 had it, and that is what run 6 gives too.
    assert stale(ledger) == []


def test_ledger_verify_and_list_list_stale_runs_without_failing(
    pack: policyengine.Repository,
    ledger: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    february = corrected(tmp_path, "2026-02")
    run_month(pack, "2026-02", february, ledger=ledger, recording=Recording(rerun="rep left"))
    assert main(["ledger", "verify", str(ledger)]) == 0
    out = capsys.readouterr().out
    assert "record 3: later-run-stale: run 3 (2026-03) read values of 2026-02" in out
    assert out.rstrip().endswith("0 problems, 1 stale run")
    assert main(["ledger", "list", str(ledger)]) == 0
    assert "later-run-stale: run 3 (2026-03)" in capsys.readouterr().out
    assert main(["ledger", "list", str(ledger), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["stale"] == [{"run": 3, "period": "2026-03", "months": "2026-02", "by": "4"}]
    # ledger status says just that: the months to run again.
    assert main(["ledger", "status", str(ledger)]) == 0
    out = capsys.readouterr().out
    assert "later-run-stale: run 3 (2026-03)" in out and out.rstrip().endswith("1 stale run")
    assert main(["ledger", "status", str(ledger), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"stale": document["stale"]}


def test_ledger_status_of_a_ledger_run_in_order(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ledger", "status", str(ledger)]) == 0
    assert capsys.readouterr().out == "no stale runs\n"


def test_run_of_a_later_month_says_which_runs_it_reads_are_stale(
    pack: policyengine.Repository,
    ledger: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    january = corrected(tmp_path, "2026-01")
    run_month(pack, "2026-01", january, ledger=ledger, recording=Recording(rerun="rep left"))
    args = ["run", "--policies", str(PACK), "--ledger", str(ledger), "--period", "2026-03"]
    code = main([*args, "--facts", str(EXAMPLES / "2026-03"), "--rerun", "January corrected"])
    assert code == 0
    err = capsys.readouterr().err
    assert "record 2: later-run-stale: run 2 (2026-02) read values of 2026-01" in err
    assert "run 2026-02 again with --rerun" in err
