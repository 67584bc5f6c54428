"""Evaluation: a pure function of a compiled policy, one record and a period.

No clock, no randomness, no I/O. Every failure is a PolicyError naming the
rule, the record and the values it read; a bad record in a batch is reported
and never aborts the batch or disappears.

A record is evaluated by the policy's fused function (:mod:`policyengine.run._fused`:
every record rule in one function) where the policy has one, and rule by rule
otherwise: for the reference engine, for embedded tests (``given``,
``partial``), and for any record the fused function gives up on, which the
rule-by-rule path evaluates again to give exactly its value or located error.
"""

from __future__ import annotations

import decimal
import functools
import itertools
import threading
from collections.abc import Callable, Iterable, Mapping
from decimal import getcontext, setcontext
from typing import Any

from ..core._brief import brief
from ..core._display import plain
from ..core._numbers import CONTEXT, engine_context, unsigned_zero
from ..core._period import Period
from ..errors import EvaluationError, FactError, Location, PolicyError, UsageError
from ..facts._records import coerce_record
from ..language._previous import last_month
from ..model import RUNTIME, Policy, Rule, frozen_mapping
from ._engine_month import month_of as _month
from ._engine_month import period_of as _period
from ._fused import Fused
from ._program import Engine, Program
from ._result import Batch, Provenance, Result
from ._run_state import missing_previous

__all__ = ["Batch", "Provenance", "Result", "evaluate", "evaluate_many"]


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
    previous: Mapping[str, Any] | None = None,
) -> Result:
    """Evaluate every rule of ``policy`` over one record.

    ``others`` names fields of the record that other policies read (see
    :func:`policyengine.facts._records.coerce_record`). ``engine="reference"`` runs the
    reference evaluator instead of the compiled code (the same results). ``previous`` is
    the record's values of last month, as a month's history holds them (``{rule id:
    value}``), for the rules that read them with ``previous(name)``; without it, the
    record has no last month and each call gives its initial value.
    """
    past = policy.program_for(engine).past
    if past:  # the values last month gave, read as the calls name them
        given = {**_last_month(policy, past, record, index, previous), **(given or {})}
    outside = _outside(policy, record, index) if policy.given_names else None
    if outside:  # other policies' values the record gives, as an embedded test gives them
        given, others = {**outside, **(given or {})}, others | frozenset(outside)
    if engine == "compiled" and not given and not partial:
        fused = policy.program.fused
        if fused is not None:
            month, values = _month(policy, fused, period, in_force)
            if month is not None or not policy.reads_period:
                # The engine's context, as engine_context() enters it, without an object
                # per call: for one record that cost as much as a small rule.
                outer = getcontext()
                setcontext(_own_context())
                try:
                    return _fused(policy, fused, record, month, values, index, others)
                finally:
                    setcontext(outer)
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
    positions: Iterable[int] | None = None,
) -> Batch:
    """Evaluate each record; a bad record gives its error in place and the batch goes on.

    ``in_force=False`` lets a version be applied to a month it does not
    cover, for "what if" comparisons (:func:`policyengine.diff`). A record
    without a key is labelled by its position: in the batch from 0, or as
    ``positions`` gives it (a facts file's row numbers, as people count them).
    """
    if records is None or isinstance(records, Mapping | str | bytes):
        # One record, or none: each of its keys was "a record", or Python's TypeError.
        words = {"found": type(records).__name__}
        raise FactError.from_template("not-a-record-list", form="batch", words=words)
    numbered = zip(itertools.count() if positions is None else positions, records, strict=False)
    month = _period(policy, period, check=in_force)
    program = policy.program_for(engine)
    if program.past or policy.given_names:
        # No record has a last month here (each previous() its initial value), and a record
        # may give values of other policies' rules: each record evaluated alone.
        return Batch(tuple(_each(policy, numbered, month, others, engine)))
    fused = program.fused
    with engine_context():  # entered once for the batch, not per record
        if fused is not None and (month is not None or not policy.reads_period):
            return Batch(tuple(_fused_many(policy, fused, numbered, month, others)))

        def one(record: Mapping[str, Any], index: int) -> Result:
            return _evaluate(policy, program, record, month, index, others, {}, False, engine)

        return Batch(tuple(_outcome(one, record, index) for index, record in numbered))


def _each(
    policy: Policy,
    records: Iterable[tuple[int, Mapping[str, Any]]],
    month: Period | None,
    others: frozenset[str],
    engine: Engine,
) -> list[Result | PolicyError]:
    """Each record evaluated alone, or the error it raises."""
    one = functools.partial(
        evaluate, policy, period=month, others=others, in_force=False, engine=engine
    )
    return [_outcome(one, record, index) for index, record in records]


def _outcome(
    one: Callable[..., Result], record: Mapping[str, Any], index: int
) -> Result | PolicyError:
    """A record's result, or the error that refuses it: an error is the record's value."""
    try:
        return one(record, index=index)
    except PolicyError as exc:
        return exc


def _fused(
    policy: Policy,
    fused: Fused,
    record: Mapping[str, Any],
    month: Period | None,
    values: Mapping[str, Any] | None,
    index: int | None,
    others: frozenset[str],
) -> Result:
    """One record through the policy's fused function (``values``: what ``period`` reads);
    a record it gives up on is evaluated again rule by rule, which gives the value or
    the located error."""
    label = _label(policy, record, index)
    env = fused.reader(record) if fused.reader is not None else None
    if env is None:  # not the common record: the general path reads it, or says why not
        env = coerce_record(policy.inputs, record, label, others | policy.kind_fields)
    if values is not None:
        env["period"] = values
    try:
        fused.function(env)
    except Exception:  # any: the rule-by-rule path gives the located error (or the value)
        return _again(policy, record, month, index, others)
    return Result(policy, label, month, env, _NONE_GIVEN, "compiled")


