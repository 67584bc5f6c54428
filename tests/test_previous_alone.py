"""``previous(name)`` outside a month: in a policy's embedded tests (``previous:`` in a case)
and through ``Policy.evaluate(record, previous=...)``. Without last month's values a record
is in its first month, and each call gives its initial value."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import policyengine

FIXTURES = Path(__file__).parent / "fixtures" / "previous"
STREAK = FIXTURES / "streak.yaml"
RECORD = {"score": 60, "sales": 10}


def test_the_embedded_tests_pass_with_and_without_last_months_values() -> None:
    """The streak policy's cases: a first month (no previous:) and two later months."""
    policy = policyengine.load_policy(STREAK)
    assert [case.previous is None for case in policy.tests] == [True, False, False]
    outcomes = policyengine.run_tests([policy])
    assert [(o.case.name, o.passed) for o in outcomes] == [
        ("第一个月", True),
        ("已转正的保持转正", True),
        ("未达标时连续月数归零", True),
    ]


def test_a_cases_previous_values_are_what_the_rules_read() -> None:
    """The same case with other values of last month expects wrongly, and fails saying so."""
    policy = policyengine.load_policy(STREAK)
    case = policy.tests[1]
    changed = attrs.evolve(case, previous={"regular": False, "streak": 7})
    [outcome] = policyengine.run_tests([attrs.evolve(policy, tests=(changed,))])
    assert not outcome.passed
    assert {(m.output, m.actual) for m in outcome.mismatches} == {
        ("regular", False),
        ("streak", Decimal(8)),
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("unknown-previous-name.yaml", [("unknown-name", "/tests/0/previous/streek", 14)]),
        (
            "previous-wrong-type.yaml",
            [
                ("bad-previous-value", "/tests/0/previous/regular", 19),
                ("bad-previous-value", "/tests/0/previous/streak", 20),
            ],
        ),
        ("previous-not-a-mapping.yaml", [("wrong-type", "/tests/0/previous", 15)]),
    ],
)
def test_a_bad_previous_in_a_case_is_refused_where_it_is_written(
    name: str, expected: list[tuple[str, str, int]]
) -> None:
    """A name no previous() reads, a value of another kind than the call's initial value,
    or no mapping at all: each a located problem at load."""
    problems = policyengine.check_policy(FIXTURES / name)
    found = [(p.code, p.location.pointer, p.location.line) for p in problems]
    assert found == expected


def test_evaluate_takes_last_months_values_and_defaults_to_the_initial_ones() -> None:
    """Policy.evaluate(record, previous=...) reads {rule id: value} as a month's history
    does; without it, the record is in its first month."""
    policy = policyengine.load_policy(STREAK)
    first = policy.evaluate(RECORD)
    later = policy.evaluate(RECORD, previous={"regular": True, "streak": Decimal(3)})
    assert dict(first.outputs) == {"regular": False, "streak": Decimal(1)}
    assert dict(later.outputs) == {"regular": True, "streak": Decimal(4)}
    assert "  last month streak = 3" in later.explain("streak").splitlines()[3:]
    assert later.trace("streak")["detail"]["previous"] == {"streak": "3"}


def test_the_reference_engine_and_a_batch_read_last_month_too() -> None:
    """Both engines give the same; a batch has no last month, so each call its initial."""
    policy = policyengine.load_policy(STREAK)
    given = {"regular": False, "streak": Decimal(2)}
    compiled = policy.evaluate(RECORD, previous=given)
    reference = policy.evaluate(RECORD, previous=given, engine="reference")
    assert (
        dict(compiled.outputs)
        == dict(reference.outputs)
        == {
            "regular": False,
            "streak": Decimal(3),
        }
    )
    batch = policy.evaluate_many([RECORD, {"score": 10, "sales": 5000}])
    assert [dict(r.outputs) for r in batch.results] == [
        {"regular": False, "streak": Decimal(1)},
        {"regular": True, "streak": Decimal(0)},
    ]


def test_without_an_initial_value_a_record_alone_needs_last_month(tmp_path: Path) -> None:
    """previous(streak) alone: a record given no last month fails at the rule that reads it,
    with missing-history; given one, it carries on. A float is refused, as in a record."""
    text = STREAK.read_text(encoding="utf-8")
    text = text.replace("previous(streak, 0)", "previous(streak)").split("tests:")[0]
    path = tmp_path / "streak.yaml"
    path.write_text(text, encoding="utf-8")
    policy = policyengine.load_policy(path)
    with pytest.raises(policyengine.PolicyError) as missing:
        policy.evaluate(RECORD)
    assert missing.value.code == "missing-history"
    assert missing.value.location.rule_id == "streak"
    assert policy.evaluate(RECORD, previous={"streak": 4}).value("streak") == 5
    with pytest.raises(policyengine.PolicyError) as inexact:
        policy.evaluate(RECORD, previous={"streak": 4.5})
    assert inexact.value.code == "float-not-allowed"
