"""The inputs hash of format 3: a tree of partition hashes, the same for any worker count.

A month is split by its partition kind (team, say: see
:mod:`policyengine.run._partition`). Each partition's records are hashed on their
own, so that whoever holds a partition can hash it; the month's hash is the
SHA-256 of one small canonical document naming the partition kind and every
partition's hash in order of its key, the hash of the records above the
partition kind (shared by all), and that of the history read:

``sha256(canonical_json({"format": 3, "by": kind, "partitions": [[key, leaf], …],
"shared": leaf, "history": leaf or null}))``

where a leaf is the SHA-256 of the canonical JSON of its records by kind,
``{kind: [records]}`` (each kind's records in the canonical order of the inputs:
by key; a kind with none in the partition left out), and the history's the
SHA-256 of the canonical JSON of the ``$history`` value. A record whose chain of
parents stops short of the partition kind is in the partition keyed ``null``,
listed first. The bytes the
ledger keeps are the canonical inputs as before; only their hash is made so.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ..core._display import plain
from ._canonical import encode


@attrs.frozen
class Layout:
    """How a month's records are partitioned for the hash: the partition kind (None: one
    partition) and, for it and each kind below it, parents first, (kind, its key field,
    its parent's kind, the field naming the parent)."""

    kind: str | None
    owned: Sequence[tuple[str, str, str | None, str | None]] = ()


def _text(value: Any) -> str:
    return value if type(value) is str else str(value)


def owners(ordered: Mapping[str, Sequence[Any]], layout: Layout) -> dict[str, list[str | None]]:
    """Each owned kind's records' partition keys, in the records' order (None: no ancestor
    of the partition kind). A key given twice with two parents takes the least."""
    return owners_by_key(ordered, layout)[0]


def owners_by_key(
    ordered: Mapping[str, Sequence[Any]], layout: Layout
) -> tuple[dict[str, list[str | None]], dict[str, dict[str, str | None]]]:
    """:func:`owners`, and each owned kind's partition key by record key (as text): what
    a record of the kind below is given by its parent."""
    found: dict[str, list[str | None]] = {}
    by_key: dict[str, dict[str, str | None]] = {}
    for kind, key_field, parent_kind, parent_field in layout.owned:
        records = ordered.get(kind, ())
        if not isinstance(records, list | tuple):
            continue  # no list of records (refused as such): hashed with the shared
        quick = _quick(records, kind, key_field, parent_kind, parent_field, layout, by_key)
        if quick is not None:
            found[kind], by_key[kind] = quick
            continue
        mine: list[str | None] = []
        for record in records:
            owner: str | None = None
            if isinstance(record, Mapping):
                if kind == layout.kind:
                    owner = _text(record[key_field]) if key_field in record else None
                elif parent_field in record and parent_field is not None:
                    link = _text(record[parent_field])
                    above = by_key.get(str(parent_kind), {})
                    owner = link if parent_kind == layout.kind else above.get(link)
            mine.append(owner)
        keyed = by_key.setdefault(kind, {})
        for record, owner in zip(records, mine, strict=True):
            if isinstance(record, Mapping) and key_field in record:
                text = _text(record[key_field])
                known = keyed.get(text, owner)
                keyed[text] = owner if known is None or owner is None else min(known, owner)
        found[kind] = mine
    return found, by_key


def _quick(
    records: Sequence[Any],
    kind: str,
    key_field: str,
    parent_kind: str | None,
    parent_field: str | None,
    layout: Layout,
    by_key: Mapping[str, Mapping[str, str | None]],
) -> tuple[list[str | None], dict[str, str | None]] | None:
    """:func:`owners` of one kind the quick way, all in C, when every record is a dict
    with its key and parent as text and no key repeats (a CSV's); None otherwise."""
    if set(map(type, records)) - {dict}:
        return None
    try:
        keys = list(map(operator.itemgetter(key_field), records))
        links = list(map(operator.itemgetter(parent_field or key_field), records))
    except KeyError:
        return None
    if set(map(type, keys)) - {str} or set(map(type, links)) - {str} or len(set(keys)) < len(keys):
        return None
    mine: list[str | None]
    if kind == layout.kind:
        mine = list(keys)
    elif parent_kind == layout.kind:
        mine = list(links)
    else:
        mine = list(map(by_key.get(str(parent_kind), {}).get, links))
    return mine, dict(zip(keys, mine, strict=True))


def tree_hash(
    ordered: Mapping[str, Sequence[Any]],
    used: Mapping[str, Any],
    layout: Layout,
    items: Mapping[str, Sequence[bytes]] | None = None,
) -> str:
    """The month's format 3 inputs hash (see the module's text). ``items``: for some kinds,
    each record's canonical bytes, in the records' order, already encoded (by the workers
    that read them): a leaf is then joined from them rather than encoded again."""
    owned = owners(ordered, layout)
    encoded = items or {}
    groups: dict[str | None, dict[str, list[Any]]] = {}
    shared: dict[str, Any] = {}
    for kind in sorted(ordered):
        records = ordered[kind]
        if not isinstance(records, list | tuple):
            shared[kind] = records  # no list of records, kept as given
            continue
        if kind in encoded:
            plain_records: Sequence[Any] = encoded[kind]
        else:
            plain_records = [r if type(r) is dict else plain(r) for r in records]
        keys = owned.get(kind)
        if keys is None:
            shared[kind] = list(plain_records)
            continue
        for owner, record in zip(keys, plain_records, strict=True):
            groups.setdefault(owner, {}).setdefault(kind, []).append(record)
    order = sorted(groups, key=lambda key: (key is not None, key or ""))
    document = {
        "format": 3,
        "by": layout.kind,
        # One encoding per partition: a month's records are hashed in large pieces.
        "partitions": [[key, _leaf(groups[key], encoded)] for key in order],
        "shared": _leaf(shared, encoded),
        "history": _leaf(plain(used)) if used else None,
    }
    return hashlib.sha256(encode(document)).hexdigest()


def _leaf(data: Any, encoded: Mapping[str, Any] | None = None) -> str:
    if not encoded or not any(kind in encoded for kind in data):
        return hashlib.sha256(encode(data)).hexdigest()
    # encode({kind: [records]}) with some kinds' records given as their bytes: the
    # same bytes (sorted keys, no spaces), joined.
    digest = hashlib.sha256(b"{")
    for position, kind in enumerate(sorted(data)):
        digest.update((b"," if position else b"") + encode(kind) + b":")
        digest.update(
            b"[" + b",".join(data[kind]) + b"]" if kind in encoded else encode(data[kind])
        )
    digest.update(b"}")
    return digest.hexdigest()
