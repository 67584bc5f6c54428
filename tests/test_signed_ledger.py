"""Signed ledger runs: every rewrite an operator with write access to the file could make is
found by an auditor holding only the public key of whoever ran the months."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from ledger_edits import digest, forging, put

from policyengine import PolicyError
from policyengine.audit import GENESIS, PolicyBlob, RunRecord, Trust, open_ledger
from policyengine.audit._ledger_guard import check_ledger
from policyengine.load._keys import SigningKey, new_key_pair, read_signing_key

FIXTURES = Path(__file__).parent / "fixtures" / "ledgers"
POLICY = b"policy: commission\nversion: '2026-01'\nrules: []\n"
BLOB = PolicyBlob("commission", "2026-01", hashlib.sha256(POLICY).hexdigest(), POLICY)
LOCK_HEAD = "ab" * 32


def record(period: str, sales: str = "100000", blob: PolicyBlob = BLOB) -> RunRecord:
    return RunRecord(
        period=period,
        as_known_at=None,
        policies=(blob,),
        inputs=b'[{"credited_sales":"%s","rep_id":"A01"}]' % sales.encode(),
        outputs=b'[{"outputs":{"commission":"3500.00"},"record":"A01"}]',
        provenance=b'{"engine":"0.1.0"}',
        label=f"payroll {period}",
    )


def new_key(folder: Path, name: str) -> SigningKey:
    return read_signing_key(new_key_pair(folder / name)[0])


@pytest.fixture
def key(tmp_path: Path) -> SigningKey:
    return new_key(tmp_path, "payroll.key")


@pytest.fixture
def trust(key: SigningKey) -> Trust:
    return Trust({key.public.id: key.public})


@pytest.fixture
def path(tmp_path: Path, key: SigningKey) -> Path:
    """Four signed runs, January to April."""
    file = tmp_path / "ledger.sqlite"
    with open_ledger(file) as ledger:
        for month in ("01", "02", "03", "04"):
            ledger.append(record(f"2026-{month}"), lock_head=LOCK_HEAD, signer=key)
    return file


def run_hash(db: sqlite3.Connection, run_id: int, prev: str) -> str:
    """A run's hash by the documented recipe: what a forger recomputes."""
    row = db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
    sql = "SELECT policy, version, sha256 FROM run_policies WHERE run_id = ? ORDER BY position"
    used = [list(link) for link in db.execute(sql, (run_id,))]
    (head,) = db.execute("SELECT lock_head FROM seals WHERE run_id = ?", (run_id,)).fetchone()
    digests = [digest(data) for data in row[5:8]]
    fields = ["policyengine-ledger-run", 2, prev, *row[:5], used, head, *digests]
    return hashlib.sha256(json.dumps(fields, separators=(",", ":")).encode()).hexdigest()


