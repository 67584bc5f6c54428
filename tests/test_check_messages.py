"""The rule kinds, entities.yaml, the repository and the ledger report problems as data.

Their words come from templates (policyengine/core/_check_templates.py), so a problem
keeps its code, form and details, and can be said again in Chinese with the same names
and values, at the same place. tests/conftest.py checks, for every problem any test
makes, that its details are its template's placeholders; these tests check what a user
reads.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import policyengine
from policyengine import InvalidPolicy, PolicyError
from policyengine.audit import open_ledger
from policyengine.audit._ledger_chain import blob_tampered
from policyengine.entities import load_entities

FIXTURES = Path(__file__).parent / "fixtures"
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _said_in_chinese(problem: PolicyError, *values: str) -> str:
    """The problem said in Chinese: Chinese words, every value kept, the place unchanged."""
    said = problem.translated("zh")
    assert _CHINESE.search(said.message) and said.message != problem.message
    assert (said.code, said.location, said.details) == (
        problem.code,
        problem.location,
        problem.details,
    )
    for value in values:
        assert value in said.message + (said.hint or "")
    return said.message


def test_a_rule_kinds_problem_is_data_said_in_either_language() -> None:
    """Overlapping bands: the band numbers and bounds are details, the hint the template's."""
    (problem,) = policyengine.check_policy(FIXTURES / "policies" / "bad" / "overlapping-bands.yaml")
    assert (problem.code, problem.form, problem.location.rule_id) == ("overlapping-bands", "", "a")
    assert problem.message == "band 2 starts at 50, inside band 1 [0, 100)"
    assert problem.hint == "bands are half-open [from, to): start band 2 at 100"
    assert problem.details["band"] == 2 and problem.details["previous"] == 1
    assert _said_in_chinese(problem, "50", "[0, 100)", "100") == (
        "第 2 档从 50 开始，落在第 1 档 [0, 100) 之内"
    )


def test_an_entities_problem_is_data_shown_where_the_name_is_written() -> None:
    """A field named like a kind: the form says which clash, the key is the place."""
    with pytest.raises(InvalidPolicy) as caught:
        load_entities(FIXTURES / "entities" / "bad-field-named-like-kind.yaml")
    (problem,) = caught.value.problems
    assert (problem.code, problem.form) == ("name-clash", "field-kind")
    assert problem.details == {"name": "team", "kind": "rep"}
    assert problem.message == "field 'team' of 'rep' has the name of a kind"
    assert problem.hint == "rename it; 'team.…' reads the team a record belongs to"
    assert problem.location.line == 12
    _said_in_chinese(problem, "'team'", "'rep'")


def test_a_ledger_finding_keeps_its_details_and_is_said_in_chinese() -> None:
    """A stored policy file whose bytes changed names the runs that used it."""
    problem = blob_tampered("ledger.db", "ab" * 32, [1, 2])
    assert (problem.code, problem.location.record) == ("blob-tampered", 1)
    assert problem.details == {"sha256": "ab" * 32, "runs": [1, 2]}
    assert problem.message.endswith("no longer have that SHA-256; runs using it: [1, 2]")
    _said_in_chinese(problem, "ab" * 32, "[1, 2]")
    unused = blob_tampered("ledger.db", "cd" * 32, [])
    assert (unused.form, unused.location.record) == ("unused", None)


def test_a_ledger_that_cannot_be_used_says_why_in_either_language(tmp_path: Path) -> None:
    """An empty file is no ledger; a run the ledger lacks is named with what it holds."""
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    with pytest.raises(PolicyError) as caught:
        open_ledger(empty, create=False)
    assert (caught.value.code, caught.value.form) == ("not-a-ledger", "empty")
    assert caught.value.message == "the file is empty: it holds no ledger"
    _said_in_chinese(caught.value)
    ledger = open_ledger(tmp_path / "new.db")
    with pytest.raises(PolicyError) as missing:
        ledger.get(3)
    assert (missing.value.code, missing.value.form, missing.value.location.record) == (
        "run-not-found",
        "empty",
        3,
    )
    assert (missing.value.message, missing.value.hint) == (
        "there is no run 3",
        "the ledger is empty",
    )
    _said_in_chinese(missing.value, "3")


def test_a_repository_names_an_unknown_policy_in_either_language() -> None:
    """The policy and folder are details; "did you mean" is computed and kept."""
    repository = policyengine.load(FIXTURES.parent.parent / "policies")
    with pytest.raises(PolicyError) as caught:
        repository.version("comission", "2026-01")
    assert caught.value.code == "unknown-policy"
    assert caught.value.details["policy"] == "comission"
    assert caught.value.hint == "did you mean 'commission'?"
    _said_in_chinese(caught.value, "'comission'")
