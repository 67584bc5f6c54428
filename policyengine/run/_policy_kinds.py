"""The record kinds of a policy folder without ``entities.yaml``: one per ``applies_to``.

A folder that declares no kinds still evaluates its policies together: each
kind is implied by the policies that apply to it, keyed by their ``key:``,
with the union of their inputs as its fields. The policies must agree on
both, or the month would be read two ways; every disagreement is reported
at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import InvalidPolicy, Location, ModelError, PolicyError
from ..facts._record_kinds import Entities, RecordKind
from ..model import Field, Policy, frozen_mapping


def entities_from_policies(policies: Sequence[Policy]) -> Entities:
    """Without entities.yaml: one kind per ``applies_to``, its fields the policies' inputs."""
    problems: list[PolicyError] = []
    kinds: dict[str, RecordKind] = {}
    fields: dict[str, dict[str, Field]] = {}
    for policy in sorted(policies, key=lambda p: p.id):
        name = policy.record_kind
        where = Location(file=policy.file, pointer="/key")
        if not policy.key:
            problems.append(ModelError.from_template("missing-record-key", location=where))
            continue
        known = kinds.get(name)
        if known is not None and known.key != policy.key:
            details = {"kind": name, "other": known.key, "key": policy.key}
            problems.append(
                ModelError.from_template("record-key-differs", location=where, details=details)
            )
            continue
        merged = fields.setdefault(name, {})
        for field_name, field in policy.inputs.items():
            other = merged.setdefault(field_name, field)
            if (other.type, other.values, other.item_type) != (
                field.type,
                field.values,
                field.item_type,
            ):
                at = Location(file=policy.file, pointer=f"/inputs/{field_name}")
                words = {"field": field_name, "kind": name, "other": other.type}
                details = {**words, "type": field.type}
                problems.append(
                    ModelError.from_template("input-type-differs", location=at, details=details)
                )
        kinds[name] = RecordKind(name, policy.key, frozen_mapping(merged))
    if problems:
        raise InvalidPolicy(problems)
    return Entities(frozen_mapping(kinds), "", "", b"")
