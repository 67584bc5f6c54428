"""Record kinds (call → rep → team): the facts contract, and facts checked across kinds.

``entities.yaml`` declares each kind's key field, its parent link and its
typed fields, written as a policy's ``inputs:``. Loading it reports every
problem at once, located, as loading a policy does. :func:`check_facts` types
``{kind: [records]}`` with :mod:`policyengine.facts` and checks what one
record cannot show alone: unique keys and parents that exist. Every input
record ends up in ``TypedFacts.records`` or named by an error.
"""

from __future__ import annotations

import copy
import json
import keyword
import os
from collections.abc import Iterable, Mapping
from functools import cache, cached_property
from importlib import resources
from types import MappingProxyType
from typing import Any

import attrs

from . import schema
from .canonical import canonical_json
from .codes import ErrorCode
from .errors import FactError, InvalidPolicy, Location, ModelError, PolicyError
from .facts import (
    FALSE_WORDS,
    MAX_LIST_ITEMS,
    TRUE_WORDS,
    InvalidRecord,
    coerce_record,
    coerce_value,
    field_from_spec,
)
from .functions import FUNCTIONS
from .model import Field, frozen_mapping
from .numbers import engine_context
from .source import Document, read_policy_file
from .suggest import did_you_mean

SCHEMA_RESOURCE = "entities.schema.json"
#: Field types a key (and so a parent link) may have.
KEY_TYPES = ("string", "int")


@attrs.frozen
class Parent:
    """The parent kind, and the field of the child holding the parent's key."""

    kind: str
    field: str


@attrs.frozen
class Kind:
    """One kind of record: its key field, its typed fields (in file order), its parent."""

    name: str
    key: str
    fields: Mapping[str, Field]
    parent: Parent | None = None
    title: str | None = None
    line: int | None = None


@attrs.frozen
class Entities:
    """Every kind of record, checked. Load it with :func:`load_entities`."""

    kinds: Mapping[str, Kind]
    file: str
    sha256: str
    raw: bytes = attrs.field(repr=False, eq=False)

    def ancestors(self, kind: str) -> tuple[str, ...]:
        """The parent, the grandparent … of ``kind``, nearest first."""
        known = self._lineage.get(kind)
        if known is not None:
            return known
        return self._ancestors(kind)

    @cached_property
    def _lineage(self) -> dict[str, tuple[str, ...]]:
        # Asked for every record of a month: worked out once per kind.
        return {kind: self._ancestors(kind) for kind in self.kinds}

    def _ancestors(self, kind: str) -> tuple[str, ...]:
        found: list[str] = []
        link = self.kinds[kind].parent
        while link is not None and link.kind not in found and len(found) < len(self.kinds):
            found.append(link.kind)
            link = self.kinds[link.kind].parent
        return tuple(found)

    def children(self, kind: str) -> tuple[str, ...]:
        """The kinds whose parent is ``kind``, in file order."""
        return tuple(k.name for k in self.kinds.values() if k.parent and k.parent.kind == kind)

    def facts_schema(self) -> dict[str, Any]:
        """A JSON Schema (draft 2020-12) of ``{kind: [records]}`` for other systems to use."""
        properties: dict[str, Any] = {}
        for kind in self.kinds.values():
            fields = kind.fields.items()
            record = {
                "type": "object",
                "properties": {name: _field_schema(field) for name, field in fields},
                "required": [name for name, field in fields if not field.has_default],
                "additionalProperties": False,
            }
            named = f"{kind.name} records, each named by its {kind.key}"
            if kind.parent:
                named += f"; {kind.parent.field} names its {kind.parent.kind}"
            listed = {"type": "array", "description": named, "items": record}
            if kind.title:
                record["title"] = listed["title"] = kind.title
            properties[kind.name] = listed
        found = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "policyengine facts",
            "description": f"Records by kind, from the entities file with SHA-256 {self.sha256}",
            "type": "object",
            "additionalProperties": False,
            "properties": properties,
        }
        return copy.deepcopy(found)  # the caller's own copy: the type schemas are shared


