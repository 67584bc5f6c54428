"""A month's inputs with its calls streamed (merged from ranges' sorted, compressed
chunks, as a cluster's client packs them) are the inputs packed whole, byte for byte:
the same kept bytes, the same format 3 hash, whatever the ranges the calls were cut
into; and a month whose other kinds are not all text says so (None) for the caller to
join the calls whole.
"""

from __future__ import annotations

import datetime
import itertools
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from test_inputs_once import _evidence
from test_inputs_tree import KEYS, layout, month
from test_partition import company_months

from policyengine.facts import _inputs_streamed
from policyengine.facts._inputs import pack_inputs, record_bytes
from policyengine.facts._inputs_streamed import merged, pack_streamed, sorted_chunks
from policyengine.facts._inputs_tree import Layout


def _ranges(calls: list[dict[str, str]], cuts: list[int]) -> list[list[bytes]]:
    """The calls, in file order, cut into ranges and each range's bytes sorted and
    packed as its worker packs them."""
    bounds = sorted({0, len(calls), *(c % (len(calls) + 1) for c in cuts)})
    found = []
    for start, stop in itertools.pairwise(bounds):
        part = calls[start:stop]
        keys = [c["call_id"] for c in part]
        links = [c["rep_id"] for c in part]
        found.append(sorted_chunks(keys, links, [record_bytes(c) for c in part]))
    return found


def _streamed(facts: dict[str, Any], used: dict[str, Any], cuts: list[int]) -> Any:
    others = {kind: records for kind, records in facts.items() if kind != "call"}
    calls = _ranges(facts["call"], cuts)
    return pack_streamed(others, KEYS, used, layout(), ("call", "rep", merged(calls)))


@settings(max_examples=60, deadline=datetime.timedelta(seconds=5))
@given(
    facts=company_months(),
    history=st.booleans(),
    cuts=st.lists(st.integers(0, 100), max_size=4),
    seed=st.integers(0, 100),
    chunk=st.integers(1, 4),
)
def test_calls_merged_from_ranges_pack_as_the_month_whole(
    facts: dict[str, list[dict[str, str]]],
    history: bool,
    cuts: list[int],
    seed: int,
    chunk: int,
) -> None:
    """Teams of reps and calls (a call whose rep is not in the month: the partition keyed
    null; a rep whose team is not: its calls too), a company above the partitions, with
    and without history; the calls in any file order, cut anywhere, chunks of any size."""
    random.Random(seed).shuffle(facts["call"])
    used = {"2025-12": {"rep": {"R00": {"x": "1"}}}} if history else {}
    whole = pack_inputs(facts, KEYS, used, layout())
    saved = _inputs_streamed.CHUNK
    _inputs_streamed.CHUNK = chunk
    try:
        streamed = _streamed(facts, used, cuts)
    finally:
        _inputs_streamed.CHUNK = saved
    assert streamed is not None
    assert _evidence(streamed) == _evidence(whole)


def test_a_month_without_calls_packs_alike() -> None:
    facts = {**month(), "call": []}
    streamed = _streamed(facts, {}, [])
    assert streamed is not None
    assert _evidence(streamed) == _evidence(pack_inputs(facts, KEYS, {}, layout()))


def test_other_kinds_not_all_text_are_said_to_the_caller() -> None:
    """A company's pool given as a number (a JSON file's): not text records, so the
    calls are to be joined whole (pack_inputs then takes its other way)."""
    facts: dict[str, list[dict[str, Any]]] = month()
    facts["company"] = [{"company_id": "C", "pool": 10}]
    assert _streamed(facts, {}, [3]) is None


def test_the_merge_gives_every_range_record_once_in_key_order() -> None:
    keys = [f"C{i:03}" for i in random.Random(1).sample(range(500), 500)]
    ranges = [
        sorted_chunks(keys[a:b], ["R"] * (b - a), [k.encode() for k in keys[a:b]])
        for a, b in [(0, 120), (120, 121), (121, 500)]
    ]
    assert [key for key, _, _ in merged(ranges)] == sorted(keys)


def test_calls_whose_parents_are_the_partitions_pack_alike() -> None:
    """Partitioned by rep (the calls' own parents): a call is in its rep's partition as
    written, a rep not in the month's too (not the null partition)."""
    by_rep = Layout("rep", (("rep", "rep_id", None, None), ("call", "call_id", "rep", "rep_id")))
    facts = month()
    others = {kind: records for kind, records in facts.items() if kind != "call"}
    calls = merged(_ranges(facts["call"], [1]))
    streamed = pack_streamed(others, KEYS, {}, by_rep, ("call", "rep", calls))
    assert streamed is not None
    assert _evidence(streamed) == _evidence(pack_inputs(facts, KEYS, {}, by_rep))
