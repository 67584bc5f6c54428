"""Every message in Chinese: the command line's help, a month's evaluation and facts errors,
and the column header a facts problem names.

A month's errors are stored in English (the ledger replays them byte for byte); they are
said in Chinese where they are shown, from their code, form and words. These tests run
the command as HR runs it (``LANG=zh_CN.UTF-8`` or ``--lang zh``) and check the lines it
prints, and that the English of the same run is what it always was.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import policyengine
from policyengine.cli._help_words import ARGPARSE_ERRORS, HELP_CONTEXT, REFUSALS, help_words
from policyengine.cli._main import main, parser
from policyengine.core._languages import messages
from policyengine.errors import EvaluationError, FactsFileError
from policyengine.facts._io import read_facts
from policyengine.language._expression_parser import compile_expression
from policyengine.language._reference_evaluator import Evaluator
from policyengine.language._value_kinds import fail
from policyengine.month import evaluate_month, read_month

PACKAGE = Path(policyengine.__file__).parent
_CHINESE = re.compile(r"[\u4e00-\u9fff]")

ENTITIES = """\
format: 1
kinds:
  rep:
    title: 坐席
    key: rep_id
    fields:
      rep_id: {type: string, title: 工号}
      dials: {type: int, title: 电话拨打量}
      sales: {type: money, title: 销售额}
"""
POLICY = """\
format: 1
policy: yield
version: "2026-01"
effective_from: 2026-01-01
title: 每通电话的销售额
applies_to: rep
rules:
  - id: per_dial
    kind: formula
    expr: sales / dials
"""
FACTS = "工号,电话拨打量,销售额\nA01,10,100.00\nA02,0,50.00\nA03,十,80.00\n"


@pytest.fixture
def month(tmp_path: Path) -> tuple[Path, Path]:
    """A policy folder whose one rule divides by a count, and a month's facts under
    Chinese headers: A02 dialled no call (division by zero), A03's count is written in
    words (a bad cell under the header 电话拨打量)."""
    folder = tmp_path / "policies"
    (folder / "yield").mkdir(parents=True)
    (folder / "entities.yaml").write_text(ENTITIES, encoding="utf-8")
    (folder / "yield" / "2026-01.yaml").write_text(POLICY, encoding="utf-8")
    facts = tmp_path / "facts"
    facts.mkdir()
    (facts / "rep.csv").write_text(FACTS, encoding="utf-8")
    return folder, facts


def _errors(capsys: pytest.CaptureFixture[str], folder: Path, facts: Path, *lang: str) -> str:
    """What ``policyengine [--lang …] run`` prints on standard error for the month."""
    args = [*lang, "run", "--policies", str(folder), "--period", "2026-01"]
    assert main([*args, "--facts", str(facts), "--allow-drafts"]) == 2
    return capsys.readouterr().err


def test_run_says_an_evaluation_error_in_chinese(
    month: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """``--lang zh run`` prints a rule's division by zero in Chinese, around the same code
    and place; the English run prints the words the ledger stores."""
    folder, facts = month
    english = _errors(capsys, folder, facts)
    chinese = _errors(capsys, folder, facts, "--lang", "zh")
    said = next(line for line in chinese.splitlines() if "division-by-zero" in line)
    assert "rep.csv:3" in said and "'/' 的除数为零" in said and "by zero" not in said
    assert "division-by-zero: '/' by zero" in english


def test_a_facts_error_names_the_column_header(
    month: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad cell is named by the header the user sees (电话拨打量), not only by the field
    (dials), in English and in Chinese, and its message is said in Chinese."""
    folder, facts = month
    english = _errors(capsys, folder, facts)
    chinese = _errors(capsys, folder, facts, "--lang", "zh")
    (line,) = [x for x in english.splitlines() if "not-a-whole-number" in x]
    assert "rep.csv:4:2" in line and "field 'dials', column '电话拨打量'" in line
    assert "expected a whole number, found '十'" in line
    (said,) = [x for x in chinese.splitlines() if "not-a-whole-number" in x]
    assert "字段 'dials'，列 '电话拨打量'" in said and "这里应为整数，实际是 '十'" in said


