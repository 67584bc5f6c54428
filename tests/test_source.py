"""Tests for policyengine.source: safe YAML to plain data with a source map."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policyengine.core._display import unclean
from policyengine.errors import InvalidPolicy, PolicySourceError
from policyengine.read import _safe_yaml as safe_yaml
from policyengine.read import _source as source
from policyengine.read._source import Document, Position, read_policy_bytes, read_policy_file

FIXTURES = Path(__file__).parent / "fixtures" / "source"

CODES = {
    "file-not-found",
    "unreadable-file",
    "file-too-large",
    "not-utf8",
    "control-character",
    "empty-document",
    "not-a-mapping",
    "multiple-documents",
    "yaml-syntax",
    "too-deep",
    "yaml-alias",
    "yaml-tag",
    "complex-key",
    "duplicate-key",
    "invalid-date",
    "too-many-digits",
    "too-many-values",
    "too-many-aliases",
}


def read(text: str | bytes) -> Document:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return read_policy_bytes(raw, "policy.yaml")


def problems_of(text: str | bytes, file: str = "policy.yaml") -> list[PolicySourceError]:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return problems_in(lambda: read_policy_bytes(raw, file), file)


def problems_in(reading: Any, file: str) -> list[PolicySourceError]:
    """The reader's problems: raised when the file is unusable, else kept on the document."""
    try:
        document = reading()
    except InvalidPolicy as error:
        return checked(error, file)
    assert document.problems, "a bad input was read without any problem"
    assert all(p.code in source.RECOVERABLE for p in document.problems)
    return checked(InvalidPolicy(document.problems, file=file), file)


def checked(error: InvalidPolicy, file: str) -> list[PolicySourceError]:
    """Every problem is a located PolicySourceError with a known code."""
    assert error.problems
    found = []
    for problem in error.problems:
        assert isinstance(problem, PolicySourceError)
        assert problem.code in CODES
        assert problem.location.file == file
        assert problem.location.line is None or problem.location.line >= 1
        assert problem.location.column is None or problem.location.column >= 1
        found.append(problem)
    return found


def where(problem: PolicySourceError) -> tuple[str, str | None, int | None, int | None]:
    loc = problem.location
    return problem.code, loc.pointer, loc.line, loc.column


# --- bad inputs kept as fixture files -------------------------------------------------

DEEP_FLOW = "/value" + "/0" * 63
DEEP_BLOCK = "".join(f"/k{i}" for i in range(64))


BAD_FIXTURES = [
    ("duplicate-key.yaml", "duplicate-key", "/id", 3),
    ("duplicate-key-nested.yaml", "duplicate-key", "/rules/0/规则/基本工资", 7),
    ("anchor.yaml", "yaml-alias", "/base", 2),
    ("alias.yaml", "yaml-alias", "/bonus", 3),
    ("merge-key-alias.yaml", "yaml-alias", "/rules/0/<<", 5),
    ("tag-python.yaml", "yaml-tag", "/run", 2),
    ("tag-str.yaml", "yaml-tag", "/code", 2),
    ("tag-local.yaml", "yaml-tag", "/limits/daily", 3),
    ("tag-binary.yaml", "yaml-tag", "/blob", 2),
    ("invalid-date.yaml", "invalid-date", "/periods/0/to", 4),
    ("complex-key.yaml", "complex-key", "", 2),
    ("complex-key-flow.yaml", "complex-key", "/table", 2),
    ("empty.yaml", "empty-document", "", 1),
    ("comments-only.yaml", "empty-document", "", 1),
    ("document-marker-only.yaml", "empty-document", "", 1),
    ("scalar-top.yaml", "not-a-mapping", "", 1),
    ("list-top.yaml", "not-a-mapping", "", 1),
    ("multiple-documents.yaml", "multiple-documents", None, 3),
    ("tab-indent.yaml", "yaml-syntax", None, 3),
    ("unclosed-quote.yaml", "yaml-syntax", None, 4),
    ("missing-colon.yaml", "yaml-syntax", None, 5),
    ("bad-indent.yaml", "yaml-syntax", None, 4),
    ("unclosed-bracket.yaml", "yaml-syntax", None, 3),
    ("too-many-digits.yaml", "too-many-digits", "/rate", 2),
    ("too-deep-flow.yaml", "too-deep", DEEP_FLOW, 2),
    ("too-deep-block.yaml", "too-deep", DEEP_BLOCK, 66),
]


