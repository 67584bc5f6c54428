"""Embedded tests: each ``tests:`` case of a policy, run and compared exactly."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

from ..core._display import plain
from ..core._messages import Catalogue
from ..core._number_text import to_decimal
from ..core._numbers import CONTEXT, is_number
from ..core._text_templates import saying
from ..errors import PolicyError
from ..model import Policy, TestCase
from ._engine import evaluate
from ._result import Result


@attrs.frozen
class Mismatch:
    output: str
    expected: Any
    actual: Any


@attrs.frozen
class CaseResult:
    """How one embedded test case went."""

    policy: Policy
    case: TestCase
    mismatches: tuple[Mismatch, ...] = ()
    error: PolicyError | None = None
    explanations: tuple[str, ...] = ()
    #: What the case evaluated to (None when it raised), to explain it in another language.
    result: Result | None = attrs.field(default=None, repr=False, eq=False)

    @property
    def passed(self) -> bool:
        return self.error is None and not self.mismatches

    @property
    def where(self) -> str:
        return f"{self.policy.file}:{self.case.line}" if self.case.line else self.policy.file

    def render(self, catalogue: Catalogue | None = None) -> str:
        """How the case went, as ``policyengine test`` prints it, in ``catalogue``'s
        language (English without one)."""
        said = saying(catalogue)
        if self.passed:
            return said("test-passed", where=self.where, test=self.case.name)
        lines = [said("test-failed", where=self.where, test=self.case.name)]
        if self.error is not None:
            lines.append(said("test-error", error=self.error.render(catalogue)))
        for m in self.mismatches:
            expected, actual = plain(m.expected), as_written(m.actual, m.expected)
            lines.append(said("test-mismatch", output=m.output, expected=expected, actual=actual))
        texts = self.explanations
        if catalogue is not None and self.result is not None:  # said again, in its language
            texts = tuple(self.result.explain(m.output, catalogue) for m in self.mismatches)
        for text in texts:
            lines.extend("    " + line for line in text.splitlines())
        return "\n".join(lines)


def as_written(actual: object, expected: object) -> object:
    """The value a test got, as its expected value is written: a rate the test expects as
    a percentage (``3.8%``) shown as one (``3.6%``, not ``0.036``)."""
    if isinstance(expected, str) and expected.strip().endswith("%") and is_number(actual):
        percent = CONTEXT.multiply(Decimal(actual), Decimal(100))  # type: ignore[arg-type]
        return f"{percent.normalize(CONTEXT):f}%"
    return plain(actual)


def same(expected: Any, actual: Any) -> bool:
    """Exact comparison of an expected YAML value with an output value."""
    if is_number(actual):
        try:
            return bool(to_decimal(expected) == actual)
        except ValueError:
            return False
    if isinstance(actual, tuple):
        return (
            isinstance(expected, list | tuple)
            and len(expected) == len(actual)
            and all(same(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(actual, bool) or isinstance(expected, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, Decimal | int):
        return False
    return bool(expected == actual)


def run_case(policy: Policy, case: TestCase) -> CaseResult:
    record = set(policy.inputs) | policy.kind_fields
    fields = {k: v for k, v in case.facts.items() if k in record}
    given = {k: _given(v) for k, v in case.facts.items() if k not in record}
    # Last month's values, read as the facts are: numbers and percentages exact.
    previous = _given(dict(case.previous)) if case.previous is not None else None
    try:
        result = evaluate(
            policy, fields, period=case.period, given=given, partial=True, previous=previous
        )
    except PolicyError as exc:
        return CaseResult(policy, case, error=exc)
    mismatches = tuple(
        Mismatch(name, expected, result.outputs.get(name))
        for name, expected in case.expect.items()
        if not _matches(result.outputs, name, expected, result)
    )
    explanations = tuple(result.explain(m.output) for m in mismatches)
    return CaseResult(policy, case, mismatches, None, explanations, result)


def _matches(outputs: Any, name: str, expected: Any, result: Any) -> bool:
    if name in outputs:
        return same(expected, outputs[name])
    # A whole rule with named outputs may be expected as a mapping.
    value = result.env.get(name)
    return (
        isinstance(expected, dict)
        and value is not None
        and all(k in value and same(v, value[k]) for k, v in expected.items())
        and set(expected) == set(value)
    )


def _given(value: Any) -> Any:
    """A test's stand-in for another policy's output: numbers and percentages exact."""
    if isinstance(value, list):
        return tuple(_given(v) for v in value)
    if isinstance(value, dict):
        return {k: _given(v) for k, v in value.items()}
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        return value
    try:
        return to_decimal(value)
    except ValueError:
        return value


def run_tests(policies: Iterable[Policy]) -> list[CaseResult]:
    return [run_case(policy, case) for policy in policies for case in policy.tests]
