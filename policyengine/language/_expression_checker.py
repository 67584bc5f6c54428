"""What the sandbox runs: the checker every parsed expression passes through once.

A pay rule needs arithmetic, comparisons, conditions, the library's
functions and names; nothing else reaches evaluation. The checker walks the
parsed tree and refuses, with a stable code and a hint, every construct and
operator outside that (the refused ones Python knows are listed here with
the hint each gets). On the way it makes number literals exact
(``Decimal`` from their source text, so ``0.1 + 0.2 == 0.3`` holds) and
records what the expression reads, for name resolution at load time.

Both engines trust what passed: the reference evaluator skips simpleeval's
per-node scan, and the compiler translates only the node kinds allowed here.
"""

from __future__ import annotations

import ast
import decimal
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs

from ..codes import ErrorCode
from ..core._display import character_name, unclean
from ..core._number_text import MAX_PLACES
from ..core._numbers import MAX_MAGNITUDE
from ..core._suggest import did_you_mean
from ..errors import ExpressionError
from ._functions import FUNCTIONS
from ._operators import OPERATORS
from ._percent_literals import Places, percent_value
from ._previous import PREVIOUS, read_previous
from ._types_infer import PERCENT

MAX_LITERAL = 1_000  # characters of one string literal
MAX_ITEMS = 100  # items of one list literal, arguments of one call


def refuse(
    code: ErrorCode, message: str, hint: str | None = None, **details: Any
) -> ExpressionError:
    """The load-time error for something an expression may not be or hold, worded here
    (a refusal whose words are not yet in the table of templates)."""
    return ExpressionError(message, code=code, hint=hint, details=details)


def said(
    code: ErrorCode,
    form: str = "",
    words: Mapping[str, Any] | None = None,
    hint: str | None = None,
    **details: Any,
) -> ExpressionError:
    """The load-time error ``code`` said by its template in ``form``
    (core/_expression_templates.py), filled from ``words``, keeping its ``details``."""
    return ExpressionError.from_template(code, form=form, hint=hint, details=details, words=words)


@attrs.frozen
class Refusal:
    """Why a node is refused: its code, how errors name it, and the form whose hint says
    what was meant ("" for none)."""

    code: ErrorCode
    name: str
    form: str = ""


#: What the parser knows but a policy may not write, one table: the operators
#: (``forbidden-operator``, named by their symbol) and the other constructs
#: (``forbidden-syntax``). A node in neither table nor the checker's visitors is
#: refused as ``forbidden-syntax`` under its Python name.
REFUSED: Mapping[type[ast.AST], Refusal] = MappingProxyType(
    {
        ast.BitXor: Refusal("forbidden-operator", "^", "power"),
        ast.BitOr: Refusal("forbidden-operator", "|", "or"),
        ast.BitAnd: Refusal("forbidden-operator", "&", "and"),
        ast.LShift: Refusal("forbidden-operator", "<<", "shift-left"),
        ast.RShift: Refusal("forbidden-operator", ">>", "shift-right"),
        ast.MatMult: Refusal("forbidden-operator", "@", "times"),
        ast.Invert: Refusal("forbidden-operator", "~", "not"),
        ast.Is: Refusal("forbidden-operator", "is", "equals"),
        ast.IsNot: Refusal("forbidden-operator", "is not", "not-equals"),
        ast.Lambda: Refusal("forbidden-syntax", "lambda"),
        ast.ListComp: Refusal("forbidden-syntax", "comprehension", "over-a-list"),
        ast.SetComp: Refusal("forbidden-syntax", "comprehension", "over-a-list"),
        ast.DictComp: Refusal("forbidden-syntax", "comprehension"),
        ast.GeneratorExp: Refusal("forbidden-syntax", "generator", "over-a-list"),
        ast.Subscript: Refusal("forbidden-syntax", "subscript x[...]", "subscript"),
        ast.Slice: Refusal("forbidden-syntax", "slice"),
        ast.Starred: Refusal("forbidden-syntax", "starred *x", "starred"),
        ast.JoinedStr: Refusal("forbidden-syntax", "f-string", "f-string"),
        ast.FormattedValue: Refusal("forbidden-syntax", "f-string", "f-string"),
        ast.Dict: Refusal("forbidden-syntax", "dict literal"),
        ast.Set: Refusal("forbidden-syntax", "set literal", "set"),
        ast.Await: Refusal("forbidden-syntax", "await"),
        ast.Yield: Refusal("forbidden-syntax", "yield"),
        ast.YieldFrom: Refusal("forbidden-syntax", "yield"),
        ast.NamedExpr: Refusal("forbidden-syntax", "assignment", "assignment"),
    }
)


