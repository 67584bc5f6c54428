"""Text from outside is clean, names are written as they are read, and nothing unclean is shown raw.

One rule (``core/_display.unclean``) says which characters no text may hold:
C0 controls but tab and line breaks, DEL, C1, bidi controls, zero-width
characters, lone surrogates and non-characters. It holds after YAML has read
its escapes, in policy files, entities.yaml, the lock and facts alike.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import policyengine
from policyengine.cli._main import main
from policyengine.core._display import (
    UNCLEAN_LINE,
    UNCLEAN_TEXT,
    character_name,
    safe_text,
    short_text,
    show_value,
    unclean,
)
from policyengine.entities import load_entities
from policyengine.errors import FactError, InvalidPolicy, Location, ModelError, PolicyError
from policyengine.facts._canonical import encode
from policyengine.facts._records import coerce_record
from policyengine.facts._values import coerce_value
from policyengine.load._lock import read_lock
from policyengine.model import Field

BAD = Path(__file__).parent / "fixtures" / "policies" / "bad"
STANDALONE = Path(__file__).parent.parent / "examples" / "standalone" / "policies"

#: One of each kind of unclean character.
UNCLEAN = [
    "\x00", "\x08", "\x0b", "\x1b", "\x7f", "\x85", "\x9f",  # C0, DEL, C1
    "\u061c", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069",  # bidi
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff",  # zero-width
    "\ud800", "\udfff",  # lone surrogates
    "\ufdd0", "\ufffe", "\uffff", "\U0001fffe", "\U0010ffff",  # non-characters
]  # fmt: skip
#: Text that must stay allowed: Chinese, full-width punctuation, emoji, accents.
CLEAN = ["佣金", "电话营销（超额累进）", "a b", "€ 1,234.50", "é", "😀", "\u3000", "\u00a0"]


@pytest.mark.parametrize("character", UNCLEAN)
def test_each_unclean_character_is_found_and_named(character: str) -> None:
    """Every kind of unclean character is found wherever it is, and named as U+XXXX."""
    found = unclean(f"ab{character}c")
    assert found is not None and found.start() == 2
    assert character_name(character).startswith(f"U+{ord(character):04X} (")


@pytest.mark.parametrize("text", CLEAN)
def test_ordinary_text_is_clean(text: str) -> None:
    assert unclean(text) is None and unclean(text, lines=False) is None


def test_tab_and_line_breaks_only_where_text_spans_lines() -> None:
    """Tab, LF and CR are allowed in text of several lines, never in one line (a name)."""
    for character in "\t\n\r":
        assert unclean(f"a{character}b") is None
        assert unclean(f"a{character}b", lines=False) is not None


def test_no_unclean_character_is_printable() -> None:
    """``unclean`` clears printable text without searching it: that holds for every code
    point (controls, format characters, surrogates and non-characters are not printable)."""
    everything = "".join(map(chr, range(0x110000)))
    found = [m[0] for m in UNCLEAN_TEXT.finditer(everything)]
    assert len(found) > 2_000 and not any(c.isprintable() for c in found)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_the_rule_is_the_listed_categories(text: str) -> None:
    """A character is unclean exactly when it is a control (but tab and line breaks), a
    listed format character, a surrogate or a non-character."""
    listed = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    listed |= set("\u200b\u200c\u200d\u2060\ufeff")

    def refused(c: str) -> bool:
        category = unicodedata.category(c)
        non_character = 0xFDD0 <= ord(c) <= 0xFDEF or ord(c) & 0xFFFE == 0xFFFE
        return (
            (category == "Cc" and c not in "\t\n\r")
            or category == "Cs"
            or (c in listed or non_character)
        )

    assert (unclean(text) is None) == (not any(refused(c) for c in text))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_shown_text_holds_nothing_unclean_and_keeps_the_rest(text: str) -> None:
    """Shown text has every unclean character written as an escape; clean text is unchanged."""
    shown = safe_text(text)
    assert UNCLEAN_LINE.search(shown) is None
    assert UNCLEAN_TEXT.search(safe_text(text, lines=True)) is None
    if UNCLEAN_LINE.search(text) is None:
        assert shown == text


def test_escapes_are_shown_as_written_in_python_and_yaml() -> None:
    assert safe_text("\x1b[31mred\u202e\U0010ffff") == "\\x1b[31mred\\u202e\\U0010ffff"
    assert safe_text("a\nb") == "a\\x0ab" and safe_text("a\nb", lines=True) == "a\nb"


def test_tables_explanations_and_errors_show_unclean_text_escaped() -> None:
    """A table cell, an explanation value and an error's text never carry an escape sequence."""
    assert short_text("\x1b[2J", "-") == "\\x1b[2J"
    assert short_text(("a", "\u202eb"), "-") == "a,\\u202eb"
    assert show_value(["\x1b]0;title\x07"]) == "[\\x1b]0;title\\x07]"
    error = FactError("found '\x1b[31m'", hint="no \u202e")
    assert "\x1b" not in error.render() and "\u202e" not in error.render()
    assert "\\x1b[31m" in str(error)


