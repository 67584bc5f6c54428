"""Evaluating a bundle: every version in force over a month's facts, with provenance.

Facts are ``{kind: [records]}``, checked against the record kinds
(``entities.yaml``, or the policies' own ``inputs:`` when there is none);
then every rule of every version runs in one plan (see :mod:`runner`). The
result document is canonical JSON (sorted keys, records sorted by kind and
key, amounts as exact text), so the same inputs and versions give
byte-identical documents in any record order.
"""

from __future__ import annotations

import contextlib
import gc
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from . import trace
from .canonical import encode, encode_list_into
from .entities import Entities, Kind, check_facts
from .errors import InvalidPolicy, Location, ModelError, PolicyError, UsageError
from .inputs import INPUTS_FORMAT, JSON_SCALARS, PackedInputs, history_used, pack_inputs
from .model import Field, Policy, Rule, frozen_mapping
from .period import Period
from .plan import BundlePlan, plan_bundle
from .rules.base import plain
from .runner import HistoryStore, RunState, root, run, start
from .suggest import did_you_mean
from .version import ENGINE_VERSION

if TYPE_CHECKING:
    from .repository import Bundle


#: The result document's format: 2 keeps failures by value (every record keeps
#: its row); 1, by record, is what runs recorded before it hold.
RESULT_FORMAT = 2


def _plain_value(value: Any) -> Any:
    """One value as JSON-friendly data; an exact number as its digits, without the walk."""
    if type(value) is Decimal:
        return f"{value:f}"
    return plain(value)


