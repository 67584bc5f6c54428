"""The documentation keeps in step with the code: names, functions, error codes, examples."""

from __future__ import annotations

import argparse
import doctest
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

import policyengine
from policyengine.codes import CODES
from policyengine.core._display import plain
from policyengine.facts._entities_file import load_entities
from policyengine.language._expression_checker import REFUSED
from policyengine.language._expressions import Evaluator, compile_expression
from policyengine.language._functions import FUNCTIONS
from policyengine.read._source import read_policy_file
from policyengine.rules import KINDS

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
PACKAGE = ROOT / "policyengine"
#: The centre's policy folder: entities.yaml and five policies (examples beside entities.yaml).
CENTRE = ROOT / "tests" / "fixtures" / "centre"


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
        refusal.name: "`" + refusal.name.replace("|", escaped_bar) + "`"
        for refusal in REFUSED.values()
        if refusal.code == "forbidden-operator"
    }
    assert [s for s, span in written.items() if span not in text] == []


# --- error codes -------------------------------------------------------------------

#: A code written as docs/errors.md writes it: kebab-case, with digits (`not-utf8`).
CODE_SPAN = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+")
#: The error classes by name, as policyengine.codes names them.
ERROR_CLASSES = {
    name: value
    for name in policyengine.__all__
    if isinstance(value := getattr(policyengine, name), type)
    and issubclass(value, policyengine.PolicyError)
}


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as '-'."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@attrs.frozen
class ErrorRow:
    """One row of a table of docs/errors.md, with what the page says raises it."""

    anchor: str
    code: str | None
    cells: tuple[str, ...]
    #: The meaning cell ("used for" in the table of default codes).
    meaning: str
    #: The row's class cell; in a table without one, the classes named before the table.
    classes: frozenset[str]


def _error_rows() -> list[ErrorRow]:
    """Every body row of the tables of docs/errors.md, under its ``## `` section."""
    rows: list[ErrorRow] = []
    anchor, prose, header = "", "", None
    page = _read(DOCS / "errors.md")
    # The last section shows the words of the codes, not where they are raised: see
    # tests/test_messages.py.
    for line in page[: page.index("## Messages and hints")].splitlines():
        if line.startswith("## "):
            anchor, prose, header = _anchor(line[3:]), "", None
        elif not line.startswith("|"):
            if header is not None:  # the table ended: the next one has prose of its own
                prose, header = "", None
            prose += line + "\n"
        elif header is None:
            header = _cells(line)
        elif not re.fullmatch(r"\|[\s|:-]+\|", line):
            cells = _cells(line)
            has_class = header[1] == "class"
            named = re.findall(r"`(\w+)`", cells[1] if has_class else prose)
            classes = frozenset(n for n in named if n in ERROR_CLASSES)
            meaning = cells[2] if has_class else cells[1]
            rows.append(ErrorRow(anchor, _code_span(cells[0]), tuple(cells), meaning, classes))
    return rows


def test_error_rows_are_read_with_their_section_and_class() -> None:
    """The reader of docs/errors.md finds rows, sections and classes where the page has them."""
    rows = {(row.code, row.anchor): row for row in _error_rows()}
    reading = rows["file-not-found", "reading-a-policy-file"]
    assert reading.classes == {"PolicySourceError"}
    assert reading.meaning == "there is no such file"
    ledger = rows["file-not-found", "the-ledger"]
    assert ledger.classes == {"LedgerError"}
    default = rows["invalid-record", "default-codes-of-the-classes"]
    assert default.classes == {"InvalidRecord"}
    assert default.meaning.startswith("always:")
    assert rows["needs-entities", "rules-over-many-records"].classes == {"ModelError"}
    assert rows["empty-group", "rules-over-many-records"].classes == {"EvaluationError"}


def test_every_registered_code_has_its_rows_in_the_error_tables() -> None:
    """Each place policyengine.codes gives a code has exactly one row in docs/errors.md, under
    the section of its anchor, with the registry's meaning, in a table of its class."""
    rows = _error_rows()
    wrong: list[str] = []
    for code, places in CODES.items():
        for info in places:
            found = [r for r in rows if r.code == code and r.anchor == info.anchor]
            if len(found) != 1:
                wrong.append(f"{code} #{info.anchor}: {len(found)} rows")
            elif found[0].meaning != info.meaning:
                wrong.append(f"{code} #{info.anchor}: the meaning differs: {found[0].meaning!r}")
            elif info.error_class not in found[0].classes:
                wrong.append(f"{code} #{info.anchor}: not said to be a {info.error_class}")
    assert wrong == []


def test_error_tables_list_only_registered_codes() -> None:
    """Every row of docs/errors.md is a place policyengine.codes gives its code, and every
    code in backticks in the tables is registered."""
    places = {(code, info.anchor) for code, infos in CODES.items() for info in infos}
    rows = _error_rows()
    assert rows
    assert [(r.code, r.anchor) for r in rows if (r.code, r.anchor) not in places] == []
    spans = {
        span
        for row in rows
        for cell in row.cells
        for span in re.findall(r"`([^`]+)`", cell)
        if CODE_SPAN.fullmatch(span)
    }
    assert sorted(spans - set(CODES)) == []


def test_registered_classes_are_exported_error_classes() -> None:
    """The class policyengine.codes names for a code is an error class of the public API."""
    named = {info.error_class for infos in CODES.values() for info in infos}
    assert sorted(named - set(ERROR_CLASSES)) == []


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
    from policyengine.cli._main import parser

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
    assert sorted(set(CODES) - listed) == []
    assert sorted(c for c in listed if c and CODE_SPAN.fullmatch(c) and c not in CODES) == []


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
    from policyengine.present import _report as report

    body = _section(_hr_guide(), "7. 每月计算的结果")
    sheets = {_code_span(row[0]) for row in _table_rows(body)} - {None}
    for name in (report.PAY_SHEET, report.ERRORS_SHEET, report.PROVENANCE_SHEET):
        assert name in sheets, name
