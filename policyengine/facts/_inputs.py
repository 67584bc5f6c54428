"""A month's inputs in their one canonical form: what is hashed, kept in the ledger and
replayed.

The facts as read (CSV cells stay text), each kind's records ordered by
their key; with the earlier months' values a month's history rules read,
``{"$facts": …, "$history": …}``. :func:`encode_inputs` gives the bytes;
:func:`split_inputs` reads them back.
"""

from __future__ import annotations

import hashlib
import json
import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ..core import _number_text as number_text
from ..core._display import plain
from ..core._packed import Packed
from ..rules import reads_past
from ._canonical import canonical_json, chunks_by_parts, chunks_of_list, encode
from ._inputs_once import pack_once, text_records
from ._inputs_tree import Layout, tree_hash

if TYPE_CHECKING:
    from ..load._plan import BundlePlan
    from ..run._runner import PastValues

#: How the canonical inputs are ordered and hashed: 3, ordered as 2 and hashed as a
#: tree of partitions (:mod:`policyengine.facts._inputs_tree`); 2, each kind's records by
#: their key (the bytes of a record decide only between records with the same key or
#: none), hashed whole; 1, every record by its bytes. Runs recorded in 1 and 2 keep
#: their hash; the bytes kept are ordered alike in 2 and 3.
INPUTS_FORMAT = 3

#: Values a JSON document holds as they are (a float as a number, read back as a float:
#: see facts/_given.py).
JSON_SCALARS = frozenset({str, int, bool, type(None), float})
_TEXT_KEYS = frozenset({str})


