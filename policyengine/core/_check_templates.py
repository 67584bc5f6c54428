"""The words of the problems the rule kinds, ``entities.yaml`` and the repository report.

A part of the table of :mod:`policyengine.core._messages` (which joins it to its own
blocks into ``TEMPLATES``), kept in a module of its own so that neither outgrows a
module: the checks each rule kind makes of what its rule says (``policyengine/rules``),
the checks of ``entities.yaml`` (``facts/_entities_file.py``), the names a caller
gives a repository of policies (``run/_repository.py``), and a ledger's problems:
why it cannot be opened or appended to (``audit/_ledger_file.py``, ``ledger.py``) and
what ``ledger verify`` finds (``audit/_ledger_chain.py``, ``_ledger_seals.py``). Same form as there: a block
per step, filed under the section of docs/errors.md that explains its codes.
"""

from __future__ import annotations

from typing import Final

from ._template import Template, TemplateBlocks

_IDENTIFIER_HINT: Final = "use letters (Chinese is fine), digits and '_', not starting with a digit"
_NORMAL_HINT: Final = "write '{normal}': expressions read every name in that form"
_BUILTIN_HINT: Final = "rename it; expressions would read the built-in"
_SAME_BAND_VALUES: Final = "every band must give the same named values"
_SAME_ROW_VALUES: Final = "every row must give the same named values"
#: The hint of a ledger edited by hand.
_EDITED: Final = "the file was edited outside policyengine; compare it with a backup"
_NOT_A_LEDGER: Final = "name a ledger file, or a new path for a new ledger"

