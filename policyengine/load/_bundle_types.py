"""What one policy reads of another, typed: a slip across policies refused at load.

A version is type-checked alone when it is built (:mod:`policyengine.load._type_check`),
and there a value of another policy is unknown: ``commission_started == "true"``
compared a yes/no value with text, never matched, and paid no rep commission, yet
passed ``validate``. Once the bundle of a month is planned, each value is given by one
rule in force, and the plan's order puts every rule after the rules it reads. So the
rules are typed in that order (:func:`type_plan`): a rule keeps the type its own
policy's check found (``Policy.value_types``), and a rule that check could not type
(a team's ``team_sales``, the sum of another policy's ``performance_sales``) is typed
again by its kind with the types before it known. Then each expression that reads
another rule is typed with the bundle's types, beside the record kinds' fields; what
that finds and the same expression typed with its own policy's knowledge alone does
not (:func:`check_reads`) is reported where it is written, in the words of the
build's check.

A policy's parameters are known by their type too (a mistake between a parameter
and a value of the policy itself was said when the version was built, and is not
said twice).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from typing import Any

from ..core._problems import Problems
from ..language._expressions import Expression
from ..language._types_infer import Found, Type, infer
from ..model import Policy, Read, Rule
from ..read._source import read_policy_bytes
from ..rules import kind_of
from ._slip_checks import slips_checked
from ._type_check import (
    field_type,
    kind_slip,
    name_parts,
    part_type,
    period_type,
    said_details,
    written_type,
)
from ._types import at_node, source_lines

__all__ = ["BundleTypes", "check_reads", "type_plan"]

#: The type of each rule of a bundle by (kind, rule id): one type, or one per named output.
BundleTypes = dict[tuple[str, str], Any]


def type_plan(order: Sequence[tuple[Policy, Rule]], entities: Any) -> BundleTypes:
    """Each rule's type, in the plan's order (a rule after the rules it reads)."""
    found: BundleTypes = {}
    for policy, rule in order:
        given = policy.value_types.get(rule.id)
        kind = kind_of(rule.kind)
        if given is None and kind is not None and rule.spec is not None:
            given = kind.value_type(rule.spec, _Reader(policy, entities, found))
        found[(policy.record_kind, rule.id)] = given
    return found


def check_reads(policy: Policy, types: BundleTypes, entities: Any, problems: Problems) -> None:
    """Each expression of ``policy`` that reads a rule, typed with the bundle's types;
    what only they show is added to ``problems``."""
    if not slips_checked():
        return
    alone = _Reader(policy, entities, {}).lookup()
    known = _Reader(policy, entities, types).lookup()
    located: _Locator | None = None
    for read in _reads(policy):
        rule = policy.rule(read.rule_id)
        expression = next((e for e in rule.expressions if e.source == read.source), None)
        if expression is None:
            continue
        for code, form, node, details in _only_with(expression, alone, known):
            located = located or _Locator(policy)
            where = located.at(read.pointer, expression, node)
            problems.add(code, where, form=form, **said_details(details, rule.id, expression, node))
    alone_types, known_types = _Reader(policy, entities, {}), _Reader(policy, entities, types)
    for rule in policy.rules:  # a slip its kind sees only with another policy's types
        if kind_slip(rule, alone_types) is None and (slip := kind_slip(rule, known_types)):
            code, form, below, words = slip
            located = located or _Locator(policy)
            problems.add(code, located.problems.where(rule.pointer + below), form=form, **words)


def _reads(policy: Policy) -> list[Read]:
    """One read of each expression that reads a rule (of this policy or another)."""
    seen: set[tuple[str, str]] = set()
    found = []
    for read in (*policy.external, *(r for rule in policy.rules for r in rule.reads_from)):
        if (read.rule_id, read.pointer) not in seen:
            seen.add((read.rule_id, read.pointer))
            found.append(read)
    return found


class _Reader:
    """The types an expression of ``policy`` sees (``rules.base.TypeReader``): the record
    kinds' fields, the bundle's rules as ``types`` has them and, where it has none, the
    policy's own rules as its check found them."""

    def __init__(self, policy: Policy, entities: Any, types: BundleTypes) -> None:
        self.policy, self.types = policy, types
        self.kinds = getattr(entities, "kinds", {})
        self.ancestors = entities.ancestors if entities is not None else lambda kind: ()

    def lookup(self, kind: str | None = None) -> Callable[[str], Type]:
        policy, types = self.policy, self.types
        over = kind or policy.record_kind
        own = over == policy.record_kind
        fields = self.kinds[over].fields if over in self.kinds else policy.inputs if own else {}
        above = self.ancestors(over) if over in self.kinds else ()

        def type_of(name: str) -> Type:
            base, part = name_parts(name)
            if base == "period" and part:
                return period_type(part)
            if base in above and part:
                if part in self.kinds[base].fields:
                    return field_type(self.kinds[base].fields[part])
                return part_type(types.get((base, part)), "")
            if not part and base in fields:
                return field_type(fields[base])
            given = types.get((over, base))
            if given is None and own:
                given = policy.value_types.get(base)
            return part_type(given, part)

        return type_of

    def of(self, expr: Expression | None, kind: str | None = None) -> Type:
        return None if expr is None else infer(expr.tree, self.lookup(kind), [])

    def written(self, values: Sequence[Any]) -> Any:
        return written_type(list(values), self)

    def name(self, name: str) -> Type:
        return self.lookup()(name)


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
