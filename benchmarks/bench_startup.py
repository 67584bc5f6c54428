"""Start-up: how long the command takes before it does any work.

Run: python benchmarks/bench_startup.py [RUNS]

Times, each in a fresh interpreter (the median of RUNS runs, default 9):
``python -c pass`` (the interpreter alone), ``import policyengine``,
``policyengine --help``, ``policyengine --version`` and
``policyengine validate policies/``, and prints each in seconds and as a
ratio to the bare interpreter. Goals: ``--help`` and ``--version`` within
0.15 s, ``validate policies/`` within 0.5 s, on an idle machine. The machines
are shared and noisy, so the ratio says more than the seconds.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).parent.parent
COMMAND = [sys.executable, "-m", "policyengine"]

CASES: tuple[tuple[str, list[str]], ...] = (
    ("python -c pass", [sys.executable, "-c", "pass"]),
    ("import policyengine", [sys.executable, "-c", "import policyengine"]),
    ("policyengine --help", [*COMMAND, "--help"]),
    ("policyengine --version", [*COMMAND, "--version"]),
    ("policyengine validate policies/", [*COMMAND, "validate", "policies/"]),
)


#: As an installed package runs: with its modules' bytecode cached (an environment that
#: sets PYTHONDONTWRITEBYTECODE would otherwise compile every module on every start).
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def median_seconds(argv: list[str], runs: int) -> float:
    """The median wall time of ``runs`` runs of ``argv`` (output discarded), after one
    run that caches the bytecode."""
    times = []
    for run in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, env=ENVIRONMENT, check=True, capture_output=True)
        if run:  # the first run only cached the bytecode
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    base = None
    print(f"median of {runs} runs, each in a new interpreter")
    for name, argv in CASES:
        seconds = median_seconds(argv, runs)
        base = base or seconds
        print(f"{name:34} {seconds:6.3f} s  {seconds / base:5.2f}× python -c pass")


if __name__ == "__main__":
    main()
