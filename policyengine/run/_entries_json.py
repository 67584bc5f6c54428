"""The result document's records as canonical JSON, written record by record as text.

A month's outputs document lists every record of every kind (2,000,000 calls and
their outputs: some 300 MB), and it is made for every run a ledger records.
Building each record's entry as nested dicts for the JSON encoder (as
:func:`~policyengine.run._result_rows.entries_of` does) cost more than encoding
them. A record whose values all came is regular: its kind decides every key of its
entry and their sorted order, and only its key and values change. Such a record
is written here straight as text, from a plan made once per kind, and each value
spelled as the canonical encoder spells it (:func:`_value_text`); any other
record (a failed value, a refused record, a value of a kind not listed) goes
through :func:`entries_of`'s entry and the encoder itself.

Most records of a kind give the same few values (a call's checks: most pass), so
the text of an entry after its key is kept for the values it was written for
(:func:`_known`: each value with its type, an amount as its digits, so that values
Python holds equal but JSON writes apart are never taken for each other) and used
again for the next record of the same values; at most :data:`MEMO` are kept.

The bytes are those of ``encode(list(entries_of(...)))`` exactly:
``tests/test_entries_json.py`` holds the two to each other, over the example
months, months with failures and generated values.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

from ..core._display import plain
from ..facts._canonical import as_bytes, encode_text
from ._result_rows import ColumnsByKind, entry_of, listed
from ._run_state import RunState

__all__ = ["entries_json"]

#: One output of a record's entry: its name as JSON text with the ``:`` after it,
#: the rule whose value holds it, and the part of a named output (None: the value).
_Slot = tuple[str, str, str | None]
#: A kind's entry: the text before the policies, and each policy's prefix and slots.
_Plan = tuple[str, list[tuple[str, list[_Slot]]]]
_ABSENT = object()


def entries_json(state: RunState, columns: ColumnsByKind, batch: int = 2_000) -> Iterator[bytes]:
    """``encode(list(entries_of(state, columns)))``, a batch of records at a time."""
    plans: dict[str, _Plan | None] = {}
    texts = _texts(state, columns, plans)
    yield b"["
    first = True
    while chunk := list(itertools.islice(texts, batch)):
        yield as_bytes(("" if first else ",") + ",".join(chunk))
        first = False
    yield b"]"


def _texts(
    state: RunState, columns: ColumnsByKind, plans: dict[str, _Plan | None]
) -> Iterator[str]:
    # Most records of a kind give a few outputs of few values (a call's checks: most
    # pass): their entry after the key is said once for each set of values.
    said: dict[tuple[Any, ...], str] = {}
    for kind, key, env, failures, refused in listed(state):
        if not columns.get(kind):
            continue  # a kind no policy applies to has no entry
        if kind not in plans:
            plans[kind] = _plan(kind, columns)
        plan = plans[kind]
        if plan is None or env is None or failures or refused is not None or type(key) is not str:
            yield encode_text(entry_of(columns, kind, key, env, failures, refused))
            continue
        known = _known(plan, env)
        tail = said.get(known) if known is not None else None
        if tail is not None:
            yield '{"key":' + encode_basestring(key) + tail
            continue
        text = _record_text(plan, key, env)
        if known is not None and len(said) < MEMO:
            said[known] = text[len('{"key":' + encode_basestring(key)) :]
        yield text


def _record_text(plan: _Plan, key: str, env: Mapping[str, Any]) -> str:
    """The entry of a record whose values all came: ``{"key":…,"kind":…,"outputs":{…}}``."""
    head, policies = plan
    parts = ['{"key":', encode_basestring(key), head]
    for prefix, slots in policies:
        parts.append(prefix)
        values = []
        for name, rule_id, part in slots:
            value = env.get(rule_id, _ABSENT)
            if value is _ABSENT:
                values.append(name + "null")
            elif part is None:
                values.append(name + _value_text(value))
            else:
                values.append(name + _value_text(value[part]))
        parts.append(",".join(values))
        parts.append("}")
    parts.append("}}")
    return "".join(parts)


def _known(plan: _Plan, env: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """What decides a record's entry after its key, as a key of the said entries: each
    value with its type (``1`` and ``True`` are equal but written apart) and an amount as
    its digits (``Decimal("1.0")`` and ``Decimal("1.00")`` are equal but written apart);
    None for a value that is no such key (a list of other than text …)."""
    known: list[Any] = [plan[0]]  # the kind (its plan's text) and its slots' values
    for _, slots in plan[1]:
        for _, rule_id, part in slots:
            value = env.get(rule_id)
            if part is not None and value is not None:
                value = value[part]
            kind = type(value)
            if kind is Decimal:
                known.append(str(value))  # exact: its digits and exponent
            elif isinstance(value, tuple):
                if not all(type(item) is str for item in value):
                    return None
                known.append((tuple, value))
            elif kind in _PLAIN:
                known.append((kind, value))
            else:
                return None
    return tuple(known)


#: The types of value whose equality is their text's: said once per value.
_PLAIN = frozenset({str, int, bool, type(None)})
#: How many entries are kept said (a kind of all different values keeps none more).
MEMO = 20_000


def _value_text(value: Any) -> str:
    """A value as the canonical encoder writes it after :func:`plain`."""
    kind = type(value)
    if kind is Decimal:
        return f'"{value:f}"'  # exact digits, never an exponent: no character to escape
    if kind is str:
        return encode_basestring(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if kind is tuple and all(type(item) is str for item in value):
        # A list of text (a check's violations: one for every call, most of them empty).
        return "[" + ",".join(map(encode_basestring, value)) + "]"
    return encode_text(plain(value))


def _plan(kind: str, columns: ColumnsByKind) -> _Plan | None:
    """The fixed text of ``kind``'s entries, and where each output's value is read; None
    when an output name repeats within a policy (the general entry then decides)."""
    policies = []
    for index, (policy_id, rules) in enumerate(sorted(columns[kind], key=lambda p: p[0])):
        slots: list[tuple[str, str, str | None]] = []
        for rule_id, outputs, names in rules:
            if outputs:
                slots.extend(zip(names, itertools.repeat(rule_id), outputs, strict=False))
            else:
                slots.append((rule_id, rule_id, None))
        if len({name for name, _, _ in slots}) != len(slots):
            return None
        slots.sort(key=lambda slot: slot[0])
        prefix = ("," if index else "") + encode_basestring(policy_id) + ":{"
        policies.append(
            (
                prefix,
                [(encode_basestring(name) + ":", rule_id, part) for name, rule_id, part in slots],
            )
        )
    return ',"kind":' + encode_basestring(kind) + ',"outputs":{', policies
