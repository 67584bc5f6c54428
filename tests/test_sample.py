"""The sample generator: months of facts with the hard cases, written as the entities say."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import sample_command

import policyengine
from policyengine.cli._main import main
from policyengine.facts._by_kind import check_facts
from policyengine.facts._entities_file import load_entities
from policyengine.facts._io import read_bundle_facts
from policyengine.facts._sample_centre import centre, months
from policyengine.facts._sample_csv import fit, write_months
from policyengine.facts._sample_hard_cases import Month, monthly

ROOT = Path(__file__).parent.parent
CENTRE = ROOT / "tests" / "fixtures" / "centre"
MONTHS = months("2026-01", "2026-03")


@pytest.fixture(scope="module")
def generated() -> list[Month]:
    """Three months of three teams of twelve reps."""
    return monthly(MONTHS, teams=3, reps=12, calls=400, seed=1)


def whole_months(start: datetime.date, end: datetime.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def test_every_month_holds_every_hard_case(generated: list[Month]) -> None:
    """Each month has lead conflicts at both levels, a malicious grab, new hires, an exact tie
    within a team, a rep leaving mid-month and referral sales, where its HardCases say."""
    for month in generated:
        reps = {r["rep_id"]: r for r in month.facts["rep"]}
        cases, period = month.cases, month.period
        assert reps[cases.conflict_to_manager]["conflicts_to_manager"] > 0
        assert reps[cases.conflict_to_leadership]["conflicts_to_leadership"] > 0
        assert [k for k, r in reps.items() if r.get("malicious_grab")] == [cases.malicious_grab]
        assert cases.new_hires
        for key in cases.new_hires:
            assert whole_months(reps[key]["hired_on"], period.start) < 3
        leaver = reps[cases.leaver]
        assert period.start < leaver["left_on"] < period.end
        assert [k for k, r in reps.items() if "left_on" in r] == [cases.leaver]
        assert cases.referrals and all(reps[k]["referral_sales"] > 0 for k in cases.referrals)
        first, second = (reps[k] for k in cases.tie)
        assert first["team_id"] == second["team_id"]
        assert first["credited_sales"] == second["credited_sales"]
        same = {n: v for n, v in first.items() if n not in ("rep_id", "name")}
        assert same == {n: v for n, v in second.items() if n not in ("rep_id", "name")}
        calls = [c for c in month.facts["call"] if c["rep_id"] in cases.tie]
        by_rep = {
            k: [{**c, "call_id": "", "rep_id": ""} for c in calls if c["rep_id"] == k]
            for k in cases.tie
        }
        assert by_rep[cases.tie[0]] == by_rep[cases.tie[1]] != []
        everyone = set(reps)
        assert {c["rep_id"] for c in month.facts["call"]} <= everyone


def test_leavers_are_gone_and_new_hires_stay(generated: list[Month]) -> None:
    """A rep who left is absent from the months after; each month one rep joins and stays."""
    for earlier, later in itertools.pairwise(generated):
        later_reps = {r["rep_id"] for r in later.facts["rep"]}
        assert earlier.cases.leaver not in later_reps
        assert set(earlier.cases.new_hires) <= later_reps
    assert [len(m.cases.new_hires) for m in generated] == [1, 2, 3]
    assert len({m.cases.leaver for m in generated}) == 3


def test_the_tie_survives_evaluation(generated: list[Month]) -> None:
    """The tied reps get the same appraisal score and sales, and the rank breaks the tie by
    key, as the bottom_rank policy declares."""
    repository = policyengine.load(CENTRE)
    assert repository.entities is not None
    facts = {m.period.key: fit(m.facts, repository.entities, m.period) for m in generated}
    march = repository.evaluate_months(facts)[-1]
    assert march.errors == ()
    first, second = generated[-1].cases.tie
    assert march.value("rep", first, "appraisal_score") == march.value(
        "rep", second, "appraisal_score"
    )
    ranks = [march.value("rep", k, "team_rank.rank") for k in (first, second)]
    assert ranks[1] == ranks[0] + 1


def tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_same_seed_gives_the_same_files(tmp_path: Path) -> None:
    """The sample command writes byte-identical folders for one seed, different for another."""
    runs = {}
    for name, seed in (("a", "1"), ("b", "1"), ("c", "2")):
        assert (
            sample_command(
                CENTRE, "2026-01..2026-03", tmp_path / name, teams=2, reps=6, calls=100, seed=seed
            )
            == 0
        )
        runs[name] = tree(tmp_path / name)
    assert sorted(runs["a"]) == [
        f"2026-0{m}/{k}.csv" for m in (1, 2, 3) for k in ("call", "rep", "team")
    ]
    assert runs["a"] == runs["b"]
    assert runs["a"] != runs["c"]


def test_sample_writes_title_headers_the_centre_reads_without_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The files are headed by the entities' titles, in declared order, and every record
    passes the facts check; the hard cases are printed."""
    assert (
        main(["sample", "--policies", str(CENTRE), "--months", "2026-02", "--out", str(tmp_path)])
        == 0
    )
    out = capsys.readouterr().out
    assert "leaves mid-month: R" in out and "lead conflict escalated to leadership" in out
    entities = load_entities(CENTRE / "entities.yaml")
    with (tmp_path / "2026-02" / "rep.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == [f.title for f in entities.kinds["rep"].fields.values()]
    files = read_bundle_facts(
        tmp_path / "2026-02", {k: dict(v.fields) for k, v in entities.kinds.items()}
    )
    checked = check_facts(entities, {k: f.records for k, f in files.items()})
    assert checked.errors == ()
    assert [len(checked.records[k]) for k in ("team", "rep")] == [3, 37]
    copies = [c for c in checked.records["call"] if c["call_id"].endswith("T")]
    assert len(checked.records["call"]) == 2000 + len(copies) > 2000
    reps = checked.by_key("rep")
    assert sum(1 for r in reps.values() if r["conflicts_to_leadership"] > 0) == 1
    assert sum(1 for r in reps.values() if r["left_on"] < datetime.date(9999, 12, 31)) == 1
    assert sum(1 for r in reps.values() if r["referral_sales"] > Decimal(0)) > 1


ENTITIES = """\
format: 1
kinds:
  team:
    key: team_id
    fields:
      team_id: {type: string, title: 小组编号}
  rep:
    key: 工号
    parent: {kind: team, field: team_id}
    fields:
      工号: {type: string}
      team_id: {type: string, title: 小组}
      role: {type: enum, values: [代表, 组长], title: 岗位}
      credited_sales: {type: money, title: 销售额}
      satisfaction: {type: int, title: 满意度}
      shift: {type: enum, values: [早班, 晚班], title: 班次}
      bonus_points: {type: decimal, title: 加分}
      certified_on: {type: date, title: 认证日期}
      remarks: {type: string, title: 备注, default: ""}
"""


def test_only_declared_fields_are_written_and_unknown_ones_filled(tmp_path: Path) -> None:
    """Against other entities, each file has exactly the declared columns (key renamed, enum
    values mapped, types followed) and fields the generator does not know get values."""
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "entities.yaml").write_text(ENTITIES, encoding="utf-8")
    entities = load_entities(policies / "entities.yaml")
    generated = monthly(MONTHS[:1], teams=2, reps=4, calls=10, seed=3)
    written = write_months(generated, tmp_path / "out", entities)
    assert sorted(p.name for p in written) == ["rep.csv", "team.csv"]  # no call kind declared
    rows = list(csv.reader(io.StringIO((tmp_path / "out/2026-01/rep.csv").read_text("utf-8"))))
    titles = ["工号", "小组", "岗位", "销售额", "满意度", "班次", "加分", "认证日期", "备注"]
    assert rows[0] == titles
    assert {r[2] for r in rows[1:]} == {"代表"}
    assert {r[5] for r in rows[1:]} == {"早班"}
    assert all(r[8] == "" for r in rows[1:])
    files = read_bundle_facts(
        tmp_path / "out/2026-01", {k: dict(v.fields) for k, v in entities.kinds.items()}
    )
    checked = check_facts(entities, {k: f.records for k, f in files.items()})
    assert checked.errors == ()
    assert len(checked.records["rep"]) == len(generated[0].facts["rep"])
    capture = tmp_path / "capture"
    assert sample_command(policies, "2026-01", capture, teams=2, reps=4) == 0


