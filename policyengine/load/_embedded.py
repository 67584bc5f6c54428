"""Embedded tests of a policy: checked at load time like everything else."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from ..core._number_text import to_decimal
from ..core._period import Period
from ..core._problems import Problems
from ..core._suggest import did_you_mean
from ..errors import PolicyError
from ..model import Rule, TestCase, frozen_mapping
from ..read._source_map import pointer_part
from ._build_problems import BuildProblems
from ._embedded_previous import check_previous
from ._slip_checks import slips_checked
from ._type_check import part_type


def build_tests(
    raw: Any, inputs: Mapping[str, Any], rules: Mapping[str, Rule], problems: BuildProblems
) -> list[TestCase]:
    """The embedded cases, each naming only inputs it may give and outputs a rule gives."""
    cases: list[TestCase] = []
    if not isinstance(raw, list):
        return cases
    outputs = [name for rule in rules.values() for name in rule.output_names]
    outputs += list(rules)
    # A rule that did not build has its own problem; what a case expects of it is not
    # said again (one bad band, one problem: not one more per case).
    outputs += [
        f"{rule_id}.{name}"
        for rule_id, rule in rules.items()
        if rule.spec is None
        for name in _expected_parts(raw, rule_id)
    ]
    names: set[str] = set()
    for index, item in enumerate(raw):
        pointer = f"/tests/{index}"
        if problems.is_broken(pointer) or not isinstance(item, Mapping):
            continue
        if item["name"] in names:
            problems.add("duplicate-test-name", pointer + "/name", test=item["name"])
        names.add(item["name"])
        _unknown(problems, pointer + "/facts", item["facts"], inputs, "test-facts")
        _unknown(problems, pointer + "/expect", item["expect"], outputs, "test-expects")
        if "previous" in item:
            check_previous(problems, pointer + "/previous", item["previous"], rules)
        cases.append(
            TestCase(
                name=str(item["name"]),
                facts=frozen_mapping(item["facts"]),
                expect=frozen_mapping(item["expect"]),
                pointer=pointer,
                line=problems.document.locate(pointer).line,
                period=item.get("period"),
                previous=frozen_mapping(item["previous"]) if "previous" in item else None,
            )
        )
    return cases


def _expected_parts(raw: list[Any], rule_id: str) -> set[str]:
    """The names after ``rule_id.`` that the cases expect."""
    prefix = rule_id + "."
    return {
        name[len(prefix) :]
        for item in raw
        if isinstance(item, Mapping) and isinstance(item.get("expect"), Mapping)
        for name in item["expect"]
        if isinstance(name, str) and name.startswith(prefix)
    }


def _unknown(
    problems: Problems, at: str, given: Any, known: Sequence[str] | Mapping[str, Any], form: str
) -> None:
    """Each name of a case's ``facts`` (or ``expect``) that is not among ``known``."""
    for name in given:
        if name not in known:
            hint = did_you_mean(name, known)
            where = f"{at}/{pointer_part(name)}"
            problems.add("unknown-name", where, form=form, at_key=True, hint=hint, name=name)


def check_test_periods(
    tests: list[TestCase], start: datetime.date, end: datetime.date | None, problems: Problems
) -> None:
    """Each case's month is a month, and one the version is in force in."""
    for case in tests:
        if case.period is None:
            continue
        try:
            month = Period.parse(case.period)
        except PolicyError as exc:
            problems.keep(exc, case.pointer + "/period")
            continue
        at = case.pointer + "/period"
        if month.start < start or (end is not None and month.start >= end):
            if end is None:
                problems.add(
                    "not-in-force", at, form="test-open", test=case.name, period=month, start=start
                )
            else:
                problems.add(
                    "not-in-force",
                    at,
                    form="test",
                    test=case.name,
                    period=month,
                    start=start,
                    end=end,
                )


#: The types whose values are numbers: a case expecting text of them can never pass.
_NUMBERS = frozenset({"money", "rate", "count", "number"})


def check_expected_numbers(
    tests: Sequence[TestCase], value_types: Mapping[str, Any], problems: Problems
) -> None:
    """A case expecting, of an output that is a number, text that is no number (``三%``,
    ``1e400%``, ``3,5``) can never pass: said where it is written, not as a failed test
    (a slip check: not while a replay rebuilds a recorded run, see ``_slip_checks``)."""
    if not slips_checked():
        return
    for case in tests:
        for name, expected in case.expect.items():
            base, _, part = str(name).partition(".")
            if part_type(value_types.get(base), part) not in _NUMBERS:
                continue
            if not isinstance(expected, str):
                continue
            try:
                to_decimal(expected)
            except ValueError:
                where = f"{case.pointer}/expect/{pointer_part(str(name))}"
                problems.add("not-a-number", where, form="test-expects", name=name, value=expected)
