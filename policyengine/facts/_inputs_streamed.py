"""A month's inputs packed with its largest kind streamed, never all in one process.

On a cluster the calls are typed by the workers that read them
(:mod:`~policyengine.run._dask_kept`); each range's records' canonical bytes come to
the client sorted by key and compressed (:func:`sorted_chunks`), and the client
merges the ranges into the kind's canonical order (:func:`merged`) as it packs the
month's inputs and hashes each partition's leaf. The bytes kept and the format 3
hash are :func:`~policyengine.facts._inputs.pack_inputs`'s, byte for byte; the
client holds a compressed copy of the kind's bytes and one chunk of each range at a
time, not a list of millions of bytes and records.

Only a kind whose records all have a key, given once, as text, is so streamed (its
canonical order is then the keys' order), and only when the other kinds are text
records (:func:`~policyengine.facts._inputs_once.pack_once`); otherwise
:func:`pack_streamed` says None and the caller joins the kind whole, as before.
"""

from __future__ import annotations

import heapq
import itertools
import operator
import pickle
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from ._inputs import PackedInputs, history_frame, ordered_facts, ordered_with_items
from ._inputs_once import BATCH, Batch, pack_once
from ._inputs_tree import Layout, owners_by_key

__all__ = ["merged", "pack_streamed", "sorted_chunks"]

#: Records a chunk of a range's sorted bytes.
CHUNK = 2_000
#: zlib's fastest level: compressed once, by the worker that read the range.
LEVEL = 1

#: A record as streamed: its key and its parent's key as written, and its bytes.
Streamed = tuple[str, str, bytes]


def sorted_chunks(keys: Sequence[str], links: Sequence[str], items: Sequence[bytes]) -> list[bytes]:
    """On a worker: a range's records (each one's key and parent's key as written, and
    canonical bytes) sorted by key, in compressed chunks."""
    order = sorted(range(len(keys)), key=keys.__getitem__)
    chunks = []
    for start in range(0, len(order), CHUNK):
        part = [(keys[i], links[i], items[i]) for i in order[start : start + CHUNK]]
        chunks.append(zlib.compress(pickle.dumps(part, pickle.HIGHEST_PROTOCOL), LEVEL))
    return chunks


def merged(ranges: Sequence[Sequence[bytes]]) -> Iterator[Streamed]:
    """Every range's records (:func:`sorted_chunks`) in key order, one chunk of each range
    unpacked at a time."""

    def unpacked(chunks: Sequence[bytes]) -> Iterator[Streamed]:
        for chunk in chunks:
            yield from pickle.loads(zlib.decompress(chunk))

    return heapq.merge(*map(unpacked, ranges), key=operator.itemgetter(0))


def pack_streamed(
    facts: Mapping[str, Sequence[Mapping[str, Any]]],
    keys: Mapping[str, str],
    used: Mapping[str, Any],
    layout: Layout,
    streamed: tuple[str, str, Iterable[Streamed]],
    items: Mapping[str, Sequence[bytes]] | None = None,
) -> PackedInputs | None:
    """The month's inputs (see :func:`~policyengine.facts._inputs.pack_inputs`: ``facts``
    every other kind's records, ``items`` the bytes of those read in ranges) with the
    kind ``streamed`` names (the kind, its parent's kind, its records in key order); None
    when some other kind is not text records."""
    given = items or {}
    ordered: dict[str, Any] = ordered_facts(
        {kind: r for kind, r in facts.items() if kind not in given}, keys
    )
    encoded: dict[str, list[bytes]] = {}
    for kind, found in given.items():
        ordered[kind], encoded[kind] = ordered_with_items(list(facts[kind]), found, keys.get(kind))
    kind, parent, records = streamed
    _, by_key = owners_by_key(ordered, layout)
    above = by_key.get(parent, {})
    direct = parent == layout.kind

    def batches() -> Iterator[Batch]:
        it = iter(records)
        while batch := list(itertools.islice(it, BATCH)):
            links = [link for _, link, _ in batch]
            owned = links if direct else list(map(above.get, links))
            yield owned, [piece for _, _, piece in batch]

    order = {name: ordered[name] for name in sorted(ordered)}
    frame = history_frame(used)
    once = pack_once(order, frame, layout, used, encoded, None, {kind: batches()})
    return None if once is None else PackedInputs(once[1], once[0], 3)
