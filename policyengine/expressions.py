"""Rule expressions: checked once at load time, evaluated exactly at run time.

:func:`compile_expression` parses a formula such as ``credited_sales * rate``
or ``销售额 * 提成比例`` and refuses, with a stable error code, everything a
pay rule has no use for: statements, methods, subscripts, bit operators,
private attributes, unknown functions. Numeric literals become ``Decimal``
from their source text, so ``0.1 + 0.2 == 0.3`` holds.

:class:`Evaluator` walks the checked tree on top of simpleeval with this
package's own operator table and function library (:mod:`policyengine.operators`,
:mod:`policyengine.functions`). Because the tree was checked at load time,
the per-node safety scan simpleeval performs is skipped: it guards against
nodes and values that cannot be present, and would double the cost of an
evaluation. Every run-time failure comes out as :class:`EvaluationError`.
"""

from __future__ import annotations

import ast
import decimal
import warnings
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs
import simpleeval

from . import functions as language
from .codes import ErrorCode
from .compiler import attribute, translate, where
from .errors import EvaluationError, ExpressionError
from .functions import FUNCTIONS
from .numbers import CONTEXT, MAX_MAGNITUDE
from .operators import OPERATORS, bounded
from .suggest import did_you_mean
from .value_kinds import NUMBER_TYPES, expect_bool, fail

MAX_LENGTH = 2_000  # characters of one expression
MAX_DEPTH = 32  # bracket nesting, and depth of the parsed tree
MAX_LITERAL = 1_000  # characters of one string literal
MAX_ITEMS = 100  # items of one list literal, arguments of one call
_ASSIGNMENT = "assignment is not allowed; an expression computes a value"
_SPLIT = "split it into several rules"


@attrs.frozen(eq=False)
class Expression:
    """A checked expression, ready to evaluate any number of times."""

    source: str
    tree: ast.expr
    names: frozenset[str]
    attributes: frozenset[tuple[str, str]]
    functions: frozenset[str]
    #: Whether evaluating it computes with numbers (an operator or a function),
    #: and so needs the decimal context; conditions alone skip installing it.
    arithmetic: bool = True


def _refuse(
    code: ErrorCode, message: str, hint: str | None = None, **details: Any
) -> ExpressionError:
    return ExpressionError(message, code=code, hint=hint, details=details)


# --- load time ---------------------------------------------------------------------


def compile_expression(text: str) -> Expression:
    """Parse and check ``text``; raise :class:`ExpressionError` for anything refused."""
    if not isinstance(text, str):
        raise _refuse("expression-syntax", f"an expression must be text, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise _refuse(
            "expression-too-long", f"more than {MAX_LENGTH} characters", _SPLIT, length=len(text)
        )
    source = text.strip()
    if not source:
        raise _refuse("expression-empty", "the expression is empty")
    # Counted before parsing, so that absurd nesting never reaches the parser.
    if language.bracket_depth(source) > MAX_DEPTH:
        raise _refuse("expression-too-deep", f"brackets nest deeper than {MAX_DEPTH}", _SPLIT)
    tree, parsed = _parse(source)
    # The evaluator recurses once per level: this bounds its stack.
    if language.tree_depth(tree.body, MAX_DEPTH) > MAX_DEPTH:
        raise _refuse(
            "expression-too-deep",
            f"the expression nests deeper than {MAX_DEPTH}",
            _SPLIT + ", or add many terms with sum(a, b, …)",
        )
    checker = _Checker(parsed)
    body = checker.visit(tree.body)
    return Expression(
        text,
        body,
        frozenset(checker.names),
        frozenset(checker.attributes),
        frozenset(checker.functions),
        checker.arithmetic,
    )


def _quiet_parse(source: str, mode: str) -> ast.AST:
    # Python reports some doubtful literals ("\d") as warnings; a policy gets
    # a clear refusal instead, the same on every Python version.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tree = ast.parse(source, mode=mode)
    if caught:
        raise SyntaxError(str(caught[0].message))
    return tree


def _parse(source: str) -> tuple[ast.Expression, str]:
    """The tree, and the exact text it was parsed from (literals are read back from it)."""
    attempts = [source]
    if "\n" in source:
        # A long formula written over several YAML lines reads as one expression.
        attempts.append(f"(\n{source}\n)")
    first: SyntaxError | None = None
    for attempt in attempts:
        try:
            tree = _quiet_parse(attempt, "eval")
        except SyntaxError as error:
            first = first or error
            continue
        except (ValueError, RecursionError, MemoryError) as error:
            raise _refuse(
                "expression-syntax", f"not a valid expression: {error}", column=0
            ) from None
        assert isinstance(tree, ast.Expression)
        return tree, attempt
    assert first is not None
    raise _diagnose(source, first)


