"""Throughput of a ten-rule policy over 100,000 records, against hand-written Python.

Run: python benchmarks/bench_evaluate.py [RECORDS]

The hand-written function computes the same outputs with Decimal and the same
rounding, so the ratio is what the engine costs over code written for one
policy. The machines are shared and noisy: quote the ratio, not the seconds.
"""

from __future__ import annotations

import random
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import policyengine

HERE = Path(__file__).parent
CENT = Decimal("0.01")


def make_records(count: int) -> list[dict[str, Any]]:
    rng = random.Random(1)  # fixed seed: the same records every run
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


def by_hand(r: dict[str, Any], days_in_month: int) -> dict[str, Any]:
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


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    policy = policyengine.load_policy(HERE / "policy.yaml")
    records = make_records(count)

    start = time.perf_counter()
    batch = policy.evaluate_many(records, period="2026-03")
    engine_s = time.perf_counter() - start
    assert not batch.errors, batch.errors[:3]

    start = time.perf_counter()
    expected = [by_hand(r, 31) for r in records]
    hand_s = time.perf_counter() - start

    # The benchmark is only honest if both compute the same thing.
    for result, want in zip(batch.results, expected, strict=True):
        got = {name: result.outputs[name] for name in want}
        assert got == want, (result.record, got, want)

    print(f"records:             {count}")
    print(f"engine:              {count / engine_s:12,.0f} records/s ({engine_s:.2f} s)")
    print(f"hand-written Python: {count / hand_s:12,.0f} records/s ({hand_s:.2f} s)")
    print(f"ratio (engine time / hand-written time): {engine_s / hand_s:.1f}x")


if __name__ == "__main__":
    main()
