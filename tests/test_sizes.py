"""The package stays in pieces a reader can hold: no module over 400 lines and no
function over 60 (issue 10's measure; tests and tools aside)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "policyengine"
MODULE_LINES = 400
FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_package_has_modules_to_measure() -> None:
    """The walk finds the package (a measure of nothing would pass anything)."""
    names = {p.relative_to(PACKAGE).as_posix() for p in _modules()}
    assert {"month.py", "rules/tiers.py", "run/_runner.py"} <= names


def test_no_module_is_over_400_lines() -> None:
    """Around 400 lines is where a module is split (STYLE.md)."""
    long = {
        p.relative_to(PACKAGE).as_posix(): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MODULE_LINES
    }
    assert long == {}


def test_no_function_is_over_60_lines() -> None:
    """A function, decorators aside, from its def to its last line."""
    long = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > FUNCTION_LINES:
                    long[f"{path.relative_to(PACKAGE).as_posix()}:{node.name}"] = length
    assert long == {}
