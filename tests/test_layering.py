"""The package's modules import each other in one direction: no cycle, not even through an
import inside a function, and the phases that must not reach later ones do not.

The graph is read from the source: every ``import`` and ``from … import`` anywhere in a
module, at its top or inside a function. Imports under ``if TYPE_CHECKING:`` name types
only and never run, so they are left out.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "policyengine"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _type_only(tree: ast.AST) -> set[int]:
    """The nodes under ``if TYPE_CHECKING:``."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            found.update(id(inner) for sub in node.body for inner in ast.walk(sub))
    return found


def _targets(name: str, path: Path, node: ast.Import | ast.ImportFrom) -> Iterable[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    if node.level:
        base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join([*base, *([node.module] if node.module else [])])
    else:
        source = node.module or ""
    for alias in node.names:
        submodule = f"{source}.{alias.name}"
        yield submodule if submodule in MODULES else source


@functools.cache
def imports() -> dict[str, dict[str, int]]:
    """module -> the package modules it imports -> the first line doing so."""
    graph: dict[str, dict[str, int]] = {name: {} for name in MODULES}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _type_only(tree)
        for node in ast.walk(tree):
            if id(node) in skipped or not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in _targets(name, path, node):
                # A module's own package is loaded before it anyway: not an edge.
                if target in MODULES and target != name and not name.startswith(target + "."):
                    graph[name].setdefault(target, node.lineno)
    return graph


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (iteratively, by Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            following = next(edges, None)
            if following is not None:
                if following not in index:
                    index[following] = low[following] = len(index)
                    stack.append(following)
                    on_stack.add(following)
                    work.append((following, iter(graph[following])))
                elif following in on_stack:
                    low[node] = min(low[node], index[following])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_the_cycle_finder_finds_cycles() -> None:
    """The finder itself: a three-module loop is found, a chain is not."""
    loop = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}
    assert cycles(loop) == [["a", "b", "c"]]
    assert cycles({"a": {"b": 1}, "b": {}, "c": {"a": 1}}) == []


def test_the_graph_sees_imports_inside_functions() -> None:
    """An import inside a function counts (the repository's month evaluation imports the
    bundle's evaluation where it runs it)."""
    assert "policyengine.bundle" in imports()["policyengine.repository"]
    assert "policyengine.codes" in imports()["policyengine.errors"]


def test_no_module_imports_itself_back() -> None:
    """No cycle among the package's modules, counting imports inside functions."""
    graph = imports()
    described = [
        [f"{a} -> {b} (line {graph[a][b]})" for a in group for b in graph[a] if b in group]
        for group in cycles(graph)
    ]
    assert described == []


#: The modules of the expression language (``expressions`` is where the package imports it).
LANGUAGE = [
    "policyengine.value_kinds",
    "policyengine.operators",
    "policyengine.functions",
    "policyengine.shared_runtime",
    "policyengine.expression_checker",
    "policyengine.expression_parser",
    "policyengine.reference_evaluator",
    "policyengine.expression_translator",
    "policyengine.compiler",
    "policyengine.expressions",
]

#: Modules that must not reach a later phase: (module prefixes, forbidden prefixes, why).
CONTRACTS = [
    (
        ["policyengine.codes"],
        ["policyengine"],
        "the table of codes is data, read without the engine",
    ),
    (
        LANGUAGE,
        [
            "policyengine.model",
            "policyengine.rules",
            "policyengine.program",
            "policyengine.engine",
            "policyengine.runner",
            "policyengine.bundle",
        ],
        "the expression language knows nothing of policies",
    ),
    (
        ["policyengine.model"],
        [
            "policyengine.program",
            "policyengine.engine",
            "policyengine.runner",
            "policyengine.bundle",
            "policyengine.repository",
            "policyengine.build",
        ],
        "a policy is data: compiling and evaluating it register themselves (model.RUNTIME)",
    ),
    (
        [
            *LANGUAGE,
            "policyengine.program",
            "policyengine.engine",
            "policyengine.runner",
            "policyengine.rules",
            "policyengine.trace",
        ],
        [
            "policyengine.io",
            "policyengine.audit",
            "policyengine.report",
            "policyengine.writers",
            "policyengine.summary",
            "policyengine.month",
            "policyengine.repository",
            "policyengine.replay",
            "policyengine.layout",
            "policyengine.progress",
        ],
        "evaluation does no I/O: files, ledgers and output belong to the steps around it",
    ),
    (
        [
            name
            for name in MODULES
            if not name.startswith(("policyengine.cli", "policyengine.__main__"))
            and name != "policyengine"
        ],
        ["policyengine.cli", "policyengine.__main__"],
        "the command line is the last layer: the library never imports it",
    ),
]


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


@pytest.mark.parametrize(("modules", "forbidden", "why"), CONTRACTS, ids=lambda v: str(v)[:40])
def test_phases_do_not_reach_later_ones(modules: list[str], forbidden: list[str], why: str) -> None:
    """Each contract: none of ``modules`` imports any of ``forbidden``."""
    graph = imports()
    broken = [
        f"{name} -> {target} (line {line})"
        for name in graph
        if any(_within(name, m) for m in modules)
        for target, line in graph[name].items()
        if any(_within(target, f) for f in forbidden)
    ]
    assert broken == [], why


def test_every_language_module_is_under_the_contracts() -> None:
    """A module the expression language grows is named in LANGUAGE, or its imports would
    escape the contracts: the modules the language's two doors (``expressions``, what the
    package checks and evaluates with, and ``compiler``) reach are LANGUAGE and the support
    modules every layer uses."""
    graph = imports()
    reached: set[str] = set()
    todo = ["policyengine.expressions", "policyengine.compiler"]
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo.extend(graph[name])
    support = {"codes", "errors", "numbers", "suggest"}
    assert sorted(reached - {f"policyengine.{name}" for name in support}) == sorted(LANGUAGE)


def test_a_contract_can_be_broken() -> None:
    """The contract check sees a forbidden import: the engine does import the model."""
    graph = imports()
    assert any(_within(t, "policyengine.model") for t in graph["policyengine.engine"])
