"""The sandbox: everything a policy has no use for is refused, quickly, as a PolicyError."""

from __future__ import annotations

import copy
import string
import time
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyengine.errors import EvaluationError, ExpressionError, PolicyError
from policyengine.language._expressions import MAX_LENGTH, Evaluator, compile_expression

ENV: dict[str, Any] = {
    "x": Decimal("1.5"),
    "salary": Decimal("8000"),
    "n": 3,
    "s": "text",
    "tags": ("vip", "east"),
    "band": MappingProxyType({"rate": Decimal("0.035")}),
    "flag": True,
}


def refuse(text: str, env: dict[str, Any] | None = None) -> PolicyError:
    """Compile and evaluate ``text``; return the PolicyError, having checked it came within 1s."""
    start = time.perf_counter()
    with pytest.raises(PolicyError) as info:
        Evaluator().evaluate(compile_expression(text), ENV if env is None else env)
    assert time.perf_counter() - start < 1.0
    return info.value


# --- the attacks named in the brief ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "code"),
    [
        ("x.__class__", ExpressionError, "forbidden-attribute"),
        ("().__class__.__bases__", ExpressionError, "forbidden-attribute"),
        ("().__class__.__bases__[0].__subclasses__()", ExpressionError, "forbidden-method"),
        ("9**9**9", EvaluationError, "number-too-large"),
        ("'a'*10**9", EvaluationError, "type-mismatch"),
        ("'x'.ljust(10**9)", ExpressionError, "forbidden-method"),
        ("'%999999999d' % 1", EvaluationError, "type-mismatch"),
        ("salary ^ 2", ExpressionError, "forbidden-operator"),
        ("a = 1", ExpressionError, "forbidden-syntax"),
        ("tags.append(1)", ExpressionError, "forbidden-method"),
    ],
)
def test_named_attacks_are_refused_fast(text: str, kind: type[PolicyError], code: str) -> None:
    """Each classic escape or resource attack is refused with its code within a second."""
    error = refuse(text)
    assert isinstance(error, kind)
    assert error.code == code


def test_thousand_deep_nesting_is_refused_fast() -> None:
    """1,000 nested brackets are refused before the parser is stressed."""
    thousand = "(" * 1000 + "1" + ")" * 1000
    assert refuse(thousand).code in {"expression-too-long", "expression-too-deep"}
    within_length = "(" * 999 + "1" + ")" * 999
    assert len(within_length) <= MAX_LENGTH
    assert refuse(within_length).code == "expression-too-deep"
    assert refuse("[" * 999 + "]" * 999).code == "expression-too-deep"


@pytest.mark.parametrize(
    "text",
    [
        "-" * 1999 + "1",
        "not " * 490 + "flag",
        "+".join(["x"] * 40),
        "**".join(["n"] * 40),
        "(" * 33 + "1" + ")" * 33,
    ],
)
def test_deep_trees_are_refused(text: str) -> None:
    """Deep trees without brackets (unary chains, long operator chains) are refused too."""
    error = refuse(text)
    assert isinstance(error, ExpressionError)
    assert error.code == "expression-too-deep"


def test_depth_limit_allows_ordinary_formulas() -> None:
    """32 levels are plenty: a 30-term sum and 32 brackets still compile."""
    env = {"x": Decimal(1)}
    assert Evaluator().evaluate(compile_expression("+".join(["x"] * 30)), env) == 30
    assert Evaluator().evaluate(compile_expression("(" * 32 + "1" + ")" * 32), env) == 1
    assert (
        Evaluator().evaluate(compile_expression("sum(" + ", ".join(["x"] * 100) + ")"), env) == 100
    )


def test_salary_hint_suggests_power() -> None:
    """'^' is refused with the operator named and a hint towards '**'."""
    error = refuse("salary ^ 2")
    assert error.details["operator"] == "^"
    assert error.hint is not None and "**" in error.hint


def test_tuple_fact_is_never_changed() -> None:
    """Evaluating expressions over a tuple fact leaves it and the values mapping as they were."""
    env = {"tags": ("vip", "east"), "amounts": (Decimal(1), Decimal(2)), "band": {"rate": 1}}
    before = copy.deepcopy(env)
    evaluator = Evaluator()
    for text in (
        "'vip' in tags",
        "len(tags)",
        "sum(amounts)",
        "max(amounts)",
        "tags == tags",
        "band.rate + 1",
        "(tags, amounts)",
    ):
        evaluator.evaluate(compile_expression(text), env)
    for text in ("tags.append(1)", "tags.clear()", "band.update(x=1)", "tags[0]"):
        with pytest.raises(ExpressionError):
            compile_expression(text)
    assert env == before


