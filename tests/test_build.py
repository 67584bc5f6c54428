"""Loading a policy: every semantic mistake is found, located and reported together."""

from __future__ import annotations

from pathlib import Path

import pytest

import policyengine
from policyengine import InvalidPolicy

FIXTURES = Path(__file__).parent / "fixtures" / "policies"
BAD = FIXTURES / "bad"

# fixture file -> (code, JSON pointer, line, rule id)
CASES = {
    "unknown-name.yaml": ("unknown-name", "/rules/0/expr", 14, "a"),
    "cycle.yaml": ("dependency-cycle", "/rules/0", 12, "a"),
    "duplicate-rule-id.yaml": ("duplicate-rule-id", "/rules/1/id", 15, "a"),
    "gap-between-bands.yaml": ("gap-between-bands", "/rules/0/bands/1/from", 18, "a"),
    "overlapping-bands.yaml": ("overlapping-bands", "/rules/0/bands/1/from", 18, "a"),
    "open-band-not-last.yaml": ("open-band-not-last", "/rules/0/bands/0", 17, "a"),
    "weights-not-100.yaml": ("weights-not-100", "/rules/0/components", 15, "a"),
    "unknown-key.yaml": ("unknown-key", "/rules/0/rounding", 15, "a"),
    "forbidden-operator.yaml": ("forbidden-operator", "/rules/0/expr", 14, "a"),
    "missing-aggregate.yaml": ("missing-aggregate", "/rules/0", 12, "a"),
    "test-unknown-fact.yaml": ("unknown-name", "/tests/0/facts/rol", 17, None),
    "test-unknown-output.yaml": ("unknown-name", "/tests/0/expect/b", 18, None),
    "unknown-output.yaml": ("unknown-output", "/rules/1/expr", 18, "b"),
    "name-clash.yaml": ("name-clash", "/rules/0/id", 12, "rate"),
    "invalid-identifier.yaml": ("invalid-identifier", "/rules/0/id", 12, "1st"),
    "bad-rounding-mode.yaml": ("not-allowed", "/rules/0/round/mode", 15, "a"),
    "graduated-needs-rates.yaml": ("graduated-needs-rates", "/rules/0/bands/0/value", 17, "a"),
    "needs-output-name.yaml": ("needs-output-name", "/rules/1/expr", 20, "pay"),
    "band-value-full-width-percent.yaml": ("not-a-number", "/rules/0/bands/0/value", 17, "a"),
    # In a graduated band: the '％' alone, not also "a graduated band needs rates".
    "graduated-band-full-width-percent.yaml": ("not-a-number", "/rules/0/bands/1/value", 18, "a"),
    "input-has-no-parts.yaml": ("no-named-outputs", "/rules/0/expr", 14, "a"),
    "parameter-not-a-number.yaml": ("not-a-number", "/parameters/cap", 11, None),
    "rounding-not-power-of-ten.yaml": ("bad-rounding", "/rules/0/round", 15, "a"),
    "parameter-named-like-function.yaml": ("name-clash", "/parameters/month", 11, None),
    "test-invalid-period.yaml": ("invalid-period", "/tests/0/period", 17, None),
    "test-period-not-in-force.yaml": ("not-in-force", "/tests/0/period", 17, None),
    # Slips HR makes, each said once, in its own words (see each message's test below).
    "thousands-in-braces.yaml": ("not-a-number", "/rules/0/bands/0/to", 17, None),
    "true-lowercase.yaml": ("unknown-name", "/rules/0/expr", 14, "a"),
    "chinese-conditional.yaml": ("expression-syntax", "/rules/0/expr", 14, "a"),
    "full-width-colon.yaml": ("yaml-syntax", None, 14, None),
    # A misspelt required key: the unknown key with its suggestion, not also "missing".
    "misspelt-required-key.yaml": ("unknown-key", "/rules/0/bands/0/valeu", 17, "a"),
    # A case expecting text of a number can never pass: said at the value, not as a failure.
    "test-expects-not-a-number.yaml": ("not-a-number", "/tests/0/expect/a", 15, None),
    # A broken band: its own problem, not one more per case expecting its named values.
    "broken-band-with-tests.yaml": ("wrong-type", "/rules/0/bands/0/to", 17, "a"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_mistake_is_located(name: str) -> None:
    """Each bad fixture gives exactly its expected error code, pointer, line and rule."""
    code, pointer, line, rule_id = CASES[name]
    problems = policyengine.check_policy(BAD / name)
    assert [
        (p.code, p.location.pointer, p.location.line, p.location.rule_id) for p in problems
    ] == [(code, pointer, line, rule_id)]
    assert problems[0].location.file == str(BAD / name)


def test_five_mistakes_in_one_run() -> None:
    """A file with five different mistakes reports all five, sorted by line, in one load."""
    with pytest.raises(InvalidPolicy) as caught:
        policyengine.load_policy(FIXTURES / "five-mistakes.yaml")
    found = [(p.code, p.location.line) for p in caught.value.problems]
    assert found == [
        ("duplicate-key", 12),
        ("unknown-name", 16),
        ("overlapping-bands", 23),
        ("weights-not-100", 27),
        ("unknown-rule-kind", 31),
    ]


def test_header_mistakes_all_reported() -> None:
    """An impossible date, an unquoted version and an empty rule list are reported together."""
    problems = policyengine.check_policy(BAD / "header-mistakes.yaml")
    assert {(p.code, p.location.pointer) for p in problems} == {
        ("invalid-date", "/effective_from"),
        ("wrong-type", "/version"),
        ("empty", "/rules"),
    }


def test_problems_serialise_as_data() -> None:
    """Every problem turns into plain data with its code and location."""
    problems = policyengine.check_policy(BAD / "unknown-name.yaml")
    data = problems[0].to_dict()
    assert data["code"] == "unknown-name"
    assert data["location"]["line"] == 14
    assert data["hint"] == "did you mean 'rate'?"


def test_sound_policy_has_no_problems() -> None:
    """A policy using every rule kind loads with no problem and in dependency order."""
    policy = policyengine.load_policy(FIXTURES / "good-all-kinds.yaml")
    assert policy.plan.index("band") < policy.plan.index("pay")
    assert policy.plan.index("appraisal") < policy.plan.index("grade")
    assert policyengine.check_policy(FIXTURES / "good-all-kinds.yaml") == []


def test_missing_file_is_a_policy_error() -> None:
    """A path that does not exist is a located PolicyError, not an OSError."""
    with pytest.raises(InvalidPolicy) as caught:
        policyengine.load_policy(FIXTURES / "nope.yaml")
    assert caught.value.problems[0].code == "file-not-found"


def test_an_unquoted_date_where_text_is_wanted_is_read_as_its_text(tmp_path: Path) -> None:
    """YAML reads `version: 2026-01-15` as a date; where the schema wants text (with a
    length or a pattern) the date counts as the text it was written as, never a crash."""
    source = (Path(__file__).parent.parent / "benchmarks" / "policy.yaml").read_text("utf-8")
    dated = tmp_path / "dated.yaml"
    dated.write_text(source.replace('version: "1"', "version: 2026-01-15"), encoding="utf-8")
    assert policyengine.load_policy(dated).version == "2026-01-15"
    long_title = tmp_path / "title.yaml"
    long_title.write_text(
        source.replace("title: Benchmark monthly pay", "title: 2026-01-15"), encoding="utf-8"
    )
    assert policyengine.load_policy(long_title).title == "2026-01-15"
    rule_id = tmp_path / "rule.yaml"
    rule_id.write_text(source.replace("  - id: started", "  - id: 2026-01-15"), encoding="utf-8")
    problems = policyengine.check_policy(rule_id)
    assert problems and all(isinstance(p, policyengine.PolicyError) for p in problems)


@pytest.mark.parametrize(
    ("name", "form", "words"),
    [
        ("thousands-in-braces.yaml", "thousands", "without thousands separators: 80000"),
        ("true-lowercase.yaml", "constant", "write True"),
        ("chinese-conditional.yaml", "choice", "'甲 if 条件 else 乙'"),
        ("full-width-colon.yaml", "", "full-width '：'"),
    ],
)
def test_each_slip_is_named_in_its_hint(name: str, form: str, words: str) -> None:
    """A thousands separator inside braces, a lower-case true, a condition written in
    Chinese and a full-width colon are each named for what they are, with the fix."""
    [problem] = policyengine.check_policy(BAD / name)
    assert (problem.form or "") == form
    assert words in str(problem.hint)
