"""A loaded repository and its bundles are immutable: threads may share them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import policyengine
from policyengine.facts._io import read_bundle_facts

ROOT = Path(__file__).parent.parent
STANDALONE = ROOT / "examples" / "standalone" / "policies" / "commission" / "2026-01.yaml"
THREADS = 4


def test_threads_sharing_one_bundle_give_what_one_thread_gives() -> None:
    """Several threads evaluating the same loaded bundle at once (each month's facts, and
    one policy's records) give results byte-identical to one thread's."""
    repository = policyengine.load(ROOT / "policies")
    bundle = repository.for_period("2026-01")
    fields = {k: dict(v.fields) for k, v in repository.entities.kinds.items()}  # type: ignore[union-attr]

    def facts() -> dict[str, list[object]]:
        read = read_bundle_facts(ROOT / "examples" / "2026-01", fields)
        return {kind: list(found.records) for kind, found in read.items()}

    def month(_: int) -> bytes:
        return bundle.evaluate(facts()).to_json()

    policy = policyengine.load_policy(STANDALONE)
    reps = [
        {
            "rep_id": f"A{n:03}",
            "credited_sales": str(Decimal("1234.57") * n),
            "self_sourced_sales": str(n * 10),
            "dials": 550 + n,
            "talk_minutes": 1450 + n,
        }
        for n in range(200)
    ]

    def batch(engine: str) -> list[object]:
        done = policy.evaluate_many(reps, period="2026-03", engine=engine)  # type: ignore[arg-type]
        return [r.to_dict() for r in done.results]

    alone = month(0), batch("compiled")
    # The reference engine too: its program, shared by the threads, once held one
    # evaluator whose names each call set, and a record took another's values.
    engines = ["compiled", "reference"] * THREADS * 4
    with ThreadPoolExecutor(THREADS) as pool:
        months = list(pool.map(month, range(THREADS * 2)))
        batches = list(pool.map(batch, engines))
    assert months == [alone[0]] * len(months)
    assert batches == [alone[1]] * len(batches)
    assert len(alone[1]) == len(reps), "the batch evaluated every record"