def _diagnose(source: str, error: SyntaxError) -> ExpressionError:
    """Name the intent behind a syntax error: assignment, statements, import, yield …"""
    for candidate, mode in ((source, "exec"), (f"({source})", "eval")):
        try:
            tree = _quiet_parse(candidate, mode)
        except Exception:  # any failure here only means "no better diagnosis"
            continue
        if isinstance(tree, ast.Expression):
            _Checker(candidate).visit(tree.body)  # raises for what it refuses
            continue
        assert isinstance(tree, ast.Module)
        if not tree.body:
            return _refuse("expression-empty", "the expression holds only a comment")
        statement = tree.body[0] if len(tree.body) == 1 else None
        if statement is None:
            return _refuse(
                "forbidden-syntax",
                "write one expression, not several statements",
                construct="statements",
            )
        if isinstance(statement, ast.Assign | ast.AugAssign | ast.AnnAssign):
            return _refuse(
                "forbidden-syntax", _ASSIGNMENT, "to compare, use '=='", construct="assignment"
            )
        if isinstance(statement, ast.Expr):
            _Checker(candidate).visit(statement.value)
            continue
        name = type(statement).__name__.lower()  # import, if, for, delete, def …
        return _refuse(
            "forbidden-syntax",
            f"the statement '{name}' is not allowed",
            "write one expression; choose with 'a if c else b'",
            construct=name,
        )
    wide = language.FULL_WIDTH
    hint = next((f"use '{wide[c]}' instead of '{c}'" for c in source if c in wide), None)
    # Python gives no column for an error at the very end; that end is the place.
    details = {"column": error.offset or len(source.splitlines()[-1]) + 1}
    if "\n" in source:
        details["line"] = error.lineno or 0
    return _refuse("expression-syntax", f"not a valid expression: {error.msg}", hint, **details)


