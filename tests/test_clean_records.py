"""The part of the facts check that looks at one record alone (``clean_records``, run by a
cluster's workers on each range of a month's calls) gives exactly what the whole check
(``check_facts``) gives those records, and gives up on any record it would report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import policyengine
from policyengine.facts._by_kind import check_facts, clean_records
from policyengine.run._bundle import plan_of

ROOT = Path(__file__).parent.parent
SHIPPED = policyengine.load(ROOT / "policies")


@pytest.fixture(scope="module")
def month() -> tuple[Any, dict[str, list[dict[str, Any]]]]:
    plan = plan_of(SHIPPED.for_period("2026-03"))
    files = SHIPPED.facts_files(ROOT / "examples" / "2026-03")
    return plan.entities, {kind: list(f.records) for kind, f in files.items()}


def test_the_common_calls_are_typed_as_the_whole_check_types_them(month: Any) -> None:
    entities, facts = month
    whole = check_facts(entities, {k: list(v) for k, v in facts.items()})
    valid = {str(r["rep_id"]) for r in whole.records["rep"]}
    found = clean_records(entities.kinds["call"], facts["call"], valid)
    assert found is not None
    typed, keys, parents = found
    assert typed == [dict(r) for r in whole.records["call"]]
    assert keys == [str(r["call_id"]) for r in whole.records["call"]]
    assert parents == [str(r["rep_id"]) for r in whole.records["call"]]


@pytest.mark.parametrize(
    "spoil",
    [
        lambda call: call.update(rings="three"),  # a bad cell: the whole check names it
        lambda call: call.update(rep_id="R999"),  # no such rep: missing-parent
        lambda call: call.pop("call_id"),  # no key: named by its position
        lambda call: call.update(unknown="1"),  # a field no kind declares
    ],
)
def test_any_record_the_whole_check_would_report_gives_up(month: Any, spoil: Any) -> None:
    entities, facts = month
    calls = [dict(c) for c in facts["call"]]
    spoil(calls[len(calls) // 2])
    valid = {r["rep_id"] for r in facts["rep"]}
    assert clean_records(entities.kinds["call"], calls, valid) is None
    assert check_facts(entities, {**facts, "call": calls}).errors


def test_a_kind_without_a_parent_is_left_to_the_whole_check(month: Any) -> None:
    entities, _ = month
    top = [k for k in entities.kinds.values() if k.parent is None]
    assert top and all(clean_records(k, [], set()) is None for k in top)
