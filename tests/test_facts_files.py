"""Facts files as an HR office's Excel writes them, and bounded: encodings detected, number
cells read exactly, a bad row spoiling that record alone, and every size limited."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import policyengine
from policyengine.errors import FactError, FactsFileError
from policyengine.facts import _file
from policyengine.facts import _io as facts_io
from policyengine.facts._io import read_facts
from policyengine.facts._records import InvalidRecord, coerce_record
from policyengine.month import MonthFacts

ROOT = Path(__file__).parent.parent
FILES = ROOT / "tests" / "fixtures" / "facts_files"
CENTRE = ROOT / "tests" / "fixtures" / "centre"
#: The rep fields the fixture files hold.
HELD = ("rep_id", "name", "base_salary", "satisfaction")


def rep_fields() -> dict[str, Any]:
    entities = policyengine.load(CENTRE).entities
    assert entities is not None
    return {n: f for n, f in entities.kinds["rep"].fields.items() if n in HELD}


def problems(record: dict[str, Any], label: str) -> list[tuple[str, str | None]]:
    """The (code, field) of every problem checking ``record`` finds; [] when it is good."""
    try:
        coerce_record(rep_fields(), record, label)
    except InvalidRecord as exc:
        return [(p.code, p.location.field) for p in exc.problems]
    except FactError as exc:
        return [(exc.code, exc.location.field)]
    return []


def problems_by_row(read: Any) -> dict[tuple[str, int], list[tuple[str, str | None]]]:
    """The problems of each record a file read gives, by its key and line."""
    return {
        (record["rep_id"], line): problems(record, record["rep_id"])
        for record, line in zip(read.records, read.lines, strict=True)
    }


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("rep_gbk.csv", "GB18030"),
        ("rep_gb18030_bom.csv", "GB18030"),
        ("rep_utf16.csv", "UTF-16"),
    ],
)
def test_a_csv_saved_by_chinese_excel_is_read_and_its_encoding_named(
    name: str, encoding: str
) -> None:
    """A CSV in GBK, in GB18030 with its BOM, or in UTF-16 is read in its encoding (the
    header's titles map onto the fields), and the file says which encoding it was."""
    read = read_facts(FILES / name, rep_fields())
    assert read.encoding == encoding
    assert read.records == (
        {"rep_id": "A01", "name": "张三", "base_salary": "3000.50", "satisfaction": "87.5"},
        {"rep_id": "A02", "name": "李四", "base_salary": "4200", "satisfaction": "90"},
    )
    assert read.lines == (2, 3)
    notices = MonthFacts({"rep": read}).notices
    assert notices == (f"note: {FILES / name} is not UTF-8; it was read as {encoding}",)


def test_a_utf8_csv_takes_no_notice() -> None:
    """A UTF-8 file is read the quick way, with no encoding to report."""
    path = FILES / "rep_gbk.csv"
    text = path.read_bytes().decode("gbk")
    assert MonthFacts({"rep": _read_text(text)}).notices == ()


def _read_text(text: str) -> Any:
    from policyengine.facts._csv import READER

    return READER.read("rep.csv", text.encode("utf-8"), rep_fields())


def test_a_malformed_csv_row_is_that_records_error_and_the_rest_is_read() -> None:
    """A row with a cell too many (line 3), one with bytes that are not UTF-8 (line 4, the
    name) and one with a cell too few (line 5) are each their record's error; the rows
    around them are read as usual."""
    read = read_facts(FILES / "rep_malformed.csv", rep_fields())
    assert read.encoding is None
    assert read.lines == (2, 3, 4, 5, 6)
    found = problems_by_row(read)
    assert found == {
        ("A01", 2): [],
        ("A02", 3): [("ragged-row", None)],
        ("A03", 4): [("not-utf8", "name")],
        ("A04", 5): [("ragged-row", None)],
        ("A05", 6): [],
    }


def test_an_xlsx_money_cell_is_read_as_the_number_it_shows() -> None:
    """Float money cells are read as their shortest decimal form; one with more places than
    money has (row 3, column C) is that record's too-many-decimals, and a fractional number
    in a text column (row 4, column B) is float-not-allowed; the others are good."""
    read = read_facts(FILES / "rep_floats.xlsx", rep_fields())
    assert read.sheet == "数据"
    assert read.records[3]["base_salary"] == Decimal("148912.42")
    assert read.records[0]["base_salary"] == Decimal("3000.5")
    found = problems_by_row(read)
    assert found == {
        ("A01", 2): [],
        ("A02", 3): [("too-many-decimals", "base_salary")],
        ("A03", 4): [("float-not-allowed", "name")],
        ("A04", 5): [],
    }
    assert (read.columns["base_salary"], read.columns["name"]) == (3, 2)


def _workbook(tmp_path: Path, *, hidden_first: bool = False, merge: str = "") -> Path:
    """A workbook of three reps (with, before it, a hidden sheet of stale ones, or cells
    merged over ``merge``)."""
    book = openpyxl.Workbook()
    sheet = book.active
    if hidden_first:
        sheet.title, sheet.sheet_state = "旧", "hidden"
        sheet.append(["rep_id", "name", "base_salary", "satisfaction"])
        sheet.append(["A01", "甲", 9000, 90])
        sheet = book.create_sheet("当月")
        book.active = 1
    sheet.append(["rep_id", "name", "base_salary", "satisfaction"])
    for rep_id, salary in (("A01", 3000), ("A02", 3100), ("A03", 3200)):
        sheet.append([rep_id, "乙", salary, 90])
    if merge:
        sheet.merge_cells(merge)
    path = tmp_path / "rep.xlsx"
    book.save(path)
    return path


def test_a_hidden_first_sheet_is_refused_not_read_unseen(tmp_path: Path) -> None:
    """The first sheet is the one read: hidden, it would pay from data no one sees (the
    visible sheet beside it ignored), so the file is refused, naming the sheet."""
    with pytest.raises(FactsFileError) as refused:
        read_facts(_workbook(tmp_path, hidden_first=True), rep_fields())
    assert (refused.value.code, refused.value.form) == ("unreadable-facts", "hidden-sheet")
    assert "'旧'" in str(refused.value) and "隐藏" in refused.value.render("zh")


def test_cells_merged_down_rows_refuse_the_rows_they_blank(tmp_path: Path) -> None:
    """Salaries merged over rows 2 to 4: Excel keeps 3000 in C2 alone, and C3 and C4
    would read as blank (a default, silently). A02 and A03 are refused at their cells;
    A01, which holds the value, and the rest of the file are read."""
    read = read_facts(_workbook(tmp_path, merge="C2:C4"), rep_fields())
    found = problems_by_row(read)
    assert found == {
        ("A01", 2): [],
        ("A02", 3): [("unreadable-facts", "base_salary")],
        ("A03", 4): [("unreadable-facts", "base_salary")],
    }


def test_too_many_bad_rows_refuse_the_file_counting_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past the limit of bad rows the file is refused, at the first bad row, counting all."""
    monkeypatch.setattr(_file, "MAX_BAD_ROWS", 2)
    with pytest.raises(FactsFileError) as caught:
        read_facts(FILES / "rep_malformed.csv", rep_fields())
    assert (caught.value.code, caught.value.location.line) == ("ragged-row", 3)
    assert caught.value.details["bad_rows"] == 3


def test_a_facts_file_over_the_size_limit_is_refused_before_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A file larger than MAX_FACTS_BYTES is file-too-large, naming the file."""
    monkeypatch.setattr(facts_io, "MAX_FACTS_BYTES", 50)
    with pytest.raises(FactsFileError) as caught:
        read_facts(FILES / "rep_malformed.csv", rep_fields())
    assert (caught.value.code, caught.value.location.file) == (
        "file-too-large",
        str(FILES / "rep_malformed.csv"),
    )


def test_a_zip_bomb_workbook_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    """A workbook whose sheet packs 8 MiB of XML into a few KiB is file-too-large."""
    book = openpyxl.Workbook()
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / "rep.xlsx"
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data += b" " * 8 * 2**20  # white space after the root: still XML
            target.writestr(entry.filename, data)
    assert path.stat().st_size < 100_000
    with pytest.raises(FactsFileError) as caught:
        read_facts(path, rep_fields())
    assert caught.value.code == "file-too-large"
    assert "xl/worksheets/sheet1.xml" in caught.value.message


@pytest.mark.parametrize(
    ("suffix", "text", "line"),
    [
        (".json", "[" * 100_000 + "]" * 100_000, None),
        (".json", '[{"rep_id": ' + "[" * 40 + "]" * 40 + "}]", None),
        (".jsonl", '{"rep_id": "A01"}\n{"rep_id": ' + "[" * 5000 + "]" * 5000 + "}\n", 2),
    ],
    ids=["100000-deep", "41-deep", "jsonl-line-2"],
)
def test_deep_json_facts_are_too_deep_never_a_recursion_error(
    tmp_path: Path, suffix: str, text: str, line: int | None
) -> None:
    """JSON nesting past the limit is a located too-deep error, however deep it goes."""
    path = tmp_path / f"rep{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FactsFileError) as caught:
        read_facts(path, rep_fields())
    assert (caught.value.code, caught.value.location.line) == ("too-deep", line)


def test_json_within_the_depth_limit_is_read() -> None:
    """A list field in a record is well within the limit."""
    from policyengine.facts._json import loads

    assert loads("f.json", '[{"tags": [["a"]]}]') == [{"tags": [["a"]]}]
