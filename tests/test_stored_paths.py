"""A month's run stores the same bytes however its folders were spelled or wherever they are,
and replays identical after the folder is moved, record errors and all."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from ledger_edits import stored

from policyengine.audit.ledger import open_ledger
from policyengine.cli._main import main

ROOT = Path(__file__).parent.parent


def spoilt_month(folder: Path) -> Path:
    """The shipped pack and February's facts under ``folder``, two reps spoilt: one base
    salary too large for the pay rule (an error located in pay/2025-07.yaml), one not a
    number (an error located by record)."""
    shutil.copytree(ROOT / "policies", folder / "policies")
    month = folder / "m" / "2026-02"
    shutil.copytree(ROOT / "examples" / "2026-02", month)
    lines = (month / "rep.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace(",3000.00,", ",99999999999999999999,", 1)
    lines[4] = lines[4].replace(",3000.00,", ",abc,", 1)
    (month / "rep.csv").write_text("".join(lines), encoding="utf-8")
    return month


def run(policies: str, facts: str, ledger: str, *extra: str) -> int:
    args = ["run", "--policies", policies, "--period", "2026-02", "--facts", facts]
    return main([*args, "--ledger", ledger, *extra])


def stored_run(ledger: Path, run_id: int = 1) -> tuple[bytes, bytes, bytes]:
    with sqlite3.connect(f"file:{ledger}?mode=ro", uri=True) as db:
        found = tuple(stored(db, run_id, column) for column in ("inputs", "outputs"))
        (provenance,) = db.execute("SELECT provenance FROM runs WHERE id = ?", (run_id,)).fetchone()
    db.close()
    return (*found, provenance)


def test_two_spellings_of_the_folders_store_the_same_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--facts ./m/2026-02/ --policies policies` and the same folders as absolute paths
    store the same inputs, outputs and provenance; a policy file an error names is stored
    relative to the policy folder."""
    spoilt_month(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert run("policies", "./m/2026-02/", "relative.sqlite", "--new-ledger") == 2
    absolute = (str(tmp_path / "policies") + "/", str(tmp_path / "m" / "2026-02"))
    assert run(*absolute, "absolute.sqlite", "--new-ledger") == 2
    capsys.readouterr()
    relative = stored_run(tmp_path / "relative.sqlite")
    assert relative == stored_run(tmp_path / "absolute.sqlite")
    errors = json.loads(relative[1])["errors"]
    files = {e["location"].get("file") for e in errors}
    assert files == {"pay/2025-07.yaml", None}
    assert {e["code"] for e in errors} >= {"number-too-large", "not-a-number"}


def test_a_month_with_record_errors_replays_after_its_folder_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ledger moved with its facts and policies to another folder replays identical, and
    the month run again there, under other spellings, stores the outputs it stored before
    (no new document)."""
    spoilt_month(tmp_path / "here")
    monkeypatch.chdir(tmp_path / "here")
    assert run("policies", "m/2026-02", "ledger.sqlite", "--new-ledger") == 2
    shutil.move(tmp_path / "here", tmp_path / "there")
    monkeypatch.chdir(tmp_path)
    moved = tmp_path / "there"
    capsys.readouterr()
    assert main(["replay", "--ledger", str(moved / "ledger.sqlite"), "--all"]) == 0
    assert capsys.readouterr().out.startswith("run 1: identical")
    facts = str(moved / "m" / "2026-02") + "/"
    assert run("there/policies", facts, "there/ledger.sqlite") == 2
    first, second = (stored_run(moved / "ledger.sqlite", n) for n in (1, 2))
    assert first == second
    with sqlite3.connect(f"file:{moved / 'ledger.sqlite'}?mode=ro", uri=True) as db:
        assert db.execute("SELECT count(*) FROM documents").fetchone() == (2,)
    db.close()
    with open_ledger(moved / "ledger.sqlite", read_only=True) as ledger:
        assert ledger.verify() == []
