"""One layout of a policy folder: every command that reads it sees the same versions,
and a YAML file that is not a version is refused by all of them, never used by one and
skipped by another."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

import policyengine
from policyengine.cli._main import main
from policyengine.errors import InvalidPolicy
from policyengine.load._layout import read_layout
from policyengine.load._lock import lock, scan, verify

CENTRE = Path(__file__).parent / "fixtures" / "centre"
DAY = datetime.date(2026, 1, 1)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "policies"
    shutil.copytree(CENTRE, root)
    return root


def _codes(error: InvalidPolicy) -> list[tuple[str, str]]:
    return [(p.code, p.details.get("path", "")) for p in error.problems]


def test_the_versions_are_the_policy_files_one_level_down(folder: Path) -> None:
    """Versions are <policy>/<version>.yaml; entities.yaml is not a version."""
    layout = read_layout(folder)
    assert layout.versions == tuple(
        sorted(p.relative_to(folder).as_posix() for p in folder.glob("*/*.yaml"))
    )
    assert layout.stray == ()
    assert layout.entities == folder / "entities.yaml"


def test_what_is_not_yaml_or_is_hidden_away_is_ignored(folder: Path) -> None:
    """Hidden folders, non-YAML files and editor backups change nothing."""
    before = read_layout(folder).versions
    (folder / ".git").mkdir()
    (folder / ".git" / "config.yaml").write_text("x: 1\n", encoding="utf-8")
    (folder / "README.md").write_text("# policies\n", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\0")
    (folder / "stars" / "2026-01.yaml~").write_text("backup\n", encoding="utf-8")
    layout = read_layout(folder)
    assert (layout.versions, layout.stray) == (before, ())
    assert policyengine.load(folder).versions  # and the folder still loads


@pytest.mark.parametrize(
    "stray",
    [
        "stars/.2026-10.yaml",  # hidden: used by run but skipped by lock and verify, once
        "stars/2026-10.YAML",
        "stars.yaml",
        "stars/old/2025-01.yaml",
    ],
)
def test_a_yaml_file_that_is_not_a_version_is_refused_everywhere(
    folder: Path, stray: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """load (run), validate, verify and lock all report the same stray file, by path."""
    source = folder / "stars" / "2026-01.yaml"
    target = folder / stray
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    assert read_layout(folder).stray == (stray,)
    with pytest.raises(InvalidPolicy) as loaded:
        policyengine.load(folder)
    assert ("stray-policy-file", stray) in _codes(loaded.value)
    assert [(p.code, p.details["path"]) for p in verify(folder, folder / "policies.lock")] == [
        ("stray-policy-file", stray)
    ]
    with pytest.raises(InvalidPolicy) as locked:
        lock(folder, folder / "policies.lock", DAY)
    assert _codes(locked.value) == [("stray-policy-file", stray)]
    assert not (folder / "policies.lock").exists()
    assert stray not in [path for path, *_ in scan(folder)]
    assert main(["validate", str(folder)]) == 2
    assert f"stray-policy-file: '{stray}'" in capsys.readouterr().out


def test_a_hidden_policy_file_among_loose_files_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """validate of loose files (no entities.yaml) refuses a hidden one as run would."""
    loose = tmp_path / "loose"
    loose.mkdir()
    shutil.copyfile(CENTRE / "stars" / "2026-01.yaml", loose / ".stars.yaml")
    assert main(["validate", str(loose)]) == 2
    out = capsys.readouterr().out
    assert "stray-policy-file" in out and ".stars.yaml" in out