_BOOL_WORDS = sorted({v for w in TRUE_WORDS | FALSE_WORDS for v in (w, w.upper(), w.capitalize())})
_MONEY = r"^[-+]?(?:[0-9][0-9,]*(?:\.[0-9]{0,2})?|\.[0-9]{1,2})$"
_DECIMAL = r"^[-+]?(?:[0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)$|^[-+]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)%$"
#: Each field type in JSON Schema: what facts.coerce_value accepts, in its plain written forms.
_TYPE_SCHEMAS: dict[str, dict[str, Any]] = {
    "money": {"anyOf": [{"type": "number"}, {"type": "string", "pattern": _MONEY}]},
    "decimal": {"anyOf": [{"type": "number"}, {"type": "string", "pattern": _DECIMAL}]},
    "int": {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^[-+]?[0-9]+$"}]},
    "bool": {"anyOf": [{"type": "boolean"}, {"enum": _BOOL_WORDS}]},
    "string": {"type": ["string", "integer"]},
    "date": {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
}


def _field_schema(field: Field) -> dict[str, Any]:
    if field.type == "list":
        items = _TYPE_SCHEMAS[field.item_type or "string"]
        found: dict[str, Any] = {"type": "array", "maxItems": MAX_LIST_ITEMS, "items": items}
    elif field.type == "enum":
        found = {"type": "string", "enum": list(field.values)}
    else:
        found = dict(_TYPE_SCHEMAS[field.type])
    extra = {"title": field.title, "description": field.description}
    found.update((k, v) for k, v in extra.items() if v)
    if field.has_default:  # as JSON data: a Decimal or a date as text, never a float
        found["default"] = json.loads(json.dumps(field.default, default=str))
    return found


# --- loading ----------------------------------------------------------------------


@cache
def entities_schema() -> Mapping[str, Any]:
    """The entities schema shipped inside the package (``schemas/entities.schema.json``)."""
    text = resources.files("policyengine").joinpath("schemas", SCHEMA_RESOURCE).read_text("utf-8")
    found: Mapping[str, Any] = json.loads(text)
    return found


@cache
def _validator() -> Any:
    # The policy schema's validator class: the same types and date format.
    return schema._Validator(entities_schema(), format_checker=schema._FORMATS)


def load_entities(path: str | os.PathLike[str]) -> Entities:
    """Read and check an entities file; raises InvalidPolicy holding every problem, located."""
    return build_entities(read_policy_file(path))


def build_entities(document: Document) -> Entities:
    """The checked kinds of a read document; raises InvalidPolicy holding every problem."""
    loader = _Loader(document)
    with engine_context():  # defaults are read in the engine's arithmetic
        kinds = loader.build()
    if loader.problems:
        raise InvalidPolicy(loader.problems, file=document.file)
    return Entities(frozen_mapping(kinds), document.file, document.sha256, document.raw)


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


# code -> (message, hint), both formatted with the problem's details.
# fmt: off
_TEXT: dict[ErrorCode, tuple[str, str]] = {
    "invalid-identifier": ("{what} cannot be used as a name in expressions",
                           "use letters (Chinese is fine), digits and '_', not starting with a "
                           "digit"),
    "name-clash": ("{what} has the name of {clash}", "rename it; {why}"),
    "unknown-key-field": ("key '{k.key}' is not a field of '{k.name}'",
                          "the key must be one of the kind's fields"),
    "bad-key-type": ("key '{k.key}' of '{k.name}' is a {type} field",
                     "a key field must be of type string or int"),
    "unknown-parent-kind": ("the parent of '{k.name}' is '{k.parent.kind}', which is not a kind",
                            "declared kinds: {kinds}"),
    "unknown-parent-field": ("'{k.parent.field}' is not a field of '{k.name}', so it cannot hold "
                             "the parent's key", "declare it under fields"),
    "parent-type-mismatch": ("'{k.parent.field}' is a {have} field, but the key '{p.key}' of "
                             "'{p.name}' is {want}", "declare '{k.parent.field}' as {want}"),
    "parent-cycle": ("the parent links go round in a loop: {loop}",
                     "a kind cannot be its own parent or ancestor; remove one link"),
    "enum-without-values": ("enum field '{name}' needs 'values'", "list the allowed values"),
    "list-without-item-type": ("list field '{name}' needs 'of'", "e.g. of: string"),
    "bad-default": ("default of '{name}': {reason}", "give a value of the field's type"),
    "unknown-kind": ("there is no kind of record '{kind}'", "the kinds are: {kinds}"),
    "not-a-record-list": ("{what} must be a list of records, found {found}",
                          'write {{"<kind>": [records], ...}}'),
    "duplicate-key": ("the {kind} records at positions {positions} (counting from 0) all have "
                      "the {field} '{record}'", "each {kind} needs its own {field}; all are left "
                      "out"),
    "missing-parent": ("there is no {parent} '{value}' for this {kind}",
                       "add the {parent} record, or correct {field}"),
    "invalid-parent": ("the {parent} '{value}' of this {kind} has a problem of its own (reported "
                       "there), so the {kind} is left out too", "correct the {parent} record"),
}
# fmt: on


def _text(code: ErrorCode, hint: str | None, details: Mapping[str, Any]) -> tuple[str, str]:
    """The message and hint of ``code``; lists in details are shown as 'a, b'."""
    shown = {k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in details.items()}
    message, advice = _TEXT[code]
    return message.format(**shown), hint or advice.format(**shown)


@attrs.define
class _Loader:
    document: Document
    problems: list[PolicyError] = attrs.field(factory=list)
    #: JSON pointers the reader or the schema already complained about: skipped.
    broken: set[str] = attrs.field(factory=set)

    def error(self, code: ErrorCode, pointer: str, hint: str | None = None, **details: Any) -> None:
        message, hint = _text(code, hint, details)
        # A bad name is shown where the name is written, the rest where the value is.
        location = self.document.locate(pointer, key=code in ("invalid-identifier", "name-clash"))
        self.problems.append(ModelError(message, code=code, location=location, hint=hint))

    def is_broken(self, pointer: str) -> bool:
        return any(p == pointer or p.startswith(pointer + "/") for p in self.broken)

    def build(self) -> dict[str, Kind]:
        document = self.document
        self.problems.extend(document.problems)
        seen = {p.location.pointer for p in document.problems}
        errors = _validator().iter_errors(document.data)
        violations = [v for e in errors for v in schema._translate(e, document)]
        self.problems.extend(v for v in violations if v.location.pointer not in seen)
        # A duplicate key keeps its first value, which is still sound to build on.
        degraded = {p.location.pointer for p in document.problems if p.code != "duplicate-key"}
        self.broken = {p or "" for p in degraded | {v.location.pointer for v in violations}}
        raw = document.data.get("kinds")
        specs = {str(k): v for k, v in raw.items()} if isinstance(raw, Mapping) else {}
        kinds: dict[str, Kind] = {}
        for name, spec in specs.items():
            self.name(name, f"/kinds/{_escape(name)}", f"kind '{name}'")
            if isinstance(spec, Mapping):
                kinds[name] = self.kind(name, spec, specs)
        for kind in kinds.values():
            self.check_parent(kind, kinds, specs)
        self.check_cycles(kinds)
        return kinds

    def name(self, name: str, pointer: str, what: str) -> bool:
        if not name.isidentifier() or keyword.iskeyword(name):
            self.error("invalid-identifier", pointer, what=what)
            return False
        if name in FUNCTIONS or name == "period":
            why = "expressions would read the built-in"
            self.error("name-clash", pointer, what=what, clash="a built-in", why=why)
            return False
        return True

    def kind(self, name: str, spec: Mapping[str, Any], specs: Mapping[str, Any]) -> Kind:
        pointer = f"/kinds/{_escape(name)}"
        raw = spec.get("fields")
        raw_fields = raw if isinstance(raw, Mapping) else {}
        fields: dict[str, Field] = {}
        for field_name, field_spec in raw_fields.items():
            at = f"{pointer}/fields/{_escape(field_name)}"
            what = f"field '{field_name}' of '{name}'"
            if not self.name(field_name, at, what):
                continue
            if field_name in specs:
                why = f"'{field_name}.…' reads the {field_name} a record belongs to"
                self.error("name-clash", at, what=what, clash="a kind", why=why)
            elif not self.is_broken(at) and (field := self.field(field_name, field_spec, at)):
                fields[field_name] = field
        key, link, title = spec.get("key"), spec.get("parent"), spec.get("title")
        parent = None
        if isinstance(link, Mapping) and not self.is_broken(pointer + "/parent"):
            parent = Parent(str(link["kind"]), str(link["field"]))
        line = self.document.locate(pointer, key=True).line
        key = key if isinstance(key, str) else ""
        title = None if title is None else str(title)
        kind = Kind(name, key, frozen_mapping(fields), parent, title, line)
        if key and raw_fields and f"{pointer}/fields" not in self.broken:
            if key not in raw_fields:
                hint = did_you_mean(key, raw_fields)
                self.error("unknown-key-field", pointer + "/key", hint, k=kind)
            elif key in fields and fields[key].type not in KEY_TYPES:
                self.error("bad-key-type", pointer + "/key", k=kind, type=fields[key].type)
        return kind

    def field(self, name: str, spec: Any, pointer: str) -> Field | None:
        # Read as a policy's inputs are read: one shared reader.
        try:
            return field_from_spec(name, spec)
        except ModelError as exc:
            at = pointer + str(exc.details["at"])
            reason = exc.details.get("reason", "")
            self.error(exc.code, at, exc.hint, name=name, reason=reason)
            return None

    def check_parent(self, kind: Kind, kinds: Mapping[str, Kind], specs: Mapping[str, Any]) -> None:
        if kind.parent is None:
            return
        pointer, up, link = f"/kinds/{_escape(kind.name)}", kind.parent.kind, kind.parent.field
        if up not in specs:
            others = [k for k in specs if k != kind.name]
            hint, names = did_you_mean(up, others), ", ".join(others)
            self.error("unknown-parent-kind", pointer + "/parent/kind", hint, k=kind, kinds=names)
        raw = specs[kind.name].get("fields")
        if not isinstance(raw, Mapping) or pointer + "/fields" in self.broken:
            return
        if link not in raw:
            hint = did_you_mean(link, raw)
            self.error("unknown-parent-field", pointer + "/parent/field", hint, k=kind)
            return
        parent = kinds.get(up)
        if parent is None or link not in kind.fields or parent.key not in parent.fields:
            return  # reported already
        have, want = kind.fields[link].type, parent.fields[parent.key].type
        if have != want:
            at = pointer + "/parent/field"
            self.error("parent-type-mismatch", at, k=kind, p=parent, have=have, want=want)

    def check_cycles(self, kinds: Mapping[str, Kind]) -> None:
        order = list(kinds)
        looped: set[str] = set()
        for start in order:
            path, link = [start], kinds[start].parent
            while link is not None and link.kind in kinds and link.kind not in looped:
                if link.kind in path:
                    loop = path[path.index(link.kind) :]
                    looped.update(loop)
                    first = loop.index(min(loop, key=order.index))
                    turn = " → ".join([*loop[first:], *loop[:first], loop[first]])
                    pointer = f"/kinds/{_escape(loop[first])}/parent/kind"
                    self.error("parent-cycle", pointer, loop=turn)
                    break
                path.append(link.kind)
                link = kinds[link.kind].parent


# --- facts ------------------------------------------------------------------------


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


@attrs.define
class _Seen:
    """One kind's records, checked: the keys of the valid ones, and every key met."""

    valid: set[str] = attrs.field(factory=set)
    keys: set[str] = attrs.field(factory=set)
    unreadable: bool = False


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
        errors.append(_fail("not-a-record-list", None, what="the facts", found=found))
        facts = {}
    for name, records in facts.items():
        kind = str(name)
        if kind not in entities.kinds:
            hint = did_you_mean(kind, entities.kinds)
            errors.append(_fail("unknown-kind", kind, hint=hint, kinds=", ".join(entities.kinds)))
        elif isinstance(records, str | bytes | Mapping) or not isinstance(records, Iterable):
            found = type(records).__name__
            errors.append(_fail("not-a-record-list", kind, what=f"the {kind}", found=found))
            given[kind] = None
        else:
            # Owned lists are read in place, and each raw record let go once typed.
            given[kind] = records if owned and type(records) is list else list(records)
    seen: dict[str, _Seen] = {}
    links: dict[tuple[str, str], str] = {}
    refused: dict[tuple[str, str], Mapping[str, Any]] = {}
    typed: dict[str, tuple[Mapping[str, Any], ...]] = {}
    for kind in sorted(given, key=lambda k: len(entities.ancestors(k))):  # parents first
        listed = given[kind]
        if listed is None:
            seen[kind] = _Seen(unreadable=True)
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
    kind: Kind,
    records: list[Any],
    seen: Mapping[str, _Seen],
    errors: list[PolicyError],
    owned: bool,
    kept_aside: tuple[dict[tuple[str, str], str], dict[tuple[str, str], Mapping[str, Any]]],
) -> tuple[_Seen, tuple[Mapping[str, Any], ...]]:
    links, given = kept_aside
    # Where each key was given; a key given more than once also in ``repeated``.
    # (One index per key, not a list per record: a month has millions of calls.)
    positions: dict[str, int] = {}
    repeated: dict[str, list[int]] = {}
    # Two lists side by side, not a list of pairs: a month has millions of calls.
    labels: list[int | str] = []
    kept: list[Mapping[str, Any]] = []
    parent = seen.get(kind.parent.kind) if kind.parent else None
    link_field = kind.parent.field if kind.parent else None
    for index, record in enumerate(records):
        key = _value(kind, kind.key, record)
        label: int | str = index if key is None else key
        if key is not None:
            first = positions.setdefault(key, index)
            if first != index:
                repeated.setdefault(key, [first]).append(index)
        try:
            result: dict[str, Any] | None = coerce_record(kind.fields, record, label)
        except FactError as exc:
            problems = exc.problems if isinstance(exc, InvalidRecord) else (exc,)
            errors.extend(_tagged(p, kind.name) for p in problems)
            result = None
        if link_field is None:
            link = None
        elif result is not None and result.get(link_field) is not None:
            link = str(result[link_field])  # already typed: no second reading
        else:
            link = _value(kind, link_field, record)
        if kind.parent and parent and link is not None and link not in parent.valid:
            known = link in parent.keys or parent.unreadable
            code: ErrorCode = "invalid-parent" if known else "missing-parent"
            hint = None if known else did_you_mean(link, parent.keys)
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
    for key, where in repeated.items():
        errors.append(_fail("duplicate-key", kind.name, key, kind.key, positions=where))
    if repeated and link_field is not None:
        # A repeated key is refused as a whole: unless one of its records was refused on
        # its own (and named above), it names the parent its first record does.
        for label, kept_record in zip(labels, kept, strict=True):
            if label in repeated and kept_record.get(link_field) is not None:
                links.setdefault((kind.name, str(label)), str(kept_record[link_field]))
    if repeated:
        for label, kept_record in zip(labels, kept, strict=True):
            if label in repeated:
                _offer(given, (kind.name, str(label)), kept_record)
    if repeated:  # a key given twice: none of its records is kept
        pairs = [(lb, r) for lb, r in zip(labels, kept, strict=True) if str(lb) not in repeated]
        labels, kept = [lb for lb, _ in pairs], [r for _, r in pairs]
    found = _Seen(set(map(str, labels)), set(positions))
    return found, tuple(kept)


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


def _value(kind: Kind, name: str, record: Any) -> str | None:
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
    **details: Any,
) -> FactError:
    message, hint = _text(code, hint, {"kind": kind, "record": record, "field": field, **details})
    where = Location(record=record, field=field)
    return FactError(
        message, code=code, location=where, hint=hint, details={"kind": kind, **details}
    )


def _tagged(problem: PolicyError, kind: str) -> FactError:
    """A problem of one record, naming its kind."""
    details = {**problem.details, "kind": kind}
    return FactError(
        f"{kind}: {problem.message}",
        code=problem.code,
        location=problem.location,
        hint=problem.hint,
        details=details,
    )


def _order(error: PolicyError) -> tuple[str, int, int, str, str, str]:
    """By kind, then record (none first, then positions, then keys), field and code."""
    where, kind = error.location, error.details.get("kind") or ""
    if isinstance(where.record, int):
        return (kind, 1, where.record, "", where.field or "", error.code)
    rank = 0 if where.record is None else 2
    return (kind, rank, 0, where.record or "", where.field or "", error.code)
