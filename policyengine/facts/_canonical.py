"""The one byte form of results and inputs: canonical JSON, and its SHA-256.

Every hash the engine records (a result's inputs, a month's inputs, the
ledger's documents) is of these bytes, so they are written in one place:
sorted keys, no spaces, UTF-8, exact numbers as their digits (never
exponent notation), dates as ISO text.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..core._display import plain


def canonical_json(data: Any) -> bytes:
    """The one byte form of a value: made JSON-friendly (:func:`plain`), then encoded."""
    return encode(plain(data))


def encode(data: Any) -> bytes:
    """Already JSON-friendly data in the canonical byte form; no second walk over it.

    For data made by :func:`plain` (or of text, whole numbers, yes/no, null,
    lists and mappings of them) this gives exactly :func:`canonical_json`'s bytes.
    """
    # A lone surrogate (a refused record's value as given, from a JSON file's "\ud800")
    # has no UTF-8 form: it is written as JSON's own escape of it, which reads back the
    # same (as_bytes). Any other text encodes exactly as before.
    return as_bytes(encode_text(data))


def encode_text(data: Any) -> str:
    """:func:`encode` before it becomes bytes: for a writer that joins many pieces of
    canonical JSON as text and makes the bytes of the whole once, as :func:`encode` does."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def as_bytes(text: str) -> bytes:
    """Canonical JSON text as its bytes, exactly as :func:`encode` makes them."""
    return text.encode("utf-8", "backslashreplace")


def canonical_hash(data: Any) -> str:
    """SHA-256 of the canonical JSON of a value."""
    return hashlib.sha256(canonical_json(data)).hexdigest()


def encode_by_parts(data: Mapping[str, Any], batch: int = 2_000) -> bytes:
    """:func:`encode` of a mapping whose values are long lists, a batch of items at a time.

    The same bytes as ``encode(data)``, but the encoder's temporary text never
    holds more than one batch: a month's inputs (millions of call records)
    would otherwise sit in memory two or three times over while encoded.
    """
    return b"".join(chunks_by_parts(data, batch))


def chunks_by_parts(data: Mapping[str, Any], batch: int = 2_000) -> Iterator[bytes]:
    """:func:`encode_by_parts` as successive pieces, for a caller that hashes or packs
    them as they come and never holds the whole."""
    yield b"{"
    for position, name in enumerate(sorted(data)):
        if position:
            yield b","
        yield encode(name) + b":"
        items = data[name]
        if isinstance(items, list):
            yield from chunks_of_list(items, batch)
        else:
            yield encode(items)
    yield b"}"


def chunks_of_list(items: Iterable[Any], batch: int = 2_000) -> Iterator[bytes]:
    """:func:`encode` of ``list(items)`` as successive pieces, a batch of items each."""
    yield b"["
    first = True
    for chunk in _batches(items, batch):
        yield encode(chunk)[1:-1] if first else b"," + encode(chunk)[1:-1]
        first = False
    yield b"]"


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
