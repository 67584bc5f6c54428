"""Every expression of a policy typed at load time: a mistake of kind refused where it is written.

Each name an expression reads gets its type (:mod:`policyengine.language._types_infer`
says what the types are and how operators and functions combine them):

- a field, from its declared type (``inputs:`` or ``entities.yaml``, the
  record's own kind or a parent's as ``team.x``): ``money`` is money,
  ``int`` a count, ``decimal`` a number, ``bool`` boolean, ``string`` and
  ``enum`` text, ``date`` a date;
- a parameter, from its value: a percentage (``3.8%``, or ``unit: %``) is a
  rate, another number a number, ``true``/``false`` boolean, text text;
- a rule, from what it gives: a formula the type of its expression, a band's
  or row's value the type of the values written (an ``{expr: …}`` the type of
  its expression), a count or streak a count, a roll-up the type of what it
  adds up, ``measure: previous`` the type of what it reads;
- ``period.start``/``period.end`` dates, ``period.key`` text, the other parts
  counts.

What no declaration says (another policy's rule, a ranking, a check's parts)
is not known, and nothing unknown is ever reported: a problem is found only
where both sides of it are known.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from ..core._problems import Problems
from ..language._expressions import Expression
from ..language._previous import PREVIOUS
from ..language._types_infer import Found, Type, infer
from ..model import Field, Parameter, Rule
from ..rules import kind_of
from ..rules.base import Slip, TypeReader
from ._names import Scope
from ._slip_checks import slips_checked
from ._types import at_node, source_lines

_FIELD_TYPES = {
    "money": "money",
    "int": "count",
    "decimal": "number",
    "bool": "boolean",
    "string": "text",
    "enum": "text",
    "date": "date",
    "list": "list",
}
_PERIOD_TYPES = {"start": "date", "end": "date", "key": "text"}
#: What each type is called in a message (the words a policy author knows).
#: Each is a phrase of core/_phrases.py, so that another language says it in its words.
_SAID = {
    "money": "money",
    "rate": "a rate",
    "count": "a count",
    "number": "a number",
    "text": "text",
    "boolean": "a yes/no value",
    "date": "a date",
    "list": "a list",
}


def check_types(
    scope: Scope,
    sites: Mapping[str, list[tuple[str, Expression, str | None]]],
    problems: Problems,
) -> dict[str, Any]:
    """Report every mistake of kind in every expression of the policy; return the type
    of each parameter and of each rule's value (``Policy.value_types``: what the bundle's
    check knows of the policy's own names)."""
    # A parameter already reported (a number in words) is not known: one slip, one message.
    reported = {p.location.pointer for p in problems.found}
    parameters = {
        name: type_
        for name, type_ in _parameter_types(
            scope.parameters, getattr(problems.document, "data", None)
        ).items()
        if not any(str(r).startswith(f"/parameters/{name}") for r in reported)
    }
    types = _Types(scope, parameters)
    known = {**parameters, **{rule_id: types.rule(rule_id) for rule_id in scope.rules}}
    if not slips_checked():  # a past run rebuilt to replay: typed, not refused
        return known
    lines = source_lines(problems)
    for rule_id, located in sites.items():
        for pointer, expr, kind in located:
            found: list[Found] = []
            infer(expr.tree, types.lookup(kind), found)
            for code, form, node, details in found:
                said = said_details(details, rule_id, expr, node)
                problems.add(code, at_node(problems, pointer, expr, node, lines), form=form, **said)
    for rule in scope.rules.values():
        if (slip := kind_slip(rule, types)) is not None:
            code, form, below, words = slip
            problems.add(code, rule.pointer + below, form=form, **words)
    return known


def kind_slip(rule: Rule, types: TypeReader) -> Slip:
    """The slip of kind the rule's own spec makes, as its kind sees it with ``types``
    (``RuleKind.slip``), its types said in a policy author's words; None without one."""
    kind = kind_of(rule.kind)
    found = kind.slip(rule.spec, types) if kind is not None and rule.spec is not None else None
    if found is None:
        return None
    code, form, below, words = found
    return code, form, below, {k: _SAID.get(v, v) for k, v in words.items()}


def said_details(
    details: Mapping[str, Any], rule_id: str, expr: Expression, node: ast.expr
) -> dict[str, Any]:
    """A mistake's details as its template says them: each type in a policy author's
    words, with the rule, the expression and the part of it that is wrong."""
    said = {k: v if k == "operator" else _SAID.get(v, v) for k, v in details.items()}
    said.update(rule_id=rule_id, expression=expr.source, part=_part(expr, node))
    return said


def _part(expr: Expression, node: ast.expr) -> str:
    """The text of ``node`` as written (the whole expression when it cannot be cut out)."""
    try:
        segment = ast.get_source_segment(expr.source.strip(), node)
    except (TypeError, ValueError):
        segment = None
    return segment or expr.source