def rechain(db: sqlite3.Connection) -> None:
    """Every run's prev_hash and hash recomputed in id order, and meta to match."""
    prev, count = GENESIS, 0
    for (run_id,) in db.execute("SELECT id FROM runs ORDER BY id").fetchall():
        digest = run_hash(db, run_id, prev)
        db.execute("UPDATE runs SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, run_id))
        prev, count = digest, count + 1
    db.execute("UPDATE meta SET run_count = ?, head_hash = ?", (count, prev))


def codes(file: Path, trust: Trust | None = None) -> list[tuple[str, int | None]]:
    with open_ledger(file, read_only=True) as ledger:
        return [(p.code, p.location.record) for p in ledger.verify(trust)]


def forge(file: Path, edit: Callable[[sqlite3.Connection], object]) -> None:
    with forging(file) as db:
        edit(db)
        rechain(db)


def test_signed_ledger_verifies(path: Path, trust: Trust, key: SigningKey) -> None:
    """Signed runs verify against the trusted key, and say who signed them."""
    assert codes(path, trust) == []
    with open_ledger(path, read_only=True) as ledger:
        status = ledger.seals(trust)
        assert (status.signed, status.unsigned, status.key_ids) == (4, 0, (key.public.id,))
        assert ledger.get(2).lock_head == LOCK_HEAD
        assert ledger.get(2).key_id == key.public.id


def test_forged_chain_fails_the_signatures(path: Path, trust: Trust) -> None:
    """An input raised and every later hash recomputed verifies without a key, not with one."""

    def raise_input(db: sqlite3.Connection) -> None:
        put(db, 2, "inputs", b'[{"credited_sales":"900000"}]')

    forge(path, raise_input)
    assert codes(path) == []
    assert codes(path, trust) == [("bad-signature", n) for n in (2, 3, 4)]


def test_a_run_is_not_signed_on_top_of_a_run_its_key_no_longer_vouches_for(
    path: Path, key: SigningKey, tmp_path: Path
) -> None:
    """The chain of a forged ledger is whole, but its runs signed by the key in hand no
    longer carry its signature: a month's run with that key refuses to build on it (and
    to read its history). Runs signed by another key are not this key's to judge."""

    def raise_input(db: sqlite3.Connection) -> None:
        put(db, 2, "inputs", b'[{"credited_sales":"900000"}]')

    clean = tmp_path / "clean.sqlite"
    shutil.copy(path, clean)
    forge(path, raise_input)
    check_ledger(path, new=False)  # the chain alone: whole
    with pytest.raises(PolicyError) as refused:
        check_ledger(path, new=False, signer=key.public)
    assert (refused.value.code, refused.value.details["problems"]) == (
        "ledger-broken",
        ["bad-signature"] * 3,
    )
    check_ledger(clean, new=False, signer=key.public)
    check_ledger(clean, new=False, signer=new_key(tmp_path, "other.key").public)


def test_rerun_backdated_between_runs_is_found(path: Path, trust: Trust) -> None:
    """A forged re-run of a month put in with a time before the run before it is out of order,
    even in an unsigned reading; and its signature cannot be made."""

    def backdate(db: sqlite3.Connection) -> None:
        (first,) = db.execute("SELECT created FROM runs WHERE id = 1").fetchone()
        db.execute("UPDATE runs SET created = ? WHERE id = 3", (first,))
        db.execute("UPDATE runs SET created = '2025-12-31T00:00:00.000000+00:00' WHERE id = 4")

    forge(path, backdate)
    assert codes(path) == [("run-out-of-order", 3), ("run-out-of-order", 4)]
    assert ("run-out-of-order", 4) in codes(path, trust)
    assert ("bad-signature", 3) in codes(path, trust)


def test_reordered_runs_fail_the_signatures(path: Path, trust: Trust) -> None:
    """Two runs swapped and re-chained: the signatures no longer match."""

    def swap(db: sqlite3.Connection) -> None:
        columns = "period, inputs, outputs, label"
        two = db.execute(f"SELECT {columns} FROM runs WHERE id = 2").fetchone()
        three = db.execute(f"SELECT {columns} FROM runs WHERE id = 3").fetchone()
        sets = ", ".join(f"{c} = ?" for c in columns.split(", "))
        db.execute(f"UPDATE runs SET {sets} WHERE id = 2", three)
        db.execute(f"UPDATE runs SET {sets} WHERE id = 3", two)

    forge(path, swap)
    assert codes(path, trust) == [("bad-signature", n) for n in (2, 3, 4)]


def test_deleted_middle_run_fails_the_signatures(path: Path, trust: Trust) -> None:
    """A middle run deleted, the later ones renumbered and re-chained: signatures break."""

    def delete(db: sqlite3.Connection) -> None:
        for table, column in (("run_policies", "run_id"), ("seals", "run_id"), ("runs", "id")):
            db.execute(f"DELETE FROM {table} WHERE {column} = 2")
            db.execute(f"UPDATE {table} SET {column} = {column} - 1 WHERE {column} > 2")

    forge(path, delete)
    assert codes(path) == []
    assert codes(path, trust) == [("bad-signature", 2), ("bad-signature", 3)]


def test_truncated_tail_is_found_by_the_kept_head(path: Path, trust: Trust) -> None:
    """The last run cut off (meta rewritten) is a valid shorter ledger: the kept head finds it."""
    with open_ledger(path, read_only=True) as ledger:
        kept = ledger.head()[1]

    def cut(db: sqlite3.Connection) -> None:
        for table, column in (("run_policies", "run_id"), ("seals", "run_id"), ("runs", "id")):
            db.execute(f"DELETE FROM {table} WHERE {column} = 4")

    forge(path, cut)
    assert codes(path, trust) == []
    assert codes(path, Trust(trust.keys, head=kept)) == [("head-missing", None)]


def test_older_copy_is_found_by_the_kept_head(
    path: Path, trust: Trust, key: SigningKey, tmp_path: Path
) -> None:
    """An older copy of the file put back is a valid ledger: the kept head finds it."""
    older = tmp_path / "older.sqlite"
    shutil.copyfile(path, older)
    with open_ledger(path) as ledger:
        kept = ledger.append(record("2026-05"), lock_head=LOCK_HEAD, signer=key).hash
    shutil.copyfile(older, path)
    assert codes(path, trust) == []
    assert codes(path, Trust(trust.keys, head=kept)) == [("head-missing", None)]


def test_resigned_with_another_key_is_untrusted(path: Path, trust: Trust, tmp_path: Path) -> None:
    """An operator's own key makes valid signatures, but not of a key the auditor trusts."""
    other = new_key(tmp_path, "operator.key")
    copy = tmp_path / "operator.sqlite"
    with open_ledger(copy) as ledger:
        for month in ("01", "02"):
            ledger.append(record(f"2026-{month}", "900000"), lock_head=LOCK_HEAD, signer=other)
    assert codes(copy) == []
    assert codes(copy, trust) == [("untrusted-key", 1), ("untrusted-key", 2)]


def test_unsigned_run_after_signed_runs_is_found(path: Path) -> None:
    """A run appended without the key after signed runs is reported even without --trust."""
    with open_ledger(path) as ledger:
        ledger.append(record("2026-05"), lock_head=LOCK_HEAD)
    assert codes(path) == [("run-unsigned", 5)]


def test_require_signed_reports_unsigned_ledgers(tmp_path: Path, trust: Trust) -> None:
    """An unsigned ledger is reported plainly, and is a problem only when signatures are
    required; the format 1 fixtures still verify clean as they are."""
    file = tmp_path / "unsigned.sqlite"
    with open_ledger(file) as ledger:
        ledger.append(record("2026-01"))
    required = Trust(trust.keys, require_signed=True)
    assert codes(file, trust) == []
    assert codes(file, required) == [("run-unsigned", 1)]
    old = FIXTURES / "format1.sqlite"
    with open_ledger(old, read_only=True) as ledger:
        assert ledger.verify(trust) == []
        assert ledger.seals(trust).text() == "unsigned, format 1"
        assert [p.code for p in ledger.verify(required)] == ["run-unsigned", "run-unsigned"]


def test_one_version_with_two_hashes_is_found(path: Path, key: SigningKey) -> None:
    """A run recorded with another file under a published version's name is a conflict."""
    edited = POLICY + b"# edited\n"
    other = PolicyBlob("commission", "2026-01", hashlib.sha256(edited).hexdigest(), edited)
    with open_ledger(path) as ledger:
        ledger.append(record("2026-05", blob=other), lock_head=LOCK_HEAD, signer=key)
    assert codes(path) == [("sha-conflict", 5)]


def test_format1_ledger_cannot_hold_signatures(tmp_path: Path, key: SigningKey) -> None:
    """Signing into a format 1 ledger is refused (start a new one); nothing is appended."""
    copy = tmp_path / "format1.sqlite"
    shutil.copyfile(FIXTURES / "format1.sqlite", copy)
    with open_ledger(copy) as ledger, pytest.raises(PolicyError) as caught:
        ledger.append(record("2026-05"), signer=key)
    assert caught.value.code == "ledger-version"
    assert copy.read_bytes() == (FIXTURES / "format1.sqlite").read_bytes()


def test_reading_never_creates_or_changes_a_file(tmp_path: Path) -> None:
    """A read-only open of a missing or empty path is an error and writes nothing."""
    missing, empty = tmp_path / "missing.sqlite", tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    found = []
    for file in (missing, empty):
        with pytest.raises(PolicyError) as caught:
            open_ledger(file, read_only=True)
        found.append(caught.value.code)
    assert found == ["file-not-found", "not-a-ledger"]
    assert not missing.exists() and empty.read_bytes() == b""
    with pytest.raises(PolicyError) as caught:
        open_ledger(missing, create=False)
    assert caught.value.code == "file-not-found" and not missing.exists()


def test_append_refuses_a_clock_behind_the_last_run(path: Path, key: SigningKey) -> None:
    """Runs are strictly ordered in time: with the last run recorded in the future (a clock
    set wrong, or a forged run), a new run is refused rather than recorded before it."""
    with forging(path) as db:
        db.execute("UPDATE runs SET created = '2999-01-01T00:00:00.000000+00:00' WHERE id = 4")
    with open_ledger(path) as ledger, pytest.raises(PolicyError) as caught:
        ledger.append(record("2026-05"), lock_head=LOCK_HEAD, signer=key)
    assert caught.value.code == "run-out-of-order"
    with open_ledger(path, read_only=True) as ledger:
        assert ledger.head()[0] == 4
