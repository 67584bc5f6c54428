"""Every error code the package uses, in one table: code -> where and why it is raised.

An error's ``code`` is stable API: callers react to it, ledgers store it, and
docs/errors.md explains it. This module is the one list of codes:

- ``ErrorCode`` is a ``Literal`` of every code. The code parameters of
  :class:`~policyengine.errors.PolicyError` and of every helper that makes an
  error are typed with it, so strict mypy checks each code written in the
  package against this list, at every call site. A code chosen at run time
  comes from a variable typed ``ErrorCode`` too.
- ``CODES`` maps each code to one :class:`CodeInfo` per place it is documented:
  the class that raises it there, the section of docs/errors.md (its anchor)
  and what the code means there, in the words of that page. A few codes are
  shared by several steps (``file-not-found`` is said of a policy file, a
  facts file, a ledger …); each step has its own row and its own entry.
  tests/test_docs.py checks the page against this table, row by row.

Only the static check guards the codes: at run time an error made with a
code that is not here keeps that code as given. An unknown code is a
developer's typo that mypy reports; turning it into a crash would show a
user an internal error in place of the problem being reported.

The module is data, and imports nothing from the package, so that errors.py
(and tools reading the codes) can import it without importing the engine.
"""

# Meanings are kept on one line each, as docs/errors.md has them: easier to compare.
# ruff: noqa: E501

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, Literal

import attrs

# fmt: off
ErrorCode = Literal[
    "above-bands", "aggregate-without-collect", "ambiguous-column", "backdated-publication",
    "bad-default", "bad-format", "bad-history-of", "bad-key", "bad-key-type", "bad-rounding", "bad-select", "bad-signature",
    "band-values-differ", "below-bands", "blob-mismatch", "blob-missing", "blob-tampered",
    "chain-broken", "collect-needs-numbers", "complex-key", "control-character",
    "correction-dates-differ", "dependency-cycle", "division-by-zero", "draft-in-use", "duplicate-check",
    "duplicate-column", "duplicate-component", "duplicate-key", "duplicate-kind",
    "duplicate-rule-id", "duplicate-test-name", "duplicate-version", "empty", "empty-band",
    "empty-document", "empty-effective-range", "empty-file", "empty-group", "empty-value",
    "enum-without-values", "evaluation-failed", "expression-empty", "expression-syntax",
    "expression-too-deep", "expression-too-long", "facts-changed", "failed-input", "failed-value", "file-not-found",
    "file-too-large", "float-not-allowed", "forbidden-attribute", "forbidden-method",
    "forbidden-operator", "forbidden-syntax", "function-failed", "function-not-called",
    "gap-between-bands", "gap-between-versions", "graduated-needs-rates", "head-mismatch", "head-missing",
    "incomplete-group", "input-differs-from-entities", "input-type-differs", "internal-error",
    "invalid-csv", "invalid-date", "invalid-expression", "invalid-fact", "invalid-identifier",
    "invalid-json", "invalid-model", "invalid-operation", "invalid-parent", "invalid-period",
    "invalid-policy", "invalid-record", "later-run-stale", "ledger-broken", "ledger-closed", "ledger-exists", "ledger-io", "ledger-version",
    "list-too-long", "list-without-item-type", "lock-chain-broken", "lock-duplicate", "lock-syntax", "lock-unsigned", "lock-unwritable",
    "locked-file-changed", "locked-file-missing", "mid-month-date", "missing-aggregate",
    "missing-extra", "missing-field", "missing-history", "missing-key", "missing-parent", "missing-period",
    "missing-record-key", "missing-value", "missing-value-expression", "multiple-documents",
    "name-clash", "name-not-normalized", "needs-bundle", "needs-entities", "needs-output-name", "negative-weight",
    "no-named-outputs", "no-records", "no-row-matched", "not-a-bool", "not-a-child-kind",
    "not-a-date", "not-a-ledger", "not-a-list", "not-a-mapping", "not-a-number", "not-a-record",
    "not-a-record-list", "not-a-repository", "not-a-whole-number", "not-allowed",
    "not-an-ancestor-kind", "not-in-force", "not-text", "not-utf8", "number-too-large",
    "open-band-not-last", "output-io", "overlapping-bands", "overlapping-versions",
    "parent-chain-too-long", "parent-cycle", "parent-type-mismatch", "percent-needs-rounding",
    "policy-error", "policy-folder-mismatch", "ragged-row", "rate-without-percent", "record-key-differs",
    "row-values-differ", "rows-overlap", "rule-id-clash", "run-not-found", "run-out-of-order",
    "run-tampered", "run-unsigned", "schema-violation", "sha-conflict", "stray-policy-file",
    "string-too-long", "text-is-a-name", "too-deep", "too-long", "too-many-aliases", "too-many-decimals",
    "too-many-digits", "too-many-lines", "too-many-rules", "too-many-values", "type-mismatch",
    "unidentified-version",
    "unknown-attribute", "unknown-column", "unknown-corrected-version", "unknown-field",
    "unknown-format", "unknown-function", "unknown-key", "unknown-key-field", "unknown-kind",
    "unknown-name", "unknown-output", "unknown-parent-field", "unknown-parent-kind",
    "unknown-policy", "unknown-record", "unknown-result-format", "unknown-rule-kind",
    "unknown-version", "unreadable-facts", "unreadable-file", "unreadable-policy", "untrusted-key",
    "value-not-declared", "value-with-count", "version-already-published", "version-file-mismatch", "weights-not-100",
    "wrong-type", "yaml-alias", "yaml-syntax", "yaml-tag",
]
# fmt: on


