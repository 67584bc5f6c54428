"""Every problem can be said in Chinese: the catalogue is complete, faithful and shipped.

The Chinese words live in policyengine/locale/zh_CN/LC_MESSAGES/policyengine.po (edited
by hand), made from the table of templates by tools/messages.py, which also writes the
.pot and compiles the .mo the package reads at run time. These tests fail when a
template is added without its Chinese words, when a translation reads other details than
its English, when the .mo or the .pot is behind, and when saying a problem in Chinese
could fail.
"""

from __future__ import annotations

import datetime
import gettext
import importlib.util
import io
import re
import string
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import detail_values

import policyengine
from policyengine.cli._main import main
from policyengine.core._languages import environment_language, language_of, messages
from policyengine.core._messages import FRAMES, TEMPLATES, fill, frame, placeholders, render
from policyengine.core._phrases import said_phrase
from policyengine.core._problems import Problems
from policyengine.errors import Location, ModelError
from policyengine.read import _schema

ROOT = Path(__file__).parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "policies" / "three-mistakes.yaml"
_CHINESE = re.compile(r"[\u4e00-\u9fff]")
ZH = messages("zh")


def _tools() -> ModuleType:
    spec = importlib.util.spec_from_file_location("messages_tool", ROOT / "tools" / "messages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TOOLS = _tools()
PO = TOOLS.po_path("zh_CN")


def _entries(catalogue: Any) -> dict[tuple[str, str], str]:
    return {(m.context, m.id): m.string for m in catalogue if m.id}


def _po() -> Any:
    with PO.open("rb") as handle:
        return read_po(handle)


def test_every_template_and_frame_has_chinese_words() -> None:
    """The .po holds exactly the words of the table, each translated and none fuzzy: a
    template added without its Chinese fails here (run tools/messages.py, then translate)."""
    catalogue = _po()
    wanted = {(context, text) for context, text, _ in TOOLS.words()}
    assert set(_entries(catalogue)) == wanted
    untranslated = sorted(key for key, said in _entries(catalogue).items() if not said)
    fuzzy = sorted((m.context, m.id) for m in catalogue if m.id and m.fuzzy)
    assert (untranslated, fuzzy) == ([], [])
    assert len(wanted) >= len(TEMPLATES) + len(FRAMES.english)


def test_chinese_words_read_exactly_the_details_of_their_english() -> None:
    """Each translation is a well-formed template with the placeholders, and the format of
    each (``{limit:,}``), of its English msgid."""
    wrong = []
    for (context, english), said in _entries(_po()).items():
        fields = {f"{name}:{spec}" for _, name, spec, _ in _parts(english)}
        if (
            placeholders(said) != placeholders(english)
            or {f"{name}:{spec}" for _, name, spec, _ in _parts(said)} != fields
        ) or fill(said, {}) is None:
            wrong.append((context, english, said))
    assert wrong == []


def _parts(text: str) -> list[tuple[str, str | None, str | None, str | None]]:
    return [p for p in string.Formatter().parse(text) if p[1] is not None]


def test_the_shipped_mo_is_what_babel_compiles_from_the_po() -> None:
    """The committed .mo (read by the package with the standard library) holds exactly the
    words Babel compiles from the .po: run ``python tools/messages.py compile`` after an edit."""
    with PO.with_suffix(".mo").open("rb") as handle:
        shipped = _entries(read_mo(handle))
    compiled = _entries(read_mo(io.BytesIO(TOOLS.mo_bytes(PO))))
    assert shipped == compiled == _entries(_po())


def test_the_pot_is_what_the_table_gives() -> None:
    """policyengine/locale/policyengine.pot is the table's words with their notes: run
    ``python tools/messages.py extract`` after changing a template."""
    with TOOLS.POT.open("rb") as handle:
        committed = read_po(handle)
    made = TOOLS.template_catalogue()
    notes = {(m.context, m.id): m.auto_comments for m in made if m.id}
    assert {(m.context, m.id): m.auto_comments for m in committed if m.id} == notes


def test_the_package_reads_the_catalogue_with_the_standard_library() -> None:
    """``messages("zh")`` is a gettext catalogue read from the shipped .mo; English and a
    language without a catalogue say the templates themselves."""
    chinese = messages("zh_CN.UTF-8")
    assert isinstance(chinese, gettext.GNUTranslations)
    assert chinese.pgettext("missing-key", "missing required key '{key}'") == (
        "缺少必填的键 '{key}'"
    )
    for english in ("en", "fr", "C"):
        said = messages(english).pgettext("missing-key", "missing required key '{key}'")
        assert said == "missing required key '{key}'"


_DETAILS = st.dictionaries(
    st.sampled_from(sorted({p for t in TEMPLATES.values() for p in t.placeholders})),
    detail_values(),
)


@settings(max_examples=300, deadline=None)
@given(key=st.sampled_from(sorted(TEMPLATES)), details=_DETAILS)
def test_every_template_is_said_in_chinese_whatever_its_details(
    key: tuple[Any, str], details: dict[str, Any]
) -> None:
    """Rendering any (code, form) in Chinese with any detail values, or none, never raises,
    and says Chinese words wherever the translation has them."""
    code, form = key
    message, hint = render(code, form, details, messages("zh"))
    said = messages("zh").pgettext(code, TEMPLATES[key].message)
    assert isinstance(message, str)
    assert bool(_CHINESE.search(message)) or not _CHINESE.search(said)
    assert (hint is None) == (TEMPLATES[key].hint == "")
    words = {"code": code, "message": message, "hint": hint}
    line = frame("text-hint" if hint else "text", messages("zh"), **words)
    assert line.startswith(f"{code}: {message}")


class _Broken(gettext.NullTranslations):
    """A catalogue whose every word is malformed (an unclosed brace) or drops a detail."""

    def pgettext(self, context: str, message: str) -> str:
        return "坏{" if "{" in message else "{不存在}"


def test_a_broken_or_missing_translation_falls_back_to_english() -> None:
    """A translation that is no template is said in English; one the catalogue lacks is
    said in English; a placeholder no detail fills shows as ``{name}``; a format the
    value does not fit shows the value plainly."""
    message, hint = render("file-too-large", "", {"limit": 2**20}, _Broken())
    assert message == (
        "the file is larger than 1 MiB (1,048,576 bytes), the most a policy file may be"
    )
    assert hint == "{不存在}"
    assert render("too-deep", "", {}, gettext.NullTranslations())[0] == (
        "the document is nested more than {limit} levels deep"
    )
    assert render("file-too-large", "", {"limit": "很多"}, messages("zh"))[0] == (
        "文件超过 1 MiB（很多 字节），这是制度文件的上限"
    )
    assert frame("text-hint", messages("zh"), code="c", message="m", hint="h") == "c: m（提示：h）"


def test_a_problem_is_rendered_in_chinese_and_its_english_stays() -> None:
    """``render("zh")`` says the problem in Chinese around the same stable code; the error
    itself, its ``to_dict()`` and its English line are unchanged."""
    problems = Problems()
    problems.add(
        "duplicate-rule-id", Location(file="p.yaml", line=9, column=7), rule_id="b", first_line=3
    )
    (problem,) = problems.found
    english = problem.render()
    assert problem.render("zh") == (
        "p.yaml:9:7，规则 'b': duplicate-rule-id: 规则编号 'b' 用了两次（第一次在第 3 行）"
        "（提示：请给每条规则一个不同的编号）"
    )
    assert problem.render() == english == str(problem)
    assert english == (
        "p.yaml:9:7, rule 'b': duplicate-rule-id: rule id 'b' is used twice "
        "(first at line 3) (give each rule its own id)"
    )


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.GB18030"}, "zh"),
        ({"LANG": "zh_CN.UTF-8", "LC_ALL": ""}, "zh"),
        ({"LANG": "zh_CN.UTF-8", "POLICYENGINE_LANG": "en"}, "en"),
        ({"LC_ALL": "C", "POLICYENGINE_LANG": "zh"}, "zh"),
    ],
)
def test_the_environment_chooses_the_language(environ: dict[str, str], language: str) -> None:
    """POLICYENGINE_LANG first, then LC_ALL, LC_MESSAGES and LANG as POSIX orders them;
    a value starting with ``zh`` is Chinese, anything else English."""
    assert environment_language(environ) == language


