"""Evaluating a bundle: every version in force over a month's facts, with provenance.

Facts are ``{kind: [records]}``; each version evaluates the records of the
kind it ``applies_to``. The result document is canonical JSON (sorted keys,
records sorted by kind and key, amounts as exact text), so the same inputs
and versions give byte-identical documents in any record order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

import attrs

from .engine import Batch, Result, evaluate_many
from .errors import PolicyError
from .rules.base import plain
from .suggest import did_you_mean
from .version import ENGINE_VERSION

if TYPE_CHECKING:
    from .repository import Bundle


def canonical_json(data: Any) -> bytes:
    """The one byte form of a JSON-able value: sorted keys, no spaces, UTF-8."""
    text = json.dumps(plain(data), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def canonical_facts(facts: Mapping[str, Iterable[Mapping[str, Any]]]) -> bytes:
    """Facts in canonical form: kinds sorted, each kind's records sorted by their own bytes."""
    ordered = {
        str(kind): sorted((plain(dict(r)) for r in records), key=lambda r: canonical_json(r))
        for kind, records in facts.items()
    }
    return canonical_json(ordered)


@attrs.frozen
class BundleProvenance:
    """What produced a bundle result: every version, the engine, the month, the inputs."""

    versions: tuple[Mapping[str, Any], ...]
    bundle_sha256: str
    engine_version: str
    period: str
    as_known_at: str | None
    inputs_sha256: str

    def to_dict(self) -> dict[str, Any]:
        data = attrs.asdict(self)
        data["versions"] = [dict(v) for v in self.versions]
        return data


@attrs.frozen
class BundleResult:
    """Outputs of every version in a bundle, per record, with errors kept in place."""

    bundle: Bundle
    batches: Mapping[str, Batch]  # policy id -> its batch, in input order
    inputs: bytes  # canonical facts

    @cached_property
    def provenance(self) -> BundleProvenance:
        return BundleProvenance(
            versions=tuple(v.describe() for v in self.bundle.versions),
            bundle_sha256=self.bundle.sha256,
            engine_version=ENGINE_VERSION,
            period=self.bundle.period.key,
            as_known_at=self.bundle.as_known_at.isoformat() if self.bundle.as_known_at else None,
            inputs_sha256=hashlib.sha256(self.inputs).hexdigest(),
        )

    @property
    def errors(self) -> tuple[PolicyError, ...]:
        return tuple(e for batch in self.batches.values() for e in batch.errors)

    def result(self, policy_id: str, key: int | str) -> Result:
        """The result of one version for one record (by its key, or its position)."""
        batch = self.batches.get(policy_id)
        if batch is None:
            raise PolicyError(
                f"no policy '{policy_id}' in this bundle",
                code="unknown-policy",
                hint=did_you_mean(policy_id, self.batches),
            )
        for item in batch.results:
            if item.record == key:
                return item
        raise PolicyError(f"no result for record {key!r} in {policy_id}", code="unknown-record")

    def records(self) -> list[dict[str, Any]]:
        """One entry per (kind, record key): the outputs of every version that applies."""
        grouped: dict[tuple[str, str], dict[str, Any]] = {}
        for version in self.bundle.versions:
            kind = version.policy.applies_to or ""
            for result in self.batches[version.id].results:
                entry = grouped.setdefault(
                    (kind, str(result.record)),
                    {"kind": kind, "key": result.record, "outputs": {}},
                )
                entry["outputs"][version.id] = {
                    name: plain(value) for name, value in result.outputs.items()
                }
        return [grouped[k] for k in sorted(grouped)]

    def error_list(self) -> list[dict[str, Any]]:
        found = [
            {"policy": policy_id, **error.to_dict()}
            for policy_id, batch in self.batches.items()
            for error in batch.errors
        ]
        return sorted(found, key=lambda e: (e["policy"], str(e["location"].get("record"))))

    def outputs_json(self) -> bytes:
        """The outputs and errors alone, canonical: what a replay must reproduce byte for byte."""
        return canonical_json({"records": self.records(), "errors": self.error_list()})

    def to_dict(self) -> dict[str, Any]:
        return {
            "provenance": self.provenance.to_dict(),
            "records": self.records(),
            "errors": self.error_list(),
        }

    def to_json(self) -> bytes:
        """The whole result document, canonical."""
        return canonical_json(self.to_dict())


def evaluate_bundle(
    bundle: Bundle, facts: Mapping[str, Iterable[Mapping[str, Any]]], *, in_force: bool = True
) -> BundleResult:
    """Evaluate every version of ``bundle`` over the records of its kind."""
    materialised = {str(kind): list(records) for kind, records in facts.items()}
    fields_by_kind: dict[str, set[str]] = {}
    for version in bundle.versions:
        kind = version.policy.applies_to or ""
        fields_by_kind.setdefault(kind, set()).update(version.policy.inputs)
    batches: dict[str, Batch] = {}
    for version in bundle.versions:
        kind = version.policy.applies_to or ""
        others = frozenset(fields_by_kind[kind] - set(version.policy.inputs))
        batches[version.id] = evaluate_many(
            version.policy,
            materialised.get(kind, []),
            period=bundle.period,
            others=others,
            in_force=in_force,
        )
    return BundleResult(bundle, batches, canonical_facts(materialised))
