"""Cells written to a CSV or a workbook: text is never a formula, numbers stay numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from policyengine.present._cells import FORMULA_STARTS, csv_cell, csv_text, csv_text_back
from policyengine.present._output_csv import csv_bytes
from policyengine.present._output_xlsx import xlsx_bytes
from policyengine.present._report import Column, Report, Table

#: Text a cell may hold: any character XML can carry (a workbook cannot hold control
#: characters, and reads a carriage return back as a line break), often formula-like.
CELL_TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20),
    st.builds(
        str.__add__,
        st.sampled_from([*sorted(FORMULA_STARTS - {"\r", "\t"}), "'", "\t"]),
        st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20),
    ),
)


def _report(columns: list[Column], rows: list[tuple[object, ...]]) -> Report:
    pay = Table("工资表 Pay", tuple(columns), tuple(rows))
    return Report("2026-01", "rep", pay, (), Table("错误 Errors", (), ()), {})


def _workbook(report: Report) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(xlsx_bytes(report)))


def _csv_rows(report: Report) -> list[list[str]]:
    return list(csv.reader(io.StringIO(csv_bytes(report).decode("utf-8-sig"), newline="")))


@settings(max_examples=60, deadline=None)
@given(text=CELL_TEXT, title=CELL_TEXT)
def test_any_text_reads_back_as_itself_and_never_as_a_formula(text: str, title: str) -> None:
    """Any text in a value or a header reads back from the CSV (its mark taken off) and from
    the workbook as the same text, and the workbook never holds it as a formula."""
    report = _report([Column("rep.note", title)], [(text,)])
    header, row = _csv_rows(report)
    assert csv_text_back(row[0]) == text
    assert row[0][:1] not in FORMULA_STARTS
    assert header[0][:1] not in FORMULA_STARTS
    sheet = _workbook(report)["工资表 Pay"]
    for cell, expected in ((sheet.cell(1, 1), title), (sheet.cell(3, 1), text)):
        if expected:
            assert (cell.value, cell.data_type) == (expected, "s")


def test_a_list_value_is_never_a_live_formula() -> None:
    """A list value whose first item starts with '=' is a text cell in the workbook and a
    marked cell in the CSV (it used to be a live =HYPERLINK formula)."""
    link = '=HYPERLINK("http://example.invalid","点击")'
    report = _report([Column("rep.tags", "标签")], [((link, "x"),)])
    cell = _workbook(report)["工资表 Pay"].cell(3, 1)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (f"{link}, x", "s", True)
    assert _csv_rows(report)[1] == [f"'{link}, x"]


def test_csv_headers_from_a_policy_are_neutralised() -> None:
    """A rule's title starting with '=' or a full-width '＝' is marked in the CSV header."""
    report = _report([Column("pay.a", "=1+1"), Column("pay.b", "＝SUM(A1)")], [("x", "y")])
    assert _csv_rows(report)[0] == ["'=1+1（pay.a）", "'＝SUM(A1)（pay.b）"]


def test_negative_amounts_stay_numbers() -> None:
    """A negative amount is written as its digits, not as text behind a mark: in the
    workbook, a number cell."""
    assert csv_cell(Decimal("-12.50")) == "-12.50"
    assert csv_cell(-3) == "-3"
    assert csv_cell("-3") == "'-3"
    report = _report([Column("pay.x", "x")], [(Decimal("-12.50"),)])
    assert _csv_rows(report)[1] == ["-12.50"]
    cell = _workbook(report)["工资表 Pay"].cell(3, 1)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (-12.5, "n", False)


def test_text_starting_with_an_apostrophe_is_unambiguous() -> None:
    """Text that starts with an apostrophe gets one more, so the mark always comes off."""
    assert csv_text("'abc") == "''abc"
    assert csv_text_back(csv_text("'abc")) == "'abc"
    assert csv_text("abc") == "abc"
