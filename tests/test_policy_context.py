"""One policy, one context: `load_policy`, `check_policy` and `eval` read a policy
file with the entities.yaml of its folder, as `validate`, `test` and `run` do."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

import policyengine
from policyengine.cli._main import main
from policyengine.facts._entities_file import load_entities
from policyengine.load._build import build_policy
from policyengine.month import evaluate_month
from policyengine.read._source import read_policy_file

ROOT = Path(__file__).parent.parent
POLICIES = ROOT / "policies"
CENTRE = Path(__file__).parent / "fixtures" / "centre"
STANDALONE = ROOT / "examples" / "standalone" / "policies" / "commission" / "2026-01.yaml"
MONTH = ROOT / "examples" / "2026-01"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_shipped_policy_loads_with_its_folders_record_kinds() -> None:
    """Without entities.yaml the commission policy has 59 unknown-name problems; in its
    folder it reads the fields of its kind, titles and defaults included."""
    path = POLICIES / "commission" / "2026-01.yaml"
    with pytest.raises(policyengine.InvalidPolicy) as alone:
        build_policy(read_policy_file(path), None)
    assert {p.code for p in alone.value.problems} == {"unknown-name"}
    policy = policyengine.load_policy(path)
    assert policy.applies_to == "rep"
    kinds = load_entities(POLICIES / "entities.yaml")
    assert policy.inputs["left_on"] == kinds.kinds["rep"].fields["left_on"]


def test_every_shipped_policy_checks_clean_on_its_own() -> None:
    """check_policy of each version file of the shipped folder finds nothing."""
    files = sorted(POLICIES.glob("*/*.yaml"))
    assert len(files) > 10
    for path in files:
        assert policyengine.check_policy(path) == [], path


def test_explicit_entities_win_over_the_folders() -> None:
    """Record kinds passed in are the ones read: the policy's fields are the centre's
    (titled differently), not those of the entities.yaml beside it."""
    path = POLICIES / "commission" / "2026-01.yaml"
    centre = load_entities(CENTRE / "entities.yaml")
    policy = policyengine.load_policy(path, centre)
    assert policy.inputs["credited_sales"] == centre.kinds["rep"].fields["credited_sales"]
    assert policy.inputs != policyengine.load_policy(path).inputs


def test_a_standalone_file_is_read_as_before(tmp_path: Path) -> None:
    """A file with no entities.yaml above it is read on its own, as it always was."""
    copy = tmp_path / "commission" / "2026-01.yaml"
    copy.parent.mkdir()
    shutil.copyfile(STANDALONE, copy)
    loaded = policyengine.load_policy(copy)
    alone = build_policy(read_policy_file(copy), None)
    assert loaded.kind_fields == alone.kind_fields == frozenset()
    assert (loaded.inputs, loaded.external) == (alone.inputs, ())


def test_eval_of_a_shipped_policy_gives_what_the_month_gives(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """eval reads the month's rep file (every field of the kind, Chinese headers) and
    gives each rep the attendance outputs the whole month gives."""
    policy = str(POLICIES / "attendance" / "2025-07.yaml")
    code, out, err = run(
        capsys, "eval", policy, "--facts", str(MONTH / "rep.csv"), "--period", "2026-01",
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    results = json.loads(out)["results"]
    month = evaluate_month(policyengine.load(POLICIES), "2026-01", MONTH).result
    assert len(results) == len(month.keys("rep")) > 0
    for result in results:
        row = month.result_for("rep", result["record"], "attendance")
        assert {k: Decimal(str(v)) if not isinstance(v, bool) else v
                for k, v in result["outputs"].items()} == dict(row.outputs)  # fmt: skip


def test_eval_takes_the_record_kinds_of_policies_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A draft outside the folder is refused on its own and read with --policies DIR."""
    draft = tmp_path / "attendance.yaml"
    shutil.copyfile(POLICIES / "attendance" / "2025-07.yaml", draft)
    facts = ["--facts", str(MONTH / "rep.csv"), "--period", "2026-01"]
    code, _, err = run(capsys, "eval", str(draft), *facts)
    assert code == 2
    assert "unknown-name" in err
    code, out, err = run(capsys, "eval", str(draft), *facts, "--policies", str(POLICIES))
    assert code == 0, err
    assert "R101" in out
