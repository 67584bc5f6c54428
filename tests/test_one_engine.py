"""One policy evaluated alone gives, record for record, what the month's bundle gives it.

``Policy.evaluate``/``evaluate_many`` and a bundle's runner are two ways into one
engine: the policy's compiled program and its fused function (design.md §6). These
tests pin them together over months of every hard case of the shipped policies:
every version in force that can be evaluated alone (it reads only its records'
fields: no roll-up, rank or other policy's value) gives each record's every value,
or fails it with the same code, as the bundle does; and the ones that cannot are
refused for that reason, never with a different number.
"""

from __future__ import annotations

from typing import Any

import pytest

import policyengine
from policyengine.facts._sample_centre import months
from policyengine.facts._sample_hard_cases import monthly

#: Why a shipped policy cannot be evaluated alone: it rolls up, ranks or reads the values
#: another policy gives (those are missing from the bare record).
_NEEDS_THE_MONTH = {"needs-bundle", "missing-value"}


def _month(seed: int) -> dict[str, list[Any]]:
    generated = monthly(months("2026-03", "2026-03"), teams=2, reps=6, calls=300, seed=seed)
    march = {kind: list(records) for kind, records in generated[0].facts.items()}
    march["call"][0] = {**march["call"][0], "rings": "many"}  # a refused call
    return march


@pytest.mark.parametrize("seed", [5, 11])
def test_a_policy_alone_gives_the_bundles_values(pack: policyengine.Repository, seed: int) -> None:
    facts = _month(seed)
    bundle = pack.for_period("2026-03")
    month = bundle.evaluate(facts)
    compared: dict[str, int] = {}
    for version in bundle.versions:
        policy = version.policy
        kind = policy.record_kind
        batch = policy.evaluate_many(facts.get(kind, []), period="2026-03")
        alone = [item for item in batch.items if isinstance(item, policyengine.Result)]
        refused = {item.code for item in batch.errors}
        if not alone:
            assert refused <= _NEEDS_THE_MONTH, policy.id
            continue
        compared[policy.id] = 0
        for result in alone:
            values = month.values(kind, str(result.record))
            assert values is not None, (policy.id, result.record)
            for rule in policy.rules:
                assert result.env[rule.id] == values[rule.id], (policy.id, result.record, rule.id)
                compared[policy.id] += 1
        month_codes = {(e.location.record, e.code) for e in month.errors}
        for error in batch.errors:  # a record refused alone is refused in the month too
            assert isinstance(error, policyengine.FactError), (policy.id, error.code)
            assert month.values(kind, str(error.location.record)) is None
            assert (error.location.record, error.code) in month_codes
    # The attendance, complaints and call-etiquette policies read only their records.
    assert {"attendance", "complaints", "call_etiquette"} <= set(compared)
    assert all(count > 0 for count in compared.values())