def _fused_many(
    policy: Policy,
    fused: Fused,
    records: Iterable[tuple[int, Mapping[str, Any]]],
    month: Period | None,
    others: frozenset[str],
) -> list[Result | PolicyError]:
    """``_fused`` for each record (or the error it raises), with what is the same for
    every record taken once: the hot loop of a batch."""
    items: list[Result | PolicyError] = []
    append, function = items.append, fused.function
    fields, allowed = policy.inputs, others | policy.kind_fields
    reader = fused.reader  # the common record typed in one call (else the general path)
    month_values = month.as_mapping() if month is not None else None
    for index, record in records:
        label = _label(policy, record, index)
        env = reader(record) if reader is not None else None
        if env is None:
            try:
                env = coerce_record(fields, record, label, allowed)
            except PolicyError as exc:
                append(exc)
                continue
        if month_values is not None:
            env["period"] = month_values
        try:
            function(env)
        except Exception:  # any: the rule-by-rule path gives the located error (or the value)
            try:
                append(_again(policy, record, month, index, others))
            except PolicyError as exc:
                append(exc)
            continue
        append(Result(policy, label, month, env, _NONE_GIVEN, "compiled"))
    return items


def _again(
    policy: Policy,
    record: Mapping[str, Any],
    month: Period | None,
    index: int | None,
    others: frozenset[str],
) -> Result:
    """A record the fused function gave up on, evaluated rule by rule from the start."""
    return _evaluate(policy, policy.program, record, month, index, others, {}, False, "compiled")


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
        raise UsageError.from_template(
            "missing-period",
            location=Location(file=policy.file, record=label),
            words={"policy": policy.id, "version": policy.version},
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
            env[rule_id] = _unsigned(step(env, None))
        except Exception as exc:
            raise _located(policy, rule, env, label, exc) from exc
    # The env is this call's own: a read-only view of it needs no copy.
    given_ids = frozenset(given) if given else _NONE_GIVEN
    return Result(policy, label, month, env, given_ids, engine)


_NONE_GIVEN: frozenset[str] = frozenset()


def _unsigned(value: Any) -> Any:
    """A rule's value without a negative zero (``-0.00`` is ``0.00``), as a month stores it
    (result format 3); named values stay read-only."""
    unsigned = unsigned_zero(value)
    if unsigned is value or type(unsigned) is not dict:
        return unsigned
    return frozen_mapping(unsigned)  # a named value with a signed zero, made anew


def _last_month(
    policy: Policy,
    past: tuple[tuple[Rule, Mapping[str, tuple[str, Any]]], ...],
    record: Mapping[str, Any],
    index: int | None,
    previous: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """What each ``previous(name)`` of the policy reads for one record, from ``previous``
    or the call's initial value; a call with neither fails as its rule would."""
    values: dict[str, Any] = {}
    for rule, reads in past:
        try:
            values.update(last_month(reads, previous, _no_last_month))
            for value in values.values():
                _exact(value, Location())
        except PolicyError as exc:
            raise _located(policy, rule, {}, _label(policy, record, index), exc) from None
    return values


def _outside(policy: Policy, record: Any, index: int | None) -> dict[str, Any]:
    """The values of other policies' rules over this kind that ``record`` gives (it is a
    mapping holding the name the policy reads them by), as an embedded test's facts give
    them: a month's bundle would compute them; a record evaluated alone must bring them.
    A binary float is refused, as in any record."""
    if not isinstance(record, Mapping):
        return {}
    found = {name: record[name] for name in sorted(policy.given_names) if name in record}
    for name, value in found.items():
        _exact(value, Location(record=_label(policy, record, index), field=name))
    return found


def _exact(value: Any, where: Location) -> None:
    """Refuse a binary float given beside a record: an amount must be exact, as a
    record's own fields are."""
    if isinstance(value, float):
        details = {"value": brief(value)}
        raise FactError.from_template(
            "float-not-allowed", form="amount", location=where, details=details
        )


def _no_last_month(name: str) -> PolicyError:
    return missing_previous(name, None)


def _label(policy: Policy, record: Any, index: int | None) -> int | str | None:
    if policy.key and (type(record) is dict or isinstance(record, Mapping)):
        key = record.get(policy.key)
        if type(key) is str or (isinstance(key, str | int) and not isinstance(key, bool)):
            return key
    return index


#: Each thread's own copy of the engine's context, for one record's evaluation.
_THREAD = threading.local()


def _own_context() -> decimal.Context:
    mine: decimal.Context | None = getattr(_THREAD, "context", None)
    if mine is None:
        mine = _THREAD.context = CONTEXT.copy()
    return mine


def _needs_bundle(policy: Policy, rule: Rule, label: int | str | None) -> PolicyError:
    return UsageError.from_template(
        "needs-bundle",
        location=Location(file=policy.file, line=rule.line, rule_id=rule.id, record=label),
        words={"rule_id": rule.id, "kind": rule.kind},
    )


def _located(
    policy: Policy, rule: Rule, env: Mapping[str, Any], label: int | str | None, exc: Exception
) -> PolicyError:
    """A rule's failure as located data, with the values the rule read."""
    if isinstance(exc, PolicyError):
        error = exc
    else:  # a defect in a kind must still come out as located data
        error = EvaluationError.from_template("internal-error", words={"failure": repr(exc)})
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
