"""``entities.yaml`` read and checked: every problem at once, located, as in a policy file.

The file is read by the policy files' reader (one source map, the same
refusals), checked against ``schemas/entities.schema.json``, then for what a
schema cannot say: names an expression can use and that clash with nothing,
a key that is one of the kind's fields, parent links to kinds that exist
through fields of the parent key's type, and no loop of parents. A part the
reader or the schema already complained about is skipped, so that one
mistake gives one problem. The checked kinds are :mod:`policyengine.facts._record_kinds`.
"""

from __future__ import annotations

import json
import keyword
import os
import unicodedata
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import attrs

from ..codes import ErrorCode
from ..core._display import unclean
from ..core._numbers import engine_context
from ..core._suggest import did_you_mean
from ..errors import InvalidPolicy, ModelError, PolicyError
from ..language._functions import FUNCTIONS
from ..model import Field, frozen_mapping
from ..read import _schema as schema
from ..read._source import Document, read_policy_file
from ..read._source_map import holding
from ._record_kinds import Entities, Parent, RecordKind
from ._records import field_from_spec

SCHEMA_RESOURCE = "entities.schema.json"
#: Field types a key (and so a parent link) may have.
KEY_TYPES = ("string", "int")
#: Parents above a kind (call → rep → team → centre needs three): every record of a month
#: looks its ancestors up, so the chain is bounded.
MAX_PARENT_DEPTH = 16


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
    "name-not-normalized": ("{what} is not written in its normal form (NFKC), '{normal}'",
                            "write '{normal}': expressions read every name in that form"),
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
    "parent-chain-too-long": ("'{kind}' has more than {limit} kinds above it",
                              "link each kind to the one it belongs to directly; a chain of "
                              "{limit} parents is the most"),
    "enum-without-values": ("enum field '{name}' needs 'values'", "list the allowed values"),
    "list-without-item-type": ("list field '{name}' needs 'of'", "e.g. of: string"),
    "bad-default": ("default of '{name}': {reason}", "give a value of the field's type"),
}
# fmt: on


#: Problems shown where the name is written.
_AT_NAME = ("invalid-identifier", "name-not-normalized", "name-clash")


def _text(code: ErrorCode, hint: str | None, details: Mapping[str, Any]) -> tuple[str, str]:
    """The message and hint of ``code``, formatted with the problem's details."""
    message, advice = _TEXT[code]
    return message.format(**details), hint or advice.format(**details)


@attrs.define
class _Loader:
    document: Document
    problems: list[PolicyError] = attrs.field(factory=list)
    #: JSON pointers the reader or the schema already complained about: skipped.
    broken: set[str] = attrs.field(factory=set)

    def error(self, code: ErrorCode, pointer: str, hint: str | None = None, **details: Any) -> None:
        message, hint = _text(code, hint, details)
        # A bad name is shown where the name is written, the rest where the value is.
        location = self.document.locate(pointer, key=code in _AT_NAME)
        self.problems.append(ModelError(message, code=code, location=location, hint=hint))

    #: The broken pointers and every pointer holding one (``read._source_map.holding``).
    holding: frozenset[str] = attrs.field(factory=frozenset)

    def is_broken(self, pointer: str) -> bool:
        return pointer in self.holding

    def build(self) -> dict[str, RecordKind]:
        document = self.document
        self.problems.extend(document.problems)
        seen = {p.location.pointer for p in document.problems}
        errors = _validator().iter_errors(document.data)
        violations = [v for e in errors for v in schema._translate(e, document)]
        self.problems.extend(v for v in violations if v.location.pointer not in seen)
        # A duplicate key keeps its first value, which is still sound to build on.
        degraded = {p.location.pointer for p in document.problems if p.code != "duplicate-key"}
        self.broken = {p or "" for p in degraded | {v.location.pointer for v in violations}}
        self.holding = holding(self.broken)
        raw = document.data.get("kinds")
        specs = {str(k): v for k, v in raw.items()} if isinstance(raw, Mapping) else {}
        kinds: dict[str, RecordKind] = {}
        for name, spec in specs.items():
            self.name(name, f"/kinds/{_escape(name)}", f"kind '{name}'")
            if isinstance(spec, Mapping):
                kinds[name] = self.kind(name, spec, specs)
        for kind in kinds.values():
            self.check_parent(kind, kinds, specs)
        self.check_cycles(kinds)
        self.check_depth(kinds)
        return kinds

    def name(self, name: str, pointer: str, what: str) -> bool:
        if unclean(name, lines=False) is not None:
            return False  # the reader has reported the character already
        if not name.isidentifier() or keyword.iskeyword(name):
            self.error("invalid-identifier", pointer, what=what)
            return False
        if not unicodedata.is_normalized("NFKC", name):
            normal = unicodedata.normalize("NFKC", name)
            self.error("name-not-normalized", pointer, what=what, normal=normal)
            return False
        if name in FUNCTIONS or name == "period":
            why = "expressions would read the built-in"
            self.error("name-clash", pointer, what=what, clash="a built-in", why=why)
            return False
        return True

    def kind(self, name: str, spec: Mapping[str, Any], specs: Mapping[str, Any]) -> RecordKind:
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
        kind = RecordKind(name, key, frozen_mapping(fields), parent, title, line)
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

    def check_parent(
        self, kind: RecordKind, kinds: Mapping[str, RecordKind], specs: Mapping[str, Any]
    ) -> None:
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

    def check_cycles(self, kinds: Mapping[str, RecordKind]) -> None:
        """Each loop of parent links once, naming it; linear: each kind is walked once."""
        order = {name: index for index, name in enumerate(kinds)}
        done: set[str] = set()
        for start in kinds:
            path: dict[str, int] = {}  # kind -> its place on the walk from start
            kind: str | None = start
            while kind is not None and kind in kinds and kind not in done:
                if kind in path:
                    loop = list(path)[path[kind] :]
                    first = loop.index(min(loop, key=order.__getitem__))
                    turn = " → ".join([*loop[first:], *loop[:first], loop[first]])
                    pointer = f"/kinds/{_escape(loop[first])}/parent/kind"
                    self.error("parent-cycle", pointer, loop=turn)
                    break
                path[kind] = len(path)
                link = kinds[kind].parent
                kind = link.kind if link is not None else None
            done.update(path)

    def check_depth(self, kinds: Mapping[str, RecordKind]) -> None:
        """A chain of parents longer than ``MAX_PARENT_DEPTH`` is reported once, at the
        first kind beyond the limit (a loop is reported by :meth:`check_cycles`)."""
        depth: dict[str, int] = {}
        for start in kinds:
            walk: list[str] = []
            kind: str | None = start
            while kind is not None and kind in kinds and kind not in depth:
                if kind in walk:  # a loop: its kinds have no depth to speak of
                    depth.update(dict.fromkeys(walk, 0))
                    break
                walk.append(kind)
                link = kinds[kind].parent
                kind = link.kind if link is not None else None
            below = depth.get(kind, -1) if kind is not None else -1
            for name in reversed(walk):
                if name in depth:
                    continue
                below = depth[name] = below + 1
                if below == MAX_PARENT_DEPTH + 1:
                    pointer = f"/kinds/{_escape(name)}/parent"
                    self.error("parent-chain-too-long", pointer, kind=name,
                               limit=MAX_PARENT_DEPTH)  # fmt: skip
