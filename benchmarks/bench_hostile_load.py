"""Loading hostile input: each within the file-size limit, each bounded in time and memory.

Run: python benchmarks/bench_hostile_load.py [--rounds 3]

Each case builds one input an attacker (or a generating script gone wrong)
could hand the loader, all within the 1 MiB a policy file may be, and loads
it as ``policyengine validate`` would; the shipped ``policies/`` folder is
loaded beside them for scale. Printed per case: the best load time over the
rounds, the peak traced memory (tracemalloc, in a separate pass: it slows
allocation and would distort the time) and the codes the load ended with.
The goal is every hostile case within 1 s and 100 MB, and the shipped
folder well under a second.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import policyengine
from policyengine.entities import load_entities
from policyengine.errors import InvalidPolicy, PolicyError

HERE = Path(__file__).parent
SHIPPED = HERE.parent / "policies"
MIB = 1024 * 1024

HEADER = """format: 1
policy: hostile
version: "1"
effective_from: 2026-01-01
title: hostile
"""


def aliases() -> str:
    """262,000 aliases in 1 MiB (each is refused; reading used to take 13 s)."""
    return "x: &a 1\ny: [" + ", ".join(["*a"] * 262_000) + "]\n"


def values() -> str:
    """A list of 350,000 numbers in 1 MiB."""
    return HEADER + "y: [" + ",".join(["1"] * 350_000) + "]\n"


def blank_lines() -> str:
    """A policy padded with a million blank lines."""
    return HEADER + "\n" * 1_040_000


def long_comment() -> str:
    """A comment of a million characters on one line (the parser reads each one)."""
    return HEADER + "#" + "a" * 1_040_000 + "\n"


def long_number() -> str:
    """A parameter of 20,000 digits and an 'x': the "looks like a number" check."""
    return HEADER + "inputs: {a: money}\nparameters:\n  p: " + "1" * 20_000 + "x\n" + _rule("a")


def misspelt_names() -> str:
    """3,000 inputs and 1,000 rules each reading a misspelt input (did you mean …?)."""
    inputs = "".join(f"  amount_{i:04}: money\n" for i in range(3_000))
    rules = "".join(
        f"  - {{id: r{i:04}, kind: formula, expr: amuont_{i:04} + 1}}\n" for i in range(1_000)
    )
    return HEADER + "inputs:\n" + inputs + "rules:\n" + rules


def many_rules() -> str:
    """4,000 rules, each reading the one before (name resolution, the order)."""
    return HEADER + "inputs: {a: money}\nrules:\n" + _chain(4_000)


def rules_at_limit() -> str:
    """1,000 rules, the most a file may hold, each reading the one before."""
    return HEADER + "inputs: {a: money}\nrules:\n" + _chain(1_000)


def long_expressions() -> str:
    """480 rules, each an expression of nearly the 2,000 characters one may have."""
    inputs = "".join(f"  a{i}: money\n" for i in range(100))
    chunk = "sum(" + ", ".join(f"a{i}" for i in range(90)) + ")"
    expr = " + ".join([chunk] * 4)
    rules = "".join(f"  - {{id: r{i}, kind: formula, expr: '{expr}'}}\n" for i in range(480))
    return HEADER + "inputs:\n" + inputs + "rules:\n" + rules


def _chain(count: int) -> str:
    first = "  - {id: r0, kind: formula, expr: a + 1}\n"
    return first + "".join(
        f"  - {{id: r{i}, kind: formula, expr: r{i - 1} + 1}}\n" for i in range(1, count)
    )


def _rule(reads: str) -> str:
    return f"rules:\n  - {{id: out, kind: formula, expr: {reads} + 1}}\n"


def deep_parents() -> str:
    """entities.yaml with 800 kinds, each the parent of the next."""
    kinds = ["format: 1\nkinds:\n  k0: {key: id, fields: {id: string}}\n"]
    kinds += [
        f"  k{i}: {{key: id, parent: {{kind: k{i - 1}, field: up}}, "
        "fields: {id: string, up: string}}\n"
        for i in range(1, 800)
    ]
    return "".join(kinds)


def _load_policy(text: str, folder: Path) -> Callable[[], object]:
    path = folder / "hostile" / "1.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size <= MIB, f"{path.stat().st_size} bytes: over the file limit"
    return lambda: policyengine.load_policy(path)


def _load_entities(text: str, folder: Path) -> Callable[[], object]:
    path = folder / "entities.yaml"
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size <= MIB
    return lambda: load_entities(path)


CASES: dict[str, Callable[[Path], Callable[[], object]]] = {
    "262k aliases": lambda folder: _load_policy(aliases(), folder),
    "350k numbers in a list": lambda folder: _load_policy(values(), folder),
    "a million blank lines": lambda folder: _load_policy(blank_lines(), folder),
    "a 1 MiB comment": lambda folder: _load_policy(long_comment(), folder),
    "20,000 digits + x": lambda folder: _load_policy(long_number(), folder),
    "1,000 misspelt names": lambda folder: _load_policy(misspelt_names(), folder),
    "4,000 rules in a chain": lambda folder: _load_policy(many_rules(), folder),
    "1,000 rules (the limit)": lambda folder: _load_policy(rules_at_limit(), folder),
    "480 long expressions": lambda folder: _load_policy(long_expressions(), folder),
    "800-deep parent chain": lambda folder: _load_entities(deep_parents(), folder),
    "shipped policies/ folder": lambda folder: lambda: policyengine.load(SHIPPED),
}


def _codes(load: Callable[[], object]) -> str:
    try:
        load()
    except InvalidPolicy as error:
        counts = Counter(p.code for p in error.problems)
        return ", ".join(f"{code} ×{n}" for code, n in counts.most_common(3))
    except PolicyError as error:
        return error.code
    return "loaded"


def _best_time(load: Callable[[], object], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        _codes(load)
        best = min(best, time.perf_counter() - start)
    return best


def _peak(load: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        _codes(load)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"{'input':<28}{'time (best)':>12}{'peak memory':>14}  outcome")
    for name, build in CASES.items():
        with tempfile.TemporaryDirectory() as folder:
            load = build(Path(folder))
            seconds = _best_time(load, args.rounds)
            peak = _peak(load)
            outcome = _codes(load)
        print(f"{name:<28}{seconds:>10.3f} s{peak / MIB:>10.1f} MiB  {outcome}")


if __name__ == "__main__":
    main()