@pytest.mark.parametrize(
    ("fixture", "code", "pointer", "line"), BAD_FIXTURES, ids=[c[0] for c in BAD_FIXTURES]
)
def test_bad_fixture_gives_located_error(
    fixture: str, code: str, pointer: str | None, line: int
) -> None:
    """A bad fixture is refused, and its first problem has the expected code, pointer and line."""
    path = FIXTURES / fixture
    problems = problems_in(lambda: read_policy_file(path), str(path))
    assert where(problems[0])[:3] == (code, pointer, line)


def test_every_fixture_is_used() -> None:
    """Every fixture file in the folder is named by a test, so none is dead."""
    text = Path(__file__).read_text(encoding="utf-8")
    for path in FIXTURES.iterdir():
        assert f'"{path.name}"' in text, path.name


def test_duplicate_key_names_key_and_first_line() -> None:
    """A duplicate key is reported at the second occurrence, with the key and the first line."""
    [problem] = problems_of("a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n")
    assert where(problem) == ("duplicate-key", "/b/c", 5, 3)
    assert problem.details == {"key": "c", "first_line": 3}


def test_same_key_in_different_mappings_is_fine() -> None:
    """A key may repeat in different mappings; only one mapping's keys must be unique."""
    doc = read("a:\n  x: 1\nb:\n  x: 2\nc:\n- x: 3\n- x: 4\n")
    assert doc.data == {"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 3}, {"x": 4}]}


def test_every_problem_of_one_pass_is_reported() -> None:
    """Duplicate keys, anchors, aliases, invalid dates and tags anywhere are reported together."""
    path = FIXTURES / "several-problems.yaml"
    found = [where(p)[:3] for p in problems_in(lambda: read_policy_file(path), str(path))]
    assert found == [
        ("duplicate-key", "/name", 3),
        ("yaml-alias", "/base", 4),
        ("yaml-alias", "/copy", 5),
        ("invalid-date", "/start", 6),
        ("yaml-tag", "/code", 7),
        ("duplicate-key", "/rules/0/id", 10),
    ]


def test_billion_laughs_is_refused_quickly() -> None:
    """An alias bomb is refused at its anchors and aliases, without expanding, in well under 1 s."""
    path = FIXTURES / "billion-laughs.yaml"
    start = time.perf_counter()
    problems = problems_in(lambda: read_policy_file(path), str(path))
    assert time.perf_counter() - start < 1.0
    codes = [p.code for p in problems]
    # Reading stops at the 21st anchor or alias: a file of them costs no more than a few.
    assert codes.count("yaml-alias") == safe_yaml.MAX_ALIASES
    assert codes.count("too-many-aliases") == 1 and len(codes) == safe_yaml.MAX_ALIASES + 1


def test_too_many_aliases_stops_at_the_first_beyond_the_limit() -> None:
    """The anchor and 19 aliases are reported; the 21st stops reading, at its line."""
    path = FIXTURES / "too-many-aliases.yaml"
    problems = problems_in(lambda: read_policy_file(path), str(path))
    found = [(p.code, p.location.line) for p in problems]
    assert found[-1] == ("too-many-aliases", safe_yaml.MAX_ALIASES + 1)
    assert [code for code, _ in found[:-1]] == ["yaml-alias"] * safe_yaml.MAX_ALIASES


def test_undefined_alias_is_refused_as_alias() -> None:
    """An alias to an anchor that does not exist is still a yaml-alias problem, not a crash."""
    [problem] = problems_of("a: *nowhere\n")
    assert where(problem) == ("yaml-alias", "/a", 1, 4)


def test_alias_as_key_and_as_document() -> None:
    """An alias used as a key, or as the whole document, is refused."""
    assert [p.code for p in problems_of("*k : 1\n")] == ["yaml-alias"]
    assert [p.code for p in problems_of("*k\n")] == ["yaml-alias", "not-a-mapping"]


def test_merge_key_is_an_ordinary_key() -> None:
    """'<<' without an alias is just a key named '<<' (a later stage rejects it)."""
    assert read("<<: {a: 1}\n").data == {"<<": {"a": 1}}


def test_tag_on_key_is_refused() -> None:
    """An explicit tag on a key is refused like one on a value."""
    [problem] = problems_of("!!str a: 1\n")
    assert where(problem)[:3] == ("yaml-tag", "/a", 1)
    assert problem.details["tag"] == "!!str"


def test_syntax_error_uses_parser_mark_and_gives_hint() -> None:
    """A syntax error is located at the parser's problem mark (1-based) and carries a hint."""
    [problem] = problems_of("a: 1\nb:\n\tc: 2\n")
    assert where(problem) == ("yaml-syntax", None, 3, 1)
    assert problem.hint


def test_multiple_documents_located_at_second() -> None:
    """A second document is reported where its '---' starts."""
    [problem] = problems_of("a: 1\n---\nb: 2\n")
    assert where(problem) == ("multiple-documents", None, 2, 1)


def test_explicit_end_marker_alone_is_one_document() -> None:
    """'...' closing the only document is fine."""
    assert read("---\na: 1\n...\n").data == {"a": 1}


def test_depth_limit_is_64_levels() -> None:
    """64 nested levels (the top mapping counts) are read; 65 are refused."""
    doc = read_policy_file(FIXTURES / "deep-64-ok.yaml")
    assert DEEP_FLOW.rpartition("/")[0] in doc.positions
    [problem] = problems_of("a: " + "[" * 64 + "]" * 64)
    assert where(problem) == ("too-deep", "/a" + "/0" * 63, 1, 67)


@pytest.mark.parametrize(
    "text",
    ["a: " + "[" * 100_000, "a: " + "{" * 100_000, "- " * 100_000, "{a: [" * 50_000],
    ids=["brackets", "braces", "dashes", "mixed"],
)
def test_very_deep_nesting_is_refused_quickly(text: str) -> None:
    """100,000 levels of nesting give too-deep quickly, never a RecursionError."""
    start = time.perf_counter()
    problems = problems_of(text)
    assert time.perf_counter() - start < 1.0
    assert [p.code for p in problems] == ["too-deep"]


def test_recursion_error_becomes_too_deep(monkeypatch: pytest.MonkeyPatch) -> None:
    """Should the parser ever recurse too deeply, the RecursionError becomes a too-deep problem."""

    def boom(self: Any, events: Any) -> Any:
        raise RecursionError

    monkeypatch.setattr(safe_yaml.YamlReader, "tree", boom)
    assert [p.code for p in problems_of("a: 1\n")] == ["too-deep"]


def test_memory_error_becomes_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    """Should reading run out of memory, the MemoryError becomes a file-too-large problem."""

    def boom(self: Any, events: Any) -> Any:
        raise MemoryError

    monkeypatch.setattr(safe_yaml.YamlReader, "tree", boom)
    assert [p.code for p in problems_of("a: 1\n")] == ["file-too-large"]


# --- encoding and control characters (bytes that do not sit well in a text file) ------


@pytest.mark.parametrize(
    ("raw", "line", "column"),
    [
        (b"a: \xff\n", 1, 4),
        (b"id: x\n\xe5\xb7\xa5\xe8\xb5\x84: \xb9\xa4\xd7\xca\n", 2, 5),  # GBK after UTF-8 Chinese
        (b"a: 1\r\nb: 2\r\nc: \xc3\n", 3, 4),  # a truncated sequence
        (b"a: \xed\xa0\x80\n", 1, 4),  # an encoded surrogate
        (b"\xef\xbb\xbfa: \xe5\xb7\n", 1, 4),  # after a BOM, cut off at the end
        (b"\xff\xfea\x00:\x00 \x001\x00", 1, 1),  # UTF-16 with its BOM
    ],
)
def test_invalid_utf8_is_located_at_first_bad_byte(raw: bytes, line: int, column: int) -> None:
    """Bytes that are not UTF-8 give one not-utf8 problem at the first bad byte, by character."""
    [problem] = problems_of(raw)
    assert where(problem) == ("not-utf8", None, line, column)


def test_control_characters_each_reported() -> None:
    """NUL, other C0 controls, DEL and C1 controls are each reported with line and column."""
    problems = problems_of("a: 1\x00\nb: 工\x07\x7f\n# \x85 \x9f\nc: '\x1b'\n")
    assert [where(p)[2:] for p in problems] == [(1, 5), (2, 5), (2, 6), (3, 3), (3, 5), (4, 5)]
    assert {p.code for p in problems} == {"control-character"}
    assert problems[0].details == {"character": "U+0000", "name": "U+0000 (a control character)"}


def test_control_characters_capped_at_20() -> None:
    """A file full of control characters (UTF-16 without a BOM) reports at most 20 of them."""
    problems = problems_of("id: payroll\nname: base pay\n".encode("utf-16-le"))
    assert len(problems) == 20
    assert {p.code for p in problems} == {"control-character"}


def test_tab_cr_lf_are_allowed() -> None:
    """TAB inside quotes and comments, CR and LF are ordinary characters."""
    assert read("a: 'x\ty'\r\nb: c # note\there\r\n").data == {"a": "x\ty", "b": "c"}


def test_tab_after_value_gets_its_own_hint() -> None:
    """A tab the parser refuses inside a line is a yaml-syntax problem with a hint."""
    [problem] = problems_of("a: 1\nb: c\td\n")
    assert where(problem) == ("yaml-syntax", None, 2, 5)
    assert problem.hint


def test_bom_is_dropped() -> None:
    """A leading UTF-8 BOM is dropped and does not shift columns."""
    doc = read(b"\xef\xbb\xbf" + "名称: 工资\n".encode())
    assert doc.data == {"名称": "工资"}
    assert doc.positions["/名称"] == Position(1, 5)
    assert doc.raw.startswith(b"\xef\xbb\xbf")


# --- files ------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    """A path that does not exist gives file-not-found, naming the path."""
    path = tmp_path / "nope.yaml"
    with pytest.raises(InvalidPolicy) as caught:
        read_policy_file(path)
    [problem] = checked(caught.value, str(path))
    assert problem.code == "file-not-found"


def test_directory_is_unreadable(tmp_path: Path) -> None:
    """A folder given as a policy file gives unreadable-file."""
    with pytest.raises(InvalidPolicy) as caught:
        read_policy_file(tmp_path)
    assert [p.code for p in checked(caught.value, str(tmp_path))] == ["unreadable-file"]


def test_impossible_path_is_unreadable() -> None:
    """A path the system refuses (an embedded NUL) gives unreadable-file, not a ValueError."""
    with pytest.raises(InvalidPolicy) as caught:
        read_policy_file("bad\x00name.yaml")
    assert [p.code for p in checked(caught.value, "bad\x00name.yaml")] == ["unreadable-file"]


def test_file_over_one_mib_is_refused(tmp_path: Path) -> None:
    """A file over 1 MiB gives file-too-large; exactly 1 MiB is read."""
    body = b"a: 1\n" + b"#" * (1024 * 1024 - 6) + b"\n"
    assert len(body) == 1024 * 1024
    path = tmp_path / "big.yaml"
    path.write_bytes(body)
    assert read_policy_file(path).data == {"a": 1}
    path.write_bytes(body + b"\n")
    with pytest.raises(InvalidPolicy) as caught:
        read_policy_file(path)
    assert [p.code for p in checked(caught.value, str(path))] == ["file-too-large"]
    assert [p.code for p in problems_of(body + b"\n")] == ["file-too-large"]


def test_file_name_and_hash(tmp_path: Path) -> None:
    """A read file keeps its display name, its exact bytes and their SHA-256."""
    path = tmp_path / "提成.yaml"
    raw = "id: 提成\r\nrate: 0.05\n".encode()
    path.write_bytes(raw)
    doc = read_policy_file(path)
    assert (doc.file, doc.raw, doc.sha256) == (str(path), raw, hashlib.sha256(raw).hexdigest())
    assert doc.data == {"id": "提成", "rate": Decimal("0.05")}


# --- scalars ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("~", None),
        ("null", None),
        ("Null", None),
        ("NULL", None),
        ("", None),
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("False", False),
        ("FALSE", False),
        ("0", 0),
        ("42", 42),
        ("-7", -7),
        ("+7", 7),
        ("1.50", Decimal("1.50")),
        ("-0.5", Decimal("-0.5")),
        (".25", Decimal(".25")),
        ("+3.0", Decimal("3.0")),
        ("2026-01-31", datetime.date(2026, 1, 31)),
        ("2024-02-29", datetime.date(2024, 2, 29)),
        ("yes", "yes"),
        ("no", "no"),
        ("NO", "NO"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("n", "n"),
        ("nul", "nul"),
        ("007", "007"),
        ("1_000", "1_000"),
        ("1:30", "1:30"),
        ("0x1F", "0x1F"),
        ("0o7", "0o7"),
        ("1e3", "1e3"),
        ("1.5e3", "1.5e3"),
        (".inf", ".inf"),
        ("-.inf", "-.inf"),
        (".nan", ".nan"),
        ("1.", "1."),
        ("1,000", "1,000"),
        ("3.5%", "3.5%"),
        ("٣", "٣"),
        ("2026-01-31T08:00:00", "2026-01-31T08:00:00"),
        ("2026-01-31 08:00", "2026-01-31 08:00"),
        ("2026-1-31", "2026-1-31"),
        ("基本工资", "基本工资"),
        ("a b  c", "a b  c"),
    ],
)
def test_plain_scalar_types(text: str, expected: Any) -> None:
    """A plain scalar becomes None, bool, int, Decimal, date or str by the reader's own rules."""
    value = read(f"v: {text}\n").data["v"]
    assert type(value) is type(expected)
    assert value == expected
    if isinstance(expected, Decimal):
        assert str(value) == str(expected)


