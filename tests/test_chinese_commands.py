"""Every command an HR officer or an auditor runs prints Chinese under ``--lang zh``.

A session of commands over the shipped policies and example months (validate, test, eval
with explanations, run into a ledger, lock, verify, history, keys, ledger verify, list,
status and backup, replay of runs and of a paid month, diff, sample, demo) is run under
``--lang zh``; each line printed, on standard output or error, is held against the words
it may hold in English: the data it names (ids of policies, rules, outputs, fields and
kinds, the values and expressions written in the policies, codes such as
``blob-tampered``, paths, flags, hashes and metavariables such as ``FILE``). Any other
English word fails the test, naming the command and the line. ``LANG=zh_CN.UTF-8``
without ``--lang`` prints the same bytes.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

import policyengine
from policyengine.cli._commands import COMMANDS
from policyengine.cli._main import main
from policyengine.core._languages import LANGUAGE_VARIABLES

ROOT = Path(__file__).resolve().parent.parent

#: Words that are data in any line: the command's own name and its commands' (as typed),
#: the header of a hash, and a yes/no value as every results file and table cell writes it.
DATA_WORDS = frozenset(
    {"policyengine", *(command.name for command in COMMANDS), "sha256", "true", "false"}
)


def _words_of(value: object) -> Iterator[str]:
    """Each identifier in the text values of a policy file (expressions, enum values,
    modes), never in its keys: the keys are the format's English, not data."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _words_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from _words_of(item)
    elif isinstance(value, str):
        yield from re.findall(r"[A-Za-z_][A-Za-z0-9_]*", value)


def data_words(folder: Path) -> frozenset[str]:
    """The English a line may show because a policy of ``folder`` says it: every name the
    policies and record kinds define and every word their values hold."""
    found = set(DATA_WORDS)
    repository = policyengine.load(folder)
    for version in repository.versions:
        policy = version.policy
        found.update({policy.id, *policy.inputs, *policy.parameters})
        for rule in policy.rules:
            found.update({rule.id, rule.kind, *rule.output_names})
            found.update(part for name in rule.output_names for part in name.split("."))
    for kind in repository.entities.kinds.values() if repository.entities else ():
        found.update({kind.name, *kind.fields})
    for path in folder.rglob("*.yaml"):
        found.update(_words_of(yaml.safe_load(path.read_text(encoding="utf-8"))))
    return frozenset(found)


#: What a line names that is data whatever its words: quoted names, paths, flags, numbers
#: with their letters (versions, hashes, run ids), kebab-case codes, dotted names.
_DATA = re.compile(
    r"'[^']*'|`[^`]*`|«[^»]*»"  # a name or an expression as written, a title
    r"|\S*/\S*|\.[a-z]+\b"  # a path, a file's suffix
    r"|--?[A-Za-z][\w-]*"  # a flag
    r"|[A-Za-z0-9_.-]*[0-9_][A-Za-z0-9_.-]*"  # with a digit or '_': an id, hash, version
    r"|[A-Za-z]+(?:[-.][A-Za-z]+)+"  # a code (blob-tampered) or a dotted name
    r"|\b[A-Z]{2,}\b"  # a metavariable: FILE, DIR, KEY, UTC
)
_WORD = re.compile(r"[A-Za-z]+")


def english_words(line: str, allowed: frozenset[str]) -> list[str]:
    """The English words of ``line`` that are no data."""
    rest = _DATA.sub(" ", line)
    return [w for w in _WORD.findall(rest) if w not in allowed and len(w) > 1]


def test_the_detector_finds_english_and_passes_data() -> None:
    """The check itself: an English line is caught, a Chinese line naming data passes."""
    allowed = frozenset({"commission", "rep"})
    assert english_words("ok: 1 policy version valid", allowed) == [
        "ok",
        "policy",
        "version",
        "valid",
    ]
    chinese = (
        "policies/commission/2026-01.yaml:14:5，规则 'x': unknown-name: 公式里的名称 "
        "'credited_salse' 不认识 --policies DIR commission rep 3eb5f1f0 2026-01-fix"
    )
    assert english_words(chinese, allowed) == []


