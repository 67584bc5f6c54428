"""A ten-rule policy, record by record, against the same computation written by hand.

Run: python benchmarks/bench_evaluate.py [--records 20000] [--rounds 7]

The engine (``evaluate_many`` over the batch, and ``evaluate`` called once per
record) is timed against two hand-written baselines of benchmarks/policy.yaml:
one with ``Decimal`` and the engine's rounding (what a programmer who needs
exact money would write; its outputs must equal the engine's), and one with
plain floats (the fastest a Python programmer would write, and the floor any
interpreter of rules is compared with).

The four run interleaved in one process, one after the other in each round,
in an order that rotates from round to round, so that the machine's noise
(shared CPUs, frequency changes, a neighbour's burst) falls on all of them
alike. What is printed is per-record time and the ratio engine / hand-written
of each round, as the median and the spread (min–max) over the rounds: quote
the ratios, not the microseconds, which move with the machine.

Memory is measured last, in a separate pass under tracemalloc, which slows
allocation several-fold and would distort every timing it overlapped.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import policyengine
from policyengine.core._numbers import engine_context
from policyengine.core._period import Period

HERE = Path(__file__).parent
PERIOD = "2026-03"
DAYS_IN_PERIOD = 31  # March: the policy's period.days
CENT = Decimal("0.01")
#: Outputs the hand-written functions compute, and which of them are numbers.
NUMBERS = ("commission", "subsidy", "appraisal", "net_pay")

Record = dict[str, Any]
Outputs = dict[str, Any]


# --- the records -------------------------------------------------------------------


def make_records(count: int) -> list[Record]:
    """``count`` rep-months with the policy's inputs, the same every run (a fixed seed)."""
    rng = random.Random(1)
    return [
        {
            "rep_id": f"R{i:06d}",
            "role": "leader" if i % 12 == 0 else "rep",
            "base_salary": Decimal(3000 + rng.randrange(0, 2000)),
            "credited_sales": Decimal(rng.randrange(0, 30_000_000)) / 100,
            "dials": rng.randrange(300, 1200),
            "talk_minutes": rng.randrange(800, 3000),
            "phone_bill": Decimal(rng.randrange(5000, 40000)) / 100,
            "days_worked": rng.randrange(0, 23),
            "satisfaction": Decimal(rng.randrange(50, 101)),
            "attitude": Decimal(rng.randrange(50, 101)),
            "complaints": rng.choice((0, 0, 0, 1)),
            "late_days": rng.choice((0, 0, 1, 2)),
        }
        for i in range(count)
    ]


def as_floats(records: Sequence[Record]) -> list[Record]:
    """The records as a float program would receive them (converted once, untimed)."""
    return [
        {k: float(v) if isinstance(v, Decimal) else v for k, v in record.items()}
        for record in records
    ]


# --- the policy written by hand ------------------------------------------------------


def by_hand(r: Record, days_in_month: int) -> Outputs:
    """benchmarks/policy.yaml in Decimal with half-up rounding: the engine's exact outputs."""
    started = r["dials"] >= 600 and r["talk_minutes"] >= 1500
    sales = r["credited_sales"]
    rate = (
        Decimal("0.03")
        if sales < 80000
        else Decimal("0.035")
        if sales < 150000
        else Decimal("0.04")
    )
    commission = (sales * rate if started else Decimal(0)).quantize(CENT, ROUND_HALF_UP)
    cap = Decimal(300) if r["role"] == "leader" else Decimal(200)
    subsidy = (
        min(r["phone_bill"], cap) * r["days_worked"] / days_in_month
        if r["days_worked"] >= 10
        else Decimal(0)
    ).quantize(CENT, ROUND_HALF_UP)
    appraisal = (
        min(Decimal(100), sales / 1500) * Decimal("0.6")
        + r["satisfaction"] * Decimal("0.25")
        + r["attitude"] * Decimal("0.15")
    ).quantize(CENT, ROUND_HALF_UP)
    violations = (r["complaints"] != 0) + (r["late_days"] != 0)
    grade = "A" if appraisal >= 90 and violations == 0 else "B" if appraisal >= 70 else "C"
    deductions = r["late_days"] * Decimal(50)
    net = (r["base_salary"] + commission + subsidy - deductions).quantize(CENT, ROUND_HALF_UP)
    return {
        "commission": commission,
        "subsidy": subsidy,
        "appraisal": appraisal,
        "grade": grade,
        "net_pay": net,
    }


def by_hand_float(r: Record, days_in_month: int) -> Outputs:
    """The same in floats with round(): a baseline for speed only, not exact to the cent
    (binary fractions and round-half-even can move a figure by one cent)."""
    started = r["dials"] >= 600 and r["talk_minutes"] >= 1500
    sales = r["credited_sales"]
    rate = 0.03 if sales < 80000 else 0.035 if sales < 150000 else 0.04
    commission = round(sales * rate if started else 0.0, 2)
    cap = 300.0 if r["role"] == "leader" else 200.0
    days = r["days_worked"]
    subsidy = round(min(r["phone_bill"], cap) * days / days_in_month if days >= 10 else 0.0, 2)
    appraisal = round(
        min(100.0, sales / 1500) * 0.6 + r["satisfaction"] * 0.25 + r["attitude"] * 0.15, 2
    )
    violations = (r["complaints"] != 0) + (r["late_days"] != 0)
    grade = "A" if appraisal >= 90 and violations == 0 else "B" if appraisal >= 70 else "C"
    deductions = r["late_days"] * 50.0
    net = round(r["base_salary"] + commission + subsidy - deductions, 2)
    return {
        "commission": commission,
        "subsidy": subsidy,
        "appraisal": appraisal,
        "grade": grade,
        "net_pay": net,
    }