@attrs.frozen
class CodeInfo:
    """One place a code is raised: by which class, in which section of docs/errors.md."""

    #: The name of the error class raising it (the class or a subclass of it).
    error_class: str
    #: The anchor of the ``## `` section of docs/errors.md listing it.
    anchor: str
    #: What the code means there, as the meaning cell of its row says.
    meaning: str


# The sections of docs/errors.md, as GitHub names their anchors.
_READING: Final = "reading-a-policy-file"
_SCHEMA: Final = "schema"
_MODEL: Final = "building-the-model"
_EXPRESSIONS: Final = "expressions-at-load-time"
_EVALUATION: Final = "evaluation-at-run-time"
_RECORDS: Final = "input-records"
_FACTS_BY_KIND: Final = "facts-by-kind"
_FACTS_FILES: Final = "facts-files"
_FOLDER: Final = "the-policy-folder"
_ENTITIES: Final = "record-kinds-entitiesyaml"
_BUNDLE_PLAN: Final = "policies-beside-entitiesyaml-and-the-bundle-plan"
_POPULATION: Final = "rules-over-many-records"
_LOCK: Final = "the-lock-file-lock-and-verify"
_LEDGER: Final = "the-ledger"
_FACTS_FOLDERS: Final = "facts-folders-and-paid-amount-files"
_OUTPUT: Final = "writing-the-results"
_CALLS: Final = "calling-the-library-and-the-command-line"
_DEFAULTS: Final = "default-codes-of-the-classes"


#: (section anchor, error class, {code: meaning}): one table of docs/errors.md each.
_Block = tuple[str, str, Mapping[ErrorCode, str]]

