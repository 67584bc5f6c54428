"""A month's facts checked across kinds: every record typed, keys unique, parents present.

:func:`check_facts` types ``{kind: [records]}`` with :mod:`policyengine.facts._records`
and checks what one record cannot show alone: that each key is given once
and that each parent a record names exists and is sound. Every input record
ends up in ``TypedFacts.records`` or named by an error; a record refused
keeps what the pay sheet needs of it (its parent, its fields as given).

A month has millions of calls: the loop over a kind's records does its work
inline, keeps one index per key rather than a list per record, and lets
each raw record go once typed when the caller hands the lists over.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from ..codes import ErrorCode
from ..core._messages import TEMPLATES
from ..core._suggest import did_you_mean
from ..errors import FactError, Location, PolicyError
from ..model import frozen_mapping
from ._canonical import canonical_json
from ._fast_reader import fast_reader
from ._record_kinds import Entities, RecordKind
from ._records import InvalidRecord, coerce_record, coerce_value
from ._seen_keys import SeenKeys


@attrs.frozen
class TypedFacts:
    """The valid records of each kind given, typed, in input order; and every problem."""

    records: Mapping[str, tuple[Mapping[str, Any], ...]]
    errors: tuple[PolicyError, ...]
    #: Each kind's key field, for :meth:`by_key`.
    keys: Mapping[str, str] = attrs.field(factory=lambda: frozen_mapping({}), repr=False)
    #: The parent each refused record names, by (kind, record label as text): so that
    #: what sits above a refused record is known without the raw facts kept.
    links: Mapping[tuple[str, str], str] = attrs.field(
        factory=lambda: frozen_mapping({}), repr=False
    )
    #: Each refused record as given, by (kind, record label as text): the pay sheet
    #: still shows its key, name and parent. A key given twice shows the record whose
    #: canonical form sorts first, so the sheet does not depend on the records' order.
    given: Mapping[tuple[str, str], Mapping[str, Any]] = attrs.field(
        factory=lambda: frozen_mapping({}), repr=False
    )

    def by_key(self, kind: str) -> Mapping[str, Mapping[str, Any]]:
        """The valid records of ``kind`` by their key value as text."""
        key = self.keys[kind]
        return frozen_mapping((str(r[key]), r) for r in self.records.get(kind, ()))


def check_facts(
    entities: Entities, facts: Mapping[str, Iterable[Mapping[str, Any]]], *, owned: bool = False
) -> TypedFacts:
    """Type every record of every kind, check keys and parents; every problem is reported.

    ``owned=True`` gives each typed record as a plain dict the caller takes
    over (the bundle's runner adds the rules' values to it) rather than a
    read-only mapping, and empties the caller's lists of raw records as they
    are typed: a month then holds one copy of each record, not two.

    A record with a problem is left out of ``records``, and so are its
    children (``invalid-parent``). Parents are checked when the facts hold
    the parent kind at all. A record is named by its key as text, or else by
    its position (from 0).
    """
    errors: list[PolicyError] = []
    given: dict[str, list[Any] | None] = {}
    if not isinstance(facts, Mapping):
        found = type(facts).__name__
        errors.append(_fail("not-a-record-list", None, form="facts", what="the facts", found=found))
        facts = {}
    for name, records in facts.items():
        kind = str(name)
        if kind not in entities.kinds:
            hint = did_you_mean(kind, entities.kinds)
            kinds = ", ".join(entities.kinds)
            errors.append(_fail("unknown-kind", kind, form="facts", hint=hint, kinds=kinds))
        elif isinstance(records, str | bytes | Mapping) or not isinstance(records, Iterable):
            found = type(records).__name__
            what = f"the {kind}"
            errors.append(_fail("not-a-record-list", kind, form="kind", what=what, found=found))
            given[kind] = None
        else:
            # Owned lists are read in place, and each raw record let go once typed.
            given[kind] = records if owned and type(records) is list else list(records)
    seen: dict[str, SeenKeys] = {}
    links: dict[tuple[str, str], str] = {}
    refused: dict[tuple[str, str], Mapping[str, Any]] = {}
    typed: dict[str, tuple[Mapping[str, Any], ...]] = {}
    for kind in sorted(given, key=lambda k: len(entities.ancestors(k))):  # parents first
        listed = given[kind]
        if listed is None:
            seen[kind] = SeenKeys(unreadable=True)
        else:
            seen[kind], typed[kind] = _check_kind(
                entities.kinds[kind], listed, seen, errors, owned, (links, refused)
            )
    keys = frozen_mapping((k.name, k.key) for k in entities.kinds.values())
    ordered = frozen_mapping((k, typed[k]) for k in entities.kinds if k in typed)
    return TypedFacts(
        ordered,
        tuple(sorted(errors, key=_order)),
        keys,
        MappingProxyType(links),
        MappingProxyType(refused),
    )


def _check_kind(
    kind: RecordKind,
    records: list[Any],
    seen: Mapping[str, SeenKeys],
    errors: list[PolicyError],
    owned: bool,
    kept_aside: tuple[dict[tuple[str, str], str], dict[tuple[str, str], Mapping[str, Any]]],
) -> tuple[SeenKeys, tuple[Mapping[str, Any], ...]]:
    links, given = kept_aside
    # Every key met and where (appends: a dict of a month's call keys cost more to grow).
    met: list[str] = []
    met_at: list[int] = []
    # Two lists side by side, not a list of pairs: a month has millions of calls.
    labels: list[int | str] = []
    kept: list[Mapping[str, Any]] = []
    parent = seen.get(kind.parent.kind) if kind.parent else None
    fast = fast_reader(kind.fields)
    key_field = kind.key
    key: str | None
    label: int | str
    for index, record in enumerate(records):
        # The common record inline (_typed reads any other): typed, its key from its values.
        result = fast(record) if fast is not None else None
        if result is not None and result.get(key_field) is not None:
            key = label = str(result[key_field])
        else:
            key, label, result = _typed(kind, None, record, index, errors)
        if key is not None:
            met.append(key)
            met_at.append(index)
            if key != key.strip() and result is not None:
                # "R101 " would be a second R101, paid twice: refused, never trimmed.
                errors.append(_fail("key-white-space", kind.name, key, key_field))
                result = None
        link = _link(kind, result, record)
        if kind.parent and parent and link is not None and link not in parent.valid:
            link = parent.written_around.get(link, link)  # the refused record it names
            known = link in parent.keys or parent.unreadable
            code: ErrorCode = "invalid-parent" if known else "missing-parent"
            hint = None if known else parent.written_alike(link)
            up, field = kind.parent.kind, kind.parent.field
            errors.append(_fail(code, kind.name, label, field, hint, parent=up, value=link))
            result = None
        if owned:
            records[index] = None
        if result is not None:
            labels.append(label)
            kept.append(result if owned else MappingProxyType(result))
        else:
            if link is not None:
                links.setdefault((kind.name, str(label)), link)
            if isinstance(record, Mapping):
                _offer(given, (kind.name, str(label)), record)
    keys = set(met)
    if len(keys) != len(met):
        repeated = _repeated(met, met_at)
        labels, kept = _refuse_repeated(kind, repeated, labels, kept, errors, kept_aside)
    found = SeenKeys(labels, keys)
    return found, tuple(kept)


def clean_records(
    kind: RecordKind, records: Iterable[Any], valid: Container[str]
) -> tuple[list[dict[str, Any]], list[str], list[str]] | None:
    """The part of :func:`check_facts` that looks at one record alone, for a run of a
    kind's records (a CSV range, on a cluster's worker) that are all the common record:
    typed by the fast reader, with their key and their parent link, the link one of
    ``valid`` (the parent kind's valid keys). Each record's typed form (as check_facts
    keeps it, owned), its key and its parent's key as text; None as soon as any record
    is otherwise, for the whole check to read and report. What only the whole kind shows
    (a key given twice across ranges) is the caller's to check."""
    fast = fast_reader(kind.fields)
    if fast is None or kind.parent is None:
        return None
    key_field, link_field = kind.key, kind.parent.field
    typed: list[dict[str, Any]] = []
    keys: list[str] = []
    links: list[str] = []
    for record in records:
        result = fast(record)
        if result is None:
            return None
        key, link = result.get(key_field), result.get(link_field)
        if key is None or link is None or str(link) not in valid or str(key) != str(key).strip():
            return None
        typed.append(result)
        keys.append(str(key))
        links.append(str(link))
    return typed, keys, links


def _repeated(met: list[str], met_at: list[int]) -> dict[str, list[int]]:
    """Each key given more than once, with every position it was given at, in order."""
    positions: dict[str, list[int]] = {}
    for key, index in zip(met, met_at, strict=True):
        positions.setdefault(key, []).append(index)
    return {key: where for key, where in positions.items() if len(where) > 1}


def _refuse_repeated(
    kind: RecordKind,
    repeated: Mapping[str, list[int]],
    labels: list[int | str],
    kept: list[Mapping[str, Any]],
    errors: list[PolicyError],
    kept_aside: tuple[dict[tuple[str, str], str], dict[tuple[str, str], Mapping[str, Any]]],
) -> tuple[list[int | str], list[Mapping[str, Any]]]:
    """The labels and records of ``kind`` kept, less every record whose key is given more
    than once: each such key is reported, with the positions it was given at."""
    links, given = kept_aside
    link_field = kind.parent.field if kind.parent else None
    for key, where in repeated.items():
        errors.append(
            _fail("duplicate-key", kind.name, key, kind.key, form="facts", positions=where)
        )
    if link_field is not None:
        # A repeated key is refused as a whole: unless one of its records was refused on
        # its own (and named above), it names the parent its first record does.
        for label, kept_record in zip(labels, kept, strict=True):
            if label in repeated and kept_record.get(link_field) is not None:
                links.setdefault((kind.name, str(label)), str(kept_record[link_field]))
    for label, kept_record in zip(labels, kept, strict=True):
        if label in repeated:
            _offer(given, (kind.name, str(label)), kept_record)
    # A key given twice: none of its records is kept.
    pairs = [(lb, r) for lb, r in zip(labels, kept, strict=True) if str(lb) not in repeated]
    return [lb for lb, _ in pairs], [r for _, r in pairs]


def _offer(
    given: dict[tuple[str, str], Mapping[str, Any]],
    where: tuple[str, str],
    record: Mapping[str, Any],
) -> None:
    """Keep ``record`` as the one shown for a refused label, unless one that sorts
    first in canonical form is kept already."""
    current = given.get(where)
    if current is None:
        given[where] = record
        return
    try:
        if canonical_json(record) < canonical_json(current):
            given[where] = record
    except (TypeError, ValueError):  # a value with no canonical form: keep the first
        pass


def _typed(
    kind: RecordKind, fast: Any, record: Any, index: int, errors: list[PolicyError]
) -> tuple[str | None, int | str, dict[str, Any] | None]:
    """A record's key (as text), its label and its typed values (None with its problems
    added to ``errors``). The common record is typed by the fast reader first and its
    key read from the typed values: no second reading, and no label needed (it has no
    problem to name)."""
    result: dict[str, Any] | None = fast(record) if fast is not None else None
    if result is not None and result.get(kind.key) is not None:
        typed_key = str(result[kind.key])
        return typed_key, typed_key, result
    key = _value(kind, kind.key, record)
    label: int | str = index if key is None else key
    try:
        return key, label, coerce_record(kind.fields, record, label)
    except FactError as exc:
        problems = exc.problems if isinstance(exc, InvalidRecord) else (exc,)
        errors.extend(_tagged(p, kind.name) for p in problems)
        return key, label, None


def _link(kind: RecordKind, typed: Mapping[str, Any] | None, record: Any) -> str | None:
    """A record's parent key as text: from its typed values when it has them (no second
    reading), else read alone; None for a kind without a parent, or a missing or bad one."""
    if kind.parent is None:
        return None
    field = kind.parent.field
    if typed is not None and typed.get(field) is not None:
        return str(typed[field])
    return _value(kind, field, record)


def _value(kind: RecordKind, name: str, record: Any) -> str | None:
    """A key or parent-link field's typed value as text; None when it is missing or bad."""
    field = kind.fields[name]
    if not isinstance(record, Mapping) or (name not in record and not field.has_default):
        return None
    try:
        return str(coerce_value(record.get(name, field.default), field))
    except FactError:
        return None  # the record's own check reports it


def _fail(
    code: ErrorCode,
    kind: str | None,
    record: int | str | None = None,
    field: str | None = None,
    hint: str | None = None,
    form: str = "",
    **details: Any,
) -> FactError:
    """The problem ``code`` said by its template (core/_facts_templates.py) in ``form``.
    A refused record is stored with its month: its details are what they always were,
    and the words it is said from (lists shown as 'a, b') are kept apart from them."""
    shown = {k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in details.items()}
    words = {"kind": kind, "record": record, "field": field, **shown}
    wanted = TEMPLATES[code, form].placeholders
    return FactError.from_template(
        code,
        form=form,
        location=Location(record=record, field=field),
        hint=hint,
        details={"kind": kind, **details},
        words={k: v for k, v in words.items() if k in wanted},
    )


def _tagged(problem: PolicyError, kind: str) -> FactError:
    """A problem of one record, naming its kind (said again in another language from the
    problem's own words, led by its kind: ``PolicyError.lead``)."""
    details = {**problem.details, "kind": kind}
    tagged = FactError(
        f"{kind}: {problem.message}",
        code=problem.code,
        location=problem.location,
        hint=problem.hint,
        details=details,
    )
    tagged.form = problem.form
    tagged.words = problem.details if problem.words is None else problem.words
    tagged.lead = ("in-kind", {"kind": kind})
    return tagged


def _order(error: PolicyError) -> tuple[str, int, int, str, str, str]:
    """By kind, then record (none first, then positions, then keys), field and code."""
    where, kind = error.location, error.details.get("kind") or ""
    if isinstance(where.record, int):
        return (kind, 1, where.record, "", where.field or "", error.code)
    rank = 0 if where.record is None else 2
    return (kind, rank, 0, where.record or "", where.field or "", error.code)
