"""Checked expressions compiled into Python functions, once, at load time.

The reference semantics of the expression language is the simpleeval-based
:class:`policyengine.expressions.Evaluator`: it walks the checked tree for
every evaluation. That walk is most of what an evaluation costs, so each
checked tree is also turned into one Python function, ``code(env)``, that
computes the same value with no walk at all.

How it stays inside the sandbox:

- Only the *checked* tree is compiled, and only the node kinds the checker
  lets through have a translation; anything else is an internal error.
- A name from the policy never becomes a Python identifier: ``sales`` is
  compiled to ``env['sales']``, a string key. Literals are bound as
  constants. The generated function's globals hold the operator table, the
  function library and a few helpers of this module, and empty builtins.
- Every operator and function call goes through the same implementations
  the reference uses (:data:`policyengine.operators.OPERATORS` and
  :data:`policyengine.functions.FUNCTIONS`), so type checks, magnitude
  bounds and error codes are shared, not re-implemented. Differential tests
  (``tests/test_compiler.py``) pin the two together.

The compiled function trusts its ``env`` to hold typed values (the engine
only passes records checked against their declared fields) and does not
install a decimal context: the engine enters its own context once around a
whole evaluation (:func:`policyengine.numbers.engine_context`).

Names given in ``constants`` (a policy's parameters) are bound at compile
time: they are the same for every record, so reading them costs nothing.
"""

from __future__ import annotations

import ast
import datetime
import decimal
import itertools
import operator
import weakref
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from .codes import ErrorCode
from .errors import EvaluationError
from .functions import FUNCTIONS
from .operators import OPERATORS, bounded
from .value_kinds import NUMBER_TYPES, expect_bool, fail, show

#: A compiled expression: the value for one record's names.
Code = Callable[[Mapping[str, Any]], Any]

#: Record types checked by identity first: the Mapping ABC check is slow.
_RECORDS = frozenset({dict, MappingProxyType})


def attribute(base: Any, attr: str, base_name: str) -> Any:
    """``base.attr``: a part of a record or of a rule with named outputs (both engines)."""
    if type(base) in _RECORDS or isinstance(base, Mapping):
        try:
            return base[attr]
        except KeyError:
            name = f"{base_name}.{attr}"
            raise fail("unknown-attribute", f"'{name}' has no value", name=name) from None
    name = f"{base_name}.{attr}"
    hint = f"use {attr}({base_name})" if attr in ("year", "month") else None
    raise fail("unknown-attribute", f"'{name}': {show(base)} has no parts", hint, name=name)


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
    def call(*args: Any) -> Any:
        try:
            result = function(*args)
        except EvaluationError as error:  # already precise (a sum too large …)
            error.details = {**error.details, "function": name}
            raise
        except Exception as error:
            raise fail(
                "function-failed", f"{name}(): {error}", f"write {signature}", function=name
            ) from error
        return bounded(result) if type(result) in numbers else result

    return call


