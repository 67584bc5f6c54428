"""The documentation keeps in step with the code: names, functions, error codes, examples."""

from __future__ import annotations

import argparse
import ast
import doctest
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import policyengine
from policyengine.entities import load_entities
from policyengine.expressions import Evaluator, compile_expression
from policyengine.functions import FUNCTIONS, REFUSED_OPERATORS
from policyengine.rules import KINDS
from policyengine.rules.base import plain
from policyengine.source import read_policy_file

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
PACKAGE = ROOT / "policyengine"
#: The centre's policy folder: entities.yaml and five policies (examples beside entities.yaml).
CENTRE = ROOT / "tests" / "fixtures" / "centre"

KEBAB = re.compile(r"^[a-z]+(-[a-z]+)+$")
#: Functions and methods whose first argument is an error code.
CODE_HELPERS = frozenset(
    {"error", "problem", "_problem", "_fail", "make", "fail", "_refuse", "report", "_error"}
)
#: A finding the command line prints in the form of a rendered error: f"{where}: code: …".
PRINTED_CODE = re.compile(r"^: ([a-z]+(?:-[a-z]+)+): ")


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    """The body of the level-2 section ``## heading``, up to the next level-2 heading."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match is not None, f"no section '## {heading}'"
    return match.group(1)


def _cells(row: str) -> list[str]:
    """The cells of a Markdown table row; ``\\|`` is a literal bar inside a cell."""
    parts = re.split(r"(?<!\\)\|", row.strip())[1:-1]
    return [part.strip().replace("\\|", "|") for part in parts]


def _table_rows(text: str) -> Iterator[list[str]]:
    """The body rows of every Markdown table in ``text`` (header and rule rows left out)."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if not line.startswith("|") or re.fullmatch(r"\|[\s|:-]+\|", line):
            continue
        is_header = index + 1 < len(lines) and re.fullmatch(r"\|[\s|:-]+\|", lines[index + 1])
        if not is_header:
            yield _cells(line)


def _code_span(cell: str) -> str | None:
    match = re.fullmatch(r"`([^`]+)`", cell)
    return match.group(1) if match else None


# --- the public API ----------------------------------------------------------------


def _documented_public_names() -> list[str]:
    body = _section(_read(DOCS / "api.md"), "Public names")
    return re.findall(r"^- `([^`]+)`", body, re.M)


def test_every_exported_name_is_in_the_api_reference() -> None:
    """Every name in policyengine.__all__ appears in docs/api.md in backticks or a heading."""
    text = _read(DOCS / "api.md")
    headings = {
        line.lstrip("#").strip().strip("`") for line in text.splitlines() if line.startswith("#")
    }
    missing = [
        name for name in policyengine.__all__ if f"`{name}`" not in text and name not in headings
    ]
    assert missing == []


def test_public_names_list_matches_all() -> None:
    """The '## Public names' list of docs/api.md names exactly the names in __all__."""
    documented = _documented_public_names()
    assert len(documented) == len(set(documented)), "a name is listed twice"
    assert [n for n in documented if n not in policyengine.__all__] == []
    assert sorted(documented) == sorted(policyengine.__all__)


def test_api_examples_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every '>>>' example of docs/api.md runs from the repository root and prints what it shows."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    blocks = re.findall(r"```pycon\n(.*?)```", _read(DOCS / "api.md"), re.S)
    assert blocks
    test = doctest.DocTestParser().get_doctest(
        "\n".join(blocks), {}, "api.md", str(DOCS / "api.md"), 0
    )
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


# --- the expression language -------------------------------------------------------


def _function_rows() -> list[list[str]]:
    body = _section(_read(DOCS / "expressions.md"), "Functions")
    return list(_table_rows(body))


def test_every_function_is_in_the_function_table() -> None:
    """Each function of FUNCTIONS has a row in docs/expressions.md with its signature and doc."""
    rows = {_code_span(row[0]): row for row in _function_rows()}
    for name, function in FUNCTIONS.items():
        assert name in rows, f"{name} is not in the function table"
        assert _code_span(rows[name][1]) == function.signature, name
        assert rows[name][2] == function.doc, name


