"""The ledger: append-only, hash-chained, and every edit made behind its back is found."""

from __future__ import annotations

import contextlib
import hashlib
import json
import signal
import sqlite3
import subprocess
import sys
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from ledger_edits import change, digest, forging, hash_format

from policyengine import PolicyError
from policyengine.audit import (
    GENESIS,
    Ledger,
    PolicyBlob,
    RunRecord,
    SqliteLedger,
    Trust,
    open_ledger,
)

ROOT = Path(__file__).parent.parent
WORKER = Path(__file__).parent / "ledger_worker.py"


def blob(path: Path, policy: str) -> PolicyBlob:
    data = path.read_bytes()
    return PolicyBlob(policy, "2026-01", hashlib.sha256(data).hexdigest(), data)


COMMISSION = blob(
    ROOT / "examples" / "standalone" / "policies" / "commission" / "2026-01.yaml", "commission"
)
ETIQUETTE = blob(ROOT / "examples" / "chinese" / "电话礼仪" / "2026-01.yaml", "电话礼仪")


def record(n: int, *policies: PolicyBlob) -> RunRecord:
    return RunRecord(
        period="2026-03",
        as_known_at="2026-04-05",
        policies=policies or (COMMISSION,),
        inputs=b'[{"credited_sales":"100000","rep_id":"A01"}]',
        outputs=b'[{"outputs":{"commission":"3500.00"},"record":"A01","run":%d}]' % n,
        provenance=b'{"engine":"0.1.0"}',
        label=f"March payroll #{n}",
    )


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """A ledger of four runs: 1 and 2 use commission, 3 and 4 also 电话礼仪."""
    file = tmp_path / "ledger.db"
    with open_ledger(file) as ledger:
        for n in (1, 2):
            ledger.append(record(n))
        for n in (3, 4):
            ledger.append(record(n, COMMISSION, ETIQUETTE))
    return file


@contextlib.contextmanager
def raw(file: Path) -> Iterator[sqlite3.Connection]:
    """A plain connection to the file, as someone editing it behind the ledger's back."""
    with contextlib.closing(sqlite3.connect(file)) as db, db:
        yield db


def tamper(file: Path, edit: Callable[[sqlite3.Connection], object]) -> None:
    with forging(file) as db:
        edit(db)


def problems(file: Path) -> list[tuple[str, int | str | None]]:
    with open_ledger(file) as ledger:
        return [(p.code, p.location.record) for p in ledger.verify()]


def count_rows(file: Path, table: str) -> int:
    with raw(file) as db:
        (count,) = db.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert isinstance(count, int)
    return count


# -- what goes in comes out ----------------------------------------------------


def test_round_trip(tmp_path: Path) -> None:
    """Appended runs come back from get and runs exactly, chained from GENESIS."""
    with open_ledger(tmp_path / "ledger.db") as ledger:
        assert ledger.head() == (0, GENESIS)
        first = ledger.append(record(1))
        second = ledger.append(record(2, COMMISSION, ETIQUETTE))
        assert (first.id, first.prev_hash) == (1, GENESIS)
        assert (second.id, second.prev_hash) == (2, first.hash)
        assert ledger.head() == (2, second.hash)
    with open_ledger(tmp_path / "ledger.db") as ledger:
        assert ledger.get(1) == first
        assert ledger.get(2).record.policies == (COMMISSION, ETIQUETTE)
        assert list(ledger.runs()) == [first, second]
        assert first.created.endswith("+00:00")


def test_policy_bytes_stored_once(path: Path) -> None:
    """Four runs using two policy files store two blobs and six policy links."""
    assert count_rows(path, "blobs") == 2
    assert count_rows(path, "run_policies") == 6