def test_a_workbooks_header_problem_is_led_by_its_sheet_and_cell_in_chinese(
    month: tuple[Path, Path],
) -> None:
    """An unknown column in a workbook says its sheet and cell before the message, in
    English as always and in Chinese when said again."""
    folder, _ = month
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "坐席"
    sheet.append(["工号", "电话拨打量", "奖金"])
    path = folder.parent / "rep.xlsx"
    book.save(path)
    fields = policyengine.load(folder).entities.kinds["rep"].fields
    with pytest.raises(FactsFileError) as caught:
        read_facts(path, fields)
    error = caught.value
    assert (error.code, error.message) == (
        "unknown-column",
        "sheet '坐席', cell C1: unknown column '奖金'",
    )
    assert error.details == {"sheet": "坐席", "cell": "C1", "header": "奖金"}
    assert error.translated("zh").message == "工作表 '坐席'，单元格 C1：不认识的列 '奖金'"


def test_the_stored_error_keeps_its_english_and_details(month: tuple[Path, Path]) -> None:
    """The month's result stores the English message and the details it always had: the
    words a translation is made from are not part of it."""
    folder, facts = month
    read = read_month(policyengine.load(folder), facts)
    result = evaluate_month(policyengine.load(folder), "2026-01", read).result
    stored = {e["code"]: e for e in result.error_list()}
    assert stored["division-by-zero"]["message"] == "'/' by zero"
    assert set(stored["division-by-zero"]["details"]) == {
        "operator",
        "expression",
        "values",
        "policy",
        "kind",
    }
    refused = stored["not-a-whole-number"]
    assert refused["message"] == "rep: expected a whole number, found '十'"
    assert refused["details"] == {"kind": "rep"}


def test_an_evaluation_error_is_said_from_its_words() -> None:
    """An evaluation error's message is its template filled from its words; its details
    (what a ledger stores) are apart, and it is said again in Chinese from the words."""
    words = {"function": "abs", "wanted": "1", "count": 2, "signature": "abs(x)"}
    error = fail("function-failed", "arity-one", words, function="abs")
    assert (error.message, error.hint, error.details) == (
        "abs(): takes 1 argument, got 2",
        "write abs(x)",
        {"function": "abs"},
    )
    said = error.translated("zh")
    assert (said.message, said.hint) == ("abs()：需要 1 个参数，实际给了 2 个", "请写 abs(x)")
    shown = {"operator": "+", "shown": "number 1", "other": "text 'a'"}
    mixed = fail("type-mismatch", "operator-two", shown)
    assert mixed.translated("zh").message == "'+' 不能用于数字 1和文字 'a'"


