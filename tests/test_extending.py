"""The common changes of docs/design.md's map, made from outside the package: a rule kind,
an output format, a facts source and a command, each registered as the map says (its own
module, one entry in its registry, the schema block of a rule kind) and then used by the
whole path — load, a month's run, its report, the command line — with nothing else
changed. (The fifth, an error code, is a name mypy must see: tests/test_codes.py and
tests/test_docs.py check its rows instead.)"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import types
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from helpers import TsvReader, ranking_folder

import policyengine
import policyengine.cli._commands as commands
import policyengine.facts._io as facts_io
import policyengine.rules as rules
from policyengine.cli._commands import Command
from policyengine.cli._main import main
from policyengine.language._expressions import Expression
from policyengine.month import read_month, run_month
from policyengine.present import _writers as writers
from policyengine.present._output import WriteRequest
from policyengine.read import _schema
from policyengine.rules import Built, CodeOf, Detail, RuleCode, RuleContext, RuleKind
from policyengine.rules.base import unsaid

# --- a rule kind: `double`, twice the value of an expression ----------------------------


def _build_double(ctx: RuleContext) -> Built | None:
    of = ctx.expr("/of", ctx.raw["of"])
    return None if of is None else Built(of)


def _compile_double(spec: Expression, code_of: CodeOf) -> RuleCode:
    of = code_of(spec)

    def doubled(env: Mapping[str, Any], detail: Detail = None) -> Any:
        value = of(env)
        if detail is not None:
            detail["doubled"] = value
        return value * 2

    return doubled


DOUBLE = RuleKind(
    "double",
    _build_double,
    _compile_double,
    explain=lambda detail: [f"twice {detail['doubled']}"],
    # Twice an amount is an amount: the load-time type check asks the kind.
    value_type=lambda spec, types: types.of(spec),
)
#: The block schemas/policy.schema.json would hold for it.
DOUBLE_SCHEMA = {
    "type": "object",
    "required": ["id", "kind", "of"],
    "properties": {"id": {"type": "string"}, "kind": {"const": "double"}, "of": {}},
    "additionalProperties": False,
}


@pytest.fixture
def double_kind(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`double` in the registry (rules.KINDS) and its block in the policy schema."""
    schema = copy.deepcopy(dict(_schema.policy_schema()))
    rule = schema["$defs"]["rule"]
    rule["properties"]["kind"]["enum"].append("double")
    rule["allOf"].append(
        {
            "if": {"properties": {"kind": {"const": "double"}}, "required": ["kind"]},
            "then": {"$ref": "#/$defs/double"},
        }
    )
    schema["$defs"]["double"] = DOUBLE_SCHEMA
    monkeypatch.setitem(rules.KINDS, "double", DOUBLE)
    monkeypatch.setattr(_schema, "policy_schema", lambda: schema)
    _schema._validator.cache_clear()
    yield
    _schema._validator.cache_clear()


def _month_folder(tmp_path: Path, suffix: str = ".csv", sep: str = ",") -> Path:
    """A month's facts: one team of two reps, as ``<kind><suffix>`` files."""
    folder = tmp_path / "2026-01"
    folder.mkdir(parents=True)
    teams = ["team_id", "T0"]
    reps = ["rep_id,team_id,score,sales,eligible", "A,T0,60,1500,true", "B,T0,10,20.5,false"]
    for kind, lines in (("team", teams), ("rep", reps)):
        text = "\n".join(line.replace(",", sep) for line in lines) + "\n"
        (folder / f"{kind}{suffix}").write_text(text, encoding="utf-8")
    return folder


def test_a_rule_kind_registered_from_outside_runs_a_month_and_explains_itself(
    double_kind: None, tmp_path: Path
) -> None:
    """A kind in KINDS with its schema block is checked at load, evaluated in a month's
    run (through the fused function, which calls its compiled one), read by the rules after
    it, written in the report and explained in its own words."""
    rules_text = (
        "  - {id: twice, kind: double, of: sales}\n"
        "  - {id: bonus, kind: formula, expr: twice + 1}\n"
    )
    repository = policyengine.load(ranking_folder(tmp_path, rules_text))
    out = tmp_path / "pay.json"
    month = run_month(repository, "2026-01", _month_folder(tmp_path), out=out)
    assert month.result.errors == ()
    assert month.result.value("rep", "A", "twice") == Decimal(3000)
    assert month.result.value("rep", "B", "bonus") == Decimal("42.0")
    records = json.loads(out.read_text(encoding="utf-8"))["records"]
    assert {r["key"]: r["outputs"]["state"]["twice"] for r in records if r["kind"] == "rep"} == {
        "A": "3000",
        "B": "41.0",
    }
    assert "twice 1500" in month.result.explain("rep", "A", "twice")


def test_a_registered_rule_kind_is_checked_like_any_other(
    double_kind: None, tmp_path: Path
) -> None:
    """Its schema block refuses what it does not allow, and its expression is checked."""
    bad = "  - {id: twice, kind: double, of: sales, by: 3}\n"
    with pytest.raises(policyengine.InvalidPolicy) as refused:
        policyengine.load(ranking_folder(tmp_path / "a", bad))
    assert [p.code for p in refused.value.problems] == ["unknown-key"]
    misspelt = "  - {id: twice, kind: double, of: sale}\n"
    with pytest.raises(policyengine.InvalidPolicy) as refused:
        policyengine.load(ranking_folder(tmp_path / "b", misspelt))
    assert [(p.code, p.hint) for p in refused.value.problems] == [
        ("unknown-name", "did you mean 'sales'?")
    ]