# --- load-time refusals ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "construct"),
    [
        ("a = 1", "assignment"),
        ("a += 1", "assignment"),
        ("a: int = 1", "assignment"),
        ("x := 1", "assignment"),
        ("(x := 1) + 1", "assignment"),
        ("a; b", "statements"),
        ("a\nb", "statements"),
        ("import os", "import"),
        ("from os import system", "importfrom"),
        ("del x", "delete"),
        ("if x: y", "if"),
        ("for i in x: pass", "for"),
        ("lambda: 1", "lambda"),
        ("[i for i in tags]", "comprehension"),
        ("{i for i in tags}", "comprehension"),
        ("{i: 1 for i in tags}", "comprehension"),
        ("sum(i for i in tags)", "generator"),
        ("tags[0]", "subscript x[...]"),
        ("s[1:2]", "subscript x[...]"),
        ("sum(*tags)", "starred *x"),
        ("f'{s}'", "f-string"),
        ("{'a': 1}", "dict literal"),
        ("{1, 2}", "set literal"),
        ("await x", "await"),
        ("yield x", "yield"),
        ("(yield)", "yield"),
        ("round_to(x, places=1)", "keyword argument"),
        ("min(**band)", "keyword argument"),
        ("None", "None"),
        ("1j", "complex number"),
        ("b'x'", "bytes literal"),
        ("min(1)(2)", "call of a computed value"),
        ("pass", "pass"),
        ("def f(): pass", "functiondef"),
        ("return 1", "return"),
    ],
)
def test_forbidden_syntax(text: str, construct: str) -> None:
    """Statements and constructs a formula has no use for are 'forbidden-syntax', named."""
    error = refuse(text)
    assert isinstance(error, ExpressionError)
    assert error.code == "forbidden-syntax"
    assert error.details["construct"] == construct


@pytest.mark.parametrize(
    ("text", "operator"),
    [
        ("x ^ 2", "^"),
        ("x | 1", "|"),
        ("x & 1", "&"),
        ("n << 2", "<<"),
        ("n >> 2", ">>"),
        ("x @ x", "@"),
        ("~n", "~"),
        ("x is x", "is"),
        ("x is not x", "is not"),
        ("1 < x is x", "is"),
    ],
)
def test_forbidden_operators(text: str, operator: str) -> None:
    """Bit operators, '@' and identity tests are 'forbidden-operator', naming the operator."""
    error = refuse(text)
    assert error.code == "forbidden-operator"
    assert error.details["operator"] == operator
    assert error.hint


@pytest.mark.parametrize(
    "text",
    [
        "rand()",
        "randint(10)",
        "int('5')",
        "float('1.5')",
        "str(1)",
        "eval('1')",
        "exec('1')",
        "open('/etc/passwd')",
        "getattr(x, 'y')",
        "__import__('os')",
        "type(x)",
        "print(1)",
        "round(x)",
        "list(tags)",
        "x(1)",
    ],
)
def test_only_listed_functions_can_be_called(text: str) -> None:
    """Builtins and simpleeval's default functions are not reachable: 'unknown-function'."""
    error = refuse(text)
    assert error.code == "unknown-function"
    assert error.details["function"] == text.split("(")[0]


def test_unknown_function_suggests_the_closest() -> None:
    """A misspelt function gets a did-you-mean hint."""
    for text, closest in (("mni(1, 2)", "'min'"), ("rond_to(x)", "'round_to'")):
        hint = refuse(text).hint
        assert hint is not None and closest in hint


@pytest.mark.parametrize(
    ("text", "method"),
    [
        ("tags.append(1)", "append"),
        ("'x'.ljust(10)", "ljust"),
        ("s.format()", "format"),
        ("'{0.__class__}'.format(x)", "format"),
        ("band.get('rate')", "get"),
        ("x.__class__()", "__class__"),
        ("band.rate.real()", "real"),
    ],
)
def test_methods_are_refused(text: str, method: str) -> None:
    """No method can be called, on a value, a literal or a record."""
    error = refuse(text)
    assert error.code == "forbidden-method"
    assert error.details["method"] == method


