"""The table of the ``policyengine`` commands: name, the module that holds them, and the
words of the help.

Nothing here imports the engine: ``policyengine --help`` lists the commands from this table
alone, and only the command being run has its module imported, which adds its arguments
(``arguments_<name>(parser)``) and runs it (``cmd_<name>(args)``).
"""

from __future__ import annotations

from typing import NamedTuple


class Command(NamedTuple):
    name: str
    #: The module under ``policyengine.cli`` holding ``arguments_<name>`` and ``cmd_<name>``.
    module: str
    help: str
    description: str


_EXITS = "Exit 0 when all is well, 2 on a usage or input problem."

#: The commands, in the order of the help.
COMMANDS: tuple[Command, ...] = (
    Command(
        "validate",
        "_policy",
        "check policy files; list every problem",
        "Check policy files and folders (a folder with entities.yaml is checked whole) and "
        "list every problem with its file, line and code. " + _EXITS,
    ),
    Command(
        "test",
        "_policy",
        "run the embedded tests of policy files",
        "Run the test cases written in each policy file and list the failures. Exit 0 when "
        "all pass, 1 when a case fails, 2 when a policy has problems.",
    ),
    Command(
        "eval",
        "_policy",
        "evaluate a policy over a facts file",
        "Evaluate one policy file over the records of a facts file and print the outputs "
        "of each record as a table (or JSON), with explanations on request. Exit 0, or 2 "
        "when a record cannot be evaluated (the others are still printed).",
    ),
    Command(
        "run",
        "_month",
        "evaluate every version in force for a month",
        "Evaluate every policy version in force for a month over its facts, print a "
        "summary of the month (versions, records, totals, flags, errors) and write the "
        "results with --out. Exit 0, or 2 when a record or input is bad (good records are "
        "still evaluated and written).",
    ),
    Command(
        "sample",
        "_sample",
        "generate example months of facts (CSV), hard cases included",
        "Write one folder of team.csv, rep.csv and call.csv per month, with the fields the "
        "entities of the policy folder declare, headed by their titles. Every month holds "
        "the hard cases: lead conflicts escalated to the manager and to leadership, a "
        "malicious grab, new hires, an exact tie within a team, a rep leaving mid-month and "
        "referral sales. The same arguments give the same files.",
    ),
    Command(
        "demo",
        "_month",
        "run the shipped example months and write a workbook",
        "Evaluate the example months shipped with the source (examples/YYYY-MM), in order, "
        "each with the months before it as history; print a summary of each and write the "
        "last month's workbook, its charts compared with the month before. Run it from the "
        "repository's folder.",
    ),
    Command(
        "lock",
        "_audit",
        "record the unlocked version files as published",
        "Add every policy version file not yet in the lock to it, with its SHA-256 and "
        "publication date; with --key the lock is signed. Published files must not change "
        "afterwards: a correction is a new version.",
    ),
    Command(
        "verify",
        "_audit",
        "check locked versions are unchanged",
        "Check every locked version file against its SHA-256 in the lock, and the lock's "
        "signatures against the keys given with --trust. Exit 0 with no findings, 1 with "
        "findings, 2 on a usage problem.",
    ),
    Command(
        "history",
        "_audit",
        "list the versions of a policy",
        "List the versions of one policy: when each is in force, when it was published, "
        "its hash and file, and which versions correct which.",
    ),
    Command(
        "keys",
        "_trust",
        "make an Ed25519 key pair for signing the lock and ledger runs",
        "Write a new Ed25519 key pair: FILE holds the private key (readable by its owner "
        "only; whoever publishes or runs months keeps it) and FILE.pub the public key, "
        "which auditors pass to verify and ledger verify with --trust. Never overwrites a "
        "key file.",
    ),
    Command(
        "ledger",
        "_ledger",
        "verify, list, back up or migrate a ledger",
        "verify: check the ledger's hash chain and signatures (exit 1 on problems); list: "
        "its runs as a table (--format json for every detail); backup: copy it, checked, "
        "to a new file; migrate: copy a schema 2 ledger, checked, into a new schema 3 file.",
    ),
    Command(
        "replay",
        "_audit",
        "recompute a ledger run or a paid month",
        "Recompute ledger runs (--run ID, or --all) from the inputs they recorded and say "
        "whether each gives the same bytes; or recompute a month from its facts and compare "
        "it with the amounts actually paid (--period, --facts, --paid). Exit 0 when all "
        "agree, 1 on a difference, 2 on a usage or input problem.",
    ),
    Command(
        "schema",
        "_audit",
        "print the JSON Schema of the facts (from entities.yaml) or of a policy",
        "Print a JSON Schema: of the facts files the policy folder's entities.yaml "
        "declares (facts), or of a policy file (policy).",
    ),
    Command(
        "diff",
        "_audit",
        "compare two versions or two dates over a month",
        "Evaluate a month twice, under two versions of a policy (--policy, --from, --to) or "
        "as known on two dates (--from-known, --to-known), and list every value that "
        "changed with the totals of each output.",
    ),
)
