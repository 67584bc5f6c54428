"""The reader gives the same on libyaml's parser as on PyYAML's pure-Python one.

libyaml is optional in PyYAML. A policy file must give the same data, source
map and problems (codes, words, lines and columns) whichever parser read it:
these tests read generated YAML, mutated policy files and every fixture file
both ways and compare, each difference the two parsers are known to have is
pinned by an example, and the shipped policies are checked to take the fast
parser (else loading is slow again, silently).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyengine.errors import InvalidPolicy
from policyengine.read import _safe_yaml as safe_yaml
from policyengine.read import _yaml_parsers as parsers
from policyengine.read._source import read_policy_bytes

ROOT = Path(__file__).parent.parent
YAML_FILES = sorted(
    [*ROOT.glob("policies/**/*.yaml"), *ROOT.glob("tests/fixtures/**/*.yaml")],
    key=str,
)

pytestmark = pytest.mark.skipif(parsers.FAST_PARSER is None, reason="PyYAML without libyaml")


@contextmanager
def python_parser_only() -> Iterator[None]:
    """Read as PyYAML without libyaml would."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(safe_yaml, "FAST_PARSER", None)
        yield


def outcome(raw: bytes) -> Any:
    """What reading ``raw`` gives, as plain comparable data: the document's data (with
    every value's type), positions and problems, or the problems it was refused with."""
    try:
        document = read_policy_bytes(raw, "policy.yaml")
    except InvalidPolicy as error:
        return ("refused", _problems(error.problems))
    maps = dict(document.positions), dict(document.key_positions)
    return ("read", _typed(document.data), maps, _problems(document.problems))


def _problems(problems: Any) -> list[tuple[Any, ...]]:
    return [(p.code, p.location, str(p), p.hint, type(p)) for p in problems]


