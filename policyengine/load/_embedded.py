"""Embedded tests of a policy: checked at load time like everything else."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from ..core._period import Period
from ..core._suggest import did_you_mean
from ..errors import PolicyError, ReportProblem
from ..model import Rule, TestCase, frozen_mapping
from ..read._source import Document


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def build_tests(
    raw: Any,
    inputs: Mapping[str, Any],
    rules: Mapping[str, Rule],
    document: Document,
    is_broken: Callable[[str], bool],
    report: ReportProblem,
) -> list[TestCase]:
    """The embedded cases, each naming only inputs it may give and outputs a rule gives."""
    cases: list[TestCase] = []
    if not isinstance(raw, list):
        return cases
    outputs = [name for rule in rules.values() for name in rule.output_names]
    outputs += list(rules)
    names: set[str] = set()
    for index, item in enumerate(raw):
        pointer = f"/tests/{index}"
        if is_broken(pointer) or not isinstance(item, Mapping):
            continue
        if item["name"] in names:
            report("duplicate-test-name", f"test '{item['name']}' appears twice", pointer + "/name")
        names.add(item["name"])
        for name in item["facts"]:
            if name not in inputs:
                report(
                    "unknown-name",
                    f"test facts name '{name}', which is not an input",
                    f"{pointer}/facts/{_escape(name)}",
                    did_you_mean(name, inputs),
                    key=True,
                )
        for name in item["expect"]:
            if name not in outputs:
                report(
                    "unknown-name",
                    f"test expects '{name}', which no rule gives",
                    f"{pointer}/expect/{_escape(name)}",
                    did_you_mean(name, outputs),
                    key=True,
                )
        cases.append(
            TestCase(
                name=str(item["name"]),
                facts=frozen_mapping(item["facts"]),
                expect=frozen_mapping(item["expect"]),
                pointer=pointer,
                line=document.locate(pointer).line,
                period=item.get("period"),
            )
        )
    return cases


def check_test_periods(
    tests: list[TestCase], start: datetime.date, end: datetime.date | None, report: ReportProblem
) -> None:
    """Each case's month is a month, and one the version is in force in."""
    for case in tests:
        if case.period is None:
            continue
        try:
            month = Period.parse(case.period)
        except PolicyError as exc:
            report("invalid-period", exc.message, case.pointer + "/period", exc.hint)
            continue
        if month.start < start or (end is not None and month.start >= end):
            report(
                "not-in-force",
                f"test '{case.name}' is for {month}, when this version is not in force",
                case.pointer + "/period",
                f"use a month from {start}" + (f" before {end}" if end else ""),
            )
