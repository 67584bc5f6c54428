"""What the values a policy compares can be: an enum compared with text it never holds.

``status == "reguler"`` where ``status`` is an enum of ``[regular, trial]`` is
a valid expression that is false for every record: the rule runs, and pays
every regular employee as a trial one. So a comparison (``==``, ``!=``, or
``in`` a written list) of a name whose values are known with a text literal
those values lack is refused at load time, with "did you mean".

A name's values are known when it is an ``enum`` field (an input, or a field
of ``entities.yaml``, of the kind the expression reads or of a parent kind as
``team.grade``), or a table or flat tiers rule whose every value is text
(for a rule with named values, ``rule.name`` per name). Expressions read no
more than that: a comparison of two names, or of a computed value, is left
to run time.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from typing import Any

from ..core._problems import Problems
from ..core._suggest import did_you_mean
from ..errors import Location
from ..language._expressions import Expression
from ..model import Field, Rule
from ..rules.table import DecisionTable
from ..rules.tiers import Tiers

#: Rule id -> every expression of the rule: its pointer, the expression, the kind it reads.
Sites = Mapping[str, list[tuple[str, Expression, str | None]]]

#: What a name (``"status"``) or a name's part (``"band.grade"``) may be, when it is known.
Values = Mapping[str, tuple[str, ...]]


def check_comparisons(
    fields: Mapping[str | None, Mapping[str, Field]],
    rules: Mapping[str, Rule],
    ancestors: Mapping[str | None, tuple[str, ...]],
    sites: Sites,
    problems: Problems,
) -> None:
    """Report every comparison of a name with known values against text it never holds.

    ``fields`` holds each kind's fields (None: the policy's own kind), ``ancestors`` the
    parent kinds an expression over a kind reads as ``kind.field``."""
    by_kind: dict[str | None, Values] = {}
    lines = source_lines(problems)
    for rule_id, located in sites.items():
        for pointer, expr, kind in located:
            values = by_kind.get(kind)
            if values is None:
                values = by_kind[kind] = _known_values(kind, fields, rules, ancestors)
            for name, text, node in _undeclared(expr.tree, values):
                at = at_node(problems, pointer, expr, node, lines)
                problems.add(
                    "value-not-declared",
                    at,
                    hint=did_you_mean(text, values[name]),
                    rule_id=rule_id,
                    name=name,
                    value=text,
                    values=", ".join(values[name]),
                    expression=expr.source,
                )


def _known_values(
    kind: str | None,
    fields: Mapping[str | None, Mapping[str, Field]],
    rules: Mapping[str, Rule],
    ancestors: Mapping[str | None, tuple[str, ...]],
) -> Values:
    """Every name an expression over ``kind`` reads whose values are known."""
    known: dict[str, tuple[str, ...]] = {}
    known.update(_enums("", fields.get(kind, {})))
    for parent in ancestors.get(kind, ()):
        known.update(_enums(parent + ".", fields.get(parent, {})))
    if kind is None:  # only the policy's own rules are read by name
        for rule in rules.values():
            known.update(_rule_values(rule))
    return known


def _enums(prefix: str, fields: Mapping[str, Field]) -> Iterable[tuple[str, tuple[str, ...]]]:
    for name, field in fields.items():
        if field.type == "enum" and field.values:
            yield prefix + name, field.values


def _rule_values(rule: Rule) -> Iterable[tuple[str, tuple[str, ...]]]:
    """A table's or flat tiers' values, when every one is text (per named value)."""
    spec = rule.spec
    given: list[Any]
    if isinstance(spec, DecisionTable) and spec.hit != "collect":
        given = [row.then for row in spec.rows] + list(spec.defaults)
    elif isinstance(spec, Tiers) and spec.mode == "flat":
        given = [band.value for band in spec.bands]
    else:
        return
    if all(isinstance(value, str) for value in given):
        yield rule.id, _unique(given)
    elif all(isinstance(value, Mapping) for value in given) and given:
        for output in given[0]:
            texts = [value.get(output) for value in given]
            if all(isinstance(text, str) for text in texts):
                yield f"{rule.id}.{output}", _unique(texts)


def _unique(values: Iterable[Any]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(value) for value in values))


def _undeclared(tree: ast.expr, values: Values) -> Iterable[tuple[str, str, ast.expr]]:
    """(name, text, the text's node) of every comparison of a known name with text it lacks."""
    if not values:
        return
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for index, op in enumerate(node.ops):
            left, right = operands[index], operands[index + 1]
            if isinstance(op, ast.Eq | ast.NotEq):
                pairs = [(left, right), (right, left)]
            elif isinstance(op, ast.In | ast.NotIn) and isinstance(right, ast.Tuple):
                pairs = [(left, item) for item in right.elts]
            else:
                continue
            for named, literal in pairs:
                name = _name_of(named)
                if name is None or name not in values:
                    continue
                text = literal.value if isinstance(literal, ast.Constant) else None
                if isinstance(text, str) and text not in values[name]:
                    yield name, text, literal


def _name_of(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return None


def source_lines(problems: Problems) -> list[str]:
    """The lines of the file the problems are about (none when it has no text)."""
    raw = getattr(problems.document, "raw", b"")
    return raw.decode("utf-8", "replace").splitlines() if isinstance(raw, bytes) else []


def at_node(
    problems: Problems, pointer: str, expr: Expression, node: ast.expr, lines: list[str]
) -> str | Location:
    """Where ``node`` is written: its column on the line, when the expression is written
    on the line it starts on as it reads (plain or quoted); else the expression's start."""
    location = problems.where(pointer)
    line, column = location.line, location.column
    if line is None or column is None or not 0 < line <= len(lines) or "\n" in expr.source:
        return pointer
    written = lines[line - 1][column - 1 :]
    start = 0 if written.startswith(expr.source) else None
    if start is None and written[:1] in "\"'" and written[1:].startswith(expr.source):
        start = 1
    if start is None:
        return pointer
    # The parser reads the stripped text, and counts its columns in UTF-8 bytes.
    stripped = expr.source.strip()
    before = stripped.encode()[: node.col_offset].decode("utf-8", "replace")
    start += len(expr.source) - len(expr.source.lstrip())
    return Location(location.file, line, column + start + len(before), pointer=location.pointer)
