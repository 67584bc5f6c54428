"""Loading is bounded: each limit a file can reach is refused with its code, at its place.

The times these limits keep loading within are measured by
benchmarks/bench_hostile_load.py; here only the limits and their codes are
asserted, and that the linear forms of the checks answer as before.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import policyengine
from policyengine.core._suggest import SMALL, Suggester, did_you_mean
from policyengine.entities import load_entities
from policyengine.errors import InvalidPolicy
from policyengine.facts._entities_file import MAX_PARENT_DEPTH
from policyengine.load._build_rules import MAX_RULE_TEXT, MAX_RULES
from policyengine.read._safe_yaml import MAX_VALUES
from policyengine.read._source import MAX_LINES, read_policy_bytes
from policyengine.read._source_map import holding

HEADER = 'format: 1\npolicy: p\nversion: "1"\neffective_from: 2026-01-01\ntitle: t\n'


def _problems(reading: object) -> list[tuple[str, int | None]]:
    with pytest.raises(InvalidPolicy) as caught:
        reading()  # type: ignore[operator]
    return [(p.code, p.location.line) for p in caught.value.problems]


def _numbers(count: int) -> str:
    """A flow list of ``count`` numbers, ten to a line (line ``n`` of the list holds the
    numbers 10(n - 1) to 10n - 1)."""
    lines = [
        ", ".join(map(str, range(start, min(start + 10, count)))) for start in range(0, count, 10)
    ]
    return "[" + ",\n  ".join(lines) + "]\n"


def test_too_many_values_stops_reading_at_its_line() -> None:
    """A list of more values than a file may hold is refused where the limit is passed."""
    text = "a: 1\nb: " + _numbers(MAX_VALUES + 100)
    found = _problems(lambda: read_policy_bytes(text.encode(), "p.yaml"))
    # Values before the list's items: the top mapping, a, 1, b and the list itself (5), so
    # the value beyond the limit is item MAX_VALUES - 5, on line 2 + its tenth.
    assert found == [("too-many-values", 2 + (MAX_VALUES - 5) // 10)]


def test_too_many_lines_is_refused_before_reading() -> None:
    text = "a: 1\n" + "\n" * MAX_LINES
    found = _problems(lambda: read_policy_bytes(text.encode(), "p.yaml"))
    assert found == [("too-many-lines", MAX_LINES + 1)]
    assert read_policy_bytes(("a: 1" + "\r\n" * (MAX_LINES - 1)).encode(), "p.yaml").data


def test_a_file_at_the_value_limit_is_read() -> None:
    text = "a: " + _numbers(MAX_VALUES - 3)
    document = read_policy_bytes(text.encode(), "p.yaml")
    assert len(document.data["a"]) == MAX_VALUES - 3


def test_too_many_rules_is_reported_at_the_first_beyond(tmp_path: Path) -> None:
    """The first MAX_RULES rules are still checked; the rule past them is where it is said."""
    rules = "".join(
        f"  - {{id: r{i}, kind: formula, expr: {'a' if i == 0 else f'r{i - 1}'} + 1}}\n"
        for i in range(MAX_RULES + 5)
    )
    path = tmp_path / "p.yaml"
    path.write_text(HEADER + "inputs: {a: money}\nrules:\n" + rules, encoding="utf-8")
    problems = policyengine.check_policy(path)
    assert [(p.code, p.location.pointer, p.location.line) for p in problems] == [
        ("too-many-rules", f"/rules/{MAX_RULES}", 8 + MAX_RULES)
    ]


def test_a_file_at_the_rule_limit_loads(tmp_path: Path) -> None:
    rules = "".join(f"  - {{id: r{i}, kind: formula, expr: a + {i}}}\n" for i in range(MAX_RULES))
    path = tmp_path / "p.yaml"
    path.write_text(HEADER + "inputs: {a: money}\nrules:\n" + rules, encoding="utf-8")
    assert len(policyengine.load_policy(path).rules) == MAX_RULES


def _long_rules(count: int) -> tuple[str, int]:
    """``count`` rules, each an expression of about 1,800 characters, and the characters
    of text each rule holds (its keys and values)."""
    chunk = "sum(" + ",".join(["a"] * 90) + ")"
    expr = "+".join([chunk] * 5)
    rule = {"id": "r0", "kind": "formula", "expr": expr}
    size = sum(len(k) + len(v) for k, v in rule.items())
    rules = "".join(f"  - {{id: r{i}, kind: formula, expr: '{expr}'}}\n" for i in range(count))
    return "inputs: {a: money}\nrules:\n" + rules, size


def test_too_much_rule_text_is_reported_at_the_rule_that_passes_it(tmp_path: Path) -> None:
    """480 expressions of 1,800 characters (under 1 MiB): the rules stop being read at the
    one that takes the text past the bound, which is where it is said."""
    rules, size = _long_rules(480)
    path = tmp_path / "p.yaml"
    path.write_text(HEADER + rules, encoding="utf-8")
    assert path.stat().st_size < 1024 * 1024 and 480 * size > MAX_RULE_TEXT
    problems = policyengine.check_policy(path)
    # Rule ids r10 and up are one character longer: the first over is found by counting.
    total, first_over = 0, 0
    for index in range(480):
        total += size + len(str(index)) - 1
        if total > MAX_RULE_TEXT:
            first_over = index
            break
    assert [(p.code, p.location.pointer) for p in problems] == [
        ("too-much-text", f"/rules/{first_over}")
    ]


def test_rules_within_the_text_bound_load(tmp_path: Path) -> None:
    rules, _ = _long_rules(100)
    path = tmp_path / "p.yaml"
    path.write_text(HEADER + rules, encoding="utf-8")
    assert len(policyengine.load_policy(path).rules) == 100


def _chain(count: int) -> str:
    kinds = ["format: 1\nkinds:\n  k0: {key: id, fields: {id: string}}\n"]
    kinds += [
        f"  k{i}: {{key: id, parent: {{kind: k{i - 1}, field: up}}, "
        "fields: {id: string, up: string}}\n"
        for i in range(1, count)
    ]
    return "".join(kinds)


def test_a_parent_chain_beyond_the_limit_is_reported_once(tmp_path: Path) -> None:
    """800 kinds in a chain: one problem, at the first kind with too many above it."""
    path = tmp_path / "entities.yaml"
    path.write_text(_chain(800), encoding="utf-8")
    with pytest.raises(InvalidPolicy) as caught:
        load_entities(path)
    [problem] = caught.value.problems
    first = MAX_PARENT_DEPTH + 1
    assert (problem.code, problem.location.pointer, problem.location.line) == (
        "parent-chain-too-long",
        f"/kinds/k{first}/parent",
        3 + first,
    )


def test_a_parent_chain_at_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "entities.yaml"
    path.write_text(_chain(MAX_PARENT_DEPTH + 1), encoding="utf-8")
    entities = load_entities(path)
    assert len(entities.ancestors(f"k{MAX_PARENT_DEPTH}")) == MAX_PARENT_DEPTH


def test_a_long_loop_of_parents_is_reported_once(tmp_path: Path) -> None:
    """A loop through 300 kinds is one parent-cycle (and no chain-length problem)."""
    kinds = "".join(
        f"  k{i}: {{key: id, parent: {{kind: k{(i + 1) % 300}, field: up}}, "
        "fields: {id: string, up: string}}\n"
        for i in range(300)
    )
    path = tmp_path / "entities.yaml"
    path.write_text("format: 1\nkinds:\n" + kinds, encoding="utf-8")
    with pytest.raises(InvalidPolicy) as caught:
        load_entities(path)
    assert [(p.code, p.location.pointer) for p in caught.value.problems] == [
        ("parent-cycle", "/kinds/k0/parent/kind")
    ]


# --- the linear forms answer as the plain ones did ------------------------------------

_names = st.text("abcdefgh_0123", min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(_names, st.lists(_names, max_size=SMALL))
def test_suggestions_over_a_small_set_are_difflibs(word: str, choices: list[str]) -> None:
    """Up to SMALL choices, the suggestion is exactly difflib's closest match."""
    matches = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    expected = f"did you mean '{matches[0]}'?" if matches else None
    assert did_you_mean(word, choices) == expected


