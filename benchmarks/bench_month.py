"""A whole month through `policyengine run`, at three sizes of centre.

Run: python benchmarks/bench_month.py [--sizes 1k,3k,10k | --quick] [--keep DIR]
                                      [--without-ledger]

For each size (1,000 reps / 200,000 calls, 3,000 / 600,000, 10,000 /
2,000,000) `policyengine sample` writes the month's CSV folder into a
temporary directory, then `policyengine run` evaluates the shipped policy
folder (policies/) over it, writes the pay sheet as CSV and records the run
in a new ledger: reading the files, every version in force, the summary, the
written results and the ledger run, as an operator would run it. Each run is
timed from outside, as its own process: wall time, CPU time (user + system)
and peak resident memory; and the size of the ledger file the month made
(``ledger MB``: what a month costs the auditor's archive). With
``--without-ledger`` the month is run without one, as the figures before
ledger schema 3 were measured: the difference is what recording the run costs
(its outputs document encoded, hashed and compressed, and the append).

The centre grows by adding teams of a fixed size (--team-size), as a real one
does, so per-team rules (ranks within a team) see the same teams at every
size and linear cost shows as wall-time ratios of ≈3× and ≈10× the first
size. CPU time is given beside wall time because the machines are shared: when
wall time runs well over CPU time, the run waited for a CPU (or the disk), and
the CPU ratio is the steadier measure of how cost grows.

The generator adds one new hire to the month and gives the exact-tie twin a
copy of its partner's calls, so the record counts are a little over the
nominal ones; the table prints the counts actually read.

The largest size takes minutes and several GiB: it is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parent.parent
#: The CLI as this interpreter runs it: the same installation the benchmark imports,
#: and no launcher shim (pyenv's, say) timed with it.
CLI = (sys.executable, "-m", "policyengine")


@dataclass(frozen=True)
class Size:
    name: str
    reps: int
    calls: int


SIZES = (
    Size("1k", 1_000, 200_000),
    Size("3k", 3_000, 600_000),
    Size("10k", 10_000, 2_000_000),
)


@dataclass(frozen=True)
class Setup:
    """What every size shares: the policy folder, the month and the size of a team."""

    policies: Path
    period: str
    team_size: int
    #: Whether the month is recorded in a new ledger (``--ledger``), as payroll runs it.
    ledger: bool = True


@dataclass(frozen=True)
class Measured:
    """One `policyengine run` as the kernel accounted for it."""

    wall_s: float
    cpu_s: float
    peak_rss_mib: float
    #: The bytes of the ledger holding the month's one run.
    ledger_bytes: int


# --- the month's facts -------------------------------------------------------------


def generate(size: Size, setup: Setup, into: Path) -> Path:
    """Write the month with `policyengine sample`; returns its folder of CSV files."""
    command = [
        *CLI,
        "sample",
        "--policies", str(setup.policies),
        "--months", setup.period,
        "--teams", str(size.reps // setup.team_size),
        "--reps", str(setup.team_size),
        "--calls", str(size.calls),
        "--out", str(into),
    ]  # fmt: skip
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return into / setup.period


def count_records(month: Path) -> dict[str, int]:
    """Records per kind, as read from the files (rows after the header)."""
    counts = {}
    for path in sorted(month.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as file:
            counts[path.stem] = sum(1 for _ in csv.reader(file)) - 1
    return counts


# --- running and measuring ----------------------------------------------------------


def run_month(month: Path, setup: Setup, out: Path) -> Measured:
    """Time `policyengine run` over ``month`` and read the child's own resource usage.

    os.wait4 gives the usage of exactly this child. getrusage(RUSAGE_CHILDREN) would
    serve for CPU time (as a delta), but its ru_maxrss is the largest of all children
    ever waited for, so `sample` (or a larger run before) would show through.
    """
    command = [
        *CLI,
        "run",
        "--policies", str(setup.policies),
        "--period", setup.period,
        "--facts", str(month),
        "--out", str(out),
    ]  # fmt: skip
    if setup.ledger:
        command += ["--ledger", str(out.with_suffix(".sqlite")), "--new-ledger"]
    log = out.with_suffix(".log")
    with log.open("wb") as output:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if child.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"policyengine run exited {child.returncode}:\n{tail}")
    ledger = out.with_suffix(".sqlite").stat().st_size if setup.ledger else 0
    return Measured(wall, usage.ru_utime + usage.ru_stime, rss_mib(usage.ru_maxrss), ledger)


def rss_mib(maxrss: int) -> float:
    """ru_maxrss in MiB: Linux counts KiB, macOS bytes."""
    return maxrss / 2**20 if sys.platform == "darwin" else maxrss / 1024


def measure(size: Size, setup: Setup, kept: Path | None = None) -> tuple[dict[str, int], Measured]:
    """The month of one size, generated and run in a temporary folder removed after; with
    ``kept``, the month is generated into ``kept/<size>`` once and read from there by
    every later run (the largest takes a minute to generate)."""
    with tempfile.TemporaryDirectory(prefix=f"bench-month-{size.name}-") as folder:
        facts = (kept / f"{size.name}-{setup.team_size}") if kept else Path(folder) / "facts"
        month = facts / setup.period
        if not month.is_dir():
            month = generate(size, setup, facts)
        counts = count_records(month)
        return counts, run_month(month, setup, Path(folder) / "pay.csv")


# --- the report ----------------------------------------------------------------------

HEADER = (
    f"{'size':>4} {'reps':>7} {'calls':>10} {'records':>10} {'wall s':>8} {'CPU s':>8} "
    f"{'peak RSS MiB':>13} {'µs/call':>8} {'wall ÷ first':>13} {'CPU ÷ first':>12}"
    f" {'ledger MB':>10}"
)


def row(size: Size, counts: dict[str, int], measured: Measured, first: Measured) -> str:
    calls = counts.get("call", 0)
    per_call = measured.wall_s / calls * 1e6 if calls else float("nan")
    return (
        f"{size.name:>4} {counts.get('rep', 0):>7,} {calls:>10,} {sum(counts.values()):>10,} "
        f"{measured.wall_s:>8.1f} {measured.cpu_s:>8.1f} {measured.peak_rss_mib:>13,.0f} "
        f"{per_call:>8.1f} {measured.wall_s / first.wall_s:>12.1f}× "
        f"{measured.cpu_s / first.cpu_s:>11.1f}× {measured.ledger_bytes / 1e6:>10.1f}"
    )


def chosen_sizes(text: str | None, quick: bool) -> list[Size]:
    """The sizes asked for, smallest first (the first is the ratios' reference)."""
    if quick:
        return [SIZES[0]]
    if not text:
        return list(SIZES)
    by_name = {size.name: size for size in SIZES}
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise SystemExit(f"unknown size {', '.join(unknown)}: choose from {', '.join(by_name)}")
    return sorted((by_name[name] for name in names), key=lambda size: size.reps)


def arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", metavar="1k,3k,10k", help="comma-separated sizes (default: all three)"
    )
    parser.add_argument("--quick", action="store_true", help="only the first size (1k)")
    parser.add_argument("--period", default="2026-03", metavar="YYYY-MM")
    parser.add_argument("--policies", type=Path, default=ROOT / "policies", metavar="DIR")
    parser.add_argument(
        "--team-size", type=int, default=20, help="reps per team (default: 20; 3 to 98)"
    )
    parser.add_argument(
        "--without-ledger",
        action="store_true",
        help="run the month without recording it in a ledger (ledger MB then 0)",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="generate each size's month into DIR once, and reuse it in later runs",
    )
    return parser.parse_args(argv)


def main() -> None:
    args = arguments()
    sizes = chosen_sizes(args.sizes, args.quick)
    # The generator wants 3 reps a team for its hard cases, and numbers at most 99 a
    # team, the month's new hire included.
    if not 3 <= args.team_size <= 98:
        raise SystemExit("--team-size must be 3 to 98")
    odd = [size.name for size in sizes if size.reps % args.team_size]
    if odd:
        raise SystemExit(f"{', '.join(odd)}: not whole teams of {args.team_size} reps")
    setup = Setup(args.policies, args.period, args.team_size, not args.without_ledger)
    recorded = "recorded in a new ledger" if setup.ledger else "without a ledger"
    print(f"policyengine run, month {setup.period}, policies {setup.policies}, {recorded}")
    print(HEADER, flush=True)
    first: Measured | None = None
    for size in sizes:
        counts, measured = measure(size, setup, args.keep)
        first = first or measured
        print(row(size, counts, measured, first), flush=True)


if __name__ == "__main__":
    main()
