"""A month's errors said by root cause: one bad cell, one line, with what it took along."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policyengine.cli._main import main
from policyengine.errors import FactError, Location
from policyengine.present._root_causes import by_cause, missing_too, took_along

ROOT = Path(__file__).parent.parent


def _refused(code: str, kind: str, record: str, **details: str) -> FactError:
    return FactError(
        f"{kind} {record}",
        code=code,
        location=Location(record=record),
        details={"kind": kind, **details},
    )


def test_records_refused_with_their_parent_go_under_its_root_cause() -> None:
    """A call refused for its rep, refused for its team: all under the team's own problem,
    in the order the causes come; an unrelated problem stays a cause of its own."""
    team = _refused("missing-field", "team", "T1")
    rep = _refused("invalid-parent", "rep", "R1", parent="team", value="T1")
    calls = [
        _refused("invalid-parent", "call", f"C{i}", parent="rep", value="R1") for i in range(7)
    ]
    other = _refused("not-a-number", "rep", "R9")
    causes = by_cause([*calls, rep, other, team])
    assert [cause.error for cause in causes] == [other, team]
    assert causes[0].followers == ()
    assert list(causes[1].followers) == [*calls, rep]
    assert causes[1].follower_kinds() == [("call", 7), ("rep", 1)]
    assert took_along(causes[1]).startswith("and 8 (7 call, 1 rep) records left out with it")


def test_a_record_whose_parent_problem_is_not_listed_stands_alone() -> None:
    """Nothing is hidden under a cause that is not there."""
    call = _refused("invalid-parent", "call", "C1", parent="rep", value="R404")
    [cause] = by_cause([call])
    assert cause.error is call and cause.followers == ()


def test_run_says_a_bad_rep_cell_once_with_the_calls_it_took_along(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One bad cell of a rep: the summary and standard error say it once, first, with the
    number of calls left out; no line per call."""
    month = tmp_path / "2026-03"
    shutil.copytree(ROOT / "examples" / "2026-03", month)
    rep = month / "rep.csv"
    lines = rep.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    row = next(i for i, line in enumerate(lines) if line.startswith("R104,"))
    cells = lines[row].split(",")
    cells[header.index("电话拨打量")] = "很多"
    lines[row] = ",".join(cells)
    rep.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    code = main(
        ["run", "--policies", str(ROOT / "policies"), "--facts", str(month), "--period", "2026-03"]
    )
    out, err = capsys.readouterr()
    assert code == 2
    assert "(1 root cause: not-a-whole-number 1; the other 50 records are left out with it)" in out
    said = [line for line in err.splitlines() if "R104" in line or "invalid-parent" in line]
    assert len(said) == 2, said
    assert said[0].endswith("found '很多'")
    assert said[1].startswith("  and 50 call records left out with it (invalid-parent): C")


def _missing(record: str, field: str) -> FactError:
    return FactError(
        f"{field} missing",
        code="missing-field",
        location=Location(record=record, field=field),
        details={"kind": "rep"},
    )


def test_a_row_missing_many_fields_is_one_cause_naming_the_rest() -> None:
    """A sheet's total row lacks most cells: one cause, the first field said and the
    others listed after, with the calls it took along; a row lacking two stays two."""
    total = [_missing("合计", field) for field in ("a", "b", "c", "d")]
    call = _refused("invalid-parent", "call", "C1", parent="rep", value="合计")
    pair = [_missing("R2", "a"), _missing("R2", "b")]
    causes = by_cause([*total, call, *pair])
    assert [cause.error for cause in causes] == [total[0], *pair]
    assert causes[0].also_missing == tuple(total[1:])
    assert causes[0].followers == (call,)
    shown = missing_too(causes[0], lambda error: None)
    assert shown.startswith("and 3 more fields are missing in this row: 'b', 'c', 'd'")
    assert "total or notes row" in shown


def test_run_says_a_total_row_once_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 合计 row appended to the reps' sheet: one line for the row, its other missing
    cells named by their column headers, not one line a cell."""
    month = tmp_path / "2026-03"
    shutil.copytree(ROOT / "examples" / "2026-03", month)
    rep = month / "rep.csv"
    text = rep.read_text(encoding="utf-8-sig")
    columns = text.splitlines()[0].count(",")
    rep.write_text(text + "合计" + "," * columns + "\n", encoding="utf-8-sig")
    arguments = ["--lang", "zh", "run", "--policies", str(ROOT / "policies")]
    arguments += ["--period", "2026-03", "--facts", str(month), "--out", str(tmp_path / "p.csv")]
    assert main(arguments) == 2
    errors = capsys.readouterr().err
    row = [line for line in errors.splitlines() if "记录 合计" in line]
    assert len(row) == 1, errors
    assert "这一行还缺少" in errors and "'底薪'" in errors and "合计行或备注行" in errors
