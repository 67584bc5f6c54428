"""The canonical byte form: one encoder, the same bytes however a document is built."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import policyengine
from policyengine.facts._canonical import canonical_json, encode, encode_by_parts
from policyengine.facts._inputs import FACTS_KEY, HISTORY_KEY
from policyengine.facts._sample_centre import centre, months
from policyengine.run._bundle import evaluate_bundle

CENTRE_FOLDER = Path(__file__).parent / "fixtures" / "centre"

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.text(max_size=6))
_RECORDS = st.dictionaries(st.text(max_size=4), _SCALARS, max_size=4)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.text(max_size=5),
        st.one_of(st.lists(_RECORDS, max_size=7), _SCALARS),
        max_size=4,
    ),
    st.integers(1, 4),
)
def test_encoding_by_parts_gives_the_same_bytes(data: dict[str, Any], batch: int) -> None:
    """A mapping of lists encoded a batch at a time is byte for byte the whole encoding."""
    assert encode_by_parts(data, batch) == encode(data) == canonical_json(data)


def test_a_months_inputs_with_history_are_the_canonical_json_of_both_parts() -> None:
    """The inputs of a month that read earlier months are exactly the canonical JSON of
    {"$facts": …, "$history": …}, as a replay parses and an auditor hashes them."""
    root = "tests/fixtures/centre"
    repository = policyengine.load(root)
    facts = centre(months("2026-01", "2026-02"), calls=30, seed=1)
    january = repository.for_period("2026-01").evaluate(facts["2026-01"])
    february = evaluate_bundle(
        repository.for_period("2026-02"), facts["2026-02"], history={"2026-01": january.snapshot()}
    )
    document = json.loads(february.inputs, parse_float=Decimal)
    assert set(document) == {FACTS_KEY, HISTORY_KEY}
    assert february.inputs == canonical_json(document)


_texts = st.text(alphabet="AB1 呼", max_size=3)
_records = st.lists(
    st.dictionaries(st.sampled_from(["id", "rep", "note"]), _texts | st.integers(0, 3)),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(_records, st.randoms(use_true_random=False))
def test_records_of_text_are_ordered_as_the_general_way_orders_them(
    records: list[dict[str, Any]], rng: Any
) -> None:
    """The quick ordering of a CSV's records (all text, keys unique) gives exactly the
    general ordering; anything else (numbers, a missing or repeated key) takes the general
    way, whatever the input order."""
    from unittest import mock

    from policyengine.facts import _inputs as inputs

    shuffled = list(records)
    rng.shuffle(shuffled)
    keys = {"call": "id"}
    quick = inputs.ordered_facts({"call": shuffled}, keys)
    with mock.patch.object(inputs, "_keyed_text_records", lambda *_: None):
        general = inputs.ordered_facts({"call": records}, keys)
    assert encode(quick) == encode(general)


def test_the_quick_ordering_is_taken_for_text_records_with_unique_keys() -> None:
    """The quick way is used (not only agreed with) when it applies, and refused otherwise."""
    from policyengine.facts._inputs import _keyed_text_records

    rows = [{"id": "b", "x": "1"}, {"id": "a"}]
    assert _keyed_text_records(rows, "id") == [{"id": "a"}, {"id": "b", "x": "1"}]
    assert _keyed_text_records([*rows, {"id": "a"}], "id") is None  # a key given twice
    assert _keyed_text_records([{"id": "a", "n": 1}], "id") is None  # a number
    assert _keyed_text_records([{"x": "a"}], "id") is None  # no key


def test_inputs_held_packed_are_the_canonical_bytes_and_their_hash() -> None:
    """A month's inputs are held compressed, but read back, hashed and sized they are
    exactly the canonical bytes encode_inputs gives, with history and without."""
    import hashlib

    from policyengine.facts._inputs import encode_inputs, inputs_sha256, pack_inputs
    from policyengine.run._bundle import plan_of
    from policyengine.run._partition import hash_layout

    facts = centre(months("2026-01", "2026-01"), calls=50, seed=2)["2026-01"]
    keys = {"team": "team_id", "rep": "rep_id", "call": "call_id"}
    for used in ({}, {"2025-12": {"rep": {"R101": {"bottom_flag": True}}}}):
        expected = encode_inputs(facts, keys, used)
        packed = pack_inputs(facts, keys, used)
        assert packed.unpacked() == expected and packed.size == len(expected)
        assert packed.sha256 == hashlib.sha256(expected).hexdigest()
        assert len(packed.packed) < len(expected)
    bundle = policyengine.load(CENTRE_FOLDER).for_period("2026-01")
    result = bundle.evaluate(facts)
    # Format 3: the tree of the month's team partitions, recomputed from the kept bytes.
    layout = hash_layout(plan_of(bundle), {kind: len(records) for kind, records in facts.items()})
    assert layout.kind == "team"
    assert result.provenance.inputs_format == 3
    assert result.provenance.inputs_sha256 == inputs_sha256(result.inputs, 3, layout)
    assert result.provenance.inputs_sha256 != hashlib.sha256(result.inputs).hexdigest()
    assert inputs_sha256(result.inputs, 2, layout) == hashlib.sha256(result.inputs).hexdigest()


def test_the_history_kept_is_what_each_rule_kind_says_it_reads_back() -> None:
    """history_used asks each rule kind what it reads from earlier months: a kind that
    says it reads a value gets that value kept, with no list of kinds anywhere else."""
    from unittest import mock

    import attrs

    from policyengine.facts._inputs import history_used
    from policyengine.rules import POPULATION
    from policyengine.run._bundle import plan_of

    bundle = policyengine.load(CENTRE_FOLDER).for_period("2026-02")
    plan = plan_of(bundle)
    past = {"2026-01": {"rep": {"R101": {"bottom_flag": True, "team_rank": 3, "other": 1}}}}
    kept = history_used(plan, past)["2026-01"]["rep"]["R101"]
    assert "other" not in kept and "team_rank" not in kept
    rank = attrs.evolve(POPULATION["rank"], reads_past=lambda spec: frozenset({"team_rank"}))
    with mock.patch.dict(POPULATION, {"rank": rank}):
        assert "team_rank" in history_used(plan, past)["2026-01"]["rep"]["R101"]