# fmt: off
_BLOCKS: Final[tuple[_Block, ...]] = (
    (_READING, "PolicySourceError", {
        "file-not-found": "there is no such file",
        "unreadable-file": "the path cannot be read",
        "file-too-large": "the file is over 1 MiB",
        "not-utf8": "a byte is not UTF-8",
        "control-character": "an invisible character: a control (C0 but tab and line breaks, DEL, C1), bidi or zero-width character, a BOM inside the file, a lone surrogate or a non-character, written raw (at most 20 are listed) or through an escape in quotes (`\"\\x1b\"`, `\"\\u200b\"`; goes on), or a tab or line break in a key",
        "empty-document": "only blank lines and comments",
        "not-a-mapping": "the top level is not `key: value` lines",
        "multiple-documents": "a second YAML document starts (`---`)",
        "too-deep": "nested more than 64 levels",
        "too-many-lines": "more than 20,000 lines in one file (line breaks as YAML counts them)",
        "too-many-values": "more than 20,000 keys and values in one file; reading stops there",
        "too-many-aliases": "more than 20 anchors `&a` and aliases `*a`; reading stops at the 21st",
        "yaml-syntax": "not valid YAML; the hint names the usual cause",
        "duplicate-key": "the same key twice in one mapping (goes on; the first value is kept)",
        "yaml-alias": "an anchor `&a` or alias `*a` (goes on)",
        "yaml-tag": "an explicit tag (goes on)",
        "complex-key": "a key that is a list or mapping (goes on)",
        "invalid-date": "written as a date but no such day (goes on)",
        "too-many-digits": "a number with more than 34 digits (goes on)",
    }),
    (_SCHEMA, "SchemaViolation", {
        "unknown-key": "a key the schema does not know; the hint suggests the closest",
        "missing-key": "a required key is absent",
        "wrong-type": "a value of the wrong kind",
        "unknown-rule-kind": "`kind:` names no rule kind",
        "not-allowed": "a value outside the allowed list or constant",
        "invalid-date": "text where a date `YYYY-MM-DD` is required",
        "empty": "an empty list or mapping where one item is required",
        "too-long": "text over its length limit",
        "bad-format": "text of the wrong form",
        "schema-violation": "any other violation of the schema",
    }),
    (_MODEL, "ModelError", {
        "invalid-identifier": "an input, parameter or rule id cannot be a name in expressions",
        "name-not-normalized": "an input, parameter, rule id or a rule's named output not written in its normal form (NFKC): expressions would read it as another name; the message names the form to write",
        "too-many-rules": "more than 1,000 rules in one file; the first 1,000 are still checked",
        "duplicate-rule-id": "two rules with one id",
        "name-clash": "one name used twice: input and parameter, rule and input/parameter, any of them and `period` or a function",
        "unknown-name": "a name that is no input, parameter or rule; also test facts that are no input, test expectations no rule gives, and a `key:` that is no input",
        "unknown-output": "`rule.name` where the rule has no such named output, or `period.name` that does not exist",
        "no-named-outputs": "`.name` after a rule, input or parameter that has one value",
        "needs-output-name": "a rule with named outputs read as one value",
        "value-not-declared": "an enum field (or a rule whose values are all text) compared with text it never holds: the comparison would be the same for every record; the hint suggests the closest value",
        "dependency-cycle": "rules read each other in a loop",
        "empty-effective-range": "`effective_to` is not after `effective_from`",
        "enum-without-values": "an enum input without `values`",
        "list-without-item-type": "a list input without `of`",
        "bad-default": "an input's `default` does not fit its type",
        "duplicate-test-name": "two embedded tests with one name",
        "not-a-number": "a number in a rule cannot be read exactly (the schema normally reports it first as `wrong-type`), or a parameter's or a band's or row's value text looks like a number but is none, or is a number written in Chinese words (`百分之三点八`)",
        "text-is-a-name": "a table's or band's value is text that is exactly the name of an input, parameter, rule or rule's named value (`then: band.base`): it would be the text, not the value; a table computes it with `{expr: band.base}`",
        "rate-without-percent": "a plain number over 1 where a rate is meant: a graduated band's value, a band's or row's value named as a rate (`rate`, `…_rate`, `…率`, `…比例`), one whose other bands or rows write it as a percentage, or a parameter named as a rate or of `unit: %`; `3.8` is read as 380%",
        "bad-rounding": "`round` places are not a power of ten between 1E-16 (16 places) and 1E+18, or `round` is given for bands that are not all numbers",
        "invalid-period": "an embedded test's `period` is no month",
        "not-in-force": "an embedded test's `period` is outside the version's dates (also raised at evaluation, see below)",
        "empty-band": "a band whose `to` is not above its `from`",
        "open-band-not-last": "a band without `to` that is not the last",
        "overlapping-bands": "a band starts inside the one before",
        "gap-between-bands": "a band starts after the one before ends",
        "band-values-differ": "bands give different named values",
        "graduated-needs-rates": "a graduated band whose value is not one rate",
        "duplicate-component": "two score components with one name",
        "negative-weight": "a score weight below zero",
        "weights-not-100": "score weights do not total exactly 100%",
        "missing-aggregate": "`hit: collect` without `aggregate`",
        "aggregate-without-collect": "`aggregate` on a table that does not collect",
        "row-values-differ": "table rows (or the default) give different named values",
        "collect-needs-numbers": "`sum`, `min` or `max` over a row whose `then` is not a number",
        "duplicate-check": "two checks with one id in a `checks` rule",
    }),
    (_EXPRESSIONS, "ExpressionError", {
        "expression-syntax": "not a valid expression; the hint names full-width punctuation",
        "expression-empty": "the expression is blank, or holds only a comment",
        "expression-too-long": "over 2,000 characters, a text literal over 1,000, or a list or call over 100 items",
        "expression-too-deep": "brackets or the expression nest deeper than 32 levels",
        "forbidden-syntax": 'a construct the language refuses; `details["construct"]` names it',
        "forbidden-operator": 'an operator the language refuses; `details["operator"]` names it',
        "forbidden-attribute": "a private part, a second level, or a part of a computed value",
        "forbidden-method": "a method call",
        "unknown-function": "a function that is not in the library",
        "name-not-normalized": "a name not written in its normal form (NFKC), which Python would silently read as another name; the message names the form to write",
        "control-character": "a string literal holding an invisible character through an escape",
        "function-not-called": "a function name used as a value",
        "number-too-large": "a number literal out of range: 10^18 or more, or more than 28 decimal places",
    }),
    (_EVALUATION, "EvaluationError", {
        "type-mismatch": "values of kinds an operator, condition or rule does not accept",
        "missing-value": "a name has no value",
        "unknown-attribute": "a part of something that has no parts, or a part a record lacks",
        "division-by-zero": "`/`, `//` or `%` by zero, or zero to a negative power",
        "number-too-large": "a result of 10^18 or more, or an exponent beyond ±100",
        "invalid-operation": "an operation with no exact result",
        "string-too-long": "joined text over 10,000 characters",
        "function-failed": 'a function given a wrong kind, count or value of argument; `details["function"]` names it',
        "evaluation-failed": "an unforeseen failure inside an expression, kept as the error's cause",
        "internal-error": "an unforeseen failure inside a rule kind",
        "below-bands": "the amount is below the first band's `from`",
        "above-bands": "the amount is beyond the last band's `to`",
        "rows-overlap": 'two rows hold under `hit: unique`; `details["rows"]` names both',
        "no-row-matched": "no row holds and the table has no `default`",
    }),
    (_RECORDS, "FactError", {
        "not-a-record": "the record is not a mapping of field names to values",
        "missing-field": "a declared field without a `default` is absent",
        "unknown-field": "a field the policy does not declare; the hint suggests the closest",
        "empty-value": "a field is present but empty (`None`, JSON `null`)",
        "float-not-allowed": "a binary float for a `money` or `decimal` field (a workbook's number cell is read as the number it shows: see [Facts files](#facts-files))",
        "not-a-number": "text that is no number, or a yes/no value, for a number field; the message says why when a comma is not a thousands separator (a comma is read only between groups of three digits) or a digit is not one of 0-9",
        "too-many-decimals": "a `money` value with more than two decimal places, or any number with more than 28",
        "number-too-large": "a number of 10^28 or more (the engine's 28 digits), refused before it is converted or written out, so that `1e999999999` costs nothing",
        "not-a-whole-number": "an `int` field given a fraction, a float or other text",
        "not-a-bool": "a `bool` field given anything but a yes/no value or one of its spellings",
        "not-text": "a `string` field given something other than text or a whole number",
        "control-character": "text (a `string`, `enum` or list item) holding an invisible character: a control (C0 but tab and line breaks, DEL, C1), bidi or zero-width character, a lone surrogate or a non-character",
        "not-a-date": "a `date` field given something that is no date",
        "not-allowed": "an `enum` field given a value outside its `values`",
        "not-a-list": "a `list` field given something that is no list",
        "list-too-long": "a `list` field with more than 10,000 items",
    }),
    (_RECORDS, "InvalidRecord", {
        "invalid-record": "several problems in one record (`InvalidRecord`)",
    }),
    (_FACTS_BY_KIND, "FactError", {
        "unknown-kind": "the facts hold a kind that `entities.yaml` does not declare (without `entities.yaml`: that no version applies to); its records are not read; the hint suggests the closest",
        "not-a-record-list": "the facts are not a mapping of kinds, or one kind's records are not a list of records",
        "duplicate-key": 'records of one kind share a key: every one of them is left out, since none can be told from the others; `details["positions"]` lists them',
        "missing-parent": "a record names a parent that is not in the facts (checked when the facts hold the parent kind at all); the hint suggests the closest",
        "invalid-parent": "a record's parent was refused for a problem of its own, so the record is left out too",
        "ragged-row": "a row of a facts file with more or fewer cells than the header, or a workbook cell in a column with no header: that record's error, its cells read as far as they go",
        "not-utf8": "a cell of a UTF-8 CSV holding bytes that are not UTF-8: the record's error at that field, the cell left out",
        "invalid-csv": "a row the CSV reader gives up on (a cell over 131,072 characters): that record's error",
        "float-not-allowed": "a workbook's number cell with a fraction, in a column whose field is not `money`, `decimal` or `int`: the record's error at that field",
        "unreadable-facts": "a workbook cell holding a formula saved without its result: the record's error at that field",
    }),
    (_FACTS_FILES, "FactsFileError", {
        "unknown-format": "the file's suffix names no facts reader (`io.READERS`); the hint lists those there are",
        "file-not-found": "there is no such file",
        "unreadable-facts": "the file cannot be read; a workbook that is not an `.xlsx` workbook; more than 1,000 cells holding a formula saved without its result",
        "not-utf8": "the file is not UTF-8 nor an encoding Excel saves CSV in (GB18030, GBK, Big5, UTF-16), and a byte of its header row is not UTF-8; or more than 1,000 rows hold bytes that are not",
        "empty-file": "the file is empty or blank; a workbook with no worksheet, or whose first sheet holds no cell",
        "invalid-json": "not valid JSON, or `NaN`/`Infinity`",
        "not-a-record-list": 'JSON that is neither a list nor `{"records": [...]}`',
        "invalid-csv": "the CSV reader gives up on the header row, or on more than 1,000 rows (each row alone is the record's error: see [Facts by kind](#facts-by-kind))",
        "ragged-row": "more than 1,000 rows of one file with more or fewer cells than the header, or with a value in a column with no header: the file is refused, naming the first and counting the rest (fewer are each their record's error)",
        "unknown-column": "a header cell (CSV, or the header row of a workbook's first sheet) that is neither a field name nor a field's `title`; a blank header cell before the last header, or a blank first line of a CSV",
        "duplicate-column": "two columns (CSV or workbook) for one field",
        "file-too-large": "a facts file over 512 MiB (refused before it is read), or a workbook that would unpack to more than 512 MiB or holds a part compressed more than 200 to one (a zip bomb, refused before it is opened)",
        "too-deep": "JSON facts nesting more than 32 levels",
        "float-not-allowed": "more than 1,000 rows of a workbook with a number cell with a fraction in a column whose field is not `money`, `decimal` or `int` (a `money`, `decimal` or `int` cell is read as the number it shows, its shortest decimal form, and held to the field's places)",
    }),
    (_FOLDER, "UsageError", {
        "not-a-repository": "the policy folder named is not a folder",
    }),
    (_FOLDER, "ModelError", {
        "stray-policy-file": "a YAML file that is not at `<policy>/<version>.yaml` (hidden, suffix in capitals, at the top beside `entities.yaml`, or in a folder below a policy's): it would be neither used nor locked, so it is refused by `run`, `validate`, `test`, `lock` and `verify` alike (`policyengine/load/_layout.py`)",
        "policy-folder-mismatch": "a version file's `policy:` is not the name of the folder it lies in",
        "version-file-mismatch": "a version file's `version:` is not its file name",
        "mid-month-date": "`effective_from` or `effective_to` is not the first day of a month; the hint names the 1st to use",
        "duplicate-version": "two files of one policy give the same `version:` (`lock` uses the code too, see below)",
        "unknown-corrected-version": "`corrects:` names no other version of the policy; the hint suggests the closest",
        "correction-dates-differ": "a correction does not start on the day the version it corrects starts",
        "overlapping-versions": "two versions of one policy start on the same day, or one's `effective_to` is after the next one's start; the hint suggests `corrects:`",
        "gap-between-versions": "a version's `effective_to` is before the next version starts: nothing would be in force in between",
    }),
    (_FOLDER, "UsageError", {
        "unknown-policy": "no policy of that id in the folder, or no result of that policy in a bundle result; the hint suggests the closest",
        "unknown-version": "the policy has no version of that label",
        "unknown-record": "a bundle result has no result with that record key for the policy, or (explaining) the record's facts were refused",
        "failed-value": '`explain`/`trace` of a value that failed; `details["error"]` is its error, which names the root cause',
        "unknown-result-format": "`evaluate_bundle(..., result_format=N)` with a format other than 1 (failures by record, as runs recorded before format 2 keep them), 2 (signed zeros kept, as runs recorded before format 3 keep them) or 3",
    }),
    (_ENTITIES, "ModelError", {
        "unknown-key-field": "a kind's `key` is not one of its fields; the hint suggests the closest",
        "bad-key-type": "a kind's key field is neither `string` nor `int`",
        "unknown-parent-kind": "`parent.kind` names no kind of the file; the hint lists them",
        "unknown-parent-field": "`parent.field` is not a field of the kind",
        "parent-type-mismatch": "the field holding the parent's key has another type than that key",
        "parent-cycle": "parent links go round in a loop; reported once, naming the loop",
        "parent-chain-too-long": "more than 16 kinds above a kind (parent, grandparent …); reported once, at the first kind beyond",
        "invalid-identifier": "a kind or field name cannot be a name in expressions",
        "name-not-normalized": "a kind or field name not written in its normal form (NFKC); the message names the form to write",
        "name-clash": "a field has the name of a function, of `period`, or of a kind (`team.…` reads the parent)",
        "enum-without-values": "an `enum` field without `values`",
        "list-without-item-type": "a `list` field without `of`",
        "bad-default": "a field's `default` does not fit its type",
    }),
    (_BUNDLE_PLAN, "ModelError", {
        "unknown-kind": "beside `entities.yaml`, `applies_to` is missing or names no declared kind",
        "input-differs-from-entities": "beside `entities.yaml`, an input the policy still declares is no field of its kind, or has another type",
        "rule-id-clash": "two policies in force give a rule of the same id for records of the same kind",
        "unknown-name": "a name that no field of the kind, parameter, own rule, other policy's rule for the same kind, or parent kind gives; the hint suggests the closest",
        "unknown-output": "`rule.name` after another policy's rule that has no such named output",
        "needs-output-name": "another policy's rule with named outputs, or a parent kind, read as one value",
        "dependency-cycle": "rules of several policies read each other in a loop, named kind by kind",
        "missing-record-key": "in a folder without `entities.yaml`, a version has no `key:`, so its records cannot be matched with other versions'",
        "record-key-differs": "in a folder without `entities.yaml`, versions applying to one kind name different keys",
        "input-type-differs": "in a folder without `entities.yaml`, versions applying to one kind give one field different types",
    }),
    (_POPULATION, "ModelError", {
        "needs-entities": "an `aggregate`, `rank` or `history` rule in a policy with no `entities.yaml` beside it, or without `applies_to`",
        "unknown-kind": "an aggregate's `of` names no kind of `entities.yaml`",
        "not-a-child-kind": "an aggregate's `of` names a kind whose records do not belong to this kind; the hint lists the kinds below",
        "not-an-ancestor-kind": "a rank's `within` names a kind this kind does not belong to; the hint lists the ancestors",
        "missing-value-expression": "an aggregate other than `count` without `value`",
        "value-with-count": "a `count` aggregate with `value`",
        "bad-select": "a rank's `select` without exactly one of `top` and `bottom`, or with a count that is not a whole number of 0 or more",
        "percent-needs-rounding": "`select` of a percentage without `rounding`",
        "bad-history-of": "a `history` rule's `of` is not the name of a value of the same record (an expression, `period`, or a parent's value)",
    }),
    (_POPULATION, "EvaluationError", {
        "incomplete-group": 'a roll-up would miss a record below this one, or a ranking a record of this group, that failed a rule or was refused as a bad fact; `details` name that record and `details["root"]` its root cause. No total or ranking is computed from part of its records',
        "failed-input": 'the value reads a value that failed (of the same record, or of a parent); `details["root"]` names the root cause: kind, record, policy, rule or field, code. Not in `errors` (which lists root causes once each) but on the record\'s row',
        "empty-group": "`min`, `max` or `mean` over no record, and the rule has no `empty`",
        "missing-history": 'a `history` rule with `missing: error` needs a month for which the record has no value; `details["period"]` names it',
        "type-mismatch": "an aggregate's `value` is not a number (`sum`, `min`, `max`, `mean`) or not yes/no (`any`, `all`); a `where` or `eligible` that is not yes/no; rank values of different kinds; a `consecutive` or `count_…` history whose value is not yes/no",
    }),
    (_LOCK, "LockError", {
        "locked-file-changed": "a published file's bytes no longer have the SHA-256 in the lock; `details` hold both hashes",
        "locked-file-missing": "a file listed in the lock is gone",
        "version-already-published": "a file not in the lock claims a (policy, version) that is published under another path; or a published file now claims another policy or version",
        "unidentified-version": "a version file does not give `policy:` and `version:` as text, so the lock cannot tell which version it is",
        "duplicate-version": "`lock`: two new files claim the same (policy, version)",
        "backdated-publication": "`lock --date` names a day before the latest publication already in the lock; or a line of a signed lock is dated before the line above it",
        "lock-syntax": "a line of `policies.lock` is not five fields (path, policy, version, day, `sha256:` and 64 hex digits) — seven in a signed lock (format 2), with `chain:` and `sig:` — or the file is not UTF-8",
        "lock-duplicate": "a path, or a (policy, version), is listed twice",
        "unreadable-file": "the lock file exists but cannot be read",
        "lock-unwritable": "`lock` cannot write the lock file",
        "lock-chain-broken": "a line of a signed lock (format 2) does not chain to the line before it: a line was edited, removed, re-ordered or added by hand",
        "lock-unsigned": "`verify --require-signed` of a lock that is unsigned (format 1) or missing; or `lock` without `--key` of a signed lock",
        "untrusted-key": "a lock line is signed by a key the auditor does not trust (`verify --trust`)",
        "bad-signature": "a lock line's signature, checked with the trusted key, does not match the line",
        "head-missing": "the lock head the auditor kept (`verify --lock-head HASH`) is no line of the lock: lines were cut off, or it is an older copy",
    }),
    (_LEDGER, "LedgerError", {
        "run-tampered": "a run's stored fields (inputs, outputs, provenance, period, label, policies …) no longer hash to its hash",
        "chain-broken": "a run does not follow the run before: its number skips, or its `prev_hash` is not the hash of the run before",
        "head-mismatch": "the ledger's `meta` row (run count, head hash) does not match its last run",
        "blob-tampered": "the stored bytes of a policy file no longer have their SHA-256",
        "blob-missing": "a run names a policy file the ledger no longer holds",
        "run-not-found": "there is no run with that number",
        "file-not-found": "`ledger verify`, `ledger list`, `replay --ledger` or `run --ledger` name a path where there is no file (only `run --new-ledger` creates a ledger)",
        "not-a-ledger": "the file is empty, not an SQLite database, or not a ledger, or the ledger's tables were altered",
        "ledger-version": "the ledger's schema version is not the one this package reads",
        "ledger-io": "SQLite failed; the hint names the usual cause (busy for over 30 s, read-only, disk full, damaged)",
        "ledger-closed": "the ledger was used after `close()`",
        "blob-mismatch": "a `PolicyBlob` is given a SHA-256 that is not that of its bytes",
        "invalid-period": "a `RunRecord`'s period is not written `YYYY-MM` exactly",
        "invalid-date": "a `RunRecord`'s `as_known_at` is not written `YYYY-MM-DD` exactly",
        "not-utf8": "a text field of a `PolicyBlob` or `RunRecord` cannot be written as UTF-8",
        "run-unsigned": "a run has no signature after signed runs (always), or anywhere when `ledger verify --require-signed` asks for signatures",
        "untrusted-key": "a run is signed by a key the auditor does not trust (`ledger verify --trust`)",
        "bad-signature": "a run's signature, checked with the trusted key, does not match the run: it, or a run before it, was changed, re-chained, re-ordered or removed after signing",
        "run-out-of-order": "a run was recorded before the run before it (back-dated or re-ordered); `append` refuses while the clock is behind the last run",
        "sha-conflict": "one policy version is recorded with two different SHA-256s in the ledger, or (`ledger verify --lock`) with another SHA-256 than the lock publishes",
        "head-missing": "the head the auditor kept (`ledger verify --head HASH`) is no run of the ledger: runs were cut off the end, or it is an older copy; or (`--lock`) a run recorded a lock head the signed lock no longer holds",
        "ledger-broken": "`run --ledger` or `replay --all` refuse a ledger that `ledger verify` reports broken",
        "ledger-exists": "`run --new-ledger` or `ledger backup FILE DEST` name a file that is already there",
        "facts-changed": "`run --ledger` of a month already in the ledger, with inputs other than its last run's, without `--rerun REASON`",
        "later-run-stale": "a month's latest run read an earlier month's values that a run recorded since (a `--rerun`) replaced: listed by `ledger verify`, `ledger list` and `run` of a later month, never a refusal",
    }),
    (_FACTS_FOLDERS, "FactsFileError", {
        "duplicate-kind": "two files of the folder hold the records of one kind",
        "empty-file": "the folder holds no facts file (`.csv`, `.json`, `.jsonl`, `.xlsx`); or the paid CSV has no header with a key column and at least one output column",
        "unknown-format": "`--facts` is neither a folder nor a `.json` file",
        "not-a-record-list": 'the one JSON file is not `{"<kind>": [records], …}`',
        "file-not-found": "the one JSON file does not exist",
        "unreadable-facts": "the paid CSV cannot be read (missing, a folder, not UTF-8)",
        "ragged-row": "a paid row has more or fewer cells than the header",
        "duplicate-key": "the paid CSV lists one key twice: a double payment cannot be checked against one computed amount",
        "unknown-column": "a paid column names no output of the versions in force; the hint suggests the closest",
        "ambiguous-column": "a paid column names an output that several policies give; write `policy.output`",
    }),
    (_OUTPUT, "OutputError", {
        "unknown-format": "the output file's suffix names no output writer (`writers.WRITERS`); the hint lists those there are",
        "output-io": "an output file cannot be written (disk full, read-only folder …): no file is left half-written; before the ledger append nothing is recorded, after it the hint names where the finished files wait",
    }),
    (_CALLS, "UsageError", {
        "invalid-period": "a period that is not a month `YYYY-MM`",
        "not-in-force": "the period's first day is outside the version's `effective_from`/`effective_to`",
        "missing-period": "the policy reads `period` but no period was given",
        "unknown-output": "`explain`/`trace` (or `eval --explain NAME`) of an output the policy does not give; a bundle result's `explain`/`trace` of an output no rule gives for that kind",
        "invalid-date": "an as-known-at day that is not a date `YYYY-MM-DD`",
        "needs-bundle": "`Policy.evaluate` of a policy with an aggregate, rank or history rule: it needs the other records, so evaluate the bundle",
        "missing-extra": "`to_pandas()`/`to_arrow()` without the optional extra `policyengine[dataframe]` (pandas, pyarrow) installed",
        "unknown-kind": "`BundleResult.to_pandas(kind)`/`to_arrow(kind)` of a kind the month's entities do not declare",
        "bad-key": "a key file or `--trust` key cannot be read or is not a key of the kind needed; `keys new` would overwrite a key file; or `--require-signed` is given without `--trust`",
        "draft-in-use": "`run` of a month whose versions in force, or whose `entities.yaml`, are not what the lock published (drafts), without `--allow-drafts`",
    }),
    (_CALLS, "FactsFileError", {
        "no-records": "`policyengine run` (and `demo`, for each month): the facts hold no records of a kind that a version in force applies to; the month is still computed and written, and the command exits with 2",
    }),
    (_CALLS, "UsageError", {
        "file-not-found": "`policyengine demo` finds no policy folder, or no example months (`YYYY-MM` folders), where it looks; the command exits with 2",
    }),
    (_DEFAULTS, "PolicyError", {"policy-error": "the default of the root class"}),
    (_DEFAULTS, "PolicySourceError", {"unreadable-policy": "the default of its class"}),
    (_DEFAULTS, "SchemaViolation", {"schema-violation": "the default of its class, and schema violations without a dedicated code"}),
    (_DEFAULTS, "ModelError", {"invalid-model": "the default of its class"}),
    (_DEFAULTS, "ExpressionError", {"invalid-expression": "the default of its class"}),
    (_DEFAULTS, "EvaluationError", {"evaluation-failed": "the default of its class, and unforeseen failures inside an expression"}),
    (_DEFAULTS, "FactError", {"invalid-fact": "the default of its class"}),
    (_DEFAULTS, "FactsFileError", {"unreadable-facts": "the default of its class, and facts files that cannot be read"}),
    (_DEFAULTS, "InvalidPolicy", {"invalid-policy": "always: the error that holds every problem of a policy file"}),
    (_DEFAULTS, "InvalidRecord", {"invalid-record": "always: the error that holds every problem of one record"}),
)
# fmt: on


def _by_code(blocks: tuple[_Block, ...]) -> Mapping[ErrorCode, tuple[CodeInfo, ...]]:
    table: dict[ErrorCode, tuple[CodeInfo, ...]] = {}
    for anchor, error_class, meanings in blocks:
        for code, meaning in meanings.items():
            table[code] = (*table.get(code, ()), CodeInfo(error_class, anchor, meaning))
    return MappingProxyType(table)


#: Every code, with each place it is raised, in the order of docs/errors.md.
CODES: Final = _by_code(_BLOCKS)
