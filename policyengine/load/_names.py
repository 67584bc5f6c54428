"""Name resolution: what every name in every expression of a policy refers to.

A name is a field of the record being read, a parameter of the policy,
another rule's output, ``period``, or — beside ``entities.yaml`` — the kind
of an ancestor record (``team.sales_target`` from a rep rule). Inside one
policy file, an unknown name is an error with "did you mean". Beside
``entities.yaml``, a name no field, parameter or own rule gives may be
another policy's rule: it is kept as an *external read*, and the bundle's
plan checks it against the policies in force (still at load time).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ..core._period import PERIOD_ATTRIBUTES
from ..core._problems import Problems
from ..core._suggest import did_you_mean
from ..language._expressions import Expression
from ..model import Field, Parameter, Read, Rule
from ._types import check_comparisons


def bare_names(expr: Expression) -> frozenset[str]:
    """Names an expression reads whole, not as ``name.part`` (the checker recorded them)."""
    return expr.bare


@attrs.frozen
class Scope:
    """What the expressions of one policy may read."""

    own_kind: str | None
    fields: Mapping[str | None, Mapping[str, Field]]  # by kind; None = own kind
    parameters: Mapping[str, Parameter]
    rules: Mapping[str, Rule]
    ancestors: Mapping[str | None, tuple[str, ...]]  # kinds reachable as ``kind.x``
    open: bool  # beside entities.yaml: unknown names are other policies' rules

    def kind_fields(self, kind: str | None) -> Mapping[str, Field]:
        return self.fields.get(kind if kind != self.own_kind else None, {}) or self.fields.get(
            kind, {}
        )


@attrs.frozen
class _Known:
    """What an expression over one kind may read, prepared once per kind: every
    expression of a policy asks, and rebuilding it each time made loading quadratic."""

    names: tuple[str, ...]  # in the order suggestions prefer
    members: frozenset[str]
    rules: Mapping[str, Rule]
    ancestors: tuple[str, ...]


#: Truth values as YAML, JSON and spreadsheets spell them, and how an expression does.
MISSPELT_CONSTANTS = {"true": "True", "false": "False", "TRUE": "True", "FALSE": "False"}


@attrs.define
class Resolver:
    """Checks each expression's names against a :class:`Scope`, collecting the rules read."""

    scope: Scope
    problems: Problems
    reads: dict[str, list[Read]] = attrs.field(factory=dict)  # rule id -> reads of other rules
    external: list[Read] = attrs.field(factory=list)
    _known: dict[str | None, _Known] = attrs.field(factory=dict)

    def known(self, kind: str | None) -> _Known:
        """What an expression over ``kind`` (None: the own kind) may read."""
        found = self._known.get(kind)
        if found is None:
            scope = self.scope
            fields = scope.kind_fields(kind)
            ancestors = scope.ancestors.get(kind, ())
            rules = scope.rules if kind is None else {}
            names = (*fields, *scope.parameters, *rules, *ancestors, "period")
            found = self._known[kind] = _Known(names, frozenset(names), rules, ancestors)
        return found

    def resolve(self, rule_id: str, pointer: str, expr: Expression, kind: str | None) -> None:
        scope = self.scope
        own = kind is None or kind == scope.own_kind
        known = self.known(None if own else kind)
        rules, ancestors = known.rules, known.ancestors
        where = kind if not own else scope.own_kind
        bare = bare_names(expr)
        for name in sorted(expr.names - known.members):
            if name not in bare:
                continue  # read only as name.part: resolved with the attributes below
            if name in MISSPELT_CONSTANTS:
                # Not a name another policy could give: YAML's and JSON's spellings.
                self.problems.add(
                    "unknown-name",
                    pointer,
                    form="constant",
                    rule_id=rule_id,
                    name=name,
                    expression=expr.source,
                    constant=MISSPELT_CONSTANTS[name],
                )
                continue
            if scope.open:
                self._read(rule_id, Read(where, name, None, rule_id, pointer, expr.source), True)
                continue
            self._unknown(rule_id, pointer, expr, name, known.names)
        self._past(rule_id, pointer, expr, where, known)
        for name in sorted(expr.names):
            if name in rules:
                self._read(rule_id, Read(where, name, None, rule_id, pointer, expr.source), False)
        for base, attr in sorted(expr.attributes):
            self._attribute(rule_id, pointer, expr, where, base, attr, known)
        for name in sorted(bare):
            rule = rules.get(name)
            if rule is not None and rule.outputs:
                written = ", ".join(f"{name}.{o}" for o in rule.outputs)
                self.problems.add(
                    "needs-output-name",
                    pointer,
                    form="rule",
                    rule_id=rule_id,
                    rule=name,
                    expression=expr.source,
                    choices=written,
                )
            if name in ancestors:
                self.problems.add(
                    "needs-output-name",
                    pointer,
                    form="parent",
                    rule_id=rule_id,
                    kind=name,
                    expression=expr.source,
                )

    def _past(
        self, rule_id: str, pointer: str, expr: Expression, where: str | None, known: _Known
    ) -> None:
        """``previous(name)``: a name of the kind, or (beside ``entities.yaml``) another
        policy's rule, checked by the bundle's plan as a read that orders nothing (it is
        last month's value)."""
        for name in sorted({n for n, _ in expr.past.values()}):
            base, _, part = name.partition(".")
            if base in known.members:
                continue
            if self.scope.open:
                read = Read(where, base, part or None, rule_id, pointer, expr.source)
                self.external.append(read)
            else:
                self._unknown(rule_id, pointer, expr, base, known.names)

    def _read(self, rule_id: str, read: Read, external: bool) -> None:
        self.reads.setdefault(rule_id, []).append(read)
        if external:
            self.external.append(read)

    def _attribute(
        self,
        rule_id: str,
        pointer: str,
        expr: Expression,
        where: str | None,
        base: str,
        attr: str,
        known: _Known,
    ) -> None:
        """``base.attr``: a part of ``period``, a parent record's value or a rule's output."""
        rules, ancestors = known.rules, known.ancestors
        if base == "period":
            allowed: tuple[str, ...] = PERIOD_ATTRIBUTES
        elif base in ancestors:
            if attr not in self.scope.kind_fields(base):
                self._read(rule_id, Read(base, attr, None, rule_id, pointer, expr.source), True)
            return
        elif base in rules:
            rule = rules[base]
            if rule.spec is None:
                return  # that rule has its own problem already
            if not rule.outputs:
                self.problems.add(
                    "no-named-outputs",
                    pointer,
                    form="rule",
                    rule_id=rule_id,
                    rule=base,
                    output=attr,
                )
                return
            allowed = rule.outputs
        elif base in known.members:
            self.problems.add(
                "no-named-outputs", pointer, form="value", rule_id=rule_id, name=base, output=attr
            )
            return
        elif self.scope.open:  # another policy's rule with named outputs
            self._read(rule_id, Read(where, base, attr, rule_id, pointer, expr.source), True)
            return
        else:
            self._unknown(rule_id, pointer, expr, base, known.names)
            return
        if attr not in allowed:
            self.problems.add(
                "unknown-output",
                pointer,
                hint=did_you_mean(attr, allowed),
                rule_id=rule_id,
                rule=base,
                output=attr,
                expression=expr.source,
                outputs=", ".join(allowed),
            )

    def _unknown(
        self, rule_id: str, pointer: str, expr: Expression, name: str, known: tuple[str, ...]
    ) -> None:
        hint = did_you_mean(name, known)
        self.problems.add(
            "unknown-name", pointer, hint=hint, rule_id=rule_id, name=name, expression=expr.source
        )


def resolve_all(
    scope: Scope,
    sites: Mapping[str, list[tuple[str, Expression, str | None]]],
    problems: Problems,
) -> tuple[dict[str, tuple[Read, ...]], tuple[Read, ...]]:
    """Check every site (its names, and the text it compares names with); return each
    rule's reads of rules and the policy's external reads."""
    resolver = Resolver(scope, problems)
    for rule_id, located in sites.items():
        for pointer, expr, kind in located:
            resolver.resolve(rule_id, pointer, expr, kind)
    check_comparisons(scope.fields, scope.rules, scope.ancestors, sites, problems)
    reads = {rule_id: _unique(found) for rule_id, found in resolver.reads.items()}
    return reads, _unique(resolver.external)


def _unique(reads: list[Read]) -> tuple[Read, ...]:
    seen: dict[tuple[Any, ...], Read] = {}
    for read in reads:
        seen.setdefault((read.kind, read.name, read.attr, read.pointer), read)
    return tuple(seen.values())