# --- checking that all four compute the same thing ------------------------------------


def check_same(policy: policyengine.Policy, records: list[Record], floats: list[Record]) -> None:
    """The comparison is only honest if the engine and the baselines compute the same:
    the engine's outputs (both ways of calling it) must equal the Decimal ones exactly,
    and the float ones must be within a cent of them. This is also the warm-up run."""
    batch = policy.evaluate_many(records, period=PERIOD)
    assert not batch.errors, batch.errors[:3]
    check_fused(policy, records)
    for record, result, fl in zip(records, batch.results, floats, strict=True):
        want = by_hand(record, DAYS_IN_PERIOD)
        got = {name: result.outputs[name] for name in want}
        assert got == want, (result.record, got, want)
        approx = by_hand_float(fl, DAYS_IN_PERIOD)
        for name in NUMBERS:
            assert abs(approx[name] - float(want[name])) <= 0.0101, (name, approx, want)
    for record in records[:200]:  # evaluate() one by one: the same outputs
        one = policy.evaluate(record, period=PERIOD)
        want = by_hand(record, DAYS_IN_PERIOD)
        assert {name: one.outputs[name] for name in want} == want, (record, want)


def check_fused(policy: policyengine.Policy, records: list[Record]) -> None:
    """What is timed is the engine's common path: the policy's fused function computes
    every benchmark record itself (a record it gave up on would be evaluated a second
    time, rule by rule, and the timing would not be of the fused code)."""
    fused = policy.program.fused
    assert fused is not None, "the benchmark policy has no fused function"
    month = {"period": Period.parse(PERIOD).as_mapping()}
    with engine_context():
        for record in records:
            env = {**record, **month}
            fused.function(env)  # raises if it gives up on the record


# --- timing ------------------------------------------------------------------------


def variants(
    policy: policyengine.Policy, records: list[Record], floats: list[Record]
) -> dict[str, Callable[[], object]]:
    """The four ways of computing the batch, each building the whole list of results
    (kept, as a caller would keep them) so that none is spared the allocation."""

    def engine_many() -> object:
        return policy.evaluate_many(records, period=PERIOD)

    def engine_one() -> object:
        return [policy.evaluate(record, period=PERIOD) for record in records]

    def hand_decimal() -> object:
        return [by_hand(record, DAYS_IN_PERIOD) for record in records]

    def hand_float() -> object:
        return [by_hand_float(record, DAYS_IN_PERIOD) for record in floats]

    return {
        "engine evaluate_many": engine_many,
        "engine evaluate": engine_one,
        "hand-written Decimal": hand_decimal,
        "hand-written float": hand_float,
    }


def timed(run: Callable[[], object]) -> float:
    """Seconds for one run. The garbage of the run before is collected first (untimed),
    so no run pays for another's; collections the run itself causes are its own cost."""
    gc.collect()
    start = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - start
    del result
    return seconds


def measure(runs: Mapping[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """Seconds per round of each run, interleaved, the order rotated by one each round."""
    names = list(runs)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for number in range(rounds):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            seconds[name].append(timed(runs[name]))
    return seconds


def peak_bytes(run: Callable[[], object]) -> int:
    """Peak memory traced while ``run`` builds its results (which are kept to the end)."""
    gc.collect()
    tracemalloc.start()
    try:
        result = run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak


# --- the report ----------------------------------------------------------------------


def print_times(seconds: Mapping[str, list[float]], count: int) -> None:
    print(f"{'per record (median of rounds)':<30} {'µs/record':>10} {'records/s':>12}")
    for name, times in seconds.items():
        median = statistics.median(times)
        print(f"  {name:<28} {median / count * 1e6:>10.2f} {count / median:>12,.0f}")


def print_ratios(seconds: Mapping[str, list[float]]) -> None:
    """Ratios within each round (the runs of one round shared the machine's state)."""
    print(f"{'engine time / hand-written time':<40} {'median':>8}   spread (min–max)")
    for engine in ("engine evaluate_many", "engine evaluate"):
        for hand in ("hand-written Decimal", "hand-written float"):
            ratios = [e / h for e, h in zip(seconds[engine], seconds[hand], strict=True)]
            label = f"{engine.removeprefix('engine ')} / {hand.removeprefix('hand-written ')}"
            print(
                f"  {label:<38} {statistics.median(ratios):>7.1f}×"
                f"   {min(ratios):.1f}–{max(ratios):.1f}×"
            )


def print_memory(runs: Mapping[str, Callable[[], object]], count: int) -> None:
    print("peak traced memory (tracemalloc; a separate, untimed pass):")
    for name in ("engine evaluate_many", "hand-written Decimal"):
        peak = peak_bytes(runs[name])
        print(f"  {name:<28} {peak / 2**20:>8.1f} MiB  ({peak / count / 1024:.1f} KiB/record)")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--records", type=int, default=20_000, help="records per run (default: 20000)"
    )
    parser.add_argument(
        "--rounds", type=int, default=7, help="interleaved rounds of the four runs (default: 7)"
    )
    args = parser.parse_args()
    if args.records < 1 or args.rounds < 1:
        parser.error("--records and --rounds must be at least 1")
    return args


def main() -> None:
    args = arguments()
    policy = policyengine.load_policy(HERE / "policy.yaml")
    records = make_records(args.records)
    floats = as_floats(records)
    check_same(policy, records, floats)
    runs = variants(policy, records, floats)
    seconds = measure(runs, args.rounds)
    print(
        f"{args.records:,} records, {args.rounds} rounds "
        "(interleaved in one process, order rotated each round)"
    )
    print_times(seconds, args.records)
    print_ratios(seconds)
    print_memory(runs, args.records)


if __name__ == "__main__":
    main()