_THOUSANDS = [f"amount_{i:04}" for i in range(3_000)]
_PREPARED = Suggester(_THOUSANDS)  # prepared once, as a load prepares each set once


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_a_typo_one_edit_away_is_found_among_thousands(data: st.DataObject) -> None:
    """In a large set, a name with one letter dropped, added, changed or two swapped is
    still suggested (or an equally close one)."""
    name = data.draw(st.sampled_from(_THOUSANDS))
    at = data.draw(st.integers(0, len(name) - 2))
    typo = data.draw(
        st.sampled_from(
            [
                name[:at] + name[at + 1 :],
                name[:at] + "x" + name[at:],
                name[:at] + "x" + name[at + 1 :],
                name[:at] + name[at + 1] + name[at] + name[at + 2 :],
            ]
        )
    )
    closest = _PREPARED.closest(typo)
    assert closest is not None
    ratio = difflib.SequenceMatcher(None, typo, closest).ratio()
    assert ratio >= difflib.SequenceMatcher(None, typo, name).ratio() or closest == name


def test_no_suggestion_for_a_word_too_long_to_be_a_name() -> None:
    assert did_you_mean("a" * 1_000, ["a" * 999]) is None


_pointers = st.lists(st.sampled_from(["", "a", "b", "0", "a~1b"]), max_size=4).map(
    lambda parts: "".join("/" + p for p in parts)
)


@settings(max_examples=300, deadline=None)
@given(st.sets(_pointers, max_size=6), _pointers)
def test_holding_is_the_scan_it_replaced(broken: set[str], pointer: str) -> None:
    """A pointer holds a broken part exactly when it is one or an ancestor of one."""
    scanned = any(p == pointer or p.startswith(pointer + "/") for p in broken)
    assert (pointer in holding(broken)) == scanned
