"""Every output of a month's run names the ledger run that records it (its number and hash),
or says that no ledger run does; the ledger stores the outputs without that name, so replay
stays byte for byte."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

import policyengine
from policyengine.audit._replay import replay_run
from policyengine.audit.ledger import PolicyBlob, RunRecord, open_ledger
from policyengine.cli._main import main
from policyengine.month import Recording, run_month
from policyengine.present._report import PROVENANCE_SHEET

ROOT = Path(__file__).parent.parent
STANDALONE = ROOT / "examples" / "standalone"
MONTH = STANDALONE / "2026-03"


@pytest.fixture(scope="module")
def pack() -> policyengine.Repository:
    return policyengine.load(STANDALONE / "policies")


def provenance_rows(workbook: Path) -> dict[str, object]:
    from openpyxl import load_workbook

    book = load_workbook(workbook, read_only=True)
    rows = book[PROVENANCE_SHEET].iter_rows(values_only=True)
    found = {str(row[1]): row[2] for row in rows if len(row) > 2 and row[1]}
    book.close()
    return found


def test_each_output_names_the_ledger_run_recording_it(
    pack: policyengine.Repository, tmp_path: Path
) -> None:
    """The JSON document, the CSV's sidecar and the workbook name the run (first of a new
    ledger, then appended ones) by the number and hash the ledger recorded."""
    ledger = tmp_path / "ledger.sqlite"
    named = []
    for number, suffix in enumerate((".json", ".csv", ".xlsx"), start=1):
        out = tmp_path / f"pay{suffix}"
        month = run_month(
            pack, "2026-03", MONTH, ledger=ledger, out=out, recording=Recording(new=number == 1)
        )
        assert month.recorded is not None and month.recorded[0] == number
        if suffix == ".json":
            link = json.loads(out.read_bytes())["ledger_run"]
            named.append((link["id"], link["sha256"]))
        elif suffix == ".csv":
            link = json.loads(out.with_suffix(".provenance.json").read_bytes())["ledger_run"]
            named.append((link["id"], link["sha256"]))
            assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # the CSV is the table alone
        else:
            rows = provenance_rows(out)
            named.append((rows["ledger_run"], rows["ledger_run_sha256"]))
    with open_ledger(ledger, read_only=True) as opened:
        assert named == [(run.id, run.hash) for run in opened.runs()]
        for run in opened.runs():
            assert b"ledger_run" not in run.record.outputs
            assert replay_run(opened, run.id).identical


def test_outputs_of_a_month_without_a_ledger_say_so(
    pack: policyengine.Repository, tmp_path: Path
) -> None:
    """Without a ledger, the document and the sidecar hold a null ledger_run and the workbook
    says none."""
    for suffix in (".json", ".csv", ".xlsx"):
        run_month(pack, "2026-03", MONTH, out=tmp_path / f"pay{suffix}")
    assert json.loads((tmp_path / "pay.json").read_bytes())["ledger_run"] is None
    sidecar = json.loads((tmp_path / "pay.provenance.json").read_bytes())
    assert "ledger_run" in sidecar and sidecar["ledger_run"] is None
    rows = provenance_rows(tmp_path / "pay.xlsx")
    assert str(rows["ledger_run"]).startswith("none")
    assert rows["ledger_run_sha256"] is None


POLICY = b"policy: commission\nversion: '2026-01'\nrules: []\n"


def record(n: int) -> RunRecord:
    blob = PolicyBlob("commission", "2026-01", hashlib.sha256(POLICY).hexdigest(), POLICY)
    return RunRecord("2026-03", None, (blob,), b'{"n":%d}' % n, b"{}", b"{}")


def test_a_planned_run_is_appended_as_planned_or_not_at_all(tmp_path: Path) -> None:
    """The run an output names is the run appended: its number, time and hash as planned; if
    another run came first, the append is refused (head-mismatch) and adds nothing."""
    with open_ledger(tmp_path / "ledger.sqlite") as ledger:
        planned = ledger.plan(record(1))
        assert ledger.head()[0] == 0  # planning appends nothing
        assert ledger.append(record(1), planned=planned) == planned
        late = ledger.plan(record(2))
        ledger.append(record(3))
        with pytest.raises(policyengine.PolicyError) as caught:
            ledger.append(record(2), planned=late)
        assert caught.value.code == "head-mismatch"
        assert ledger.head()[0] == 2 and ledger.verify() == []


def test_the_document_on_standard_output_names_the_run_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`run --ledger --format json` prints the document naming the run it recorded."""
    ledger = tmp_path / "ledger.sqlite"
    args = ["run", "--policies", str(STANDALONE / "policies"), "--period", "2026-03"]
    args += ["--facts", str(MONTH), "--ledger", str(ledger), "--new-ledger"]
    assert main([*args, "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)["ledger_run"]
    with open_ledger(ledger, read_only=True) as opened:
        assert printed == {"id": 1, "sha256": opened.get(1).hash}
