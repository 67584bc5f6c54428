"""A kind's records held packed in the client read as the records themselves.

A month run with its calls typed on the workers gets each partition's calls back
packed (run/_held_records.py): sorted, in chunks, compressed. Whatever reads them —
one record, every record in key order, a column of the records a summary names —
must read what the records held whole would give. These tests pack generated
partitions as the workers do and compare with the plain records; no cluster needed.
"""

from __future__ import annotations

import pickle
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from policyengine.run import _held_records
from policyengine.run._held_records import (
    HeldDetails,
    HeldRecords,
    Plain,
    SortedLinks,
    envs_in_order,
    pack_details,
    pack_records,
    sorted_envs,
)

ZERO = MappingProxyType({"points": Decimal("0")})
CENTS = MappingProxyType({"points": Decimal("0.00")})


def _held(parts: list[dict[str, dict[str, Any]]], parents: dict[str, str]) -> HeldRecords:
    """``parts`` packed as each partition's worker packs them, taken back in order, with
    the records' order ``parents`` gives (their keys)."""
    held = HeldRecords(parents, ["checks"])
    for part in parts:
        packed = pack_records(part, parents, Plain())
        held.add(pickle.loads(pickle.dumps(packed)))  # as it crosses to the client
    return held


# Records dealt to partitions by parent, as the plan deals calls by their rep's team.
_record = st.fixed_dictionaries(
    {
        "rings": st.integers(0, 9),
        "amount": st.decimals(places=2, min_value=-100, max_value=100),
        "checks": st.sampled_from([ZERO, CENTS, MappingProxyType({"points": Decimal(1)})]),
    }
)
_month = st.dictionaries(
    st.text("ABC019", min_size=1, max_size=6),
    st.tuples(st.integers(0, 5), _record),
    max_size=300,
)


def _dealt(
    month: dict[str, tuple[int, dict[str, Any]]],
) -> tuple[list[dict[str, dict[str, Any]]], dict[str, str], dict[str, dict[str, Any]]]:
    parents = {key: f"R{rep}" for key, (rep, _) in month.items()}
    by_part: dict[int, dict[str, dict[str, Any]]] = {}
    for key, (rep, env) in month.items():
        by_part.setdefault(rep % 3, {})[key] = env
    parts = [by_part[p] for p in sorted(by_part)]
    return parts, parents, {key: env for key, (_, env) in month.items()}


@settings(max_examples=80, deadline=None)
@given(_month, st.integers(1, 5), st.integers(1, 4))
def test_held_records_read_as_the_records_whole(
    month: dict[str, tuple[int, dict[str, Any]]], chunk: int, window: int
) -> None:
    """One record, every record in key order, and any keys' values in order: the same as
    the records held whole, whatever the chunks' size and the window of chunks read."""
    saved = _held_records.CHUNK, _held_records.WINDOW
    _held_records.CHUNK, _held_records.WINDOW = chunk, window
    try:
        parts, parents, whole = _dealt(month)
        held = _held(parts, parents)
        _check_held(held, parents, whole)
    finally:
        _held_records.CHUNK, _held_records.WINDOW = saved


def _check_held(held: HeldRecords, parents: dict[str, str], whole: dict[str, Any]) -> None:
    assert list(held) == list(parents)  # the records' order, as the state keeps it
    assert len(held) == len(whole)
    assert list(sorted_envs(held)) == list(sorted_envs(whole))
    for key in list(whole)[::7]:
        assert held[key] == whole[key]
        assert key in held
    assert "missing" not in held and held.get("missing") is None
    keys = [*sorted(whole)[::2], "zz-not-a-record"]
    missing: dict[str, Any] = {}
    assert list(envs_in_order(held, keys, missing)) == [whole.get(k, missing) for k in keys]
    shuffled = keys[::-1]  # not in key order: looked up one by one, the same values
    assert list(envs_in_order(held, shuffled, missing)) == [whole.get(k, missing) for k in shuffled]
    assert held == whole


def test_named_values_are_read_only_shared_and_kept_apart_when_only_equal() -> None:
    """A named value unpacked is read-only, one value for the records that shared it in
    a chunk, and ``0`` and ``0.00`` (equal, not the same) stay apart."""
    part = {f"C{i}": {"checks": ZERO if i % 2 else CENTS} for i in range(6)}
    held = _held([part], {key: "R1" for key in part})
    found = dict(sorted_envs(held))
    assert type(found["C1"]["checks"]) is MappingProxyType
    assert found["C1"]["checks"] is found["C3"]["checks"]
    assert found["C0"]["checks"] is not found["C1"]["checks"]
    assert str(found["C0"]["checks"]["points"]) == "0.00"
    assert str(found["C1"]["checks"]["points"]) == "0"


def test_a_record_of_a_parent_no_partition_holds_is_not_there() -> None:
    held = _held([{"C1": {"rings": 1}}], {"C1": "R1", "C2": "R2"})
    assert held["C1"] == {"rings": 1}
    assert held.get("C2") is None


def test_the_records_are_held_in_fewer_bytes_than_pickled_whole() -> None:
    """What the packing is for: the client holds compressed chunks, not the records."""
    part = {
        f"C{i:07}": {"call_id": f"C{i:07}", "rep_id": "R0001", "rings": 2, "amount": Decimal(i)}
        for i in range(5_000)
    }
    held = _held([part], {key: "R0001" for key in part})
    assert held.packed_size * 3 < len(pickle.dumps(part))


def test_details_held_packed_read_as_the_details_merged() -> None:
    """Each partition's details packed, taken in order: one detail from its partition,
    a slot given twice the later partition's (as the merged dict's update gives)."""
    parts = [
        {("rep", "R1", "sum"): {"records": ["C1", "C2"]}, ("team", "T", "n"): {"count": 1}},
        {("rep", "R2", "sum"): {"records": ["C3"]}, ("team", "T", "n"): {"count": 2}},
    ]
    held = HeldDetails()
    merged: dict[tuple[str, str, str], Any] = {}
    for part in parts:
        held.add(pickle.loads(pickle.dumps(pack_details(part, pickle.dumps))))
        merged.update(part)
    assert dict(held) == merged
    assert held[("rep", "R1", "sum")] == {"records": ["C1", "C2"]}
    assert held.get(("rep", "R9", "sum")) is None and ("team", "T", "n") in held


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text("ABC01", max_size=5), st.sampled_from(["R1", "R2", "R3"])))
def test_sorted_links_are_the_parents_by_key(parents: dict[str, str]) -> None:
    """Two lists in key order read as the dict of each record's parent: one parent, the
    keys (sorted), every parent counted, a key not there."""
    from collections import Counter

    links = SortedLinks(list(parents), list(parents.values()))
    assert dict(links) == parents and len(links) == len(parents)
    assert list(links) == sorted(parents)
    assert Counter(links.values()) == Counter(parents.values())
    for key in parents:
        assert key in links and links[key] == parents[key]
    assert "zzz" not in links and links.get("zzz") is None and 3 not in links
