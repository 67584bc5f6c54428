"""What both engines of the expression language do alike at run time.

The compiled code (:mod:`policyengine.language._compiler`) and the reference evaluator
(:mod:`policyengine.language._reference_evaluator`) must give the same value or the
same error for every expression; the differential tests hold them to it.
What they can share, they share from here, so that it cannot drift apart:
reading ``name.part``, the details every evaluation error carries (the
expression and the values it read), and the one translation of an
unforeseen Python exception into an :class:`EvaluationError`.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..codes import ErrorCode
from ..errors import EvaluationError
from ._value_kinds import fail, show

#: Record types checked by identity first: the Mapping ABC check is slow.
_RECORDS = frozenset({dict, MappingProxyType})


def attribute(base: Any, attr: str, base_name: str) -> Any:
    """``base.attr``: a part of a record or of a rule with named outputs (both engines)."""
    if type(base) in _RECORDS or isinstance(base, Mapping):
        try:
            return base[attr]
        except KeyError:
            name = f"{base_name}.{attr}"
            raise fail("unknown-attribute", "", name=name) from None
    name = f"{base_name}.{attr}"
    words = {"name": name, "shown": show(base)}
    if attr in ("year", "month"):
        words.update(part=attr, base=base_name)
    form = "date-part" if attr in ("year", "month") else "no-parts"
    raise fail("unknown-attribute", form, words, name=name)


def where(
    source: str,
    names: frozenset[str],
    env: Mapping[str, Any],
    constants: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The details every evaluation error carries: the expression and the values it read."""
    scope = {**(constants or {}), **env} if constants else env
    try:
        values = {name: scope[name] for name in sorted(names) if name in scope}
    except Exception:  # values that fail on lookup must not hide the error being reported
        values = {}
    return {"expression": source, "values": values}


def translate(
    error: Exception,
    source: str,
    names: frozenset[str],
    env: Mapping[str, Any],
    constants: Mapping[str, Any] | None = None,
) -> EvaluationError:
    """An unforeseen exception as the :class:`EvaluationError` the reference gives for it."""
    code: ErrorCode = "evaluation-failed"
    words: dict[str, Any] = {"failure": repr(error)}
    details: dict[str, Any] = {}
    if isinstance(error, KeyError) and error.args and isinstance(error.args[0], str):
        # Compiled name reads are env[...]: a missing key is a missing value.
        code, details = "missing-value", {"name": error.args[0]}
        words = details
    elif isinstance(error, ZeroDivisionError):  # decimal.DivisionByZero is one
        code, words = "division-by-zero", {}
    elif isinstance(error, decimal.Overflow):
        code, words = "number-too-large", {}
    elif isinstance(error, decimal.InvalidOperation):
        code, words = "invalid-operation", {}
    return fail(code, "", words, **details, **where(source, names, env, constants))
