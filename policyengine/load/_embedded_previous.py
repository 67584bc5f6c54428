"""An embedded test's ``previous:``: the record's values of last month, checked at load.

A case of a policy whose rules read last month (``previous(name)``) says what
the record had then as a month's history says it, ``{name: value}``: each name
one a ``previous(…)`` call of the policy reads (a rule's id, or ``id.part`` of a
rule with named outputs), each value one written value of the kind the call's
initial value is (a number or percentage, text, ``true``/``false``). A case
without ``previous:`` is a record's first month: every call gives its initial
value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core._number_text import to_decimal
from ..core._numbers import is_number
from ..core._suggest import did_you_mean
from ..model import Rule
from ..read._source_map import pointer_part
from ._build_problems import BuildProblems

#: What a written value is, in a message (each a phrase of core/_phrases.py).
_KINDS = {bool: "a yes/no value", str: "text"}


def check_previous(
    problems: BuildProblems, at: str, given: Mapping[str, Any], rules: Mapping[str, Rule]
) -> None:
    """Each name of ``given`` one that a ``previous(…)`` call reads, with one value of the
    kind of the call's initial value."""
    initials = _read(rules)
    for name, value in given.items():
        where = f"{at}/{pointer_part(name)}"
        if name not in initials:
            hint = did_you_mean(name, list(initials))
            problems.add(
                "unknown-name", where, form="test-previous", at_key=True, hint=hint, name=name
            )
            continue
        wanted = _kind(initials[name])
        found = _kind(value)
        if found == "text" and wanted == "a number" and _written_number(value):
            continue  # a percentage, as a case's facts write one
        if found is None or (wanted is not None and found != wanted):
            problems.add(
                "bad-previous-value",
                where,
                name=name,
                wanted=wanted or "one value",
                found=found or "a list or mapping",
            )


def _read(rules: Mapping[str, Rule]) -> dict[str, Any]:
    """Each name a ``previous(…)`` call of the policy reads -> its initial value (the
    first call's that has one)."""
    found: dict[str, Any] = {}
    for rule in rules.values():
        for expr in rule.expressions:
            for name, initial in expr.past.values():
                if found.get(name) is None:
                    found[name] = initial
    return found


def _kind(value: Any) -> str | None:
    """What a written value is (None: not one value)."""
    if isinstance(value, bool | str):
        return _KINDS[type(value)]
    return "a number" if is_number(value) else None


def _written_number(text: str) -> bool:
    try:
        to_decimal(text)
    except ValueError:
        return False
    return True
