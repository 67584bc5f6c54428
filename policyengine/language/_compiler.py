"""Checked expressions compiled into Python functions, once, at load time.

The reference semantics of the expression language is the simpleeval-based
:class:`policyengine.language._expressions.Evaluator`: it walks the checked tree for
every evaluation. That walk is most of what an evaluation costs, so each
checked tree is also turned into one Python function, ``code(env)``, that
computes the same value with no walk at all.

How it stays inside the sandbox:

- Only the *checked* tree is compiled, and only the node kinds the checker
  lets through have a translation (:mod:`policyengine.language._expression_translator`);
  anything else is an internal error.
- A name from the policy never becomes a Python identifier: ``sales`` is
  compiled to ``env['sales']``, a string key. Literals are bound as
  constants. The generated function's globals hold the operator table, the
  function library and a few helpers of this module, and empty builtins.
- Every operator and function call goes through the same implementations
  the reference uses (:data:`policyengine.language._operators.OPERATORS` and
  :data:`policyengine.functions.FUNCTIONS`), so type checks, magnitude
  bounds and error codes are shared, not re-implemented. Differential tests
  (``tests/test_compiler.py``) pin the two together.

The compiled function trusts its ``env`` to hold typed values (the engine
only passes records checked against their declared fields) and does not
install a decimal context: the engine enters its own context once around a
whole evaluation (:func:`policyengine.core._numbers.engine_context`).

Names given in ``constants`` (a policy's parameters) are bound at compile
time: they are the same for every record, so reading them costs nothing.

This module builds the generated module around the translated tree: the
function of one record (``_code``, which dresses its errors as the
reference does) and its list form (``_many``, see :func:`many_of`).
"""

from __future__ import annotations

import ast
import operator
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import EvaluationError
from ._expression_translator import Kinds, Translator, call_name, load_name
from ._functions import FUNCTIONS
from ._operators import OPERATORS, bounded
from ._shared_runtime import attribute, translate, where
from ._value_kinds import NUMBER_TYPES, expect_bool, function_failed

#: A compiled expression: the value for one record's names.
Code = Callable[[Mapping[str, Any]], Any]

#: A compiled expression over many records' names at once: their values, in order.
Many = Callable[[list[Mapping[str, Any]]], list[Any]]


# --- what the generated code calls ---------------------------------------------------


def _calling(name: str) -> Callable[..., Any]:
    """The library function ``name`` with the reference's error wrapping and bound."""
    function = FUNCTIONS[name].call
    signature = FUNCTIONS[name].signature
    numbers = NUMBER_TYPES
    general = _wrapped(name, function, signature, numbers)
    if name not in ("min", "max"):
        return general
    smaller = name == "min"

    def two_numbers(*args: Any) -> Any:
        # min(a, b) / max(a, b) of two numbers, as pay rules mostly write them: the
        # first of equals, as Python's min and max give it; anything else as always.
        if len(args) == 2:
            a, b = args
            if type(a) in numbers and type(b) in numbers:
                return bounded((b if b < a else a) if smaller else (b if b > a else a))
        return general(*args)

    return two_numbers


def _wrapped(
    name: str, function: Callable[..., Any], signature: str, numbers: frozenset[type]
) -> Callable[..., Any]:
    """``function`` as the reference calls it: failing is ``function-failed``, a number bounded."""

    def call(*args: Any) -> Any:
        try:
            result = function(*args)
        except EvaluationError as error:  # already precise (a sum too large …)
            error.details = {**error.details, "function": name}
            raise
        except Exception as error:
            raise function_failed(name, signature, error) from error
        return bounded(result) if type(result) in numbers else result

    return call


#: Globals of every generated function: no builtins, only what is listed here.
#: The translator writes the ``_attr``, ``_truth``, ``_op_…`` and ``_fn_…`` it calls.
_BASE_GLOBALS: dict[str, Any] = {
    "__builtins__": {},
    "_EvaluationError": EvaluationError,
    "_Exception": Exception,
    "_attr": attribute,
    "_truth": expect_bool,
    **{f"_op_{f.__name__}": f for f in OPERATORS.values()},
    **{f"_fn_{name}": _calling(name) for name in FUNCTIONS},
}


def base_globals() -> dict[str, Any]:
    """A copy of what every generated function may reach (the fused functions' start)."""
    return dict(_BASE_GLOBALS)


# --- compiling ---------------------------------------------------------------------


