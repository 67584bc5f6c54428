"""A month on a Dask cluster is byte for byte the month in one process.

Skipped without the extra ``policyengine[dask]``. Every output format, the summary, the
inputs hash and the ledger run are compared for the example months (with the earlier
months read from the ledger, and their calls files read in byte ranges by the workers)
and for generated months of the ``partitioned`` fixture, whose company-wide ranks and
totals need reduce steps, given as one JSON file and as CSV files read in ranges with bad
cells in them; a file that cannot be cut is read whole; a worker killed in the middle of
a month, holding a range it read, the records it typed or a partition's state, changes
nothing either. The example months' calls are typed and partitioned by the workers, their
rows never fetched by the client (run._dask_kept).
"""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

distributed = pytest.importorskip("distributed")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from test_partition import company_months  # noqa: E402

import policyengine  # noqa: E402
from policyengine.facts import _csv_ranges  # noqa: E402
from policyengine.month import Recording, evaluate_month, run_month  # noqa: E402
from policyengine.present._writers import WRITERS  # noqa: E402
from policyengine.run import _dask_kept, _dask_read  # noqa: E402

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
SHIPPED = policyengine.load(ROOT / "policies")
COMPANY = policyengine.load(FIXTURES / "partitioned")
MONTHS = ("2026-01", "2026-02", "2026-03")


@pytest.fixture(autouse=True)
def one_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every run recorded at one fixed time: the outputs name their ledger run, whose hash
    covers when it was appended, so both sides must be appended at the same time."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1775001600")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """Two worker processes of one thread, as ``--workers 2`` starts them."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as opened,
    ):
        yield opened


def ledger_runs(path: Path) -> list[tuple[Any, ...]]:
    """A ledger's runs as stored, but for the time each was appended (and so its hash)."""
    with sqlite3.connect(path) as db:
        return list(
            db.execute(
                "select id, period, label, inputs, outputs, provenance from runs order by id"
            )
        )


def months_into(folder: Path, client: Any, suffix: str) -> list[tuple[bytes, str]]:
    """The example months run in order into one ledger: each report's bytes and summary."""
    found = []
    for number, month in enumerate(MONTHS):
        out = folder / f"{month}{suffix}"
        run = run_month(
            SHIPPED,
            month,
            ROOT / "examples" / month,
            ledger=folder / "ledger.sqlite",
            out=out,
            recording=Recording(new=number == 0),
            client=client,
        )
        found.append((out.read_bytes(), run.summary()))
    return found


