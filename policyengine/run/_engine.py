"""Evaluation: a pure function of a compiled policy, one record and a period.

No clock, no randomness, no I/O. Every failure is a PolicyError naming the
rule, the record and the values it read; a bad record in a batch is reported
and never aborts the batch or disappears.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Any

import attrs

from ..core._display import plain
from ..core._numbers import engine_context
from ..core._period import Period
from ..errors import EvaluationError, Location, PolicyError, UsageError
from ..facts._canonical import canonical_hash
from ..facts._records import coerce_record
from ..model import RUNTIME, Policy, Rule, frozen_mapping
from ..version import ENGINE_VERSION
from . import _frames
from . import _trace as trace
from ._program import Engine, Program

__all__ = ["Batch", "Provenance", "Result", "evaluate", "evaluate_many"]


@attrs.frozen
class Provenance:
    """What produced a result: the exact policy version, the engine, the period, the inputs."""

    policy: str
    version: str
    sha256: str
    engine_version: str
    period: str | None
    inputs_sha256: str
    format: int = 1

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class Result:
    """The outputs of one record, with what it takes to explain and prove them."""

    policy: Policy
    record: int | str | None
    period: Period | None
    #: Every value the rules saw: typed inputs, rule outputs, period.
    env: Mapping[str, Any] = attrs.field(repr=False)
    #: Rules whose value a test case gave instead of computing it.
    given: frozenset[str] = attrs.field(default=frozenset(), repr=False)
    engine: Engine = attrs.field(default="compiled", repr=False)

    @cached_property
    def outputs(self) -> Mapping[str, Any]:
        """Output name (``rule_id`` or ``rule_id.name``) → value, in evaluation order."""
        values: dict[str, Any] = {}
        for rule in self.policy.ordered_rules:
            if rule.id not in self.env:
                continue  # left out of an embedded test (see evaluate's ``partial``)
            value = self.env[rule.id]
            if rule.outputs:
                for name in rule.outputs:
                    values[f"{rule.id}.{name}"] = value[name]
            else:
                values[rule.id] = value
        return frozen_mapping(values)

    @cached_property
    def inputs(self) -> Mapping[str, Any]:
        """The typed input record the rules read."""
        return frozen_mapping((name, self.env[name]) for name in self.policy.inputs)

    @cached_property
    def provenance(self) -> Provenance:
        return Provenance(
            policy=self.policy.id,
            version=self.policy.version,
            sha256=self.policy.sha256,
            engine_version=ENGINE_VERSION,
            period=self.period.key if self.period else None,
            inputs_sha256=canonical_hash(self.inputs),
            format=self.policy.format,
        )

    @cached_property
    def details(self) -> Mapping[str, Mapping[str, Any]]:
        """How each rule reached its value: computed on request, by evaluating again.

        Evaluation records no trace; evaluation is deterministic, so running
        each rule once more over the same values gives the same value and
        says how.
        """
        program = self.policy.program_for(self.engine)
        found: dict[str, Mapping[str, Any]] = {}
        with engine_context():
            for rule in self.policy.ordered_rules:
                if rule.id in self.given:
                    found[rule.id] = {"given": True}
                elif rule.id in self.env and rule.id in program.rules:
                    detail: dict[str, Any] = {}
                    program.rules[rule.id](self.env, detail)
                    found[rule.id] = detail
        return frozen_mapping(found)

    def explain(self, name: str) -> str:
        """How an output was reached: rule, band/row/checks, inputs, parameters, source article."""
        return trace.explain(self.policy, self.env, self.details, name)

    def trace(self, name: str) -> dict[str, Any]:
        """The explanation as data (JSON-friendly)."""
        return trace.trace(self.policy, self.env, self.details, name)

    def to_arrow(self) -> Any:
        """This record's outputs as a one-row ``pyarrow.Table`` (see :class:`Batch`)."""
        return Batch((self,)).to_arrow()

    def to_pandas(self) -> Any:
        """This record's outputs as a one-row ``pandas.DataFrame`` (see :class:`Batch`)."""
        return Batch((self,)).to_pandas()

    def to_dict(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "outputs": {name: plain(value) for name, value in self.outputs.items()},
            "provenance": self.provenance.to_dict(),
        }


@attrs.frozen
class Batch:
    """One outcome per input record, in input order: a Result or the PolicyError it raised."""

    items: tuple[Result | PolicyError, ...]

    @property
    def results(self) -> tuple[Result, ...]:
        return tuple(item for item in self.items if isinstance(item, Result))

    @property
    def errors(self) -> tuple[PolicyError, ...]:
        return tuple(item for item in self.items if isinstance(item, PolicyError))

    def to_arrow(self) -> Any:
        """A row per record, in input order, as a ``pyarrow.Table``: ``record``, each output,
        ``errors`` (exact decimals kept: :mod:`policyengine.run._frames`, extra ``dataframe``)."""
        return _frames.batch_table(self._rules(), self.items).to_arrow()

    def to_pandas(self) -> Any:
        """The same rows as a ``pandas.DataFrame``, decimals as ``Decimal`` objects."""
        return _frames.to_pandas(_frames.batch_table(self._rules(), self.items))

    def _rules(self) -> tuple[Rule, ...]:
        found = self.results
        return found[0].policy.ordered_rules if found else ()

    def __iter__(self) -> Iterator[Result | PolicyError]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def evaluate(
    policy: Policy,
    record: Mapping[str, Any],
    *,
    period: Period | str | None = None,
    index: int | None = None,
    others: frozenset[str] = frozenset(),
    in_force: bool = True,
    given: Mapping[str, Any] | None = None,
    partial: bool = False,
    engine: Engine = "compiled",
) -> Result:
    """Evaluate every rule of ``policy`` over one record.

    ``others`` names fields of the record that other policies read (see
    :func:`policyengine.facts._records.coerce_record`). ``engine="reference"`` runs the
    reference evaluator instead of the compiled code (the same results).
    """
    month = _period(policy, period, check=in_force)
    with engine_context():
        return _evaluate(
            policy,
            policy.program_for(engine),
            record,
            month,
            index,
            others,
            given or {},
            partial,
            engine,
        )


