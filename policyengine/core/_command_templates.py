"""The words of the problems a command, the lock's log and a ledger's guard refuse with.

A part of the table of :mod:`policyengine.core._messages` (which joins it to its own
blocks into ``TEMPLATES``), as :mod:`policyengine.core._check_templates` is: what a
command refuses before it runs (``cli/``: an output ``eval`` does not know, drafts in
use, no records of a kind, no example months, no policy folder, a backup without a
target, ``--require-signed`` without keys), a period a policy cannot be evaluated for, or a policy that needs a bundle
(``core/_period.py``, ``run/_engine.py``), what ``verify`` finds in a signed lock's
log (``load/_lock_log.py``) and why a month is not run again over a ledger
(``audit/_ledger_guard.py``). Each English template says exactly the words these
problems always had: a refusal is said in the command's language, and its English
stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ..codes import ErrorCode
from ._template import Template

#: The hint of a signed lock edited by hand.
_BY_HAND: Final = "the lock is written by `policyengine lock --key`: restore it from a backup"

#: The hint of a private key that is not one.
_PRIVATE: Final = "name the private key file, not its .pub"
#: The hint of a broken ledger.
_BROKEN: Final = "run `policyengine ledger verify {file}` and restore the ledger from a backup"
#: The hint of history given in another shape than earlier months' snapshots.
_SNAPSHOTS: Final = (
    "give each earlier month's result.snapshot() by its month: {{'2026-01': january.snapshot()}}"
)
#: The hint of a period a version is not in force in.
_IN_FORCE: Final = "evaluate a period the version covers, or use the version in force then"

# Kept one template a line where it fits, as docs/errors.md shows them: easier to compare.
# ruff: noqa: E501
# fmt: off
#: (section of docs/errors.md, {(code, form): template}), by the step that reports them.
COMMAND_BLOCKS: Final[tuple[tuple[str, Mapping[tuple[ErrorCode, str], Template]], ...]] = (
    # what a command refuses before it runs (policyengine/cli/)
    ("calling-the-library-and-the-command-line", {
        ("unknown-output", "eval"): Template("no output named '{output}'", "outputs: {outputs}"),
        ("bad-history", "shape"): Template("history must map each earlier month to its snapshot, not {found}", _SNAPSHOTS),
        ("bad-history", "month"): Template("history's month {month} is not a month written YYYY-MM", _SNAPSHOTS),
        ("bad-history", "later"): Template("history gives {month}, which is not before the month evaluated, {period}", "give only the months before it"),
        ("bad-history", "values"): Template("history's {month} is not a snapshot: kind, then record key, then its values", _SNAPSHOTS),
        ("unknown-engine", ""): Template("there is no engine {engine}", "give engine='compiled' (the default) or engine='reference'"),
        ("facts-used", ""): Template("these month's facts were evaluated already: their records were handed over then, and a second run would be an empty month", "read the facts again with read_month(...) for each run"),
        ("missing-extra", "dask"): Template("running a month on several processes needs dask.distributed, which is not installed", "pip install 'policyengine[dask]'"),
        ("missing-extra", "dataframe"): Template("converting results to tables needs {module}, which is not installed", "pip install 'policyengine[dataframe]' (pandas and pyarrow)"),
        ("draft-in-use", ""): Template("{period} would be computed with files not in the lock: {names}", "publish them first (policyengine lock), or run with --allow-drafts for a trial run"),
        ("no-records", ""): Template("the facts hold no {kind} records, which versions in force apply to (name the file <kind>{formats})"),
        ("file-not-found", "demo-policies"): Template("the shipped policy folder is not here (looked in {path}). The demo runs on the files shipped with the source: run it from a checkout of the repository (cd into it), or name the folders with --policies DIR and --examples DIR"),
        ("file-not-found", "demo-examples"): Template("the shipped example months (YYYY-MM folders) are not here (looked in {path}). The demo runs on the files shipped with the source: run it from a checkout of the repository (cd into it), or name the folders with --policies DIR and --examples DIR"),
        ("file-not-found", "backup"): Template("ledger backup needs the file to write", "policyengine ledger backup FILE DEST"),
        ("file-not-found", "migrate"): Template("ledger migrate needs the file to write", "policyengine ledger migrate FILE DEST"),
        ("file-not-found", "lock"): Template("no lock file at this path", "name the policies.lock the months were run under"),
        ("invalid-period", "month"): Template("{value} is not a month", "write the month as YYYY-MM, e.g. 2026-03"),
        ("missing-period", ""): Template("{policy} {version} reads 'period', so a period must be given", "pass period='YYYY-MM' (on the command line: --period YYYY-MM)"),
        ("not-in-force", "evaluate"): Template("{policy} version {version} is not in force in {month} (in force from {start} until {end})", _IN_FORCE),
        ("not-in-force", "evaluate-open"): Template("{policy} version {version} is not in force in {month} (in force from {start})", _IN_FORCE),
        ("not-in-force", "month"): Template("no policy version is in force in {month}: the earliest takes effect on {start}", "check the month (YYYY-MM): a month before every version would pay nothing"),
        ("not-in-force", "known"): Template("no policy version in force in {month} was published by {known}: the first was published on {first}", "check --as-known-at (YYYY-MM-DD): the day the versions were known, not the month"),
        ("not-in-force", "known-none"): Template("no policy version in force in {month} was published by {known}: none is published (locked) yet", "lock the versions first (policyengine lock), or run without --as-known-at"),
        ("not-in-force", "month-empty"): Template("no policy version is in force in {month}: the folder holds none", "name the folder of the policy versions with --policies"),
        ("needs-bundle", ""): Template("rule '{rule_id}' (kind {kind}) reads other records: the policy is evaluated with the month's other records and policies, not one record alone", "run the month: policyengine run --policies DIR --period YYYY-MM --facts FOLDER (in Python, policyengine.load(DIR).for_period(PERIOD).evaluate(facts))"),
        ("bad-key", "exists"): Template("a key file is already there", "name another file"),
        ("bad-key", "unwritable"): Template("cannot write the key: {reason}", "check that the folder exists and can be written"),
        ("bad-key", "unreadable"): Template("cannot read the key: {reason}", "name the private key file `policyengine keys new` wrote"),
        ("bad-key", "public-given"): Template("this is a public key; signing needs the private key", _PRIVATE),
        ("bad-key", "not-private"): Template("the file is not a policyengine private key", _PRIVATE),
        ("bad-key", "not-public"): Template("'{text}' is not a public key", "give `ed25519:` and 64 hex digits, or a file of such lines (a .pub file)"),
        ("bad-key", "trusted-unreadable"): Template("cannot read the trusted keys", "give a public key (`ed25519:` …) or a readable file of them"),
        ("bad-key", "require-signed"): Template("--require-signed needs the public keys to check the signatures with", "add --trust KEY (a public key, or its .pub file)"),
    }),
    ("the-policy-folder", {
        ("not-a-repository", "verify"): Template("no policy folder here", "name it with --policies"),
    }),
    # a signed lock's log, checked by verify (policyengine/load/_lock_log.py)
    ("the-lock-file-lock-and-verify", {
        ("lock-unsigned", "new-line"): Template("the lock is signed: a new line must be signed too", "give the publisher's signing key: policyengine lock --key KEY"),
        ("lock-unsigned", "unsigned"): Template("the lock is unsigned (format 1)", "publish with `policyengine lock --key KEY`"),
        ("lock-unsigned", "missing"): Template("the lock is missing", "publish with `policyengine lock --key KEY`"),
        ("lock-chain-broken", ""): Template("the line of {path} does not chain to the line before it", _BY_HAND),
        ("backdated-publication", "line"): Template("{path} is dated {published}, before the line above it ({day})", _BY_HAND),
        ("head-missing", "lock-kept"): Template("the kept lock head {head} is no line of this lock", "lines were cut off, or this is an older copy: restore the lock"),
        ("untrusted-key", "lock"): Template("the line of {path} is signed by key {key_id}, which is not trusted", "check with the publisher's public key (--trust), or ask who signed it"),
        ("bad-signature", "lock"): Template("the signature of the line of {path} does not match the line", _BY_HAND),
    }),
    # a paid-amounts file, read by replay --paid (policyengine/audit/_replay.py)
    ("facts-folders-and-paid-amount-files", {
        ("unreadable-facts", "paid"): Template("cannot read the paid amounts: {reason}"),
        ("empty-file", "paid"): Template("expected a header: a key column, then one column per output"),
        ("duplicate-key", "batch"): Template("{count} records of this batch are labelled {record}: which one is asked cannot be told", "give each record its own key, or take the batch's items in order"),
        ("duplicate-key", "paid"): Template("'{key}' is listed twice (first on line {first}): a double payment cannot be checked against one computed amount"),
        ("ragged-row", ""): Template("the row has {cells} cells but the header has {columns}"),
        ("unknown-column", "paid"): Template("no output named '{column}'"),
        ("ambiguous-column", ""): Template("'{column}' is an output of several policies", "write policy.output, e.g. {choices}"),
    }),
    # a month run over a ledger (policyengine/audit/_ledger_guard.py)
    ("the-ledger", {
        ("ledger-exists", "new-ledger"): Template("--new-ledger names a file that is already there", "drop --new-ledger to append to it, or name a new file"),
        ("ledger-broken", "one"): Template("the ledger has {count} problem (the first: {code}: {message})", _BROKEN),
        ("ledger-broken", "many"): Template("the ledger has {count} problems (the first: {code}: {message})", _BROKEN),
        ("facts-changed", ""): Template("{period} was run before (run {run}) with other inputs: its facts, or the earlier months' values it reads, changed since", "if the change is a correction, run again with --rerun 'REASON' (the reason is stored with the run); otherwise restore the facts the month was run with"),
        # SQLite failed (policyengine/audit/_ledger_file.py): by its error, the usual cause
        ("ledger-io", ""): Template("cannot {doing} the ledger: {reason}", "sqlite3's error is the cause"),
        ("ledger-io", "busy"): Template("cannot {doing} the ledger: {reason}", "another process has held the ledger for over {seconds} s"),
        ("ledger-io", "corrupt"): Template("cannot {doing} the ledger: {reason}", "the file is damaged; restore it from a backup"),
        ("ledger-io", "read-only"): Template("cannot {doing} the ledger: {reason}", "the ledger file or its folder is read-only"),
        ("ledger-io", "cannot-open"): Template("cannot {doing} the ledger: {reason}", "check that the folder exists and can be written"),
        ("ledger-io", "full"): Template("cannot {doing} the ledger: {reason}", "the disk is full"),
    }),
    # an output that cannot be written (policyengine/present/_writers.py), by its cause;
    # "-kept": after the ledger append, the finished files wait in a folder of their own
    ("writing-the-results", {
        ("unknown-format", "output"): Template("cannot write '{suffix}' files", "name the output {formats}"),
        ("output-io", ""): Template("cannot write the results: {reason}", "check the folder and the disk, then run again"),
        ("output-io", "disk-full"): Template("cannot write the results: {reason}", "the disk is full: free some space and run again"),
        ("output-io", "permission"): Template("cannot write the results: {reason}", "the folder cannot be written: check its permissions"),
        ("output-io", "read-only"): Template("cannot write the results: {reason}", "the folder is on a read-only drive"),
        ("output-io", "kept"): Template("cannot write the results: {reason}", "check the folder and the disk, then run again; the files written so far are in {kept}"),
        ("output-io", "disk-full-kept"): Template("cannot write the results: {reason}", "the disk is full: free some space and run again; the files written so far are in {kept}"),
        ("output-io", "permission-kept"): Template("cannot write the results: {reason}", "the folder cannot be written: check its permissions; the files written so far are in {kept}"),
        ("output-io", "read-only-kept"): Template("cannot write the results: {reason}", "the folder is on a read-only drive; the files written so far are in {kept}"),
    }),
    # versions in a folder without entities.yaml (policyengine/run/_policy_kinds.py)
    ("policies-beside-entitiesyaml-and-the-bundle-plan", {
        ("missing-record-key", ""): Template("a policy evaluated with others must say which input is its records' key", "add key: <field>"),
        ("record-key-differs", ""): Template("{kind} records are keyed by '{other}' in another policy, here by '{key}'", "give every policy of {kind} records the same key:, or describe the kinds in entities.yaml"),
        ("input-type-differs", ""): Template("input '{field}' of {kind} records is {other} elsewhere, {type} here", "give the input one type in every policy, or describe the kinds in entities.yaml"),
    }),
)
# fmt: on
