"""The month's run as library code: the same steps and bytes as the command line."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import policyengine
from policyengine.audit._replay import replay_run
from policyengine.audit.ledger import open_ledger
from policyengine.cli._main import main
from policyengine.month import (
    Recording,
    evaluate_month,
    ledger_history,
    read_month,
    run_month,
)

ROOT = Path(__file__).parent.parent
PACK = ROOT / "policies"
EXAMPLES = ROOT / "examples"


def test_run_month_writes_and_records_what_the_command_does(
    pack: policyengine.Repository, tmp_path: Path
) -> None:
    """run_month and `policyengine run` give the same document and the same ledger outputs."""
    library = run_month(
        pack,
        "2026-01",
        EXAMPLES / "2026-01",
        ledger=tmp_path / "library.sqlite",
        out=tmp_path / "library.json",
        recording=Recording(new=True),
    )
    code = main(
        [
            "run",
            "--policies",
            str(PACK),
            "--period",
            "2026-01",
            "--facts",
            str(EXAMPLES / "2026-01"),
            "--ledger",
            str(tmp_path / "cli.sqlite"),
            "--new-ledger",
            "--out",
            str(tmp_path / "cli.json"),
        ]
    )
    assert code == 0
    assert library.written == (tmp_path / "library.json",)
    ours = json.loads((tmp_path / "library.json").read_bytes())
    theirs = json.loads((tmp_path / "cli.json").read_bytes())
    assert ours["records"] == theirs["records"] and ours["errors"] == theirs["errors"]
    with open_ledger(tmp_path / "library.sqlite") as a, open_ledger(tmp_path / "cli.sqlite") as b:
        assert a.get(1).record.outputs == b.get(1).record.outputs
        assert replay_run(a, 1).identical
    assert library.recorded is not None and library.recorded[0] == 1


def test_later_months_take_history_from_the_ledger(
    pack: policyengine.Repository, tmp_path: Path
) -> None:
    """A month run after another into one ledger reads it as history; a first month has none."""
    ledger = tmp_path / "ledger.sqlite"
    assert ledger_history(ledger, "2026-01") == ({}, ())
    first = run_month(
        pack, "2026-01", EXAMPLES / "2026-01", ledger=ledger, recording=Recording(new=True)
    )
    assert first.history_runs == () and not first.had_history
    assert first.history_readers  # the pack's history rules got no earlier month
    second = run_month(pack, "2026-02", EXAMPLES / "2026-02", ledger=ledger)
    assert second.history_runs == (1,) and second.had_history and not second.history_readers
    given = evaluate_month(
        pack,
        "2026-02",
        read_month(pack, EXAMPLES / "2026-02"),
        history={"2026-01": first.result.snapshot()},
    )
    assert given.result.outputs_json() == second.result.outputs_json()


def test_a_bad_output_suffix_is_refused_before_any_work(
    pack: policyengine.Repository, tmp_path: Path
) -> None:
    """An output format run_month cannot write is an error before the month is evaluated."""
    with pytest.raises(policyengine.PolicyError):
        run_month(pack, "2026-01", tmp_path / "no-such-folder", out=tmp_path / "pay.pdf")


@pytest.mark.parametrize("period", ["2016-03", "0001-01"])
def test_a_month_no_version_is_in_force_in_is_refused_not_paid_nothing(
    pack: policyengine.Repository, period: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mistyped year gave every record a row, no pay and exit 0: it is not-in-force,
    naming the earliest version's start, and nothing is written or recorded."""
    with pytest.raises(policyengine.UsageError) as caught:
        evaluate_month(pack, period, EXAMPLES / "2026-03")
    earliest = min(v.policy.effective_from for v in pack.versions).isoformat()
    assert (caught.value.code, caught.value.details["start"]) == ("not-in-force", earliest)
    assert period in caught.value.message
    out, ledger = tmp_path / "pay.csv", tmp_path / "ledger.sqlite"
    arguments = ["--lang", "zh", "run", "--policies", str(PACK), "--period", period]
    arguments += ["--facts", str(EXAMPLES / "2026-03"), "--out", str(out)]
    assert main([*arguments, "--ledger", str(ledger), "--new-ledger"]) == 2
    assert f"{period}没有生效的制度版本" in capsys.readouterr().err
    assert not out.exists() and not ledger.exists()


