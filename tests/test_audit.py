"""Audit end to end: runs in the ledger replay byte for byte; paid amounts are checked."""

from __future__ import annotations

import csv
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from ledger_edits import change, change_in_place, forging
from test_repository import build_history

import policyengine
from policyengine.audit._replay import compare_paid, read_paid, replay_run, run_record
from policyengine.audit.ledger import open_ledger
from policyengine.cli._main import main
from policyengine.facts._canonical import encode

ROOT = Path(__file__).parent.parent
STANDALONE = ROOT / "examples" / "standalone" / "policies"
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]


def month_facts(month: str) -> dict[str, list[dict[str, str]]]:
    """Deterministic facts for a month: a few reps with sales that vary by month."""
    m = int(month[-2:])
    return {
        "rep": [
            {"rep_id": f"R{i}", "sales": f"{(i + 1) * 1000 + m * 37}.{m:02d}"} for i in range(4)
        ]
    }


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A repository with a version history and a ledger holding twelve monthly runs."""
    root = tmp_path_factory.mktemp("year")
    policies = build_history(root)
    repository = policyengine.load(policies)
    ledger_file = root / "ledger.sqlite"
    with open_ledger(ledger_file) as ledger:
        for month in MONTHS:
            result = repository.for_period(month).evaluate(month_facts(month))
            ledger.append(run_record(result, f"payroll {month}"))
    return policies, ledger_file


def test_every_run_of_a_year_replays_byte_identical(year: tuple[Path, Path]) -> None:
    """Replaying each of twelve monthly runs reproduces its outputs byte for byte."""
    _, ledger_file = year
    with open_ledger(ledger_file) as ledger:
        assert ledger.verify() == []
        outcomes = [replay_run(ledger, run.id) for run in ledger.runs()]
    assert len(outcomes) == 12
    assert all(o.identical for o in outcomes), [o.first_difference for o in outcomes]


def test_replay_needs_no_policy_files(tmp_path: Path) -> None:
    """A run replays from the ledger's own copy of the policy bytes after policies/ is deleted."""
    policies = build_history(tmp_path)
    result = policyengine.load(policies).for_period("2025-08").evaluate(month_facts("2025-08"))
    with open_ledger(tmp_path / "ledger.sqlite") as ledger:
        ledger.append(run_record(result))
    shutil.rmtree(policies)
    with open_ledger(tmp_path / "ledger.sqlite") as ledger:
        outcome = replay_run(ledger, 1)
    assert outcome.identical
    assert outcome.replayed.bundle.versions[0].version == "2025-07-fix"


def test_a_changed_stored_output_no_longer_replays(year: tuple[Path, Path], tmp_path: Path) -> None:
    """An output edited inside the database is caught by verify, and replay refuses the run."""
    _, ledger_file = year
    copy = tmp_path / "ledger.sqlite"
    shutil.copy(ledger_file, copy)
    with forging(copy) as db:
        change(db, 3, "outputs", lambda data: data.replace(b".", b","))
    with open_ledger(copy) as ledger:
        assert [p.code for p in ledger.verify()] == ["run-tampered"]
        with pytest.raises(policyengine.PolicyError) as caught:
            replay_run(ledger, 3)
        assert caught.value.code == "run-tampered"


def test_a_stored_output_changed_under_its_key_no_longer_replays(
    year: tuple[Path, Path], tmp_path: Path
) -> None:
    """An outputs document rewritten in place, under the key the run names, is caught by
    verify (it no longer has its key), and replay refuses the run."""
    _, ledger_file = year
    copy = tmp_path / "ledger.sqlite"
    shutil.copy(ledger_file, copy)
    with forging(copy) as db:
        change_in_place(db, 3, "outputs", lambda data: data.replace(b".", b","))
    with open_ledger(copy, read_only=True) as ledger:
        found = [(p.code, p.location.record) for p in ledger.verify()]
        assert found == [("blob-tampered", 3)]
        with pytest.raises(policyengine.PolicyError) as caught:
            replay_run(ledger, 3)
        assert caught.value.code == "blob-tampered"


