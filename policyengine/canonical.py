"""The one byte form of results and inputs: canonical JSON, and its SHA-256.

Every hash the engine records (a result's inputs, a month's inputs, the
ledger's documents) is of these bytes, so they are written in one place:
sorted keys, no spaces, UTF-8, exact numbers as their digits (never
exponent notation), dates as ISO text.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .rules.base import plain


def canonical_json(data: Any) -> bytes:
    """The one byte form of a value: made JSON-friendly (:func:`plain`), then encoded."""
    return encode(plain(data))


def encode(data: Any) -> bytes:
    """Already JSON-friendly data in the canonical byte form; no second walk over it.

    For data made by :func:`plain` (or of text, whole numbers, yes/no, null,
    lists and mappings of them) this gives exactly :func:`canonical_json`'s bytes.
    """
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def canonical_hash(data: Any) -> str:
    """SHA-256 of the canonical JSON of a value."""
    return hashlib.sha256(canonical_json(data)).hexdigest()