@pytest.fixture
def cut(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Ranges of 4 KiB (a month's calls file is cut at 8 MiB): the example months' calls
    are read in dozens of ranges. Counts the ranges read, by file name."""
    counted: dict[str, int] = {}
    monkeypatch.setattr(_csv_ranges, "RANGE_BYTES", 4096)
    # Two local workers on a machine of two cores share them with the client: cut anyway.
    monkeypatch.setattr(_dask_read, "MIN_READERS", 1)
    planned = _dask_read.plan_stream

    def counting(file: str, *args: Any) -> Any:
        plan = planned(file, *args)
        if plan is not None:
            counted[Path(file).name] = counted.get(Path(file).name, 0) + len(plan.ranges)
        return plan

    monkeypatch.setattr(_dask_read, "plan_stream", counting)
    return counted


@pytest.fixture
def fetched(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files read in ranges whose rows the client fetched from the workers (rather
    than have them typed there), by file name."""
    names: list[str] = []
    joined = _dask_kept.joined

    def fetching(client: Any, kept: Any) -> Any:
        names.append(Path(kept.plan.file).name)
        return joined(client, kept)

    monkeypatch.setattr(_dask_kept, "joined", fetching)
    return names


def test_a_month_typed_on_the_workers_reads_and_explains_as_in_one_process(
    client: Any, cut: dict[str, int], fetched: list[str]
) -> None:
    """The calls held packed in the client (run/_held_records.py) and the details held
    packed: every record's values, each rep's and team's explanations (an aggregate's
    lists every call it read), some calls' explanations and the month's snapshot are
    those of one process."""
    month = ROOT / "examples" / "2026-02"
    alone = evaluate_month(SHIPPED, "2026-02", month, history={}).result
    spread = evaluate_month(SHIPPED, "2026-02", month, history={}, client=client).result
    assert cut["call.csv"] > 20 and "call.csv" not in fetched
    assert type(spread._state.envs["call"]).__name__ == "HeldRecords"
    assert type(spread._state.details).__name__ == "HeldDetails"
    for kind in ("team", "rep", "call"):
        keys = alone.keys(kind)
        assert spread.keys(kind) == keys
        assert [spread.values(kind, k) for k in keys] == [alone.values(kind, k) for k in keys]
        outputs = [r.id for _, r in alone.rules(kind) if r.outputs]
        for key in keys if kind != "call" else keys[::97]:
            for output in outputs:
                assert spread.explain(kind, key, output) == alone.explain(kind, key, output)
                assert spread.trace(kind, key, output) == alone.trace(kind, key, output)
    assert spread.snapshot() == alone.snapshot()


@pytest.mark.parametrize("suffix", sorted(WRITERS))
def test_the_example_months_on_two_workers_are_the_same_bytes(
    tmp_path: Path, client: Any, suffix: str, cut: dict[str, int], fetched: list[str]
) -> None:
    """Every output format, the summary (with the inputs hash) and the ledger's runs; the
    calls files read in ranges by the workers, and typed and partitioned there."""
    alone, spread = tmp_path / "alone", tmp_path / "spread"
    alone.mkdir()
    spread.mkdir()
    expected = months_into(alone, None, suffix)
    assert cut == {}
    assert months_into(spread, client, suffix) == expected
    assert ledger_runs(spread / "ledger.sqlite") == ledger_runs(alone / "ledger.sqlite")
    assert cut["call.csv"] > 3 * 20  # three months, each of over 20 ranges
    assert "call.csv" not in fetched and "rep.csv" in fetched  # reps: the client's to type


def test_the_command_line_with_workers_gives_the_same_document_and_ledger(
    tmp_path: Path, client: Any
) -> None:
    """``policyengine run --workers 2`` and ``--scheduler ADDRESS`` (an existing cluster)
    against the same run without them: the document, the printed summary and the ledger
    run; the dashboard's address is said when a cluster is started."""

    def cli(name: str, *extra: str) -> subprocess.CompletedProcess[str]:
        out, ledger = tmp_path / f"{name}.json", tmp_path / f"{name}.sqlite"
        arguments = ["--policies", str(ROOT / "policies"), "--period", "2026-03"]
        arguments += ["--facts", str(ROOT / "examples" / "2026-03"), "--out", str(out)]
        arguments += ["--ledger", str(ledger), "--new-ledger", *extra]
        command = [sys.executable, "-m", "policyengine", "run", *arguments]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        return subprocess.run(command, capture_output=True, text=True, env=env, check=True)

    alone, spread = cli("alone"), cli("spread", "--workers", "2")
    joined = cli("joined", "--scheduler", client.scheduler.address)
    assert "dask: 2 workers, dashboard http" in spread.stderr
    assert "dashboard" not in alone.stderr + joined.stderr
    for name, run in (("spread", spread), ("joined", joined)):
        assert (tmp_path / f"{name}.json").read_bytes() == (tmp_path / "alone.json").read_bytes()
        assert run.stdout.replace(f"{name}.", "alone.") == alone.stdout
        assert ledger_runs(tmp_path / f"{name}.sqlite") == ledger_runs(tmp_path / "alone.sqlite")


def both_ways(facts: dict[str, list[dict[str, str]]], client: Any, folder: Path) -> None:
    """A generated company month in one process and on the cluster: the same bytes."""
    runs = []
    for name, using in (("alone", None), ("spread", client)):
        runs.append(_company_run(facts, using, _folder(folder / name)))
    assert runs[1] == runs[0]


def _company_run(facts: dict[str, list[dict[str, str]]], client: Any, folder: Path) -> Any:
    """The month written as one JSON file by kind, run, and written as a document."""
    source = folder / "facts.json"
    source.write_text(json.dumps(facts), encoding="utf-8")
    run = run_month(COMPANY, "2026-01", source, out=folder / "out.json", client=client)
    # The summary locates problems in the facts file: named here without its folder.
    summary = run.summary().replace(str(folder), "<folder>")
    return (run.result.to_json(), summary, (folder / "out.json").read_bytes())


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(facts=company_months())
def test_generated_months_with_company_wide_ranks_are_the_same_on_two_workers(
    facts: Any, client: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Company-wide ranks, the rank of teams and the company's totals run as reduce steps
    on the cluster; failed calls, refused records and orphans keep their errors."""
    both_ways(facts, client, tmp_path_factory.mktemp("company"))


def as_csv(facts: dict[str, list[dict[str, str]]], folder: Path, quoted: bool = False) -> Path:
    """The month as a folder of ``<kind>.csv`` files (every cell quoted when ``quoted``:
    such a file cannot be cut, since a quoted cell may span lines)."""
    month = _folder(folder / "facts")
    for kind, records in facts.items():
        if not records:  # a kind the month has none of has no file
            continue
        names = list(dict.fromkeys(name for record in records for name in record))
        with (month / f"{kind}.csv").open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file, quoting=csv.QUOTE_ALL if quoted else csv.QUOTE_MINIMAL)
            writer.writerow(names)
            writer.writerows([record.get(n, "") for n in names] for record in records)
    return month


def spoilt(facts: dict[str, list[dict[str, str]]], marks: list[int]) -> None:
    """Bad cells in the calls: a count that is no number, an amount with a letter in it,
    and a call without its key (each call picked by position)."""
    calls = facts["call"]
    for number, at in enumerate(marks):
        call = calls[at % len(calls)]
        if number % 3 == 0:
            call["minutes"] = "x7"
        elif number % 3 == 1:
            call["sales"] = "12O"
        else:
            call["call_id"] = ""


def _csv_run(folder: Path, client: Any) -> Any:
    """A CSV month run and written as a document; its summary locates each bad cell at
    its file, line and column."""
    run = run_month(COMPANY, "2026-01", folder / "facts", out=folder / "out.json", client=client)
    summary = run.summary().replace(str(folder), "<folder>")
    return (run.result.to_json(), summary, (folder / "out.json").read_bytes())


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(facts=company_months(), marks=st.lists(st.integers(0, 10**6), max_size=4))
def test_a_csv_month_read_in_ranges_with_bad_cells_is_the_same_on_two_workers(
    facts: Any,
    marks: list[int],
    client: Any,
    tmp_path_factory: pytest.TempPathFactory,
    cut: dict[str, int],
) -> None:
    """Calls read in ranges of 64 bytes by the workers, bad cells and all: the same
    document, the same errors at the same lines and columns, the same inputs hash."""
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(_csv_ranges, "RANGE_BYTES", 64)
    before = cut.get("call.csv", 0)
    try:
        if facts["call"]:
            spoilt(facts, marks)
        runs = []
        for name, using in (("alone", None), ("spread", client)):
            folder = tmp_path_factory.mktemp(name)
            as_csv(facts, folder)
            runs.append(_csv_run(folder, using))
    finally:
        monkeypatch.undo()
    assert runs[1] == runs[0]
    calls = folder / "facts" / "call.csv"
    if calls.exists() and calls.stat().st_size > 200:  # over two ranges after the header
        assert cut["call.csv"] > before + 1


def test_a_file_that_cannot_be_cut_is_read_whole_with_the_same_result(
    tmp_path: Path, client: Any, cut: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every cell quoted: the calls file is read whole by the client (no range), and the
    month is the same bytes; unquoted, the same file is cut."""
    monkeypatch.setattr(_csv_ranges, "RANGE_BYTES", 256)
    facts = big_company(teams=4, reps=3, calls=20)
    spoilt(facts, [5, 77, 140])
    runs = []
    for name, quoted, using in (("alone", False, None), ("quoted", True, client)):
        as_csv(facts, tmp_path / name, quoted=quoted)
        runs.append(_csv_run(tmp_path / name, using))
    assert cut == {}
    as_csv(facts, tmp_path / "cut")
    runs.append(_csv_run(tmp_path / "cut", client))
    assert cut["call.csv"] > 5
    assert runs[1] == runs[0] and runs[2] == runs[0]


def big_company(teams: int, reps: int, calls: int) -> dict[str, list[dict[str, str]]]:
    facts: dict[str, list[dict[str, str]]] = {
        "company": [{"company_id": "C", "pool": "500"}],
        "team": [],
        "rep": [],
        "call": [],
    }
    for t in range(teams):
        facts["team"].append({"team_id": f"T{t:03}", "company_id": "C", "target": "900"})
        for r in range(reps):
            rep = f"R{t:03}{r:02}"
            row = {"rep_id": rep, "team_id": f"T{t:03}", "base": "100", "eligible": "true"}
            facts["rep"].append(row)
            for c in range(calls):
                minutes = str((t + r + c) % 7)  # no minutes: that call's points fail
                sales = str((t * 7 + r * 3 + c) % 11 * 10)
                call = {"call_id": f"K{rep}{c:03}", "rep_id": rep, "minutes": minutes}
                facts["call"].append({**call, "sales": sales})
    return facts


@pytest.mark.parametrize("held", ["read_kept", "_check_kept", "_local", "_finished"])
def test_a_worker_killed_mid_month_changes_nothing(
    tmp_path: Path, held: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One of two workers is killed once it holds a range of the calls file it read
    (``read_kept``), its records typed and dealt into partitions (``_check_kept``), a
    partition's state (``_local``) or a partition's results not yet taken by the client
    (``_finished``): Dask runs its tasks again elsewhere, and the month is the same
    bytes as in one process."""
    monkeypatch.setattr(_csv_ranges, "RANGE_BYTES", 2048)
    monkeypatch.setattr(_dask_read, "MIN_READERS", 1)
    facts = big_company(teams=40, reps=5, calls=40)
    as_csv(facts, tmp_path / "alone")
    as_csv(facts, tmp_path / "spread")
    expected = _csv_run(tmp_path / "alone", None)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        found: list[Any] = []
        worker = threading.Thread(
            target=lambda: found.append(_csv_run(tmp_path / "spread", client))
        )
        worker.start()
        victim = _kill_a_busy_worker(client, held)
        running_when_killed = worker.is_alive()
        worker.join(timeout=600)
    assert victim is not None and running_when_killed
    assert found == [expected]


def _folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _kill_a_busy_worker(client: Any, task: str) -> int | None:
    """Wait until a worker holds the result of a ``task`` (a function's name), then kill its
    process outright."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        held = client.has_what()
        busy = [
            address
            for address, keys in held.items()
            if any(k.startswith(task + "-") for k in map(str, keys))
        ]
        if busy:
            pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
            os.kill(pid, signal.SIGKILL)
            return int(pid)
        time.sleep(0.05)
    return None


@pytest.mark.parametrize(
    "spoil",
    [
        "none",  # the common month: the calls are typed on the workers, never fetched
        "key-twice",  # a call's key given again far down the file, in another range
        "missing-parent",  # a call naming a rep the month does not hold
        "refused-parent",  # a call naming a rep refused for a bad cell
    ],
)
def test_calls_the_workers_cannot_check_alone_are_fetched_and_checked_whole(
    tmp_path: Path,
    client: Any,
    cut: dict[str, int],
    fetched: list[str],
    monkeypatch: pytest.MonkeyPatch,
    spoil: str,
) -> None:
    """What only the whole month shows (a key given twice across ranges) or a parent that
    is not valid: the calls' rows are fetched and the month checked as in one process,
    the same errors at the same lines; the common month never fetches them."""
    monkeypatch.setattr(_csv_ranges, "RANGE_BYTES", 256)
    facts = big_company(teams=4, reps=3, calls=20)
    calls = facts["call"]
    if spoil == "key-twice":
        calls[-3]["call_id"] = calls[4]["call_id"]
    elif spoil == "missing-parent":
        calls[len(calls) // 2]["rep_id"] = "R99999"
    elif spoil == "refused-parent":
        facts["rep"][5]["base"] = "1O0"
    runs = []
    for name, using in (("alone", None), ("spread", client)):
        as_csv(facts, tmp_path / name)
        runs.append(_csv_run(tmp_path / name, using))
    assert runs[1] == runs[0]
    assert cut["call.csv"] > 5
    assert ("call.csv" in fetched) == (spoil != "none")


def _late(index: int, delay: float) -> bytes:
    time.sleep(delay)
    return str(index).encode()


def test_results_are_taken_in_order_while_later_ones_finish_first(client: Any) -> None:
    """Partitions finish in any order; their results are taken in the partitions' order,
    each as soon as those before it are in, and every finished one is counted."""
    from policyengine.run._dask_run import _gathered

    delays = [0.6, 0.0, 0.3, 0.0, 0.0, 0.2]  # the first finishes last, or nearly
    futures = [client.submit(_late, i, d, pure=False) for i, d in enumerate(delays)]
    counted: list[tuple[int, int]] = []
    taken = list(_gathered(client, futures, lambda done, total: counted.append((done, total))))
    assert taken == [str(i).encode() for i in range(len(delays))]
    assert counted == [(n, len(delays)) for n in range(len(delays) + 1)]
    assert futures == []  # handed over
