"""Facts as a month evaluates them and its ledger keeps them: one JSON form for both.

A replay evaluates a run's inputs as the ledger keeps them, as JSON. So a run must
evaluate exactly that form, or a value JSON cannot hold as it was given comes back
as something else: a float ``3000.5`` kept as the text ``"3000.5"`` was refused in the
run (``float-not-allowed``) and paid in the replay, and a ``datetime``, bytes, a
``Decimal("NaN")`` or a tuple was refused in other words than its replay. Every
record a program hands over is brought to its JSON form first
(:func:`given_facts`), then hashed, kept and evaluated; a CSV file's records, all
text, already are.

- Text, whole numbers, yes/no, ``None`` and floats stay as they are (JSON holds a
  float as a number, read back as a float, so it is refused alike).
- A ``Decimal`` is its exact digits, a date its ISO text: read back to the same
  value by the field's type.
- A mapping or list holds its items in their JSON form; a tuple becomes a list.
- Anything else as a value (bytes, a set, an object) is ``{"$given": "<type>"}``,
  which no field's type takes; as a record, or as a kind's records, it is
  ``"<type>"``, which is no record and no list of records.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from ._inputs_once import text_records

__all__ = ["given_facts", "given_value"]

_AS_THEY_ARE = frozenset({str, int, bool, type(None), float})


def given_facts(facts: dict[str, Any]) -> frozenset[str]:
    """``facts`` (records by kind) brought to their JSON form, in place; the kinds whose
    records are all text dicts, as found on the way (asking it of a month's calls costs
    a second: the inputs' ordering and cutting take the answer rather than ask again)."""
    text: set[str] = set()
    for kind, records in facts.items():
        if isinstance(records, list):
            if text_records(records):
                text.add(kind)
            else:
                records[:] = [_record(record) for record in records]
        elif isinstance(records, Mapping) or not _iterable(records):
            facts[kind] = _record(records)
        else:  # any other collection of records: listed, each brought to its form
            facts[kind] = [_record(record) for record in records]
    return frozenset(text)


def _iterable(value: Any) -> bool:
    return isinstance(value, Iterable) and not isinstance(value, str | bytes | bytearray)


def _record(record: Any) -> Any:
    """A record (or what stands where one should): a mapping's values in their form; a
    value JSON holds as it is; anything else the name of its type, no record."""
    if isinstance(record, Mapping):
        return given_value(record)
    value = given_value(record)
    return f"<{type(record).__name__}>" if isinstance(value, dict) else value


def given_value(value: Any) -> Any:
    """One value in the JSON form it is evaluated and kept in (see the module)."""
    kind = type(value)
    if kind in _AS_THEY_ARE:
        return value
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, Mapping):
        return {str(key): given_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [given_value(item) for item in value]
    if isinstance(value, datetime.date):  # a datetime too: its text, "2026-03-01 09:00:00"
        return str(value)
    return {"$given": kind.__name__}
