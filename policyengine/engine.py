"""Evaluation: a pure function of a compiled policy, one record and a period.

No clock, no randomness, no I/O. Every failure is a PolicyError naming the
rule, the record and the values it read; a bad record in a batch is reported
and never aborts the batch or disappears.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property
from typing import Any

import attrs

from . import trace
from .errors import EvaluationError, Location, PolicyError
from .expressions import Evaluator, Expression
from .facts import coerce_record
from .model import Policy, Rule, frozen_mapping
from .period import Period
from .rules import KINDS
from .rules.base import plain
from .version import ENGINE_VERSION


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
    #: Every value the rules saw: typed inputs, parameters, rule outputs, period.
    env: Mapping[str, Any] = attrs.field(repr=False)
    details: Mapping[str, Mapping[str, Any]] = attrs.field(repr=False)

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

    def explain(self, name: str) -> str:
        """How an output was reached: rule, band/row/checks, inputs, parameters, source article."""
        return trace.explain(self.policy, self.env, self.details, name)

    def trace(self, name: str) -> dict[str, Any]:
        """The explanation as data (JSON-friendly)."""
        return trace.trace(self.policy, self.env, self.details, name)

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

    def __iter__(self) -> Iterator[Result | PolicyError]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def canonical_hash(data: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a mapping (sorted keys, values as text)."""
    text = json.dumps(plain(dict(data)), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def evaluate(
    policy: Policy,
    record: Mapping[str, Any],
    *,
    period: Period | str | None = None,
    index: int | None = None,
    evaluator: Evaluator | None = None,
    others: frozenset[str] = frozenset(),
    in_force: bool = True,
    given: Mapping[str, Any] | None = None,
    partial: bool = False,
) -> Result:
    """Evaluate every rule of ``policy`` over one record.

    ``others`` names fields of the record that other policies read (see
    :func:`policyengine.facts.coerce_record`).
    """
    month = _period(policy, period, check=in_force)
    if month is None and policy.reads_period:
        raise PolicyError(
            f"{policy.id} {policy.version} reads 'period', so a period must be given",
            code="missing-period",
            location=Location(file=policy.file, record=_label(policy, record, index)),
            hint="pass period='YYYY-MM' (on the command line: --period YYYY-MM)",
        )
    label = _label(policy, record, index)
    typed = coerce_record(policy.inputs, record, label, others | policy.kind_fields)
    env: dict[str, Any] = {name: p.value for name, p in policy.parameters.items()}
    env.update(typed)
    if given:
        # Values other policies' rules would give (embedded tests supply them).
        env.update(given)
    if month is not None:
        env["period"] = month.as_mapping()
    details: dict[str, Mapping[str, Any]] = {}
    run_in = evaluator or Evaluator()
    for rule in policy.ordered_rules:
        if given and rule.id in given:
            details[rule.id] = {"given": True}
            continue  # a test's stand-in for a rule that needs other records
        if partial and rule.kind not in KINDS:
            continue  # embedded tests: a population rule no case needs is left out
        outcome = _run_rule(policy, rule, run_in, env, label)
        env[rule.id] = outcome.value
        details[rule.id] = outcome.detail
    return Result(policy, label, month, frozen_mapping(env), frozen_mapping(details))


def evaluate_many(
    policy: Policy,
    records: Iterable[Mapping[str, Any]],
    *,
    period: Period | str | None = None,
    others: frozenset[str] = frozenset(),
    in_force: bool = True,
) -> Batch:
    """Evaluate each record; a bad record gives its error in place and the batch goes on.

    ``in_force=False`` lets a version be applied to a month it does not
    cover, for "what if" comparisons (:func:`policyengine.diff`).
    """
    month = _period(policy, period, check=in_force)
    evaluator = Evaluator()
    items: list[Result | PolicyError] = []
    for index, record in enumerate(records):
        try:
            result = evaluate(
                policy,
                record,
                period=month,
                index=index,
                evaluator=evaluator,
                others=others,
                in_force=False,  # checked once above
            )
            items.append(result)
        except PolicyError as exc:
            items.append(exc)
    return Batch(tuple(items))


def _period(policy: Policy, period: Period | str | None, check: bool = True) -> Period | None:
    if period is None:
        return None
    month = Period.parse(period)
    if check and not policy.in_force(month.start):
        until = f" until {policy.effective_to}" if policy.effective_to else ""
        raise PolicyError(
            f"{policy.id} version {policy.version} is not in force in {month} "
            f"(in force from {policy.effective_from}{until})",
            code="not-in-force",
            hint="evaluate a period the version covers, or use the version in force then",
        )
    return month


def _label(policy: Policy, record: Any, index: int | None) -> int | str | None:
    if policy.key and isinstance(record, Mapping):
        key = record.get(policy.key)
        if isinstance(key, str | int) and not isinstance(key, bool):
            return key
    return index


def _run_rule(
    policy: Policy, rule: Rule, evaluator: Evaluator, env: dict[str, Any], label: int | str | None
) -> Any:
    def run(expression: Expression) -> Any:
        return evaluator.evaluate(expression, env)

    kind = KINDS.get(rule.kind)
    if kind is None:
        raise PolicyError(
            f"rule '{rule.id}' is a {rule.kind} rule: it reads other records, so the policy "
            "is evaluated in a bundle (policyengine.load(...).for_period(...).evaluate(facts))",
            code="needs-bundle",
            location=Location(file=policy.file, line=rule.line, rule_id=rule.id, record=label),
        )
    try:
        return kind.evaluate(rule.spec, run)
    except PolicyError as exc:
        error = exc
    except Exception as exc:  # a defect in a kind must still come out as located data
        error = EvaluationError(f"unexpected failure: {exc!r}", code="internal-error")
        error.__cause__ = exc
    values = {name: plain(env[name]) for name in sorted(rule.reads) if name in env}
    located = error.at(
        file=policy.file, line=rule.line, pointer=rule.pointer, rule_id=rule.id, record=label
    )
    located.details = {**located.details, "read": values}
    raise located from error
