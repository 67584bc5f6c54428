"""Slips that load and pay wrongly are refused at load time, located to the column."""

from __future__ import annotations

from pathlib import Path

import pytest

import policyengine

TYPES = Path(__file__).parent / "fixtures" / "policies" / "types"

# fixture file -> (code, JSON pointer, line, column, rule id, hint)
CASES = {
    "enum-value-not-declared.yaml": (
        "value-not-declared",
        "/rules/0/expr",
        12,
        29,
        "base",
        "did you mean 'regular'?",
    ),
    "enum-in-table-when.yaml": (
        "value-not-declared",
        "/rules/0/rows/0/when",
        14,
        37,
        "base",
        "compare with one of: regular, trial",
    ),
    "enum-in-check.yaml": (
        "value-not-declared",
        "/rules/1/checks/0/assert",
        19,
        35,
        "sanity",
        "compare with one of: 优秀, 合格",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_slip_is_refused_where_it_is_written(name: str) -> None:
    """Each fixture gives exactly its code, at its pointer, line, column and rule, with its hint."""
    problems = policyengine.check_policy(TYPES / name)
    found = [
        (
            p.code,
            p.location.pointer,
            p.location.line,
            p.location.column,
            p.location.rule_id,
            p.hint,
        )
        for p in problems
    ]
    assert found == [CASES[name]]


def _policy(tmp_path: Path, inputs: str, rules: str) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(
        'format: 1\npolicy: p\nversion: "1"\neffective_from: 2026-01-01\ntitle: t\n'
        f"inputs:\n{inputs}rules:\n{rules}",
        encoding="utf-8",
    )
    return path


ENUM = "  sales: money\n  status: {type: enum, values: [regular, trial]}\n"


@pytest.mark.parametrize(
    "expr",
    [
        'status == "regular"',
        '"trial" != status',
        'status in ("regular", "trial")',
        'status not in ["trial"]',
        "status == status",
        'sales == "regular"',
    ],
)
def test_declared_values_and_other_comparisons_load(tmp_path: Path, expr: str) -> None:
    """A declared value, a list of declared values, and comparisons of other values load."""
    rules = f"  - id: a\n    kind: formula\n    expr: '1 if {expr} else 0'\n"
    assert policyengine.check_policy(_policy(tmp_path, ENUM, rules)) == []


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ('"reguler" == status', "reguler"),
        ('status != "Regular"', "Regular"),
        ('status not in ("trial", "intern")', "intern"),
        ('status == "trial" or status == "probation"', "probation"),
    ],
)
def test_every_way_of_comparing_is_checked(tmp_path: Path, expr: str, value: str) -> None:
    """Either side of ==/!=, in and not in, and a comparison inside a larger condition."""
    rules = f"  - id: a\n    kind: formula\n    expr: '1 if {expr} else 0'\n"
    problems = policyengine.check_policy(_policy(tmp_path, ENUM, rules))
    assert [(p.code, p.details["value"]) for p in problems] == [("value-not-declared", value)]


def test_a_named_text_value_of_a_table_is_checked(tmp_path: Path) -> None:
    """``band.grade`` of a table whose every ``grade`` is text: other text is refused."""
    rules = (
        "  - id: band\n    kind: table\n    hit: first\n    rows:\n"
        "      - {when: 'sales > 10', then: {grade: A, base: 10}}\n"
        "    default: {grade: B, base: 5}\n"
        "  - id: a\n    kind: formula\n    expr: '1 if band.grade == \"C\" else 0'\n"
    )
    problems = policyengine.check_policy(_policy(tmp_path, ENUM, rules))
    assert [(p.code, p.details["name"], p.location.rule_id) for p in problems] == [
        ("value-not-declared", "band.grade", "a")
    ]


def test_a_table_mixing_text_and_numbers_is_not_checked(tmp_path: Path) -> None:
    """A table whose values are not all text has no list of values to check against."""
    rules = (
        "  - id: band\n    kind: table\n    hit: first\n    rows:\n"
        "      - {when: 'sales > 10', then: A}\n"
        "    default: 0\n"
        "  - id: a\n    kind: formula\n    expr: '1 if band == \"C\" else 0'\n"
    )
    assert policyengine.check_policy(_policy(tmp_path, ENUM, rules)) == []
