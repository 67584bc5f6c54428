"""Record kinds (call → rep → team): the facts contract, and facts checked across kinds.

``entities.yaml`` declares each kind's key field, its parent link and its
typed fields, written as a policy's ``inputs:``. Loading it reports every
problem at once, located, as loading a policy does. :func:`check_facts` types
``{kind: [records]}`` with :mod:`policyengine.facts._records` and checks what one
record cannot show alone: unique keys and parents that exist. Every input
record ends up in ``TypedFacts.records`` or named by an error.

This module is where those names are found (docs/api.md documents them
here); each part is its own module: the checked kinds
(:mod:`~policyengine.facts._record_kinds`), the file read and checked
(:mod:`~policyengine.facts._entities_file`) and the facts checked across kinds
(:mod:`~policyengine.facts._by_kind`).
"""

from __future__ import annotations

from .facts._by_kind import TypedFacts, check_facts
from .facts._entities_file import (
    KEY_TYPES,
    SCHEMA_RESOURCE,
    build_entities,
    entities_schema,
    load_entities,
)
from .facts._record_kinds import Entities, Parent, RecordKind

#: The name ``RecordKind`` had before (a rule kind is ``rules.RuleKind``).
Kind = RecordKind

__all__ = [
    "KEY_TYPES",
    "SCHEMA_RESOURCE",
    "Entities",
    "Kind",
    "Parent",
    "RecordKind",
    "TypedFacts",
    "build_entities",
    "check_facts",
    "entities_schema",
    "load_entities",
]
