"""Paths that are not files: a named pipe or a device where a facts, policy or lock file
was expected is refused at once, located, never waited on nor read without end.

Each read runs in a thread the test waits for a few seconds: a reader that blocks on a
pipe, or reads ``/dev/zero`` until the memory is gone, fails the test instead of
hanging the suite.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_facts_files import rep_fields

import policyengine
from policyengine.cli._main import main
from policyengine.core._reading import NotARegularFile, read_limited
from policyengine.errors import FactsFileError, InvalidPolicy
from policyengine.facts._io import read_bundle_facts, read_facts
from policyengine.load._lock_file import load_lock

ROOT = Path(__file__).resolve().parent.parent
DEVICE = Path("/dev/zero")
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
needs_device = pytest.mark.skipif(not DEVICE.exists(), reason="no /dev/zero here")


def promptly(call: Callable[[], Any], seconds: float = 10) -> Any:
    """``call()``'s outcome (its value, or the exception it raised), failing the test
    when it has not come within ``seconds``."""
    outcome: list[Any] = []

    def target() -> None:
        try:
            outcome.append(call())
        except BaseException as error:  # handed to the test, which asserts on it
            outcome.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"still reading after {seconds} s: the path was waited on or read on"
    return outcome[0]


@pytest.fixture(params=["fifo", "device"])
def not_a_file(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[Path], None]:
    """Puts a named pipe, or a link to /dev/zero, at a given path."""
    if request.param == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("named pipes are POSIX")
        return lambda path: os.mkfifo(path)
    if not DEVICE.exists():
        pytest.skip("no /dev/zero here")
    return lambda path: path.symlink_to(DEVICE)


def test_a_regular_file_is_read_to_one_byte_past_the_limit(tmp_path: Path) -> None:
    """The bound a caller gives is kept: one byte more tells it the file is too large."""
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 100)
    assert read_limited(path, 10) == b"x" * 11
    assert read_limited(path, 100) == b"x" * 100


def test_a_pipe_or_device_is_refused_before_a_byte_is_read(
    tmp_path: Path, not_a_file: Callable[[Path], None]
) -> None:
    path = tmp_path / "rep.csv"
    not_a_file(path)
    assert isinstance(promptly(lambda: read_limited(path, 1 << 20)), NotARegularFile)
    assert isinstance(promptly(lambda: read_limited(tmp_path, 10)), IsADirectoryError)


def test_a_facts_file_that_is_a_pipe_or_device_is_unreadable_facts(
    tmp_path: Path, not_a_file: Callable[[Path], None]
) -> None:
    """Alone or as a kind of a month's folder, or as a month's one JSON file: the file
    is named, the code says it cannot be read and the hint what to put there."""
    month = tmp_path / "month"
    shutil.copytree(ROOT / "examples" / "2026-03", month)
    (month / "rep.csv").unlink()
    not_a_file(month / "rep.csv")
    not_a_file(tmp_path / "month.json")
    refusals = [
        promptly(lambda: read_facts(month / "rep.csv", rep_fields())),
        promptly(lambda: read_bundle_facts(month, {"rep": rep_fields()})),
        promptly(lambda: read_bundle_facts(tmp_path / "month.json", {})),
    ]
    for refused, file in zip(refusals, ["rep.csv", "rep.csv", "month.json"], strict=True):
        assert isinstance(refused, FactsFileError), refused
        assert refused.code == "unreadable-facts"
        assert Path(str(refused.location.file)).name == file
        assert "pipe, a device or a socket" in refused.message
        assert refused.hint is not None and "file itself" in refused.hint


@needs_device
def test_a_month_folder_holding_a_device_is_refused_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`run` exits 2 with the file and the refusal in the command's language: no
    traceback, and no memory filled by a file that never ends."""
    month = tmp_path / "month"
    shutil.copytree(ROOT / "examples" / "2026-03", month)
    (month / "call.csv").unlink()
    (month / "call.csv").symlink_to(DEVICE)
    arguments = ["--lang", "zh", "run", "--policies", str(ROOT / "policies")]
    arguments += ["--period", "2026-03", "--facts", str(month), "--out", str(tmp_path / "p.csv")]
    code = promptly(lambda: main(arguments), seconds=60)
    printed, errors = capsys.readouterr()
    assert code == 2, printed + errors
    assert "call.csv" in errors and "不是文件，而是管道、设备或套接字" in errors
    assert "Traceback" not in errors
    assert not (tmp_path / "p.csv").exists()