def _typed(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return (type(value).__name__, str(value))


def both_ways(text: str | bytes) -> tuple[Any, Any]:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    fast = outcome(raw)
    with python_parser_only():
        slow = outcome(raw)
    return fast, slow


@contextmanager
def counting_python_reads() -> Iterator[list[str]]:
    """Note each file the Python parser reads."""
    reads: list[str] = []

    class Counted(safe_yaml.PythonParser):
        def __init__(self, stream: str) -> None:
            reads.append(stream[:40])
            super().__init__(stream)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(safe_yaml, "PythonParser", Counted)
        yield reads


@contextmanager
def small_limits() -> Iterator[None]:
    """Limits small enough that generated files reach them."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(safe_yaml, "MAX_VALUES", 12)
        patch.setattr(safe_yaml, "MAX_ALIASES", 3)
        patch.setattr(safe_yaml, "MAX_DEPTH", 4)
        yield


# --- every file of the repository ---------------------------------------------------


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_file_reads_the_same_both_ways(path: Path) -> None:
    """Each shipped policy and each fixture (bad ones included) gives the same data,
    positions and problems with and without libyaml."""
    fast, slow = both_ways(path.read_bytes())
    assert fast == slow


def test_shipped_policies_take_the_fast_parser() -> None:
    """No shipped policy file needs the Python parser: it is what keeps loading fast."""
    with counting_python_reads() as reads:
        for path in ROOT.glob("policies/**/*.yaml"):
            read_policy_bytes(path.read_bytes(), str(path))
    assert reads == []


def test_without_libyaml_every_file_takes_the_python_parser() -> None:
    with python_parser_only(), counting_python_reads() as reads:
        read_policy_bytes(b"a: 1\n", "policy.yaml")
    assert len(reads) == 1


# --- where the two parsers differ -----------------------------------------------------

DIFFERENCES = [
    # libyaml takes a tab for a space where the Python parser refuses it.
    "a:\tb\n",
    "a: 1\t\n",
    "a: x\ty\n",
    "a: 1\t# note\n",
    "a: |\t\n  text\n",
    # libyaml takes a comment right after a block indicator.
    "a: |# note\n  text\n",
    "a: >-#\n  text\n",
    # Tags and anchors libyaml spells differently, or reads after a tab.
    "a: !~!str x\n",
    "a: &x\t1\n",
    "a: !!str\t1\n",
    # Inside brackets the Python parser ends a plain value at '?'.
    "a: [x ?y]\n",
    "a: {b?c: 1}\n",
    "a: [x\n  ?y]\n",
    # A thousands separator inside braces (its groups end in empty values).
    "a: {from: 80,000, to: 1,500,000.50}\n",
    # An empty value inside braces, placed at what follows by libyaml.
    "a: {b: }\n",
    "a: {b:  , c: 1}\n",
    # A value at the very end of a text without a last line break.
    "a: 1\n?",
    "a:\n  ? b",
    # Errors: libyaml's words differ, and so may its place.
    "a: b: c\n",
    "a: [1, 2\n",
    "a: 'x\n",
    "a: " + "[" * 80 + "]" * 80 + "\n",
]


@pytest.mark.parametrize("text", DIFFERENCES)
def test_where_libyaml_differs_the_python_parser_reads(text: str) -> None:
    """Each text libyaml reads otherwise is read again by the Python parser, so it gives
    what it gives without libyaml."""
    with counting_python_reads() as reads:
        fast, slow = both_ways(text)
    assert fast == slow
    assert len(reads) == 2  # once after libyaml's reading, once without libyaml


@pytest.mark.parametrize(
    "text",
    [
        "a: 'x\ty'\n",
        'a: "x\ty"\n',
        "a: |\n  x\ty\n",
        "a: {b: 1, c: [2, 3]}\n",
        "a:\n  - 1\n  -\n",
        "a: |  # note\n  text\n",
    ],
)
def test_where_they_agree_libyaml_reading_is_kept(text: str) -> None:
    """A tab inside quotes or a block value, and ordinary flow and block values, need no
    second reading."""
    with counting_python_reads() as reads:
        fast = outcome(text.encode())
    assert reads == []
    with python_parser_only():
        assert outcome(text.encode()) == fast


# --- generated YAML -------------------------------------------------------------------

WORDS = [
    "a", "b", "x1", "工资", "'q t'", '"d\\tq"', "'t\tq'", "1", "1.50", "-3", "007",
    "2026-01-01", "2026-02-30", "null", "~", "", "&a v", "*a", "!!str s", "!x y",
    "yes", "0.1e3", "a b", "a:b", "a?b", "#c", "? k", "|\n  blk\n", ">-\n  fold\n  ed\n",
    "'multi\n  line'", "3.5%", "1" * 40, "80,000",
]  # fmt: skip
SEPARATORS = [" ", " ", "  ", "\t", " # c "]
ENDINGS = ["", "", " # c", "\t# c", " ", "\t"]


@st.composite
def blocks(draw: st.DrawFn, depth: int = 0) -> list[str]:
    """Lines of a block mapping or sequence, sometimes with flow values, tabs, comments,
    anchors, tags and every kind of scalar."""
    pad = "  " * depth
    lines: list[str] = []
    mapping = draw(st.booleans())
    for _ in range(draw(st.integers(1, 3))):
        head = f"{pad}{draw(st.sampled_from(WORDS[:6]))}:" if mapping else f"{pad}-"
        if depth < 3 and draw(st.integers(0, 2)) == 0:
            lines.append(head + draw(st.sampled_from(["", " # c"])))
            lines.extend(draw(blocks(depth + 1)))
            continue
        if draw(st.integers(0, 4)) == 0:
            items = draw(st.lists(st.sampled_from(WORDS[:14]), max_size=3))
            brackets = draw(st.sampled_from(["[]", "{}", "[}", "{]"]))
            value = brackets[0] + ", ".join(items) + brackets[1]
        else:
            value = draw(st.sampled_from(WORDS))
        separator = draw(st.sampled_from(SEPARATORS))
        lines.append(head + separator + value + draw(st.sampled_from(ENDINGS)))
    return lines


INDICATORS = "[]{}:,-?&*!|>'\"#%@` \n\t\r~.ab1工"


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        piece = draw(st.sampled_from([*INDICATORS, "\n---\n", "\n...\n", "  ", "\n  ", ""]))
        cut = draw(st.integers(0, 2))
        text = text[:at] + piece + text[at + cut :]
    return text


documents = st.one_of(
    blocks().map(lambda lines: "\n".join(lines)).flatmap(lambda text: mutated(text)),
    st.tuples(blocks(), st.sampled_from(["\n", "", "\n\n"])).map(lambda t: "\n".join(t[0]) + t[1]),
    st.text(alphabet=INDICATORS, max_size=60),
)


@settings(max_examples=600, deadline=None)
@given(documents)
def test_generated_yaml_reads_the_same_both_ways(text: str) -> None:
    """Generated YAML (and near-YAML) gives the same data, positions and problems with and
    without libyaml, limits reached included."""
    with small_limits():
        fast, slow = both_ways(text)
    assert fast == slow


POLICY_TEXTS = [p.read_text("utf-8") for p in YAML_FILES if p.stat().st_size < 8_000]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(POLICY_TEXTS).flatmap(lambda text: mutated(text)))
def test_mutated_policy_files_read_the_same_both_ways(text: str) -> None:
    """A policy or fixture file with a few characters inserted or removed (the mistakes of
    hand editing) gives the same with and without libyaml."""
    fast, slow = both_ways(text)
    assert fast == slow
