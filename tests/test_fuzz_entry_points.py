"""Fuzzing the public entry points: whatever comes in, only a ``PolicyError`` comes out.

Each test feeds one entry point hostile input drawn by hypothesis — policy
text (random, and a sound policy with one value replaced by something
hostile), input records of every shape, and facts files of random bytes —
and asserts that the call either succeeds or raises a ``PolicyError`` with a
registered code. Any other exception (RecursionError, MemoryError,
UnicodeEncodeError, decimal.InvalidOperation, KeyError …) fails the test, and
so does an ``internal-error``, which is a defect reported politely.

Each example is bounded: hypothesis' ``deadline`` bounds its time, and
tracemalloc its memory (100 MB, the issue's bound per hostile input).
"""

from __future__ import annotations

import copy
import datetime
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policyengine
from policyengine.codes import CODES
from policyengine.errors import PolicyError

T = TypeVar("T")

#: Time per example (hypothesis' deadline) and memory per example.
DEADLINE_MS = 4_000
MEMORY_LIMIT = 100 * 1024 * 1024

FUZZ = settings(
    max_examples=60,
    deadline=DEADLINE_MS,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: A sound policy with a field of every type, rules of several kinds and a period.
SOUND_POLICY = """\
format: 1
policy: fuzz
version: "1"
title: 模糊测试
effective_from: 2026-01-01
key: rep_id
inputs:
  rep_id: string
  role: {type: enum, values: [rep, leader]}
  sales: money
  rate_hint: decimal
  dials: int
  active: bool
  hired: date
  tags: {type: list, of: string}
parameters:
  cap: 200
  bonus_rate: 3.5%
rules:
  - id: rate
    kind: tiers
    of: sales
    mode: flat
    bands:
      - {from: 0, to: 80000, value: 3%}
      - {from: 80000, value: 4%}
  - id: commission
    kind: formula
    expr: sales * rate if active else 0
    round: 0.01
  - id: grade
    kind: table
    hit: first
    rows:
      - {when: role == "leader", then: A}
      - {when: dials > 100, then: B}
      - {when: true, then: C}
  - id: tenure_days
    kind: formula
    expr: days_between(hired, period.end)
  - id: tagged
    kind: formula
    expr: len(tags) + dials
  - id: capped
    kind: formula
    expr: min(commission, cap) * (1 + rate_hint)
    round: 0.01
"""


def _bounded(call: Callable[[], T]) -> T | PolicyError:
    """``call()``'s result, or the PolicyError it raised; any other exception propagates.

    The memory ``call`` allocates at its peak is at most :data:`MEMORY_LIMIT`."""
    tracemalloc.start()
    try:
        try:
            outcome: T | PolicyError = call()
        except PolicyError as exc:
            outcome = exc
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak <= MEMORY_LIMIT, f"{peak / 2**20:.0f} MiB at the peak"
    if isinstance(outcome, PolicyError):
        _assert_reported(outcome)
    return outcome


def _assert_reported(error: PolicyError) -> None:
    """A registered code, not a defect; and the report renders, as every front end shows it."""
    errors = [error, *getattr(error, "problems", ())]
    for each in errors:
        assert each.code in CODES, each.code
        assert each.code != "internal-error", each.render()
        rendered = each.render()
        rendered.encode("utf-8")  # no lone surrogate reaches a report
        assert isinstance(each.to_dict(), dict)


# --- hostile values ----------------------------------------------------------------


_HOSTILE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "1e999999999",
        "-1e-999999999",
        "9" * 5000,
        "1" * 3000 + "x",
        "12,34",
        "١٢٣",
        "３.５%",
        "NaN",
        "Infinity",
        "\x1b[31mred",
        "\u202eevil",
        "a\u200bb",
        '=HYPERLINK("http://x")',
        "2026-02-30",
        "9999-12-31",
        "0001-01-01",
        "{{",
        "${x}",
        "__import__('os')",
    ]
)

