"""``previous(name)`` and ``previous(name, initial)``: last month's value, in an expression.

An output that carries state from month to month ("once regular, stays
regular", a streak of months on target) reads its own value of last month.
Read as an ordinary name that would be a loop (``regular`` reads
``regular``); but last month's value is history, not this month's work, so
the call is no read of this month at all:

- the checker replaces the call by a name of its own, ``previous(regular)``,
  which no policy can write (it is no identifier), and records it in
  ``Expression.past`` with the name read and the initial value;
- name resolution checks the name read, and does not count it as a
  dependency, so the month's order has no loop;
- a month's run gives the name last month's value from its history, as a
  ``history`` rule with ``measure: previous`` is given it, or the initial
  value for a record with no last month (the first month). Without an
  initial value, a record with no last month fails with ``missing-history``.

The initial value is a written value: a number, a percentage, text,
``True`` or ``False``.

One record evaluated alone (``Policy.evaluate(record, previous=…)``, an embedded
test's ``previous:``) is given last month's values as a month's history gives
one record's: ``{rule id: value}``, a rule with named outputs a mapping of
them. :func:`last_month` reads them the same way for both.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from ..errors import ExpressionError

#: The function's name in an expression.
PREVIOUS = "previous"
#: What ``Expression.past`` holds for a call without an initial value.
NO_INITIAL: Any = None
#: A value last month's record does not hold.
_ABSENT: Any = object()

#: What ``previous(…)`` calls read: the key each is read as -> (name read, initial value).
PastReads = Mapping[str, tuple[str, Any]]


def past_key(name: str) -> str:
    """The name the call is read as: one no policy can write."""
    return f"{PREVIOUS}({name})"


def read_previous(node: ast.Call, said: Any) -> tuple[str, str, Any]:
    """(the key it is read as, the name read, the initial value or NO_INITIAL) of a
    checked ``previous(…)`` call; its arguments are already visited (numbers exact)."""
    args = node.args
    if not 1 <= len(args) <= 2:
        raise _wrong(said)
    target = args[0]
    if isinstance(target, ast.Name):
        name = target.id
    elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
        name = f"{target.value.id}.{target.attr}"
    else:
        raise _wrong(said)
    initial = NO_INITIAL
    if len(args) == 2:
        given = args[1]
        value = given.value if isinstance(given, ast.Constant) else None
        if not isinstance(value, bool | str | Decimal | int):
            raise _wrong(said)
        initial = value
    return past_key(name), name, initial


def _wrong(said: Any) -> ExpressionError:
    error: ExpressionError = said("forbidden-syntax", "previous", {}, construct="previous")
    return error


def last_month(
    past: PastReads,
    record: Mapping[str, Any] | None,
    missing: Callable[[str], Exception],
    null_is_missing: bool = True,
) -> dict[str, Any]:
    """The values the calls ``past`` read, by the key each is read as: from ``record``
    (last month's values of the record, None when it had no last month), else the
    call's initial value; without one, ``missing(name)`` is raised. A null value (a rank
    of a record that was not eligible) is no value: the initial value stands for it,
    except in a run recorded before result format 4 (``null_is_missing`` False)."""
    values: dict[str, Any] = {}
    for read_as, (name, initial) in past.items():
        base, _, part = name.partition(".")
        value = record.get(base, _ABSENT) if record is not None else _ABSENT
        if part and isinstance(value, Mapping):
            value = value.get(part, _ABSENT)
        if value is _ABSENT or (value is None and null_is_missing):
            if initial is NO_INITIAL:
                raise missing(name)
            value = initial
        values[read_as] = value
    return values
