"""A row a reader could not read whole is refused alone, and said in every language.

The reader keeps the problem in the record (its code, field and English message, under
``UNREADABLE``): that mark is part of the month's stored inputs, so its English must
stay what it was, to the letter, for recorded months to replay. The error is made again
from the template whose English gives that text, so that it is said in Chinese too; a
text no template gives (written by another version) is kept as it is.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from policyengine.core._template import words_in
from policyengine.facts._file import row_problem, unreadable_errors

HINT = "correct the row in the file; the rest of the month is evaluated"
_CHINESE = re.compile(r"[\u4e00-\u9fff]")

#: Each reader's problem, made now, and the English it was written in before it had a
#: template (the stored text a recorded month holds).
PROBLEMS = [
    (
        row_problem("ragged-row", "row", cells=6, columns=5),
        "the row has 6 cells but the header has 5",
    ),
    (
        row_problem("ragged-row", "no-header", value=repr("多余"), column=7),
        "a value ('多余') in column 7, which has no header: name the column in the header "
        "row, or clear the cell",
    ),
    (
        row_problem("invalid-csv", "row", csv_problem="field larger than field limit (131072)"),
        "not valid CSV: field larger than field limit (131072)",
    ),
    (
        row_problem("not-utf8", "cell", "dials"),
        "the cell holds bytes that are not UTF-8 text",
    ),
    (
        row_problem("float-not-allowed", "cell", "sales", value=repr(0.1 + 0.2)),
        "the cell holds the number 0.30000000000000004, which Excel keeps as a binary float: "
        "it cannot carry an exact value here (format the column as Text and type it again, "
        "or save the sheet as CSV UTF-8)",
    ),
    (
        row_problem("unreadable-facts", "formula", "sales"),
        "the cell holds a formula without a saved result: open and save the workbook in "
        "Excel, or paste the values",
    ),
]


def test_each_problem_keeps_the_english_it_was_stored_in() -> None:
    assert [problem["message"] for problem, _ in PROBLEMS] == [old for _, old in PROBLEMS]
    assert PROBLEMS[3][0]["field"] == "dials"


def test_each_stored_problem_is_said_in_chinese_with_the_same_english() -> None:
    stored = [{"code": p["code"], "message": old, **_field(p)} for p, old in PROBLEMS]
    errors = unreadable_errors(stored, "A02")
    assert [(e.code, e.message, e.hint) for e in errors] == [
        (p["code"], old, HINT) for p, old in PROBLEMS
    ]
    chinese = [e.translated("zh") for e in errors]
    assert [c.message for c in chinese if not _CHINESE.search(c.message)] == []
    assert {c.hint for c in chinese} == {"请在文件里改正这一行；本月其余的记录照常计算"}
    # Python's own words for a row it cannot read are said too
    assert chinese[2].message == "不是有效的 CSV：单元格超过了 131072 个字符的上限"
    assert [e.location.field for e in errors] == [_field(p).get("field") for p, _ in PROBLEMS]


def test_a_text_no_template_gives_is_kept_as_it_is() -> None:
    """A mark written by another version (or by hand) keeps its words, code and hint;
    an unknown code is ``unreadable-facts``."""
    stored = [
        {"code": "ragged-row", "message": "short"},
        {"code": "no-such-code", "message": "odd"},
        {"message": "the row has many cells but the header has 5"},
    ]
    errors = unreadable_errors(stored, 4)
    assert [(e.code, e.message, e.hint) for e in errors] == [
        ("ragged-row", "short", HINT),
        ("unreadable-facts", "odd", HINT),
        ("unreadable-facts", "the row has many cells but the header has 5", HINT),
    ]
    assert errors[0].translated("zh").message == "short"


def _field(problem: dict[str, str]) -> dict[str, str]:
    return {"field": problem["field"]} if "field" in problem else {}


TEMPLATES = st.lists(
    st.one_of(
        st.text(alphabet="ab {}()'", max_size=4).map(lambda t: t.replace("{", "").replace("}", "")),
        st.sampled_from(["{x}", "{y}", "{x}"]),
    ),
    max_size=6,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEMPLATES, st.text(max_size=5), st.text(max_size=5))
def test_words_read_back_from_a_text_say_it_again(template: str, x: str, y: str) -> None:
    """Whatever filled a template, the words read back from its text fill it to the same
    text (they may split it otherwise where the words look like the template's text)."""
    text = template.format(x=x, y=y)
    words = words_in(template, text)
    assert words is not None
    assert template.format(**{"x": "", "y": "", **words}) == text


def test_a_text_the_template_cannot_give_has_no_words() -> None:
    template = "the row has {cells} cells but the header has {columns}"
    assert words_in(template, "the row has 6 cells but the header has 5") == {
        "cells": "6",
        "columns": "5",
    }
    assert words_in(template, "the row has 6 cells but the sheet has 5") is None
    assert words_in("{a} and {a}", "x and y") is None  # one name, one value
    assert words_in("{value!r}", "'x'") is None  # a converted value is not read back


def test_a_file_of_too_many_bad_rows_is_refused_in_both_languages() -> None:
    """Past 1,000 rows refused alone, the file is refused with the first one's error and
    the count of the rest: the same English as ever, and Chinese around the first row's
    own words."""
    import pytest

    from policyengine.errors import FactsFileError
    from policyengine.facts._file import BadRows

    bad = BadRows("rep.csv")
    for line in range(2, 1004):
        bad.add(line, row_problem("ragged-row", "row", cells=3, columns=5))
    with pytest.raises(FactsFileError) as refused:
        bad.check()
    error = refused.value
    assert (error.code, error.location.line, error.details["bad_rows"]) == ("ragged-row", 2, 1002)
    assert error.message == (
        "the row has 3 cells but the header has 5 (and 1,001 more rows that cannot be "
        "read: over 1,000, so the file is refused)"
    )
    assert error.hint == (
        "check that it is the right file, saved as CSV UTF-8 or an Excel workbook"
    )
    chinese = error.translated("zh")
    assert chinese.message == (
        "这一行有 3 格，但表头有 5 列（另外还有 1,001 行无法读取：超过 1,000 行，整个文件不予读取）"
    )
    assert chinese.hint == "请确认文件没有选错，并保存为 CSV UTF-8 或 Excel 工作簿"
