"""One value of a month's result, asked for by record and output: there, failed, or absent.

Every accessor of :class:`~policyengine.run._bundle_result.BundleResult` that
reads one record takes its arguments in one order, the record first and then
what of it: ``(kind, key, output)`` for ``value``, ``trace`` and ``explain``,
``(kind, key, policy)`` for ``result_for``. Before any of them reads, this
module says what is wrong, most general first: a kind the month does not
have (``unknown-kind``), an output no rule of the kind gives
(``unknown-output``), a record that failed (``failed-record``: its facts were
refused, or — failures kept by record — one of its values failed), a record
that is not there (``unknown-record``), a value that failed
(``failed-value``). A failure is said with its root cause, code and message,
so the caller learns why without searching the run's errors.

Calls in the order of earlier releases (``value(policy, key, output)``,
``result_for(policy, key)``) are told apart by their first argument, which
then names a policy and not a kind, and still work with a DeprecationWarning.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from ..core._suggest import did_you_mean
from ..errors import PolicyError, UsageError
from ..model import Policy
from ._run_state import RunState, root


def kind_named(
    state: RunState, policies: Iterable[Policy], first: str, call: str, old: bool = False
) -> str:
    """The kind a call's first argument names; a policy id (the order of earlier
    releases, the only one when ``old``) gives the kind that policy applies to, with a
    DeprecationWarning. A name that is both a kind and a policy is read as the kind."""
    kinds = _kinds(state)
    if first in kinds and not old:
        return first
    by_id = {policy.id: policy for policy in policies}
    if first in by_id:
        warnings.warn(
            f"{call}(policy, key, …) is deprecated: name the record first, "
            f"{call}({by_id[first].record_kind!r}, key, …)",
            DeprecationWarning,
            stacklevel=4,
        )
        return by_id[first].record_kind
    raise UsageError(
        f"no kind of record '{first}' in this month",
        code="unknown-kind",
        hint=did_you_mean(first, kinds) or "the kinds are " + ", ".join(kinds),
    )


def check_output(state: RunState, kind: str, name: str) -> None:
    """``unknown-output`` unless a rule of ``kind`` gives ``name`` (``rule`` or ``rule.part``)."""
    rule_id = name.split(".", 1)[0]
    node = state.plan.node(kind, rule_id)
    outputs = [n for x in state.plan.nodes if x.kind == kind for n in x.rule.output_names]
    if node is None or (name not in outputs and name != rule_id):
        raise UsageError(
            f"no output named '{name}' for {kind} records",
            code="unknown-output",
            hint=did_you_mean(name, outputs),
        )


def check_record(state: RunState, errors: Iterable[PolicyError], kind: str, key: str) -> None:
    """``failed-record`` for a record refused or (by record) failed; ``unknown-record`` for
    one the month does not hold."""
    refused = state.fact_errors.get((kind, key))
    if refused is not None:
        raise _failed_record(kind, key, "its facts were refused", refused, errors)
    first = state.failed.get(kind, {}).get(key) if not state.by_value else None
    if first is not None:
        raise _failed_record(kind, key, "a value failed and the run kept none of it", first, errors)
    if key not in state.envs.get(kind, {}):
        raise UsageError(
            f"no {kind} record {key!r} in this month",
            code="unknown-record",
            hint="the month's records of that kind are listed by keys(kind)",
            details={"kind": kind, "record": key},
        )


def check_value(
    state: RunState, errors: Iterable[PolicyError], kind: str, key: str, name: str
) -> None:
    """``failed-value`` when the value ``name`` of this record failed, naming its root."""
    error = state.failures.get(kind, {}).get(key, {}).get(name.split(".", 1)[0])
    if error is None:
        return
    cause = root_error(error, errors)
    failed = UsageError(
        f"{kind} {key} has no value for '{name}': {error.code}: {error.message}"
        + ("" if cause is error else f"; root cause: {_said(cause, kind, key)}"),
        code="failed-value",
        hint=_HINT,
        details={"kind": kind, "record": key, "error": error.to_dict(), "root": _root(cause)},
    )
    raise failed from error


def root_error(error: PolicyError, errors: Iterable[PolicyError]) -> PolicyError:
    """The root cause ``error`` names, among the run's ``errors``; itself when it is one."""
    wanted = error.details.get("root")
    if wanted is None:
        return error
    return next((e for e in errors if root(e) == wanted), error)


def _failed_record(
    kind: str, key: str, how: str, error: PolicyError, errors: Iterable[PolicyError]
) -> UsageError:
    cause = root_error(error, errors)
    failed = UsageError(
        f"{kind} {key} failed: {how}: {_said(cause, kind, key)}",
        code="failed-record",
        hint=_HINT,
        details={"kind": kind, "record": key, "error": error.to_dict(), "root": _root(cause)},
    )
    failed.__cause__ = error
    return failed


def _said(error: PolicyError, kind: str, key: str) -> str:
    """A root cause in a few words: whose (unless the record asked for), which rule or
    field, its code and message."""
    whose = (error.details.get("kind"), error.location.record)
    where = [] if whose == (kind, key) else [str(part) for part in whose if part is not None]
    if error.location.rule_id:
        where.append(f"rule '{error.location.rule_id}'")
    elif error.location.field:
        where.append(f"field '{error.location.field}'")
    place = " ".join(part for part in where if part)
    return f"{place + ': ' if place else ''}{error.code}: {error.message}"


def _root(error: PolicyError) -> Mapping[str, Any]:
    """The root cause as data: as ``details["root"]`` names it elsewhere, with its message."""
    return {**root(error), "message": error.message}


#: What to do about a failure, said with every one.
_HINT = "correct the root cause, which the run's errors locate, and run the month again"


def _kinds(state: RunState) -> list[str]:
    return sorted({*state.plan.entities.kinds, *(node.kind for node in state.plan.nodes)})
