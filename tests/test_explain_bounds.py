"""An explanation is bounded: a long chain of rules is explained to a depth, then named.

A chain of 600 rules once gave 2.9 MB of explanation (each level indented
further) and a longer one ran out of stack. Past the bounds of
``run/_trace.py`` a value is shown with its figure and the way to continue.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import policyengine
from policyengine.run import _trace


def _chain(tmp_path: Path, length: int) -> policyengine.Policy:
    lines = [
        "format: 1",
        "policy: chain",
        'version: "1"',
        "title: chain",
        "effective_from: 2026-01-01",
        "key: id",
        "inputs: {id: string, x: money}",
        "rules:",
        "  - {id: r0, kind: formula, expr: x + 1}",
    ]
    lines += [f"  - {{id: r{i}, kind: formula, expr: r{i - 1} + 1}}" for i in range(1, length)]
    path = tmp_path / "chain" / "1.yaml"
    path.parent.mkdir()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return policyengine.load_policy(path)


@pytest.mark.parametrize("length", [10, 600])
def test_a_long_chain_is_explained_to_a_depth(tmp_path: Path, length: int) -> None:
    policy = _chain(tmp_path, length)
    result = policy.evaluate({"id": "A", "x": "1.00"})
    text = result.explain(f"r{length - 1}")
    assert text.startswith(f"r{length - 1} = {length + 1}.00")
    if length <= _trace.MAX_DEPTH:
        assert "to continue" not in text and "input x = 1.00" in text
        return
    assert len(text) < 20_000
    cut = length - _trace.MAX_DEPTH - 1
    assert f"r{cut} = {cut + 2}.00" in text and f"explain r{cut} to continue" in text
    # Explaining the value named continues the explanation from it.
    assert result.explain(f"r{cut}").startswith(f"r{cut} = {cut + 2}.00")


def test_the_trace_data_marks_what_it_does_not_explain(tmp_path: Path) -> None:
    policy = _chain(tmp_path, 100)
    result = policy.evaluate({"id": "A", "x": "1.00"})
    data = result.trace("r99")
    depth = 0
    while data["because"]:
        (data,) = data["because"]
        depth += 1
        if data.get("cut"):
            break
    assert data.get("cut") is True and depth == _trace.MAX_DEPTH