@pytest.mark.parametrize(
    "text",
    ["'1.5'", '"42"', "'true'", '"null"', "''", "'2026-01-31'", '"~"', "'2026-02-30'"],
)
def test_quoted_scalars_are_text(text: str) -> None:
    """A quoted scalar is always text, whatever it looks like."""
    value = read(f"v: {text}\n").data["v"]
    assert value == text[1:-1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("|\n  42\n", "42\n"), (">\n  true\n  false\n", "true false\n"), ("|-\n  ~\n", "~")],
)
def test_block_scalars_are_text(text: str, expected: str) -> None:
    """A literal or folded block scalar is always text."""
    assert read(f"v: {text}").data["v"] == expected


def test_keys_are_always_text() -> None:
    """Keys are the text of the key, whatever it looks like."""
    doc = read("1: a\n2026-01-01: b\ntrue: c\n~: d\n1.5: e\n'q': f\nno: g\n2026-02-30: h\n")
    assert list(doc.data) == ["1", "2026-01-01", "true", "~", "1.5", "q", "no", "2026-02-30"]


def test_huge_integer_is_refused_not_crashed() -> None:
    """An integer longer than the exact-arithmetic precision is an error, not a crash."""
    [problem] = problems_of("a: " + "9" * 5000 + "\n")
    assert where(problem) == ("too-many-digits", "/a", 1, 4)