def test_language_names_are_read_loosely() -> None:
    """``zh``, ``zh-CN``, ``ZH_cn.utf8`` are Chinese; an unknown language is English."""
    assert [language_of(n) for n in ("zh", "zh-CN", "ZH_cn.utf8", "de", "")] == [
        "zh",
        "zh",
        "zh",
        "en",
        "en",
    ]


def test_validate_in_chinese_prints_each_mistake_located(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``policyengine --lang zh validate`` prints the fixture's three mistakes as
    ``file:line:col…: code: 说明（提示：…）`` lines and a Chinese count, exit 2."""
    code = main(["--lang", "zh", "validate", str(FIXTURE)])
    lines = capsys.readouterr().out.splitlines()
    assert code == 2 and lines[-1] == "发现 3 个问题"
    found = [
        re.match(r"(.+?):(\d+):(\d+)(?:，[^:]*)?: ([a-z-]+): (.+)$", line) for line in lines[:-1]
    ]
    assert all(found)
    assert [(m[1], int(m[2]), int(m[3]), m[4]) for m in found if m] == [
        (str(FIXTURE), 10, 3, "duplicate-key"),
        (str(FIXTURE), 14, 11, "unknown-name"),
        (str(FIXTURE), 16, 11, "unknown-rule-kind"),
    ]
    assert all(_CHINESE.search(m[5]) and "（提示：" in m[5] for m in found if m)


def test_the_locale_chooses_chinese_and_lang_overrides_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``LANG=zh_CN.UTF-8`` alone gives Chinese; ``--lang en`` gives the English lines,
    byte for byte those of a run with no language asked."""
    english = main(["validate", str(FIXTURE)])
    english_out = capsys.readouterr().out
    monkeypatch.delenv("POLICYENGINE_LANG")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert main(["validate", str(FIXTURE)]) == english == 2
    assert capsys.readouterr().out.endswith("发现 3 个问题\n")
    assert main(["--lang", "en", "validate", str(FIXTURE)]) == 2
    assert capsys.readouterr().out == english_out
    assert english_out.endswith("\n3 problems found\n")


def test_an_invalid_policy_is_said_again_by_language_name() -> None:
    """The library stays English; ``InvalidPolicy.render("zh")`` and ``translated("zh")``
    say every problem in Chinese, with the count line."""
    with pytest.raises(policyengine.InvalidPolicy) as caught:
        policyengine.load_policy(FIXTURE)
    assert caught.value.message.splitlines()[0].endswith(": 3 problems")
    said = caught.value.render("zh").splitlines()
    assert said[0] == f"{FIXTURE}: 3 个问题" and len(said) == 4
    assert said[1:] == [p.render("zh") for p in caught.value.problems]
    assert [p.message for p in caught.value.translated("zh").problems] == [
        p.render("zh").split(": ", 2)[2].split("（提示：")[0] for p in caught.value.problems
    ]
    assert policyengine.messages("zh") is messages("zh")


def test_the_hr_guide_shows_the_chinese_lines_validate_prints(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/hr-guide.md's example of ``--lang zh validate`` is what the command prints."""
    guide = (ROOT / "docs" / "hr-guide.md").read_text(encoding="utf-8")
    command = "$ policyengine --lang zh validate tests/fixtures/policies/three-mistakes.yaml\n"
    shown = guide.split(command, 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    assert main(["--lang", "zh", "validate", str(FIXTURE.relative_to(ROOT))]) == 2
    assert capsys.readouterr().out == shown


_MAYBE_TEXT = st.none() | st.text(max_size=8)
_LOCATIONS = st.builds(
    Location,
    file=_MAYBE_TEXT,
    line=st.none() | st.integers(1, 9999),
    column=st.none() | st.integers(1, 99),
    pointer=_MAYBE_TEXT,
    rule_id=_MAYBE_TEXT,
    record=_MAYBE_TEXT | st.integers(),
    field=_MAYBE_TEXT,
)


@settings(max_examples=200, deadline=None)
@given(location=_LOCATIONS, message=st.text(max_size=20), hint=_MAYBE_TEXT)
def test_the_english_line_is_what_the_english_frames_say(
    location: Location, message: str, hint: str | None
) -> None:
    """``render()`` writes the English frames out for speed; through a catalogue that
    translates nothing, the frames give the same line, byte for byte."""
    error = ModelError(message, code="invalid-model", location=location, hint=hint)
    assert error.render() == error.render(gettext.NullTranslations()) == str(error)
    assert location.render() == location.render(gettext.NullTranslations())


def test_every_phrase_the_schema_words_a_detail_in_is_said_in_chinese() -> None:
    """The types a schema wants and the values it describes (``wanted``, ``found``) are
    English phrases made in read/_schema.py: each one it can make is said in Chinese."""
    made = [*_schema._TYPE_NAMES.values(), _schema._NUMBER]
    samples = [None, True, 3, Decimal("2.5"), datetime.date(2026, 1, 1), "80,000", {}, []]
    made += [_schema._describe(value) for value in samples]
    made.append(_schema._wanted(["string", "null"]))
    english = [phrase for phrase in made if not _CHINESE.search(said_phrase(phrase, ZH))]
    assert english == []
    assert said_phrase("text or nothing", ZH) == "文字或空值"
    assert said_phrase("the text '80,000'", ZH) == "文字 '80,000'"


@pytest.mark.parametrize(
    "phrase", ["tier", "the text", "a list or", " or a list", "a list, a mapping", ""]
)
def test_a_value_that_is_no_phrase_is_kept(phrase: str) -> None:
    """Only a detail wholly made of phrases is said again: anything else is data."""
    assert said_phrase(phrase, ZH) == phrase


@pytest.mark.parametrize(
    ("text", "code", "english"),
    [
        ("a: &x 1\nb: *x\n", "yaml-alias", "repeats a value marked elsewhere"),
        ("- 1\n- 2\n", "not-a-mapping", "a list"),
        ("just words\n", "not-a-mapping", "the single value"),
        ("format: 1\nversion: [1]\n", "wrong-type", "a list"),
    ],
)
def test_a_problem_found_while_reading_says_its_details_in_chinese(
    tmp_path: Path, text: str, code: str, english: str
) -> None:
    """A problem whose details are worded in English where the file is read is said in
    Chinese, details included: no English phrase is left in its message."""
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    problems = [p for p in policyengine.check_policy(path) if p.code == code]
    assert any(english in p.message for p in problems)
    for problem in problems:
        said = problem.translated("zh").message
        assert english not in said and _CHINESE.search(said)
