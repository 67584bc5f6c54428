"""A checked expression tree translated into a Python expression tree over ``env``.

This is the half of compiling that decides what the generated code says;
:mod:`policyengine.language._compiler` wraps the result into a function and runs
Python's compiler on it. The translation is the sandbox's boundary, so it is
kept small enough to read whole:

- Only the node kinds the checker lets through have a translation; anything
  else is an internal error, never code.
- A name from the policy never becomes a Python identifier: ``sales`` is
  translated to ``env['sales']``, a string key. Literals and the policy's
  parameters are bound as constants (``_k0``, ``_k1`` …) that the function's
  globals hold.
- An operator becomes a call of its checked implementation (``_op_…``), a
  function a call of the library's wrapper (``_fn_…``), a condition a call
  of the yes/no check (``_truth``) — unless the kinds of both sides are
  known at load, where Python's own comparison gives exactly the checked
  answer and runs directly.
"""

from __future__ import annotations

import ast
import datetime
import itertools
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ._functions import FUNCTIONS
from ._operators import OPERATORS

#: Node kinds that always give a yes/no value: no truth check is needed on them.
_BOOLEAN_NODES = (ast.Compare, ast.BoolOp)


#: What a value is, as far as compiling needs to know: "number", "text", "bool", "date".
Kinds = Mapping[str, str]

#: Comparisons whose operator needs no check when both sides' kinds are known:
#: equality within a kind (numbers together), order among numbers, texts, dates.
_RAW_EQUALITY = (ast.Eq, ast.NotEq)
_RAW_ORDER = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_ORDERED_KINDS = frozenset({"number", "text", "date"})
_PERIOD_KINDS = {
    "year": "number",
    "month": "number",
    "quarter": "number",
    "days": "number",
    "start": "date",
    "end": "date",
    "key": "text",
}
_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)


def kind_of_value(value: Any) -> str | None:
    """The kind of a constant, as :data:`Kinds` names it."""
    kind = type(value)
    if kind is bool:
        return "bool"
    if kind is int or kind is Decimal:
        return "number"
    if kind is str:
        return "text"
    if kind is datetime.date:
        return "date"
    return None