def compile_code(
    tree: ast.expr,
    source: str,
    names: frozenset[str],
    constants: Mapping[str, Any] | None = None,
    kinds: Kinds | None = None,
) -> Code:
    """One Python function computing the checked ``tree`` for a record's ``env``.

    ``kinds`` gives the kind of names whose values are sure to be there and to
    have it (the typed fields of the record the expression reads, which the
    engine reads before any rule runs): comparisons between such values then
    run without the operator's checks, and such a name read alone is a plain
    lookup.

    Errors come out as the reference gives them: an :class:`EvaluationError`
    with its code, carrying the expression and the values it read.
    """
    constants = {name: value for name, value in (constants or {}).items() if name in names}
    if isinstance(tree, ast.Name) and tree.id in (kinds or {}) and tree.id not in constants:
        # A typed field read alone (a tier's amount, a score's component): the record
        # always holds it once read, so a C-level lookup is the whole evaluation.
        field: Code = operator.itemgetter(tree.id)
        return field
    translator = Translator(constants, kinds or {})
    body = translator.visit(tree)
    functions: list[ast.stmt] = [_one_record(body), _many_records(body)]
    module = ast.fix_missing_locations(ast.Module(body=functions, type_ignores=[]))
    namespace = {
        **_BASE_GLOBALS,
        **translator.bound,
        **_error_dressing(source, names, constants),
    }
    # Only the translated tree is compiled: see the module docstring for why this is safe.
    exec(compile(module, f"<expression {source[:60]!r}>", "exec"), namespace)
    code: Code = namespace["_code"]
    _MANY[code] = namespace["_many"]
    return code


def _error_dressing(
    source: str, names: frozenset[str], constants: Mapping[str, Any]
) -> dict[str, Callable[..., Any]]:
    """The generated function's ``_enrich`` and ``_translate``: its errors as the reference's."""

    def enrich(error: EvaluationError, env: Mapping[str, Any]) -> None:
        error.details = {**error.details, **where(source, names, env, constants)}

    def translate_here(error: Exception, env: Mapping[str, Any]) -> EvaluationError:
        return translate(error, source, names, env, constants)

    return {"_enrich": enrich, "_translate": translate_here}


def _function(name: str, argument: str, body: list[ast.stmt]) -> ast.FunctionDef:
    """``def <name>(<argument>): <body>``, as the generated module holds it."""
    return ast.FunctionDef(
        name=name,
        args=ast.arguments(
            posonlyargs=[],
            args=[ast.arg(argument)],
            kwonlyargs=[],
            kw_defaults=[],
            defaults=[],
        ),
        body=body,
        decorator_list=[],
        returns=None,
        type_comment=None,
    )


def _one_record(body: ast.expr) -> ast.FunctionDef:
    """The function of one record's ``env``, with its errors dressed as the reference's::

    def _code(env):
        try: return <body>
        except _EvaluationError as error: _enrich(error, env); raise
        except _Exception as error: raise _translate(error, env) from error
    """
    return _function(
        "_code",
        "env",
        [
            ast.Try(
                body=[ast.Return(body)],
                handlers=[
                    ast.ExceptHandler(
                        type=load_name("_EvaluationError"),
                        name="error",
                        body=[
                            ast.Expr(call_name("_enrich", load_name("error"), load_name("env"))),
                            ast.Raise(),
                        ],
                    ),
                    ast.ExceptHandler(
                        type=load_name("_Exception"),
                        name="error",
                        body=[
                            ast.Raise(
                                exc=call_name("_translate", load_name("error"), load_name("env")),
                                cause=load_name("error"),
                            )
                        ],
                    ),
                ],
                orelse=[],
                finalbody=[],
            )
        ],
    )


def _many_records(body: ast.expr) -> ast.FunctionDef:
    """The same value for each of many records in one call, as a roll-up over a
    rep's calls wants it; no error handling (see :func:`many_of`)::

    def _many(envs): return [<body> for env in envs]
    """
    comprehension = ast.comprehension(
        target=ast.Name("env", ast.Store()), iter=load_name("envs"), ifs=[], is_async=0
    )
    return _function(
        "_many", "envs", [ast.Return(ast.ListComp(elt=body, generators=[comprehension]))]
    )


# --- the list form -----------------------------------------------------------------

#: Each compiled function's ``_many`` (see :func:`many_of`); weak, so that a policy
#: let go takes its functions with it.
_MANY: weakref.WeakKeyDictionary[Code, Many] = weakref.WeakKeyDictionary()


def many_of(code: Code) -> Many:
    """``code`` for a list of records at once: ``[code(env) for env in envs]``, with one
    call instead of one per record when ``code`` was compiled here.

    Only for values: the one-call form does not dress its errors as the
    reference does (it has no per-record ``try``). A caller that meets an
    exception from it evaluates the records one by one with ``code``, which
    gives exactly the error the reference gives, for the first record it is
    met in.
    """
    found = _MANY.get(code) if not isinstance(code, operator.itemgetter) else None
    if found is not None:
        return found
    return lambda envs: list(map(code, envs))
