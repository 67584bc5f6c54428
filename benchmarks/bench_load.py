"""Loading: a 1 MiB policy of long expressions, and ``policyengine validate policies/``.

Run: python benchmarks/bench_load.py [--rounds 9] [--against OTHER_CHECKOUT]

Two figures, each as the median and the spread (fastest–slowest) of the rounds:

* In this interpreter, ``load_policy`` of a policy file just under the 1 MiB a
  file may be: 480 rules, each an expression of nearly the 2,000 characters
  one may have (``long_expressions`` of ``bench_hostile_load.py``), and the
  same size of denser expressions (a name every three characters: the most
  names a file can hold). Wall time and CPU time, and how long reading the YAML
  takes of it.
* In fresh interpreters, ``policyengine validate policies/`` (the shipped
  folder, as an installed package runs: bytecode cached), interleaved with
  ``python -c pass`` so that a busy machine slows both alike: seconds and the
  ratio to the bare interpreter. With ``--against``, the same command of
  another checkout (the commit before a change) runs in the same rounds.

The goals (issues 11 and 14): every hostile input within the file-size limit
loads within 1 s, and ``validate policies/`` takes at most 0.5 s. The machines
are shared and noisy: quote CPU time and ratios, not single runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).parent.parent
# This checkout's package, not an installed one; and the hostile inputs beside this file.
sys.path[:0] = [str(ROOT), str(Path(__file__).parent)]

from bench_hostile_load import HEADER, MIB, long_expressions  # noqa: E402

import policyengine  # noqa: E402
from policyengine.read._source import read_policy_file  # noqa: E402

#: As an installed package runs: with its modules' bytecode cached.
ENVIRONMENT = {
    k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")
}


def dense_expressions() -> str:
    """Rules of expressions as dense in names as the limits allow (sums of 100 names)."""
    inputs = "".join(f"  a{i}: money\n" for i in range(10))
    chunk = "sum(" + ",".join(f"a{i % 10}" for i in range(100)) + ")"
    expr = "+".join([chunk] * 6)
    count = (MIB - 2_000) // (len(expr) + 40)
    rules = "".join(f"  - {{id: r{i}, kind: formula, expr: '{expr}'}}\n" for i in range(count))
    return HEADER + "inputs:\n" + inputs + "rules:\n" + rules


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):6.3f} s ({min(values):.3f}–{max(values):.3f})"


def _timed(call: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


def bench_file(name: str, text: str, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hostile" / "1.yaml"
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        size = path.stat().st_size
        assert size <= MIB, f"{size} bytes: over the file limit"
        # check_policy: the time to the verdict, whether the file loads or is refused
        # (past MAX_RULE_TEXT characters of rule text it is, with too-much-text).
        found = policyengine.check_policy(path)  # warm: modules imported, schema compiled
        loads = [_timed(lambda: policyengine.check_policy(path)) for _ in range(rounds)]
        reads = [_timed(lambda: read_policy_file(path))[1] for _ in range(rounds)]
    verdict = ", ".join(sorted({p.code for p in found})) or "loads"
    print(f"{name} ({size:,} bytes): {verdict}")
    print(f"  check_policy, wall {_spread([w for w, _ in loads])}")
    print(f"  check_policy, CPU  {_spread([c for _, c in loads])}")
    print(f"  of which reading   {_spread(reads)} (CPU)")


def _child_seconds(argv: list[str], cwd: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=ENVIRONMENT, check=True, capture_output=True)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def bench_validate(rounds: int, against: Path | None) -> None:
    validate = [sys.executable, "-m", "policyengine", "validate", "policies/"]
    cases = [("python -c pass", [sys.executable, "-c", "pass"], ROOT)]
    cases.append(("validate policies/", validate, ROOT))
    if against is not None:
        cases.append((f"validate policies/ ({against.name})", validate, against))
    for _, argv, cwd in cases:  # cache the bytecode
        _child_seconds(argv, cwd)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in cases}
    for _ in range(rounds):
        for name, argv, cwd in cases:
            times[name].append(_child_seconds(argv, cwd))
    base = statistics.median(c for _, c in times["python -c pass"])
    print(f"fresh interpreters, {rounds} interleaved rounds")
    for name, runs in times.items():
        cpu = [c for _, c in runs]
        ratio = statistics.median(cpu) / base
        print(f"  {name:34} wall {_spread([w for w, _ in runs])}")
        print(f"  {'':34} CPU  {_spread(cpu)}  {ratio:5.1f}× python -c pass")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--against", type=Path, help="another checkout, run in the same rounds")
    args = parser.parse_args()
    bench_file("480 long expressions", long_expressions(), args.rounds)
    bench_file("dense expressions", dense_expressions(), args.rounds)
    bench_validate(args.rounds, args.against)


if __name__ == "__main__":
    main()
