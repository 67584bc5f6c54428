"""The ``ledger`` command: verify a ledger, list its runs, or back it up."""

from __future__ import annotations

import argparse

from ..errors import Location, UsageError
from ..present._texttable import format_table
from ._common import existing_ledger, say
from ._trust import add_lock_option, add_trust_options, trust_from


def cmd_ledger(args: argparse.Namespace) -> int:
    trust = trust_from(args, args.head)
    with existing_ledger(args.file) as ledger:
        if args.action == "backup":
            if not args.dest:
                raise UsageError(
                    "ledger backup needs the file to write",
                    code="file-not-found",
                    location=Location(file=args.file),
                    hint="policyengine ledger backup FILE DEST",
                )
            count, head = ledger.backup(args.dest)
            print(f"backed up {count} runs, head {head}, to {args.dest}")
            return 0
        if args.action == "verify":
            problems = ledger.verify(trust)
            for problem in problems:
                print(say(problem))
            count, head = ledger.head()
            print(ledger.seals(trust).text())
            print(
                f"{count} runs, head {head}: "
                f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
            )
            return 1 if problems else 0
        rows = [
            [
                str(run.id),
                run.created,
                run.record.period,
                run.record.as_known_at or "-",
                ", ".join(f"{p.policy} {p.version}".strip() for p in run.record.policies),
                run.hash,
                run.record.label,
            ]
            for run in ledger.runs()
        ]
    print(format_table(["run", "created", "period", "known at", "versions", "hash", "label"], rows))
    return 0


def arguments_ledger(ledger: argparse.ArgumentParser) -> None:
    ledger.add_argument("action", choices=("verify", "list", "backup"))
    ledger.add_argument("file", metavar="FILE")
    ledger.add_argument(
        "dest", nargs="?", metavar="DEST", help="backup: the new file to copy the ledger to"
    )
    add_trust_options(ledger)
    add_lock_option(ledger)
    ledger.add_argument(
        "--head", metavar="HASH", help="a head kept earlier: it must be a run of the ledger"
    )