def test_paid_amounts_are_compared_with_explanations(tmp_path: Path) -> None:
    """Paid amounts that differ from the recomputed ones are listed with the rule's explanation."""
    repository = policyengine.load(build_history(tmp_path))
    result = repository.for_period("2025-08").evaluate(month_facts("2025-08"))
    paid = tmp_path / "paid.csv"
    rows = [["rep_id", "commission"]]
    for row in result.rows():
        rows.append([row.key, str(row.outputs["commission"])])
    rows[2][1] = str(Decimal(rows[2][1]) - Decimal("0.01"))  # one fen short
    rows.append(["R9", "100.00"])  # paid, never computed
    with paid.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    findings = compare_paid(result, read_paid(paid))
    assert [(f.key, f.finding, f.delta) for f in findings] == [
        ("R1", "differs", Decimal("0.01")),
        ("R9", "not-computed", None),
    ]
    assert "rule 'commission'" in findings[0].explanation
    assert compare_paid(result, read_paid(paid), tolerance=Decimal("0.01"))[0].key == "R9"


def test_cli_audit_walkthrough(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """lock, verify, run with a ledger, ledger verify and replay, as the auditor's guide does."""
    policies = tmp_path / "policies"
    shutil.copytree(STANDALONE, policies)
    facts = str(ROOT / "examples" / "standalone" / "2026-03")
    ledger = str(tmp_path / "ledger.sqlite")
    assert main(["verify", "--policies", str(policies)]) == 0
    assert (
        main(
            [
                "run",
                "--policies",
                str(policies),
                "--period",
                "2026-03",
                "--facts",
                facts,
                "--ledger",
                ledger,
                "--new-ledger",
                "--out",
                str(tmp_path / "out.json"),
            ]
        )
        == 0
    )
    assert main(["ledger", "verify", ledger]) == 0
    assert main(["replay", "--ledger", ledger, "--run", "1"]) == 0
    assert (
        main(
            [
                "diff",
                "--policies",
                str(policies),
                "--period",
                "2026-03",
                "--facts",
                facts,
                "--policy",
                "commission",
                "--from",
                "2026-01",
                "--to",
                "2026-04",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "run 1: identical" in out
    assert re.search(r"commission\.commission +2 +0 +0 +3 +610\.37", out)
    locked = policies / "commission" / "2026-01.yaml"
    locked.write_bytes(locked.read_bytes().replace(b"3.5%", b"3.6%"))
    assert main(["verify", "--policies", str(policies)]) == 1
    assert "locked-file-changed" in capsys.readouterr().out


def test_cli_replay_of_a_paid_month_exits_1_on_discrepancy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """replay --period --facts --paid exits 1 and explains each discrepancy."""
    paid = tmp_path / "paid.csv"
    paid.write_text(
        "工号,commission\nA01,4320.99\nA02,2700.00\nA03,2800.00\nA04,6049.38\nA05,0.00\n",
        encoding="utf-8",
    )
    code = main(
        [
            "replay",
            "--policies",
            str(STANDALONE),
            "--period",
            "2026-03",
            "--facts",
            str(ROOT / "examples" / "standalone" / "2026-03"),
            "--paid",
            str(paid),
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "A02  commission.commission: differs, paid 2700.00, computed 2700.00" not in out
    assert out.count(": differs") == 1 and "source: 3.3.2 第二款" in out


def test_a_mistyped_ledger_path_is_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ledger verify on a path with no ledger fails with file-not-found and creates nothing."""
    missing = tmp_path / "ledgr.sqlite"
    assert main(["ledger", "verify", str(missing)]) == 2
    assert "file-not-found" in capsys.readouterr().err
    assert not missing.exists()


def test_run_refuses_an_edited_published_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Amounts from an edited published file prove nothing: run stops with the finding."""
    policies = tmp_path / "policies"
    shutil.copytree(STANDALONE, policies)
    locked = policies / "commission" / "2026-01.yaml"
    locked.write_bytes(locked.read_bytes().replace(b"3.5%", b"3.6%"))
    code = main(
        [
            "run",
            "--policies",
            str(policies),
            "--period",
            "2026-03",
            "--facts",
            str(ROOT / "examples" / "standalone" / "2026-03"),
        ]
    )
    assert code == 2
    assert "locked-file-changed" in capsys.readouterr().err


def test_run_names_facts_files_no_policy_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A misnamed facts file is an unknown kind, and the kind left without records is named."""
    facts = tmp_path / "facts"
    shutil.copytree(ROOT / "examples" / "standalone" / "2026-03", facts)
    (facts / "rep.csv").rename(facts / "reps.csv")
    code = main(
        [
            "run",
            "--policies",
            str(STANDALONE),
            "--period",
            "2026-03",
            "--facts",
            str(facts),
            "--out",
            str(tmp_path / "out.json"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "unknown-kind" in err and "no-records" in err


def test_months_with_history_replay_from_the_ledger(tmp_path: Path) -> None:
    """Earlier months' values are kept as inputs, so month three replays byte for byte."""
    from policyengine.facts._sample_centre import centre, months

    repository = policyengine.load(Path(__file__).parent / "fixtures" / "centre")
    results = repository.evaluate_months(centre(months("2026-01", "2026-03"), calls=300))
    with open_ledger(tmp_path / "ledger.sqlite") as ledger:
        for result in results:
            ledger.append(run_record(result))
        outcomes = [replay_run(ledger, run.id) for run in ledger.runs()]
    assert [o.identical for o in outcomes] == [True, True, True]
    assert b'"$history"' in results[2].inputs and b'"$history"' not in results[0].inputs
    alone = repository.for_period("2026-03").evaluate(
        centre(months("2026-01", "2026-03"), calls=300)["2026-03"]
    )
    assert alone.provenance.inputs_sha256 != results[2].provenance.inputs_sha256


def run_into_ledger(tmp_path: Path, periods: list[str]) -> str:
    """Run each shipped example month in order into one ledger, as payroll would."""
    ledger = str(tmp_path / "ledger.sqlite")
    for period in periods:
        args = [
            "run",
            "--period",
            period,
            "--facts",
            str(ROOT / "examples" / period),
            "--ledger",
            ledger,
            "--out",
            str(tmp_path / f"{period}.json"),
            *(["--new-ledger"] if period == periods[0] else []),
        ]
        assert main(args) == 0
    return ledger


def test_months_run_one_by_one_read_history_from_the_ledger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """run month by month with one ledger gives what evaluate_months gives, and replays."""
    periods = ["2026-01", "2026-02", "2026-03"]
    ledger = run_into_ledger(tmp_path, periods)
    assert "history: earlier months from ledger runs 1, 2" in capsys.readouterr().err
    pack = policyengine.load(ROOT / "policies")
    facts = {p: pack.read_facts(ROOT / "examples" / p) for p in periods}
    expected = pack.evaluate_months(facts)[-1]
    written = (tmp_path / "2026-03.json").read_bytes().strip()
    with open_ledger(ledger, read_only=True) as opened:
        run = {"id": 3, "sha256": opened.get(3).hash}
    # The document, and the ledger run that recorded it.
    assert written == encode({**expected.to_dict(), "ledger_run": run})
    assert main(["replay", "--ledger", ledger, "--all"]) == 0
    assert capsys.readouterr().out.count("identical") == 3


def test_a_paid_month_is_checked_with_its_earlier_months(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """replay --paid with --ledger uses the ledger's earlier months, so March's pay agrees."""
    ledger = run_into_ledger(tmp_path, ["2026-01", "2026-02"])
    pack = policyengine.load(ROOT / "policies")
    march = pack.for_period("2026-03")
    document = json.loads((tmp_path / "2026-01.json").read_bytes())
    assert document["records"]
    from policyengine.audit._replay import history_from_ledger

    facts = pack.read_facts(ROOT / "examples" / "2026-03")
    with open_ledger(ledger) as opened:
        history, _ = history_from_ledger(opened, march.period)
    result = march.evaluate(facts, history=history)
    paid = tmp_path / "paid.csv"
    rows = [["rep_id", "pay.net_pay"]] + [
        [row.key, str(row.outputs["net_pay"])] for row in result.rows() if row.policy == "pay"
    ]
    with paid.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    capsys.readouterr()
    args = [
        "replay",
        "--period",
        "2026-03",
        "--facts",
        str(ROOT / "examples" / "2026-03"),
        "--paid",
        str(paid),
    ]
    assert main([*args, "--ledger", ledger]) == 0
    assert "0 discrepancies" in capsys.readouterr().out
    assert main(args) == 1  # without the earlier months, history counts them as missing


def test_runs_recorded_before_result_format_2_still_verify_and_replay(tmp_path: Path) -> None:
    """A ledger written before failures were kept by value replays byte for byte, errors too."""
    copy = tmp_path / "format1.sqlite"
    shutil.copyfile(Path(__file__).parent / "fixtures" / "ledgers" / "format1.sqlite", copy)
    with open_ledger(copy) as ledger:
        _replays_as_recorded(ledger)


def _replays_as_recorded(ledger: Any) -> None:
    assert ledger.verify() == []
    for run_id, has_errors in ((1, False), (2, True)):
        recorded = json.loads(ledger.get(run_id).record.outputs)
        assert bool(recorded["errors"]) is has_errors
        assert "result_format" not in json.loads(ledger.get(run_id).record.provenance)
        replay = replay_run(ledger, run_id)
        assert replay.identical, replay.first_difference
        assert replay.replayed.provenance.result_format == 1


def test_a_paid_amount_against_a_failed_value_names_the_root_cause(tmp_path: Path) -> None:
    """Comparing what was paid with a value that failed says so, naming its cause, without
    trying to explain an amount that does not exist."""
    from policyengine.facts._sample_centre import centre, months

    facts = centre(months("2026-01", "2026-01"), calls=200, seed=5)["2026-01"]
    victim = facts["call"][0]
    facts["call"][0] = {**victim, "rings": "many"}
    centre_folder = Path(__file__).parent / "fixtures" / "centre"
    result = policyengine.load(centre_folder).for_period("2026-01").evaluate(facts)
    rep = victim["rep_id"]
    paid = tmp_path / "paid.csv"
    paid.write_text(f"rep_id,appraisal.etiquette_points\n{rep},3\n", encoding="utf-8")
    findings = compare_paid(result, read_paid(paid))
    failed = [f for f in findings if f.key == rep]
    assert [f.finding for f in failed] == ["failed"]
    assert "incomplete-group" in failed[0].explanation


@pytest.mark.parametrize("name", ["format1-parents.sqlite", "format1-pack.sqlite"])
def test_a_run_recorded_before_result_format_2_reads_a_failed_parent_value_as_then(
    name: str,
    tmp_path: Path,
) -> None:
    """Runs with many kinds of failure recorded by record (a rep reading its team's failed
    value got unknown-attribute, not a failed-input naming the team) replay byte for byte."""
    copy = tmp_path / name
    shutil.copyfile(Path(__file__).parent / "fixtures" / "ledgers" / name, copy)
    with open_ledger(copy) as ledger:
        assert ledger.verify() == []
        codes: set[str] = set()
        for run in ledger.runs():
            recorded = json.loads(run.record.outputs)
            assert recorded["errors"]
            codes |= {e["code"] for e in recorded["errors"]}
            replay = replay_run(ledger, run.id)
            assert replay.identical, replay.first_difference
        assert "unknown-attribute" in codes  # a failed value read by record, as then
