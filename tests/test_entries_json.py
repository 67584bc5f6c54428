"""The result document's records written as text give the encoder's bytes exactly.

A month's outputs document (what the ledger stores and replay compares byte for
byte) is written record by record as text (``policyengine.run._entries_json``),
a regular record from a plan made once per kind, any other through its entry
and the canonical encoder. These tests hold it to ``encode`` of the entries
themselves (``BundleResult.records``, which builds every entry as data): over
months of every hard case of the shipped policies, over a folder whose records
fail and are refused, and over generated text, numbers and yes/no values passed
through to outputs.
"""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_runner_fused import REPS, SHIPPED, folder, hard_months

import policyengine
from policyengine.facts._canonical import encode
from policyengine.run import _entries_json


def _encoded(result: Any) -> bytes:
    """The outputs document from the entries as data, through the encoder alone."""
    return b"".join(
        (b'{"errors":', encode(result.error_list()), b',"records":', encode(result.records()), b"}")
    )


def test_months_of_every_hard_case_are_the_encoders_bytes() -> None:
    results = SHIPPED.evaluate_months(hard_months())
    assert any(result.errors for result in results)  # failed and refused records too
    for result in results:
        assert result.outputs_json() == _encoded(result)


def test_failed_and_refused_records_are_the_encoders_bytes(tmp_path: Path) -> None:
    result = folder(tmp_path).for_period("2026-01").evaluate({"rep": REPS})
    assert {e.code for e in result.errors} >= {"division-by-zero"}
    assert result.outputs_json() == _encoded(result)


ENTITIES = """\
format: 1
kinds:
  person:
    key: id
    fields:
      id: {type: string}
      name: {type: string}
      amount: {type: money}
      rate: {type: decimal}
      count: {type: int}
      active: {type: bool}
"""

ECHO = """\
format: 1
policy: echo
version: "2026-01"
effective_from: 2026-01-01
title: echo
applies_to: person
rules:
  - {id: name_out, kind: formula, expr: name}
  - {id: amount_out, kind: formula, expr: amount}
  - {id: rate_out, kind: formula, expr: rate * 3}
  - {id: count_out, kind: formula, expr: count + 1}
  - {id: active_out, kind: formula, expr: active}
  - id: checked
    kind: checks
    checks:
      - {id: positive, assert: count > 0, points: 2}
      - {id: named, assert: name != "", points: 1}
"""


@pytest.fixture(scope="module")
def echo(tmp_path_factory: pytest.TempPathFactory) -> policyengine.Bundle:
    root = tmp_path_factory.mktemp("echo")
    (root / "entities.yaml").write_text(ENTITIES, encoding="utf-8")
    (root / "echo").mkdir()
    (root / "echo" / "2026-01.yaml").write_text(textwrap.dedent(ECHO), encoding="utf-8")
    return policyengine.load(root).for_period("2026-01")


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_PEOPLE = st.lists(
    st.fixed_dictionaries(
        {
            "id": _TEXT.filter(lambda t: t.strip() == t and t != ""),
            "name": _TEXT,
            "amount": st.decimals(-(10**6), 10**6, places=2).map(str),
            "rate": st.decimals(-100, 100, places=6).map(str),
            "count": st.integers(-5, 10**12).map(str),
            "active": st.sampled_from(["true", "false", "maybe"]),
        }
    ),
    max_size=8,
    unique_by=lambda person: person["id"],
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=_PEOPLE)
def test_generated_values_are_the_encoders_bytes(echo: policyengine.Bundle, people: Any) -> None:
    """Text of any characters (quotes, backslashes, controls, astral planes), numbers of
    any places, whole numbers and yes/no, some refused (``maybe``, an unclean name)."""
    result = echo.evaluate({"person": people})
    assert result.outputs_json() == _encoded(result)


def test_the_text_is_written_for_regular_records(
    echo: policyengine.Bundle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan writes the common record: only failed or refused ones take the encoder."""
    people = [
        {
            "id": f"P{n}",
            "name": 'say "hi"\\',
            "amount": "1.50",
            "rate": "0.1",
            "count": str(n + 2),  # each its own values: none is said by another's entry
            "active": "true",
        }
        for n in range(5)
    ] + [{"id": "Q", "name": "x", "amount": "1", "rate": "1", "count": "1", "active": "maybe"}]
    written: list[str] = []
    record_text = _entries_json._record_text

    def counting(plan: Any, key: str, env: Any) -> str:
        written.append(key)
        return record_text(plan, key, env)

    monkeypatch.setattr(_entries_json, "_record_text", counting)
    result = echo.evaluate({"person": people})
    assert result.outputs_json() == _encoded(result)
    assert sorted(written) == [f"P{n}" for n in range(5)]  # Q was refused


#: Few values, so that records repeat each other's and the entry said once is used
#: again: equal amounts of other exponents (0.1, 0.10, 1E+1), text that reads as a number.
_ALIKE = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.text("ABC", min_size=1, max_size=6),
            "name": st.sampled_from(["1", "0.3", "True", "", "a"]),
            "amount": st.sampled_from(["1", "1.0", "1.00", "0", "-0"]),
            "rate": st.sampled_from(["0.1", "0.10", "0.100", "1E+1", "10"]),
            "count": st.sampled_from(["0", "1", "-1"]),
            "active": st.sampled_from(["true", "false"]),
        }
    ),
    max_size=12,
    unique_by=lambda person: person["id"],
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=_ALIKE)
def test_entries_said_once_are_said_as_each_record_would_be(
    echo: policyengine.Bundle, people: Any
) -> None:
    """An entry's text after its key is kept for the values it was said for, and used
    for the next record of the same values: values equal but written apart (0.3 and
    0.30, 1 and True, the text "1" and the number 1) are never taken for each other."""
    result = echo.evaluate({"person": people})
    assert result.outputs_json() == _encoded(result)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (0, False),
        (1, True),
        (Decimal("0.1"), Decimal("0.10")),
        (Decimal("10"), Decimal("1E+1")),
        ("1", Decimal("1")),
        ("1", 1),
        (None, "null"),
        (("a",), "a"),
    ],
)
def test_values_equal_but_written_apart_are_said_apart(one: Any, other: Any) -> None:
    """The key an entry is kept under tells apart what Python holds equal (or what
    reads alike) but JSON writes apart: the same slot holding either gets its own text."""
    plan = ('"kind":"x"', [("{", [('"a":', "a", None)])])
    first, second = _entries_json._known(plan, {"a": one}), _entries_json._known(plan, {"a": other})
    assert first is not None and second is not None
    assert first != second
    assert _entries_json._known(plan, {"a": (1, "a")}) is None  # a list of other than text
