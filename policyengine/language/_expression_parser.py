"""From the text of an expression to a checked :class:`Expression`, once, at load time.

:func:`compile_expression` parses a formula such as ``credited_sales * rate``
or ``销售额 * 提成比例`` and hands the tree to the checker
(:mod:`policyengine.language._expression_checker`), which refuses everything a pay
rule has no use for. Before anything is parsed the text is measured
(length, bracket nesting): absurd input must be refused before Python's
parser, which recurses, ever sees it.

A text that does not parse is diagnosed rather than reported raw: an
assignment, a statement, several statements or a full-width bracket typed
by a Chinese input method each get a message and a hint a policy author can
act on.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from ..errors import ExpressionError
from ._expression_checker import Checker, said
from ._percent_literals import Places, mark_percents

MAX_LENGTH = 2_000  # characters of one expression
MAX_DEPTH = 32  # bracket nesting, and depth of the parsed tree


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
    #: The names it reads whole, not only as ``name.part`` (recorded while checking, so
    #: that resolving names walks no tree again).
    bare: frozenset[str] = frozenset()
    #: ``previous(name, initial)`` calls: the name each is read as -> (name, initial).
    past: Mapping[str, tuple[str, Any]] = MappingProxyType({})


def compile_expression(text: str) -> Expression:
    """Parse and check ``text``; raise :class:`ExpressionError` for anything refused."""
    if not isinstance(text, str):
        raise said("expression-syntax", "not-text", {"found": type(text).__name__})
    if len(text) > MAX_LENGTH:
        raise said("expression-too-long", "", {"limit": MAX_LENGTH}, length=len(text))
    source = text.strip()
    if not source:
        raise said("expression-empty", "", {})
    # Counted before parsing, so that absurd nesting never reaches the parser.
    if bracket_depth(source) > MAX_DEPTH:
        raise said("expression-too-deep", "brackets", {"limit": MAX_DEPTH})
    tree, parsed, percents = _parse(source)
    # The evaluator recurses once per level: this bounds its stack.
    if tree_depth(tree.body, MAX_DEPTH) > MAX_DEPTH:
        raise said("expression-too-deep", "", {"limit": MAX_DEPTH})
    checker = Checker(parsed, percents)
    body = checker.visit(tree.body)
    return Expression(
        text,
        body,
        frozenset(checker.names),
        frozenset(checker.attributes),
        frozenset(checker.functions),
        checker.arithmetic,
        frozenset(checker.bare),
        MappingProxyType(checker.past),
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


def _parse(source: str) -> tuple[ast.Expression, str, Places]:
    """The tree, the exact text it was parsed from (literals are read back from it), and
    where the percentages in it start (``x * 6%``, :mod:`._percent_literals`)."""
    attempts = [source]
    if "\n" in source:
        # A long formula written over several YAML lines reads as one expression.
        attempts.append(f"(\n{source}\n)")
    first: SyntaxError | None = None
    for attempt in attempts:
        attempt, percents = mark_percents(attempt)
        try:
            tree = _quiet_parse(attempt, "eval")
        except SyntaxError as error:
            first = first or error
            continue
        except (ValueError, RecursionError, MemoryError) as error:
            raise said("expression-syntax", "", {"problem": str(error)}, column=0) from None
        assert isinstance(tree, ast.Expression)
        return tree, attempt, percents
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
            Checker(candidate).visit(tree.body)  # raises for what it refuses
            continue
        assert isinstance(tree, ast.Module)
        if not tree.body:
            return said("expression-empty", "comment", {})
        statement = tree.body[0] if len(tree.body) == 1 else None
        if statement is None:
            return said("forbidden-syntax", "statements", {}, construct="statements")
        if isinstance(statement, ast.Assign | ast.AugAssign | ast.AnnAssign):
            return said("forbidden-syntax", "assignment", {}, construct="assignment")
        if isinstance(statement, ast.Expr):
            Checker(candidate).visit(statement.value)
            continue
        name = type(statement).__name__.lower()  # import, if, for, delete, def …
        return said("forbidden-syntax", "statement", {"construct": name}, construct=name)
    typed = next((c for c in source if c in FULL_WIDTH), None)
    words = {"problem": error.msg}
    if typed is not None:  # named in the hint: '（' typed for '('
        words.update(ascii=FULL_WIDTH[typed], wide=typed)
    # Python gives no column for an error at the very end; that end is the place.
    details: dict[str, Any] = {"column": error.offset or len(source.splitlines()[-1]) + 1}
    if "\n" in source:
        details["line"] = error.lineno or 0
    written = next((CHINESE_WORDS[w] for w in CHINESE_WORDS if w in source), "")
    form = "full-width" if typed is not None else written
    return said("expression-syntax", form, words, None, **details)


#: Full-width punctuation a Chinese input method types easily, and the ASCII
#: character Python needs instead: named in the hint of a syntax error.
FULL_WIDTH: Mapping[str, str] = MappingProxyType(
    dict(zip("（），×÷＋－＊／＝＜＞“”‘’％．。", "(),*/+-*/=<>\"\"''%..", strict=True))
)


#: Words of a condition written in Chinese, and the form of ``expression-syntax`` whose
#: hint says how an expression says it ("如果 c 则 a 否则 b" is not an expression).
CHINESE_WORDS: Mapping[str, str] = MappingProxyType(
    {"如果": "choice", "否则": "choice", "并且": "and", "或者": "or"}
)


# --- measuring an expression before trusting it ---------------------------------
# Iterative on purpose: they run before anything has bounded the input.


#: What bracket_depth stops at outside a string, and inside one (by its quote character):
#: it jumps from one to the next, so a long expression costs a few regex searches.
_OUTSIDE = re.compile(r"['\"#()\[\]{}]")
_INSIDE = {"'": re.compile(r"[\\']"), '"': re.compile(r'[\\"]')}


def bracket_depth(source: str) -> int:
    """Deepest bracket nesting outside string literals and comments."""
    depth = deepest = 0
    found = _OUTSIDE.search(source)
    while found is not None:
        index, char = found.start(), found[0]
        if char in "'\"":
            triple = source[index : index + 3]
            quote = triple if triple in ('"""', "'''") else char
            index = _string_end(source, index + len(quote), quote)
        elif char == "#":
            newline = source.find("\n", index)
            index = len(source) if newline < 0 else newline
        else:
            depth += 1 if char in "([{" else -1
            deepest = max(deepest, depth)
            index += 1
        found = _OUTSIDE.search(source, index)
    return deepest


