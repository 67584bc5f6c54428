"""A version is published only when its folder loads and its own tests pass.

``lock`` records a version file for good (a correction is a new version), so it must
never publish one that does not load or whose embedded tests fail: a band typed
``3.6%`` where 3.8% was decided is a rate like any other to the type checker, and only
the version's own test, which expects 3.8%, tells. These tests publish a copy of the
standalone example's commission policy as a new version, with such a slip and with a
broken expression, and check that nothing is locked and each problem is said where it
is written; that versions published before keep their verdict; and that a sound new
version is locked as ever.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path
from typing import Any

import pytest

from policyengine import InvalidPolicy
from policyengine.audit.lock import lock, read_lock
from policyengine.cli._main import main
from policyengine.load._lock import lock as lock_files

STANDALONE = Path(__file__).parent.parent / "examples" / "standalone" / "policies"
DAY = datetime.date(2026, 6, 20)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copied = tmp_path / "policies"
    shutil.copytree(STANDALONE, copied)
    return copied


def new_version(folder: Path, label: str, *edits: tuple[str, str]) -> Path:
    """The April version copied as ``label`` (in force from its first day), edited."""
    text = (folder / "commission" / "2026-04.yaml").read_text(encoding="utf-8")
    text = text.replace('"2026-04"', f'"{label}"').replace("2026-04-01", f"{label}-01")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = folder / "commission" / f"{label}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_version_whose_tests_fail_is_not_published(folder: Path) -> None:
    path = new_version(folder, "2026-07", ("value: 3.8%", "value: 3.6%"))
    before = (folder / "policies.lock").read_bytes()
    with pytest.raises(InvalidPolicy) as refused:
        lock(folder, folder / "policies.lock", DAY)
    problems = refused.value.problems
    assert problems and {p.code for p in problems} == {"test-failed"}
    first = problems[0]
    assert first.location.file == str(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert "二档整额计提" in lines[first.location.line - 1]  # the case's own line
    assert first.details["output"] == "commission_rate"
    assert (first.details["expected"], first.details["actual"]) == ("3.8%", "3.6%")
    assert (folder / "policies.lock").read_bytes() == before  # nothing was locked


def test_a_version_that_does_not_load_is_not_published(folder: Path) -> None:
    new_version(folder, "2026-07", ("expr: dials >= min_dials", "expr: dials >= min_dials and"))
    before = (folder / "policies.lock").read_bytes()
    with pytest.raises(InvalidPolicy) as refused:
        lock(folder, folder / "policies.lock", DAY)
    assert "expression-syntax" in {p.code for p in refused.value.problems}
    assert (folder / "policies.lock").read_bytes() == before
    # The lock underneath publishes files as they are: only the gate refuses them.
    assert [e.path for e in lock_files(folder, folder / "policies.lock", DAY)] == [
        "commission/2026-07.yaml"
    ]


def test_versions_published_before_keep_their_verdict(folder: Path) -> None:
    """A version already in the lock is not tested again: its file can no longer change,
    and a sound new version is published beside it."""
    new_version(folder, "2026-07", ("value: 3.8%", "value: 3.6%"))
    lock_files(folder, folder / "policies.lock", DAY)  # published with its slip, by hand
    new_version(folder, "2026-10")
    added = lock(folder, folder / "policies.lock", DAY)
    assert [e.path for e in added] == ["commission/2026-10.yaml"]
    assert "commission/2026-10.yaml" in {e.path for e in read_lock(folder / "policies.lock")}


def test_the_command_says_every_failing_test_and_locks_nothing(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new_version(folder, "2026-07", ("value: 3.8%", "value: 3.6%"))
    before = (folder / "policies.lock").read_bytes()
    assert main(["lock", "--policies", str(folder), "--date", "2026-06-20"]) == 2
    said = capsys.readouterr()
    text = said.out + said.err
    assert "test-failed" in text and "expects commission_rate 3.8% but gets 3.6%" in text
    assert "nothing was locked" in text
    assert "Traceback" not in text
    assert (folder / "policies.lock").read_bytes() == before
    assert main(["--lang", "zh", "lock", "--policies", str(folder), "--date", "2026-06-20"]) == 2
    assert "期望 commission_rate 为 3.8%，算出的却是 3.6%" in capsys.readouterr().err


def test_the_test_command_shows_a_rate_as_the_test_writes_it(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`policyengine test` says the slipped band's rate as the case expects it, a
    percentage: "expected 3.8%, got 3.6%", not "got 0.036", as `lock` says it."""
    path = new_version(folder, "2026-07", ("value: 3.8%", "value: 3.6%"))
    assert main(["--lang", "en", "test", str(path)]) == 1
    assert "commission_rate: expected 3.8%, got 3.6%" in capsys.readouterr().out


def test_a_version_saved_again_after_its_tests_ran_is_not_published(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock holds only bytes whose tests passed: a file saved again while its tests
    run (here, by the test runner itself) is refused and nothing is locked."""
    import policyengine.audit._publish as publish

    path = new_version(folder, "2026-07")
    tests_of = publish.run_tests

    def edited_while_testing(policies: Any) -> Any:
        outcomes = tests_of(policies)
        path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        return outcomes

    monkeypatch.setattr(publish, "run_tests", edited_while_testing)
    before = (folder / "policies.lock").read_bytes()
    with pytest.raises(InvalidPolicy) as refused:
        lock(folder, folder / "policies.lock", DAY)
    [problem] = refused.value.problems
    assert (problem.code, problem.form) == ("test-failed", "changed")
    assert problem.location.file == str(path)
    assert (folder / "policies.lock").read_bytes() == before
    monkeypatch.setattr(publish, "run_tests", tests_of)
    assert [e.path for e in lock(folder, folder / "policies.lock", DAY)] == [
        "commission/2026-07.yaml"
    ]


def test_a_new_version_taking_effect_before_a_published_one_is_not_published(
    folder: Path,
) -> None:
    """Published: January and April. A version labelled 2026-07 but taking effect in
    February would change February and March, already paid, without a word: refused
    (backdated-publication, form effect) at its file; taking effect in July it is
    published."""
    path = new_version(folder, "2026-07")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("2026-07-01", "2026-02-01"), encoding="utf-8")
    with pytest.raises(InvalidPolicy) as refused:
        lock(folder, folder / "policies.lock", DAY)
    (problem,) = refused.value.problems
    assert (problem.code, problem.form) == ("backdated-publication", "effect")
    assert problem.location.file == str(path)
    assert "commission/2026-04.yaml" in problem.message
    path.write_text(text, encoding="utf-8")
    assert [e.version for e in lock(folder, folder / "policies.lock", DAY)] == ["2026-07"]
