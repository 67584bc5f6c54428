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

from ..core._display import unclean
from ..core._numbers import engine_context
from ..core._problems import Problems
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


@attrs.define
class _Loader:
    document: Document
    problems: list[PolicyError] = attrs.field(factory=list)
    #: The package's collector, adding to ``problems`` (a bad name is shown at its key).
    collector: Problems = attrs.field(init=False)
    #: JSON pointers the reader or the schema already complained about: skipped.
    broken: set[str] = attrs.field(factory=set)

    def __attrs_post_init__(self) -> None:
        # Worded by core/_check_templates.py.
        self.collector = Problems(document=self.document, found=self.problems)

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
            self.name(name, f"/kinds/{_escape(name)}")
            if isinstance(spec, Mapping):
                kinds[name] = self.kind(name, spec, specs)
        for kind in kinds.values():
            self.check_parent(kind, kinds, specs)
        self.check_cycles(kinds)
        self.check_depth(kinds)
        return kinds

    def name(self, name: str, pointer: str, kind: str | None = None) -> bool:
        """Whether ``name`` (of a kind, or a field of ``kind``) can be read by expressions."""
        if unclean(name, lines=False) is not None:
            return False  # the reader has reported the character already
        of = {} if kind is None else {"kind": kind}
        form = "kind" if kind is None else "field"
        if not name.isidentifier() or keyword.iskeyword(name):
            self.collector.add(
                "invalid-identifier", pointer, form=form, at_key=True, name=name, **of
            )
            return False
        if not unicodedata.is_normalized("NFKC", name):
            normal = unicodedata.normalize("NFKC", name)
            self.collector.add(
                "name-not-normalized",
                pointer,
                form=form,
                at_key=True,
                name=name,
                normal=normal,
                **of,
            )
            return False
        if name in FUNCTIONS or name == "period":
            self.collector.add(
                "name-clash", pointer, form=form + "-builtin", at_key=True, name=name, **of
            )
            return False
        return True

    def kind(self, name: str, spec: Mapping[str, Any], specs: Mapping[str, Any]) -> RecordKind:
        pointer = f"/kinds/{_escape(name)}"
        raw = spec.get("fields")
        raw_fields = raw if isinstance(raw, Mapping) else {}
        fields: dict[str, Field] = {}
        for field_name, field_spec in raw_fields.items():
            at = f"{pointer}/fields/{_escape(field_name)}"
            if not self.name(field_name, at, name):
                continue
            if field_name in specs:
                self.collector.add(
                    "name-clash", at, form="field-kind", at_key=True, name=field_name, kind=name
                )
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
                self.collector.add(
                    "unknown-key-field", pointer + "/key", hint=hint, key=key, kind=name
                )
            elif key in fields and fields[key].type not in KEY_TYPES:
                ktype = fields[key].type
                self.collector.add("bad-key-type", pointer + "/key", key=key, kind=name, type=ktype)
        return kind

    def field(self, name: str, spec: Any, pointer: str) -> Field | None:
        # Read as a policy's inputs are read: one shared reader.
        try:
            return field_from_spec(name, spec)
        except ModelError as exc:
            at = pointer + str(exc.details.get("at", ""))
            reason = exc.details.get("reason", "")
            if exc.code == "bad-field-bounds":  # worded by its own template already
                self.collector.add(exc.code, at, form=exc.form or "", **exc.details)
            elif exc.code == "bad-default":
                self.collector.add(
                    "bad-default", at, form="field", hint=exc.hint, name=name, reason=reason
                )
            else:
                self.collector.add(exc.code, at, form="field", hint=exc.hint, name=name)
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
            self.collector.add(
                "unknown-parent-kind",
                pointer + "/parent/kind",
                hint=hint,
                kind=kind.name,
                parent=up,
                kinds=names,
            )
        raw = specs[kind.name].get("fields")
        if not isinstance(raw, Mapping) or pointer + "/fields" in self.broken:
            return
        if link not in raw:
            hint = did_you_mean(link, raw)
            self.collector.add(
                "unknown-parent-field",
                pointer + "/parent/field",
                hint=hint,
                field=link,
                kind=kind.name,
            )
            return
        parent = kinds.get(up)
        if parent is None or link not in kind.fields or parent.key not in parent.fields:
            return  # reported already
        have, want = kind.fields[link].type, parent.fields[parent.key].type
        if have != want:
            at = pointer + "/parent/field"
            self.collector.add(
                "parent-type-mismatch",
                at,
                field=link,
                have=have,
                parent_key=parent.key,
                parent=parent.name,
                want=want,
            )

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
                    self.collector.add("parent-cycle", pointer, loop=turn)
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
                    self.collector.add(
                        "parent-chain-too-long", pointer, kind=name, limit=MAX_PARENT_DEPTH
                    )