def test_34_digits_are_exact() -> None:
    """A number with 34 significant digits (the arithmetic precision) is read exactly."""
    text = "1234567890.123456789012345678901234"
    assert read(f"a: {text}\n").data["a"] == Decimal(text)


# --- positions --------------------------------------------------------------------------

NESTED = """\
id: 加班费
rules:
  - id: 工作日
    rate: 1.5
    津贴: {夜班: 30, 'a/b~c': [x, 2026-03-01]}
  -
    id: "周末"
empty:
"""


def test_positions_of_values() -> None:
    """Every value's pointer maps to where the value starts, counted in characters."""
    doc = read(NESTED)
    assert dict(doc.positions) == {
        "": Position(1, 1),
        "/id": Position(1, 5),
        "/rules": Position(3, 3),
        "/rules/0": Position(3, 5),
        "/rules/0/id": Position(3, 9),
        "/rules/0/rate": Position(4, 11),
        "/rules/0/津贴": Position(5, 9),
        "/rules/0/津贴/夜班": Position(5, 14),
        "/rules/0/津贴/a~1b~0c": Position(5, 27),
        "/rules/0/津贴/a~1b~0c/0": Position(5, 28),
        "/rules/0/津贴/a~1b~0c/1": Position(5, 31),
        "/rules/1": Position(7, 5),
        "/rules/1/id": Position(7, 9),
        "/empty": Position(8, 7),
    }


