"""The two measures taken of an expression before it is trusted, against plain references.

``bracket_depth`` jumps between the characters that matter with regex searches, and
``tree_depth`` reads node fields directly: each is pinned here to a character-by-character
(or ``ast.iter_child_nodes``) reference over random text and random trees.
"""

from __future__ import annotations

import ast

from hypothesis import given, settings
from hypothesis import strategies as st

from policyengine.language._expression_parser import bracket_depth, tree_depth


def reference_bracket_depth(source: str) -> int:
    depth = deepest = index = 0
    quote = ""
    while index < len(source):
        char = source[index]
        if quote:
            if char == "\\":
                index += 2
                continue
            if source.startswith(quote, index):
                index += len(quote)
                quote = ""
                continue
        elif char in "'\"":
            triple = source[index : index + 3]
            quote = triple if triple in ('"""', "'''") else char
            index += len(quote)
            continue
        elif char == "#":
            newline = source.find("\n", index)
            index = len(source) if newline < 0 else newline
        elif char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
        index += 1
    return deepest


def reference_tree_depth(root: ast.AST, limit: int) -> int:
    deepest = 0
    stack = [(root, 1)]
    while stack and deepest <= limit:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        for child in ast.iter_child_nodes(node):
            stack.append((child, depth + 1 if isinstance(child, ast.expr) else depth))
    return deepest


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="()[]{}'\"\\#\nab x+", max_size=80))
def test_bracket_depth_is_the_reference(source: str) -> None:
    assert bracket_depth(source) == reference_bracket_depth(source)


EXPRESSIONS = st.recursive(
    st.sampled_from(["x", "1", "'s'", "y.z"]),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "*", " and ", " < "]), inner).map("".join),
        inner.map(lambda e: f"-({e})"),
        st.lists(inner, min_size=1, max_size=3).map(lambda a: f"max({', '.join(a)})"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        st.lists(inner, max_size=3).map(lambda a: f"[{', '.join(a)}]"),
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(EXPRESSIONS, st.integers(min_value=1, max_value=40))
def test_tree_depth_is_the_reference(source: str, limit: int) -> None:
    tree = ast.parse(source, mode="eval").body
    assert tree_depth(tree, limit) == reference_tree_depth(tree, limit)