def recipe(db: sqlite3.Connection, run_id: int, prev: str) -> str:
    """The run hash as the ledger's docstring tells an auditor to compute it."""
    row = db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
    sql = "SELECT policy, version, sha256 FROM run_policies WHERE run_id = ? ORDER BY position"
    used = [list(link) for link in db.execute(sql, (run_id,))]
    digests = [digest(data) for data in row[5:8]]
    version = hash_format(db)
    fields = ["policyengine-ledger-run", version, prev, *row[:5], used]
    if version >= 2:  # the lock head the run used, from its seal
        sql = "SELECT lock_head FROM seals WHERE run_id = ?"
        fields += db.execute(sql, (run_id,)).fetchone()
    fields += digests
    return hashlib.sha256(json.dumps(fields, separators=(",", ":")).encode()).hexdigest()


def test_hash_recipe_is_documented(path: Path) -> None:
    """An auditor recomputes every run hash from the rows with only json and hashlib."""
    prev = GENESIS
    with raw(path) as db:
        for run_id, prev_hash, digest in db.execute(
            "SELECT id, prev_hash, hash FROM runs ORDER BY id"
        ):
            assert (prev_hash, digest) == (prev, recipe(db, run_id, prev))
            prev = digest


def test_intact_ledger_verifies(path: Path) -> None:
    """An untouched ledger has no problems."""
    assert problems(path) == []


def test_append_only_triggers(path: Path) -> None:
    """An honest tool cannot update or delete a run; the database refuses it."""
    with pytest.raises(sqlite3.IntegrityError), raw(path) as db:
        db.execute("DELETE FROM runs WHERE id = 4")
    assert problems(path) == []


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ({"period": "2026-3"}, "invalid-period"),
        ({"period": "2026-13"}, "invalid-period"),
        ({"as_known_at": "2026-04-31"}, "invalid-date"),
        ({"as_known_at": "20260405"}, "invalid-date"),
        ({"label": "bad \udcff"}, "not-utf8"),
    ],
)
def test_bad_record_refused(value: dict[str, str], code: str) -> None:
    """A month, date or text that could be written two ways, or not at all, is refused."""
    fields = {
        "period": "2026-03",
        "as_known_at": None,
        "policies": (COMMISSION,),
        "inputs": b"{}",
        "outputs": b"{}",
        "provenance": b"{}",
    } | value
    with pytest.raises(PolicyError) as caught:
        RunRecord(**fields)  # type: ignore[arg-type]
    assert caught.value.code == code


def test_blob_hash_must_match_bytes() -> None:
    """A PolicyBlob whose sha256 is not that of its bytes is refused."""
    with pytest.raises(PolicyError) as caught:
        PolicyBlob("commission", "2026-01", COMMISSION.sha256, COMMISSION.data + b"\n")
    assert caught.value.code == "blob-mismatch"


# -- tampering -------------------------------------------------------------------


def change_output(db: sqlite3.Connection) -> None:
    change(db, 2, "outputs", lambda data: data.replace(b"3500", b"4500"))


def change_blob(db: sqlite3.Connection) -> None:
    data = COMMISSION.data.replace(b"3.5%", b"4.5%")
    assert data != COMMISSION.data
    db.execute("UPDATE blobs SET data = ? WHERE sha256 = ?", (data, COMMISSION.sha256))


def delete_run(run_id: int) -> Callable[[sqlite3.Connection], None]:
    def edit(db: sqlite3.Connection) -> None:
        db.execute("DELETE FROM runs WHERE id = ?", (run_id,))
        db.execute("DELETE FROM run_policies WHERE run_id = ?", (run_id,))

    return edit


def swap_runs(db: sqlite3.Connection) -> None:
    columns = "created, period, as_known_at, label, inputs, outputs, provenance, prev_hash, hash"
    two, three = (
        db.execute(f"SELECT {columns} FROM runs WHERE id = ?", (i,)).fetchone() for i in (2, 3)
    )
    assignments = ", ".join(f"{c} = ?" for c in columns.split(", "))
    db.execute(f"UPDATE runs SET {assignments} WHERE id = 2", three)
    db.execute(f"UPDATE runs SET {assignments} WHERE id = 3", two)