def test_the_type_check_asks_a_registered_kind_the_type_of_its_value(
    double_kind: None, tmp_path: Path
) -> None:
    """Twice the sales is money, as the kind says: money times it is refused at load, as it
    is for any money; a kind that said nothing would let it pass."""
    money_times_money = (
        "  - {id: twice, kind: double, of: sales}\n"
        "  - {id: square, kind: formula, expr: twice * sales}\n"
    )
    with pytest.raises(policyengine.InvalidPolicy) as refused:
        policyengine.load(ranking_folder(tmp_path / "a", money_times_money))
    assert [p.code for p in refused.value.problems] == ["money-times-money"]
    rules.KINDS["double"] = attrs.evolve(DOUBLE, value_type=unsaid)
    policyengine.load(ranking_folder(tmp_path / "b", money_times_money))


def test_without_its_registry_entry_the_kind_is_unknown(tmp_path: Path) -> None:
    """The same policy without the registration: `double` is no kind (the test above is no
    accident of the package knowing it)."""
    with pytest.raises(policyengine.InvalidPolicy) as refused:
        policyengine.load(ranking_folder(tmp_path, "  - {id: twice, kind: double, of: sales}\n"))
    assert [p.code for p in refused.value.problems] == ["unknown-rule-kind"]


# --- an output format: `.txt`, one line per record of the pay sheet ---------------------


class LinesWriter:
    """An output format the package does not have: each pay-sheet record on a line."""

    suffix = ".txt"
    name = "text lines"
    holds = "one line per record"

    def write(self, request: WriteRequest) -> list[Path]:
        report = request.report()
        lines = [" ".join(str(v) for v in row.values()) for row in report.pay.records()]
        request.target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return [request.target]


@pytest.fixture
def lines_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(writers.WRITERS, ".txt", LinesWriter())


def test_an_output_format_registered_from_outside_writes_a_month(
    lines_writer: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A writer in WRITERS is chosen by run_month and by `run --out`, and named by run's help
    (the hint for a suffix still unknown names it too: tests/test_formats.py)."""
    folder = ranking_folder(tmp_path, "  - {id: twice, kind: formula, expr: sales * 2}\n")
    facts = _month_folder(tmp_path)
    out = tmp_path / "library" / "pay.txt"
    month = run_month(policyengine.load(folder), "2026-01", facts, out=out)
    assert month.written == (out,)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [line.split()[0] for line in lines] == ["A", "B"]
    assert "3000" in lines[0].split()
    command = tmp_path / "command.txt"
    words = ["--policies", str(folder), "--period", "2026-01", "--facts", str(facts)]
    assert main(["run", "--allow-drafts", *words, "--out", str(command)]) == 0
    assert command.read_bytes() == out.read_bytes()
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert ".txt (one line per record)" in " ".join(capsys.readouterr().out.split())


# --- a facts source: `.tsv`, tab-separated text ----------------------------------------


def test_a_facts_source_registered_from_outside_feeds_a_month(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A month's folder of `.tsv` files, read by a reader in READERS, gives the month the
    same folder in CSV gives."""
    monkeypatch.setitem(facts_io.READERS, ".tsv", TsvReader())
    repository = policyengine.load(
        ranking_folder(tmp_path, "  - {id: twice, kind: formula, expr: sales * 2}\n")
    )
    tsv = run_month(repository, "2026-01", _month_folder(tmp_path / "tsv", ".tsv", "\t"))
    csv = run_month(repository, "2026-01", _month_folder(tmp_path / "csv"))
    assert tsv.result.errors == ()
    assert tsv.counts == {"team": 1, "rep": 2}
    assert tsv.result.outputs_json() == csv.result.outputs_json()


# --- a command: `policyengine count`, the records of a month's facts ----------------------


def _arguments_count(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--policies", required=True, metavar="DIR", help="the policy folder")
    parser.add_argument("--facts", required=True, metavar="PATH", help="a month's facts")


def _cmd_count(args: argparse.Namespace) -> int:
    # Parse, call library code, print: what every command does.
    facts = read_month(policyengine.load(args.policies), args.facts)
    print(" ".join(f"{kind} {count}" for kind, count in sorted(facts.counts.items())))
    return 0


def test_a_command_added_to_the_table_is_parsed_helped_and_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A row in cli/_commands.py and its module's arguments_<name> and cmd_<name> make a
    command: listed by --help, its own --help, and run; nothing else is changed."""
    module = types.ModuleType("policyengine.cli._count")
    module.arguments_count = _arguments_count  # type: ignore[attr-defined]
    module.cmd_count = _cmd_count  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    row = Command("count", "_count", "count a month's records", "Count the records by kind.")
    monkeypatch.setattr(commands, "COMMANDS", (*commands.COMMANDS, row))
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "count a month's records" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["count", "--help"])
    assert "Count the records by kind." in capsys.readouterr().out
    folder = ranking_folder(tmp_path, "  - {id: twice, kind: formula, expr: sales * 2}\n")
    assert main(["count", "--policies", str(folder), "--facts", str(_month_folder(tmp_path))]) == 0
    assert capsys.readouterr().out == "rep 2 team 1\n"
