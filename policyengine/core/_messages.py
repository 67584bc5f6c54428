"""The words of every problem found while loading and checking: (code, form) -> template.

A problem is made from data: its code, where it is, and ``details`` (the
names, values and files it is about). Its message and hint are rendered from
a template kept here, filled in from the details, so that:

- the words of every load-time problem can be read, compared and improved
  as one text, and docs/errors.md shows them (its section "Messages and
  hints" is generated from this table and checked by tests/test_messages.py),
  each linked to the section that explains its code (``SECTIONS``: a code
  raised by several steps has a row in each of their sections);
- a problem can be rendered again in another language from its code, form
  and details alone (:meth:`policyengine.errors.PolicyError.translated`).

A code may be said in several *forms* (``name-clash`` of an input, of a
parameter, of a rule id …): the form names which template of the code a
problem uses; a code said one way only has the form ``""``.

Placeholders are ``str.format`` fields named after details (``{name}``);
``{{`` is a literal brace. tests/test_messages.py renders every template with
its own placeholder names and checks that every ``add(code, form=…, …)`` in
the package gives exactly the details its template names.

**Another language.** The English template is the ``msgid`` of a stdlib
:mod:`gettext` catalogue and the code is its ``msgctxt`` (``pgettext``), so
two codes may say the same English words differently. A catalogue is a
``gettext.GNUTranslations`` read from a compiled ``policyengine.mo``
(:mod:`policyengine.core._languages` finds it); pass it to :func:`render`
(or ``PolicyError.translated``). Without one, the English template is used
as it is; a template the catalogue lacks, or whose words are not a
well-formed template, is said in English. ``FRAMES`` are the words around a
problem (``code: message (hint)``, a location's parts), catalogue entries
too, with the context ``frame:<name>``. Evaluation-time messages are here too
(:mod:`policyengine.core._run_templates`): ledgers keep their English text, which must
replay byte for byte, so their English templates say exactly that text and an error keeps
the values it is said from apart from the details the ledger stores
(``PolicyError.words``).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Any, Final, Protocol

import attrs

from ..codes import ErrorCode
from ._check_templates import CHECK_BLOCKS
from ._command_templates import COMMAND_BLOCKS
from ._expression_templates import EXPRESSION_BLOCKS
from ._facts_templates import FACT_BLOCKS
from ._frame_words import FIXED_HINTS, FRAME_WORDS
from ._run_templates import RUN_BLOCKS
from ._template import Template as Template
from ._template import TemplateBlocks
from ._template import placeholders as placeholders


class Catalogue(Protocol):
    """What a gettext catalogue gives a template: its words in another language."""

    def pgettext(self, context: str, message: str) -> str: ...


@attrs.frozen
class _Absent:
    """A placeholder with no detail (or a detail without the part it names)."""

    field: str


class _Lenient(string.Formatter):
    """``str.format`` that never fails on its values: a placeholder without a detail shows
    as written (``{name}``) and a value its format does not fit (``{limit:,}`` given text)
    shows as plain text, so that a mistake in the words never hides the problem."""

    def get_field(self, field_name: str, args: Any, kwargs: Mapping[str, Any]) -> Any:
        try:
            return super().get_field(field_name, args, kwargs)
        except (LookupError, AttributeError, TypeError, ValueError):
            return _Absent(field_name), field_name

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, _Absent):
            return "{" + value.field + "}"
        try:
            return format(value, format_spec)
        except (ValueError, TypeError):
            return str(value)


_LENIENT: Final = _Lenient()


class _Shown(dict[str, Any]):
    """Details for ``format_map``: a placeholder without a detail shows as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


_FAILS: Final = (ValueError, LookupError, AttributeError, TypeError)


def fill(text: str, values: Mapping[str, Any]) -> str | None:
    """``text`` with its placeholders filled from ``values``; None when ``text`` itself is
    not a well-formed template (a translation with an unclosed brace)."""
    try:
        # str.format first: every problem line passes here, and it is 20 times faster.
        return text.format_map(_Shown(values))
    except _FAILS:
        pass
    try:
        return _LENIENT.vformat(text, (), values)
    except _FAILS:
        return None


