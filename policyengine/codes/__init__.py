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

The package is data (the meanings are in ``_meanings.py``), and imports
nothing else of policyengine, so that errors.py (and tools reading the
codes) can import it without importing the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, Literal

import attrs

# One code a line, in order: adding a code is a one-line change.
ErrorCode = Literal[
    "above-bands",
    "aggregate-without-collect",
    "ambiguous-column",
    "backdated-publication",
    "bad-default",
    "bad-field-bounds",
    "bad-format",
    "bad-history",
    "bad-history-of",
    "bad-key",
    "bad-key-type",
    "bad-previous-value",
    "bad-rounding",
    "bad-select",
    "bad-signature",
    "band-values-differ",
    "below-bands",
    "blob-mismatch",
    "blob-missing",
    "blob-tampered",
    "branches-differ",
    "chain-broken",
    "collect-needs-numbers",
    "complex-key",
    "control-character",
    "correction-dates-differ",
    "dependency-cycle",
    "division-by-zero",
    "draft-in-use",
    "duplicate-check",
    "duplicate-column",
    "duplicate-component",
    "duplicate-key",
    "duplicate-kind",
    "duplicate-rule-id",
    "duplicate-test-name",
    "duplicate-version",
    "empty",
    "empty-band",
    "empty-document",
    "empty-effective-range",
    "empty-file",
    "empty-group",
    "empty-value",
    "enum-without-values",
    "evaluation-failed",
    "expression-empty",
    "expression-syntax",
    "expression-too-deep",
    "expression-too-long",
    "facts-changed",
    "facts-used",
    "failed-input",
    "failed-record",
    "failed-value",
    "file-not-found",
    "file-too-large",
    "float-not-allowed",
    "forbidden-attribute",
    "forbidden-method",
    "forbidden-operator",
    "forbidden-syntax",
    "function-failed",
    "function-not-called",
    "gap-between-bands",
    "gap-between-versions",
    "graduated-needs-rates",
    "head-mismatch",
    "head-missing",
    "incomparable-types",
    "incomplete-group",
    "input-differs-from-entities",
    "input-type-differs",
    "internal-error",
    "invalid-csv",
    "invalid-date",
    "invalid-expression",
    "invalid-fact",
    "invalid-identifier",
    "invalid-json",
    "invalid-model",
    "invalid-operation",
    "invalid-parent",
    "invalid-period",
    "invalid-policy",
    "invalid-record",
    "key-white-space",
    "later-run-stale",
    "ledger-broken",
    "ledger-closed",
    "ledger-exists",
    "ledger-io",
    "ledger-version",
    "list-too-long",
    "list-without-item-type",
    "lock-chain-broken",
    "lock-duplicate",
    "lock-syntax",
    "lock-unsigned",
    "lock-unwritable",
    "locked-file-changed",
    "locked-file-missing",
    "mid-month-date",
    "missing-aggregate",
    "missing-extra",
    "missing-field",
    "missing-history",
    "missing-key",
    "missing-parent",
    "missing-period",
    "missing-record-key",
    "missing-value",
    "missing-value-expression",
    "money-times-money",
    "multiple-documents",
    "name-clash",
    "name-not-normalized",
    "needs-bundle",
    "needs-entities",
    "needs-output-name",
    "negative-weight",
    "no-named-outputs",
    "no-records",
    "no-row-matched",
    "not-a-bool",
    "not-a-child-kind",
    "not-a-date",
    "not-a-ledger",
    "not-a-list",
    "not-a-mapping",
    "not-a-number",
    "not-a-record",
    "not-a-record-list",
    "not-a-repository",
    "not-a-whole-number",
    "not-allowed",
    "not-an-ancestor-kind",
    "not-in-force",
    "not-text",
    "not-utf8",
    "number-expected",
    "number-too-large",
    "out-of-range",
    "open-band-not-last",
    "output-io",
    "overlapping-bands",
    "overlapping-versions",
    "parent-chain-too-long",
    "parent-cycle",
    "parent-type-mismatch",
    "percent-needs-rounding",
    "policy-error",
    "policy-folder-mismatch",
    "ragged-row",
    "rate-without-percent",
    "record-key-differs",
    "row-values-differ",
    "rows-overlap",
    "rule-id-clash",
    "run-not-found",
    "run-out-of-order",
    "run-tampered",
    "run-unsigned",
    "schema-violation",
    "sha-conflict",
    "stray-policy-file",
    "string-too-long",
    "test-failed",
    "text-is-a-name",
    "too-deep",
    "too-long",
    "too-many-aliases",
    "too-many-decimals",
    "too-many-digits",
    "too-many-lines",
    "too-many-rules",
    "too-many-values",
    "too-much-text",
    "type-mismatch",
    "unidentified-version",
    "unknown-attribute",
    "unknown-column",
    "unknown-corrected-version",
    "unknown-engine",
    "unknown-field",
    "unknown-format",
    "unknown-function",
    "unknown-key",
    "unknown-key-field",
    "unknown-kind",
    "unknown-name",
    "unknown-output",
    "unknown-parent-field",
    "unknown-parent-kind",
    "unknown-policy",
    "unknown-record",
    "unknown-result-format",
    "unknown-rule-kind",
    "unknown-version",
    "unreadable-facts",
    "unreadable-file",
    "unreadable-policy",
    "untrusted-key",
    "value-not-declared",
    "value-with-count",
    "version-already-published",
    "version-file-mismatch",
    "weights-not-100",
    "wrong-type",
    "yaml-alias",
    "yes-no-expected",
    "yaml-syntax",
    "yaml-tag",
]


#: (section anchor, error class, {code: meaning}): one table of docs/errors.md each.
Block = tuple[str, str, Mapping[ErrorCode, str]]


@attrs.frozen
class CodeInfo:
    """One place a code is raised: by which class, in which section of docs/errors.md."""

    #: The name of the error class raising it (the class or a subclass of it).
    error_class: str
    #: The anchor of the ``## `` section of docs/errors.md listing it.
    anchor: str
    #: What the code means there, as the meaning cell of its row says.
    meaning: str


# The meanings, one block per table of docs/errors.md, are in their own module of this
# package (data too): the table is long, and this module stays the list of codes.
from ._meanings import BLOCKS  # noqa: E402


def _by_code(blocks: tuple[Block, ...]) -> Mapping[ErrorCode, tuple[CodeInfo, ...]]:
    table: dict[ErrorCode, tuple[CodeInfo, ...]] = {}
    for anchor, error_class, meanings in blocks:
        for code, meaning in meanings.items():
            table[code] = (*table.get(code, ()), CodeInfo(error_class, anchor, meaning))
    return MappingProxyType(table)


#: Every code, with each place it is raised, in the order of docs/errors.md.
CODES: Final = _by_code(BLOCKS)
