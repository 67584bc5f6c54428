"""The inputs hash of format 3: a tree of the month's partitions, the same in any order,
recomputed from the bytes a ledger keeps; runs recorded before keep theirs."""

from __future__ import annotations

import datetime
import hashlib
import json
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_partition import company_months

import policyengine
from policyengine.facts._canonical import canonical_json
from policyengine.facts._file import UNREADABLE
from policyengine.facts._inputs import inputs_sha256, pack_inputs, record_bytes
from policyengine.facts._inputs_tree import Layout, tree_hash
from policyengine.run._bundle import plan_of
from policyengine.run._partition import hash_layout

FIXTURES = Path(__file__).parent / "fixtures"
COMPANY = policyengine.load(FIXTURES / "partitioned")
KEYS = {"company": "company_id", "team": "team_id", "rep": "rep_id", "call": "call_id"}


def month() -> dict[str, list[dict[str, str]]]:
    return {
        "company": [{"company_id": "C", "pool": "10"}],
        "team": [{"team_id": t, "company_id": "C", "target": "1"} for t in ("A", "B")],
        "rep": [
            {"rep_id": "a1", "team_id": "A", "base": "1", "eligible": "true"},
            {"rep_id": "b1", "team_id": "B", "base": "1", "eligible": "true"},
        ],
        "call": [
            {"call_id": "k1", "rep_id": "a1", "minutes": "1", "sales": "5"},
            {"call_id": "k2", "rep_id": "b1", "minutes": "2", "sales": "6"},
            {"call_id": "k3", "rep_id": "gone", "minutes": "2", "sales": "6"},
        ],
    }


def layout() -> Layout:
    return hash_layout(plan_of(COMPANY.for_period("2026-01")), {"team": 2, "company": 1})


def test_the_tree_is_partitions_by_team_with_the_company_shared() -> None:
    """The hash is the SHA-256 of the document the auditor's guide describes."""
    facts = month()
    packed = pack_inputs(facts, KEYS, {}, layout())
    ordered = json.loads(packed.unpacked())

    def leaf(data: Any) -> str:
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    rows = {kind: {r[KEYS[kind]]: r for r in records} for kind, records in ordered.items()}
    document = {
        "format": 3,
        "by": "team",
        "partitions": [
            [None, leaf({"call": [rows["call"]["k3"]]})],
            [
                "A",
                leaf(
                    {
                        "call": [rows["call"]["k1"]],
                        "rep": [rows["rep"]["a1"]],
                        "team": [rows["team"]["A"]],
                    }
                ),
            ],
            [
                "B",
                leaf(
                    {
                        "call": [rows["call"]["k2"]],
                        "rep": [rows["rep"]["b1"]],
                        "team": [rows["team"]["B"]],
                    }
                ),
            ],
        ],
        "shared": leaf({"company": [rows["company"]["C"]]}),
        "history": None,
    }
    expected = hashlib.sha256(
        json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    assert packed.format == 3
    assert packed.sha256 == expected
    assert inputs_sha256(packed.unpacked(), 3, layout()) == expected


def test_the_hash_does_not_depend_on_the_records_order() -> None:
    """Shuffled records give the same bytes and the same tree hash."""
    first = pack_inputs(month(), KEYS, {}, layout())
    facts = month()
    for records in facts.values():
        random.Random(3).shuffle(records)
        records.reverse()
    again = pack_inputs(facts, KEYS, {}, layout())
    assert (again.sha256, again.unpacked()) == (first.sha256, first.unpacked())


def test_a_changed_record_changes_only_its_partition_and_the_root() -> None:
    """One call's sales changed: the tree's root changes."""
    facts = month()
    before = tree_hash(facts, {}, layout())
    facts["call"][1]["sales"] = "7"
    assert tree_hash(facts, {}, layout()) != before


def test_history_is_a_leaf_of_its_own() -> None:
    """The earlier months' values read are in the hash."""
    used = {"2025-12": {"rep": {"a1": {"x": "1"}}}}
    assert (
        pack_inputs(month(), KEYS, used, layout()).sha256
        != pack_inputs(month(), KEYS, {}, layout()).sha256
    )


@pytest.mark.parametrize(
    "name", ["format1.sqlite", "format1-pack.sqlite", "format1-parents.sqlite"]
)
def test_runs_recorded_before_keep_the_hash_of_their_format(name: str) -> None:
    """A ledger run recorded before format 3 recomputes to its recorded hash by its format."""
    with sqlite3.connect(FIXTURES / "ledgers" / name) as db:
        rows = list(db.execute("select inputs, provenance from runs"))
    assert rows
    for data, provenance in rows:
        recorded = json.loads(provenance)
        fmt = recorded.get("inputs_format", 1)
        assert fmt < 3
        assert inputs_sha256(data, fmt, Layout(None)) == recorded["inputs_sha256"]


def test_the_quick_way_to_the_partitions_agrees_with_the_general_one() -> None:
    """Records of text with unique keys take the quick way; forced the general way, each
    record's partition is the same (the orphan call included)."""
    from unittest import mock

    from policyengine.facts import _inputs_tree

    facts = month()
    quick = _inputs_tree.owners(facts, layout())
    with mock.patch.object(_inputs_tree, "_quick", return_value=None):
        general = _inputs_tree.owners(facts, layout())
    assert quick == general
    assert quick["call"] == ["A", "B", None]


@st.composite
def marked_months(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    """A company month as a CSV gives it, with calls a reader marked unreadable, calls
    without a key and a key given twice."""
    facts: dict[str, list[dict[str, Any]]] = draw(company_months())
    calls = facts["call"]
    for call in calls[: draw(st.integers(0, 2))]:
        call[UNREADABLE] = [{"code": "ragged-row", "message": "short"}]
    if calls and draw(st.booleans()):
        calls.append(dict(calls[0], sales="1"))  # the key given twice
    if draw(st.booleans()):
        calls.append({"rep_id": "R00", "minutes": "1"})  # no key
    random.Random(draw(st.integers(0, 99))).shuffle(calls)
    return facts


@settings(max_examples=80, deadline=datetime.timedelta(seconds=3))
@given(facts=marked_months(), history=st.booleans(), tree=st.booleans())
def test_records_given_as_their_bytes_pack_to_the_same_inputs_and_hash(
    facts: dict[str, list[dict[str, Any]]], history: bool, tree: bool
) -> None:
    """The calls' canonical bytes encoded apart (as the workers reading a CSV's ranges
    encode them), ordered and joined: the same stored bytes and the same hash, of
    format 3 and of format 2."""
    used = {"2025-12": {"rep": {"R00": {"x": "1"}}}} if history else {}
    how = layout() if tree else None
    whole = pack_inputs(facts, KEYS, used, how)
    items = {"call": [record_bytes(call) for call in facts["call"]]}
    joined = pack_inputs(facts, KEYS, used, how, items)
    assert (joined.sha256, joined.size, joined.format) == (whole.sha256, whole.size, whole.format)
    assert joined.unpacked() == whole.unpacked()


@settings(max_examples=200, deadline=datetime.timedelta(seconds=3))
@given(
    record=st.dictionaries(
        st.text(max_size=4),
        st.one_of(st.text(), st.integers(), st.booleans(), st.none(), st.lists(st.text())),
        max_size=5,
    )
)
def test_a_record_alone_is_encoded_as_the_canonical_encoder_encodes_it(
    record: dict[str, Any],
) -> None:
    """Any text (lone surrogates, quotes, Chinese), numbers, flags and lists: one record's
    bytes are those of the canonical encoding."""
    assert record_bytes(record) == canonical_json(record)