def test_a_day_before_every_publication_is_said_as_such(pack: policyengine.Repository) -> None:
    """Versions are in force in March, but none was published by 2025-01-01: the refusal
    names the publication, not the month (which is right)."""
    with pytest.raises(policyengine.UsageError) as caught:
        evaluate_month(pack, "2026-03", EXAMPLES / "2026-03", as_known_at="2025-01-01")
    first = min(v.published for v in pack.versions if v.published is not None).isoformat()
    assert (caught.value.code, caught.value.form) == ("not-in-force", "known")
    assert caught.value.details["first"] == first
    assert "published by 2025-01-01" in caught.value.message


@pytest.mark.parametrize("function", [evaluate_month, run_month])
def test_a_misspelt_keyword_is_refused(
    pack: policyengine.Repository, function: Any, tmp_path: Path
) -> None:
    """The month's keywords are one table (MonthOptions); one it does not hold is refused
    as a signature refuses it, before any work, rather than ignored."""
    with pytest.raises(TypeError, match="as_known_on"):
        function(pack, "2026-01", tmp_path / "no-such-folder", as_known_on="2026-01-01")


def test_evaluating_a_month_takes_its_records_over_and_still_locates_problems(
    pack: policyengine.Repository, tmp_path: Path
) -> None:
    """The raw records are let go once evaluated; the counts and the place of each problem
    in the facts files stay."""
    folder = tmp_path / "2026-03"
    folder.mkdir()
    for source in (EXAMPLES / "2026-03").iterdir():
        text = source.read_text(encoding="utf-8")
        if source.name == "rep.csv":
            lines = text.splitlines()
            header = lines[0].split(",")
            cells = lines[4].split(",")
            cells[header.index("出勤天数")] = "十五"
            lines[4] = ",".join(cells)
            text = "\n".join(lines) + "\n"
        (folder / source.name).write_text(text, encoding="utf-8")
    facts = read_month(pack, folder)
    counts = dict(facts.counts)
    month = evaluate_month(pack, "2026-03", facts)
    assert all(not records for records in facts.records.values())
    assert facts.counts == counts == month.counts
    bad = [e for e in month.result.errors if e.code == "not-a-whole-number"]
    assert len(bad) == 1
    place = month.index.place(bad[0])
    assert place is not None and place.file.endswith("rep.csv") and place.line == 5


def test_facts_evaluated_once_are_not_a_second_empty_month(
    pack: policyengine.Repository, tmp_path: Path
) -> None:
    """A month's records are handed over to its evaluation: the same MonthFacts given
    again is refused (facts-used), where it ran, recorded and wrote an empty month."""
    facts = read_month(pack, EXAMPLES / "2026-03")
    evaluate_month(pack, "2026-03", facts)
    ledger = tmp_path / "ledger.sqlite"
    with pytest.raises(policyengine.UsageError) as refused:
        run_month(pack, "2026-03", facts, ledger=ledger, recording=Recording(new=True))
    assert refused.value.code == "facts-used"
    assert not ledger.exists()


def _without_column(tmp_path: Path, header: str) -> Path:
    """The example March, its rep.csv without the column headed ``header``."""
    month = tmp_path / "2026-03"
    shutil.copytree(EXAMPLES / "2026-03", month)
    with (month / "rep.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    dropped = rows[0].index(header)
    with (month / "rep.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(
            r[:dropped] + r[dropped + 1 :] for r in rows
        )
    return month


def test_a_column_left_to_its_default_is_said(
    pack: policyengine.Repository, tmp_path: Path
) -> None:
    """rep.csv without its 迟到次数 column: every rep takes 0 late arrivals, which is no
    error, but is said (in Chinese too), since a deleted column changed pay silently."""
    month = _without_column(tmp_path, "迟到次数")
    done = evaluate_month(pack, "2026-03", month)
    said = "has no column for '迟到次数': every record takes its default, 0"
    assert done.notices == (f"note: {month / 'rep.csv'} {said}",)
    assert "每条记录都按默认值 0 计算" in done.summary(policyengine.messages("zh"))
    assert evaluate_month(pack, "2026-03", EXAMPLES / "2026-03").notices == ()


def test_a_column_every_record_needs_is_said_once_for_its_file(
    pack: policyengine.Repository, tmp_path: Path
) -> None:
    """rep.csv without 话费: every rep is refused (missing-field), and the file's notice
    says the one cause: the column."""
    month = _without_column(tmp_path, "话费")
    done = evaluate_month(pack, "2026-03", month)
    assert {e.code for e in done.result.errors if e.details.get("kind") == "rep"} == {
        "missing-field"
    }
    (notice,) = done.notices
    said = "has no column for '话费', which every record needs: each is refused (missing-field)"
    assert notice.endswith(said + "; add the column")