def edit_prev_hash(db: sqlite3.Connection) -> None:
    db.execute("UPDATE runs SET prev_hash = ? WHERE id = 3", ("f" * 64,))


def delete_blob(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM blobs WHERE sha256 = ?", (ETIQUETTE.sha256,))


def outputs_as_bytes(db: sqlite3.Connection) -> None:
    # The key of the outputs' document (schema version 3) retyped as the bytes of its text.
    db.execute("UPDATE runs SET outputs = CAST(outputs AS BLOB) WHERE id = 1")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (change_output, [("run-tampered", 2)]),
        (change_blob, [("blob-tampered", 1)]),
        (delete_run(2), [("chain-broken", 3)]),
        (delete_run(4), [("head-mismatch", 3)]),
        (
            swap_runs,
            [
                ("run-tampered", 2),
                ("chain-broken", 2),
                ("run-tampered", 3),
                ("chain-broken", 3),
                ("run-out-of-order", 3),
                ("chain-broken", 4),
            ],
        ),
        (edit_prev_hash, [("run-tampered", 3), ("chain-broken", 3)]),
        (delete_blob, [("blob-missing", 3), ("blob-missing", 4)]),
        (outputs_as_bytes, [("run-tampered", 1)]),
    ],
    ids=[
        "output",
        "blob",
        "middle-run",
        "last-run",
        "swap",
        "prev-hash",
        "missing-blob",
        "retyped",
    ],
)
def test_tampering_found(
    path: Path, edit: Callable[[sqlite3.Connection], None], expected: list[tuple[str, int]]
) -> None:
    """An edit made with plain sqlite3 is reported with its code and run."""
    tamper(path, edit)
    assert problems(path) == expected


