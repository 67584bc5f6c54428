"""The words of load-time problems: one template per (code, form), filled in from details.

policyengine/core/_messages.py holds them; every ``add(code, form=…, **details)`` in the
package must name a template whose placeholders are exactly the details it gives
(checked here from the source, and in tests/conftest.py for every problem a test makes),
and docs/errors.md shows them in its section "Messages and hints", generated from the
table: ``python tests/test_messages.py`` prints that section.
"""

from __future__ import annotations

import ast
import gettext
import string
from pathlib import Path
from typing import Any

import attrs
import pytest
from helpers import write_policy

import policyengine
from policyengine.codes import CODES
from policyengine.core._messages import (
    _BLOCKS,
    FRAMES,
    SECTIONS,
    TEMPLATES,
    Template,
    placeholders,
    render,
)
from policyengine.core._problems import Problems
from policyengine.core._suggest import did_you_mean
from policyengine.errors import Location, ModelError
from policyengine.load._build_problems import BuildProblems
from policyengine.read._source import read_policy_file

PACKAGE = Path(policyengine.__file__).parent
ERRORS_MD = PACKAGE.parent / "docs" / "errors.md"
SECTION = "## Messages and hints"
#: What reports a problem by its template: the collector's ``add``, the schema's ``say``,
#: the reader's ``problem`` and ``source_problem``, the lock's ``lock_problem``, the
#: ledger's ``_problem`` and ``finding``; each with the place of its code among its arguments.
REPORTERS = {
    "add": 0,
    "say": 0,
    "problem": 0,
    "source_problem": 0,
    "lock_problem": 0,
    "_problem": 0,
    "finding": 1,
}
#: Keywords of those that say where, not what.
PLACE_WORDS = {"at", "at_key", "hint", "form"}


@attrs.frozen
class Call:
    """One call of a reporter in the package's source with a code written out."""

    where: str
    code: str
    form: str | None  # None: chosen at run time
    given: frozenset[str] | None  # None: ``**details`` passed on