def test_function_table_names_only_real_functions() -> None:
    """Every row of the function table in docs/expressions.md names a function of FUNCTIONS."""
    names = [_code_span(row[0]) for row in _function_rows()]
    assert names and [n for n in names if n not in FUNCTIONS] == []


def test_function_table_examples_evaluate() -> None:
    """Each example in the function table evaluates to the result the table shows."""
    for row in _function_rows():
        match = re.fullmatch(r"`(.+)` → `(.+)`", row[3])
        assert match is not None, row
        value = Evaluator().evaluate(compile_expression(match.group(1)), {})
        assert str(plain(value)) == match.group(2), match.group(1)


def test_refused_operators_are_documented() -> None:
    """Every operator the language refuses is named in docs/expressions.md."""
    text = _read(DOCS / "expressions.md")
    escaped_bar = "\\|"  # a bar inside a table cell is written \|
    written = {
        symbol: "`" + symbol.replace("|", escaped_bar) + "`"
        for symbol, _ in REFUSED_OPERATORS.values()
    }
    assert [s for s, span in written.items() if span not in text] == []


# --- error codes -------------------------------------------------------------------


def _strings(node: ast.AST) -> Iterator[str]:
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            yield child.value


def _codes_in(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            # f"{args.facts}: no-records: …": printed as a finding, never raised
            parts = node.values
            if (
                len(parts) >= 2
                and isinstance(parts[0], ast.FormattedValue)
                and isinstance(parts[1], ast.Constant)
                and isinstance(parts[1].value, str)
                and (printed := PRINTED_CODE.match(parts[1].value))
            ):
                yield printed.group(1)
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "code":
                    yield from _strings(keyword.value)
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in CODE_HELPERS and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    yield first.value
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names = target.elts if isinstance(target, ast.Tuple) else [target]
                for position, item in enumerate(names):
                    if not isinstance(item, ast.Name) or node.value is None:
                        continue
                    value = node.value
                    if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
                        value = value.elts[position]
                    if item.id in ("default_code", "code"):
                        # code = "a" if … else "b", and code, message = "a", "…"
                        yield from _strings(value)
                    elif item.id == "_TEXT" and isinstance(value, ast.Dict):
                        yield from (
                            k.value
                            for k in value.keys
                            if isinstance(k, ast.Constant) and isinstance(k.value, str)
                        )
        elif isinstance(node, ast.FunctionDef):
            arguments = node.args
            positional = [*arguments.posonlyargs, *arguments.args]
            defaults = dict(
                zip(
                    positional[len(positional) - len(arguments.defaults) :],
                    arguments.defaults,
                    strict=True,
                )
            )
            defaults.update(
                (a, d)
                for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
                if d is not None
            )
            for argument, default in defaults.items():
                if argument.arg == "code":
                    yield from _strings(default)


def raisable_codes() -> set[str]:
    """Every error code the package can raise, found by reading its source."""
    codes: set[str] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        codes.update(c for c in _codes_in(ast.parse(_read(path))) if KEBAB.match(c))
    return codes


def _errors_tables() -> list[list[str]]:
    return list(_table_rows(_read(DOCS / "errors.md")))


def test_code_collector_finds_every_route() -> None:
    """The collector finds codes given by keyword, helper, class default, _TEXT, assignment
    and printed findings."""
    codes = raisable_codes()
    for code in (
        "not-in-force",
        "unknown-name",
        "forbidden-syntax",
        "invalid-policy",
        "yaml-syntax",
        "unknown-rule-kind",
        "unreadable-facts",
        "type-mismatch",
        "needs-output-name",  # Resolver.report(code, …)
        "rule-id-clash",  # runner._error(code, …)
        "parent-cycle",  # entities._TEXT
        "no-records",  # printed by the command line
    ):
        assert code in codes
    assert len(codes) > 90


def test_every_raisable_code_is_in_the_error_tables() -> None:
    """Every error code the package can raise has a row of its own in docs/errors.md."""
    documented = {_code_span(row[0]) for row in _errors_tables()}
    assert sorted(raisable_codes() - documented) == []


def test_error_tables_list_only_raisable_codes() -> None:
    """Every kebab-case code in backticks in the tables of docs/errors.md is one the code raises."""
    spans = {
        span
        for row in _errors_tables()
        for cell in row
        for span in re.findall(r"`([^`]+)`", cell)
        if KEBAB.match(span)
    }
    assert spans
    assert sorted(spans - raisable_codes()) == []


# --- policy examples ---------------------------------------------------------------


def _format_1_blocks() -> Iterator[tuple[str, str]]:
    """Every YAML example of the docs whose first line (after comments) is ``format: 1``."""
    for name in ("policies.md", "design.md"):
        text = _read(DOCS / name)
        for number, block in enumerate(re.findall(r"```yaml\n(.*?)```", text, re.S)):
            lines = [line for line in block.splitlines() if line.strip()]
            first = next((line for line in lines if not line.startswith("#")), "")
            if re.match(r"format:\s*1(\s|$)", first):
                yield f"{name}-{number}", block


def _is_entities_file(block: str) -> bool:
    """An entities.yaml example: its top level declares ``kinds:``, not rules."""
    return re.search(r"^kinds:", block, re.M) is not None


def _policy_blocks() -> Iterator[Any]:
    for name, block in _format_1_blocks():
        if not _is_entities_file(block):
            yield pytest.param(block, id=name)


def _entities_blocks() -> Iterator[Any]:
    for name, block in _format_1_blocks():
        if _is_entities_file(block):
            yield pytest.param(block, id=name)


def _load_example(block: str, folder: Path) -> policyengine.Policy:
    """A policy example, loaded as written.

    An example that says ``applies_to:`` and declares no ``inputs:`` is written to sit
    beside entities.yaml: it is loaded as one more policy of a copy of the centre's policy
    folder (taking the place of the centre's policy of the same id), with the whole folder,
    so the fields and the other policies' rules it reads are checked too.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "example.yaml"
    path.write_text(block, encoding="utf-8")
    beside = re.search(r"^applies_to:", block, re.M) and not re.search(r"^inputs:", block, re.M)
    if not beside:
        return policyengine.load_policy(path)
    data = read_policy_file(path).data
    policy_id, version = str(data["policy"]), str(data["version"])
    root = folder / "policies"
    shutil.copytree(CENTRE, root)
    shutil.rmtree(root / policy_id, ignore_errors=True)
    (root / policy_id).mkdir()
    (root / policy_id / f"{version}.yaml").write_text(block, encoding="utf-8")
    return policyengine.load(root).version(policy_id, version).policy


@pytest.mark.parametrize("block", list(_policy_blocks()))
def test_policy_examples_load_and_pass(block: str, tmp_path: Path) -> None:
    """A policy example in the docs loads and its embedded tests pass."""
    policy = _load_example(block, tmp_path)
    outcomes = policyengine.run_tests([policy])
    assert outcomes, "the example has no embedded tests"
    assert [o.render() for o in outcomes if not o.passed] == []


@pytest.mark.parametrize("block", list(_entities_blocks()))
def test_entities_examples_load(block: str, tmp_path: Path) -> None:
    """An entities.yaml example in the docs loads without a problem."""
    path = tmp_path / "entities.yaml"
    path.write_text(block, encoding="utf-8")
    assert load_entities(path).kinds


def test_policies_doc_shows_every_rule_kind(tmp_path: Path) -> None:
    """docs/policies.md has a complete, loading example of every rule kind."""
    kinds: set[str] = set()
    for index, param in enumerate(_policy_blocks()):
        policy = _load_example(param.values[0], tmp_path / f"example-{index}")
        kinds.update(rule.kind for rule in policy.rules)
    assert sorted(set(KINDS) - kinds) == []


def _schema_keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.get("properties", {}).items():
            yield key
            yield from _schema_keys(value)
        for key, value in node.items():
            if key != "properties":
                yield from _schema_keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from _schema_keys(item)


def test_every_schema_key_is_in_the_policy_reference() -> None:
    """Every key the policy schema allows appears in backticks in docs/policies.md."""
    schema = json.loads(_read(PACKAGE / "schemas" / "policy.schema.json"))
    text = _read(DOCS / "policies.md")
    keys = set(_schema_keys(schema))
    assert {"format", "bands", "hit", "assert", "expect"} <= keys
    assert sorted(k for k in keys if f"`{k}`" not in text) == []


# --- README and CI -----------------------------------------------------------------


def test_readme_quick_start_commands_are_what_ci_runs() -> None:
    """The README's two quick-start commands are, exactly, lines of .ci/run."""
    quick_start = _section(_read(ROOT / "README.md"), "Quick start")
    commands = [
        line
        for block in re.findall(r"```sh\n(.*?)```", quick_start, re.S)
        for line in block.splitlines()
        if line.strip()
    ]
    assert len(commands) == 2
    ci_lines = _read(ROOT / ".ci" / "run").splitlines()
    assert [c for c in commands if c not in ci_lines] == []


def _subcommands() -> list[str]:
    """The names of the ``policyengine`` subcommands, as the parser registers them."""
    from policyengine.cli import parser

    for action in parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return sorted(action.choices)
    raise AssertionError("the parser has no subcommands")


def test_readme_command_table_names_every_command() -> None:
    """The README's command table has a row for every subcommand, and only for real ones."""
    body = _section(_read(ROOT / "README.md"), "The command line")
    named = {
        match.group(1)
        for row in _table_rows(body)
        if (match := re.match(r"`policyengine (\w+)", row[0]))
    }
    assert sorted(set(_subcommands()) - named) == []
    assert sorted(named - set(_subcommands())) == []


# --- the HR guide (Chinese) --------------------------------------------------------


def _hr_guide() -> str:
    return _read(DOCS / "hr-guide.md")


def test_hr_guide_lists_every_error_code() -> None:
    """docs/hr-guide.md explains every code the package can raise, and no other, in a row."""
    body = _section(_hr_guide(), "8. 错误代码")
    listed = {_code_span(row[0]) for row in _table_rows(body)}
    codes = raisable_codes()
    assert sorted(codes - listed) == []
    assert sorted(c for c in listed if c and KEBAB.match(c) and c not in codes) == []


def test_hr_guide_function_table_matches_the_library() -> None:
    """The function table of docs/hr-guide.md names every function with its real signature."""
    rows = {_code_span(row[0]): row for row in _table_rows(_section(_hr_guide(), "6. 函数"))}
    assert sorted(set(FUNCTIONS) - set(rows)) == []
    assert sorted(set(rows) - set(FUNCTIONS)) == []
    for name, function in FUNCTIONS.items():
        assert _code_span(rows[name][1]) == function.signature, name


def test_hr_guide_shows_every_rule_kind() -> None:
    """docs/hr-guide.md introduces every rule kind with an example."""
    from policyengine.rules import POPULATION

    body = _section(_hr_guide(), "5. 八种规则")
    for kind in (*KINDS, *POPULATION):
        assert f"**`{kind}`" in body, kind
        assert re.search(rf"kind: {kind}\n", body), kind


def test_hr_guide_names_the_workbook_sheets() -> None:
    """The sheets docs/hr-guide.md describes are the sheets the report writes."""
    from policyengine import report

    body = _section(_hr_guide(), "7. 每月计算的结果")
    sheets = {_code_span(row[0]) for row in _table_rows(body)} - {None}
    for name in (report.PAY_SHEET, report.ERRORS_SHEET, report.PROVENANCE_SHEET):
        assert name in sheets, name