def entities_from_policies(policies: Sequence[Policy]) -> Entities:
    """Without entities.yaml: one kind per ``applies_to``, its fields the policies' inputs."""
    problems: list[PolicyError] = []
    kinds: dict[str, Kind] = {}
    fields: dict[str, dict[str, Field]] = {}
    for policy in sorted(policies, key=lambda p: p.id):
        name = policy.record_kind
        where = Location(file=policy.file, pointer="/key")
        if not policy.key:
            problems.append(
                ModelError(
                    "a policy evaluated with others must say which input is its records' key",
                    code="missing-record-key",
                    location=where,
                    hint="add key: <field>",
                )
            )
            continue
        known = kinds.get(name)
        if known is not None and known.key != policy.key:
            problems.append(
                ModelError(
                    f"{name} records are keyed by '{known.key}' in another policy, here by "
                    f"'{policy.key}'",
                    code="record-key-differs",
                    location=where,
                )
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
                problems.append(
                    ModelError(
                        f"input {field_name!r} of {name} records is {other.type} elsewhere, "
                        f"{field.type} here",
                        code="input-type-differs",
                        location=Location(file=policy.file, pointer=f"/inputs/{field_name}"),
                    )
                )
        kinds[name] = Kind(name, policy.key, frozen_mapping(merged))
    if problems:
        raise InvalidPolicy(problems)
    return Entities(frozen_mapping(kinds), "", "", b"")


@attrs.frozen
class BundleProvenance:
    """What produced a bundle result: every version, the engine, the month, the inputs."""

    versions: tuple[Mapping[str, Any], ...]
    bundle_sha256: str
    engine_version: str
    period: str
    as_known_at: str | None
    inputs_sha256: str
    entities_sha256: str | None = None
    #: How failures are kept (see :class:`policyengine.runner.RunState`):
    #: 2, by value; 1, by record (runs recorded before format 2; not written).
    result_format: int = RESULT_FORMAT
    #: How the inputs are ordered before hashing (see :data:`INPUTS_FORMAT`).
    inputs_format: int = INPUTS_FORMAT

    def to_dict(self) -> dict[str, Any]:
        data = attrs.asdict(self)
        data["versions"] = [dict(v) for v in self.versions]
        # Format 1 documents carried neither.
        for name in ("result_format", "inputs_format"):
            if data[name] == 1:
                del data[name]
        return data


@attrs.frozen
class Row:
    """One record's outputs from one policy; a failed output is None, its error in ``failed``."""

    kind: str
    key: str
    policy: str
    outputs: Mapping[str, Any]
    #: Output name -> the error that left it empty (its own, or one naming the root cause).
    failed: Mapping[str, PolicyError] = attrs.field(factory=dict)


@attrs.frozen
class BundleResult:
    """A month's result, frozen: every record's values by kind, key and output; every
    failure, each root cause once; the provenance; explanations on request.

    Read it through its methods (``rows``, ``values``, ``failures``, ``errors``,
    ``records``, ``explain`` …); the runner's working state is private and
    no longer changes once the result exists.
    """

    bundle: Bundle
    _state: RunState = attrs.field(repr=False, alias="state")
    #: The canonical inputs (facts, and the history read), held compressed.
    packed_inputs: PackedInputs = attrs.field(repr=False)
    fact_errors: tuple[PolicyError, ...] = ()

    @property
    def inputs(self) -> bytes:
        """The canonical inputs, as hashed, recorded in the ledger and replayed."""
        return self.packed_inputs.unpacked()

    # --- what was evaluated ------------------------------------------------------------

    @property
    def period(self) -> Period:
        return self._state.period

    @property
    def entities(self) -> Entities:
        """The record kinds the month was evaluated with."""
        return self._state.plan.entities

    def rules(self, kind: str | None = None) -> tuple[tuple[Policy, Rule], ...]:
        """Every (policy, rule) evaluated, in plan order; only those for ``kind`` if given."""
        return tuple(
            (n.policy, n.rule) for n in self._state.plan.nodes if kind is None or n.kind == kind
        )

    def keys(self, kind: str) -> list[str]:
        """The keys of the records of ``kind`` that were evaluated (not refused), sorted."""
        return sorted(self._state.envs.get(kind, {}))

    def complete(self, kind: str) -> list[str]:
        """The keys of the records of ``kind`` with no failed value, sorted."""
        return self._state.sound(kind)

    def values(self, kind: str, key: str) -> Mapping[str, Any] | None:
        """A record's fields and rule values, read-only (a failed value is absent); None when
        the record was not evaluated (its facts were refused, or there is no such record)."""
        env = self._state.envs.get(kind, {}).get(key)
        return None if env is None else MappingProxyType(env)

    def refused(self, kind: str) -> dict[str, Mapping[str, str]]:
        """The records of ``kind`` refused as bad facts: label -> the keys of their ancestors."""
        return {label: dict(above) for label, above in self._state.refused.get(kind, [])}

    def given(self, kind: str, label: str) -> Mapping[str, Any] | None:
        """A refused record of ``kind`` as it was given (``label``: its key, or its
        position as text); None for a record that was not refused."""
        return self._state.given.get((kind, label))

    def count_by_ancestor(self, kind: str, wanted: str) -> Counter[str]:
        """How many evaluated records of ``kind`` each record of kind ``wanted`` above
        them has (a record whose ancestor is unknown is not counted)."""
        return self._state.count_by_ancestor(kind, wanted)

    def ancestor(self, kind: str, key: str, wanted: str) -> str | None:
        """The key of an evaluated record's ancestor of kind ``wanted``."""
        return self._state.ancestor(kind, key, wanted)

    def failed_records(self, kind: str) -> dict[str, PolicyError]:
        """Each record of ``kind`` with a failure: its first failure in plan order."""
        return dict(self._state.failed.get(kind, {}))

    @cached_property
    def provenance(self) -> BundleProvenance:
        entities = self._state.plan.entities
        return BundleProvenance(
            versions=tuple(v.describe() for v in self.bundle.versions),
            bundle_sha256=self.bundle.sha256,
            engine_version=ENGINE_VERSION,
            period=self.bundle.period.key,
            as_known_at=self.bundle.as_known_at.isoformat() if self.bundle.as_known_at else None,
            inputs_sha256=self.packed_inputs.sha256,
            entities_sha256=entities.sha256 or None,
            result_format=RESULT_FORMAT if self._state.by_value else 1,
        )

    @property
    def by_value(self) -> bool:
        return self._state.by_value

    @property
    def errors(self) -> tuple[PolicyError, ...]:
        """Every root cause, once: refused facts, then values that failed on their own.

        By value, a value that failed because it read a failed value is not
        listed here: it is in its row's ``failed``, naming the root.
        """
        if self.by_value:
            return (*self.fact_errors, *self._state.roots())
        failed = self._state.failed
        found = [e for kind in sorted(failed) for _, e in sorted(failed[kind].items())]
        return (*self.fact_errors, *found)

    def failures(self) -> Iterator[tuple[str, str, str, PolicyError]]:
        """Every failed value as (kind, record key, rule id, error), sorted.

        A value that failed on its own is its own root cause; one that read a
        failed value (``failed-input``) or a group with a failed member
        (``incomplete-group``) names its root in ``error.details["root"]``.
        """
        for kind in sorted(self._state.failures):
            for key in sorted(self._state.failures[kind]):
                for rule_id, error in sorted(self._state.failures[kind][key].items()):
                    yield kind, key, rule_id, error

    @cached_property
    def _policies(self) -> dict[str, list[tuple[str, list[_Columns]]]]:
        """kind -> [(policy id, [(rule id, named outputs, output names)])], by policy id."""
        by_policy: dict[tuple[str, str], list[_Columns]] = {}
        for node in self._state.plan.nodes:
            rule = node.rule
            by_policy.setdefault((node.kind, node.policy.id), []).append(
                (rule.id, rule.outputs, rule.output_names)
            )
        found: dict[str, list[tuple[str, list[_Columns]]]] = {}
        for (kind, policy_id), rules in sorted(by_policy.items()):
            found.setdefault(kind, []).append((policy_id, rules))
        return found

    def rows(self) -> Iterator[Row]:
        """Every record's outputs, policy by policy, sorted by kind, key and policy.

        By value, every record has its rows, a refused record too (all its
        outputs failed with the fact error); by record (format 1), only the
        records with no failure.
        """
        policies = self._policies
        for kind, key, env, failures, refused in self._listed():
            for policy_id, rules in policies.get(kind, []):
                yield _row(kind, key, policy_id, rules, env, failures, refused)

    def result_for(self, policy_id: str, key: str) -> Row:
        for row in self.rows():
            if row.policy == policy_id and row.key == str(key):
                return row
        if policy_id not in {v.id for v in self.bundle.versions}:
            raise UsageError(
                f"no policy '{policy_id}' in this bundle",
                code="unknown-policy",
                hint=did_you_mean(policy_id, [v.id for v in self.bundle.versions]),
            )
        raise UsageError(f"no result for record {key!r} in {policy_id}", code="unknown-record")

    def value(self, policy_id: str, key: str, output: str) -> Any:
        row = self.result_for(policy_id, key)
        if output in row.failed:
            raise row.failed[output]
        return row.outputs[output]

    def trace(self, kind: str, key: str, output: str) -> dict[str, Any]:
        """How one output of one record was reached, as data, with the rules it rests on."""
        return trace.trace_in_bundle(self._state, kind, str(key), output)

    def explain(self, kind: str, key: str, output: str) -> str:
        """How one output of one record was reached, as text."""
        return trace.render(self.trace(kind, key, output))

    def snapshot(self) -> dict[str, dict[str, dict[str, Any]]]:
        """This month's values by kind and key, as history for the months after it.

        By value, a record's failed values are absent (a later month reads
        them as missing); by record, a failed record is absent.
        """
        keys = (lambda kind: sorted(self._state.envs[kind])) if self.by_value else self._state.sound
        return {
            kind: {key: dict(self._state.envs[kind][key]) for key in keys(kind)}
            for kind in self._state.envs
        }

    def records(self) -> list[dict[str, Any]]:
        """One entry per (kind, record key): the outputs of every version that applies.

        A failed output is null, and the entry's ``failed`` gives its code and
        root cause; an entry with nothing failed has no ``failed``, so a month
        without failures reads the same in both result formats.
        """
        return list(self._entries())

    def _entries(self) -> Iterator[dict[str, Any]]:
        """:meth:`records`, one at a time."""
        policies = self._policies
        for kind, key, env, failures, refused in self._listed():
            entry: dict[str, Any] = {"kind": kind, "key": key, "outputs": {}}
            for policy_id, rules in policies.get(kind, []):
                values, failed = _values(rules, env, failures, refused, True)
                entry["outputs"][policy_id] = values
                if failed:
                    entry.setdefault("failed", {})[policy_id] = {
                        n: {"code": e.code, "root": _root_dict(e)} for n, e in failed.items()
                    }
            if entry["outputs"]:
                yield entry

    def _listed(
        self,
    ) -> Iterator[tuple[str, str, Mapping[str, Any] | None, Mapping[str, PolicyError], Any]]:
        """Every record a row is given for, by kind and key: (kind, key, values, failures,
        fact error). By record (format 1), only the records with no failure."""
        state = self._state
        for kind in sorted(state.envs):
            envs = state.envs[kind]
            if not self.by_value:
                for key in state.sound(kind):
                    yield kind, key, envs[key], {}, None
                continue
            refused = {label: e for (k, label), e in state.fact_errors.items() if k == kind}
            failures = state.failures.get(kind, {})
            for key in sorted({*envs, *refused}):
                yield kind, key, envs.get(key), failures.get(key, {}), refused.get(key)

    def error_list(self) -> list[dict[str, Any]]:
        found = [
            {"policy": e.details.get("policy"), "kind": e.details.get("kind"), **e.to_dict()}
            for e in self.errors
        ]
        return sorted(
            found,
            key=lambda e: (
                str(e["kind"]),
                str(e["location"].get("record")),
                str(e["policy"]),
                e["code"],
            ),
        )

    def outputs_json(self) -> bytes:
        """The outputs and errors alone, canonical: what a replay must reproduce byte for byte."""
        # The entries are JSON-friendly already (no second walk), and encoded a batch
        # at a time: a month's list of them is never built whole. Keys sorted.
        out = bytearray(b'{"errors":')
        out += encode(self.error_list())
        out += b',"records":'
        encode_list_into(out, self._entries())
        out += b"}"
        return bytes(out)

    def to_dict(self) -> dict[str, Any]:
        return {
            "provenance": self.provenance.to_dict(),
            "records": self.records(),
            "errors": self.error_list(),
        }

    def to_json(self) -> bytes:
        """The whole result document, canonical."""
        return encode(self.to_dict())


#: A rule's columns: its id, its named outputs, and the names its values go by.
_Columns = tuple[str, tuple[str, ...], tuple[str, ...]]
_ABSENT = object()


def _row(
    kind: str,
    key: str,
    policy_id: str,
    rules: list[_Columns],
    env: Mapping[str, Any] | None,
    failures: Mapping[str, PolicyError],
    refused: PolicyError | None,
) -> Row:
    values, failed = _values(rules, env, failures, refused, False)
    return Row(kind, key, policy_id, MappingProxyType(values), MappingProxyType(failed))


def _values(
    rules: list[_Columns],
    env: Mapping[str, Any] | None,
    failures: Mapping[str, PolicyError],
    refused: PolicyError | None,
    as_json: bool,
) -> tuple[dict[str, Any], dict[str, PolicyError]]:
    """One policy's values of one record by output name (``None`` when failed), and the
    errors of the failed ones; values as JSON-friendly data with ``as_json``."""
    values: dict[str, Any] = {}
    failed: dict[str, PolicyError] = {}
    scalars = JSON_SCALARS
    for rule_id, outputs, names in rules:
        error = refused if env is None else (failures.get(rule_id) if failures else None)
        value: Any = _ABSENT if env is None or error is not None else env.get(rule_id, _ABSENT)
        if value is _ABSENT:
            for name in names:
                values[name] = None
                if error is not None:
                    failed[name] = error
        elif outputs:
            for index in range(len(outputs)):
                part = value[outputs[index]]
                if as_json and type(part) not in scalars:
                    part = _plain_value(part)
                values[names[index]] = part
        else:
            if as_json and type(value) not in scalars:
                value = _plain_value(value)
            values[rule_id] = value
    return values, failed


def _root_dict(error: PolicyError) -> dict[str, Any]:
    cause = root(error)
    return {k: v for k, v in cause.items() if v is not None}


def plan_of(bundle: Bundle) -> BundlePlan:
    policies = [v.policy for v in bundle.versions]
    entities = bundle.entities or entities_from_policies(policies)
    return plan_bundle(policies, entities)


def evaluate_bundle(
    bundle: Bundle,
    facts: Mapping[str, Iterable[Mapping[str, Any]]],
    *,
    history: HistoryStore | None = None,
    result_format: int = RESULT_FORMAT,
) -> BundleResult:
    """Evaluate every version of ``bundle`` over ``facts`` (with earlier months' values).

    ``result_format=1`` keeps failures by record, as runs recorded before
    format 2 did: only replaying such a run needs it.
    """
    if result_format not in (1, RESULT_FORMAT):
        raise UsageError(f"unknown result format {result_format!r}", code="unknown-result-format")
    materialised = {str(kind): list(records) for kind, records in facts.items()}
    return evaluate_owned(bundle, materialised, history=history, result_format=result_format)


def evaluate_owned(
    bundle: Bundle,
    facts: dict[str, list[Any]],
    *,
    history: HistoryStore | None = None,
    result_format: int = RESULT_FORMAT,
    plan: BundlePlan | None = None,
) -> BundleResult:
    """:func:`evaluate_bundle` over records the caller hands over: ``facts`` is emptied
    once they are typed and hashed, so that (if nothing else holds them) a month's raw
    records are let go before its rules run. ``plan``: the bundle's, if already made."""
    plan = plan or plan_of(bundle)
    with paused_collection():
        used = history_used(plan, history or {})
        # The inputs are encoded first, while only the raw records are held: the
        # encoding's own buffers then never sit beside the typed copies too.
        # Earlier months' values are inputs too: hashed, kept in the ledger, replayed.
        keys = {k.name: k.key for k in plan.entities.kinds.values()}
        inputs = pack_inputs(facts, keys, used)
        # Each raw record is let go as it is typed (owned): the two copies of a
        # month's records never sit side by side.
        typed = check_facts(plan.entities, facts, owned=True)
        facts.clear()
        state = start(plan, bundle.period, typed, used, by_value=result_format == RESULT_FORMAT)
        run(state)
    return BundleResult(bundle, state, inputs, typed.errors)


@contextlib.contextmanager
def paused_collection() -> Iterator[None]:
    """No cyclic garbage collection while a month is built.

    A month allocates millions of long-lived records and values and frees
    next to nothing; the collector's full passes over an ever larger heap
    were a fifth of a large month's time. Evaluation makes no reference
    cycles of its own (errors are copied without their tracebacks), and
    whatever a caller's code makes is collected once this ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