def _callee(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return node.func.id if isinstance(node.func, ast.Name) else None


def _calls() -> list[Call]:
    found: list[Call] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or _callee(node) not in REPORTERS:
                continue
            place = REPORTERS[_callee(node) or ""]
            code = node.args[place] if len(node.args) > place else None
            if not (isinstance(code, ast.Constant) and code.value in CODES):
                continue
            words = {k.arg: k.value for k in node.keywords}
            form_node = words.get("form", ast.Constant(""))
            form = form_node.value if isinstance(form_node, ast.Constant) else None
            given = None if None in words else frozenset(k for k in words if k not in PLACE_WORDS)
            where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
            found.append(Call(where, code.value, form, given))
    return found


def _fits(template: Template, given: frozenset[str]) -> bool:
    """The details given are the template's placeholders (``rule_id`` locates, and may be
    given without being said)."""
    return template.placeholders == given or template.placeholders == given - {"rule_id"}


def test_every_template_is_of_a_registered_code() -> None:
    """A template belongs to a code of the registry."""
    assert sorted({code for code, _ in TEMPLATES} - set(CODES)) == []


def test_every_template_names_a_section_that_explains_its_code() -> None:
    """Each template is filed under a section of docs/errors.md where its code has a row,
    and each (code, form) is filed once."""
    assert sum(len(templates) for _, templates in _BLOCKS) == len(TEMPLATES) == len(SECTIONS)
    wrong = [
        f"{code}:{form} #{anchor}"
        for (code, form), anchor in SECTIONS.items()
        if anchor not in {info.anchor for info in CODES[code]}
    ]
    assert wrong == []


@pytest.mark.parametrize("key", list(TEMPLATES), ids=lambda key: f"{key[0]}:{key[1]}")
def test_every_template_renders_with_its_placeholder_names(key: tuple[Any, str]) -> None:
    """Each template's message and hint format with a detail per placeholder name, by name
    only (no positional field), and show every detail they name."""
    template = TEMPLATES[key]
    # A number where the template formats one (``{limit:,}``, ``{size:,}``); text elsewhere.
    numbers = {
        field
        for text in (template.message, template.hint)
        for _, field, spec, _ in string.Formatter().parse(text)
        if field and spec and "," in spec
    } | {"limit"}
    details = {name: 12345 if name in numbers else f"<{name}>" for name in template.placeholders}
    message, hint = render(key[0], key[1], details)
    assert message == template.message.format(**details) and message.strip()
    assert hint == (template.hint.format(**details) or None)
    shown = f"{message} {hint}"
    for value in details.values():  # ``{sha256:.12}`` shows the first 12 characters
        assert str(value)[:12] in shown.replace("12,345", "12345")
    assert "{}" not in template.message + template.hint


def test_the_source_is_read_for_calls() -> None:
    """The walk below finds the package's problem reports (not a vacuous check)."""
    calls = _calls()
    assert len(calls) > 60
    assert {
        "load/_plan.py",
        "read/_schema.py",
        "load/_names.py",
        "load/_lock_file.py",
        "rules/tiers.py",
        "facts/_entities_file.py",
        "audit/_ledger_seals.py",
        "audit/ledger.py",
    } <= {c.where.split(":")[0] for c in calls}


def test_every_add_names_a_template_that_its_details_fill() -> None:
    """Every ``add(code, form=…, **details)`` written in the package names an existing
    template and gives exactly the details it reads: a wrong or missing placeholder is a
    test failure here, never a crash in front of a user."""
    wrong: list[str] = []
    for call in _calls():
        forms = [t for (code, form), t in TEMPLATES.items() if code == call.code]
        if call.form is not None:
            template = TEMPLATES.get((call.code, call.form))  # type: ignore[call-overload]
            forms = [template] if template else []
        if not forms:
            wrong.append(f"{call.where}: no template {call.code}:{call.form}")
        elif call.given is not None and not any(_fits(t, call.given) for t in forms):
            wrong.append(f"{call.where}: {call.code}:{call.form} given {sorted(call.given)}")
    assert wrong == []


def test_a_problem_keeps_its_code_form_and_details(tmp_path: Path) -> None:
    """A load-time problem keeps the data its words were made from."""
    path = write_policy(
        tmp_path,
        """
        key: rpe
        inputs: {rep: {type: string}}
        rules:
          - {id: bonus, kind: formula, expr: "1"}
          - {id: bonus, kind: formula, expr: "2"}
        """,
    )
    unknown, clash = policyengine.check_policy(path)
    assert (unknown.code, unknown.form, unknown.details) == ("unknown-name", "key", {"key": "rpe"})
    assert unknown.hint == "did you mean 'rep'?"
    assert (clash.code, clash.location.rule_id, clash.location.line) == (
        "duplicate-rule-id",
        "bonus",
        11,
    )
    assert clash.details == {"rule_id": "bonus", "first_line": 10}
    assert clash.to_dict()["details"] == {"rule_id": "bonus", "first_line": 10}


class _Shouting(gettext.NullTranslations):
    """A stand-in catalogue: every template in capitals, its placeholders untouched."""

    def pgettext(self, context: str, message: str) -> str:
        assert context in CODES or context.removeprefix(FRAMES.context) in FRAMES.english
        return "".join(
            f"{literal.upper()}{{{field}{':' + spec if spec else ''}}}"
            if field
            else literal.upper()
            for literal, field, spec, _ in string.Formatter().parse(message)
        )


def test_a_problem_is_said_again_in_another_catalogue() -> None:
    """``translated`` renders the message and the template's hint again from code, form and
    details, through gettext's ``pgettext`` with the code as context."""
    problems = Problems()
    problems.add("duplicate-rule-id", Location(file="p.yaml"), rule_id="bonus", first_line=3)
    (problem,) = problems.found
    said = problem.translated(_Shouting())
    assert said.message == "RULE ID 'bonus' IS USED TWICE (FIRST AT LINE 3)"
    assert said.hint == "GIVE EACH RULE ITS OWN ID"
    assert (said.code, said.location, said.details) == (
        problem.code,
        problem.location,
        problem.details,
    )
    assert problem.message == "rule id 'bonus' is used twice (first at line 3)"


@pytest.mark.parametrize(
    ("written", "form", "hint"),
    [
        ('"80,000"', "separators", "without thousands separators"),
        ('"0_80000"', "digits", "without leading zeros"),
        ('"3.5％"', "percent-sign", "ASCII percent sign"),
        ("[1]", "number", "such as 3.5%"),
    ],
)
def test_a_number_written_wrong_gets_the_hint_of_its_mistake(
    tmp_path: Path, written: str, form: str, hint: str
) -> None:
    """Text meant as a number is ``wrong-type`` in the form whose hint names the mistake."""
    path = write_policy(
        tmp_path,
        f"""
        inputs: {{sales: {{type: money}}}}
        rules:
          - id: rate
            kind: tiers
            of: sales
            mode: flat
            bands:
              - {{from: {written}, value: 1}}
        """,
    )
    (problem,) = policyengine.check_policy(path)
    assert (problem.code, problem.form, problem.location.pointer) == (
        "wrong-type",
        form,
        "/rules/0/bands/0/from",
    )
    assert problem.details["wanted"] == "a number or a percentage"
    assert hint in (problem.hint or "")


def test_every_problem_of_an_invalid_policy_is_said_again(tmp_path: Path) -> None:
    """``InvalidPolicy.translated`` says each of its problems again, in the same order."""
    path = write_policy(tmp_path, "key: rpe\ninputs: {rep: {type: string}}\n")
    with pytest.raises(policyengine.InvalidPolicy) as caught:
        policyengine.load_policy(path)
    said = caught.value.translated(_Shouting())
    assert [p.message for p in said.problems] == [
        "MISSING REQUIRED KEY 'rules'",
        "KEY 'rpe' IS NOT AN INPUT FIELD",
    ]
    assert said.location.file == caught.value.location.file and "2 problems" in said.render()


def test_a_computed_hint_and_a_written_message_are_kept_in_another_catalogue() -> None:
    """A hint computed on the spot is no template's: it stays, but for a "did you mean",
    said again with its name; an error worded where it was raised (an evaluation's, whose
    text the ledgers keep) is not re-rendered at all."""
    problems = Problems()
    problems.add("unknown-name", "/key", form="key", hint=did_you_mean("rpe", ["rep"]), key="rpe")
    problems.add("unknown-name", "/key", form="key", hint="kinds: rep, team", key="rpe")
    said, other = (p.translated(_Shouting()) for p in problems.found)
    assert (said.message, said.hint) == ("KEY 'rpe' IS NOT AN INPUT FIELD", "DID YOU MEAN 'rep'?")
    assert other.hint == "kinds: rep, team"
    written = ModelError("as written", code="invalid-model")
    assert written.translated(_Shouting()) is written


def test_a_missing_detail_shows_its_placeholder_instead_of_crashing() -> None:
    """Should a detail be missing at run time, the problem is still reported."""
    assert render("unknown-name", "key", {}) == ("key '{key}' is not an input field", None)


def test_a_kept_problem_takes_the_collectors_class_and_place() -> None:
    """``keep`` reports another step's problem as the collector's class, located."""
    problems = Problems()
    other = policyengine.UsageError("not a month", code="invalid-period", hint="YYYY-MM")
    problems.keep(other, "/tests/0/period")
    (kept,) = problems.found
    assert type(kept) is ModelError
    assert (kept.code, kept.message, kept.hint) == ("invalid-period", "not a month", "YYYY-MM")
    assert kept.location.pointer == "/tests/0/period"


def test_the_worded_form_of_a_build_report_still_locates_its_problem(tmp_path: Path) -> None:
    """``BuildProblems.error(code, message, pointer, …)``, the form before ``add``, still
    reports a problem worded at the call site, located in the file."""
    document = read_policy_file(write_policy(tmp_path, "inputs: {sales: {type: money}}\n"))
    problems = BuildProblems(document=document)
    problems.error("name-clash", "worded here", "/inputs/sales", "a hint", rule_id="r", key=True)
    (problem,) = problems.found
    assert (problem.code, problem.message, problem.hint, problem.form) == (
        "name-clash",
        "worded here",
        "a hint",
        None,
    )
    assert (problem.location.line, problem.location.column, problem.location.rule_id) == (
        6,
        10,
        "r",
    )


def test_placeholders_are_read_as_format_reads_them() -> None:
    """``{name:,}`` and ``{a.b}`` name ``name`` and ``a``; ``{{`` is no placeholder."""
    assert placeholders("{limit:,} and {k.key} and {{x}}") == {"limit", "k"}


def messages_section() -> str:
    """docs/errors.md's section of templates, as generated from the table."""
    rows = [
        f"| [`{code}`](#{SECTIONS[code, form]}) | {form} | {t.message} | {t.hint} |"
        for (code, form), t in sorted(TEMPLATES.items(), key=lambda item: item[0])
    ]
    return "\n".join(
        [
            SECTION,
            "",
            "The words of the problems found while loading and checking, while",
            "evaluating and in facts, as `policyengine/core/_messages.py` holds them",
            "(with `_check_templates.py`, `_run_templates.py` and `_facts_templates.py`):",
            "one template per code and form (a code said in several ways has a form per",
            "way), its `{placeholders}` filled in from the problem's `details` (an",
            "evaluation or facts error: from its `words`, kept apart from the details a",
            "ledger stores); `{{` is a literal brace. A hint computed where the problem",
            'is found (a "did you mean") replaces the template\'s. Each code links to',
            "the section that explains it. Generated from the table:",
            "`python tests/test_messages.py`.",
            "",
            "| code | form | message | hint |",
            "|---|---|---|---|",
            *rows,
            "",
        ]
    )


def test_the_errors_page_shows_every_template() -> None:
    """docs/errors.md ends with the section generated from the table of templates."""
    text = ERRORS_MD.read_text(encoding="utf-8")
    assert SECTION in text
    assert text[text.index(SECTION) :] == messages_section()


if __name__ == "__main__":
    print(messages_section(), end="")