#: What was paid, wrongly: the explanations of a formula, tiers, an aggregate over
#: checked calls, a history and a rank are printed with each difference.
PAID = "工号,commission_paid,etiquette_points,bottom_streak\nR104,9163.48,99,9\nR101,0.00,0,0\n"
#: A case that fails: its explanation is printed too.
FAILING = """\
  - name: 故意写错的期望
    period: "2026-03"
    facts: {credited_sales: 100000, referral_sales: 0, self_sourced_sales: 0, dials: 700,
            talk_minutes: 1600, left_on: 9999-12-31}
    expect: {commission: 1.00}
"""

#: The session: (name, arguments). Each runs under --lang zh in one folder, in order.
SESSION: list[tuple[str, list[str]]] = [
    ("validate", ["validate", "policies"]),
    ("test", ["test", "policies", "-v"]),
    ("test-failing", ["test", "broken/commission/2026-01.yaml"]),
    (
        "eval",
        [
            "eval",
            "examples/standalone/policies/commission/2026-01.yaml",
            "--facts",
            "examples/standalone/2026-03/rep.csv",
            "--period",
            "2026-03",
            "--explain",
            "commission",
        ],
    ),
    (
        "eval-unknown-output",
        ["eval", "broken/commission/2026-01.yaml", "--facts", "x.csv", "--explain", "comission"],
    ),
    (
        "run-1",
        [
            "run",
            "--period",
            "2026-01",
            "--facts",
            "examples/2026-01",
            "--ledger",
            "l.sqlite",
            "--new-ledger",
            "--out",
            "out/2026-01.json",
        ],
    ),
    (
        "run-2",
        [
            "run",
            "--period",
            "2026-02",
            "--facts",
            "examples/2026-02",
            "--ledger",
            "l.sqlite",
            "--out",
            "out/2026-02.csv",
        ],
    ),
    (
        "run-what-if",
        [
            "run",
            "--period",
            "2026-03",
            "--facts",
            "examples/2026-03",
            "--ledger",
            "l.sqlite",
            "--as-known-at",
            "2026-03-01",
        ],
    ),
    ("verify", ["verify"]),
    ("history", ["history", "commission"]),
    ("keys", ["keys", "new", "keys/payroll.key"]),
    ("keys-again", ["keys", "new", "keys/payroll.key"]),
    (
        "run-ledger-exists",
        [
            "run",
            "--period",
            "2026-01",
            "--facts",
            "examples/2026-01",
            "--ledger",
            "l.sqlite",
            "--new-ledger",
        ],
    ),
    ("ledger-verify", ["ledger", "verify", "l.sqlite"]),
    ("ledger-list", ["ledger", "list", "l.sqlite"]),
    ("ledger-status", ["ledger", "status", "l.sqlite"]),
    ("ledger-backup", ["ledger", "backup", "l.sqlite", "backup.sqlite"]),
    ("replay-run", ["replay", "--ledger", "l.sqlite", "--run", "1"]),
    ("replay-all", ["replay", "--ledger", "l.sqlite", "--all"]),
    (
        "replay-paid",
        ["replay", "--period", "2026-03", "--facts", "examples/2026-03", "--paid", "paid.csv"],
    ),
    (
        "replay-bad-paid",
        ["replay", "--period", "2026-03", "--facts", "examples/2026-03", "--paid", "bad.csv"],
    ),
    ("replay-usage", ["replay", "--period", "2026-03"]),
    (
        "diff",
        [
            "diff",
            "--period",
            "2026-03",
            "--facts",
            "examples/2026-03",
            "--policy",
            "commission",
            "--from",
            "2026-01",
            "--to",
            "2026-04",
        ],
    ),
    (
        "sample",
        [
            "sample",
            "--months",
            "2026-01",
            "--teams",
            "2",
            "--reps",
            "5",
            "--calls",
            "40",
            "--out",
            "out/sample",
        ],
    ),
    (
        "sample-refused",
        ["sample", "--months", "2026-01", "--teams", "1", "--reps", "3", "--out", "out/sample"],
    ),
    ("lock", ["lock", "--policies", "draft", "--date", "2026-05-01", "--key", "keys/payroll.key"]),
    ("verify-signed", ["verify", "--policies", "draft", "--trust", "keys/payroll.key.pub"]),
    ("demo", ["demo", "--out", "demo"]),
]
#: The commands that read only: their output does not depend on what ran before them
#: twice, so the locale's run must print the same bytes.
READ_ONLY = [
    "validate",
    "test-failing",
    "eval",
    "verify",
    "history",
    "ledger-verify",
    "ledger-list",
    "replay-all",
    "replay-paid",
    "diff",
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped policies and examples, a policy with a failing case, a paid file, and
    a copy of the policies with a version not yet locked."""
    root = tmp_path_factory.mktemp("chinese")
    for name in ("policies", "examples"):
        shutil.copytree(ROOT / name, root / name)
    broken = root / "broken" / "commission"
    broken.mkdir(parents=True)
    source = (ROOT / "policies" / "commission" / "2026-01.yaml").read_text(encoding="utf-8")
    (broken / "2026-01.yaml").write_text(source.rstrip("\n") + "\n" + FAILING, "utf-8")
    shutil.copy(ROOT / "policies" / "entities.yaml", root / "broken" / "entities.yaml")
    (root / "paid.csv").write_text(PAID, encoding="utf-8")
    (root / "bad.csv").write_text("工号,comission_paid\nR104,1\nR104,2\n", encoding="utf-8")
    (root / "keys").mkdir()
    shutil.copytree(ROOT / "policies", root / "draft")
    text = (root / "draft" / "commission" / "2026-07.yaml").read_text(encoding="utf-8")
    draft = text.replace('version: "2026-07"', 'version: "2026-10"')
    draft = draft.replace("effective_from: 2026-07-01", "effective_from: 2026-10-01")
    (root / "draft" / "commission" / "2026-10.yaml").write_text(draft, encoding="utf-8")
    return root


def _printed(folder: Path, args: list[str], environ: dict[str, str]) -> list[str]:
    """The lines a command prints, standard output then error, run in ``folder`` with the
    language variables ``environ`` (and no other)."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        for variable in LANGUAGE_VARIABLES:
            patch.delenv(variable, raising=False)
        for variable, value in environ.items():
            patch.setenv(variable, value)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(args)
    return [line for line in (out.getvalue() + err.getvalue()).splitlines() if line.strip()]


@pytest.fixture(scope="module")
def printed(folder: Path) -> dict[str, list[str]]:
    """Each command's printed lines under --lang zh, run in order in ``folder``."""
    return {name: _printed(folder, ["--lang", "zh", *args], {}) for name, args in SESSION}


@pytest.mark.parametrize("name", [name for name, _ in SESSION])
def test_every_line_a_command_prints_is_chinese(
    name: str, printed: dict[str, list[str]], folder: Path
) -> None:
    """No English word but the data it names, in any line of the command."""
    lines = printed[name]
    assert lines, f"{name} printed nothing"
    allowed = data_words(folder / "policies")
    english = [(line, words) for line in lines if (words := english_words(line, allowed))]
    assert english == [], f"{name}: English in {len(english)} lines, e.g. {english[:3]}"


@pytest.mark.parametrize("name", READ_ONLY)
def test_a_chinese_locale_prints_the_same_as_lang_zh(
    name: str, printed: dict[str, list[str]], folder: Path
) -> None:
    """LANG=zh_CN.UTF-8, without --lang, prints what --lang zh printed, line for line."""
    args = dict(SESSION)[name]
    assert _printed(folder, args, {"LANG": "zh_CN.UTF-8"}) == printed[name]


def test_english_is_still_english(folder: Path) -> None:
    """Without a language the same commands print English (the docs show it)."""
    lines = _printed(folder, dict(SESSION)["history"], {})
    assert lines[0].split() == ["version", "from", "until", "published", "sha256", "file", "note"]


def test_a_kind_that_says_its_own_words_is_explained_in_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A kind whose explain takes only the detail (registered from outside) keeps its own
    words; one that takes ``said`` is said in the language asked for."""
    from policyengine.core._text_templates import saying
    from policyengine.run import _trace

    chinese = saying(policyengine.messages("zh"))
    own = lambda detail: [f"twice {detail['x']}"]  # noqa: E731  # as a registration writes it
    monkeypatch.setattr(_trace, "explainer", lambda kind: own)
    assert _trace._detail_lines("twice", {"x": 2}, chinese) == ["twice 2"]
    said = lambda detail, said: [said("table-default")]  # noqa: E731
    monkeypatch.setattr(_trace, "explainer", lambda kind: said)
    assert _trace._detail_lines("table", {}, chinese) == ["没有一行成立：用表的默认值"]