@pytest.mark.parametrize("declared", ["kept", "lowered", "raised"])
def test_a_document_that_unpacks_far_past_its_size_is_refused_unread(
    path: Path, declared: str
) -> None:
    """Run 2's outputs replaced by a zlib bomb (50 MB of zeros in 50 KB): refused as
    blob-tampered without unpacking it, whatever size the row declares; the auditor's
    memory stays small."""
    bomb = zlib.compress(bytes(50 * 2**20), 9)

    def edit(db: sqlite3.Connection) -> None:
        (key,) = db.execute("SELECT outputs FROM runs WHERE id = 2").fetchone()
        size = {"kept": "size", "lowered": "1", "raised": str(2**40)}[declared]
        db.execute(f"UPDATE documents SET data = ?, size = {size} WHERE sha256 = ?", (bomb, key))

    tamper(path, edit)
    tracemalloc.start()
    try:
        found = problems(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found == [("blob-tampered", 2)]
    assert peak < 20 * 2**20


def test_every_problem_reported(path: Path) -> None:
    """Several edits at once are all reported, in run order."""
    for edit in (delete_run(4), change_blob, change_output):
        tamper(path, edit)
    assert problems(path) == [("blob-tampered", 1), ("run-tampered", 2), ("head-mismatch", 3)]


def test_blob_tampered_lists_every_run(path: Path) -> None:
    """A changed policy file is one problem naming every run that used it."""
    tamper(path, change_blob)
    with open_ledger(path) as ledger:
        (problem,) = ledger.verify()
    assert problem.details["runs"] == [1, 2, 3, 4]
    assert problem.location.file == str(path)


def test_get_refuses_tampered_run(path: Path) -> None:
    """get never hands out a run whose fields or policy bytes were changed."""
    tamper(path, change_output)
    tamper(path, change_blob)
    with open_ledger(path) as ledger:
        codes = []
        for run_id in (1, 2):
            with pytest.raises(PolicyError) as caught:
                ledger.get(run_id)
            codes.append(caught.value.code)
        assert codes == ["blob-tampered", "run-tampered"]


def test_append_refuses_cut_chain(path: Path) -> None:
    """Appending to a ledger whose last run was deleted is refused, so the cut stays visible."""
    tamper(path, delete_run(4))
    with open_ledger(path) as ledger, pytest.raises(PolicyError) as caught:
        ledger.append(record(5))
    assert caught.value.code == "head-mismatch"
    assert count_rows(path, "runs") == 3


def test_append_refuses_altered_blob(path: Path) -> None:
    """A new run is never chained to policy bytes that were altered inside the ledger."""
    tamper(path, change_blob)
    with open_ledger(path) as ledger, pytest.raises(PolicyError) as caught:
        ledger.append(record(5))
    assert caught.value.code == "blob-tampered"
    assert count_rows(path, "runs") == 4


def test_consistent_rewrite_needs_an_outside_head(path: Path) -> None:
    """Rewriting a run and every later hash passes verify; only a head kept elsewhere shows it."""
    with open_ledger(path) as ledger:
        signed_off = ledger.head()

    def forge(db: sqlite3.Connection) -> None:  # what a forger who read the recipe would do
        change_output(db)
        (prev,) = db.execute("SELECT hash FROM runs WHERE id = 1").fetchone()
        for run_id in (2, 3, 4):
            digest = recipe(db, run_id, prev)
            db.execute(
                "UPDATE runs SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, run_id)
            )
            prev = digest
        db.execute("UPDATE meta SET head_hash = ?", (prev,))

    tamper(path, forge)
    with open_ledger(path) as ledger:
        assert ledger.verify() == []
        assert ledger.head() != signed_off
        kept = Trust(head=signed_off[1])
        assert [p.code for p in ledger.verify(kept)] == ["head-missing"]


# -- files that are not ledgers, and other refusals -------------------------------


def test_not_sqlite(tmp_path: Path) -> None:
    """A CSV file is not a ledger, and opening it leaves it unchanged."""
    file = tmp_path / "facts.csv"
    file.write_bytes(b"rep_id,credited_sales\nA01,100000\n" * 100)
    with pytest.raises(PolicyError) as caught:
        open_ledger(file)
    assert (caught.value.code, caught.value.location.file) == ("not-a-ledger", str(file))
    assert file.read_bytes() == b"rep_id,credited_sales\nA01,100000\n" * 100


def test_other_database(tmp_path: Path) -> None:
    """An SQLite database with other tables is not a ledger."""
    file = tmp_path / "other.db"
    with raw(file) as db:
        db.execute("CREATE TABLE payroll (rep_id TEXT, amount TEXT)")
    with pytest.raises(PolicyError) as caught:
        open_ledger(file)
    assert caught.value.code == "not-a-ledger"


def test_wrong_columns(path: Path) -> None:
    """A ledger whose runs table lost a column is not a ledger this code can trust."""
    tamper(path, lambda db: db.execute("ALTER TABLE runs DROP COLUMN label"))
    with pytest.raises(PolicyError) as caught:
        open_ledger(path)
    assert caught.value.code == "not-a-ledger"


def test_newer_schema(path: Path) -> None:
    """A ledger written by a newer schema version is refused, not misread."""
    tamper(path, lambda db: db.execute("UPDATE meta SET schema_version = 99"))
    with pytest.raises(PolicyError) as caught:
        open_ledger(path)
    assert (caught.value.code, caught.value.details["version"]) == ("ledger-version", 99)


@pytest.mark.parametrize("run_id", [0, 5, -1])
def test_run_not_found(path: Path, run_id: int) -> None:
    """A run id the ledger does not hold is run-not-found, naming the id."""
    with open_ledger(path) as ledger, pytest.raises(PolicyError) as caught:
        ledger.get(run_id)
    assert (caught.value.code, caught.value.location.record) == ("run-not-found", run_id)


def test_io_error(tmp_path: Path) -> None:
    """A ledger in a folder that does not exist is a ledger-io error caused by sqlite3."""
    with pytest.raises(PolicyError) as caught:
        open_ledger(tmp_path / "no" / "such" / "ledger.db")
    assert caught.value.code == "ledger-io"
    assert isinstance(caught.value.__cause__, sqlite3.Error)


def test_closed(path: Path) -> None:
    """A closed ledger says so; closing twice is harmless."""
    ledger = open_ledger(path)
    ledger.close()
    ledger.close()
    with pytest.raises(PolicyError) as caught:
        ledger.head()
    assert caught.value.code == "ledger-closed"


# -- crashes and concurrency ----------------------------------------------------------


def worker(file: Path, count: int, size: int, tag: str, *stall: str) -> subprocess.Popen[str]:
    args = [sys.executable, str(WORKER), str(file), str(count), str(size), tag, *stall]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def read_until(proc: subprocess.Popen[str], wanted: str) -> int:
    """Read the worker's lines until ``wanted``; return how many runs it reported."""
    assert proc.stdout is not None
    appended = 0
    for line in proc.stdout:
        if line.strip() == wanted:
            return appended
        appended += line.startswith("appended")
    raise AssertionError(f"worker ended without {wanted!r}: {proc.communicate()[1]}")


def assert_whole(file: Path) -> int:
    """The ledger verifies clean and meta's count equals the rows present."""
    with open_ledger(file) as ledger:
        assert ledger.verify() == []
        count, _ = ledger.head()
    assert count == count_rows(file, "runs")
    return count


@pytest.mark.parametrize("statement", ["INSERT INTO run_policies", "UPDATE meta", "COMMIT"])
def test_killed_inside_append(tmp_path: Path, statement: str) -> None:
    """SIGKILL inside an append, after the run row is written, leaves no trace of that run."""
    file = tmp_path / "ledger.db"
    with worker(file, 2, 3_000_000, "w", statement) as proc:
        try:
            assert read_until(proc, "stalled") == 2
            # The half-written run sits in a rollback journal the next opener must undo.
            assert Path(f"{file}-journal").exists()
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    assert assert_whole(file) == 2


def test_killed_at_random_moments(tmp_path: Path) -> None:
    """SIGKILL at fixed, unaligned moments of an append loop leaves whole runs only."""
    file = tmp_path / "ledger.db"
    reported = 0
    for appends, delay in [(1, 0.004), (2, 0.013), (1, 0.029), (3, 0.0)]:
        with worker(file, 1000, 1_000_000, "w") as proc:
            try:
                read_until(proc, f"appended {reported + appends}")
            finally:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(delay)
                proc.send_signal(signal.SIGKILL)
                rest = proc.communicate()[0].split()
        # Runs reported before the kill are all there; at most the one in flight joins them.
        reported = max([reported + appends, *(int(w) for w in rest if w.isdigit())])
        assert assert_whole(file) in (reported, reported + 1)
        reported = assert_whole(file)


def test_concurrent_appends(tmp_path: Path) -> None:
    """Two processes appending 50 runs each at once give 100 runs in one intact chain."""
    file = tmp_path / "ledger.db"
    procs = [worker(file, 50, 1_000, tag) for tag in ("a", "b")]
    for proc in procs:
        with proc:
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
    assert assert_whole(file) == 100
    with open_ledger(file) as ledger:
        labels = sorted(run.record.label for run in ledger.runs())
    assert labels == sorted(f"{tag} {n}" for tag in "ab" for n in range(50))


def test_sqlite_ledger_is_a_ledger(path: Path) -> None:
    """open_ledger gives a SqliteLedger, which implements the Ledger protocol."""
    ledger: Ledger = open_ledger(path)
    try:
        assert isinstance(ledger, SqliteLedger)
        assert ledger.head()[0] == 4
    finally:
        ledger.close()
