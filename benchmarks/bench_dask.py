"""A month on a local Dask cluster of 1 and 2 worker processes, against one process.

Run: python benchmarks/bench_dask.py [--sizes 10k,30k] [--workers 0,1,2] [--cut | --whole]

For each size (10,000 reps / 2,000,000 calls; 30,000 / 6,000,000) the month is
written by `policyengine sample` (as benchmarks/bench_month.py does), then run by
`run_month` over the shipped policies (and its summary made, as ``policyengine run``
prints it), each run in a fresh process of its own:
``0`` workers is the one-process run; ``N`` starts a ``LocalCluster`` of N worker
processes (one thread each, of the memory `run --workers` gives them:
``policyengine.cli._cluster.WORKER_MEMORY``, or ``BENCH_WORKER_MEMORY``) and passes its
client. Printed per run: wall time, the
peak resident memory of the client process and of each worker, the CPU time of the
client and of each worker during the run, the partitions, the mean compute time of a
partition's step and of a CSV range's reading (from Dask's task stream) and Dask's
estimate of each kind of task's results (``_finished``: what the partitions hand back
to the client). The per-partition cost and the bytes moved are what the
estimate for larger months in docs/design.md is made from.

The calls file is read in byte ranges by the workers where one of them has a core of its
own (``run._dask_read.MIN_READERS``): on a local cluster of a 2-core machine, yes; of a
1-core machine, no. ``--cut`` reads it in ranges anyway; ``--whole`` has the client read
it, to compare.

A benchmark, not a test: the largest size takes many minutes and GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from bench_month import SIZES, Setup, Size, count_records, generate

ROOT = Path(__file__).parent.parent
DASK_SIZES = (*SIZES, Size("30k", 30_000, 6_000_000))


def peak_mib() -> float:
    """This process's peak resident memory, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """This process's CPU time so far (user + system), seconds."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def _warm() -> None:
    """A worker's imports done before the clock starts, as a long-lived cluster has them."""
    import policyengine.month  # noqa: F401


def one_run(month: str, workers: int, out: str, cut: str = "") -> dict[str, Any]:
    """One month, in this process (0 workers) or on a local cluster: the figures. ``cut``:
    "cut", the calls file read in ranges by the workers even where they share the
    client's cores; "whole", read by the client (run._dask_read.MIN_READERS)."""
    import policyengine
    from policyengine.month import run_month
    from policyengine.run import _dask_read

    if cut:
        _dask_read.MIN_READERS = 0 if cut == "cut" else 10**6

    repository = policyengine.load(ROOT / "policies")
    figures: dict[str, Any] = {"workers": workers}
    if workers == 0:
        start, cpu = time.perf_counter(), cpu_s()
        run_month(repository, "2026-03", month, out=out).summary()
        figures["wall_s"] = time.perf_counter() - start
        figures["client_cpu_s"] = cpu_s() - cpu
        figures["client_peak_mib"] = peak_mib()
        return figures
    import dask
    import distributed

    from policyengine.cli._cluster import MEMORY_SETTINGS, WORKER_MEMORY

    # The workers `run --workers` starts: WORKER_MEMORY each, spilling past it (another
    # bound with BENCH_WORKER_MEMORY, e.g. "auto": the machine's memory shared out).
    with (
        dask.config.set(MEMORY_SETTINGS),
        distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            memory_limit=os.environ.get("BENCH_WORKER_MEMORY", WORKER_MEMORY),
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.run(_warm)
        before = client.run(cpu_s)
        with distributed.get_task_stream(client) as stream:
            start, cpu = time.perf_counter(), cpu_s()
            # The summary too, as `policyengine run` prints it once the month is written.
            run_month(repository, "2026-03", month, out=out, client=client).summary()
            figures["wall_s"] = time.perf_counter() - start
            figures["client_cpu_s"] = cpu_s() - cpu
        after = client.run(cpu_s)
        figures["worker_cpu_s"] = sorted(after[w] - before[w] for w in after)
        figures["client_peak_mib"] = peak_mib()
        figures["worker_peak_mib"] = sorted(client.run(peak_mib).values())
        figures.update(task_figures(stream.data))
    return figures


def task_figures(tasks: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-partition compute time and the size of each kind of task's results."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    for task in tasks:
        by_name.setdefault(str(task["key"]).split("-")[0], []).append(task)

    def compute(task: dict[str, Any]) -> float:
        return sum(s["stop"] - s["start"] for s in task["startstops"] if s["action"] == "compute")

    # A partition's runs of rules: before a reduce step (_local), and its last with its
    # results packed (_finished).
    locals_ = by_name.get("_local", []) + by_name.get("_finished", [])
    # A partition's first task: its state shipped (_own), or taken from its bucket (_take).
    partitions = len(by_name.get("_own", [])) + len(by_name.get("_take", []))
    # Read and sent back (_read_packed), or read and kept on the worker (read_kept).
    ranges = by_name.get("_read_packed", []) + by_name.get("read_kept", [])
    checked = by_name.get("_check_kept", [])
    return {
        "partitions": partitions,
        "local_s_per_partition": sum(map(compute, locals_)) / max(partitions, 1),
        # The CSV ranges the workers read (8 MiB each) and what one costs them.
        "ranges": len(ranges),
        "read_s_per_range": sum(map(compute, ranges)) / max(len(ranges), 1),
        # A range's records typed, checked and dealt into partitions on its worker.
        "check_s_per_range": sum(map(compute, checked)) / max(len(checked), 1),
        "reduce_s": sum(map(compute, by_name.get("_reduce", []))),
        # Dask's estimate of each kind of task's results held (the _finished are what
        # crossed back to the client).
        "result_mib": {
            name: sum(t.get("nbytes", 0) for t in found) / 2**20
            for name, found in sorted(by_name.items())
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k", help="comma-separated: 1k, 3k, 10k, 30k")
    parser.add_argument("--workers", default="0,1,2", help="comma-separated counts; 0: none")
    how = parser.add_mutually_exclusive_group()
    how.add_argument(
        "--cut", action="store_true", help="read the calls in ranges on the workers, always"
    )
    how.add_argument("--whole", action="store_true", help="have the client read the calls")
    parser.add_argument("--one", nargs=3, metavar=("MONTH", "WORKERS", "OUT"), help="internal")
    args = parser.parse_args()
    if args.one:
        month, workers, out = args.one
        cut = "cut" if args.cut else "whole" if args.whole else ""
        print(json.dumps(one_run(month, int(workers), out, cut)))
        return
    setup = Setup(ROOT / "policies", "2026-03", team_size=10)
    wanted = args.sizes.split(",")
    for size in [s for s in DASK_SIZES if s.name in wanted]:
        with tempfile.TemporaryDirectory() as folder:
            month = generate(size, setup, Path(folder) / "facts")
            print(f"== {size.name}: {count_records(month)}", flush=True)
            for workers in map(int, args.workers.split(",")):
                out = str(Path(folder) / f"out-{workers}.csv")
                command = [sys.executable, __file__, "--one", str(month), str(workers), out]
                command += ["--cut"] if args.cut and workers else []
                command += ["--whole"] if args.whole and workers else []
                done = subprocess.run(command, capture_output=True, text=True, check=True)
                print(done.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
