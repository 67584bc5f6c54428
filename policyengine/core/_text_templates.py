"""The words of the text the library itself makes for people to read, in every language.

Besides problems, the library says some things in words: an explanation of a value
(``run/_trace.py`` and each rule kind's ``explain``), how an embedded test went
(``run/_testing.py``), how a lock or a ledger is signed (``load/_lock_log.py``,
``audit/_ledger_seals.py``), how a replay went (``audit/_replay.py``), where a generated month's hard cases are
(``facts/_sample_hard_cases.py``). Each line is
written here once, in English, by name; each is a catalogue entry with the context
``text:<name>`` (``tools/messages.py`` collects them; tests/test_locale.py checks each
has its Chinese). Said without a catalogue, a line is the English as it always was, byte
for byte: the docs show it and ledgers keep explanations.

The command line passes the catalogue of its ``--lang``; the library's callers get
English unless they pass one (:func:`policyengine.messages`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from ._messages import Catalogue, Words

# Kept one line a text, as they are said: easier to compare with their translations.
# ruff: noqa: E501
# fmt: off
#: The library's words, by name: msgctxt ``text:<name>``.
TEXTS: Final = Words("text:", {
    # load/_lock_log.py: how the lock is signed (verify, lock --key)
    "lock-none": "no lock file: every version is a draft",
    "lock-unsigned": "lock unsigned, format 1, {lines} lines, head {head}",
    "lock-signed": "lock signed by key {keys}, format 2, {lines} lines, head {head}",
    "signatures-checked": "{said}; signatures checked",
    "signatures-not-checked": "{said}; signatures not checked: give --trust",
    # audit/_ledger_seals.py: how a ledger's runs are signed (ledger verify)
    "seals-unsigned": "unsigned, format {version}",
    "seals-signed": "signed by key {keys} ({signed} of {runs} runs), format {version}",
    # run/_testing.py: how an embedded test went
    "test-passed": "{where}: test '{test}': passed",
    "test-failed": "{where}: test '{test}': FAILED",
    "test-error": "  error: {error}",
    "test-mismatch": "  {output}: expected {expected}, got {actual}",
    # audit/_replay.py: a ledger run recomputed
    "replay-record-differs": "record {where}: recorded {recorded}, now {now}",
    "replay-errors-differ": "{recorded} records recorded, {now} now; errors differ",
    # run/_trace.py: an explanation, around what each kind says
    "trace-value": "{output} = {value}",
    "trace-cut": "(rule '{rule}' in {policy} {version}: not explained here, the explanation is long; explain {output} to continue)",
    "trace-rule": "rule '{rule}' ({kind}){title} in {policy} {version}",
    "trace-source": "source: {source}",
    "trace-given": "given by the test case (a value other records or policies would give)",
    "trace-expression": "expression: {expression}",
    "trace-clamped": "clamped to {to} from {start}",
    "trace-clamped-at": "clamped to {to} {at} from {start}",
    "trace-rounded": "rounded from {start} ({by})",
    "trace-input": "input {name} = {value}",
    "trace-previous": "last month {name} = {value}",
    "trace-parameter": "parameter {name} = {value}{unit}{title}{source}",
    "trace-period": "period = {period}",
    "trace-because": "because:",
    # rules/*.py: what each kind says of how it reached its value
    "tiers-on": "{mode} tiers on {of} = {amount}",
    "tiers-band": "band {number} {range}{title} reached",
    "tiers-part": "band {number} {range}: {portion} × {rate} = {amount}",
    "score-component": "component {name}{title}: {value} × weight {weight} = {contribution}",
    "table-row": "row {number}{title} holds: {when} → {then}{source}",
    "table-default": "no row holds: the table's default applies",
    "checks-violated": "violated {id}{title} ({severity}, {points} points){message}{source}",
    "checks-passed": "passed: {names}",
    "checks-not-applicable": "not applicable: {names}",
    "aggregate-over": "{function}{what} over {count} {of} records{where}: {records}",
    "aggregate-of": " of {value}",
    "aggregate-where": " where {where}",
    "aggregate-empty": "no record counted: the declared empty value applies",
    "rank-ranked": "ranked{group} by {by} ({order}); {eligible} eligible",
    "rank-group": " in {within} {group}",
    "rank-order": "order: {ordered}",
    "rank-decided": "place decided by {decided_by}",
    "rank-select-top": "select top {count} (groups of at least {min_group})",
    "rank-select-bottom": "select bottom {count} (groups of at least {min_group})",
    "history-months": "{measure} of {of} (missing months {missing}): {months}",
    # facts/_sample_hard_cases.py: where each hard case of a generated month is
    "case-tie": "exact tie (same sales, figures and calls): {first} and {second}",
    "case-to-manager": "lead conflict escalated to the manager: {rep}",
    "case-to-leadership": "lead conflict escalated to leadership: {rep}",
    "case-malicious-grab": "malicious grab: {rep}",
    "case-new-hires": "new hires: {reps}",
    "case-leaver": "leaves mid-month: {rep}",
    "case-referrals": "referral sales: {reps}",
    # facts/_sample_hard_cases.py: months the generator refuses to make
    "sample-no-months": "no months to generate",
    # month.py: what a person should know of how a month's files were read
    "note-encoding": "note: {file} is not UTF-8; it was read as {encoding}",
    "note-defaulted": "note: {file} has no column for '{field}': every record takes its default, {default}",
    "note-missing-column": "note: {file} has no column for '{field}', which every record needs: each is refused (missing-field); add the column",
    "sample-other-kinds": "the sample is a call centre's month (team, rep, call; calls may be left out), and {folder} declares {kinds}",
    "sample-too-small": "need at least 1 team, 3 reps per team and no negative call count",
    "sample-too-many-reps": "at most 99 reps per team, new hires included",
    "sample-too-few": "{teams} teams of {reps} reps are too few for every hard case in {months} months: give at least {least} reps in all",
})
# fmt: on

#: How a kind's ``explain`` says a line: ``said(name, **values)``.
Saying = Callable[..., str]

#: The words ``name`` of ``TEXTS`` in ``catalogue``'s language, filled in with ``values``:
#: ``said_text(name, catalogue=None, /, **values)``.
said_text: Final = TEXTS.said


def saying(catalogue: Catalogue | None) -> Saying:
    """:func:`said_text` bound to ``catalogue``, for what says several lines."""

    def said(name: str, /, **values: Any) -> str:
        return TEXTS.said(name, catalogue, **values)

    return said


#: The words in English, as every explanation said them before it had a language.
ENGLISH: Final[Saying] = saying(None)
