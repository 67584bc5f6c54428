"""What kind of value every part of a checked expression gives, found before it runs.

The operators refuse at run time what they cannot compute (``"abc" + 1``,
``is_regular * 100``, a date compared with a number): every record then
fails, one by one. Most of those mistakes are visible in the text once each
name's type is known, so a policy is checked at load time and the mistake is
reported once, where it is written. One mistake the operators cannot see at
all is found here too: ``base_pay * bonus`` where both are money is a number
of yuan squared, never a payment.

Types (``Type``, a plain string):

- ``money``, ``rate``, ``count``, ``number`` — the four numbers: a ``money``
  field, a percentage (``6%``, a parameter written ``3.8%``), an ``int`` field
  or a count, and any other number;
- ``text`` (an ``enum`` is text), ``boolean``, ``date``, ``list``;
- ``None`` — not known (a name whose type no declaration says, a function
  without a signature): never the cause of a problem.

The arithmetic of the numbers:

| left × right | result |
|---|---|
| money × money | money², which must be divided by money again (below) |
| money × rate / count / number | money |
| rate × rate | rate; count × count: count; otherwise number |

Money times money is a square of yuan: allowed on the way to an amount, as in
a share of a pool (``pool * own_sales / team_sales``: money² ÷ money is
money), and refused (``money-times-money``, at the multiplication) when it is
not divided by money again before it is used — added, compared, passed to a
function or given as the rule's value.

``money ÷ money`` is a number (a ratio, such as sales over target);
``money ÷`` any other number is money; ``+`` and ``-`` of money and another
number give money. :func:`infer` returns the type and appends each problem
found as ``(code, form, node, details)``; the caller words and places them.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ..codes import ErrorCode
from ._functions import FUNCTIONS

#: A type, or None when it is not known.
Type = str | None

#: The numbers, as one kind: they compare with each other, and operators mix them.
NUMBERS = frozenset({"money", "rate", "count", "number"})

#: Money times money, on its way to being divided by money again (see the module).
SQUARED = "money²"

#: What a mistake is reported as: code, form, the node it is about, and its details.
Found = tuple[ErrorCode, str, ast.expr, dict[str, Any]]

#: A yes/no value and a number: branches that may stand for each other (see _IfExp).
_FLAG = frozenset({"boolean", "number"})

#: Marks a number literal written as a percentage (``6%``); set by the checker.
PERCENT = "percent_literal"


def kind(type_: Type) -> Type:
    """The kind a type belongs to: ``number`` for the four numbers, else the type itself."""
    return "number" if type_ in NUMBERS or type_ == SQUARED else type_


def infer(node: ast.expr, lookup: Callable[[str], Type], found: list[Found]) -> Type:
    """The type of ``node``; each mistake found on the way is appended to ``found``."""
    inference = _Inference(lookup, found)
    type_ = inference.of(node)
    # A money² never divided by money again: said where the two amounts were multiplied.
    found.extend(("money-times-money", "", square, {}) for square in inference.squares)
    return None if type_ == SQUARED else type_


class _Inference:
    def __init__(self, lookup: Callable[[str], Type], found: list[Found]) -> None:
        self.lookup = lookup
        self.found = found
        #: The money × money products not (yet) divided by money, innermost last.
        self.squares: list[ast.BinOp] = []

    def of(self, node: ast.expr) -> Type:
        handler = getattr(self, "_" + type(node).__name__, None)
        if handler is None:
            return None
        result: Type = handler(node)
        return result

    def _Constant(self, node: ast.Constant) -> Type:
        value = node.value
        if isinstance(value, bool):
            return "boolean"
        if isinstance(value, str):
            return "text"
        if isinstance(value, Decimal | int):
            return "rate" if getattr(node, PERCENT, False) else "number"
        return None

    def _Name(self, node: ast.Name) -> Type:
        return self.lookup(node.id)

    def _Attribute(self, node: ast.Attribute) -> Type:
        assert isinstance(node.value, ast.Name)  # the checker allows only name.part
        return self.lookup(f"{node.value.id}.{node.attr}")

    def _Tuple(self, node: ast.Tuple) -> Type:
        for item in node.elts:
            self.of(item)
        return "list"

    def _number(self, node: ast.expr, type_: Type, operator: str) -> bool:
        """Whether ``type_`` may stand where a number is needed; if not, say so."""
        if type_ in ("text", "boolean"):
            self.found.append(("number-expected", type_, node, {"operator": operator}))
            return False
        return True

    def _BinOp(self, node: ast.BinOp) -> Type:
        left, right = self.of(node.left), self.of(node.right)
        symbol = _SYMBOLS.get(type(node.op), "?")
        if isinstance(node.op, ast.Add) and left == right == "text":
            return "text"
        if isinstance(node.op, ast.Add) and "text" in (left, right):
            other = right if left == "text" else left
            if other is None or other == "text":
                return "text" if other else None  # text + unknown: perhaps text
        sound = self._number(node.left, left, symbol) & self._number(node.right, right, symbol)
        if SQUARED in (left, right):
            return self._squared(node, left, right)
        if not sound or left not in NUMBERS or right not in NUMBERS:
            return None
        if isinstance(node.op, ast.Mult) and left == right == "money":
            self.squares.append(node)
            return SQUARED
        return _arithmetic(node, left, right)

    def _squared(self, node: ast.BinOp, left: Type, right: Type) -> Type:
        """Arithmetic on a money²: divided by money it is money again (by money², a
        number), scaled by a number it stays money²; anything else leaves it standing,
        to be said at the end (see :func:`infer`)."""
        op, scale = node.op, {"rate", "count", "number"}
        if None in (left, right):  # what it meets is not known: never the cause of a problem
            self.squares.pop()
            return None
        if isinstance(op, ast.Div) and left == SQUARED and right in ("money", SQUARED):
            del self.squares[-2 if right == SQUARED else -1 :]
            return "money" if right == "money" else "number"
        if isinstance(op, ast.Mult | ast.Div) and left == SQUARED and right in scale:
            return SQUARED
        if isinstance(op, ast.Mult) and right == SQUARED and left in scale:
            return SQUARED
        if isinstance(op, ast.Add | ast.Sub) and left == right == SQUARED:
            self.squares.pop()  # two products summed: one money² from here on
            return SQUARED
        return None

    def _condition(self, node: ast.expr, type_: Type, operator: str) -> None:
        """A value of a known type that is no yes/no where ``operator`` needs one: it fails
        every record at run time, or (``x >= period.start or period.start``) was meant
        otherwise."""
        if type_ is not None and type_ != "boolean":
            self.found.append(("yes-no-expected", "", node, {"operator": operator, "found": type_}))

    def _UnaryOp(self, node: ast.UnaryOp) -> Type:
        operand = self.of(node.operand)
        if isinstance(node.op, ast.Not):
            self._condition(node.operand, operand, "not")
            return "boolean"
        symbol = "-" if isinstance(node.op, ast.USub) else "+"
        return operand if self._number(node.operand, operand, symbol) else None

    def _BoolOp(self, node: ast.BoolOp) -> Type:
        operator = "and" if isinstance(node.op, ast.And) else "or"
        for value in node.values:
            self._condition(value, self.of(value), operator)
        return "boolean"

    def _Compare(self, node: ast.Compare) -> Type:
        operands = [node.left, *node.comparators]
        types = [self.of(operand) for operand in operands]
        for index, op in enumerate(node.ops):
            if isinstance(op, ast.In | ast.NotIn):
                continue
            left, right = kind(types[index]), kind(types[index + 1])
            if left is None or right is None or "list" in (left, right) or left == right:
                continue
            details = {"left": types[index], "right": types[index + 1]}
            form = "yes-no" if "boolean" in (left, right) else ""  # 'x == "true"': say 'x'
            self.found.append(("incomparable-types", form, node, details))
        return "boolean"

    def _IfExp(self, node: ast.IfExp) -> Type:
        self._condition(node.test, self.of(node.test), "if")
        body, orelse = self.of(node.body), self.of(node.orelse)
        if body is None or orelse is None:
            return None
        if body == orelse:
            return body
        if kind(body) != kind(orelse):
            # A yes/no beside a number is left alone: 0 stands for "not held" where history
            # counts months (missing: as_zero), and a flag may well be written 0.
            if "list" not in (body, orelse) and {kind(body), kind(orelse)} != _FLAG:
                self.found.append(("branches-differ", "", node, {"left": body, "right": orelse}))
            return None
        return "money" if "money" in (body, orelse) else "number"

    def _Call(self, node: ast.Call) -> Type:
        assert isinstance(node.func, ast.Name)
        function = FUNCTIONS.get(node.func.id)
        types = [self.of(arg) for arg in node.args]
        if function is None or function.takes is None:
            return None
        items = types[0:1] if function.takes == "first-number" else types
        if function.takes in ("number", "first-number"):
            for arg, type_ in zip(node.args, items, strict=False):
                self._number(arg, type_, function.name + "()")
        return _result(function.gives, types)


_SYMBOLS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}


def _arithmetic(node: ast.BinOp, left: str, right: str) -> Type:
    """The type of two numbers under ``node``'s operator (both are of ``NUMBERS``, and not
    both money when multiplied: see ``_Inference._BinOp``)."""
    op = node.op
    money = "money" in (left, right)
    if isinstance(op, ast.Mult):
        if money:
            return "money"
        return left if left == right and left in ("rate", "count") else "number"
    if isinstance(op, ast.Div):
        if left == "money":
            return "number" if right == "money" else "money"
        return "number"
    if isinstance(op, ast.Add | ast.Sub):
        if money:
            return "money"
        return left if left == right else "number"
    return "money" if left == "money" and right != "money" else "number"


def _result(gives: str | None, types: list[Type]) -> Type:
    """The type a function gives, by its signature's ``gives``, from its arguments' types."""
    if gives is None:
        return None
    if gives == "first":
        return types[0] if types else None
    if gives == "items":
        known = [t for t in types if t is not None]
        if len(known) != len(types) or not known or "list" in known:
            return None
        if len(set(known)) == 1:
            return known[0]
        if all(t in NUMBERS for t in known):
            return "money" if "money" in known else "number"
        return None
    return gives
