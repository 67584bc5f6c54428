"""The reference semantics of the expression language: a walk of the checked tree.

:class:`Evaluator` walks a checked :class:`~policyengine.language._expression_parser.Expression`
on top of simpleeval with this package's own operator table and function
library (:mod:`policyengine.language._operators`, :mod:`policyengine.functions`).
Because the tree was checked at load time, the per-node safety scan
simpleeval performs is skipped: it guards against nodes and values that
cannot be present, and would double the cost of an evaluation. Every
run-time failure comes out as :class:`EvaluationError`.

Evaluation runs compiled code (:mod:`policyengine.language._compiler`); this walk is
what that code is tested against, and what ``engine="reference"`` selects.
"""

from __future__ import annotations

import ast
import decimal
from collections.abc import Callable, Mapping
from typing import Any

import simpleeval

from ..core._numbers import CONTEXT
from ..errors import EvaluationError
from ._expression_parser import Expression
from ._functions import FUNCTIONS
from ._operators import OPERATORS, bounded
from ._shared_runtime import attribute, translate, where
from ._value_kinds import NUMBER_TYPES, expect_bool, fail, function_failed

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
            raise fail("missing-value", "", name=node.id) from None
        if type(value) is float:
            raise fail("type-mismatch", "float", name=node.id)
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
            raise function_failed(name, FUNCTIONS[name].signature, error) from error
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