class Translator:
    """Checked expression tree -> Python expression tree over ``env`` and the helpers."""

    def __init__(self, constants: Mapping[str, Any], kinds: Kinds) -> None:
        self.constants = constants
        self.kinds = kinds
        self.bound: dict[str, Any] = {}
        self._temporaries = itertools.count()

    def kind(self, node: ast.expr) -> str | None:
        """The kind ``node`` surely has when it gives a value at all, if known at load."""
        if isinstance(node, ast.Constant):
            return kind_of_value(node.value)
        if isinstance(node, ast.Name):
            if node.id in self.constants:
                return kind_of_value(self.constants[node.id])
            return self.kinds.get(node.id)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            known = node.value.id == "period" and "period" not in self.constants
            return _PERIOD_KINDS.get(node.attr) if known else None
        if isinstance(node, ast.Compare | ast.BoolOp):
            return "bool"
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                return "bool"
            return "number" if self.kind(node.operand) == "number" else None
        if isinstance(node, ast.BinOp) and isinstance(node.op, _ARITHMETIC):
            left, right = self.kind(node.left), self.kind(node.right)
            if left == right == "number":
                return "number"
            if left == right == "text" and isinstance(node.op, ast.Add):
                return "text"
            return None
        if isinstance(node, ast.IfExp):
            body = self.kind(node.body)
            return body if body == self.kind(node.orelse) else None
        return None

    def _raw(self, op: ast.cmpop, left: ast.expr, right: ast.expr) -> bool:
        """Whether Python's own comparison gives exactly the checked operator's answer."""
        a, b = self.kind(left), self.kind(right)
        if a is None or b is None or a != b:
            return False
        if isinstance(op, _RAW_EQUALITY):
            return True
        return isinstance(op, _RAW_ORDER) and a in _ORDERED_KINDS

    def bind(self, value: Any) -> ast.expr:
        name = f"_k{len(self.bound)}"
        self.bound[name] = value
        return load_name(name)

    def visit(self, node: ast.expr) -> ast.expr:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:  # the checker lets no other node through
            raise TypeError(f"cannot compile a {type(node).__name__} node")
        result: ast.expr = method(node)
        return result

    def boolean(self, node: ast.expr, where: str) -> ast.expr:
        """``node`` as a condition: yes/no or a type-mismatch error, as the reference."""
        code = self.visit(node)
        if isinstance(node, _BOOLEAN_NODES) or (
            isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)
        ):
            return code
        if isinstance(node, ast.Constant) and type(node.value) is bool:
            return code
        return call_name("_truth", code, ast.Constant(where))

    def _Constant(self, node: ast.Constant) -> ast.expr:
        if type(node.value) in (bool, str):
            return ast.Constant(node.value)
        return self.bind(node.value)

    def _Name(self, node: ast.Name) -> ast.expr:
        if node.id in self.constants:
            return self.bind(self.constants[node.id])
        return ast.Subscript(value=load_name("env"), slice=ast.Constant(node.id), ctx=ast.Load())

    def _Attribute(self, node: ast.Attribute) -> ast.expr:
        assert isinstance(node.value, ast.Name)  # the checker allows only name.part
        base = self._Name(node.value)
        return call_name("_attr", base, ast.Constant(node.attr), ast.Constant(node.value.id))

    def _BinOp(self, node: ast.BinOp) -> ast.expr:
        return call_name(operator_name(node.op), self.visit(node.left), self.visit(node.right))

    def _UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        return call_name(operator_name(node.op), self.visit(node.operand))

    def _BoolOp(self, node: ast.BoolOp) -> ast.expr:
        # Python's and/or over yes/no values short-circuit as the reference does.
        where = "or" if isinstance(node.op, ast.Or) else "and"
        return ast.BoolOp(op=node.op, values=[self.boolean(v, where) for v in node.values])

    def _Compare(self, node: ast.Compare) -> ast.expr:
        # a < b < c: b is computed once and the chain stops at the first no,
        # exactly as the reference walks it.
        # Where both sides' kinds are known at load (declared fields, parameters,
        # literals), Python's comparison is the checked one and runs directly.
        left = self.visit(node.left)
        left_node = node.left
        parts: list[ast.expr] = []
        for index, (op, right_node) in enumerate(zip(node.ops, node.comparators, strict=True)):
            right = self.visit(right_node)
            raw = self._raw(op, left_node, right_node)
            following = left
            if index + 1 < len(node.ops):
                temporary = f"_t{next(self._temporaries)}"
                right = ast.NamedExpr(target=ast.Name(temporary, ast.Store()), value=right)
                following = load_name(temporary)
            if raw:
                parts.append(ast.Compare(left=left, ops=[op], comparators=[right]))
            else:
                parts.append(call_name(operator_name(op), left, right))
            left, left_node = following if index + 1 < len(node.ops) else left, right_node
        return parts[0] if len(parts) == 1 else ast.BoolOp(op=ast.And(), values=parts)

    def _IfExp(self, node: ast.IfExp) -> ast.expr:
        return ast.IfExp(
            test=self.boolean(node.test, "if"),
            body=self.visit(node.body),
            orelse=self.visit(node.orelse),
        )

    def _Call(self, node: ast.Call) -> ast.expr:
        assert isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS
        return call_name(f"_fn_{node.func.id}", *(self.visit(arg) for arg in node.args))

    def _Tuple(self, node: ast.Tuple) -> ast.expr:
        return ast.Tuple(elts=[self.visit(item) for item in node.elts], ctx=ast.Load())


def load_name(name: str) -> ast.Name:
    """A read of ``name``: of the function's argument or of one of its globals."""
    return ast.Name(name, ast.Load())


def call_name(name: str, *args: ast.expr) -> ast.Call:
    """A call of the global ``name`` (an operator, a function, a helper) with ``args``."""
    return ast.Call(func=load_name(name), args=list(args), keywords=[])


def operator_name(op: ast.AST) -> str:
    """The global the generated code calls for ``op``: ``_op_`` and its implementation's name."""
    implementation = OPERATORS.get(type(op))
    if implementation is None:  # refused by the checker; never reached
        raise TypeError(f"cannot compile the operator {type(op).__name__}")
    return f"_op_{implementation.__name__}"