def evaluate_many(
    policy: Policy,
    records: Iterable[Mapping[str, Any]],
    *,
    period: Period | str | None = None,
    others: frozenset[str] = frozenset(),
    in_force: bool = True,
    engine: Engine = "compiled",
) -> Batch:
    """Evaluate each record; a bad record gives its error in place and the batch goes on.

    ``in_force=False`` lets a version be applied to a month it does not
    cover, for "what if" comparisons (:func:`policyengine.diff`).
    """
    month = _period(policy, period, check=in_force)
    program = policy.program_for(engine)
    items: list[Result | PolicyError] = []
    with engine_context():  # entered once for the batch, not per record
        for index, record in enumerate(records):
            try:
                result = _evaluate(policy, program, record, month, index, others, {}, False, engine)
                items.append(result)
            except PolicyError as exc:
                items.append(exc)
    return Batch(tuple(items))


def _evaluate(
    policy: Policy,
    program: Program,
    record: Mapping[str, Any],
    month: Period | None,
    index: int | None,
    others: frozenset[str],
    given: Mapping[str, Any],
    partial: bool,
    engine: Engine,
) -> Result:
    label = _label(policy, record, index)
    if month is None and policy.reads_period:
        raise UsageError(
            f"{policy.id} {policy.version} reads 'period', so a period must be given",
            code="missing-period",
            location=Location(file=policy.file, record=label),
            hint="pass period='YYYY-MM' (on the command line: --period YYYY-MM)",
        )
    env = coerce_record(policy.inputs, record, label, others | policy.kind_fields)
    if given:
        # Values other policies' rules would give (embedded tests supply them).
        env.update(given)
    if month is not None:
        env["period"] = month.as_mapping()
    for rule_id, rule, step in program.steps:
        if given and rule_id in given:
            continue  # a test's stand-in for a rule that needs other records
        if step is None:
            if partial:
                continue  # embedded tests: a population rule no case needs is left out
            raise _needs_bundle(policy, rule, label)
        try:
            env[rule_id] = step(env, None)
        except Exception as exc:
            raise _located(policy, rule, env, label, exc) from exc
    # The env is this call's own: a read-only view of it needs no copy.
    given_ids = frozenset(given) if given else _NONE_GIVEN
    return Result(policy, label, month, MappingProxyType(env), given_ids, engine)


_NONE_GIVEN: frozenset[str] = frozenset()


def _period(policy: Policy, period: Period | str | None, check: bool = True) -> Period | None:
    if period is None:
        return None
    month = Period.parse(period)
    if check and not policy.in_force(month.start):
        until = f" until {policy.effective_to}" if policy.effective_to else ""
        raise UsageError(
            f"{policy.id} version {policy.version} is not in force in {month} "
            f"(in force from {policy.effective_from}{until})",
            code="not-in-force",
            hint="evaluate a period the version covers, or use the version in force then",
        )
    return month


def _label(policy: Policy, record: Any, index: int | None) -> int | str | None:
    if policy.key and (type(record) is dict or isinstance(record, Mapping)):
        key = record.get(policy.key)
        if isinstance(key, str | int) and not isinstance(key, bool):
            return key
    return index


def _needs_bundle(policy: Policy, rule: Rule, label: int | str | None) -> PolicyError:
    return UsageError(
        f"rule '{rule.id}' is a {rule.kind} rule: it reads other records, so the policy "
        "is evaluated in a bundle (policyengine.load(...).for_period(...).evaluate(facts))",
        code="needs-bundle",
        location=Location(file=policy.file, line=rule.line, rule_id=rule.id, record=label),
    )


def _located(
    policy: Policy, rule: Rule, env: Mapping[str, Any], label: int | str | None, exc: Exception
) -> PolicyError:
    """A rule's failure as located data, with the values the rule read."""
    if isinstance(exc, PolicyError):
        error = exc
    else:  # a defect in a kind must still come out as located data
        error = EvaluationError(f"unexpected failure: {exc!r}", code="internal-error")
        error.__cause__ = exc
    scope = {**{n: p.value for n, p in policy.parameters.items()}, **env}
    values = {name: plain(scope[name]) for name in sorted(rule.reads) if name in scope}
    located = error.at(
        file=policy.file, line=rule.line, pointer=rule.pointer, rule_id=rule.id, record=label
    )
    located.details = {**located.details, "read": values}
    return located


# A policy evaluates itself through this module (see policyengine.model.Runtime).
RUNTIME.evaluate = evaluate
RUNTIME.evaluate_many = evaluate_many