@pytest.mark.parametrize(
    "text",
    [
        "x.__class__",
        "band._secret",
        "band.rate.real",
        "(x + 1).real",
        "'a'.upper",
        "min.x",
        "x.__dict__",
        "s.__len__",
    ],
)
def test_attributes_are_one_level_on_a_name(text: str) -> None:
    """Private parts, nested parts and parts of computed values are 'forbidden-attribute'."""
    assert refuse(text).code == "forbidden-attribute"


@pytest.mark.parametrize("text", ["min", "sum + 1", "round_to", "(max, 1)"])
def test_functions_must_be_called(text: str) -> None:
    """A function name used as a value is 'function-not-called'."""
    assert refuse(text).code == "function-not-called"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("x" * (MAX_LENGTH + 1), "expression-too-long"),
        ("'" + "a" * 1001 + "'", "expression-too-long"),
        ("(" + ", ".join(["1"] * 101) + ")", "expression-too-long"),
        ("min(" + ", ".join(["1"] * 101) + ")", "expression-too-long"),
        ("", "expression-empty"),
        ("   \n  ", "expression-empty"),
        ("# only a note", "expression-empty"),
        ("1e18", "number-too-large"),
        ("1000000000000000000", "number-too-large"),
    ],
)
def test_size_limits(text: str, code: str) -> None:
    """Overlong expressions, literals and lists, empty text and huge numbers are refused."""
    error = refuse(text)
    assert isinstance(error, ExpressionError)
    assert error.code == code


@pytest.mark.parametrize(
    ("text", "column"),
    [("a +", 4), ("(a", 1), ("a b", 3), ("1 +* 2", 4)],
)
def test_syntax_errors_give_the_column(text: str, column: int) -> None:
    """A plain syntax error is 'expression-syntax' with the column Python reports."""
    error = refuse(text)
    assert error.code == "expression-syntax"
    assert error.details["column"] == column


def test_full_width_punctuation_gets_a_hint() -> None:
    """Full-width brackets typed by a Chinese input method get a hint naming the ASCII ones."""
    error = refuse("（销售额 + 奖金）× 2")
    assert error.code == "expression-syntax"
    assert error.hint is not None and "(" in error.hint


@pytest.mark.parametrize("text", ["'\\d'", "\x00", "'unterminated", "1 +\n"])
def test_unreadable_text_is_a_syntax_error(text: str) -> None:
    """Invalid escapes, NUL characters and broken strings are refused, never a warning."""
    assert refuse(text).code == "expression-syntax"


def test_refusals_are_expression_errors_without_location() -> None:
    """Load-time refusals leave the location empty for the caller to fill."""
    with pytest.raises(ExpressionError) as info:
        compile_expression("a = 1")
    assert info.value.location.to_dict() == {}


# --- fuzzing -------------------------------------------------------------------------

_ALPHABET = string.ascii_letters[:6] + string.digits + " +-*/%<>=!()[]{}.,'\"_:;^&|~@#\n"
_ATOMS = st.sampled_from(
    [
        "x",
        "n",
        "s",
        "tags",
        "band.rate",
        "flag",
        "0",
        "1.5",
        "'a'",
        "min(",
        "sum(",
        "len(",
        "round_to(",
        "(",
        ")",
        ",",
        " + ",
        " - ",
        " * ",
        " / ",
        " // ",
        " % ",
        " ** ",
        " == ",
        " < ",
        " and ",
        " or ",
        "not ",
        " if ",
        " else ",
        " in ",
        "-",
        "__class__",
        ".",
        "[0]",
        "date(2024, 1, 31)",
        "days_between(",
        "True",
        "clamp(",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=120),
        st.text(_ALPHABET, max_size=120),
        st.lists(_ATOMS, max_size=25).map("".join),
    )
)
def test_anything_fails_only_as_policy_errors(text: str) -> None:
    """Arbitrary text either compiles and evaluates, or fails only as a PolicyError."""
    try:
        expression = compile_expression(text)
    except ExpressionError:
        return
    try:
        result = Evaluator().evaluate(expression, ENV)
    except EvaluationError:
        return
    assert not isinstance(result, float)