class Checker:
    """Refuses what the sandbox does not run, makes numbers exact, records what is read."""

    def __init__(self, source: str, percents: Places = frozenset()) -> None:
        self.source = source
        #: Where the percentages written in the text start (``6%``, read as ``6j``).
        self.percents = percents
        #: ASCII text holds only names in their normal form: nothing to compare.
        self._ascii = source.isascii()
        self.names: set[str] = set()
        self.bare: set[str] = set()  # names read whole (a base of name.part is not visited)
        self.attributes: set[tuple[str, str]] = set()
        self.functions: set[str] = set()
        self.past: dict[str, tuple[str, Any]] = {}  # previous(x): key -> (name, initial)
        self.arithmetic = False
        self._visitors: dict[type[ast.AST], Callable[[Any], ast.expr]] = {
            ast.Constant: self._constant,
            ast.Name: self._name,
            ast.Attribute: self._attribute,
            ast.Call: self._call,
            ast.BinOp: self._operation,
            ast.UnaryOp: self._operation,
            ast.BoolOp: self._operation,
            ast.Compare: self._operation,
            ast.IfExp: self._operation,
            ast.Tuple: self._sequence,
            ast.List: self._sequence,
        }

    def visit(self, node: ast.expr) -> ast.expr:
        visitor = self._visitors.get(type(node))
        if visitor is not None:
            return visitor(node)
        refusal = REFUSED.get(type(node), Refusal("forbidden-syntax", type(node).__name__))
        raise self._forbidden(refusal.name, refusal.form)

    @staticmethod
    def _forbidden(construct: str, form: str = "", **words: Any) -> ExpressionError:
        said_words = {} if form == "assignment" else {"construct": construct, **words}
        return said("forbidden-syntax", form, said_words, construct=construct)

    def _constant(self, node: ast.Constant) -> ast.expr:
        value = node.value
        if isinstance(value, str) and len(value) > MAX_LITERAL:
            raise said("expression-too-long", "text", {"limit": MAX_LITERAL})
        found = unclean(value) if isinstance(value, str) else None
        if found is not None:  # "\x1b" or "\u202e" written as an escape in the literal
            raise said(
                "control-character",
                "expression",
                {"name": character_name(found[0])},
                character=f"U+{ord(found[0]):04X}",
            )
        if isinstance(value, bool | str):
            return node
        if isinstance(value, complex) and (node.lineno, node.col_offset) in self.percents:
            return self._percent(node)
        if not isinstance(value, int | float):
            kinds = {complex: "complex number", bytes: "bytes literal", type(None): "None"}
            raise self._forbidden(kinds.get(type(value), repr(value)))
        # Read from the source text, so that 0.1 is exactly one tenth.
        text = ast.get_source_segment(self.source, node) if isinstance(value, float) else None
        try:
            number = Decimal(text) if text is not None else Decimal(value)
        except decimal.InvalidOperation:
            raise said("expression-syntax", "number", {"text": repr(text)}) from None
        # Read off the exponent, with no arithmetic: abs() of 1e999999999 overflows the
        # context, and formatting 1e-999999999 would write out a billion zeros.
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)
        if (number and number.adjusted() >= MAX_MAGNITUDE.adjusted()) or exponent < -MAX_PLACES:
            words = {"number": text or value, "places": MAX_PLACES}
            raise said("number-too-large", "literal", words)
        return number_node(number, node)

    def _percent(self, node: ast.Constant) -> ast.expr:
        """``6%`` as the exact rate 0.06, marked as a percentage for the type check."""
        text = ast.get_source_segment(self.source, node) or ""
        try:
            number = percent_value(text)
        except decimal.InvalidOperation:
            raise said("expression-syntax", "number", {"text": repr(text[:-1] + "%")}) from None
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)
        if (number and number.adjusted() >= MAX_MAGNITUDE.adjusted()) or exponent < -MAX_PLACES:
            words = {"number": text[:-1] + "%", "places": MAX_PLACES}
            raise said("number-too-large", "literal", words)
        marked = number_node(number, node)
        setattr(marked, PERCENT, True)  # read by the type check: a rate, not a number
        return marked

    def _as_written(self, node: ast.Name | ast.Attribute, name: str) -> None:
        """Refuse a name not written in NFKC, the form Python reads every name in.

        The tree holds the name already normalised (``ｓａｌａｒｙ`` reads as ``salary``),
        so the text of the node is what is compared."""
        if self._ascii:
            return
        segment = ast.get_source_segment(self.source, node) or name
        if isinstance(node, ast.Attribute):
            segment = segment.rpartition(".")[2].strip()
        if segment != name:
            words = {"written": segment, "name": name}
            raise said("name-not-normalized", "expression", words, name=name)

    def _name(self, node: ast.Name) -> ast.expr:
        self._as_written(node, node.id)
        if node.id in FUNCTIONS:
            words = {"function": node.id, "signature": FUNCTIONS[node.id].signature}
            raise said("function-not-called", "", words, function=node.id)
        self.names.add(node.id)
        self.bare.add(node.id)
        return node

    def _attribute(self, node: ast.Attribute) -> ast.expr:
        self._as_written(node, node.attr)
        if isinstance(node.value, ast.Name):
            self._as_written(node.value, node.value.id)
        if node.attr.startswith("_"):
            words = {"attribute": node.attr}
            raise said("forbidden-attribute", "private", words, attribute=node.attr)
        base = node.value
        if not isinstance(base, ast.Name) or base.id in FUNCTIONS:
            words = {"attribute": node.attr}
            raise said("forbidden-attribute", "nested", words, attribute=node.attr)
        self.names.add(base.id)
        self.attributes.add((base.id, node.attr))
        return node

    def _call(self, node: ast.Call) -> ast.expr:
        func = node.func
        if isinstance(func, ast.Attribute):
            raise said("forbidden-method", "", {"method": func.attr}, method=func.attr)
        if not isinstance(func, ast.Name):
            raise self._forbidden("call of a computed value", "computed-call")
        self._as_written(func, func.id)
        if func.id == PREVIOUS:  # last month's value: no read of this month (_previous.py)
            # The name is not visited: it is read from history, not this month.
            node.args = [*node.args[:1], *(self.visit(arg) for arg in node.args[1:])]
            key, name, initial = read_previous(node, said)
            self.past[key] = (name, initial)
            return ast.copy_location(ast.Name(id=key, ctx=ast.Load()), node)
        if func.id not in FUNCTIONS:
            words = {"function": func.id, "functions": ", ".join(FUNCTIONS)}
            hint = did_you_mean(func.id, FUNCTIONS)
            raise said("unknown-function", "", words, hint, function=func.id)
        if node.keywords:
            signature = FUNCTIONS[func.id].signature
            raise self._forbidden("keyword argument", "keyword", signature=signature)
        if len(node.args) > MAX_ITEMS:
            raise said("expression-too-long", "arguments", {"limit": MAX_ITEMS})
        node.args = [self.visit(arg) for arg in node.args]
        self.functions.add(func.id)
        self.arithmetic = True
        return node

    def _operation(self, node: ast.expr) -> ast.expr:
        """Operators, comparisons, and/or/not, if-else: check the operator, then the operands."""
        for op in getattr(node, "ops", [getattr(node, "op", None)]):
            if op is not None and type(op) not in OPERATORS and type(op) not in (ast.And, ast.Or):
                refusal = REFUSED.get(type(op), Refusal("forbidden-operator", type(op).__name__))
                symbol = refusal.name
                raise said(
                    "forbidden-operator", refusal.form, {"operator": symbol}, operator=symbol
                )
        for field, value in ast.iter_fields(node):
            if isinstance(value, ast.expr):
                setattr(node, field, self.visit(value))
            elif isinstance(value, list):
                setattr(
                    node, field, [self.visit(v) if isinstance(v, ast.expr) else v for v in value]
                )
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            literal: object = getattr(node.operand, "value", None)
            if isinstance(node.operand, ast.Constant) and isinstance(literal, Decimal):
                # Folded now: negative literals are common, and a node costs at run time.
                return number_node(literal.copy_negate(), node)
        if isinstance(getattr(node, "op", None), ast.operator | ast.UAdd | ast.USub):
            self.arithmetic = True  # BinOp's op is an ast.operator; 'not' is no arithmetic
        return node

    def _sequence(self, node: ast.Tuple | ast.List) -> ast.expr:
        if len(node.elts) > MAX_ITEMS:
            raise said("expression-too-long", "list", {"limit": MAX_ITEMS})
        items = [self.visit(item) for item in node.elts]
        return ast.copy_location(ast.Tuple(elts=items, ctx=ast.Load()), node)


def number_node(number: Decimal, like: ast.AST) -> ast.expr:
    """A constant node holding ``number``, placed where ``like`` is."""
    # A Decimal constant is outside ast's declared types; only this package reads the tree.
    return ast.copy_location(ast.Constant(value=number), like)  # type: ignore[arg-type]
