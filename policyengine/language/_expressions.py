"""Rule expressions: checked once at load time, evaluated exactly at run time.

This module is where the rest of the package meets the expression language;
the language itself lives in small modules, one thing each, in the order an
expression passes through them:

- :mod:`policyengine.language._expression_parser`: :func:`compile_expression`, the text
  measured, parsed and diagnosed, into a checked :class:`Expression`;
- :mod:`policyengine.language._expression_checker`: what the sandbox runs, and every
  refusal with its code and hint;
- :mod:`policyengine.language._value_kinds`, :mod:`policyengine.language._operators`,
  :mod:`policyengine.functions`: the kinds of value, the checked operators
  and the function library, shared by both engines;
- :mod:`policyengine.language._reference_evaluator`: :class:`Evaluator`, the reference
  semantics, a walk of the checked tree on simpleeval;
- :mod:`policyengine.language._compiler` (with :mod:`policyengine.language._expression_translator`):
  each checked tree as one Python function, what evaluation runs;
- :mod:`policyengine.language._shared_runtime`: what the two engines do alike.

Every load-time refusal is an :class:`~policyengine.errors.ExpressionError`
and every run-time failure an :class:`~policyengine.errors.EvaluationError`,
each with a stable code.
"""

from __future__ import annotations

from ._expression_checker import MAX_ITEMS, MAX_LITERAL
from ._expression_parser import MAX_DEPTH, MAX_LENGTH, Expression, compile_expression
from ._reference_evaluator import Evaluator

__all__ = [
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MAX_LENGTH",
    "MAX_LITERAL",
    "Evaluator",
    "Expression",
    "compile_expression",
]
