"""The four-month centre: records per second, and how cost grows with the number of calls.

Run: python benchmarks/bench_centre.py

Evaluates tests/fixtures/centre (call checks → rep roll-ups → appraisal →
rank within team → bottom streak → monthly and quarterly stars) over four
generated months at 1×, 2×, 5× and 10× the calls, and prints the time per
run relative to 1×: linear growth shows as a ratio close to the multiple.
The machines are shared and noisy, so quote ratios rather than seconds.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import policyengine
from policyengine.facts._sample_centre import centre, months

ROOT = Path(__file__).parent.parent


def main() -> None:
    base = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    repository = policyengine.load(ROOT / "tests" / "fixtures" / "centre")
    periods = months("2026-01", "2026-04")
    first = None
    for multiple in (1, 2, 5, 10):
        facts = centre(periods, calls=base * multiple)
        records = sum(len(rows) for month in facts.values() for rows in month.values())
        start = time.perf_counter()
        results = repository.evaluate_months(facts)
        seconds = time.perf_counter() - start
        assert not any(r.errors for r in results)
        first = first or seconds
        print(
            f"{multiple:>2}× calls ({base * multiple:>6}/month): {records:>7} records, "
            f"{records / seconds:>8,.0f} records/s, time {seconds / first:4.1f}× the 1× run"
        )


if __name__ == "__main__":
    main()