def _string_end(source: str, index: int, quote: str) -> int:
    """Where the string literal that opened with ``quote`` before ``index`` ends (after its
    closing quote; the end of ``source`` when it never closes): a backslash escapes the
    character after it."""
    inside = _INSIDE[quote[0]]
    found = inside.search(source, index)
    while found is not None:
        index = found.start()
        if found[0] == "\\":
            index += 2
        elif source.startswith(quote, index):
            return index + len(quote)
        else:
            index += 1
        found = inside.search(source, index)
    return len(source)


#: Expressions with no expression below them: most nodes of a long expression are these,
#: and tree_depth counts them without a trip through its stack.
_LEAVES = frozenset({ast.Name, ast.Constant})


def tree_depth(root: ast.AST, limit: int) -> int:
    """Depth of ``root`` in expression nodes, found without recursion; stops once over ``limit``.

    The children are read from each node's fields directly (``ast.iter_child_nodes`` made
    this a quarter of loading a file of long expressions), and names and literals are
    counted where they are met."""
    deepest = 0
    stack = [(root, 1)]
    pop, push, node_type, expr_type, leaves = stack.pop, stack.append, ast.AST, ast.expr, _LEAVES
    while stack and deepest <= limit:
        node, depth = pop()
        if depth > deepest:
            deepest = depth
            if depth > limit:
                break
        for name in node._fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                for item in value:
                    if item.__class__ in leaves:
                        if depth >= deepest:
                            deepest = depth + 1
                    elif isinstance(item, node_type):
                        push((item, depth + 1 if isinstance(item, expr_type) else depth))
            elif value.__class__ in leaves:
                if depth >= deepest:
                    deepest = depth + 1
            elif isinstance(value, node_type):
                push((value, depth + 1 if isinstance(value, expr_type) else depth))
    return deepest
