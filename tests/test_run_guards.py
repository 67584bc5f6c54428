"""`run`, `ledger verify` and `replay` fail loudly where they once went on silently, and the
signed path works end to end from the command line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ledger_edits import forging

from policyengine.audit import open_ledger
from policyengine.cli import main

ROOT = Path(__file__).parent.parent
STANDALONE = ROOT / "examples" / "standalone"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the standalone example: a locked commission policy and March's reps."""
    shutil.copytree(STANDALONE, tmp_path / "standalone")
    return tmp_path / "standalone"


def run(folder: Path, ledger: Path, *extra: str) -> int:
    return main(
        [
            "run",
            "--policies",
            str(folder / "policies"),
            "--period",
            "2026-03",
            "--facts",
            str(folder / "2026-03"),
            "--ledger",
            str(ledger),
            *extra,
        ]
    )


def codes_printed(err: str) -> list[str]:
    """The codes of the located errors printed on standard error."""
    return [line.split(": ")[1] for line in err.splitlines() if line.count(": ") >= 2]


def runs_in(ledger: Path) -> int:
    with open_ledger(ledger, read_only=True) as opened:
        return opened.head()[0]


def test_ledger_verify_of_a_missing_or_empty_file_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ledger verify` of a 0-byte or missing file exits 2 and writes nothing."""
    missing, empty = tmp_path / "missing.sqlite", tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    assert main(["ledger", "verify", str(missing)]) == 2
    assert main(["ledger", "verify", str(empty)]) == 2
    assert codes_printed(capsys.readouterr().err) == ["file-not-found", "not-a-ledger"]
    assert not missing.exists() and empty.read_bytes() == b""


def test_run_never_creates_a_ledger_unless_asked(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mistyped --ledger is refused before any work; --new-ledger starts one, once."""
    ledger, out = tmp_path / "ledger.sqlite", tmp_path / "pay.json"
    assert run(folder, ledger, "--out", str(out)) == 2
    assert codes_printed(capsys.readouterr().err) == ["file-not-found"]
    assert not ledger.exists() and not out.exists()
    assert run(folder, ledger, "--new-ledger") == 0
    assert run(folder, ledger, "--new-ledger") == 2
    assert codes_printed(capsys.readouterr().err)[-1] == "ledger-exists"
    assert runs_in(ledger) == 1


def test_run_and_replay_refuse_a_broken_ledger(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Over a chain `ledger verify` reports broken, run appends nothing and writes no output,
    and replay --all replays nothing."""
    ledger, out = tmp_path / "ledger.sqlite", tmp_path / "pay.json"
    assert run(folder, ledger, "--new-ledger") == 0
    with forging(ledger) as db:
        db.execute("UPDATE runs SET label = 'edited' WHERE id = 1")
    before = ledger.read_bytes()
    capsys.readouterr()
    assert run(folder, ledger, "--out", str(out)) == 2
    assert main(["replay", "--ledger", str(ledger), "--all"]) == 2
    captured = capsys.readouterr()
    assert codes_printed(captured.err) == ["ledger-broken", "ledger-broken"]
    assert "run 1" not in captured.out
    assert ledger.read_bytes() == before and not out.exists()


def test_changed_facts_need_a_reason_to_run_again(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A facts file changed after its month was run is refused (facts-changed) until
    --rerun gives the reason, which is stored with the run; the same facts run again freely."""
    ledger = tmp_path / "ledger.sqlite"
    assert run(folder, ledger, "--new-ledger") == 0
    assert run(folder, ledger) == 0  # the same facts: a plain second run
    reps = folder / "2026-03" / "rep.csv"
    lines = reps.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("0", "1", 1)
    reps.write_text("\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert run(folder, ledger) == 2
    assert codes_printed(capsys.readouterr().err) == ["facts-changed"]
    assert runs_in(ledger) == 2
    assert run(folder, ledger, "--rerun", "rep.csv corrected by HR") == 0
    with open_ledger(ledger, read_only=True) as opened:
        assert opened.get(3).record.label == "re-run: rep.csv corrected by HR"


def test_run_refuses_drafts_unless_allowed(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With the lock deleted every version is a draft: run refuses them (draft-in-use)
    unless --allow-drafts, and appends nothing."""
    (folder / "policies" / "policies.lock").unlink()
    ledger = tmp_path / "ledger.sqlite"
    assert run(folder, ledger, "--new-ledger") == 2
    assert codes_printed(capsys.readouterr().err) == ["draft-in-use"]
    assert not ledger.exists()
    assert run(folder, ledger, "--new-ledger", "--allow-drafts") == 0


def test_signed_month_end_to_end(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """keys new, lock --key, run --key, then verify and ledger verify with the public key."""
    key, policies = tmp_path / "payroll.key", folder / "policies"
    assert main(["keys", "new", str(key)]) == 0
    assert main(["keys", "new", str(key)]) == 2  # never overwritten
    public = str(key) + ".pub"
    assert main(["lock", "--policies", str(policies), "--key", str(key)]) == 0
    ledger = tmp_path / "ledger.sqlite"
    assert run(folder, ledger, "--new-ledger", "--key", str(key)) == 0
    capsys.readouterr()
    trusted = ["--trust", public, "--require-signed"]
    assert main(["verify", "--policies", str(policies), *trusted]) == 0
    assert main(["ledger", "verify", str(ledger), *trusted]) == 0
    out = capsys.readouterr().out
    assert "lock signed by key" in out and "signed by key" in out
    with open_ledger(ledger, read_only=True) as opened:
        head = opened.head()[1]
        recorded_lock_head = opened.get(1).lock_head
    assert main(["ledger", "verify", str(ledger), "--head", head, *trusted]) == 0
    assert main(["ledger", "verify", str(ledger), "--head", "f" * 64]) == 1
    assert "head-missing" in capsys.readouterr().out
    assert (
        main(["verify", "--policies", str(policies), "--lock-head", str(recorded_lock_head)]) == 0
    )
    assert main(["ledger", "verify", str(ledger), "--require-signed"]) == 2  # no key to check


def test_summary_prints_in_a_non_utf8_locale(tmp_path: Path) -> None:
    """Under an ASCII locale the run prints its Chinese summary as UTF-8, not a traceback."""
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "PYTHONUTF8": "0"}
    command = [sys.executable, "-m", "policyengine", "demo", "--out", str(tmp_path / "demo")]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-500:]
    assert "应发工资".encode() in done.stdout
    assert b"Traceback" not in done.stderr


def test_entities_yaml_is_locked_like_a_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An entities.yaml edited after it was published is a draft that run refuses until it is
    locked as the next version; a published entities.yaml that is gone is a verify finding."""
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    kinds = policies / "entities.yaml"
    kinds.write_text(kinds.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    month = ["run", "--policies", str(policies), "--period", "2026-01"]
    month += ["--facts", str(ROOT / "examples" / "2026-01")]
    capsys.readouterr()
    assert main(month) == 2
    assert codes_printed(capsys.readouterr().err) == ["draft-in-use"]
    assert main(["lock", "--policies", str(policies), "--date", "2026-06-20"]) == 0
    assert "locked entities.yaml (entities 2)" in capsys.readouterr().out
    assert main(month) == 0
    kinds.unlink()
    capsys.readouterr()
    assert main(["verify", "--policies", str(policies)]) == 1
    assert "locked-file-missing" in capsys.readouterr().out


def test_a_lock_from_before_entities_were_locked_keeps_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A lock written before entities.yaml was locked lists no entities line: its folder
    runs as it did, with a note, and the next lock publishes entities.yaml."""
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    lock = policies / "policies.lock"
    lines = lock.read_text(encoding="utf-8").splitlines(keepends=True)
    lock.write_text("".join(x for x in lines if not x.startswith("entities.yaml")), "utf-8")
    month = ["run", "--policies", str(policies), "--period", "2026-01"]
    month += ["--facts", str(ROOT / "examples" / "2026-01")]
    capsys.readouterr()
    assert main(month) == 0
    assert "entities.yaml is not in the lock" in capsys.readouterr().err
    assert main(["verify", "--policies", str(policies)]) == 0
    assert main(["lock", "--policies", str(policies), "--date", "2026-06-20"]) == 0
    assert "locked entities.yaml (entities 1)" in capsys.readouterr().out
    assert main(month) == 0
    assert "not in the lock" not in capsys.readouterr().err


def test_ledger_is_held_against_the_lock(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ledger verify --lock: a run whose recorded lock head the signed lock no longer holds
    (its last line cut off after the run) is head-missing, with no kept head needed; a
    version used with another SHA-256 than the lock publishes is sha-conflict."""
    key, policies = tmp_path / "payroll.key", folder / "policies"
    lock_file = policies / "policies.lock"
    assert main(["keys", "new", str(key)]) == 0
    assert main(["lock", "--policies", str(policies), "--key", str(key)]) == 0
    ledger = tmp_path / "ledger.sqlite"
    assert run(folder, ledger, "--new-ledger", "--key", str(key)) == 0
    against = ["ledger", "verify", str(ledger), "--lock", str(lock_file)]
    assert main(against) == 0
    lines = lock_file.read_text(encoding="utf-8").splitlines()
    lock_file.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(against) == 1
    assert codes_printed(capsys.readouterr().out)[0] == "head-missing"
    edited = [line.replace("sha256:6", "sha256:7") for line in lines[:-1]]
    lock_file.write_text("\n".join(edited) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(against) == 1
    assert "sha-conflict" in codes_printed(capsys.readouterr().out)


def test_ledger_backup_is_a_verified_snapshot_that_never_overwrites(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ledger backup copies the ledger with SQLite's online backup: the copy verifies with the
    same head; a backup never overwrites a file, and needs its destination."""
    ledger, copy = tmp_path / "ledger.sqlite", tmp_path / "backup.sqlite"
    assert run(folder, ledger, "--new-ledger") == 0
    assert main(["ledger", "backup", str(ledger), str(copy)]) == 0
    with open_ledger(ledger, read_only=True) as a, open_ledger(copy, read_only=True) as b:
        assert b.verify() == [] and a.head() == b.head()
        head = a.head()[1]
    assert f"head {head}" in capsys.readouterr().out
    before = copy.read_bytes()
    assert main(["ledger", "backup", str(ledger), str(copy)]) == 2
    assert main(["ledger", "backup", str(ledger)]) == 2
    assert codes_printed(capsys.readouterr().err) == ["ledger-exists", "file-not-found"]
    assert copy.read_bytes() == before


def test_draft_is_the_short_name_of_allow_drafts(tmp_path: Path) -> None:
    """`run --draft` (the issue's name for a trial run) is `--allow-drafts`."""
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    (policies / "policies.lock").unlink()  # every version a draft
    month = ["run", "--policies", str(policies), "--period", "2026-01"]
    month += ["--facts", str(ROOT / "examples" / "2026-01")]
    assert main(month) == 2
    assert main([*month, "--draft"]) == 0


def test_replay_with_trust_refuses_runs_the_key_no_longer_vouches_for(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A signature edited behind the ledger's back leaves its chain whole: replay alone
    replays the run 'identical' to itself, replay --trust refuses the ledger first."""
    key, policies = tmp_path / "payroll.key", folder / "policies"
    assert main(["keys", "new", str(key)]) == 0
    assert main(["lock", "--policies", str(policies), "--key", str(key)]) == 0
    ledger = tmp_path / "ledger.sqlite"
    assert run(folder, ledger, "--new-ledger", "--key", str(key)) == 0
    with forging(ledger) as db:
        (signature,) = db.execute("SELECT signature FROM seals WHERE run_id = 1").fetchone()
        forged = ("0" if signature[-1] != "0" else "1") * 128
        db.execute("UPDATE seals SET signature = ? WHERE run_id = 1", (signature[:-128] + forged,))
    capsys.readouterr()
    assert main(["replay", "--ledger", str(ledger), "--all"]) == 0
    trusted = ["--trust", str(key) + ".pub"]
    for chosen in (["--all"], ["--run", "1"]):
        assert main(["replay", "--ledger", str(ledger), *chosen, *trusted]) == 2
    assert codes_printed(capsys.readouterr().err) == ["ledger-broken", "ledger-broken"]