def test_sample_refuses_too_few_reps_and_bad_ranges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Too few reps for every case is exit 2 with the reason; a backwards range a usage error."""
    assert sample_command(CENTRE, "2026-01..2026-03", tmp_path, teams=1, reps=5) == 2
    assert "too few for every hard case" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        main(["sample", "--months", "2026-03..2026-01", "--out", str(tmp_path)])
    assert caught.value.code == 2
    assert "ends before it starts" in capsys.readouterr().err


def test_without_a_policy_folder_every_field_is_written_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With no policy folder the generated fields are written under their names, said so."""
    assert sample_command(tmp_path / "none", "2026-01", tmp_path, teams=2, reps=4, calls=20) == 0
    assert "no policy folder" in capsys.readouterr().err
    header = (tmp_path / "2026-01" / "rep.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("rep_id,name,team_id,role,hired_on,")
    assert "skill" not in header


def test_centre_is_unchanged_by_the_monthly_generator() -> None:
    """centre() and months() still give the records the population tests were written for."""
    facts = centre(months("2026-01", "2026-02"), teams=2, reps=3, calls=5, seed=4)
    assert list(facts) == ["2026-01", "2026-02"]
    first = facts["2026-01"]["rep"][0]
    assert (first["rep_id"], first["team_id"], first["role"]) == ("R101", "T1", "rep")
    assert facts == centre(months("2026-01", "2026-02"), teams=2, reps=3, calls=5, seed=4)


def test_a_folder_of_other_kinds_is_refused_not_written_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder of an insurer's kinds (company, team, agent, sale): the sample, a call
    centre's month, is refused naming what the folder lacks; no file is written and no
    rep or call counted."""
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "entities.yaml").write_text(
        "format: 1\nkinds:\n  company:\n    key: company_id\n    fields: {company_id: string}\n"
        "  agent:\n    key: agent_id\n    parent: {kind: company, field: company_id}\n"
        "    fields: {agent_id: string, company_id: string}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    arguments = ["sample", "--policies", str(folder), "--months", "2026-02", "--out", str(out)]
    assert main(arguments) == 2
    err = capsys.readouterr().err
    assert "(team, rep, call; calls may be left out), and " in err
    assert err.rstrip().endswith("declares company, agent")
    assert not out.exists()
