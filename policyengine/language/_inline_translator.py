"""The expression translator for fused code: names from locals, plain arithmetic inline.

:class:`InlineTranslator` is the translator of
:mod:`policyengine.language._expression_translator` with what fusing a whole
policy into one function knows more (:mod:`policyengine.language._fused_source`):

- where each name is: a policy's field or an earlier rule's value is a local
  of the fused function (``_f0``, ``_r3``), not ``env['name']``; a value that
  is surely a mapping (``period``, a rule with named outputs) has its parts
  read by subscript;
- what each value is: the kind of a rule's value, of a part of one
  (``discipline.count``), and where sure the exact type (Decimal or int).

It accepts exactly the node kinds the translator accepts. What it changes is
only how a value known at load to be a number or a yes/no is computed: ``+``,
``-``, ``*`` and ``/`` of two numbers are Python's own, bounded as the checked
operator bounds them, and ``min``/``max`` of two numbers pick one as Python's
do. A wrong guess about an exact type cannot give a wrong value: a Decimal
method on an int, or a float where only Decimals may be, raises, and the
fused function's caller then evaluates the record rule by rule.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ._expression_translator import Translator, call_name, load_name

#: Arithmetic whose Python meaning on two numbers (int or Decimal) is the checked
#: operator's, once the result is bounded. ``/`` needs a Decimal on its left (two
#: ints would give a float).
_PLAIN_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult)
#: The parts of ``period`` that are whole numbers.
_PERIOD_INTS = frozenset({"year", "month", "quarter", "days"})
_NUMBER_TYPES = (Decimal, int)


class InlineTranslator(Translator):
    """The expression translator, reading the policy's fields and rules from locals.

    ``names`` maps a policy name to the local that holds it; ``mappings`` are
    names whose value is surely a mapping, whose parts are read by subscript.
    ``kinds`` may also give the kind of a part (``discipline.count``);
    ``types`` gives exact types, by name or ``name.part``.
    """

    def __init__(
        self,
        constants: Mapping[str, Any],
        kinds: Mapping[str, str],
        names: Mapping[str, str],
        mappings: set[str],
        types: Mapping[str, type],
    ) -> None:
        super().__init__(constants, kinds)
        self.names = names
        self.mappings = mappings
        self.types = types
        #: Policy names read through a local (the fused function reads only those).
        self.used: set[str] = set()

    def kind(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            part = self.kinds.get(f"{node.value.id}.{node.attr}")
            if part is not None and node.value.id not in self.constants:
                return part
        if isinstance(node, ast.Call) and self._two_numbers(node):
            return "number"
        return super().kind(node)

    def exact(self, node: ast.expr) -> type | None:
        """The exact type of ``node``'s value when it gives one (Decimal or int), if sure."""
        if isinstance(node, ast.Constant | ast.Name) and self._constant(node):
            value = node.value if isinstance(node, ast.Constant) else self.constants[node.id]
            return type(value) if type(value) in _NUMBER_TYPES else None
        if isinstance(node, ast.Name):
            return self.types.get(node.id)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            return self._exact_part(node.value.id, node.attr)
        if (
            isinstance(node, ast.BinOp)
            and self.kind(node.left) == self.kind(node.right) == "number"
        ):
            if isinstance(node.op, ast.Div):
                return Decimal
            if isinstance(node.op, _PLAIN_ARITHMETIC):
                return _combined(self.exact(node.left), self.exact(node.right))
            return None
        if isinstance(node, ast.IfExp):
            body = self.exact(node.body)
            return body if body is self.exact(node.orelse) else None
        if isinstance(node, ast.Call) and self._two_numbers(node):
            first = self.exact(node.args[0])
            return first if first is self.exact(node.args[1]) else None
        return None

    def _constant(self, node: ast.Constant | ast.Name) -> bool:
        return isinstance(node, ast.Constant) or node.id in self.constants

    def _exact_part(self, base: str, attr: str) -> type | None:
        if base in self.constants:
            return None
        if base == "period" and base in self.mappings:
            return int if attr in _PERIOD_INTS else None
        return self.types.get(f"{base}.{attr}")

    def _two_numbers(self, node: ast.Call) -> bool:
        """``min(a, b)`` or ``max(a, b)`` of two numbers: one of the two, bounded."""
        return (
            isinstance(node.func, ast.Name)
            and node.func.id in ("min", "max")
            and len(node.args) == 2
            and all(self.kind(arg) == "number" for arg in node.args)
        )

    def boolean(self, node: ast.expr, where: str) -> ast.expr:
        if self.kind(node) == "bool":  # surely yes/no: the check would pass it as it is
            return self.visit(node)
        return super().boolean(node, where)

    def _Name(self, node: ast.Name) -> ast.expr:
        local = self.names.get(node.id)
        if local is not None and node.id not in self.constants:
            self.used.add(node.id)
            return load_name(local)
        return super()._Name(node)

    def _Attribute(self, node: ast.Attribute) -> ast.expr:
        assert isinstance(node.value, ast.Name)  # the checker allows only name.part
        if node.value.id in self.mappings and node.value.id not in self.constants:
            base = self._Name(node.value)
            return ast.Subscript(value=base, slice=ast.Constant(node.attr), ctx=ast.Load())
        return super()._Attribute(node)

    def _BinOp(self, node: ast.BinOp) -> ast.expr:
        if self.kind(node.left) != "number" or self.kind(node.right) != "number":
            return super()._BinOp(node)
        left, right = self.visit(node.left), self.visit(node.right)
        if isinstance(node.op, _PLAIN_ARITHMETIC):
            return self._bounded(ast.BinOp(left=left, op=node.op, right=right), self.exact(node))
        if isinstance(node.op, ast.Div):
            # The checked '/' divides a Decimal (an int made one): always a Decimal.
            if self.exact(node.left) is not Decimal:
                left = call_name("_decimal_of", left)
            return self._bounded(ast.BinOp(left=left, op=node.op, right=right), Decimal)
        return super()._BinOp(node)

    def _Call(self, node: ast.Call) -> ast.expr:
        if not self._two_numbers(node):
            return super()._Call(node)
        # min(a, b) is a unless b < a (the first of equals, as Python's min); max alike.
        assert isinstance(node.func, ast.Name)
        a, b = self._temporary(), self._temporary()
        first = ast.NamedExpr(target=ast.Name(a, ast.Store()), value=self.visit(node.args[0]))
        second = ast.NamedExpr(target=ast.Name(b, ast.Store()), value=self.visit(node.args[1]))
        # a is read before b: "b < a" is written "a > b" (for max, "b > a" as "a < b").
        flipped: ast.cmpop = ast.Gt() if node.func.id == "min" else ast.Lt()
        test = ast.Compare(left=first, ops=[flipped], comparators=[second])
        pick = ast.IfExp(test=test, body=load_name(b), orelse=load_name(a))
        return self._bounded(pick, self.exact(node))

    def _temporary(self) -> str:
        return f"_t{next(self._temporaries)}"

    def _bounded(self, value: ast.expr, exact: type | None) -> ast.expr:
        """``value`` checked against the engine's bound, as every checked operator does:
        inline where its exact type is known (``bounded`` decides only the rare rest)."""
        if exact is None:
            return call_name("_bounded", value)
        name = self._temporary()
        held = ast.NamedExpr(target=ast.Name(name, ast.Store()), value=value)
        if exact is Decimal:  # |x| < 10**18 for most x is "x.adjusted() < 18"
            adjusted = ast.Call(
                func=ast.Attribute(value=held, attr="adjusted", ctx=ast.Load()),
                args=[],
                keywords=[],
            )
            test = ast.Compare(left=adjusted, ops=[ast.Lt()], comparators=[load_name("_ADJUSTED")])
        else:  # an int strictly between -10**18 and 10**18
            low = ast.UnaryOp(op=ast.USub(), operand=load_name("_LIMIT"))
            test = ast.Compare(
                left=low, ops=[ast.Lt(), ast.Lt()], comparators=[held, load_name("_LIMIT")]
            )
        fallback = call_name("_bounded", load_name(name))
        return ast.IfExp(test=test, body=load_name(name), orelse=fallback)


def _combined(left: type | None, right: type | None) -> type | None:
    """The exact type of ``left op right`` for + - * of two numbers: a Decimal with a
    Decimal on either side, an int of two ints."""
    if left is Decimal or right is Decimal:
        return Decimal
    if left is int and right is int:
        return int
    return None
