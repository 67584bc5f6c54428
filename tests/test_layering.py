"""The package's modules import each other in one direction: no cycle, not even through an
import inside a function, and each phase imports only itself and the phases before it.

The package is cut into phases, in the order a month passes through them (``PHASES``);
every module belongs to exactly one, or is one of the documented public façades
(``FACADES``) that keep an old module path working by re-exporting from a phase.

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
    """An import inside a function counts (the trace imports the rule kinds where it
    explains a rule; building a policy reads ``entities.yaml`` where it needs it)."""
    assert "policyengine.rules" in imports()["policyengine.run._trace"]
    assert "policyengine.facts._entities_file" in imports()["policyengine.load._build"]
    assert "policyengine.codes" in imports()["policyengine.errors"]


def test_no_module_imports_itself_back() -> None:
    """No cycle among the package's modules, counting imports inside functions."""
    graph = imports()
    described = [
        [f"{a} -> {b} (line {graph[a][b]})" for a in group for b in graph[a] if b in group]
        for group in cycles(graph)
    ]
    assert described == []


#: The phases, in order: (name, the module prefixes it holds, what it does). A module may
#: import its own phase and the phases above it, never one below.
PHASES = [
    (
        "core",
        ["policyengine.core", "policyengine.codes", "policyengine.errors", "policyengine.version"],
        "support every phase shares: numbers, the month, error codes and classes, versions",
    ),
    ("read", ["policyengine.read"], "a file's bytes into a located YAML document, schema-checked"),
    ("language", ["policyengine.language"], "the expression language: parse, check, compile"),
    ("model", ["policyengine.model"], "a policy as frozen data"),
    ("rules", ["policyengine.rules"], "the rule kinds: build, compile, evaluate, explain"),
    ("facts", ["policyengine.facts"], "records checked and typed; facts files; record kinds"),
    ("load", ["policyengine.load"], "a policy file built, a bundle planned, a folder laid out"),
    ("run", ["policyengine.run"], "a policy or a month's bundle evaluated; the repository"),
    ("present", ["policyengine.present"], "a month's result as tables, files and text"),
    ("audit", ["policyengine.audit"], "the ledger, replay and diff"),
    (
        "month",
        [
            "policyengine.month",
            "policyengine._month_ledger",
            "policyengine._month_report",
            "policyengine._month_facts",
        ],
        "the month's run as library code, end to end",
    ),
    (
        "cli",
        ["policyengine.cli", "policyengine.__main__", "policyengine.pytest_plugin"],
        "the entry points: the command line and the pytest plugin; nothing imports them",
    ),
]

#: The documented module paths kept as thin façades (docs/api.md and the other docs name
#: them), and the package itself: each may import any phase, and no phase imports them.
FACADES = [
    "policyengine",
    "policyengine.audit.lock",
    "policyengine.diff",
    "policyengine.engine",
    "policyengine.entities",
    "policyengine.facts_file",
    "policyengine.functions",
    "policyengine.io",
    "policyengine.replay",
    "policyengine.report",
    "policyengine.sample",
    "policyengine.summary",
    "policyengine.writers",
]


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def phase_of(name: str) -> list[int]:
    """The indexes of the phases ``name`` belongs to (one, for every module but a façade)."""
    if name in FACADES:
        return []
    return [
        i for i, (_, prefixes, _) in enumerate(PHASES) if any(_within(name, p) for p in prefixes)
    ]


def test_every_module_belongs_to_exactly_one_phase() -> None:
    """A module left out of PHASES (or in two) fails here, so its imports cannot escape."""
    unplaced = [name for name in MODULES if name not in FACADES and len(phase_of(name)) != 1]
    assert unplaced == []
    assert all(name in MODULES for name in FACADES)


def later_imports(graph: dict[str, dict[str, int]]) -> list[str]:
    """Every import of a later phase, or of a façade, by a module of a phase."""
    broken = []
    for name, targets in graph.items():
        if name in FACADES:
            continue
        (own,) = phase_of(name)
        for target, line in targets.items():
            if target in FACADES:
                broken.append(f"{name} -> {target} (line {line}): a façade is for users")
            elif phase_of(target)[0] > own:
                later = PHASES[phase_of(target)[0]][0]
                broken.append(f"{name} -> {target} (line {line}): {PHASES[own][0]} < {later}")
    return broken


def test_phases_import_only_themselves_and_earlier_ones() -> None:
    """Each module imports its own phase or an earlier one, never a later one."""
    assert later_imports(imports()) == []


def test_a_later_import_is_seen() -> None:
    """The check itself: the language importing the model, or the model a façade, is seen."""
    graph = {
        "policyengine.language._compiler": {"policyengine.model": 3},
        "policyengine.model": {"policyengine.io": 5, "policyengine.language._compiler": 4},
    }
    assert later_imports(graph) == [
        "policyengine.language._compiler -> policyengine.model (line 3): language < model",
        "policyengine.model -> policyengine.io (line 5): a façade is for users",
    ]


#: Within and across phases, what must stay out of reach: (module prefixes, forbidden, why).
CONTRACTS = [
    (
        ["policyengine.codes"],
        ["policyengine"],
        "the table of codes is data, read without the engine",
    ),
    (
        [
            "policyengine.language",
            "policyengine.rules",
            "policyengine.run._program",
            "policyengine.run._engine",
            "policyengine.run._runner",
            "policyengine.run._trace",
        ],
        [
            "policyengine.facts._io",
            "policyengine.load._layout",
            "policyengine.load._lock",
            "policyengine.run._repository",
            "policyengine.present",
            "policyengine.audit",
            "policyengine.month",
            "policyengine._month_ledger",
            "policyengine._month_report",
            "policyengine._month_facts",
        ],
        "evaluation does no I/O: files, ledgers and output belong to the steps around it",
    ),
]


@pytest.mark.parametrize(("modules", "forbidden", "why"), CONTRACTS, ids=lambda v: str(v)[:40])
def test_contracts(modules: list[str], forbidden: list[str], why: str) -> None:
    """Each contract: none of ``modules`` imports any of ``forbidden``."""
    graph = imports()
    broken = [
        f"{name} -> {target} (line {line})"
        for name in graph
        if any(_within(name, m) for m in modules)
        for target, line in graph[name].items()
        if any(_within(target, f) for f in forbidden) and not _within(target, name)
    ]
    assert broken == [], why