def test_positions_of_keys() -> None:
    """Every mapping member's pointer maps to where its key starts."""
    doc = read(NESTED)
    assert dict(doc.key_positions) == {
        "/id": Position(1, 1),
        "/rules": Position(2, 1),
        "/rules/0/id": Position(3, 5),
        "/rules/0/rate": Position(4, 5),
        "/rules/0/津贴": Position(5, 5),
        "/rules/0/津贴/夜班": Position(5, 10),
        "/rules/0/津贴/a~1b~0c": Position(5, 18),
        "/rules/1/id": Position(7, 5),
        "/empty": Position(8, 1),
    }
    assert doc.data["rules"][0]["津贴"] == {"夜班": 30, "a/b~c": ["x", datetime.date(2026, 3, 1)]}


def test_locate_uses_nearest_ancestor() -> None:
    """locate() gives a pointer's position, or its nearest ancestor's, keeping the asked pointer."""
    doc = read(NESTED)
    found = doc.locate("/rules/1/formula")
    assert (found.file, found.line, found.column, found.pointer) == (
        "policy.yaml",
        7,
        5,
        "/rules/1/formula",
    )
    assert (doc.locate("/rules/0/rate").line, doc.locate("/rules/0/rate").column) == (4, 11)
    assert doc.locate("/nothing/here").line == 1


