"""Ledger schema version 3: a run's inputs and outputs kept once each, compressed, by SHA-256;
ledgers of schema versions 1 and 2 still verify, replay and take runs in their own version."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from ledger_edits import forging, stored

import policyengine
from policyengine.audit import migrate_ledger
from policyengine.audit._replay import replay_run
from policyengine.audit.ledger import SCHEMA_VERSION, open_ledger
from policyengine.cli._main import main
from policyengine.month import Recording, run_month

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).parent / "fixtures" / "ledgers"


def rows(file: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(f"file:{file}?mode=ro", uri=True) as db:
        found = [tuple(row) for row in db.execute(sql)]
    db.close()
    return found


def digest(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()


def test_a_month_run_twice_over_the_same_facts_adds_no_document(
    pack: policyengine.Repository, tmp_path: Path
) -> None:
    """A new ledger is schema 3; a month's inputs and outputs are one compressed document
    each, and a second run of the same facts adds a run but no document."""
    ledger = tmp_path / "ledger.sqlite"
    month = EXAMPLES / "2026-01"
    first = run_month(pack, "2026-01", month, ledger=ledger, recording=Recording(new=True))
    assert rows(ledger, "SELECT schema_version FROM meta") == [(SCHEMA_VERSION,)] == [(3,)]
    documents = rows(ledger, "SELECT sha256, size, length(data) FROM documents ORDER BY 1")
    inputs, outputs = first.result.inputs, first.result.outputs_json()
    keys = sorted(hashlib.sha256(data).hexdigest() for data in (inputs, outputs))
    assert [d[0] for d in documents] == keys
    sizes = {d[0]: (d[1], d[2]) for d in documents}
    key = hashlib.sha256(inputs).hexdigest()
    assert sizes[key][0] == len(inputs)
    assert sizes[key][1] * 5 < len(inputs)  # kept compressed
    run_month(pack, "2026-01", month, ledger=ledger)
    assert rows(ledger, "SELECT count(*) FROM runs") == [(2,)]
    assert rows(ledger, "SELECT sha256, size, length(data) FROM documents ORDER BY 1") == documents
    with open_ledger(ledger, read_only=True) as opened:
        assert opened.verify() == []
        assert opened.get(2).record.inputs == inputs
        assert opened.get(2).record.outputs == outputs
        assert replay_run(opened, 2).identical


def test_a_removed_document_is_found(pack: policyengine.Repository, tmp_path: Path) -> None:
    """A document deleted from the file is blob-missing at the run naming it, and get refuses
    the run."""
    ledger = tmp_path / "ledger.sqlite"
    run_month(pack, "2026-01", EXAMPLES / "2026-01", ledger=ledger, recording=Recording(new=True))
    with forging(ledger) as db:
        db.execute("DELETE FROM documents WHERE sha256 = (SELECT inputs FROM runs WHERE id = 1)")
    with open_ledger(ledger, read_only=True) as opened:
        assert [(p.code, p.location.record) for p in opened.verify()] == [("blob-missing", 1)]
        with pytest.raises(policyengine.PolicyError) as caught:
            opened.get(1)
        assert caught.value.code == "blob-missing"


def test_a_schema_2_ledger_verifies_and_replays_without_being_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ledger recorded before schema 3 (two months, the second with record errors located
    in policy files) verifies and replays byte for byte; reading it changes no byte."""
    copy = tmp_path / "schema2.sqlite"
    shutil.copyfile(FIXTURES / "schema2.sqlite", copy)
    before = digest(copy)
    with open_ledger(copy, read_only=True) as ledger:
        assert ledger.version == 2
        assert ledger.verify() == []
        for run in ledger.runs():
            replay = replay_run(ledger, run.id)
            assert replay.identical, replay.first_difference
        assert b'"file":"policies/pay/2025-07.yaml"' in ledger.get(2).record.outputs
    capsys.readouterr()
    assert main(["ledger", "verify", str(copy)]) == 0
    assert "unsigned, format 2" in capsys.readouterr().out
    assert main(["replay", "--ledger", str(copy), "--all"]) == 0
    assert digest(copy) == before


def test_a_schema_2_ledger_takes_a_run_in_its_own_version(
    pack: policyengine.Repository, tmp_path: Path
) -> None:
    """A month appended to a schema 2 ledger is kept as schema 2 keeps it (whole, in its
    row): the file is never rewritten into schema 3 behind its owner's back."""
    copy = tmp_path / "schema2.sqlite"
    shutil.copyfile(FIXTURES / "schema2.sqlite", copy)
    march = run_month(pack, "2026-03", EXAMPLES / "2026-03", ledger=copy)
    assert march.history_runs == (1, 2)
    assert rows(copy, "SELECT schema_version FROM meta") == [(2,)]
    assert rows(copy, "SELECT name FROM sqlite_master WHERE name = 'documents'") == []
    with sqlite3.connect(f"file:{copy}?mode=ro", uri=True) as db:
        assert stored(db, 3, "inputs") == march.result.inputs
    db.close()
    with open_ledger(copy, read_only=True) as ledger:
        assert ledger.verify() == []
        assert replay_run(ledger, 3).identical


def test_a_schema_2_ledger_is_copied_into_schema_3_only_when_asked(tmp_path: Path) -> None:
    """migrate_ledger writes a new, smaller schema 3 file holding every run as it was (number,
    time, hash, records), which verifies with the same head and replays identical; the
    source is not changed."""
    source = tmp_path / "schema2.sqlite"
    shutil.copyfile(FIXTURES / "schema2.sqlite", source)
    before = digest(source)
    target = tmp_path / "schema3.sqlite"
    with open_ledger(source, read_only=True) as old:
        runs, head = old.head(), [(r.id, r.created, r.hash, r.record) for r in old.runs()]
    assert migrate_ledger(source, target) == runs
    assert digest(source) == before
    assert target.stat().st_size * 3 < source.stat().st_size
    with open_ledger(target, read_only=True) as new:
        assert new.version == 3 and new.verify() == [] and new.head() == runs
        assert [(r.id, r.created, r.hash, r.record) for r in new.runs()] == head
        assert all(replay_run(new, run_id).identical for run_id in (1, 2))


@pytest.mark.parametrize(
    ("name", "there", "code"),
    [("format1.sqlite", False, "ledger-version"), ("schema2.sqlite", True, "ledger-exists")],
)
def test_a_ledger_that_cannot_be_copied_is_left_alone(
    tmp_path: Path, name: str, there: bool, code: str
) -> None:
    """A schema 1 ledger (hashed another way) is refused, as is a copy over an existing file;
    neither file changes."""
    source = tmp_path / name
    shutil.copyfile(FIXTURES / name, source)
    target = tmp_path / "copy.sqlite"
    if there:
        target.write_bytes(b"kept")
    with pytest.raises(policyengine.PolicyError) as caught:
        migrate_ledger(source, target)
    assert caught.value.code == code
    assert source.read_bytes() == (FIXTURES / name).read_bytes()
    assert target.read_bytes() == b"kept" if there else not target.exists()
