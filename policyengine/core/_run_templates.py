"""The words of the problems met while evaluating: a rule failing on a record.

A part of the table of :mod:`policyengine.core._messages` (which joins it to its own
blocks into ``TEMPLATES``), for the errors the operators, the function library and both
engines raise (``policyengine/language``), the rule kinds' own (``policyengine/rules``)
and the runner's "a value this rule reads failed" (``run/_runner.py``).

These errors differ from load-time problems in one way: a month's result, and so its
ledger, stores each one's English message and its ``details`` as they were, and a
replay must reproduce them byte for byte. So each English template here says exactly
what the message said before it was a template, and an error keeps what it is filled
from apart from its details (``PolicyError.words``): the details stay what the ledgers
store, and the words let the error be said again in Chinese for display
(``PolicyError.render("zh")``, ``policyengine --lang zh run``). A stored error is never
rewritten.
"""

from __future__ import annotations

from typing import Final

from ._template import Template, TemplateBlocks

_SIGNATURE: Final = "write {signature}"

# Kept one template a line where it fits, as docs/errors.md shows them: easier to compare.
# ruff: noqa: E501
# fmt: off
#: (section of docs/errors.md, {(code, form): template}), by the step that reports them.
RUN_BLOCKS: Final[TemplateBlocks] = (
    # the operators and names (policyengine/language/_value_kinds.py, _operators.py, _shared_runtime.py, _reference_evaluator.py)
    ("evaluation-at-run-time", {
        ("type-mismatch", "operator"): Template("'{operator}' cannot be used with {shown}"),
        ("type-mismatch", "operator-two"): Template("'{operator}' cannot be used with {shown} and {other}"),
        ("type-mismatch", "in"): Template("'{operator}' cannot be used with {shown} and {other}", "'in' looks in a list or in text"),
        ("type-mismatch", "condition"): Template("'{operator}' expects yes/no, got {shown}", "compare it to something, e.g. 'x > 0'"),
        ("type-mismatch", "float"): Template("'{name}' is a float; amounts must be exact", "pass int or Decimal"),
        ("unknown-attribute", ""): Template("'{name}' has no value"),
        ("unknown-attribute", "no-parts"): Template("'{name}': {shown} has no parts"),
        ("unknown-attribute", "date-part"): Template("'{name}': {shown} has no parts", "use {part}({base})"),
        ("missing-value", ""): Template("no value for '{name}'"),
        ("division-by-zero", ""): Template("division by zero"),
        ("division-by-zero", "operator"): Template("'{operator}' by zero"),
        ("division-by-zero", "negative-power"): Template("zero to a negative power"),
        ("number-too-large", ""): Template("a result is too large"),
        ("number-too-large", "bound"): Template("a result reached 10^18 or more, beyond any amount a policy needs", "check the formula for a missing division or a wrong power"),
        ("number-too-large", "exponent"): Template("exponent {exponent} is outside ±{limit}"),
        ("invalid-operation", ""): Template("an operation has no exact result"),
        ("invalid-operation", "exponent"): Template("'**' needs a whole-number exponent, got {exponent}", "exact arithmetic cannot take roots"),
        ("string-too-long", ""): Template("joined text would exceed {limit} characters"),
        ("evaluation-failed", ""): Template("unexpected failure: {failure}"),
        ("internal-error", ""): Template("unexpected failure: {failure}"),
    }),
    # the functions (policyengine/language/_functions.py, called by _compiler.py and _reference_evaluator.py)
    ("evaluation-at-run-time", {
        ("function-failed", ""): Template("{function}(): {problem}", _SIGNATURE),
        ("function-failed", "not-a-number"): Template("{function}(): {argument} must be a number, got {shown}", _SIGNATURE),
        ("function-failed", "not-whole"): Template("{function}(): {argument} must be a whole number, got {shown}", _SIGNATURE),
        ("function-failed", "too-large"): Template("{function}(): {argument} {value} is too large", _SIGNATURE),
        ("function-failed", "not-a-date"): Template("{function}(): {argument} must be a date, got {shown}", _SIGNATURE),
        ("function-failed", "no-values"): Template("{function}(): needs at least one value", _SIGNATURE),
        ("function-failed", "not-comparable"): Template("{function}(): cannot compare {shown} with {other}", _SIGNATURE),
        ("function-failed", "not-yes-no"): Template("{function}(): expects yes/no values, got {shown}", _SIGNATURE),
        ("function-failed", "arity-one"): Template("{function}(): takes {wanted} argument, got {count}", _SIGNATURE),
        ("function-failed", "arity-many"): Template("{function}(): takes {wanted} arguments, got {count}", _SIGNATURE),
        ("function-failed", "not-text-or-list"): Template("{function}(): argument must be text or a list, got {shown}", _SIGNATURE),
        ("function-failed", "low-above-high"): Template("{function}(): low {low} is above high {high}", _SIGNATURE),
        ("function-failed", "mode"): Template("{function}(): mode must be one of {modes}, got {shown}", _SIGNATURE),
    }),
    # the rule kinds over one record (policyengine/rules/formula.py, tiers.py, score.py, table.py, checks.py)
    ("evaluation-at-run-time", {
        ("type-mismatch", "result"): Template("the result must be a number, found {value}"),
        ("type-mismatch", "min"): Template("min must be a number, found {value}"),
        ("type-mismatch", "max"): Template("max must be a number, found {value}"),
        ("type-mismatch", "tiers"): Template("the tiers are applied to a number, found {value}"),
        ("below-bands", ""): Template("{amount} is below the first band, which starts at {low}", "add a band that starts lower"),
        ("above-bands", ""): Template("{amount} is above the last band's end {high}", "leave the last band's 'to' out to make it open-ended"),
        ("above-bands", "at"): Template("{amount} is at or above the last band's end {high}", "leave the last band's 'to' out to make it open-ended"),
        ("type-mismatch", "score"): Template("component '{component}' must be a number, found {value}"),
        ("type-mismatch", "table-condition"): Template("row {row}'s condition must be true or false, found {value}"),
        ("type-mismatch", "table-sum"): Template("row {row} gives {value}, but the table adds up numbers"),
        ("rows-overlap", ""): Template("rows {first} and {second} both hold, but the table's hit policy is unique", "make the conditions exclusive, or use hit: first"),
        ("no-row-matched", ""): Template("no row of the table holds for this record and the table has no default", "add a last row with when: true, or a default"),
        ("type-mismatch", "check-when"): Template("check '{check}': 'when' must be true or false, found {value}"),
        ("type-mismatch", "check-assert"): Template("check '{check}': 'assert' must be true or false, found {value}"),
    }),
    # the rule kinds over many records (policyengine/rules/history.py, rank.py, aggregate.py)
    ("rules-over-many-records", {
        ("missing-history", ""): Template("no value of '{of}' for {month}", "evaluate the earlier months first, pass their results, or declare missing: as_false / as_zero"),
        ("type-mismatch", "history"): Template("'{of}' must be true or false in {month}, found {value}"),
        ("type-mismatch", "rank"): Template("cannot order {first} against {second}"),
        ("type-mismatch", "eligible"): Template("'eligible' must be true or false, found {value}"),
        ("incomplete-group", "rank"): Template("{kind} {record} in the same group could not be evaluated, so the ranking would be incomplete"),
        ("incomplete-group", "aggregate"): Template("{of} {record} of this {kind} could not be evaluated, so the {function} over its {of} records would be incomplete"),
        ("incomplete-group", "aggregate-failed"): Template("{of} {record} of this {kind} failed, so the {function} over its {of} records would be incomplete"),
        ("type-mismatch", "aggregate-number"): Template("{of} {record}: value must be a number, found {value}"),
        ("type-mismatch", "aggregate-bool"): Template("{of} {record}: value must be true or false, found {value}"),
        ("type-mismatch", "where"): Template("'where' must be true or false, found {value}"),
        ("empty-group", ""): Template("no {of} record counts, and {function} of nothing has no value", "declare empty: with the value to use when there is none"),
    }),
    # a value read from a failed one (policyengine/run/_runner.py)
    ("rules-over-many-records", {
        ("failed-input", ""): Template("a value this rule reads failed: {where}, {failed} ({cause})", "fix the root cause named here; this value then follows"),
    }),
)
# fmt: on