def test_a_policy_version_that_is_a_pipe_or_device_is_named_and_the_rest_checked(
    tmp_path: Path, not_a_file: Callable[[Path], None]
) -> None:
    """Loading a folder whose version file is a pipe or a device: that file is
    ``unreadable-file`` (form not-a-file), at its path, and loading finishes."""
    folder = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", folder)
    (folder / "policies.lock").unlink()
    not_a_file(folder / "commission" / "2099-01.yaml")
    refused = promptly(lambda: policyengine.load(folder))
    assert isinstance(refused, InvalidPolicy), refused
    found = [p for p in refused.problems if p.code == "unreadable-file"]
    assert [Path(str(p.location.file)).name for p in found] == ["2099-01.yaml"]
    assert "not a file but a pipe" in found[0].message


def test_a_lock_that_is_a_pipe_or_device_is_unreadable_not_read(
    tmp_path: Path, not_a_file: Callable[[Path], None]
) -> None:
    lock = tmp_path / "policies.lock"
    not_a_file(lock)
    entries, problems = promptly(lambda: load_lock(lock))
    assert entries == [] and [p.code for p in problems] == ["unreadable-file"]


def test_a_lock_over_its_bound_is_refused_without_reading_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from policyengine.load import _lock_file

    lock = tmp_path / "policies.lock"
    lock.write_bytes((ROOT / "policies" / "policies.lock").read_bytes())
    monkeypatch.setattr(_lock_file, "MAX_LOCK_BYTES", 100)
    entries, problems = load_lock(lock)
    assert entries == [] and [p.code for p in problems] == ["lock-syntax"]
    assert "over" in problems[0].message


@pytest.mark.parametrize("command", ["run", "eval"])
def test_a_file_named_as_the_policy_folder_is_said_to_be_no_folder(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--policies` naming a file: one line, not-a-repository, and not the lock beside
    it (`run` looked for FILE/policies.lock) nor 59 names the policy could not find
    (`eval` checked the policy without its folder's record kinds)."""
    facts = ROOT / "examples" / "2026-03"
    named = str(facts / "rep.csv")
    arguments = ["--lang", "en", command, "--policies", named, "--period", "2026-03"]
    if command == "run":
        arguments += ["--facts", str(facts), "--out", "never-written.csv"]
    else:
        arguments += [str(ROOT / "policies" / "commission" / "2026-01.yaml")]
        arguments += ["--facts", named]
    assert main(arguments) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [f"{named}: not-a-repository: {named} is not a folder"]


def test_a_small_file_is_read_without_setting_the_limit_aside(tmp_path: Path) -> None:
    """A read sets aside what it asks for: a 100-byte file under a 512 MiB limit must
    not cost 512 MiB (the fuzzed facts files are held to a memory bound)."""
    import tracemalloc

    path = tmp_path / "small.csv"
    path.write_bytes(b"x" * 100)
    tracemalloc.start()
    try:
        assert read_limited(path, 512 * 2**20) == b"x" * 100
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20, peak


def test_a_file_that_grows_while_read_is_read_to_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first read asks for the size the file had; what was added since is read on,
    a piece at a time, to one byte past the limit."""
    from policyengine.core import _reading

    path = tmp_path / "growing.csv"
    path.write_bytes(b"x" * 10)
    real_fstat = os.fstat
    asked: list[int] = []

    def stale(descriptor: int) -> os.stat_result:
        found = real_fstat(descriptor)
        asked.append(found.st_size)
        if len(asked) == 2:  # the size read_limited reads by, then 50 bytes appended
            with path.open("ab") as grow:
                grow.write(b"y" * 50)
        return found

    monkeypatch.setattr(_reading, "_PIECE", 7)
    monkeypatch.setattr(_reading.os, "fstat", stale)
    assert read_limited(path, 40) == b"x" * 10 + b"y" * 31
    assert asked == [10, 10]
