"""The words of the problems an expression's text is refused for, while loading.

A part of the table of :mod:`policyengine.core._messages` (which joins it to its own
blocks into ``TEMPLATES``): what the parser (``language/_expression_parser.py``) and the
checker (``language/_expression_checker.py``) refuse. Their errors keep the details they
always had (``construct``, ``operator``, ``function`` …); the values their words are
filled from are the error's ``words``, as for evaluation errors
(:mod:`policyengine.core._run_templates`).

A refused construct or operator is said in a form of its own, so that its hint is a
template too: ``forbidden-syntax`` of a comprehension says "use sum() … over a list",
``forbidden-operator`` of ``^`` says "did you mean '**' for a power?".
"""

from __future__ import annotations

from typing import Final

from ._template import Template, TemplateBlocks

_NOT_ALLOWED: Final = "{construct} is not allowed"
_OPERATOR: Final = "the operator '{operator}' is not allowed"
_ASSIGNMENT: Final = "assignment is not allowed; an expression computes a value"
_SPLIT: Final = "split it into several rules"

# Kept one template a line where it fits, as docs/errors.md shows them: easier to compare.
# ruff: noqa: E501
# fmt: off
#: (section of docs/errors.md, {(code, form): template}), by the step that reports them.
EXPRESSION_BLOCKS: Final[TemplateBlocks] = (
    # the text of an expression (policyengine/language/_expression_parser.py)
    ("expressions-at-load-time", {
        ("expression-syntax", "not-text"): Template("an expression must be text, not {found}"),
        ("expression-syntax", ""): Template("not a valid expression: {problem}"),
        ("expression-syntax", "full-width"): Template("not a valid expression: {problem}", "use '{ascii}' instead of '{wide}'"),
        ("expression-syntax", "choice"): Template("not a valid expression: {problem}", "write a choice as '甲 if 条件 else 乙' (a if condition else b)"),
        ("expression-syntax", "and"): Template("not a valid expression: {problem}", "write 'and' for 并且"),
        ("expression-syntax", "or"): Template("not a valid expression: {problem}", "write 'or' for 或者"),
        ("expression-syntax", "number"): Template("cannot read the number {text}"),
        ("expression-too-long", ""): Template("more than {limit} characters", _SPLIT),
        ("expression-too-long", "text"): Template("a text over {limit} characters"),
        ("expression-too-long", "arguments"): Template("more than {limit} arguments"),
        ("expression-too-long", "list"): Template("a list literal has over {limit} items"),
        ("expression-empty", ""): Template("the expression is empty"),
        ("expression-empty", "comment"): Template("the expression holds only a comment"),
        ("expression-too-deep", "brackets"): Template("brackets nest deeper than {limit}", _SPLIT),
        ("expression-too-deep", ""): Template("the expression nests deeper than {limit}", _SPLIT + ", or add many terms with sum(a, b, …)"),
        ("forbidden-syntax", "statements"): Template("write one expression, not several statements"),
        ("forbidden-syntax", "statement"): Template("the statement '{construct}' is not allowed", "write one expression; choose with 'a if c else b'"),
        ("forbidden-syntax", "assignment"): Template(_ASSIGNMENT, "to compare, use '=='"),
    }),
    # what an expression may hold (policyengine/language/_expression_checker.py)
    ("expressions-at-load-time", {
        ("forbidden-syntax", ""): Template(_NOT_ALLOWED),
        ("forbidden-syntax", "over-a-list"): Template(_NOT_ALLOWED, "use sum(), min(), max(), any() or all() over a list"),
        ("forbidden-syntax", "previous"): Template("previous() takes the name of an output, and a written initial value", "write previous(name) or previous(name, 0)"),
        ("forbidden-syntax", "subscript"): Template(_NOT_ALLOWED, "name a rule's output as rule.output"),
        ("forbidden-syntax", "starred"): Template(_NOT_ALLOWED, "pass the list itself, e.g. sum(amounts)"),
        ("forbidden-syntax", "f-string"): Template(_NOT_ALLOWED, "join text with '+'"),
        ("forbidden-syntax", "set"): Template(_NOT_ALLOWED, "use a list: (a, b, c)"),
        ("forbidden-syntax", "computed-call"): Template(_NOT_ALLOWED, "call a function by its name"),
        ("forbidden-syntax", "keyword"): Template(_NOT_ALLOWED, "pass arguments by position: {signature}"),
        ("forbidden-operator", ""): Template(_OPERATOR),
        ("forbidden-operator", "power"): Template(_OPERATOR, "did you mean '**' for a power?"),
        ("forbidden-operator", "or"): Template(_OPERATOR, "did you mean 'or'?"),
        ("forbidden-operator", "and"): Template(_OPERATOR, "did you mean 'and'?"),
        ("forbidden-operator", "times"): Template(_OPERATOR, "did you mean '*'?"),
        ("forbidden-operator", "not"): Template(_OPERATOR, "did you mean 'not' or '-'?"),
        ("forbidden-operator", "equals"): Template(_OPERATOR, "did you mean '=='?"),
        ("forbidden-operator", "not-equals"): Template(_OPERATOR, "did you mean '!='?"),
        ("forbidden-operator", "shift-left"): Template(_OPERATOR, "bit shifts have no use in a pay rule; multiply instead"),
        ("forbidden-operator", "shift-right"): Template(_OPERATOR, "bit shifts have no use in a pay rule; divide instead"),
        ("control-character", "expression"): Template("the text holds the invisible character {name}", "write the text without it: an escape such as \\x1b or \\u200b in quotes puts an invisible character in the text"),
        ("number-too-large", "literal"): Template("the number {number} is out of range: 10^18 or more, or more than {places} decimal places"),
        ("name-not-normalized", "expression"): Template("the name '{written}' is not written in its normal form (NFKC), '{name}'", "write '{name}': Python would read it so, and silently mean another name"),
        ("function-not-called", ""): Template("'{function}' is a function; call it", "write {signature}"),
        ("forbidden-attribute", "private"): Template("'.{attribute}' is not allowed", "names starting with '_' are private"),
        ("forbidden-attribute", "nested"): Template("'.{attribute}' must follow a plain name", "only one level is allowed, as in rule.output"),
        ("forbidden-method", ""): Template("the method '.{method}()' is not allowed", "only the listed functions can be called"),
        ("unknown-function", ""): Template("unknown function '{function}'", "functions: {functions}"),
    }),
)
# fmt: on