def test_help_is_chinese_for_a_chinese_locale() -> None:
    """``LANG=zh_CN.UTF-8 policyengine --help`` lists the commands in Chinese, and a
    command's help says its arguments in Chinese; ``--lang en`` keeps the English."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "POLICYENGINE"))}
    environ["LANG"] = "zh_CN.UTF-8"
    environ["PYTHONPATH"] = str(PACKAGE.parent)  # this package, wherever it is installed

    def shown(*args: str) -> str:
        command = [sys.executable, "-m", "policyengine", *args]
        done = subprocess.run(command, env=environ, capture_output=True, check=True)
        return done.stdout.decode("utf-8")

    top = shown("--help")
    assert top.startswith("用法：policyengine")
    assert "检查制度文件，列出每一个问题" in top and "显示本帮助并退出" in top
    run = shown("run", "--help")
    assert "制度文件夹（默认：policies）" in run and "计算的月份" not in run
    assert "check policy files" in shown("--lang", "en", "--help")


def test_every_help_text_has_its_chinese() -> None:
    """Every text of every command's help is said in Chinese by the shipped catalogue: a
    help string added without its translation fails here (run tools/messages.py)."""
    zh = messages("zh")
    english = list(help_words(parser(None, "en")))
    assert len(english) > 80
    missing = [t for t in english if not _CHINESE.search(zh.pgettext(HELP_CONTEXT, t))]
    assert missing == []
    chinese = parser(None, "zh").format_help()
    assert "用法：" in chinese and "位置参数" in chinese


#: The phases whose errors are stored with a month or shown to HR, and the error classes
#: they make: each must be made from its template (``from_template``, or the language's
#: ``fail``/``said``), so that it can be said in Chinese. Each entry left is worded where it
#: is raised on purpose, with the reason.
_TEMPLATED = {
    "language": ("EvaluationError", "ExpressionError"),
    "rules": ("EvaluationError",),
    "facts/_values.py": ("FactError",),
    "facts/_records.py": ("FactError",),
    "facts/_by_kind.py": ("FactError",),
    "run/_runner.py": ("EvaluationError",),
    "run/_engine.py": ("EvaluationError",),
}
_WORDED = {
    # ``refuse``, kept for a refusal not yet in the table
    "language/_expression_checker.py": 1,
    # a problem tagged with its kind keeps the form and words of the problem it tags
    "facts/_by_kind.py": 1,
}


def test_errors_shown_to_hr_are_made_from_templates() -> None:
    """No evaluation, expression or fact error in those phases is worded where it is raised
    (``EvaluationError(f"…")``): a new one must be a template, with its Chinese."""
    worded: dict[str, int] = {}
    for place, classes in _TEMPLATED.items():
        path = PACKAGE / place
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            name = str(file.relative_to(PACKAGE))
            for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in classes
                ):
                    worded[name] = worded.get(name, 0) + 1
    assert worded == _WORDED


def test_every_error_met_while_evaluating_is_said_in_chinese() -> None:
    """An error an expression meets while evaluating has its form: it is said in Chinese."""
    errors: list[EvaluationError] = []
    for source in ("1 / 0", "abs(1, 2)", "x.part", "'a' + 1", "round_to(1, 2, 'up-ish')"):
        try:
            Evaluator().evaluate(compile_expression(source), {"x": 1})
        except EvaluationError as error:
            errors.append(error)
    assert [e.form for e in errors] == ["operator", "arity-one", "no-parts", "operator-two", "mode"]
    assert all(_CHINESE.search(e.translated("zh").message) for e in errors)


def test_the_hr_guide_tells_how_to_get_chinese_output() -> None:
    """docs/hr-guide.md names the locale and the option that give Chinese output."""
    guide = (PACKAGE.parent / "docs" / "hr-guide.md").read_text(encoding="utf-8")
    assert "LANG=zh_CN.UTF-8" in guide and "--lang zh" in guide


def test_the_lines_about_history_and_what_ifs_are_said_in_chinese() -> None:
    """`history:`, `what-if:` and the note on months not given: Chinese words, the same
    numbers and names; English without a language."""
    from policyengine.cli._common import speaking
    from policyengine.cli._month import history_line, what_if_line

    english = history_line((1, 2), (3,))
    assert english == (
        "history: earlier months from ledger runs 1, 2; what-if runs 3 not used (--with-what-ifs)"
    )
    with speaking("zh"):
        chinese = history_line((1, 2), (3,))
        marked = what_if_line({"as_known_at": "2026-04-01", "drafts": ["pay 2026-04"]})
    assert chinese.startswith("历史：以前月份的结果取自台账第 1, 2 次运行")
    assert "假设运行 3 未采用" in chinese
    assert "2026-04-01" in marked and "草稿 pay 2026-04" in marked and "以后的月份" in marked


def _refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as stopped:
        main(list(argv))
    assert stopped.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


def test_a_mistyped_command_line_is_said_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    """An option misspelt, a value missing or refused by its type: argparse's own words
    and the argument types' refusals are Chinese too, and English again after."""
    month = ("run", "--period", "2026-03", "--facts", "month")
    assert _refused(capsys, "--lang", "zh", *month, "--perod", "2026-03") == (
        "policyengine：错误：无法识别的参数：--perod 2026-03（用 --help 查看这个命令能用的参数）"
    )
    assert _refused(capsys, "--lang", "zh", "run", "--period", "2026-03") == (
        "policyengine run：错误：缺少必填的参数：--facts"
    )
    assert _refused(capsys, "--lang", "zh", *month, "--workers", "两") == (
        "policyengine run：错误：参数 --workers：'两' 不是工作进程数（1 或更多）"
    )
    assert _refused(capsys, "--lang", "zh", "sample", "--months", "2026-05..2026-01") == (
        "policyengine sample：错误：参数 --months：'2026-05..2026-01' 的结束月份早于开始月份"
    )
    assert _refused(capsys, "--lang", "en", "run", "--period", "2026-03") == (
        "policyengine run: error: the following arguments are required: --facts"
    )