def test_locate_key_prefers_key_position() -> None:
    """locate(key=True) gives where the key starts, and falls back to the value map."""
    doc = read(NESTED)
    assert (doc.locate("/rules/0/rate", key=True).column) == 5
    assert (doc.locate("/rules/0", key=True).line, doc.locate("/rules/0", key=True).column) == (
        3,
        5,
    )


def test_document_is_frozen() -> None:
    """The document and its position maps cannot be changed after reading."""
    doc = read("a: 1\n")
    with pytest.raises(AttributeError):
        doc.file = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        doc.positions["/b"] = Position(1, 1)  # type: ignore[index]


# --- properties -------------------------------------------------------------------------

SAFE_PLAIN = re.compile(r"[A-Za-z_\u4e00-\u9fff][A-Za-z0-9_\u4e00-\u9fff]*")
RESERVED = {"true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL"}
# Characters a YAML double-quoted scalar must not hold raw: line breaks the
# scanner folds, controls the reader refuses, and non-characters.
MUST_ESCAPE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def quoted(text: str) -> str:
    body = json.dumps(text, ensure_ascii=False)
    return MUST_ESCAPE.sub(lambda m: f"\\u{ord(m[0]):04x}", body)


def key_text(key: str) -> str:
    return key if SAFE_PLAIN.fullmatch(key) else quoted(key)


