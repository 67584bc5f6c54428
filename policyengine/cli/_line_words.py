"""The words of every line a command prints besides problems, the summary and explanations.

Written here once, in English, by name; each is a catalogue entry with the context
``line:<name>`` (``tools/messages.py`` collects them; tests/test_locale.py checks each
has its Chinese), said in the command's language by ``_common.spoken_line``. In English
each is the line as it always was, byte for byte: the docs show them and
tests/test_docs_commands.py runs the docs' commands. A table's headers are lines too
(``column-…``), and so are the words a table's cells say (``draft``, ``what-if``).
Data in a line (ids, paths, hashes, codes, field names) is a placeholder, said as is.
"""

from __future__ import annotations

from typing import Final

from ..core._messages import Words
from ..present._progress import STEPS

# Kept one line a line where it fits, as the commands print them: easier to compare.
# ruff: noqa: E501
# fmt: off
#: name -> the English words of a line a command prints, each a catalogue entry too
#: (msgctxt ``line:<name>``).
LINES: Final = Words("line:", {
    # run, demo (cli/_month.py)
    "reading": "reading {facts} …",
    "evaluating": "evaluating {versions} versions over {records:,} records …",
    "ledger-appended": "ledger: run {run} appended, hash {hash}",
    "wrote": "wrote {files}",
    "not-written": "results not written: name a file with --out {choices}",
    "months-evaluated": "{count} months evaluated in order, each with the ones before as history",
    "history-used": "history: earlier months from ledger runs {runs}",
    "history-none": "history: no earlier month from the ledger",
    "history-skipped": "; what-if runs {runs} not used (--with-what-ifs)",
    "what-if": "what-if: the run is recorded as a what-if ({why}); later months do not take it as history",
    "what-if-known": "as known at {day}, not today's versions",
    "what-if-drafts": "with drafts {drafts}",
    "history-missing": "note: {rules} read earlier months, and none were given: each counts them as its 'missing:' says. Run the months in order into one --ledger (or use policyengine demo) to carry them forward.",
    "entities-unlisted": "note: {entities} is not in the lock, which was written before the record kinds were locked: run policyengine lock to publish it",
    # validate, test, eval (cli/_policy.py)
    "no-policy-files": "no policy files found",
    "valid": "ok: {versions} valid ({policies})",
    "versions-one": "{count} policy version",
    "versions-many": "{count} policy versions",
    "policies-one": "{count} policy",
    "policies-many": "{count} policies",
    "tests": "{passed} passed, {failed} failed",
    "column-record": "record",
    "eval-record": "# record {record}",
    "eval-failed": "{failed} of {count} records could not be evaluated",
    # lock, verify, history (cli/_audit.py)
    "locked": "locked {path} ({policy} {version}) published {published}",
    "locked-one": "{count} version locked in {lock}",
    "locked-many": "{count} versions locked in {lock}",
    "findings-one": "{count} finding",
    "findings-many": "{count} findings",
    "column-version": "version",
    "column-from": "from",
    "column-until": "until",
    "column-published": "published",
    "column-sha256": "sha256",
    "column-file": "file",
    "column-note": "note",
    "draft": "draft",
    "corrects": "corrects {version}",
    "corrected-by": "corrected by {version}",
    # replay (cli/_audit.py)
    "replay-needs": "replay needs --ledger with --run ID or --all, or --period, --facts and --paid",
    "replay-evaluating": "evaluating {period} over {records:,} records …",
    "replaying": "replaying run {run} ({number} of {count}) …",
    "replay-identical": "run {run}: identical (recorded with engine {engine})",
    "replay-different": "run {run}: DIFFERENT (recorded with engine {engine})",
    "discrepancy": "{key}  {output}: {finding}, paid {paid}, computed {computed}, delta {delta}",
    "finding-differs": "differs",
    "finding-failed": "failed",
    "finding-not-computed": "not-computed",
    "finding-not-paid": "not-paid",
    "no-amount": "None",
    "discrepancies-one": "{count} discrepancy (tolerance {tolerance})",
    "discrepancies-many": "{count} discrepancies (tolerance {tolerance})",
    # diff (cli/_audit.py)
    "diff-needs": "diff needs --policy with --from and --to, or --from-known and --to-known",
    "diff-evaluating": "evaluating both sides over {records:,} records …",
    "column-kind": "kind",
    "column-key": "key",
    "column-output": "output",
    "column-old": "old",
    "column-new": "new",
    "column-delta": "delta",
    "column-gain": "gain",
    "column-lose": "lose",
    "column-changed": "changed",
    "column-unchanged": "unchanged",
    "column-delta-sum": "sum of deltas",
    # ledger (cli/_ledger.py)
    "backed-up": "backed up {count} runs, head {head}, to {dest}",
    "migrated": "copied {count} runs into {dest} in schema 3, head {head}: every run's hash and signature kept",
    "ledger-verified": "{count} runs, head {head}: {problems}",
    "ledger-verified-stale": "{count} runs, head {head}: {problems}, {stale}",
    "stale-one": "{count} stale run",
    "stale-many": "{count} stale runs",
    "stale-none": "no stale runs",
    "column-run": "run",
    "column-created": "created (UTC)",
    "column-period": "period",
    "column-known-at": "known at",
    "column-versions": "versions",
    "column-hash": "hash",
    "column-label": "label",
    "what-if-run": "{day} what-if",
    # keys (cli/_trust.py)
    "key-private": "wrote {path} (private: keep it with whoever signs; never in the ledger folder)",
    "key-public": "wrote {path} (public: give it to the auditor)",
    "key-made": "key {key}: {text}",
    # sample (cli/_sample.py)
    "sample-refused": "sample: {reason}",
    "sample-no-folder": "note: no policy folder at {folder}: every generated field is written, headed by its name (name the folder with --policies)",
    "sample-unknown-fields": "note: {kind} fields the generator does not know, filled with plausible values of their type: {names}",
    "sample-month": "{folder}: {counts}",
    "sample-count": "{kind} {count}",
    "sample-written": "{count} files written under {out} (seed {seed})",
    # the steps a month's library code tells the progress bar (present/_progress.py)
    **{f"step-{name}": words for name, words in STEPS.items()},
})
# fmt: on