def test_argparse_words_keep_their_placeholders_in_chinese() -> None:
    """A translation that lost or changed a placeholder would break argparse's own
    formatting of the error, a traceback in place of the message."""
    zh = messages("zh")
    placeholder = re.compile(r"%\(\w+\)[sr]|%[sr]|\{text\}")
    texts = [*ARGPARSE_ERRORS, *REFUSALS.values()]
    changed = [
        t
        for t in texts
        if sorted(placeholder.findall(zh.pgettext(HELP_CONTEXT, t)))
        != sorted(placeholder.findall(t))
    ]
    assert changed == []
    assert all(_CHINESE.search(zh.pgettext(HELP_CONTEXT, t)) for t in texts)


def test_an_output_format_or_extra_that_is_not_there_is_said_in_chinese(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`run --out x.pdf` and `--workers` without the extra: refusals HR meets at the
    command line, in the same English as before and in Chinese."""
    from policyengine.errors import OutputError, UsageError
    from policyengine.present._writers import check_format
    from policyengine.run import _dask_run

    with pytest.raises(OutputError) as refused:
        check_format("月度.pdf")
    english = refused.value
    assert (english.message, english.hint) == (
        "cannot write '.pdf' files",
        "name the output .xlsx, .csv or .json",
    )
    assert english.translated("zh").message == "不能写出 '.pdf' 文件"

    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    with pytest.raises(UsageError) as missing:
        _dask_run.distributed()
    assert missing.value.code == "missing-extra"
    assert missing.value.hint == "pip install 'policyengine[dask]'"
    assert "没有安装" in missing.value.translated("zh").message


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("base base", "写法不对"),
        ("base if started", "'if' 后面缺少 'else'"),
        ("（base)", "不能用的字符 '（'"),
        ("(base + 1", "'(' 没有闭合"),
    ],
)
def test_what_pythons_parser_says_of_an_expression_is_said_in_chinese(text: str, said: str) -> None:
    """The parser's own words (invalid syntax, a missing else, a full-width bracket) are
    phrases said whole in Chinese, as the rest of the message is."""
    with pytest.raises(policyengine.PolicyError) as refused:
        compile_expression(text)
    assert said in refused.value.render(messages("zh"))


@pytest.mark.parametrize(
    ("yaml", "said"),
    [
        ("rules:\n\t- id: a\n", "请用空格缩进"),
        ("rules:\n  - id: a\n    kind： formula\n", "全角的“：”不是 YAML 的冒号"),
        ("rules:\n  - {id: a，kind: formula}\n", "全角的“，”不是 YAML 的逗号"),
        ("rules:\n  - id: a\n   kind: formula\n", "请检查缩进"),
    ],
)
def test_the_hints_to_a_yaml_slip_are_said_in_chinese(tmp_path: Path, yaml: str, said: str) -> None:
    """A tab, a full-width colon, an indentation: the hint is HR's language, beside the
    YAML parser's own words."""
    path = tmp_path / "p.yaml"
    path.write_text(yaml, encoding="utf-8")
    (problem,) = policyengine.check_policy(path)
    assert problem.code == "yaml-syntax"
    assert said in problem.render(messages("zh"))
