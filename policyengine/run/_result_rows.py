"""A month's result as rows and as the result document's records.

:class:`~policyengine.run._bundle_result.BundleResult` is read two ways that must
agree value for value: as :class:`Row` objects (one per record and policy,
for the report and the library) and as the canonical document's records
(JSON-friendly, encoded a batch at a time for a month of any size). Both are
built here, from the run state, by one function (:func:`_values`), so a
failed, refused or missing value reads the same in either.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs

from ..core._display import plain
from ..errors import PolicyError
from ..facts._inputs import JSON_SCALARS
from ..load._plan import BundlePlan
from ._held_records import sorted_envs
from ._run_state import RunState, root

#: A rule's columns: its id, its named outputs, and the names its values go by.
Columns = tuple[str, tuple[str, ...], tuple[str, ...]]
#: kind -> [(policy id, [its rules' columns])], by policy id.
ColumnsByKind = dict[str, list[tuple[str, list[Columns]]]]
_ABSENT = object()


@attrs.frozen
class Row:
    """One record's outputs from one policy; a failed output is None, its error in ``failed``."""

    kind: str
    key: str
    policy: str
    outputs: Mapping[str, Any]
    #: Output name -> the error that left it empty (its own, or one naming the root cause).
    failed: Mapping[str, PolicyError] = attrs.field(factory=dict)


def columns_by_kind(plan: BundlePlan) -> ColumnsByKind:
    """Each kind's policies, by policy id, with their rules' columns in plan order."""
    by_policy: dict[tuple[str, str], list[Columns]] = {}
    for node in plan.nodes:
        rule = node.rule
        by_policy.setdefault((node.kind, node.policy.id), []).append(
            (rule.id, rule.outputs, rule.output_names)
        )
    found: ColumnsByKind = {}
    for (kind, policy_id), rules in sorted(by_policy.items()):
        found.setdefault(kind, []).append((policy_id, rules))
    return found


def rows_of(state: RunState, columns: ColumnsByKind) -> Iterator[Row]:
    """Every record's outputs, policy by policy, sorted by kind, key and policy."""
    for kind, key, env, failures, refused in listed(state):
        for policy_id, rules in columns.get(kind, []):
            yield _row(kind, key, policy_id, rules, env, failures, refused)


def entries_of(state: RunState, columns: ColumnsByKind) -> Iterator[dict[str, Any]]:
    """The result document's records, one at a time (see ``BundleResult.records``)."""
    for listing in listed(state):
        entry = entry_of(columns, *listing)
        if entry is not None:
            yield entry


def entry_of(
    columns: ColumnsByKind,
    kind: str,
    key: str,
    env: Mapping[str, Any] | None,
    failures: Mapping[str, PolicyError],
    refused: PolicyError | None,
) -> dict[str, Any] | None:
    """One record's entry in the result document (as :func:`listed` gives the record);
    None for a record of a kind no policy applies to."""
    entry: dict[str, Any] = {"kind": kind, "key": key, "outputs": {}}
    for policy_id, rules in columns.get(kind, []):
        values, failed = _values(rules, env, failures, refused, True)
        entry["outputs"][policy_id] = values
        if failed:
            entry.setdefault("failed", {})[policy_id] = {
                n: {"code": e.code, "root": _root_dict(e)} for n, e in failed.items()
            }
    return entry if entry["outputs"] else None


def listed(
    state: RunState,
) -> Iterator[tuple[str, str, Mapping[str, Any] | None, Mapping[str, PolicyError], Any]]:
    """Every record a row is given for, by kind and key: (kind, key, values, failures,
    fact error). By record (format 1), only the records with no failure."""
    for kind in sorted(state.envs):
        # In key order, each record's values read once (held packed: run/_held_records).
        evaluated = sorted_envs(state.envs[kind])
        failures = state.failures.get(kind, {})
        if not state.by_value:
            for key, env in evaluated:
                if not failures.get(key):
                    yield kind, key, env, {}, None
            continue
        refused = {label: e for (k, label), e in state.fact_errors.items() if k == kind}
        for key, found in _with_refused(evaluated, sorted(refused)):
            yield kind, key, found, failures.get(key, {}), refused.get(key)


def _with_refused(
    evaluated: Iterator[tuple[str, Mapping[str, Any]]], refused: list[str]
) -> Iterator[tuple[str, Mapping[str, Any] | None]]:
    """The evaluated records and the refused ones' labels (no values), merged in key
    order; a label that is also an evaluated record's key once, with its values."""
    at = 0
    for key, env in evaluated:
        while at < len(refused) and refused[at] < key:
            yield refused[at], None
            at += 1
        if at < len(refused) and refused[at] == key:
            at += 1
        yield key, env
    for label in refused[at:]:
        yield label, None


def error_entries(errors: Iterable[PolicyError]) -> list[dict[str, Any]]:
    """The errors as the result document lists them: sorted by kind, record, policy, code."""
    found = [
        {"policy": e.details.get("policy"), "kind": e.details.get("kind"), **e.to_dict()}
        for e in errors
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


def _row(
    kind: str,
    key: str,
    policy_id: str,
    rules: list[Columns],
    env: Mapping[str, Any] | None,
    failures: Mapping[str, PolicyError],
    refused: PolicyError | None,
) -> Row:
    values, failed = _values(rules, env, failures, refused, False)
    return Row(kind, key, policy_id, MappingProxyType(values), MappingProxyType(failed))


def _values(
    rules: list[Columns],
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
                    part = f"{part:f}" if type(part) is Decimal else plain(part)
                values[names[index]] = part
        else:
            if as_json and type(value) not in scalars:
                # A Decimal as plain() writes it, without the call: a month has millions.
                value = f"{value:f}" if type(value) is Decimal else plain(value)
            values[rule_id] = value
    return values, failed


def _root_dict(error: PolicyError) -> dict[str, Any]:
    cause = root(error)
    return {k: v for k, v in cause.items() if v is not None}
