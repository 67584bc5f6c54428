"""A month's inputs encoded once: the kept bytes and the format 3 hash from one encoding
of the records are those of encoding them twice (once for each), byte for byte.

Differential tests between the two ways (``pack_once`` and the way it replaced, still
taken for records that are not all text), and a property test of cutting one
encoding of many records into each record's bytes, over text made to look like the
mark the cut is made at.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_inputs_tree import KEYS, layout, month
from test_partition import company_months

from policyengine.facts import _inputs
from policyengine.facts._canonical import encode
from policyengine.facts._inputs import PackedInputs, pack_inputs, record_bytes
from policyengine.facts._inputs_once import records_bytes, text_records
from policyengine.facts._inputs_tree import Layout

#: Text that looks like what a batch is cut at, or like JSON around it.
_TRICKY = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["\x00", ',"\\u0000",', '","', "},{", "\\", '"', "\ud800", "a\x00b", ""]),
)
_TEXT_RECORDS = st.lists(st.dictionaries(_TRICKY, _TRICKY, max_size=4), max_size=12)


@settings(max_examples=300, deadline=datetime.timedelta(seconds=3))
@given(records=_TEXT_RECORDS)
def test_one_encoding_cut_is_each_records_own(records: list[dict[str, str]]) -> None:
    assert records_bytes(records) == [encode(record) for record in records]


def test_only_records_all_of_text_are_cut() -> None:
    assert text_records([{"a": "1"}, {"b": ""}])
    assert not text_records([{"a": 1}])
    assert not text_records([{"a": ["x"]}])
    assert not text_records([{1: "a"}])
    assert not text_records([("a", "1")])


def _twice(monkeypatch: pytest.MonkeyPatch, *arguments: Any) -> PackedInputs:
    """pack_inputs the way it was before: the records encoded for the bytes, then again
    for the tree."""
    with monkeypatch.context() as patched:
        patched.setattr(_inputs, "pack_once", lambda *given: None)
        return pack_inputs(*arguments)


def _evidence(packed: PackedInputs) -> tuple[str, int, int, str, bytes]:
    """All a month's packed inputs are to an auditor: the inputs hash and how it was
    made, the kept bytes, their size and their own hash."""
    return packed.sha256, packed.format, packed.size, packed.document.sha256, packed.unpacked()


@settings(
    max_examples=40,
    deadline=datetime.timedelta(seconds=5),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(facts=company_months(), history=st.booleans())
def test_generated_months_pack_alike_once_and_twice(
    facts: dict[str, list[dict[str, str]]], history: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Teams of reps and calls, records refused and orphaned (the partition keyed null),
    a company above the partitions (the shared leaf), with and without history."""
    used = {"2025-12": {"rep": {"R00": {"x": "1"}}}} if history else {}
    twice = _twice(monkeypatch, facts, KEYS, used, layout())
    assert _evidence(pack_inputs(facts, KEYS, used, layout())) == _evidence(twice)


@pytest.mark.parametrize("empty", ["company", "call", "team"])
def test_a_kind_without_records_packs_alike(empty: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kind given with no record: above the partitions it is in the shared leaf even
    so; below them, in no partition."""
    facts = {**month(), empty: []}
    twice = _twice(monkeypatch, facts, KEYS, {}, layout())
    assert _evidence(pack_inputs(facts, KEYS, {}, layout())) == _evidence(twice)


def test_records_given_as_bytes_and_one_partition_pack_alike(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Calls given as their bytes (a cluster's readers) beside kinds encoded here; and a
    month of one partition (no partition kind)."""
    facts = month()
    items = {"call": [record_bytes(call) for call in facts["call"]]}
    once = pack_inputs(facts, KEYS, {}, layout(), items)
    assert _evidence(once) == _evidence(_twice(monkeypatch, facts, KEYS, {}, layout(), items))
    whole = Layout(None)
    twice = _twice(monkeypatch, facts, KEYS, {}, whole)
    assert _evidence(pack_inputs(facts, KEYS, {}, whole)) == _evidence(twice)


def test_records_not_all_text_take_the_way_of_two_encodings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A JSON file's numbers are not cut: the records are encoded for each, as before."""
    called: list[bool] = []
    real = _inputs.pack_once

    def spying(*given: Any) -> Any:
        found = real(*given)
        called.append(found is None)
        return found

    monkeypatch.setattr(_inputs, "pack_once", spying)
    facts: dict[str, list[dict[str, Any]]] = month()
    facts["company"] = [{"company_id": "C", "pool": 10}]
    pack_inputs(facts, KEYS, {}, layout())
    assert called == [True]


def test_text_kinds_known_beforehand_pack_as_when_asked() -> None:
    """A month's kinds found all text when its facts were brought to their form (as
    evaluate_owned hands them on) pack exactly as when each kind is asked again."""
    facts = month()
    known = frozenset(kind for kind, records in facts.items() if text_records(records))
    assert known == set(facts)
    told = pack_inputs(facts, KEYS, {}, layout(), None, known)
    assert _evidence(told) == _evidence(pack_inputs(facts, KEYS, {}, layout()))
