"""Every expression is typed at load time: a mistake of kind is refused where it is written."""

from __future__ import annotations

from pathlib import Path

import pytest

import policyengine

TYPES = Path(__file__).parent / "fixtures" / "policies" / "types"

# fixture file -> (code, form's detail, line, column, rule id)
CASES = {
    "money-times-money.yaml": ("money-times-money", "sales * bonus", 18, 26, "pay"),
    "money-times-rule-money.yaml": ("money-times-money", "base * base", 21, 11, "twice"),
    "text-as-number.yaml": ("number-expected", '"abc"', 18, 11, "pay"),
    "boolean-as-number.yaml": ("number-expected", "is_regular", 18, 19, "pay"),
    "date-compared-with-number.yaml": ("incomparable-types", "hired > 2024", 18, 11, "senior"),
    "text-compared-with-money.yaml": ("incomparable-types", "status == sales", 18, 11, "odd"),
    "branches-differ.yaml": ("branches-differ", 'sales if is_regular else "无"', 18, 11, "pay"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_mistake_of_kind_is_refused_where_it_is_written(name: str) -> None:
    """Each fixture gives exactly its code, naming the part written wrong, at line and column."""
    problems = policyengine.check_policy(TYPES / name)
    found = [
        (p.code, p.details["part"], p.location.line, p.location.column, p.location.rule_id)
        for p in problems
    ]
    assert found == [CASES[name]]


def _policy(tmp_path: Path, expr: str, extra: str = "") -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(
        'format: 1\npolicy: p\nversion: "1"\neffective_from: 2026-01-01\ntitle: t\n'
        "inputs:\n  sales: money\n  target: money\n  calls: int\n  hired: date\n"
        "  is_regular: bool\n  status: {type: enum, values: [regular, trial]}\n  note: string\n"
        "parameters:\n  rate: 6%\n  cap: 5000\n  start: 2026-01-01\n"
        f"rules:\n{extra}  - id: a\n    kind: formula\n    expr: '{expr}'\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "expr",
    [
        "sales * rate",  # rate x money is money
        "sales * 6% + calls * 3.5%",  # a percentage written in the formula is a rate
        "calls * sales",  # count x money is money
        "sales / target * 100",  # money / money is a number
        "min(sales * rate, cap) + 200",
        "sales if is_regular else 0",  # a number beside money
        "is_regular if calls > 3 else 0",  # a flag beside 0, as history reads it
        "hired >= start and days_between(hired, period.end) > 90",
        "note + status",  # text joins text
        '1 if status in ("regular", "trial") else 0',
        "sum(sales, target) - abs(cap)",
        "round_to(sales * rate, 1) if period.month == 12 else 0",
        "year(hired) < 2020",
        "target * sales / sales",  # a pool's share: money x money / money is money
        "(sales * target + target * target) / sales * 6%",
        "sales * target / (sales * target) * 100",  # money squared over itself: a number
    ],
)
def test_expressions_of_sound_kinds_load(tmp_path: Path, expr: str) -> None:
    """Money by a rate, a count or a number, ratios, dates with dates and text with text load."""
    assert policyengine.check_policy(_policy(tmp_path, expr)) == []


@pytest.mark.parametrize(
    ("expr", "code"),
    [
        ("sales * target", "money-times-money"),
        ("sales * 6% * target", "money-times-money"),
        ("sum(sales, target) * sales", "money-times-money"),
        ("sales * target + cap", "money-times-money"),  # never divided by money again
        ("min(sales * target, cap)", "money-times-money"),
        ("sales * target / cap", "money-times-money"),  # divided, but not by money
        ("note * 2", "number-expected"),
        ("-is_regular", "number-expected"),
        ("abs(note)", "number-expected"),
        ("hired == 2024", "incomparable-types"),
        ("note < sales", "incomparable-types"),
        ("is_regular == 1", "incomparable-types"),
        ("sales if is_regular else note", "branches-differ"),
        ("note if is_regular else False", "branches-differ"),
        ("hired if is_regular else 0", "branches-differ"),
        # A value that is no yes/no where a condition is needed: it fails every record.
        ("1 if hired >= period.start or period.start else 0", "yes-no-expected"),
        ('1 if is_regular or "false" else 0', "yes-no-expected"),
        ("sales if calls else 0", "yes-no-expected"),
        ("not note", "yes-no-expected"),
        ("is_regular and sales", "yes-no-expected"),
    ],
)
def test_mistakes_of_kind_are_refused(tmp_path: Path, expr: str, code: str) -> None:
    """Each mistake of kind is one problem with its code."""
    problems = policyengine.check_policy(_policy(tmp_path, expr))
    assert [p.code for p in problems] == [code]


def test_what_a_rule_gives_is_typed_through_the_rules_it_reads(tmp_path: Path) -> None:
    """A table's computed value, a graduated band's amount and a formula reading them are money."""
    extra = (
        "  - id: base\n    kind: table\n    hit: first\n    rows:\n"
        "      - {when: 'is_regular', then: {expr: sales * 2}}\n    default: 0\n"
        "  - id: commission\n    kind: tiers\n    of: sales\n    mode: graduated\n    bands:\n"
        "      - {from: 0, to: 1000, value: 3%}\n      - {from: 1000, value: 4%}\n"
    )
    problems = policyengine.check_policy(_policy(tmp_path, "base * commission", extra))
    assert [(p.code, p.location.rule_id) for p in problems] == [("money-times-money", "a")]


def test_what_is_not_known_is_never_a_problem(tmp_path: Path) -> None:
    """A name of unknown type (a check's parts, a ranking) is no cause of a problem."""
    extra = (
        "  - id: etiquette\n    kind: checks\n    checks:\n"
        "      - {id: c, assert: 'calls > 0', points: 1}\n"
    )
    path = _policy(tmp_path, "sales * etiquette.points", extra)
    assert policyengine.check_policy(path) == []


def test_the_types_are_said_in_chinese() -> None:
    """The kinds compared are said in Chinese words in a Chinese message."""
    (problem,) = policyengine.check_policy(TYPES / "date-compared-with-number.yaml")
    message = problem.translated("zh")
    assert "日期" in str(message) and "a date" not in str(message)


def test_a_rule_that_gives_text_is_no_number(tmp_path: Path) -> None:
    """A table whose every value is text gives text: doubling it is refused, naming it."""
    extra = (
        "  - id: grade\n    kind: table\n    hit: first\n    rows:\n"
        "      - {when: 'calls > 10', then: A}\n    default: B\n"
    )
    problems = policyengine.check_policy(_policy(tmp_path, "grade * 2", extra))
    assert [(p.code, p.details["part"], p.location.rule_id) for p in problems] == [
        ("number-expected", "grade", "a")
    ]