# Kept one template a line where it fits, as docs/errors.md shows them: easier to compare.
# ruff: noqa: E501
# fmt: off
#: (section of docs/errors.md, {(code, form): template}), by the step that reports them.
CHECK_BLOCKS: Final[TemplateBlocks] = (
    # what a rule says, checked by its kind (policyengine/rules/base.py, tiers.py, table.py, score.py, checks.py)
    ("building-the-model", {
        ("not-a-number", "rule"): Template("{problem}"),
        ("not-a-number", "literal"): Template("'{value}' is not a number this engine reads", "write plain digits such as 1000 or 0.035, or a percentage such as 3.5% with the ASCII '%'"),
        ("bad-rounding", "places"): Template("{problem}"),
        ("bad-rounding", "bands"): Template("round applies to numbers; these bands give other values"),
        ("band-values-differ", ""): Template("band {band} gives {outputs}, band 1 gives {first}", _SAME_BAND_VALUES),
        ("band-values-differ", "one-value"): Template("band {band} gives one value, band 1 gives {first}", _SAME_BAND_VALUES),
        ("graduated-needs-rates", ""): Template("a graduated band's value must be one rate (a number or percentage)"),
        ("empty-band", ""): Template("band {band} runs from {low} to {high}: 'to' must be above 'from'"),
        ("open-band-not-last", ""): Template("band {band} has no 'to' but is not the last band", "only the last band may be open-ended"),
        ("overlapping-bands", ""): Template("band {band} starts at {start}, inside band {previous} {bounds}", "bands are half-open [from, to): start band {band} at {end}"),
        ("gap-between-bands", ""): Template("nothing covers {end} up to {start} between band {previous} and band {band}", "start band {band} at {end}"),
        ("missing-aggregate", ""): Template("a collect table needs 'aggregate' (sum, min, max, count)"),
        ("aggregate-without-collect", ""): Template("'aggregate' only applies to hit: collect"),
        ("row-values-differ", ""): Template("row {row} gives {outputs}, row 1 gives {first}", _SAME_ROW_VALUES),
        ("row-values-differ", "one-value"): Template("row {row} gives one value, row 1 gives {first}", _SAME_ROW_VALUES),
        ("row-values-differ", "first-one-value"): Template("row {row} gives {outputs}, row 1 gives one value", _SAME_ROW_VALUES),
        ("row-values-differ", "default"): Template("default gives a different shape than the rows"),
        ("collect-needs-numbers", ""): Template("aggregate '{aggregate}' needs a number in every row; row {row} gives {value}"),
        ("duplicate-component", ""): Template("component '{name}' appears twice"),
        ("negative-weight", ""): Template("weight of '{name}' is {weight}"),
        ("weights-not-100", ""): Template("the weights add up to {total}%, not 100%", "make the weights total exactly 100%"),
        ("duplicate-check", ""): Template("check '{name}' appears twice"),
    }),
    # rules over many records (policyengine/rules/population.py, rank.py, aggregate.py, history.py)
    ("rules-over-many-records", {
        ("needs-entities", ""): Template("a {kind} rule reads other records, so its policy must sit beside entities.yaml and say which kind it applies to"),
        ("not-an-ancestor-kind", ""): Template("'{within}' is not a kind the {kind} records belong to", "ancestors: {ancestors}"),
        ("not-an-ancestor-kind", "none"): Template("'{within}' is not a kind the {kind} records belong to", "ancestors: none"),
        ("bad-select", "one-side"): Template("select needs exactly one of top or bottom"),
        ("bad-select", "negative"): Template("select a number of records of 0 or more, not {count}"),
        ("bad-select", "whole"): Template("select a whole number of records, not {count}"),
        ("percent-needs-rounding", ""): Template("select {count} of a group needs 'rounding' (up, down or half_up)", "e.g. rounding: down selects 1 of 12 for 10%"),
        ("unknown-kind", "aggregate"): Template("'{of}' is not a kind in entities.yaml", "kinds: {kinds}"),
        ("not-a-child-kind", ""): Template("'{of}' records do not belong to a {kind}: nothing to roll up", "kinds below {kind}: {below}"),
        ("not-a-child-kind", "none"): Template("'{of}' records do not belong to a {kind}: nothing to roll up", "kinds below {kind}: none"),
        ("missing-value-expression", ""): Template("aggregate '{function}' needs 'value'"),
        ("value-with-count", ""): Template("count counts records; it takes no 'value'", "use where: to count only some records"),
        ("bad-history-of", ""): Template("'{of}' is not the name of a field or output", "name one value of this kind, e.g. bottom_flag or team_rank.selected"),
        ("bad-history-of", "not-yes-no"): Template("'{of}' is {found}, but {measure} counts the months in which a yes/no value held", "name a yes/no value, or a rule that says when it holds (e.g. on_target: sales >= target)"),
        ("bad-history-of", "other-kind"): Template("'{of}' belongs to another kind of record", "history reads earlier months of the same record"),
    }),
    # entities.yaml (policyengine/facts/_entities_file.py)
    ("record-kinds-entitiesyaml", {
        ("invalid-identifier", "kind"): Template("kind '{name}' cannot be used as a name in expressions", _IDENTIFIER_HINT),
        ("invalid-identifier", "field"): Template("field '{name}' of '{kind}' cannot be used as a name in expressions", _IDENTIFIER_HINT),
        ("name-not-normalized", "kind"): Template("kind '{name}' is not written in its normal form (NFKC), '{normal}'", _NORMAL_HINT),
        ("name-not-normalized", "field"): Template("field '{name}' of '{kind}' is not written in its normal form (NFKC), '{normal}'", _NORMAL_HINT),
        ("name-clash", "kind-builtin"): Template("kind '{name}' has the name of a built-in", _BUILTIN_HINT),
        ("name-clash", "field-builtin"): Template("field '{name}' of '{kind}' has the name of a built-in", _BUILTIN_HINT),
        ("name-clash", "field-kind"): Template("field '{name}' of '{kind}' has the name of a kind", "rename it; '{name}.…' reads the {name} a record belongs to"),
        ("unknown-key-field", ""): Template("key '{key}' is not a field of '{kind}'", "the key must be one of the kind's fields"),
        ("bad-key-type", ""): Template("key '{key}' of '{kind}' is a {type} field", "a key field must be of type string or int"),
        ("unknown-parent-kind", ""): Template("the parent of '{kind}' is '{parent}', which is not a kind", "declared kinds: {kinds}"),
        ("unknown-parent-field", ""): Template("'{field}' is not a field of '{kind}', so it cannot hold the parent's key", "declare it under fields"),
        ("parent-type-mismatch", ""): Template("'{field}' is a {have} field, but the key '{parent_key}' of '{parent}' is {want}", "declare '{field}' as {want}"),
        ("parent-cycle", ""): Template("the parent links go round in a loop: {loop}", "a kind cannot be its own parent or ancestor; remove one link"),
        ("parent-chain-too-long", ""): Template("'{kind}' has more than {limit} kinds above it", "link each kind to the one it belongs to directly; a chain of {limit} parents is the most"),
        ("enum-without-values", "field"): Template("enum field '{name}' needs 'values'", "list the allowed values"),
        ("list-without-item-type", "field"): Template("list field '{name}' needs 'of'", "e.g. of: string"),
        ("bad-default", "field"): Template("default of '{name}': {reason}", "give a value of the field's type"),
        ("bad-field-bounds", "type"): Template("'{name}' is a {type} field: min and max bound numbers only", "bound a money, decimal or int field, or remove min and max"),
        ("bad-field-bounds", "value"): Template("the {bound} of '{name}' is {value}, not a number of the field's type", "write a number such as 0 or 100000"),
        ("bad-field-bounds", "order"): Template("the min of '{name}' ({low}) is above its max ({high})", "swap them"),
    }),
    # the policies a caller names in a repository (policyengine/run/_repository.py)
    ("the-policy-folder", {
        ("not-a-repository", ""): Template("{root} is not a folder"),
        ("unknown-policy", ""): Template("no policy '{policy}' in {root}"),
        ("unknown-version", ""): Template("policy '{policy}' has no version '{version}'"),
    }),
    # opening, appending to and reading a ledger (policyengine/audit/_ledger_file.py, ledger.py)
    ("the-ledger", {
        ("file-not-found", "ledger"): Template("no ledger at this path", "name the ledger file a run was appended to (run --new-ledger starts one)"),
        ("not-a-ledger", ""): Template("the file is not a ledger", _NOT_A_LEDGER),
        ("not-a-ledger", "empty"): Template("the file is empty: it holds no ledger", "restore the ledger from a backup"),
        ("not-a-ledger", "not-sqlite"): Template("the file is not a ledger (not an SQLite database)", _NOT_A_LEDGER),
        ("not-a-ledger", "tables"): Template("the ledger's tables were altered", _EDITED),
        ("ledger-version", ""): Template("the ledger has schema version {version}; this code reads {readable}", _EDITED),
        ("ledger-version", "newer"): Template("the ledger has schema version {version}; this code reads {readable}", "upgrade policyengine"),
        ("ledger-version", "migrate"): Template("a schema version {version} ledger cannot be copied into schema version 3", "only a schema version 2 ledger can: keep this one as it is; it verifies, replays and takes runs as before"),
        ("ledger-version", "unsigned"): Template("a schema version {version} ledger holds no signatures", "start a new ledger (run --new-ledger) to sign runs, and keep this one"),
        ("head-mismatch", "meta-damaged"): Template("the ledger's meta row is damaged", _EDITED),
        ("head-mismatch", "append"): Template("meta says {count} runs but the last is run {last}", _EDITED),
        ("head-mismatch", "moved"): Template("another run was appended while run {run} was being written", "run the month again: its outputs named a run the ledger no longer ends with"),
        ("run-out-of-order", "clock"): Template("the clock says {created}, before the last run ({last})", "set the computer's clock right; runs are recorded in time order"),
        ("run-not-found", ""): Template("there is no run {run}", "the ledger holds runs 1 to {count}"),
        ("run-not-found", "empty"): Template("there is no run {run}", "the ledger is empty"),
        ("ledger-exists", "migrate"): Template("the file to copy the ledger to is already there", "name a new file: a copy never overwrites one"),
        ("ledger-exists", ""): Template("the backup file is already there", "name a new file: a backup never overwrites one"),
        ("ledger-closed", ""): Template("the ledger is closed", "open it again"),
    }),
    # what ledger verify finds (policyengine/audit/_ledger_chain.py, _ledger_seals.py)
    ("the-ledger", {
        ("chain-broken", "gap"): Template("run {run}: its id does not follow run {before}", _EDITED),
        ("chain-broken", "gap-start"): Template("run {run}: its id does not follow the start of the ledger", _EDITED),
        ("chain-broken", "prev"): Template("run {run}: its prev_hash is not the hash of run {before}", _EDITED),
        ("chain-broken", "prev-start"): Template("run {run}: its prev_hash is not the hash of the start of the ledger", _EDITED),
        ("head-mismatch", ""): Template("meta says {count} runs, head {head}, but the last run is {last}, hash {hash}", _EDITED),
        ("head-mismatch", "no-meta"): Template("meta says nothing, but the last run is {last}, hash {hash}", _EDITED),
        ("head-mismatch", "meta-rows"): Template("meta holds {rows} rows instead of one, but the last run is {last}, hash {hash}", _EDITED),
        ("run-tampered", ""): Template("run {run} was edited: its fields no longer hash to its hash", _EDITED),
        ("blob-missing", ""): Template("run {run} used {policy} {version} ({sha256}), no longer in the ledger", _EDITED),
        ("blob-missing", "document"): Template("run {run} names its inputs or outputs {sha256}, no longer in the ledger", _EDITED),
        ("blob-tampered", ""): Template("the stored bytes of policy file {sha256} no longer have that SHA-256; runs using it: {runs}", _EDITED),
        ("blob-tampered", "document"): Template("the stored inputs or outputs {sha256} no longer decompress to bytes with that SHA-256; runs using them: {runs}", _EDITED),
        ("blob-tampered", "document-unused"): Template("the stored inputs or outputs {sha256} no longer decompress to bytes with that SHA-256", _EDITED),
        ("blob-tampered", "unused"): Template("the stored bytes of policy file {sha256} no longer have that SHA-256", _EDITED),
        ("run-unsigned", "after-signed"): Template("run {run} is not signed", "a ledger that signs its runs signs every run: this one was added by hand"),
        ("run-unsigned", "required"): Template("run {run} is not signed", "every run must be signed (--require-signed)"),
        ("untrusted-key", ""): Template("run {run} is signed by key {key_id}, which is not trusted", "check with the key of the person who ran the month (--trust), or ask who signed it"),
        ("bad-signature", ""): Template("run {run}: its signature by key {key_id} does not match the run", "the run, or a run before it, was changed after it was signed: " + _EDITED),
        ("run-out-of-order", "verify"): Template("run {run} was recorded at {created}, before the run before it", _EDITED),
        ("sha-conflict", "runs"): Template("run {run} used {policy} {version} with SHA-256 {sha256}, but run {other_run} used it with {other_sha256}: one version has one file", "find which file was published (verify the lock); the other was not"),
        ("sha-conflict", "lock"): Template("run {run} used {policy} {version} with SHA-256 {sha256}, but the lock publishes it as {locked_sha256}", "the run used an edited file, or the lock was rewritten since"),
        ("head-missing", "kept"): Template("the kept head {head} is not a run of this ledger", "runs were cut off the end, or this is an older copy: restore the ledger"),
        ("later-run-stale", ""): Template("run {run} ({period}) read values of {months} that were replaced since (the replacing runs: {by})", "run {period} again with --rerun 'REASON' to take the new values, then the months after it, in order"),
        ("head-missing", "lock"): Template("run {run} was computed under lock head {head}, no line of this lock", "lines were cut off the lock, or it was rewritten, after the run (a run signed before the lock was signed names the unsigned lock's SHA-256)"),
    }),
    ("calling-the-library-and-the-command-line", {
        ("invalid-date", "as-known-at"): Template("'{value}' is not a date", "write it YYYY-MM-DD, e.g. 2026-04-05"),
    }),
)
# fmt: on