def scalar_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return text if SAFE_PLAIN.fullmatch(text) and text not in RESERVED else quoted(text)


def emit(value: Any, indent: int = 0) -> list[str]:
    """Block-style YAML lines for a non-empty dict or list."""
    pad = " " * indent
    lines = []
    if isinstance(value, dict):
        items = [(f"{pad}{key_text(key)}:", item) for key, item in value.items()]
    else:
        items = [(f"{pad}-", item) for item in value]
    for head, item in items:
        if isinstance(item, dict | list) and item:
            lines.append(head)
            lines.extend(emit(item, indent + 2))
        elif isinstance(item, dict | list):
            lines.append(f"{head} {'{}' if isinstance(item, dict) else '[]'}")
        else:
            lines.append(f"{head} {scalar_text(item)}")
    return lines


def pointers(value: Any, here: str = "") -> tuple[set[str], set[str]]:
    """The pointers of every value, and of every mapping member, in ``value``."""
    values, members = {here}, set()
    if isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for step, item in items:
            below = f"{here}/{str(step).replace('~', '~0').replace('/', '~1')}"
            if isinstance(value, dict):
                members.add(below)
            inner_values, inner_members = pointers(item, below)
            values |= inner_values
            members |= inner_members
    return values, members


def same(left: Any, right: Any) -> bool:
    """Equal values of the same types (so 1 == True or Decimal('1') == 1 do not pass)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(same(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(same, left, right))
    if isinstance(left, Decimal):
        return str(left) == str(right)
    return bool(left == right)


keys = st.one_of(
    st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True),
    st.text(alphabet="工资加班费规则基本津贴夜班周末提成", min_size=1, max_size=6),
    st.text(alphabet="ab~/ .:-#'\"工1", min_size=1, max_size=8),
)
texts = st.one_of(
    st.sampled_from(["yes", "no", "true", "null", "~", "007", "1.5", "3.5%", "2026-02-30", ""]),
    # Clean text only: unclean characters (core/_display.unclean) are refused by design,
    # which tests/test_clean_text.py covers.
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20).filter(
        lambda text: unclean(text) is None
    ),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.integers(min_value=1, max_value=4).flatmap(
        lambda places: st.decimals(
            places=places, min_value=-(10**9), max_value=10**9, allow_nan=False
        )
    ),
    st.dates(),
    texts,
)
trees = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, trees, min_size=1, max_size=5))
def test_emitted_yaml_reads_back_equal(data: dict[str, Any]) -> None:
    """Generated data written as YAML reads back equal, with every value and key located."""
    text = "\n".join(emit(data)) + "\n"
    doc = read(text)
    assert same(doc.data, data)
    values, members = pointers(data)
    assert set(doc.positions) == values
    assert set(doc.key_positions) == members
    lines = text.split("\n")
    for pointer, at in doc.key_positions.items():
        key = pointer.rpartition("/")[2].replace("~1", "/").replace("~0", "~")
        assert lines[at.line - 1][at.column - 1 :].startswith(key_text(key))


YAMLISH = st.text(alphabet="[]{}:,-?&*!|>'\"#%@` \n\t\r~.ab1工", max_size=60)


@settings(max_examples=500, deadline=None)
@given(st.one_of(YAMLISH, st.binary(max_size=60).map(lambda b: b.decode("latin-1"))))
def test_any_text_gives_document_or_located_problems(text: str) -> None:
    """Whatever the text, the reader returns a Document or raises InvalidPolicy, nothing else."""
    try:
        doc = read(text)
    except InvalidPolicy as error:
        checked(error, "policy.yaml")
    else:
        assert isinstance(doc.data, dict)
        assert "" in doc.positions


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=80))
def test_any_bytes_give_document_or_located_problems(raw: bytes) -> None:
    """Whatever the bytes, the reader returns a Document or raises InvalidPolicy, nothing else."""
    try:
        read(raw)
    except InvalidPolicy as error:
        checked(error, "policy.yaml")
