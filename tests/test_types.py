"""Slips that load and pay wrongly are refused at load time, located to the column."""

from __future__ import annotations

from pathlib import Path

import pytest

import policyengine
from policyengine import InvalidPolicy
from policyengine.facts._entities_file import load_entities

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
    "rate-without-percent-flat.yaml": (
        "rate-without-percent",
        "/rules/0/bands/1/value",
        17,
        30,
        "pay",
        "write 3.8% for 3.8 per cent",
    ),
    "rate-without-percent-graduated.yaml": (
        "rate-without-percent",
        "/rules/0/bands/0/value",
        16,
        37,
        "commission",
        "write 3% for 3 per cent",
    ),
    "rate-without-percent-named.yaml": (
        "rate-without-percent",
        "/rules/0/bands/1/value/rate",
        17,
        37,
        "band",
        "write 4.5% for 4.5 per cent",
    ),
    "rate-without-percent-by-name.yaml": (
        "rate-without-percent",
        "/rules/0/bands/1/value",
        15,
        30,
        "commission_rate",
        "write 3.8% for 3.8 per cent",
    ),
    # 3.5% slipped as 0.35 among percentages: read as 35%, so refused with the fix
    "rate-without-percent-fraction.yaml": (
        "rate-without-percent",
        "/rules/0/bands/1/value",
        15,
        42,
        "pay",
        "write 3.5% if that is meant",
    ),
    "number-in-words.yaml": (
        "not-a-number",
        "/rules/0/bands/1/value",
        17,
        30,
        "rate",
        "write it in digits: 3.8%",
    ),
    "text-is-a-name-table.yaml": (
        "text-is-a-name",
        "/rules/0/default",
        17,
        14,
        "base_pay",
        "write {expr: trial_base} for its value, or {expr: '\"trial_base\"'} for the text",
    ),
    "text-is-a-rule-output.yaml": (
        "text-is-a-name",
        "/rules/1/rows/0/then",
        20,
        35,
        "base_pay",
        "write {expr: band.base} for its value, or {expr: '\"band.base\"'} for the text",
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


def _bands(values: list[str], rule_id: str = "pay", mode: str = "flat") -> str:
    bands = ""
    for i, value in enumerate(values):
        upper = f"to: {i * 100 + 100}, " if i + 1 < len(values) else ""
        bands += f"      - {{from: {i * 100}, {upper}value: {value}}}\n"
    return (
        f"  - id: {rule_id}\n    kind: tiers\n    of: sales\n    mode: {mode}\n    bands:\n{bands}"
    )


@pytest.mark.parametrize(
    "rules",
    [
        _bands(["0.8", "1.2", "1.5"]),  # a coefficient, not named a rate
        _bands(["1", "2", "3"], "bonus_months"),  # months of pay, multiplied by money
        _bands(["3%", "0.038", "1"], "rate"),  # a rate of at most 1 may be a fraction
        _bands(["0.03", "0.04"], "rate", "graduated"),
        _bands(["{rate: 3%, base: 4000}", "{rate: 4%, base: 5000}"]),
        _bands(["一档", "二档"]),  # text that is a label, not a number
    ],
)
def test_values_that_are_no_slip_load(tmp_path: Path, rules: str) -> None:
    """Coefficients, months, fractions, percentages and labels in bands all load."""
    assert policyengine.check_policy(_policy(tmp_path, "  sales: money\n", rules)) == []


@pytest.mark.parametrize(
    ("words", "digits"),
    [
        ("百分之三点八", "3.8%"),
        ("三千五百", "3500"),
        ("一万零五", "10005"),
        ("负二", "-2"),
        ("三八", "38"),
        ("十二", "12"),
    ],
)
def test_a_parameter_in_words_is_refused_with_its_digits(
    tmp_path: Path, words: str, digits: str
) -> None:
    """A parameter written in Chinese number words is not-a-number, the digits in the hint."""
    path = _policy(
        tmp_path, "  sales: money\n", "  - id: a\n    kind: formula\n    expr: sales * k\n"
    )
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "rules:", f"parameters:\n  k: {{value: {words}}}\nrules:"
        ),
        encoding="utf-8",
    )
    problems = policyengine.check_policy(path)
    assert [(p.code, p.location.pointer, p.hint) for p in problems] == [
        ("not-a-number", "/parameters/k/value", f"write it in digits: {digits}")
    ]


def test_a_band_value_naming_a_name_is_refused(tmp_path: Path) -> None:
    """A band's text that is a parameter's name is refused too, with the tiers hint."""
    path = _policy(tmp_path, "  sales: money\n", _bands(["cap", "5"]))
    path.write_text(
        path.read_text(encoding="utf-8").replace("rules:", "parameters:\n  cap: 10\nrules:"),
        encoding="utf-8",
    )
    problems = policyengine.check_policy(path)
    assert [(p.code, p.form, p.location.pointer) for p in problems] == [
        ("text-is-a-name", "tiers", "/rules/0/bands/0/value")
    ]


def test_enum_fields_of_entities_yaml_are_checked_own_and_parent(tmp_path: Path) -> None:
    """Beside entities.yaml, the kind's own enum fields and a parent's (``rep.role``) are
    checked; an unknown name stays another policy's read, unchecked."""
    entities = load_entities(Path(__file__).parent / "fixtures" / "centre" / "entities.yaml")
    path = tmp_path / "p.yaml"
    path.write_text(
        'format: 1\npolicy: p\nversion: "1"\neffective_from: 2026-01-01\ntitle: t\n'
        "applies_to: call\nrules:\n"
        "  - id: a\n    kind: formula\n"
        '    expr: \'1 if direction == "呼人" and rep.role != "leader" else other_rule\'\n',
        encoding="utf-8",
    )
    with pytest.raises(InvalidPolicy) as caught:
        policyengine.load_policy(path, entities)
    assert [
        (p.code, p.details["name"], p.details["value"], p.hint) for p in caught.value.problems
    ] == [
        ("value-not-declared", "direction", "呼人", "compare with one of: 呼入, 呼出"),
        ("value-not-declared", "rep.role", "leader", "did you mean 'team_leader'?"),
    ]


@pytest.mark.parametrize(
    ("declared", "pointer"),
    [
        ("commission_rate: 3.8", "/parameters/commission_rate"),
        ("提成比例: {value: 6, title: t}", "/parameters/提成比例/value"),
        ('bonus: {value: 5, unit: "%"}', "/parameters/bonus/value"),
        ("commission_rate: 0.038", None),
        ("commission_rate: 3.8%", None),
        ("factor: 3.8", None),
    ],
)
def test_a_rate_parameter_over_1_needs_a_percent(
    tmp_path: Path, declared: str, pointer: str | None
) -> None:
    """A parameter named as a rate, or of unit %, written as a plain number over 1 is
    refused; a fraction, a percentage, or a parameter named otherwise loads."""
    path = _policy(tmp_path, "  sales: money\n", "  - id: a\n    kind: formula\n    expr: sales\n")
    path.write_text(
        path.read_text(encoding="utf-8").replace("rules:", f"parameters:\n  {declared}\nrules:"),
        encoding="utf-8",
    )
    problems = policyengine.check_policy(path)
    expected = [] if pointer is None else [("rate-without-percent", pointer)]
    assert [(p.code, p.location.pointer) for p in problems] == expected