# --- policy files: after YAML's escapes ---------------------------------------------

# fixture file -> (code, JSON pointer, line)
CASES = {
    "escaped-control-in-title.yaml": ("control-character", "/title", 5),
    "escaped-surrogate-in-description.yaml": ("control-character", "/rules/0/description", 11),
    "zero-width-in-parameter-name.yaml": ("control-character", "/parameters/rate\u200b", 9),
    "bidi-in-enum-value.yaml": ("control-character", "/inputs/role/values/1", 8),
    "escape-in-string-literal.yaml": ("control-character", "/rules/0/expr", 12),
    "full-width-input-name.yaml": ("name-not-normalized", "/inputs/ｓａｌａｒｙ", 7),
    "full-width-name-in-expression.yaml": ("name-not-normalized", "/rules/0/expr", 11),
    "full-width-output-name.yaml": ("name-not-normalized", "/rules/0", 9),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_unclean_text_or_name_is_located(name: str) -> None:
    """Each fixture gives its code at its pointer and line, and nothing else."""
    problems = policyengine.check_policy(BAD / name)
    found = [(p.code, p.location.pointer, p.location.line) for p in problems]
    assert found == [CASES[name]]
    assert problems[0].location.file == str(BAD / name)


def test_an_escaped_character_is_named_with_a_hint() -> None:
    [problem] = policyengine.check_policy(BAD / "escaped-control-in-title.yaml")
    assert problem.details["character"] == "U+001B"
    assert problem.hint is not None and "escape" in problem.hint


def test_the_normal_form_to_write_is_named() -> None:
    """The message of a full-width name names the form an expression would read."""
    [problem] = policyengine.check_policy(BAD / "full-width-name-in-expression.yaml")
    assert "'sales'" in problem.message and "ｓａｌｅｓ" in problem.message


def test_a_surrogate_never_reaches_the_model(tmp_path: Path) -> None:
    """A lone surrogate (which no UTF-8 writer accepts) is refused at load, in any string."""
    text = (BAD / "escaped-surrogate-in-description.yaml").read_text("utf-8")
    path = tmp_path / "p.yaml"
    path.write_text(text.replace("title: t", 'title: "t\\udfff"'), encoding="utf-8")
    with pytest.raises(InvalidPolicy) as caught:
        policyengine.load_policy(path)
    assert {p.code for p in caught.value.problems} == {"control-character"}
    assert len(caught.value.problems) == 2


def test_raw_bidi_in_a_comment_is_refused(tmp_path: Path) -> None:
    """Written raw, a bidi control is refused anywhere, comments included (Trojan Source)."""
    path = tmp_path / "p.yaml"
    good = (BAD / "full-width-input-name.yaml").read_text("utf-8").replace("ｓａｌａｒｙ", "salary")
    path.write_text(good + "# \u202e comment\n", encoding="utf-8")
    with pytest.raises(InvalidPolicy) as caught:
        policyengine.load_policy(path)
    [problem] = caught.value.problems
    assert (problem.code, problem.location.line, problem.location.column) == (
        "control-character",
        good.count("\n") + 1,
        3,
    )


def test_a_bom_inside_the_file_is_refused_but_a_leading_one_is_not(tmp_path: Path) -> None:
    good = (BAD / "full-width-input-name.yaml").read_text("utf-8").replace("ｓａｌａｒｙ", "salary")
    path = tmp_path / "p.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + good.encode())
    assert policyengine.check_policy(path) == []
    path.write_text(good.replace("title: t", "title: t\ufeff"), encoding="utf-8")
    assert [p.code for p in policyengine.check_policy(path)] == ["control-character"]


def test_a_full_width_kind_or_field_in_entities_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "entities.yaml"
    path.write_text(
        "format: 1\nkinds:\n  rep:\n    key: rep_id\n    fields:\n"
        "      rep_id: string\n      ｓａｌａｒｙ: money\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidPolicy) as caught:
        load_entities(path)
    [problem] = caught.value.problems
    assert isinstance(problem, ModelError)
    assert (problem.code, problem.location.line) == ("name-not-normalized", 7)


def test_a_function_or_an_attribute_written_full_width_is_refused() -> None:
    from policyengine.language._expressions import compile_expression

    for text in ("ｍａｘ(1, 2)", "rep.ｓａｌｅｓ", "销售额 + ｒａｔｅ"):
        with pytest.raises(PolicyError) as caught:
            compile_expression(text)
        assert caught.value.code == "name-not-normalized"
    assert compile_expression("销售额 * 提成比例").names == {"销售额", "提成比例"}


# --- facts --------------------------------------------------------------------------


@pytest.mark.parametrize("character", ["\x1b", "\u202e", "\u200b", "\ud800", "\x85"])
def test_fact_text_with_an_unclean_character_is_refused(character: str) -> None:
    """A string, an enum value and a list item are refused alike, naming the character."""
    fields = [
        Field("name", "string"),
        Field("role", "enum", ("rep", "leader")),
        Field("tags", "list", item_type="string"),
    ]
    values: list[object] = ["A" + character, "rep" + character, ["ok", character]]
    for field, value in zip(fields, values, strict=True):
        with pytest.raises(FactError) as caught:
            coerce_value(value, field)
        assert caught.value.code == "control-character"
        assert f"U+{ord(character):04X}" in caught.value.message


def test_fact_text_may_span_lines() -> None:
    assert coerce_value("line one\nline two\tend", Field("note", "string")) == (
        "line one\nline two\tend"
    )


def test_a_record_with_unclean_text_names_the_field() -> None:
    fields = {"rep_id": Field("rep_id", "string"), "name": Field("name", "string")}
    with pytest.raises(PolicyError) as caught:
        coerce_record(fields, {"rep_id": "R1", "name": "\x1b[2J"}, "R1")
    problems = getattr(caught.value, "problems", (caught.value,))
    assert [(p.code, p.location.field) for p in problems] == [("control-character", "name")]


# --- the lock -----------------------------------------------------------------------


def test_a_lock_field_with_an_unclean_character_is_refused(tmp_path: Path) -> None:
    """Written raw or as a %XX escape, an unclean character in a lock field is refused."""
    sha = "sha256:" + "0" * 64
    for field in ("c%1Bx", "c\u202ex"):
        lock = tmp_path / "policies.lock"
        lock.write_text(f"c/1.yaml  {field}  1  2026-01-01  {sha}\n", encoding="utf-8")
        with pytest.raises(InvalidPolicy) as caught:
            read_lock(lock)
        [problem] = caught.value.problems
        assert (problem.code, problem.location.line, problem.location.column) == (
            "lock-syntax",
            1,
            11,
        )


# --- what is written and printed ----------------------------------------------------


def test_error_data_holds_no_unclean_text_and_always_encodes() -> None:
    """An error's data (written as JSON, kept in ledgers) has unclean characters escaped."""
    error = FactError(
        "found 'A\ud800'",
        code="not-text",
        location=Location(record="A\ud800", field="x\u202e"),
        hint="no \x1b",
        details={"value": "\x1b[2J", "items": ["\u200b"]},
    )
    text = json.dumps(error.to_dict(), ensure_ascii=False)
    assert unclean(text) is None
    text.encode("utf-8")
    assert error.to_dict()["location"] == {"record": "A\\ud800", "field": "x\\u202e"}


def test_canonical_json_writes_a_lone_surrogate_as_its_json_escape() -> None:
    """A refused record's value is kept as given in a month's inputs: a lone surrogate is
    written as JSON's escape of it, which reads back the same; other text is unchanged."""
    assert encode({"a": "x\ud800", "b": "佣金"}) == '{"a":"x\\ud800","b":"佣金"}'.encode()
    assert json.loads(encode({"a": "x\ud800"})) == {"a": "x\ud800"}


@pytest.mark.parametrize("suffix", [".json", ".csv", ".xlsx"])
def test_a_month_with_unclean_fact_text_runs_and_writes(
    suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A lone surrogate, an escape and a bidi control in facts make their records' errors:
    the month is written, recorded in a ledger, and nothing printed holds them raw."""
    record = {"credited_sales": "100", "self_sourced_sales": "0", "dials": 700}
    records = [
        {"rep_id": "A01", **record, "talk_minutes": 1600},
        {"rep_id": "A\ud800", **record, "talk_minutes": 1600},
        {"rep_id": "A\x1b[31m", **record, "talk_minutes": 1600},
        {"rep_id": "A04", **record, "talk_minutes": 1600, "note\u202e": "x"},
    ]
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({"rep": records}), encoding="utf-8")
    out, ledger = tmp_path / f"result{suffix}", tmp_path / "ledger.db"
    args = ["run", "--policies", str(STANDALONE), "--period", "2026-03", "--facts", str(facts)]
    code = main([*args, "--out", str(out), "--ledger", str(ledger), "--new-ledger"])
    printed, errors = capsys.readouterr()
    assert code == 2 and out.exists()
    for text in (printed, errors):
        assert unclean(text) is None
        text.encode("utf-8")
    assert "U+D800" in errors and "U+001B" in errors and "note\\u202e" in errors
    if suffix == ".json":
        written = out.read_text(encoding="utf-8")
        assert unclean(written) is None
