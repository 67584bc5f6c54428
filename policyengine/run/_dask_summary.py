"""What the client of a cluster holds of the calls the workers typed, and the month's
inputs made from it.

Each range's task (:func:`~policyengine.run._dask_kept._check_kept`) sends back a
summary of its records: their keys (typed), their parents by place among the parent
kind's keys (no text a record), their keys as written only where they differ, their
lines, and their canonical bytes sorted by key and compressed
(:func:`~policyengine.facts._inputs_streamed.sorted_chunks`). The client
joins the summaries (:func:`summaries`) and merges the ranges' bytes into the
month's inputs and their hash (:func:`kept_inputs`): it never holds a list of the
calls' bytes, nor a record for each call.
"""

from __future__ import annotations

import array
import pickle
from collections.abc import Sequence
from typing import Any

import attrs

from ..facts._inputs import PackedInputs, pack_inputs
from ..facts._inputs_streamed import merged, pack_streamed
from ..load._plan import BundlePlan
from ._partition import hash_layout

__all__ = ["Summary", "kept_inputs", "summaries", "summary_of"]


@attrs.frozen
class Summary:
    """What the client holds of the kept kind's records: their keys and parents' keys
    (typed; a parent's key is the parent's own text), keys as written and lines, in the
    records' order, and each range's records' bytes, sorted and compressed."""

    keys: list[str]
    parents: list[str]
    #: The keys as written: ``keys`` itself when every range wrote them so (a CSV's).
    texts: list[str]
    #: Machine integers, not a Python int a record (millions of them).
    lines: array.array[int]
    ranges: list[list[bytes]]


def summary_of(checked: tuple[bytes | None, dict[int, bytes]]) -> bytes | None:
    """On a worker: a checked range's summary (None: a record not the common one)."""
    return checked[0]


def summaries(checked: list[Any], submit: Any, own: Sequence[str]) -> Summary | None:
    """Every range's summary, joined in order (``own``: the parents' keys as the state
    holds them, which a summary names by their place); None when a range is not common
    or a key is given twice."""
    found = Summary([], [], [], array.array("q"), [])
    written: list[tuple[int, list[str]]] = []  # where a range's keys as written differ
    for future in [submit(summary_of, c) for c in checked]:
        packed = future.result()
        if packed is None:
            return None
        keys, links, texts, chunks, lines = pickle.loads(packed)
        if texts is not None:
            written.append((len(found.keys), texts))
        found.keys.extend(keys)
        found.parents.extend(map(own.__getitem__, links))
        found.lines.extend(lines)
        found.ranges.append(chunks)
    if len(set(found.keys)) != len(found.keys):
        return None
    if not written:  # a CSV's keys, as written: the keys themselves
        return attrs.evolve(found, texts=found.keys)
    found.texts.extend(found.keys)
    for at, texts in written:
        found.texts[at : at + len(texts)] = texts
    return found


def kept_inputs(
    plan: BundlePlan,
    kind: str,
    month: tuple[dict[str, list[Any]], dict[str, list[bytes]], dict[str, Any]],
    found: Summary,
) -> PackedInputs:
    """The month's inputs and their hash (``month``: every other kind's records as read,
    the bytes of those read in ranges, the history used), the kept ``kind``'s merged
    from every range's records' bytes in key order: ordered and partitioned by each
    record's key and parent as written, all that ``pack_inputs`` reads of a record
    whose bytes it is given; joined whole only when another kind is not text records."""
    small, items, used = month
    record_kind = plan.entities.kinds[kind]
    assert record_kind.parent is not None
    counts = {name: len(records) for name, records in small.items()}
    keys = {k.name: k.key for k in plan.entities.kinds.values()}
    layout = hash_layout(plan, {**counts, kind: len(found.keys)})
    streamed = (kind, record_kind.parent.kind, merged(found.ranges))
    packed = pack_streamed(small, keys, used, layout, streamed, items)
    if packed is not None:
        return packed
    key, link = record_kind.key, record_kind.parent.field
    stubs, encoded = [], []
    for text, written, item in merged(found.ranges):
        stubs.append({key: text, link: written})
        encoded.append(item)
    facts = {**small, kind: stubs}
    return pack_inputs(facts, keys, used, layout, {**items, kind: encoded})