def where(
    source: str,
    names: frozenset[str],
    env: Mapping[str, Any],
    constants: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The details every evaluation error carries: the expression and the values it read."""
    scope = {**(constants or {}), **env} if constants else env
    try:
        values = {name: scope[name] for name in sorted(names) if name in scope}
    except Exception:  # values that fail on lookup must not hide the error being reported
        values = {}
    return {"expression": source, "values": values}


def translate(
    error: Exception,
    source: str,
    names: frozenset[str],
    env: Mapping[str, Any],
    constants: Mapping[str, Any] | None = None,
) -> EvaluationError:
    """An unforeseen exception as the :class:`EvaluationError` the reference gives for it."""
    code: ErrorCode = "evaluation-failed"
    message, details = f"unexpected failure: {error!r}", {}
    if isinstance(error, KeyError) and error.args and isinstance(error.args[0], str):
        # Compiled name reads are env[...]: a missing key is a missing value.
        name = error.args[0]
        code, message, details = "missing-value", f"no value for '{name}'", {"name": name}
    elif isinstance(error, ZeroDivisionError):  # decimal.DivisionByZero is one
        code, message = "division-by-zero", "division by zero"
    elif isinstance(error, decimal.Overflow):
        code, message = "number-too-large", "a result is too large"
    elif isinstance(error, decimal.InvalidOperation):
        code, message = "invalid-operation", "an operation has no exact result"
    return fail(code, message, **details, **where(source, names, env, constants))


#: Globals of every generated function: no builtins, only what is listed here.
_BASE_GLOBALS: dict[str, Any] = {
    "__builtins__": {},
    "_EvaluationError": EvaluationError,
    "_Exception": Exception,
    "_attr": attribute,
    "_truth": expect_bool,
    **{f"_op_{f.__name__}": f for f in OPERATORS.values()},
    **{f"_fn_{name}": _calling(name) for name in FUNCTIONS},
}

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


class _Translator:
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
        return _load(name)

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
        return _call("_truth", code, ast.Constant(where))

    def _Constant(self, node: ast.Constant) -> ast.expr:
        if type(node.value) in (bool, str):
            return ast.Constant(node.value)
        return self.bind(node.value)

    def _Name(self, node: ast.Name) -> ast.expr:
        if node.id in self.constants:
            return self.bind(self.constants[node.id])
        return ast.Subscript(value=_load("env"), slice=ast.Constant(node.id), ctx=ast.Load())

    def _Attribute(self, node: ast.Attribute) -> ast.expr:
        assert isinstance(node.value, ast.Name)  # the checker allows only name.part
        base = self._Name(node.value)
        return _call("_attr", base, ast.Constant(node.attr), ast.Constant(node.value.id))

    def _BinOp(self, node: ast.BinOp) -> ast.expr:
        return _call(_operator(node.op), self.visit(node.left), self.visit(node.right))

    def _UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        return _call(_operator(node.op), self.visit(node.operand))

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
                following = _load(temporary)
            if raw:
                parts.append(ast.Compare(left=left, ops=[op], comparators=[right]))
            else:
                parts.append(_call(_operator(op), left, right))
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
        return _call(f"_fn_{node.func.id}", *(self.visit(arg) for arg in node.args))

    def _Tuple(self, node: ast.Tuple) -> ast.expr:
        return ast.Tuple(elts=[self.visit(item) for item in node.elts], ctx=ast.Load())


def _load(name: str) -> ast.Name:
    return ast.Name(name, ast.Load())


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=_load(name), args=list(args), keywords=[])


def _operator(op: ast.AST) -> str:
    implementation = OPERATORS.get(type(op))
    if implementation is None:  # refused by the checker; never reached
        raise TypeError(f"cannot compile the operator {type(op).__name__}")
    return f"_op_{implementation.__name__}"


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
    translator = _Translator(constants, kinds or {})
    body = translator.visit(tree)
    # def _code(env):
    #     try: return <body>
    #     except _EvaluationError as error: error.details = {..., **_where(env)}; raise
    #     except _Exception as error: raise _translate(error, env) from error
    function = ast.FunctionDef(
        name="_code",
        args=ast.arguments(
            posonlyargs=[],
            args=[ast.arg("env")],
            kwonlyargs=[],
            kw_defaults=[],
            defaults=[],
        ),
        body=[
            ast.Try(
                body=[ast.Return(body)],
                handlers=[
                    ast.ExceptHandler(
                        type=_load("_EvaluationError"),
                        name="error",
                        body=[
                            ast.Expr(_call("_enrich", _load("error"), _load("env"))),
                            ast.Raise(),
                        ],
                    ),
                    ast.ExceptHandler(
                        type=_load("_Exception"),
                        name="error",
                        body=[
                            ast.Raise(
                                exc=_call("_translate", _load("error"), _load("env")),
                                cause=_load("error"),
                            )
                        ],
                    ),
                ],
                orelse=[],
                finalbody=[],
            )
        ],
        decorator_list=[],
        returns=None,
        type_comment=None,
    )
    # def _many(envs): return [<body> for env in envs]
    # The same value for each of many records in one call, as a roll-up over a
    # rep's calls wants it; no error handling: see :func:`many_of`.
    many = ast.FunctionDef(
        name="_many",
        args=ast.arguments(
            posonlyargs=[],
            args=[ast.arg("envs")],
            kwonlyargs=[],
            kw_defaults=[],
            defaults=[],
        ),
        body=[
            ast.Return(
                ast.ListComp(
                    elt=body,
                    generators=[
                        ast.comprehension(
                            target=ast.Name("env", ast.Store()),
                            iter=_load("envs"),
                            ifs=[],
                            is_async=0,
                        )
                    ],
                )
            )
        ],
        decorator_list=[],
        returns=None,
        type_comment=None,
    )
    module = ast.fix_missing_locations(ast.Module(body=[function, many], type_ignores=[]))

    def enrich(error: EvaluationError, env: Mapping[str, Any]) -> None:
        error.details = {**error.details, **where(source, names, env, constants)}

    def translate_here(error: Exception, env: Mapping[str, Any]) -> EvaluationError:
        return translate(error, source, names, env, constants)

    namespace = {
        **_BASE_GLOBALS,
        **translator.bound,
        "_enrich": enrich,
        "_translate": translate_here,
    }
    # Only the translated tree is compiled: see the module docstring for why this is safe.
    exec(compile(module, f"<expression {source[:60]!r}>", "exec"), namespace)
    code: Code = namespace["_code"]
    _MANY[code] = namespace["_many"]
    return code


#: Each compiled function's ``_many`` (see :func:`many_of`); weak, so that a policy
#: let go takes its functions with it.
_MANY: weakref.WeakKeyDictionary[Code, Many] = weakref.WeakKeyDictionary()

#: A compiled expression over many records' names at once: their values, in order.
Many = Callable[[list[Mapping[str, Any]]], list[Any]]


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
