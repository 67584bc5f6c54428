"""A month's inputs encoded once: the bytes the ledger keeps and the tree hash, together.

The canonical inputs are each kind's records in key order (what the ledger keeps and a
replay reads); the format 3 hash is over the same records' bytes grouped by partition
(:mod:`policyengine.facts._inputs_tree`). Encoding the records once for each (as
:func:`~policyengine.facts._inputs.pack_inputs` did) cost a fifth of a large month.
Here each batch of records is encoded once, in one call of the C encoder, and cut
into each record's bytes; the pieces are joined into the kept bytes and, as they
pass, hashed into their partition's leaf (:class:`LeafHashes`), whose bytes are those
``tree_hash`` encodes, in the same order.

A batch is cut where a mark stands between its records: the list
``[r1, "\\x00", r2, "\\x00", r3]`` is written ``[…,"\\u0000",…]``, and in records whose
keys and values are all text (a CSV's) the bytes ``,"\\u0000",`` can stand nowhere
else (a quote inside text is written ``\\"``, and a key is followed by ``:``). Records
of any other shape (a JSON file's numbers, a workbook's) are not cut: the caller
encodes them as before.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from ..core._display import plain
from ..core._packed import Packed
from ._canonical import encode
from ._inputs_tree import Layout, owners

__all__ = ["LeafHashes", "pack_once", "records_bytes"]

_MARK = "\x00"
_CUT = b',"\\u0000",'
_TEXT = frozenset({str})
#: Records encoded in one call: large enough for the C encoder, small enough to hold.
BATCH = 2_000


def text_records(records: Any) -> bool:
    """Whether every record is a dict of text by text (asked in C: a month's calls)."""
    if not isinstance(records, list | tuple) or set(map(type, records)) - {dict}:
        return False
    cells = itertools.chain.from_iterable
    return not (
        set(map(type, cells(map(dict.values, records)))) - _TEXT
        or set(map(type, cells(records))) - _TEXT
    )


def records_bytes(records: Sequence[dict[str, str]]) -> list[bytes]:
    """Each record's canonical bytes (``encode(record)``), from one encoding of them all."""
    if len(records) < 2:
        return [encode(record) for record in records]
    marked: list[Any] = [_MARK] * (2 * len(records) - 1)
    marked[0::2] = records
    pieces = encode(marked)[1:-1].split(_CUT)
    if len(pieces) != len(records):  # never for text records; kept exact if it were
        return [encode(record) for record in records]
    return pieces


def pack_once(
    ordered: Mapping[str, Sequence[Any]],
    history: tuple[bytes, bytes] | None,
    layout: Layout,
    used: Mapping[str, Any],
    encoded: Mapping[str, Sequence[bytes]],
    text_kinds: frozenset[str] | None = None,
    streamed: Mapping[str, Iterable[Batch]] | None = None,
) -> tuple[Packed, str] | None:
    """The kept bytes of ``ordered`` (each kind's records in canonical order; kinds in
    ``encoded`` given as their records' bytes), wrapped in ``history``'s head and tail
    when the month read earlier months, packed, with the format 3 hash of the same
    records; None when some kind's records are not text records (see the module;
    ``text_kinds``: those known to be, None to ask each kind). ``streamed``: kinds below
    the partition kind given neither as records nor whole, but as batches of their
    records' partition keys and bytes, in canonical order (a cluster's calls, never all
    in the client: :mod:`~policyengine.facts._inputs_streamed`)."""

    def text(kind: str) -> bool:  # known already (``text_kinds``), or asked
        return kind in text_kinds if text_kinds is not None else text_records(ordered[kind])

    if any(kind not in encoded and not text(kind) for kind in ordered):
        return None
    streams = streamed or {}
    leaves = LeafHashes(owners(ordered, layout))

    def chunks() -> Iterator[bytes]:
        if history is not None:
            yield history[0]
        yield b"{"
        for position, kind in enumerate(sorted({*ordered, *streams})):
            yield (b"," if position else b"") + encode(kind) + b":["
            if kind in streams:
                yield from _streamed(leaves, kind, streams[kind])
                yield b"]"
                continue
            leaves.open(kind)
            records, given = ordered[kind], encoded.get(kind)
            for start in range(0, len(records), BATCH):
                pieces = (
                    list(given[start : start + BATCH])
                    if given is not None
                    else records_bytes(records[start : start + BATCH])
                )
                leaves.add(kind, start, pieces)
                yield (b"," if start else b"") + b",".join(pieces)
            yield b"]"
        yield b"}"
        if history is not None:
            yield history[1]

    document = Packed.streamed(chunks())
    return document, leaves.digest(layout, used)


#: A batch of a streamed kind's records: each one's partition key, and its bytes.
Batch = tuple[Sequence[str | None], Sequence[bytes]]


def _streamed(leaves: LeafHashes, kind: str, batches: Iterable[Batch]) -> Iterator[bytes]:
    """A streamed kind's records joined into the kept bytes, each hashed into its leaf."""
    first = True
    for owned, pieces in batches:
        if not pieces:
            continue
        leaves.add_owned(kind, owned, pieces)
        yield (b"" if first else b",") + b",".join(pieces)
        first = False


class LeafHashes:
    """Format 3's leaves hashed as the records pass, kinds in sorted order and each
    kind's records in canonical order: each partition's leaf, and the shared one."""

    def __init__(self, owned: Mapping[str, Sequence[str | None]]) -> None:
        self.owned = owned
        self.partitions: dict[str | None, _Leaf] = {}
        self.shared = _Leaf()

    def open(self, kind: str) -> None:
        """A kind begins: a kind above the partitions is in the shared leaf even empty."""
        if kind not in self.owned:
            self.shared.add(kind, [])

    def add(self, kind: str, start: int, pieces: list[bytes]) -> None:
        keys = self.owned.get(kind)
        if keys is None:
            self.shared.add(kind, pieces)
            return
        self.add_owned(kind, keys[start : start + len(pieces)], pieces)

    def add_owned(self, kind: str, keys: Sequence[str | None], pieces: Sequence[bytes]) -> None:
        """Records of an owned ``kind`` (``keys``: each one's partition key) hashed into
        their partitions' leaves."""
        by_owner: dict[str | None, list[bytes]] = {}
        for owner, piece in zip(keys, pieces, strict=True):
            by_owner.setdefault(owner, []).append(piece)
        for owner, mine in by_owner.items():
            leaf = self.partitions.get(owner)
            if leaf is None:
                leaf = self.partitions[owner] = _Leaf()
            leaf.add(kind, mine)

    def digest(self, layout: Layout, used: Mapping[str, Any]) -> str:
        order = sorted(self.partitions, key=lambda key: (key is not None, key or ""))
        document = {
            "format": 3,
            "by": layout.kind,
            "partitions": [[key, self.partitions[key].hexdigest()] for key in order],
            "shared": self.shared.hexdigest(),
            "history": hashlib.sha256(encode(plain(used))).hexdigest() if used else None,
        }
        return hashlib.sha256(encode(document)).hexdigest()


class _Leaf:
    """``sha256(encode({kind: [records], …}))``, its kinds and records given in order."""

    def __init__(self) -> None:
        self.sha = hashlib.sha256()
        self.kind: str | None = None
        self.started = False  # whether the open kind has a record yet

    def add(self, kind: str, pieces: list[bytes]) -> None:
        if kind != self.kind:
            self.sha.update((b"{" if self.kind is None else b"],") + encode(kind) + b":[")
            self.kind, self.started = kind, False
        if pieces:
            self.sha.update((b"," if self.started else b"") + b",".join(pieces))
            self.started = True

    def hexdigest(self) -> str:
        self.sha.update(b"{}" if self.kind is None else b"]}")
        return self.sha.hexdigest()
