"""pytest collects each embedded policy case as one test item, only under the configured folders."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from helpers import HEADER

POLICY = HEADER + textwrap.dedent("""\
    inputs: {x: decimal}
    rules:
      - {id: y, kind: formula, expr: x * 2, source: 第一条}
    tests:
      - {name: doubles, facts: {x: 2}, expect: {y: 4}}
      - {name: wrong on purpose, facts: {x: 2}, expect: {y: 5}}
    """)


def _pytest(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def test_cases_are_items_and_failures_explain(tmp_path: Path) -> None:
    """Two cases give two items; the failing one shows expected, actual and the explanation."""
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "p.yaml").write_text(POLICY, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\npolicyengine_paths = policies\n", encoding="utf-8"
    )
    done = _pytest(tmp_path, "policies")
    assert done.returncode == 1, done.stdout
    assert "1 failed, 1 passed" in done.stdout
    assert "y: expected 5, got 4" in done.stdout
    assert "第一条" in done.stdout


def test_yaml_outside_the_configured_folders_is_ignored(tmp_path: Path) -> None:
    """Without policyengine_paths, installing the package makes pytest collect no YAML."""
    (tmp_path / "p.yaml").write_text(POLICY, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    done = _pytest(tmp_path, ".")
    assert done.returncode == 5, done.stdout  # pytest's "no tests collected"


def test_a_broken_policy_is_one_failing_item(tmp_path: Path) -> None:
    """A policy that does not load is reported as a failing item listing its problems."""
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "p.yaml").write_text(
        POLICY.replace("x * 2", "z * 2"), encoding="utf-8"
    )
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\npolicyengine_paths = policies\n", encoding="utf-8"
    )
    done = _pytest(tmp_path, "policies")
    assert done.returncode == 1
    assert "unknown-name" in done.stdout
