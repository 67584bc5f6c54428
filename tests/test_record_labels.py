"""A record is named as a person finds it: by its key, else by its row in the facts file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import policyengine
from policyengine.cli._main import main

ENTITIES = """\
format: 1
kinds:
  rep:
    key: rep_id
    fields:
      rep_id: {type: string}
      sales: {type: money}
"""

BONUS = """\
format: 1
policy: bonus
version: "2026-01"
effective_from: 2026-01-01
title: 奖金
applies_to: rep
rules:
  - id: bonus
    kind: formula
    expr: sales / 10
    round: 0.01
"""

KEYLESS = """\
format: 1
policy: keyless
version: "2026-01"
effective_from: 2026-01-01
title: no key
inputs:
  sales: money
rules:
  - id: bonus
    kind: formula
    expr: sales / 10
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A policy folder whose kind names its key, with a version that declares none."""
    (tmp_path / "bonus").mkdir()
    (tmp_path / "entities.yaml").write_text(ENTITIES, encoding="utf-8")
    (tmp_path / "bonus" / "2026-01.yaml").write_text(BONUS, encoding="utf-8")
    return tmp_path


def test_evaluate_labels_a_record_by_its_kinds_key(folder: Path) -> None:
    """Policy.evaluate names the record by the key entities.yaml gives its kind."""
    policy = policyengine.load_policy(folder / "bonus" / "2026-01.yaml")
    assert policy.key == "rep_id"
    result = policy.evaluate({"rep_id": "A07", "sales": "100"})
    assert result.record == "A07"
    assert result.to_dict()["record"] == "A07"


def test_a_failing_record_is_located_by_its_kinds_key(folder: Path) -> None:
    """The error of a bad record names it by that key too, in a batch and alone."""
    policy = policyengine.load_policy(folder / "bonus" / "2026-01.yaml")
    batch = policy.evaluate_many([{"rep_id": "A", "sales": "1"}, {"rep_id": "B", "sales": "x"}])
    assert [item.record for item in batch.results] == ["A"]
    assert [error.location.record for error in batch.errors] == ["B"]


def test_a_batch_without_keys_counts_positions_from_zero(tmp_path: Path) -> None:
    """In Python a keyless record's label is its index in the batch, as Python counts."""
    path = tmp_path / "keyless.yaml"
    path.write_text(KEYLESS, encoding="utf-8")
    batch = policyengine.load_policy(path).evaluate_many([{"sales": 1}, {"sales": 2}])
    assert [item.record for item in batch.results] == [0, 1]


def _eval(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["eval", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_eval_labels_records_by_their_kinds_key(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """eval's record column and its errors name each record by its key."""
    facts = tmp_path / "rep.csv"
    facts.write_text("rep_id,sales\nA,100\nB,x\nC,300\n", encoding="utf-8")
    code, out, err = _eval(capsys, str(folder / "bonus" / "2026-01.yaml"), "--facts", str(facts))
    assert code == 2
    assert [line.split()[0] for line in out.splitlines()] == ["record", "A", "C"]
    assert f"{facts}:3: record B, field 'sales'" in err


def test_eval_labels_keyless_rows_as_the_file_numbers_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a key, a CSV record is labelled by its row, the row its error names."""
    path = tmp_path / "keyless.yaml"
    path.write_text(KEYLESS, encoding="utf-8")
    facts = tmp_path / "facts.csv"
    facts.write_text("sales\n100\nx\n300\n", encoding="utf-8")
    code, out, err = _eval(capsys, str(path), "--facts", str(facts), "--format", "json")
    assert code == 2
    document = json.loads(out)
    assert [r["record"] for r in document["results"]] == [2, 4]
    assert [e["location"]["record"] for e in document["errors"]] == [3]
    assert f"{facts}:3: record 3, field 'sales'" in err


def test_eval_counts_a_json_list_from_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A JSON list has no rows: its records are counted from 1, as a person counts them."""
    path = tmp_path / "keyless.yaml"
    path.write_text(KEYLESS, encoding="utf-8")
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps([{"sales": 1}, {"sales": "x"}, {"sales": 3}]), encoding="utf-8")
    code, out, err = _eval(capsys, str(path), "--facts", str(facts))
    assert code == 2
    assert [line.split()[0] for line in out.splitlines()] == ["record", "1", "3"]
    assert f"{facts}: record 2, field 'sales'" in err
