"""Record kinds (call → rep → team) once checked: each kind's key, parent link and fields.

This is what ``entities.yaml`` says, as data: :mod:`policyengine.facts._entities_file`
reads and checks the file into it, and :mod:`policyengine.facts._by_kind`
checks a month's facts against it. It sits below both, so that each can use
the kinds without the other. :meth:`Entities.facts_schema` hands the same
contract to other systems as JSON Schema.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cached_property
from typing import Any

import attrs

from ..core import _number_text as number_text
from ..model import Field
from ._values import FALSE_WORDS, MAX_LIST_ITEMS, TRUE_WORDS


@attrs.frozen
class Parent:
    """The parent kind, and the field of the child holding the parent's key."""

    kind: str
    field: str


@attrs.frozen
class RecordKind:
    """One kind of record: its key field, its typed fields (in file order), its parent."""

    name: str
    key: str
    fields: Mapping[str, Field]
    parent: Parent | None = None
    title: str | None = None
    line: int | None = None


@attrs.frozen
class Entities:
    """Every kind of record, checked. Load it with :func:`~policyengine.entities.load_entities`."""

    kinds: Mapping[str, RecordKind]
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
# Thousands separators only between groups of three, as the facts reader reads them.
_GROUPED_DIGITS = rf"(?:{number_text.GROUPED_DIGITS}|[0-9]+)"
_MONEY = r"^[-+]?(?:" + _GROUPED_DIGITS + r"(?:\.[0-9]{0,2})?|\.[0-9]{1,2})$"
_DECIMAL = (
    r"^[-+]?(?:" + _GROUPED_DIGITS + r"(?:\.[0-9]*)?|"
    r"\.[0-9]+)$|^[-+]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)%$"
)
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