def say(context: str, english: str, values: Mapping[str, Any], catalogue: Catalogue | None) -> str:
    """``english`` said through ``catalogue`` (``context`` its msgctxt) and filled in; the
    English words when the catalogue lacks them or its words are not a template."""
    if catalogue is not None and english:
        said = fill(catalogue.pgettext(context, english), values)
        if said is not None:
            return said
    return fill(english, values) or english


@attrs.frozen
class Words:
    """Words said by name, in any language: ``english`` maps each name to its English, a
    catalogue entry whose msgctxt is ``context`` and the name (``frame:did-you-mean``).
    The words around a problem (``FRAMES``), the text the library makes (``TEXTS``), a
    command's lines (``LINES``) and a summary's (``SUMMARY_WORDS``) are each one."""

    context: str
    english: Mapping[str, str]

    def said(self, name: str, catalogue: Catalogue | None = None, /, **values: Any) -> str:
        """The words ``name`` said through ``catalogue`` (English without one), filled in
        with ``values``."""
        return say(self.context + name, self.english[name], values, catalogue)


def render(
    code: ErrorCode, form: str, details: Mapping[str, Any], catalogue: Catalogue | None = None
) -> tuple[str, str | None]:
    """The message and hint (None when the template has none) of ``code`` said in ``form``."""
    template = TEMPLATES[code, form]
    return (
        say(code, template.message, details, catalogue),
        say(code, template.hint, details, catalogue) or None,
    )


def computed_hint(hint: str | None, catalogue: Catalogue | None) -> str | None:
    """A hint computed where the problem was found, said through ``catalogue`` when it is
    a "did you mean" (``core/_suggest.py`` words it as ``FRAMES.english["did-you-mean"]``)
    or the same words each time (``FIXED_HINTS``)."""
    if hint in _FIXED:
        return frame(_FIXED[hint], catalogue)
    if hint is not None and _HINTS_JOINED in hint:  # several, each said by itself
        parts = [computed_hint(part, catalogue) or part for part in hint.split(_HINTS_JOINED)]
        return frame("problems-joiner", catalogue).join(parts)
    found = _DID_YOU_MEAN.fullmatch(hint or "")
    if found is None:
        return hint
    return frame("did-you-mean", catalogue, name=found["name"])


#: How a problem's line is put together around its message: ``file:line:col: code:
#: message (hint)``, and the parts of a location without a line. Each is a catalogue
#: entry too (msgctxt ``frame:<name>``; no code has a colon), so that another language
#: puts its own brackets and words around a problem.
FRAMES: Final = Words("frame:", FRAME_WORDS)
#: The words around a problem named ``name`` (``FRAMES``), said through ``catalogue``.
frame: Final = FRAMES.said


_IDENTIFIER_HINT: Final = "use letters (Chinese is fine), digits and '_', not starting with a digit"
_NORMAL_HINT: Final = (
    "write it as shown: expressions read every name in that form, so the two would be one "
    "name (full-width letters and digits often come from an input method)"
)
_BUILTIN_HINT: Final = "rename it; expressions would read the built-in"
_NUMBER_HINT: Final = "write plain digits such as 1000 or 0.035, or a percentage such as 3.5%"
_LOOP_HINT: Final = "break the loop: one of these rules must not read the others"
_BY_HAND: Final = (
    "restore the line from version control: the lock is written by `policyengine lock`"
)
_RESTORE: Final = "restore the file from version control and put the change in a new version file"

