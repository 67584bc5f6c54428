"""What one policy reads of another, typed: a slip across policies refused at load.

A version is type-checked alone when it is built (:mod:`policyengine.load._type_check`),
and there a value of another policy is unknown: ``commission_started == "true"``
compared a yes/no value with text, never matched, and paid no rep commission, yet
passed ``validate``. Once the bundle of a month is planned, each name a policy reads
of another is given by a rule in force, whose type that rule's own check found
(``Policy.value_types``). Each expression reading such a name is typed again with
those types known, beside the fields of the record kinds (``entities.yaml``) and the
policy's own rules; what this finds that the same expression typed without them
does not (a mistake that needs the other policy's value to be seen) is reported,
at the place it is written, in the words of the build's check.

Parameters stay unknown here: a mistake between a parameter and a value of the
policy itself was said when the version was built, and is not said twice.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any

from ..core._problems import Problems
from ..language._expressions import Expression
from ..language._types_infer import Found, Type, infer
from ..model import Policy
from ..read._source import read_policy_bytes
from ._slip_checks import slips_checked
from ._type_check import field_type, said_details
from ._types import at_node, source_lines

__all__ = ["check_reads"]

#: (kind, rule id) -> the policy whose rule gives that value in the bundle.
Givers = Mapping[tuple[str, str], Policy]


def check_reads(policy: Policy, givers: Givers, entities: Any, problems: Problems) -> None:
    """Each expression of ``policy`` that reads another policy's value, typed with that
    value's type known; what only that knowledge shows is added to ``problems``."""
    external = _external_types(policy, givers)
    if not external or not slips_checked():
        return
    own, known = _lookup(policy, entities, {}), _lookup(policy, entities, external)
    seen: set[tuple[str, str]] = set()
    located: _Locator | None = None
    for read in policy.external:
        rule = policy.rule(read.rule_id)
        expression = next((e for e in rule.expressions if e.source == read.source), None)
        if expression is None or (read.rule_id, read.pointer) in seen:
            continue
        seen.add((read.rule_id, read.pointer))
        new = _only_with(expression, own, known)
        if new and located is None:
            located = _Locator(policy)
        for code, form, node, details in new:
            assert located is not None
            where = located.at(read.pointer, expression, node)
            said = said_details(details, rule.id, expression, node)
            problems.add(code, where, form=form, **said)


def _external_types(policy: Policy, givers: Givers) -> dict[str, Type]:
    """The type of each name ``policy`` reads of another policy, as it is written
    (``x``, ``x.part``, ``team.x``), where the giving rule's type is known."""
    found: dict[str, Type] = {}
    for read in policy.external:
        kind = read.kind or policy.record_kind
        giver = givers.get((kind, read.name))
        if giver is None:
            continue  # a field of the kind, or a name the plan reports as unknown
        given = giver.value_types.get(read.name)
        if read.attr is not None:
            given = given.get(read.attr) if isinstance(given, Mapping) else None
        elif isinstance(given, Mapping):
            given = None  # a rule of named outputs read whole: the plan says so
        if given is None:
            continue
        name = read.name if read.attr is None else f"{read.name}.{read.attr}"
        # A parent's value is written with its kind (team.x), the record's own bare.
        found[name if kind == policy.record_kind else f"{kind}.{name}"] = given
    return found


def _lookup(policy: Policy, entities: Any, external: Mapping[str, Type]) -> Callable[[str], Type]:
    """Types of the names an expression of ``policy`` reads: the record kinds' fields
    (its own kind's and its ancestors' as ``team.x``), its own rules and ``external``."""
    kinds = getattr(entities, "kinds", {})
    own_kind = policy.record_kind
    own_fields = kinds[own_kind].fields if own_kind in kinds else policy.inputs
    ancestors = entities.ancestors(own_kind) if own_kind in kinds else ()

    def type_of(name: str) -> Type:
        if name in external:
            return external[name]
        base, _, part = name.partition(".")
        if base in ancestors and part:
            return field_type(kinds[base].fields.get(part))
        if not part and base in own_fields:
            return field_type(own_fields[base])
        given = policy.value_types.get(base)
        if isinstance(given, Mapping):
            return given.get(part) if part else None
        return None if part else given

    return type_of


def _only_with(
    expression: Expression, without: Callable[[str], Type], known: Callable[[str], Type]
) -> list[Found]:
    """The mistakes found in ``expression`` with ``known`` that it shows without them."""
    before: list[Found] = []
    infer(expression.tree, without, before)
    said = {(code, id(node)) for code, _, node, _ in before}
    after: list[Found] = []
    infer(expression.tree, known, after)
    return [found for found in after if (found[0], id(found[2])) not in said]


class _Locator:
    """Where a node of one of the policy's expressions is written, from its file read
    again (only when there is something to say: the policy holds no source map)."""

    def __init__(self, policy: Policy) -> None:
        self.problems = Problems(document=read_policy_bytes(policy.raw, policy.file))
        self.lines = source_lines(self.problems)

    def at(self, pointer: str, expression: Expression, node: ast.expr) -> Any:
        where = at_node(self.problems, pointer, expression, node, self.lines)
        return self.problems.where(where) if isinstance(where, str) else where