_SCALARS = st.one_of(
    _HOSTILE_TEXT,
    st.text(max_size=40),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.decimals(allow_nan=True, allow_infinity=True, places=None),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.dates(),
    st.binary(max_size=8),
)


def _deep(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


_VALUES = st.one_of(
    _SCALARS,
    st.lists(_SCALARS, max_size=5),
    st.dictionaries(st.text(max_size=5), _SCALARS, max_size=3),
    st.just(50).map(_deep),
)


# --- policy text -------------------------------------------------------------------


def _load_text(tmp_path: Path, text: str | bytes) -> Any:
    path = tmp_path / "fuzz" / "1.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    return _bounded(lambda: policyengine.load_policy(path))


@FUZZ
@given(st.one_of(st.text(max_size=400), st.binary(max_size=400)))
def test_random_policy_text(tmp_path: Path, text: str | bytes) -> None:
    assert isinstance(_load_text(tmp_path, text), policyengine.Policy | PolicyError)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside parsed YAML."""
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


_SOUND = yaml.safe_load(SOUND_POLICY)
_SOUND_PATHS = _paths(_SOUND)[1:]


def _replaced(path: tuple[Any, ...], value: Any) -> Any:
    data = copy.deepcopy(_SOUND)
    holder = data
    for part in path[:-1]:
        holder = holder[part]
    holder[path[-1]] = value
    return data


_YAML_SCALARS = st.one_of(
    _HOSTILE_TEXT,
    st.text(max_size=40),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.booleans(),
    st.none(),
    st.dates(),
)


@FUZZ
@given(st.sampled_from(_SOUND_PATHS), st.one_of(_YAML_SCALARS, st.lists(_YAML_SCALARS, max_size=3)))
def test_sound_policy_with_one_hostile_value(tmp_path: Path, path: Any, value: Any) -> None:
    text = yaml.safe_dump(_replaced(path, value), allow_unicode=True)
    policy = _load_text(tmp_path, text)
    assert isinstance(policy, policyengine.Policy | PolicyError)
    if isinstance(policy, policyengine.Policy):  # it loads: it evaluates, or says why not
        outcome = _bounded(lambda: policy.evaluate(_SOUND_RECORD, period="2026-03"))
        assert isinstance(outcome, policyengine.Result | PolicyError)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a: &a [" + "*a," * 2 + "]\n" * 1, id="alias"),
        pytest.param("x: " + "[" * 10_000 + "]" * 10_000 + "\n", id="deep-flow"),
        pytest.param("x: !!python/object/apply:os.system ['true']\n", id="python-tag"),
        pytest.param(
            SOUND_POLICY.replace("round: 0.01", "round: 0." + "0" * 39 + "1"), id="round-40-places"
        ),
        pytest.param(SOUND_POLICY.replace("3.5%", "1e999999999"), id="huge-parameter"),
        pytest.param(SOUND_POLICY.replace("3.5%", '"\\ud800"'), id="lone-surrogate"),
    ],
)
def test_hostile_policy_texts(tmp_path: Path, text: str) -> None:
    policy = _load_text(tmp_path, text)
    assert isinstance(policy, policyengine.Policy | PolicyError)
    if isinstance(policy, policyengine.Policy):
        outcome = _bounded(lambda: policy.evaluate(_SOUND_RECORD, period="2026-03"))
        assert isinstance(outcome, policyengine.Result | PolicyError)


# --- records -----------------------------------------------------------------------


_SOUND_RECORD = {
    "rep_id": "R1",
    "role": "rep",
    "sales": "85000.00",
    "rate_hint": "0.5",
    "dials": 120,
    "active": True,
    "hired": datetime.date(2025, 6, 1),
    "tags": ["a", "b"],
}


@pytest.fixture(scope="module")
def fuzz_policy(tmp_path_factory: pytest.TempPathFactory) -> policyengine.Policy:
    path = tmp_path_factory.mktemp("policy") / "fuzz" / "1.yaml"
    path.parent.mkdir()
    path.write_text(SOUND_POLICY, encoding="utf-8")
    return policyengine.load_policy(path)


def test_the_sound_policy_evaluates(fuzz_policy: policyengine.Policy) -> None:
    result = fuzz_policy.evaluate(_SOUND_RECORD, period="2026-03")
    assert result.outputs["commission"] == Decimal("3400.00")
    assert result.outputs["capped"] == Decimal("300.00")


@FUZZ
@given(st.sampled_from(sorted(_SOUND_RECORD)), _VALUES)
def test_records_with_one_hostile_field(
    fuzz_policy: policyengine.Policy, field: str, value: Any
) -> None:
    record = {**_SOUND_RECORD, field: value}
    before = copy.deepcopy(record)
    outcome = _bounded(lambda: fuzz_policy.evaluate(record, period="2026-03"))
    assert record == before or value != value  # facts are never changed (NaN != NaN)
    if isinstance(outcome, policyengine.Result):
        for name in outcome.outputs:
            _bounded(lambda name=name: outcome.explain(name))


@pytest.mark.parametrize("field", ["tags", "sales", "rep_id", "role"])
@pytest.mark.parametrize(
    "value",
    [pytest.param(_deep(5_000), id="deep"), pytest.param(list(range(20_000)), id="long")],
)
def test_records_with_a_huge_value(
    fuzz_policy: policyengine.Policy, field: str, value: Any
) -> None:
    outcome = _bounded(
        lambda: fuzz_policy.evaluate({**_SOUND_RECORD, field: value}, period="2026-03")
    )
    assert isinstance(outcome, PolicyError)
    assert len(outcome.render()) < 10_000  # the report stays readable


@FUZZ
@given(
    st.one_of(
        st.dictionaries(st.text(max_size=8), _VALUES, max_size=6),
        _VALUES,
    )
)
def test_records_of_any_shape(fuzz_policy: policyengine.Policy, record: Any) -> None:
    outcome = _bounded(lambda: fuzz_policy.evaluate_many([record, _SOUND_RECORD], period="2026-03"))
    assert isinstance(outcome, policyengine.Batch)
    assert not isinstance(outcome.items[1], PolicyError)  # one bad record spoils no other


# --- facts files -------------------------------------------------------------------


_FIELDS = None  # the readers take the declared fields; the fuzz policy's are used


@FUZZ
@given(
    st.sampled_from([".csv", ".json", ".xlsx"]),
    st.one_of(
        st.binary(max_size=600),
        st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.sampled_from(
            [
                b"\xef\xbb\xbfrep_id,sales\nR1,12\n",
                b"rep_id,sales\nR1,12,13\n",
                "rep_id,sales\nR1,１２\n".encode("gb18030"),
                b"[" + b'{"rep_id": "R1"},' * 3 + b"]",
                b"PK\x03\x04" + b"\x00" * 100,
                b"\x00\x80",  # UTF-16 to the detector, without the BOM its decoder needs
            ]
        ),
    ),
)
def test_facts_files_of_random_bytes(
    tmp_path: Path, fuzz_policy: policyengine.Policy, suffix: str, content: bytes
) -> None:
    path = tmp_path / f"facts{suffix}"
    path.write_bytes(content)
    outcome = _bounded(lambda: policyengine.read_facts(path, fuzz_policy.inputs))
    assert isinstance(outcome, policyengine.FactsFile | PolicyError)


@pytest.mark.parametrize("depth", [1_000, 50_000])
def test_deep_json_facts(tmp_path: Path, fuzz_policy: policyengine.Policy, depth: int) -> None:
    path = tmp_path / "facts.json"
    path.write_bytes(b'{"records": ' + b"[" * depth + b"]" * depth + b"}")
    outcome = _bounded(lambda: policyengine.read_facts(path, fuzz_policy.inputs))
    assert isinstance(outcome, PolicyError) and outcome.code == "too-deep", outcome