class _Checker:
    """Refuses what the sandbox does not run, makes numbers exact, records what is read."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.names: set[str] = set()
        self.attributes: set[tuple[str, str]] = set()
        self.functions: set[str] = set()
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
        construct, hint = language.REFUSED_SYNTAX.get(type(node), (type(node).__name__, None))
        raise self._forbidden(construct, hint)

    @staticmethod
    def _forbidden(construct: str, hint: str | None = None) -> ExpressionError:
        message = _ASSIGNMENT if construct == "assignment" else f"{construct} is not allowed"
        return _refuse("forbidden-syntax", message, hint, construct=construct)

    def _constant(self, node: ast.Constant) -> ast.expr:
        value = node.value
        if isinstance(value, str) and len(value) > MAX_LITERAL:
            raise _refuse("expression-too-long", f"a text over {MAX_LITERAL} characters")
        if isinstance(value, bool | str):
            return node
        if not isinstance(value, int | float):
            kinds = {complex: "complex number", bytes: "bytes literal", type(None): "None"}
            raise self._forbidden(kinds.get(type(value), repr(value)))
        # Read from the source text, so that 0.1 is exactly one tenth.
        text = ast.get_source_segment(self.source, node) if isinstance(value, float) else None
        try:
            number = Decimal(text) if text is not None else Decimal(value)
        except decimal.InvalidOperation:
            raise _refuse("expression-syntax", f"cannot read the number {text!r}") from None
        if not abs(number) < MAX_MAGNITUDE:
            raise _refuse("number-too-large", f"the number {text or value} is 10^18 or more")
        return _number_node(number, node)

    def _name(self, node: ast.Name) -> ast.expr:
        if node.id in FUNCTIONS:
            raise _refuse(
                "function-not-called",
                f"'{node.id}' is a function; call it",
                f"write {FUNCTIONS[node.id].signature}",
                function=node.id,
            )
        self.names.add(node.id)
        return node

    def _attribute(self, node: ast.Attribute) -> ast.expr:
        if node.attr.startswith("_"):
            raise _refuse(
                "forbidden-attribute",
                f"'.{node.attr}' is not allowed",
                "names starting with '_' are private",
                attribute=node.attr,
            )
        base = node.value
        if not isinstance(base, ast.Name) or base.id in FUNCTIONS:
            raise _refuse(
                "forbidden-attribute",
                f"'.{node.attr}' must follow a plain name",
                "only one level is allowed, as in rule.output",
                attribute=node.attr,
            )
        self.names.add(base.id)
        self.attributes.add((base.id, node.attr))
        return node

    def _call(self, node: ast.Call) -> ast.expr:
        func = node.func
        if isinstance(func, ast.Attribute):
            raise _refuse(
                "forbidden-method",
                f"the method '.{func.attr}()' is not allowed",
                "only the listed functions can be called",
                method=func.attr,
            )
        if not isinstance(func, ast.Name):
            raise self._forbidden("call of a computed value", "call a function by its name")
        if func.id not in FUNCTIONS:
            hint = did_you_mean(func.id, FUNCTIONS) or "functions: " + ", ".join(FUNCTIONS)
            raise _refuse(
                "unknown-function", f"unknown function '{func.id}'", hint, function=func.id
            )
        if node.keywords:
            raise self._forbidden(
                "keyword argument", "pass arguments by position: " + FUNCTIONS[func.id].signature
            )
        if len(node.args) > MAX_ITEMS:
            raise _refuse("expression-too-long", f"more than {MAX_ITEMS} arguments")
        node.args = [self.visit(arg) for arg in node.args]
        self.functions.add(func.id)
        self.arithmetic = True
        return node

    def _operation(self, node: ast.expr) -> ast.expr:
        """Operators, comparisons, and/or/not, if-else: check the operator, then the operands."""
        for op in getattr(node, "ops", [getattr(node, "op", None)]):
            if op is not None and type(op) not in OPERATORS and type(op) not in (ast.And, ast.Or):
                symbol, hint = language.REFUSED_OPERATORS.get(type(op), (type(op).__name__, None))
                raise _refuse(
                    "forbidden-operator",
                    f"the operator '{symbol}' is not allowed",
                    hint,
                    operator=symbol,
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
                return _number_node(literal.copy_negate(), node)
        if isinstance(getattr(node, "op", None), ast.operator | ast.UAdd | ast.USub):
            self.arithmetic = True  # BinOp's op is an ast.operator; 'not' is no arithmetic
        return node

    def _sequence(self, node: ast.Tuple | ast.List) -> ast.expr:
        if len(node.elts) > MAX_ITEMS:
            raise _refuse("expression-too-long", f"a list literal has over {MAX_ITEMS} items")
        items = [self.visit(item) for item in node.elts]
        return ast.copy_location(ast.Tuple(elts=items, ctx=ast.Load()), node)


def _number_node(number: Decimal, like: ast.AST) -> ast.expr:
    # A Decimal constant is outside ast's declared types; only this package reads the tree.
    return ast.copy_location(ast.Constant(value=number), like)  # type: ignore[arg-type]


# --- run time ----------------------------------------------------------------------

_NO_NAMES: Mapping[str, Any] = {}


class _Sandbox(simpleeval.SimpleEval):  # type: ignore[misc]  # simpleeval has no type hints
    """simpleeval with this package's operators, functions and node handlers only.

    Handlers take ``Any``: the checker has already fixed each node's shape.
    """

    def __init__(self) -> None:
        super().__init__(
            operators=dict(OPERATORS),
            names={},
            functions={name: f.call for name, f in FUNCTIONS.items()},
        )
        # Replaces simpleeval's table: subscripts, f-strings, comprehensions
        # and assignment have no handler here, whatever a tree might hold.
        self.nodes: dict[type[ast.AST], Callable[[Any], Any]] = {
            ast.Constant: self._eval_constant,
            ast.Name: self._eval_name,
            ast.Attribute: self._eval_attribute,
            ast.BinOp: self._eval_binop,
            ast.UnaryOp: self._eval_unaryop,
            ast.BoolOp: self._eval_boolop,
            ast.Compare: self._eval_compare,
            ast.IfExp: self._eval_ifexp,
            ast.Call: self._eval_call,
            ast.Tuple: self._eval_tuple,
        }

    def _eval(self, node: Any) -> Any:
        # No _check_disallowed_items: see the module docstring.
        return self.nodes[type(node)](node)

    @staticmethod
    def _eval_constant(node: Any) -> Any:
        return node.value

    def _eval_name(self, node: Any) -> Any:
        try:
            value = self.names[node.id]
        except KeyError:
            raise fail("missing-value", f"no value for '{node.id}'", name=node.id) from None
        if type(value) is float:
            raise fail(
                "type-mismatch",
                f"'{node.id}' is a float; amounts must be exact",
                "pass int or Decimal",
                name=node.id,
            )
        return value

    def _eval_attribute(self, node: Any) -> Any:
        return attribute(self._eval_name(node.value), node.attr, node.value.id)

    # Children are dispatched through self.nodes directly rather than through
    # _eval: one Python call less per node. (Reading leaf operands inline was
    # measured too: 3% faster, not worth the repetition.)

    def _eval_binop(self, node: Any) -> Any:
        nodes, left, right = self.nodes, node.left, node.right
        return self.operators[type(node.op)](nodes[type(left)](left), nodes[type(right)](right))

    def _eval_unaryop(self, node: Any) -> Any:
        operand = node.operand
        return self.operators[type(node.op)](self.nodes[type(operand)](operand))

    def _eval_boolop(self, node: Any) -> bool:
        # Short-circuits as Python does: 'or' stops at the first yes, 'and' at the first no.
        stop = type(node.op) is ast.Or
        where = "or" if stop else "and"
        for value in node.values:
            if expect_bool(self.nodes[type(value)](value), where) is stop:
                return stop
        return not stop

    def _eval_compare(self, node: Any) -> bool:
        nodes, ops, comparators, left = self.nodes, node.ops, node.comparators, node.left
        left = nodes[type(left)](left)
        # Indexes, not zip(): building the zip cost more than the comparison itself.
        for index in range(len(ops)):
            right = comparators[index]
            right = nodes[type(right)](right)
            if not self.operators[type(ops[index])](left, right):
                return False
            left = right
        return True

    def _eval_ifexp(self, node: Any) -> Any:
        branch = node.body if expect_bool(self._eval(node.test), "if") else node.orelse
        return self.nodes[type(branch)](branch)

    def _eval_call(self, node: Any) -> Any:
        name = node.func.id
        args = [self.nodes[type(arg)](arg) for arg in node.args]
        try:
            result = self.functions[name](*args)
        except EvaluationError as error:  # already precise (a sum too large …)
            error.details = {**error.details, "function": name}
            raise
        except Exception as error:
            raise fail(
                "function-failed",
                f"{name}(): {error}",
                f"write {FUNCTIONS[name].signature}",
                function=name,
            ) from error
        return bounded(result) if type(result) in NUMBER_TYPES else result

    def _eval_tuple(self, node: Any) -> tuple[Any, ...]:
        nodes = self.nodes
        return tuple([nodes[type(item)](item) for item in node.elts])


class Evaluator:
    """Holds one simpleeval instance; not thread-safe; create one per batch/thread."""

    def __init__(self) -> None:
        self._sandbox = _Sandbox()
        # A private copy of CONTEXT installed for each evaluation: the same
        # arithmetic as decimal.localcontext(CONTEXT) at a third of the cost,
        # since nothing is copied per call. Its sticky flags are never read.
        self._context = CONTEXT.copy()

    def evaluate(self, expression: Expression, env: Mapping[str, Any]) -> Any:
        """The value of ``expression`` with names read from ``env``, which is never modified."""
        sandbox, tree = self._sandbox, expression.tree
        sandbox.names = env
        # Comparisons and logic are exact without a context: switching it costs
        # as much as evaluating a simple condition, so only arithmetic pays it.
        outer = decimal.getcontext() if expression.arithmetic else None
        if outer is not None:
            decimal.setcontext(self._context)
        try:
            return sandbox.nodes[type(tree)](tree)
        except EvaluationError as error:
            error.details = {**error.details, **_where(expression, env)}
            raise
        except Exception as error:  # unforeseen: still an EvaluationError, with its cause
            raise _translate(error, expression, env) from error
        finally:
            if outer is not None:
                decimal.setcontext(outer)
            sandbox.names = _NO_NAMES


def _where(expression: Expression, env: Mapping[str, Any]) -> dict[str, Any]:
    return where(expression.source, expression.names, env)


def _translate(error: Exception, expression: Expression, env: Mapping[str, Any]) -> EvaluationError:
    # One translation of unforeseen exceptions for both implementations.
    return translate(error, expression.source, expression.names, env)
