"""A month's result, frozen: every value, every failure, the provenance.

:func:`policyengine.run._bundle.evaluate_bundle` makes a :class:`BundleResult`
from the runner's finished state and keeps that state private, so nothing
read from a result can change it. Its rows and its canonical records are
built in :mod:`policyengine.run._result_rows`; its explanations in
:mod:`policyengine.run._trace`. The result document is canonical JSON (sorted
keys, records sorted by kind and key, amounts as exact text), so the same
inputs and versions give byte-identical documents in any record order.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from ..core._messages import Catalogue
from ..core._period import Period
from ..core._suggest import did_you_mean
from ..errors import PolicyError, UsageError
from ..facts._canonical import encode
from ..facts._inputs import INPUTS_FORMAT, PackedInputs
from ..facts._record_kinds import Entities
from ..model import Policy, Rule
from ..version import ENGINE_VERSION
from . import _frames
from . import _lookup as lookup
from . import _trace as trace
from ._entries_json import entries_json
from ._held_records import HeldRecords, envs_in_order, sorted_envs
from ._result_rows import ColumnsByKind, Row, columns_by_kind, entries_of, error_entries, rows_of
from ._run_state import RESULT_FORMAT, PastValues, RunState

if TYPE_CHECKING:
    from ._repository import Bundle


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
    #: How values and failures are kept (see :class:`policyengine.run._run_state.RunState`):
    #: 3, by value and no zero signed; 2, by value (a rule could give -0.00); 1, by
    #: record (runs recorded before format 2; not written).
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
    #: Each kind's keys, sorted once on first asking (a cache, not part of the value).
    _sorted_keys: dict[str, list[str]] = attrs.field(factory=dict, init=False, repr=False, eq=False)

    @property
    def inputs(self) -> bytes:
        """The canonical inputs, as hashed, recorded in the ledger and replayed."""
        return self.packed_inputs.unpacked()

    # --- what was evaluated ------------------------------------------------------------

    @property
    def period(self) -> Period:
        return self._state.period

    @property
    def history(self) -> PastValues:
        """The earlier months' values the month read (period -> kind -> key -> values):
        only those its history rules read."""
        return self._state.history

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
        found = self._sorted_keys.get(kind)
        if found is None:  # sorted once: the records no longer change
            found = self._sorted_keys[kind] = sorted(self._state.envs.get(kind, {}))
        return list(found)

    def complete(self, kind: str) -> list[str]:
        """The keys of the records of ``kind`` with no failed value, sorted."""
        return self._state.sound(kind)

    def values(self, kind: str, key: str) -> Mapping[str, Any] | None:
        """A record's fields and rule values, read-only (a failed value is absent); None when
        the record was not evaluated (its facts were refused, or there is no such record)."""
        env = self._state.envs.get(kind, {}).get(key)
        return None if env is None else MappingProxyType(env)

    def output_column(
        self, kind: str, keys: Iterable[str], rule_id: str, part: str | None = None
    ) -> list[Any]:
        """One output (``rule_id``, or its named part ``part``) of each record of ``kind``
        in ``keys``, in that order; None where a record has no such value (it failed, or
        was not evaluated). For a whole column at once, as a summary reads it."""
        return self.output_columns(kind, keys, [(rule_id, part)])[0]

    def output_columns(
        self, kind: str, keys: Iterable[str], wanted: Sequence[tuple[str, str | None]]
    ) -> list[list[Any]]:
        """:meth:`output_column` of each (rule id, part) of ``wanted``, the records found
        once for all of them (a summary reads every output of a month's calls)."""
        envs = self._state.envs.get(kind, {})
        if isinstance(envs, HeldRecords):  # a column each, the records read once in order
            listed = keys if isinstance(keys, list) else list(keys)  # no second copy
            return _columns_of(envs_in_order(envs, listed, _NO_VALUES), wanted)
        rows = [envs.get(key, _NO_VALUES) for key in keys]
        columns = []
        proxy = MappingProxyType  # named values are read-only views: checked by type first
        for rule_id, part in wanted:
            values = list(map(operator.methodcaller("get", rule_id), rows))
            if part is not None:
                values = [
                    v.get(part) if type(v) is proxy or isinstance(v, Mapping) else None
                    for v in values
                ]
            columns.append(values)
        return columns

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
            inputs_format=self.packed_inputs.format,
            entities_sha256=entities.sha256 or None,
            result_format=self._state.result_format,
        )

    @property
    def by_value(self) -> bool:
        return self._state.by_value

    @cached_property  # the result no longer changes: found once, however often asked
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
    def _columns(self) -> ColumnsByKind:
        """kind -> [(policy id, [(rule id, named outputs, output names)])], by policy id."""
        return columns_by_kind(self._state.plan)

    def rows(self) -> Iterator[Row]:
        """Every record's outputs, policy by policy, sorted by kind, key and policy.

        By value, every record has its rows, a refused record too (all its
        outputs failed with the fact error); by record (format 1), only the
        records with no failure.
        """
        return rows_of(self._state, self._columns)

    # --- one record's values: every accessor takes the record first (see _lookup) -------

    def result_for(self, kind: str, key: str, policy: str | None = None) -> Row:
        """One record's row for one policy: ``result_for(kind, key, policy)``.

        ``result_for(policy, key)``, the order of earlier releases, still works with a
        DeprecationWarning."""
        if policy is None:  # result_for(policy, key)
            policy, kind = kind, self._kind(kind, "result_for", policies_only=True)
        else:
            kind = self._kind(kind, "result_for")
        key = str(key)
        applying = [p.id for p in self._policies if p.record_kind == kind]
        if policy not in applying:
            raise UsageError(
                f"no policy '{policy}' applies to {kind} records in this month",
                code="unknown-policy",
                hint=did_you_mean(policy, applying) or "they are " + ", ".join(applying),
            )
        lookup.check_record(self._state, self.errors, kind, key)
        return next(
            r for r in self.rows() if r.kind == kind and r.key == key and r.policy == policy
        )

    def value(self, kind: str, key: str, output: str) -> Any:
        """One output of one record: ``value(kind, key, output)``; ``failed-value`` when it
        failed and ``failed-record`` when the record did, each naming the root cause.

        ``value(policy, key, output)``, the order of earlier releases, still works with a
        DeprecationWarning."""
        kind, key = self._kind(kind, "value"), str(key)
        self._check(kind, key, output)
        found = self._state.envs[kind][key].get(output.split(".", 1)[0])
        if "." in output and isinstance(found, Mapping):
            return found.get(output.split(".", 1)[1])
        return found

    def trace(self, kind: str, key: str, output: str) -> dict[str, Any]:
        """How one output of one record was reached, as data, with the rules it rests on."""
        kind, key = self._kind(kind, "trace"), str(key)
        self._check(kind, key, output)
        return trace.trace_in_bundle(self._state, kind, key, output)

    def explain(self, kind: str, key: str, output: str, catalogue: Catalogue | None = None) -> str:
        """How one output of one record was reached, as text (in ``catalogue``'s language)."""
        kind, key = self._kind(kind, "explain"), str(key)
        self._check(kind, key, output)
        return trace.render(trace.trace_in_bundle(self._state, kind, key, output), catalogue)

    @cached_property
    def _policies(self) -> tuple[Policy, ...]:
        return tuple(v.policy for v in self.bundle.versions)

    def _kind(self, first: str, call: str, *, policies_only: bool = False) -> str:
        """The kind a call names first; a policy id (the order of earlier releases) gives the
        kind it applies to, with a DeprecationWarning. ``policies_only``: nothing but a
        policy id can be meant (``result_for(policy, key)``)."""
        if policies_only and first not in {p.id for p in self._policies}:
            raise UsageError(
                f"no policy '{first}' in this bundle",
                code="unknown-policy",
                hint=did_you_mean(first, [p.id for p in self._policies]),
            )
        return lookup.kind_named(self._state, self._policies, first, call, policies_only)

    def _check(self, kind: str, key: str, output: str) -> None:
        """Every reason one value cannot be given, most general first (see _lookup)."""
        lookup.check_output(self._state, kind, output)
        lookup.check_record(self._state, self.errors, kind, key)
        lookup.check_value(self._state, self.errors, kind, key, output)

    def snapshot(self) -> dict[str, dict[str, dict[str, Any]]]:
        """This month's values by kind and key, as history for the months after it.

        By value, a record's failed values are absent (a later month reads
        them as missing); by record, a failed record is absent.
        """
        failures = self._state.failures
        return {
            kind: {
                key: dict(env)
                for key, env in sorted_envs(envs)
                if self.by_value or not failures.get(kind, {}).get(key)
            }
            for kind, envs in self._state.envs.items()
        }

    def records(self) -> list[dict[str, Any]]:
        """One entry per (kind, record key): the outputs of every version that applies.

        A failed output is null, and the entry's ``failed`` gives its code and
        root cause; an entry with nothing failed has no ``failed``, so a month
        without failures reads the same in both result formats.
        """
        return list(entries_of(self._state, self._columns))

    def error_list(self) -> list[dict[str, Any]]:
        return error_entries(self.errors)

    def outputs_json(self) -> bytes:
        """The outputs and errors alone, canonical: what a replay must reproduce byte for byte."""
        return b"".join(self.outputs_pieces())

    def outputs_pieces(self, errors: list[dict[str, Any]] | None = None) -> Iterator[bytes]:
        """:meth:`outputs_json` a piece at a time (for a caller that hashes and packs them
        as they come: a month's outputs are hundreds of MB), with ``errors`` in place of
        :meth:`error_list` when given (the ledger's: policy files named relative)."""
        # The entries are JSON-friendly already (no second walk), and encoded a batch
        # at a time: a month's list of them is never built whole. Keys sorted.
        yield b'{"errors":' + encode(self.error_list() if errors is None else errors)
        yield b',"records":'
        yield from entries_json(self._state, self._columns)
        yield b"}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "provenance": self.provenance.to_dict(),
            "records": self.records(),
            "errors": self.error_list(),
        }

    def to_json(self) -> bytes:
        """The whole result document, canonical."""
        return encode(self.to_dict())

    def to_arrow(self, kind: str | None = None) -> Any:
        """The records of ``kind`` (by default the pay sheet's) as a ``pyarrow.Table``, exact
        decimals kept: see :mod:`policyengine.run._frames` (extra ``dataframe``)."""
        return _frames.bundle_table(self, kind).to_arrow()

    def to_pandas(self, kind: str | None = None) -> Any:
        """The records of ``kind`` as a ``pandas.DataFrame``, decimals as ``Decimal`` objects."""
        return _frames.to_pandas(_frames.bundle_table(self, kind))


#: What a record that was not evaluated holds: nothing.
_NO_VALUES: Mapping[str, Any] = MappingProxyType({})


def _columns_of(
    rows: Iterable[Mapping[str, Any]], wanted: Sequence[tuple[str, str | None]]
) -> list[list[Any]]:
    """:meth:`BundleResult.output_columns` of records read one at a time (held packed: a
    list of them would unpack the kind whole)."""
    columns: list[list[Any]] = [[] for _ in wanted]
    proxy = MappingProxyType  # named values are read-only views: checked by type first
    for row in rows:
        for column, (rule_id, part) in zip(columns, wanted, strict=True):
            value = row.get(rule_id)
            if part is None:
                column.append(value)
            elif type(value) is proxy or isinstance(value, Mapping):
                column.append(value.get(part))
            else:
                column.append(None)
    return columns