def _plain_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record as JSON-friendly data; flat records of text and whole numbers (a CSV's)
    pass without the general walk, and without a copy (they are only read from here on)."""
    scalars = JSON_SCALARS
    # The kinds of the values and keys, gathered in C: a month has millions of records.
    if (
        type(record) is dict
        and set(map(type, record.values())) <= scalars
        and set(map(type, record)) <= _TEXT_KEYS
    ):
        return record
    return {str(k): v if type(v) in scalars else plain(v) for k, v in dict(record).items()}


#: The canonical encoder (``facts._canonical.encode``'s settings), made once: a range of a
#: CSV encodes its records one by one, and ``json.dumps`` makes an encoder per call.
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def record_bytes(record: Mapping[str, Any]) -> bytes:
    """One record's canonical bytes, as the month's canonical inputs hold it (what
    ``encode`` gives, the lone surrogates of a refused value escaped alike)."""
    return _ENCODER.encode(_plain_record(record)).encode("utf-8", "backslashreplace")


def ordered_facts(
    facts: Mapping[str, Iterable[Mapping[str, Any]]],
    keys: Mapping[str, str],
    text_kinds: frozenset[str] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Facts in canonical order (inputs format 2): kinds sorted, records by their key.

    Sorting by the key costs one comparison of short text per record instead
    of every record's JSON built to be compared; records whose key repeats or
    is missing are ordered among themselves by their JSON, so any input
    order gives the same result.
    """
    ordered: dict[str, list[dict[str, Any]]] = {}
    for kind, records in facts.items():
        if not isinstance(records, list | tuple):  # no list of records: kept as given
            ordered[str(kind)] = plain(records)
            continue
        field = keys.get(str(kind))
        all_text = None if text_kinds is None else str(kind) in text_kinds
        quick = _keyed_text_records(records, field, all_text)
        if quick is not None:
            ordered[str(kind)] = quick
            continue
        keyed: list[Any] = []
        unkeyed: list[Any] = []
        for record in records:
            is_record = type(record) is dict or isinstance(record, Mapping)
            plain_record = _plain_record(record) if is_record else plain(record)
            has_key = (
                field and isinstance(plain_record, dict) and plain_record.get(field) is not None
            )
            (keyed if has_key else unkeyed).append(plain_record)

        def text(record: dict[str, Any], field: Any = field) -> str:
            value = record[field]
            return value if type(value) is str else str(value)

        # Sorted in place, by the key's text: no per-record structure is built.
        keyed.sort(key=text)
        start = 0
        while start < len(keyed):  # a key given twice: those records by their JSON
            end = start + 1
            while end < len(keyed) and text(keyed[end]) == text(keyed[start]):
                end += 1
            if end - start > 1:
                keyed[start:end] = sorted(keyed[start:end], key=canonical_json)
            start = end
        unkeyed.sort(key=canonical_json)
        ordered[str(kind)] = [*unkeyed, *keyed]
    return ordered


def _keyed_text_records(
    records: Iterable[Any], field: str | None, text: bool | None = None
) -> list[Any] | None:
    """A kind's records in canonical order, the quick way, when every one is a dict of
    text by text with its own key (a CSV's): sorted by key alone, all in C; None when
    any record is otherwise or a key repeats (the general way then orders them)."""
    if not field or not isinstance(records, list | tuple):
        return None
    if not (text_records(records) if text is None else text):  # ``text``: known already
        return None
    key = operator.itemgetter(field)
    try:
        texts = set(map(key, records))
    except KeyError:  # a record without its key
        return None
    if len(texts) != len(records):
        return None
    return sorted(records, key=key)


def encode_inputs(
    facts: Mapping[str, Iterable[Mapping[str, Any]]],
    keys: Mapping[str, str],
    used: Mapping[str, Any],
) -> bytes:
    """The canonical bytes of a month's inputs: its facts (``keys``: each kind's key
    field) and, when its history rules read any, the earlier months' values."""
    return b"".join(_input_chunks(ordered_facts(facts, keys), used))


def pack_inputs(
    facts: Mapping[str, Iterable[Mapping[str, Any]]],
    keys: Mapping[str, str],
    used: Mapping[str, Any],
    layout: Layout | None = None,
    items: Mapping[str, Sequence[bytes]] | None = None,
    text_kinds: frozenset[str] | None = None,
) -> PackedInputs:
    """:func:`encode_inputs`, hashed and compressed as it is encoded: the canonical bytes
    of a large month (hundreds of MiB of calls) are never all in memory at once.

    With a ``layout`` (the month's partitions), the hash is format 3's tree of
    partition hashes (:func:`~policyengine.facts._inputs_tree.tree_hash`); without one,
    format 2's hash of the bytes (kept for what was recorded so). ``items``: for some
    kinds, each record's canonical bytes in the records' order (a CSV read in ranges
    by a cluster's workers, :mod:`~policyengine.facts._csv_ranges`), which are then
    ordered with their records and joined, never encoded again: the same bytes.
    ``text_kinds``: the kinds whose records are known to be all text dicts (see
    :func:`~policyengine.facts._given.given_facts`; None: each kind is asked)."""
    given = items or {}
    bare = {kind: records for kind, records in facts.items() if kind not in given}
    ordered = ordered_facts(bare, keys, text_kinds)
    encoded: dict[str, list[bytes]] = {}
    for kind, found in given.items():
        listed = list(facts[kind])
        ordered[kind], encoded[kind] = ordered_with_items(listed, found, keys.get(kind))
    ordered = {kind: ordered[kind] for kind in sorted(ordered)}
    if layout is not None:  # the kept bytes and the tree hash from one encoding
        once = pack_once(ordered, history_frame(used), layout, used, encoded, text_kinds)
        if once is not None:
            return PackedInputs(once[1], once[0], 3)
    document = Packed.streamed(_input_chunks(ordered, used, encoded))
    if layout is None:
        return PackedInputs(document.sha256, document, 2)
    return PackedInputs(tree_hash(ordered, used, layout, encoded), document, 3)


def ordered_with_items(
    records: list[Any], items: Sequence[bytes], field: str | None
) -> tuple[list[Any], list[bytes]]:
    """A kind's records (dicts, as a CSV gives them) and their canonical bytes, both in
    the canonical order :func:`ordered_facts` gives: records without their key first, by
    their bytes, then by the key's text, a key given twice by the records' bytes."""
    if len(items) != len(records):
        raise ValueError("each record needs its canonical bytes")
    values = list(map(operator.methodcaller("get", field), records)) if field else []
    if not values or None in values:
        unkeyed = [i for i, value in enumerate(values or records) if not values or value is None]
        keyed = [i for i, value in enumerate(values) if value is not None]
    else:
        unkeyed, keyed = [], list(range(len(records)))
    texts = [v if type(v) is str else str(v) for v in values]
    unkeyed.sort(key=items.__getitem__)
    if len(set(texts)) == len(texts):  # each key once (a month's calls): by the key alone
        keyed.sort(key=texts.__getitem__)
    else:
        keyed.sort(key=lambda i: (texts[i], items[i]))
    order = [*unkeyed, *keyed]
    return [records[i] for i in order], [items[i] for i in order]


@attrs.frozen
class PackedInputs:
    """A month's canonical inputs, held compressed (:class:`~policyengine.core._packed.Packed`),
    with the inputs hash its provenance records.

    The compression is only how the bytes are held while the month is in
    memory, and how the ledger stores them; what is hashed, recorded and
    replayed is always the canonical bytes themselves (:meth:`unpacked`).
    """

    #: The inputs hash, made as :attr:`format` says (format 3: a tree of partitions).
    sha256: str
    #: The canonical bytes, compressed, with their own SHA-256 and size.
    document: Packed = attrs.field(repr=False)
    #: How :attr:`sha256` was made (see :data:`INPUTS_FORMAT`).
    format: int = 2

    @classmethod
    def of(cls, data: bytes) -> PackedInputs:
        document = Packed.of(data)
        return cls(document.sha256, document)

    @property
    def size(self) -> int:
        return self.document.size

    @property
    def packed(self) -> bytes:
        return self.document.packed

    def unpacked(self) -> bytes:
        return self.document.unpacked()


def _input_chunks(
    ordered: Mapping[str, Any],
    used: Mapping[str, Any],
    encoded: Mapping[str, Sequence[bytes]] | None = None,
) -> Iterator[bytes]:
    chunks = _joined_chunks(ordered, encoded) if encoded else chunks_by_parts(ordered)
    frame = history_frame(used)  # sorted keys: "$facts" comes before "$history"
    if frame is not None:
        yield frame[0]
    yield from chunks
    if frame is not None:
        yield frame[1]


def history_frame(used: Mapping[str, Any]) -> tuple[bytes, bytes] | None:
    """What the kept bytes hold around the facts when the month read earlier months."""
    if not used:
        return None
    head = b'{"' + FACTS_KEY.encode() + b'":'
    return head, b"," + encode(HISTORY_KEY) + b":" + encode(plain(used)) + b"}"


def _joined_chunks(
    ordered: Mapping[str, Any], encoded: Mapping[str, Sequence[bytes]], batch: int = 2_000
) -> Iterator[bytes]:
    """:func:`~policyengine.facts._canonical.chunks_by_parts` of ``ordered``, the kinds of
    ``encoded`` joined from their records' bytes: the same bytes."""
    yield b"{"
    for position, name in enumerate(sorted(ordered)):
        yield (b"," if position else b"") + encode(name) + b":"
        if name not in encoded:
            yield from chunks_of_list(ordered[name], batch)
            continue
        items = encoded[name]
        yield b"["
        for start in range(0, len(items), batch):
            yield (b"," if start else b"") + b",".join(items[start : start + batch])
        yield b"]"
    yield b"}"


def inputs_sha256(data: bytes, inputs_format: int, layout: Layout) -> str:
    """The inputs hash of a run from the canonical bytes it kept, by the format it was
    recorded in: 1 and 2 hash the bytes; 3 is the tree of ``layout``'s partitions
    (the run's plan's: :func:`policyengine.run._partition.hash_layout`)."""
    if inputs_format < 3:
        return hashlib.sha256(data).hexdigest()
    document = json.loads(data)
    facts, used = document, {}
    if set(document) == {FACTS_KEY, HISTORY_KEY}:
        facts, used = document[FACTS_KEY], document[HISTORY_KEY]
    return tree_hash(facts, used, layout)


#: Keys of the canonical inputs when a run reads earlier months (never a kind's name).
FACTS_KEY, HISTORY_KEY = "$facts", "$history"


def history_used(plan: BundlePlan, history: PastValues) -> dict[str, Any]:
    """The part of ``history`` the plan's history rules read: only their ``of`` values."""
    wanted: dict[str, set[str]] = {}
    for node in plan.nodes:
        past = reads_past(node.rule)  # each kind says what it reads back
        if past:
            wanted.setdefault(node.kind, set()).update(past)
    used: dict[str, Any] = {}
    for period in sorted(history):
        kinds = {
            kind: {
                key: {n: v for n, v in values.items() if n in wanted[kind]}
                for key, values in sorted(records.items())
            }
            for kind, records in sorted(history[period].items())
            if kind in wanted
        }
        if kinds:
            used[period] = kinds
    return used


def split_inputs(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Facts and history from the canonical inputs of a run (as the ledger keeps them)."""
    if set(data) == {FACTS_KEY, HISTORY_KEY}:
        return dict(data[FACTS_KEY]), typed_history(data[HISTORY_KEY])
    return dict(data), {}


def typed_history(value: Any) -> Any:
    """History read back from JSON: exact numbers were written as text."""
    if isinstance(value, dict):
        return {k: typed_history(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(typed_history(v) for v in value)
    if isinstance(value, str):
        number = number_text.parse(value, number_text.DECIMAL)
        return value if number is None else number
    return value