# Kept one template a line where it fits, as docs/errors.md shows them: easier to compare.
# ruff: noqa: E501
# fmt: off
#: (section of docs/errors.md, {(code, form): template}), by the step that reports them.
_BLOCKS: Final[TemplateBlocks] = (
    # reading a policy file (policyengine/read/_source.py, _safe_yaml.py)
    ("reading-a-policy-file", {
        ("file-not-found", ""): Template("there is no file '{path}'", "check the folder and the file name"),
        ("unreadable-file", ""): Template("'{path}' cannot be read: {reason}", "name a policy file you may read"),
        ("unreadable-file", "not-a-file"): Template("'{path}' is not a file but a pipe, a device or a socket, and is not read", "put the policy file itself here, not a link to a device or a pipe"),
        ("file-too-large", ""): Template("the file is larger than 1 MiB ({limit:,} bytes), the most a policy file may be", "split the policy into smaller files"),
        ("not-utf8", ""): Template("the file is not UTF-8 text: the byte 0x{byte} here cannot be read", "save the file with the encoding 'UTF-8' (not GBK, GB2312 or UTF-16)"),
        ("control-character", ""): Template("the file contains the invisible character {name}: control, bidi and zero-width characters are not allowed", "delete the character {character} (it often comes with text copied from another program); if there are many, the file may be UTF-16: save it as UTF-8"),
        ("empty-document", ""): Template("the file has no content, only blank lines or comments", "write the policy as 'key: value' lines"),
        ("not-a-mapping", ""): Template("the top level of a policy file must be 'key: value' lines, but this is {found}", "start the file with 'key: value' lines at the left margin"),
        ("multiple-documents", ""): Template("a second document starts here, but a policy file holds exactly one", "a line of only '---' or '...' separates documents: remove it, or put each policy in its own file"),
        ("too-deep", ""): Template("the document is nested more than {limit} levels deep", "no policy needs so many levels: look for a bracket '[' or '{{' that is never closed"),
        ("yaml-alias", ""): Template("'{name}' {does}, but policy files do not allow anchors (&) or aliases (*)", "write each value out in full where it is needed"),
        ("too-many-lines", ""): Template("the file has more than {limit:,} lines, far more than a policy needs", "split the policy into smaller files, or remove the blank lines"),
        ("too-many-aliases", ""): Template("more than {limit} anchors (&) and aliases (*): reading stops here", "policy files do not allow them: write each value out in full"),
        ("too-many-values", ""): Template("the file holds more than {limit:,} keys and values, far more than a policy needs: reading stops here", "split the policy into smaller files, or look for a list generated by mistake"),
        ("yaml-tag", ""): Template("the tag '{tag}' is not allowed in a policy file", "remove it; to make a value text, put the value in quotes"),
        ("complex-key", ""): Template("a key must be a single name, not a list or a mapping", "look for '?', '[' or '{{' before the colon"),
        ("duplicate-key", ""): Template("the key '{key}' is given twice in the same mapping; the first is on line {first_line}", "keep one: a second entry would silently replace the first"),
        ("invalid-date", ""): Template("'{text}' is written as a date (year-month-day), but there is no such day", "check the month (01-12) and the day; to keep it as text, put it in quotes"),
        ("too-many-digits", ""): Template("the number has {digits} digits, but at most {limit} can be calculated exactly", "shorten it; if it is a code, not an amount, put it in quotes"),
        ("not-a-number", "thousands"): Template("{number} inside {{ }} is read as several values: a comma there ends an entry", "write the number without thousands separators: {plain}"),
        ("yaml-syntax", ""): Template("{problem}"),
    }),
    # the schema (policyengine/read/_schema.py)
    ("schema", {
        ("unknown-key", ""): Template("unknown key '{key}'", "allowed here: {allowed}"),
        ("unknown-key", "none-allowed"): Template("unknown key '{key}'"),
        ("missing-key", ""): Template("missing required key '{key}'"),
        ("wrong-type", ""): Template("expected {wanted}, found {found}"),
        ("wrong-type", "text"): Template("expected {wanted}, found {found}", "put it in quotes to keep it as text"),
        ("wrong-type", "number"): Template("expected {wanted}, found {found}", "write a number such as 80000 or a percentage such as 3.5%"),
        ("wrong-type", "digits"): Template("expected {wanted}, found {found}", "write plain digits without leading zeros or '_' (e.g. 1000)"),
        ("wrong-type", "separators"): Template("expected {wanted}, found {found}", "write the number without thousands separators (e.g. 80000)"),
        ("wrong-type", "percent-sign"): Template("expected {wanted}, found {found}", "use the ASCII percent sign '%'"),
        ("unknown-rule-kind", ""): Template("unknown rule kind '{kind}'", "one of: {options}"),
        ("not-allowed", ""): Template("{found} is not allowed here", "one of: {options}"),
        ("not-allowed", "constant"): Template("expected {expected}, found {found}"),
        ("invalid-date", "schema"): Template("expected a date written YYYY-MM-DD, found {found}", "e.g. 2026-01-01"),
        ("empty", ""): Template("must not be empty, found {found}"),
        ("too-long", ""): Template("longer than {limit} characters"),
        ("bad-format", ""): Template("{found} does not have the expected form"),
        ("bad-format", "policy"): Template("{found} does not have the expected form", "no spaces or slashes"),
        ("bad-format", "version"): Template("{found} does not have the expected form", 'no spaces or slashes, e.g. "2026-01"'),
        ("bad-format", "period"): Template("{found} does not have the expected form", 'a month written YYYY-MM in quotes, e.g. "2026-03"'),
        ("schema-violation", ""): Template("{problem}"),
    }),
    # a policy's declarations (policyengine/load/_build_declarations.py)
    ("building-the-model", {
        ("empty-effective-range", ""): Template("effective_to {end} is not after effective_from {start}", "effective_to is the first day the version is no longer in force"),
        ("invalid-identifier", "input"): Template("input field '{name}' cannot be used as a name in expressions", _IDENTIFIER_HINT),
        ("invalid-identifier", "parameter"): Template("parameter '{name}' cannot be used as a name in expressions", _IDENTIFIER_HINT),
        ("invalid-identifier", "rule"): Template("rule id '{rule_id}' cannot be used as a name in expressions", _IDENTIFIER_HINT),
        ("name-not-normalized", "input"): Template("input field '{name}' is not written in its normal form (NFKC), '{normal}'", _NORMAL_HINT),
        ("name-not-normalized", "parameter"): Template("parameter '{name}' is not written in its normal form (NFKC), '{normal}'", _NORMAL_HINT),
        ("name-not-normalized", "rule"): Template("rule id '{name}' is not written in its normal form (NFKC), '{normal}'", _NORMAL_HINT),
        ("name-not-normalized", "output"): Template("output '{name}' is not written in its normal form (NFKC), '{normal}'", _NORMAL_HINT),
        ("name-clash", "input-builtin"): Template("input field '{name}' has the name of a built-in", _BUILTIN_HINT),
        ("name-clash", "parameter-builtin"): Template("parameter '{name}' has the name of a built-in", _BUILTIN_HINT),
        ("name-clash", "input-parameter"): Template("'{name}' is both an input field and a parameter", "rename one of them"),
        ("not-a-number", "parameter"): Template("parameter '{name}' is '{value}', which is not a number this engine reads", _NUMBER_HINT),
        ("unknown-name", "key"): Template("key '{key}' is not an input field"),
    }),
    # rule ids (policyengine/load/_build_rules.py)
    ("building-the-model", {
        ("too-many-rules", ""): Template("the policy has {count:,} rules, more than the {limit:,} a file may hold", "split the policy into several policies, or look for rules generated by mistake"),
        ("too-much-text", ""): Template("the rules hold more than {limit:,} characters of text; this rule and those after it are not read", "split the policy into several policies, or look for text generated by mistake"),
        ("duplicate-rule-id", ""): Template("rule id '{rule_id}' is used twice (first at line {first_line})", "give each rule its own id"),
        ("name-clash", "rule-input"): Template("rule id '{rule_id}' is also an input field", "rename the rule"),
        ("name-clash", "rule-parameter"): Template("rule id '{rule_id}' is also a parameter", "rename the rule"),
        ("name-clash", "rule-period"): Template("rule id '{rule_id}' is also the built-in 'period'", "rename the rule"),
        ("name-clash", "rule-function"): Template("rule id '{rule_id}' is also a function name", "rename the rule"),
        ("rate-without-percent", ""): Template("{value} is written where the other values are percentages: it is read as {percent}%", "write {value}% for {value} per cent"),
        ("rate-without-percent", "rate"): Template("this value is a rate (a graduated band's, or named as a rate): {value} is read as {percent}%", "write {value}% for {value} per cent"),
        ("rate-without-percent", "tenfold"): Template("{value} is read as {percent}%, ten times the percentages beside it ({others})", "write {tenth}% if that is meant"),
        ("text-is-a-name", "table"): Template("'{value}' is given as the text '{value}', but it is also a name in this policy", "write {{expr: {value}}} for its value, or {{expr: '\"{value}\"'}} for the text"),
        ("text-is-a-name", "tiers"): Template("'{value}' is given as the text '{value}', but it is also a name in this policy", "a band gives its value as written: to give the value of {value}, use a table with then: {{expr: {value}}}"),
        ("not-a-number", "number-words"): Template("'{value}' is a number written in words, which this engine does not read", "write it in digits: {digits}"),
    }),
    # names in expressions (policyengine/load/_names.py, and across policies _plan.py)
    ("building-the-model", {
        ("unknown-name", ""): Template("unknown name '{name}' in '{expression}'", "declare it under inputs or parameters, or add a rule with that id"),
        ("unknown-name", "constant"): Template("unknown name '{name}' in '{expression}'", "write {constant}: an expression spells its truth values True and False, with a capital letter"),
        ("unknown-output", ""): Template("'{rule}' has no '{output}' in '{expression}'", "it has: {outputs}"),
        ("unknown-output", "one-value"): Template("'{rule}' has no '{output}' in '{expression}'", "write '{rule}'"),
        ("unknown-output", "title"): Template("output_titles of '{rule}' names '{output}', which the rule does not give", "it gives: {outputs}"),
        ("no-named-outputs", "rule"): Template("rule '{rule}' has one value, not '{rule}.{output}'", "write '{rule}'"),
        ("no-named-outputs", "value"): Template("'{name}' is one value and has no '{output}'", "write '{name}'"),
        ("no-named-outputs", "title"): Template("rule '{rule}' gives one value, so output_titles has no output to title", "title its value with title:"),
        ("needs-output-name", "rule"): Template("rule '{rule}' gives several values; '{expression}' must say which", "write one of: {choices}"),
        ("needs-output-name", "parent"): Template("'{kind}' is the {kind} record; '{expression}' must say which of its values", "write {kind}.<field or output>"),
        ("value-not-declared", ""): Template("'{name}' is never '{value}' in '{expression}': its values are {values}", "compare with one of: {values}"),
        ("number-expected", "text"): Template("'{part}' is text, but '{operator}' in '{expression}' needs a number", "a number in quotes is text: write it without quotes; to test text, compare it with =="),
        ("number-expected", "boolean"): Template("'{part}' is yes/no, but '{operator}' in '{expression}' needs a number", "to count a yes/no value, write (1 if {part} else 0)"),
        ("yes-no-expected", ""): Template("'{part}' is {found}, but '{operator}' in '{expression}' needs a yes/no value", "compare it with something (x > 0, x == 'value', x >= period.start); a value alone is no condition"),
        ("money-times-money", ""): Template("'{part}' multiplies money by money in '{expression}'", "multiply an amount by a rate (6%), a count or a number; money divided by money is a plain number"),
        ("incomparable-types", ""): Template("'{part}' in '{expression}' compares {left} with {right}, which never match", "compare like with like: a date with a date (date(2026, 1, 1)), a number with a number, text with text"),
        ("incomparable-types", "yes-no"): Template("'{part}' in '{expression}' compares {left} with {right}, which never match", "a yes/no value is a condition as it is: write 'if x' or 'if not x', not x == \"true\" or x == 1"),
        ("branches-differ", ""): Template("the two branches of '{part}' in '{expression}' give {left} and {right}", "give the same kind of value in both branches, such as 0 rather than False or \"\""),
    }),
    # the order of rules (policyengine/load/_plan.py)
    ("building-the-model", {
        ("dependency-cycle", ""): Template("rules depend on each other in a loop: {loop}", _LOOP_HINT),
    }),
    # beside entities.yaml (policyengine/load/_build_declarations.py, _plan.py)
    ("policies-beside-entitiesyaml-and-the-bundle-plan", {
        ("unknown-kind", "applies-to"): Template("applies_to names '{kind}', which entities.yaml does not declare", "kinds: {kinds}"),
        ("unknown-kind", "no-applies-to"): Template("a policy beside entities.yaml must say which kind it applies to", "kinds: {kinds}"),
        ("input-differs-from-entities", "type"): Template("input '{name}' does not match the {kind} field in entities.yaml", "entities.yaml declares it as {type}"),
        ("input-differs-from-entities", "no-field"): Template("input '{name}' is no field of {kind} in entities.yaml", "remove it: entities.yaml declares fields"),
        ("unknown-name", "bundle"): Template("unknown name '{name}' in '{expression}': no field of {kind} and no rule for {kind} records in the policies in force", "add the policy that gives it"),
        ("rule-id-clash", ""): Template("rule '{rule_id}' for {kind} records is also given by {other}", "rule ids must be unique per kind of record across the policies in force"),
    }),
    # embedded tests (policyengine/load/_embedded.py)
    ("building-the-model", {
        ("duplicate-test-name", ""): Template("test '{test}' appears twice", "give each test its own name"),
        ("bad-previous-value", ""): Template("last month's '{name}' must be {wanted}, found {found}", "write one value of the kind previous({name}, …) starts from"),
        ("unknown-name", "test-facts"): Template("test facts name '{name}', which is not an input"),
        ("unknown-name", "test-expects"): Template("test expects '{name}', which no rule gives"),
        ("not-a-number", "test-expects"): Template("the test expects {name} to be '{value}', which is not a number, and {name} is one", "write it as digits, such as 3.5% or 1200.00"),
        ("unknown-name", "test-previous"): Template("the test gives last month's '{name}', which no previous(…) of the policy reads", "name a value the policy reads with previous(name, initial)"),
        ("not-in-force", "test"): Template("test '{test}' is for {period}, when this version is not in force", "use a month from {start} before {end}"),
        ("not-in-force", "test-open"): Template("test '{test}' is for {period}, when this version is not in force", "use a month from {start}"),
    }),
    # the versions of a folder together (policyengine/load/_repository_checks.py)
    ("the-policy-folder", {
        ("policy-folder-mismatch", ""): Template("the file says policy '{policy}' but lies in folder '{folder}'", "move it to {policy}/ or correct 'policy:'"),
        ("version-file-mismatch", ""): Template("the file says version '{version}' but is named {stem}", "name the file {version}{suffix}"),
        ("version-file-mismatch", "copy"): Template("the file says version '{version}', the version of {original}: it looks like a copy whose 'version:' was not changed", "write version: \"{stem}\" (the file's name) and the day it starts in effective_from"),
        ("mid-month-date", ""): Template("{key} {day} is not the first day of a month", "periods are months: a version takes effect on the 1st (use {first} or a later month's 1st)"),
        ("duplicate-version", ""): Template("version '{version}' is also in {other}", "give each version file its own 'version:'"),
        ("unknown-corrected-version", ""): Template("corrects '{corrects}', which is no other version", "name a version of this policy"),
        ("correction-dates-differ", ""): Template("corrects {other}, which starts {other_start}, but starts {start}", "a correction replaces a version for its whole time: start on the same day, or publish a new version without 'corrects'"),
        ("overlapping-versions", ""): Template("{file} starts {start} while {other} is still in force", "if {version} corrects {other_version}, say 'corrects: \"{other_version}\"'"),
        ("gap-between-versions", ""): Template("nothing is in force from {end} (end of {other}) until {start}", "start {version} on {end}, or end {other_version} later"),
    }),
    # the files of a policy folder (policyengine/load/_layout.py)
    ("the-policy-folder", {
        ("stray-policy-file", "hidden"): Template("'{path}' looks like a policy file but is not used: a hidden file is never used as a version", "rename it without the leading '.', or remove it"),
        ("stray-policy-file", "suffix"): Template("'{path}' looks like a policy file but is not used: a version file ends in .yaml or .yml, in small letters", "rename it to end in {suffix}"),
        ("stray-policy-file", "top"): Template("'{path}' looks like a policy file but is not used: only entities.yaml sits at the top of the policy folder", "move it into its policy's folder: <policy>/<version>.yaml"),
        ("stray-policy-file", "nested"): Template("'{path}' looks like a policy file but is not used: a version file sits directly in its policy's folder", "move it up to <policy>/<version>.yaml, or out of the policy folder"),
    }),
    # the lock (policyengine/load/_lock.py)
    ("the-lock-file-lock-and-verify", {
        ("lock-syntax", "fields"): Template("the line has {count} fields, but a published version has 5: path, policy, version, publication day and sha256", _BY_HAND),
        ("lock-syntax", "fields-signed"): Template("the line has {count} fields, but a published version has 7: path, policy, version, publication day, sha256, chain and sig", _BY_HAND),
        ("lock-syntax", "too-large"): Template("the lock file is over {limit} MiB: no lock is that large", _BY_HAND),
        ("lock-syntax", "not-utf8"): Template("the lock file is not UTF-8 text", _BY_HAND),
        ("lock-syntax", "escapes"): Template("'{token}' is not %XX escapes of UTF-8 text, or holds an invisible character", _BY_HAND),
        ("lock-syntax", "path"): Template("'{path}' is not '<policy folder>/<version file>' in the policies folder", _BY_HAND),
        ("lock-syntax", "suffix"): Template("'{path}' does not end in .yaml or .yml", _BY_HAND),
        ("lock-syntax", "day"): Template("'{token}' is not a publication day of the calendar written YYYY-MM-DD", _BY_HAND),
        ("lock-syntax", "sha256"): Template("'{token}' is not 'sha256:' followed by 64 lowercase hex digits", _BY_HAND),
        ("lock-syntax", "chain"): Template("'{token}' is not 'chain:' followed by 64 lowercase hex digits", _BY_HAND),
        ("lock-syntax", "sig"): Template("'{token}' is not 'sig:<16 hex digits>:<128 hex digits>'", _BY_HAND),
        ("lock-duplicate", ""): Template("{what} is listed twice; the first entry is on line {first}", "a version is published once: keep the first entry"),
        ("unreadable-file", "lock"): Template("'{path}' cannot be read: {reason}", "check the path of the lock file"),
        ("lock-unwritable", ""): Template("'{path}' cannot be written: {reason}", "check that its folder exists and that you may write there"),
        ("locked-file-missing", ""): Template("{path} ({policy} {version}) was published on {published} and is listed in {lock}, but the file is gone; a published version stays, so that past months can be recomputed with it", "restore it from version control; to replace it, add a new version"),
        ("locked-file-changed", ""): Template("{path} ({policy} {version}) was published on {published} and must not change, but its sha256 is now {sha256:.12}… instead of {locked_sha256:.12}…; publish the correction as a new version file", _RESTORE),
        ("version-already-published", ""): Template("{path} claims {policy} version {version}, which was published on {published} as {published_as}; a version is published once", "give this file a version label of its own, such as the month it takes effect"),
        ("version-already-published", "keys"): Template("{path} was published on {published} as {was} but now claims {policy} version {version}; a published file keeps its policy and version", _RESTORE),
        ("duplicate-version", "lock"): Template("{path} and {other} both claim {policy} version {version}; only one file can publish it", "give each version file its own label"),
        ("unidentified-version", ""): Template("{path} does not name its policy and version as text, so the lock cannot tell which version it is", 'write `policy: <id>` and `version: "<label>"` in the file, the label in quotes'),
        ("backdated-publication", "effect"): Template("{path} takes effect on {start}, before {other} (from {other_start}), already published: the months between would change without a word", "a new version takes effect after those published; to change months already in force, publish a correction of the version in force then (corrects: VERSION)"),
        ("backdated-publication", ""): Template("cannot publish on {published}: versions were already published on {latest}", "publish on {latest} or later"),
        ("test-failed", ""): Template("test '{test}' of {policy} {version} expects {output} {expected} but gets {actual}; a version is published only when its own tests pass, and nothing was locked", "run `policyengine test` to see what it gives, correct the version file, then lock again"),
        ("test-failed", "error"): Template("test '{test}' of {policy} {version} fails with {error}; a version is published only when its own tests pass, and nothing was locked", "run `policyengine test` to see why, correct the version file, then lock again"),
        ("test-failed", "changed"): Template("{path} ({policy} {version}) changed after its tests ran (its sha256 is now {sha256:.12}…); only the bytes its tests passed on can be published, and nothing was locked", "save the file, then lock again: its tests run on what it holds then"),
    }),
    *CHECK_BLOCKS,
    *COMMAND_BLOCKS,
    *EXPRESSION_BLOCKS,
    *RUN_BLOCKS,
    *FACT_BLOCKS,
)
# fmt: on

#: (code, form) -> its template.
TEMPLATES: Final[Mapping[tuple[ErrorCode, str], Template]] = {
    key: template for _, templates in _BLOCKS for key, template in templates.items()
}
#: (code, form) -> the anchor of the section of docs/errors.md that explains it.
SECTIONS: Final[Mapping[tuple[ErrorCode, str], str]] = {
    key: anchor for anchor, templates in _BLOCKS for key in templates
}

#: The hints computed where a problem is found that are the same words each time, by
#: their English: said again by name.
_FIXED: Final = {frame(name, None): name for name in FIXED_HINTS}
#: How hints found apart are joined (read/_safe_yaml.py: a YAML hint and its context).
_HINTS_JOINED: Final = "; "
_DID_YOU_MEAN: Final = re.compile(
    re.escape(FRAMES.english["did-you-mean"]).replace(r"\{name\}", "(?P<name>.*)")
)
