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
"""

from __future__ import annotations

import ast
from decimal import Decimal
from typing import Any

from ..errors import ExpressionError

#: The function's name in an expression.
PREVIOUS = "previous"
#: What ``Expression.past`` holds for a call without an initial value.
NO_INITIAL: Any = None


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