def _parameter_types(parameters: Mapping[str, Parameter], data: Any) -> dict[str, Type]:
    declared = data.get("parameters") if isinstance(data, Mapping) else None
    found: dict[str, Type] = {}
    for name, parameter in parameters.items():
        written = declared.get(name) if isinstance(declared, Mapping) else None
        if isinstance(written, Mapping):
            written = written.get("value")
        percent = isinstance(written, str) and written.strip().endswith(("%", "％"))
        found[name] = _value_type(parameter.value)
        if found[name] == "number" and (percent or parameter.unit in ("%", "％")):
            found[name] = "rate"
    return found


def _value_type(value: Any) -> Type:
    """The type of a value written in YAML (a band's, a row's, a parameter's)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, Decimal | int):
        return "number"
    if isinstance(value, str):
        return "text"
    return None


class _Types:
    """The type of every name an expression over a kind reads; rules' found once, on demand."""

    def __init__(self, scope: Scope, parameters: Mapping[str, Type]) -> None:
        self.scope = scope
        self.parameters = parameters
        self.rules: dict[str, Mapping[str, Type] | Type] = {}
        self._open: set[str] = set()

    def lookup(self, kind: str | None) -> Callable[[str], Type]:
        scope = self.scope
        own = kind is None or kind == scope.own_kind
        fields = scope.kind_fields(None if own else kind)
        ancestors = scope.ancestors.get(None if own else kind, ())

        def type_of(name: str) -> Type:
            base, part = name_parts(name)
            if base == "period" and part:
                return period_type(part)
            if base in ancestors and part:
                return field_type(self.scope.kind_fields(base).get(part))
            if not part and base in fields:
                return field_type(fields[base])
            if not part and base in self.parameters:
                return self.parameters[base]
            if own and base in scope.rules:
                return part_type(self.rule(base), part)
            return None

        return type_of

    def rule(self, rule_id: str) -> Mapping[str, Type] | Type:
        """What a rule gives: a type, or a type per named output."""
        if rule_id in self.rules:
            return self.rules[rule_id]
        if rule_id in self._open:
            return None  # a loop: reported as dependency-cycle elsewhere
        self._open.add(rule_id)
        try:
            given = _rule_type(self.scope.rules[rule_id], self)
        finally:
            self._open.discard(rule_id)
        self.rules[rule_id] = given
        return given

    def of(self, expr: Expression | None, kind: str | None = None) -> Type:
        """The type of an expression, its mistakes left to its own site."""
        return None if expr is None else infer(expr.tree, self.lookup(kind), [])

    def written(self, values: Sequence[Any]) -> Mapping[str, Type] | Type:
        """The one type of the values bands or rows give (per name, for named values)."""
        return written_type(list(values), self)

    def name(self, name: str) -> Type:
        """The type of a name the policy's own kind reads."""
        return self.lookup(None)(name)


def name_parts(name: str) -> tuple[str, str]:
    """A name as an expression reads it: ``base.part`` (part "" for a bare name), and
    ``previous(x)`` as ``x`` (last month's value is of the type of this month's)."""
    while name.startswith(PREVIOUS + "(") and name.endswith(")"):
        name = name[len(PREVIOUS) + 1 : -1]
    base, _, part = name.partition(".")
    return base, part


def part_type(given: Mapping[str, Type] | Type, part: str) -> Type:
    """What a name reads of a rule's type (``given``): one output of a rule of named
    outputs (``x.part``), or the value of a rule of one value; None for any other reading
    (a rule of named outputs read whole, a part of a rule of one value)."""
    if isinstance(given, Mapping):
        return given.get(part) if part else None
    return None if part else given


def period_type(part: str) -> Type:
    """The type of ``period.<part>``: its first and last days dates, its key text, the
    other parts counts."""
    return _PERIOD_TYPES.get(part, "count")


def field_type(field: Field | None) -> Type:
    return None if field is None else _FIELD_TYPES.get(field.type)


def _rule_type(rule: Rule, types: _Types) -> Mapping[str, Type] | Type:
    """The type of a rule's value, as its kind says (``value_type``); None where it does not."""
    kind = kind_of(rule.kind)
    if rule.spec is None or kind is None:
        return None
    return kind.value_type(rule.spec, types)


def written_type(values: list[Any], types: TypeReader) -> Mapping[str, Type] | Type:
    """The one type of the values a band or row gives (per name, for named values)."""
    if values and all(isinstance(v, Mapping) for v in values):
        names = dict.fromkeys(n for v in values for n in v)
        return {n: _one([v.get(n) for v in values], types) for n in names}
    return _one(values, types)


def _one(values: list[Any], types: TypeReader) -> Type:
    found = {types.of(v) if isinstance(v, Expression) else _value_type(v) for v in values}
    if len(found) == 1:
        return found.pop()
    if found <= {"money", "number"}:
        return "money"  # a computed amount beside written amounts: money
    return None
