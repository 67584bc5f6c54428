"""The ``ledger`` command: verify a ledger, list its runs, back it up, or copy a schema 2
ledger into schema 3."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..audit._ledger_migrate import migrate_ledger
from ..audit._ledger_records import StoredRun
from ..audit._stale import stale_runs
from ..audit._what_if import what_if_of
from ..errors import Location, UsageError
from ..present._texttable import format_table, width
from ._common import counted, existing_ledger, headers, problem_count, say, spoken, spoken_line
from ._trust import add_lock_option, add_trust_options, trust_from


def cmd_ledger(args: argparse.Namespace) -> int:
    trust = trust_from(args, args.head)
    with existing_ledger(args.file) as ledger:
        if args.action in ("backup", "migrate"):
            if not args.dest:
                where = Location(file=args.file)
                raise UsageError.from_template("file-not-found", form=args.action, location=where)
            if args.action == "migrate":
                ledger.close()  # the copy reads the file itself
                count, head = migrate_ledger(args.file, args.dest)
                print(spoken_line("migrated", count=count, head=head, dest=args.dest))
                return 0
            count, head = ledger.backup(args.dest)
            print(spoken_line("backed-up", count=count, head=head, dest=args.dest))
            return 0
        if args.action == "verify":
            problems = ledger.verify(trust)
            # Listed, never counted: a stale month is a month to run again, not a fault.
            stale = [] if problems else stale_runs(ledger.path, ledger.runs())
            for problem in [*problems, *stale]:
                print(say(problem))
            count, head = ledger.head()
            print(ledger.seals(trust).text(spoken()))
            said = {"count": count, "head": head, "problems": problem_count(len(problems))}
            if stale:
                print(
                    spoken_line("ledger-verified-stale", stale=counted("stale", len(stale)), **said)
                )
            else:
                print(spoken_line("ledger-verified", **said))
            return 1 if problems else 0
        runs = list(ledger.runs())
        stale = stale_runs(ledger.path, runs)
    if args.action == "status":
        return _status(stale, args.format)
    if args.format == "json":
        document = {"runs": [_run_data(run) for run in runs]}
        if stale:
            document["stale"] = [dict(finding.details) for finding in stale]
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        print(_runs_table(runs))
        for finding in stale:
            print(say(finding))
    return 0


def _status(stale: list[Any], format_: str) -> int:
    """``ledger status``: the months to run again, because an earlier month they read was run
    again since (``later-run-stale``); nothing to do is said too."""
    if format_ == "json":
        print(json.dumps({"stale": [dict(f.details) for f in stale]}, ensure_ascii=False, indent=2))
        return 0
    for finding in stale:
        print(say(finding))
    print(counted("stale", len(stale)) if stale else spoken_line("stale-none"))
    return 0


#: ``ledger list`` fits a terminal this wide; --format json has every detail.
TABLE_WIDTH = 100
_COLUMNS = ("run", "created", "period", "known-at", "versions", "hash", "label")


def _runs_table(runs: list[StoredRun]) -> str:
    """One line per run, the label cut to what is left of TABLE_WIDTH."""
    header = headers(*_COLUMNS)
    rows = [
        [
            str(run.id),
            run.created[:16].replace("T", " "),
            run.record.period,
            _known_at(run),
            str(len(run.record.policies)),
            run.hash[:12],
            run.record.label,
        ]
        for run in runs
    ]
    fixed = [max(width(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    room = max(TABLE_WIDTH - sum(fixed) - 2 * (len(header) - 1), width(header[-1]))
    for row in rows:
        row[-1] = _cut(row[-1], room)
    return format_table(header, rows)


def _known_at(run: StoredRun) -> str:
    """The as-known-at day, and ``what-if`` when the run is one (never a later month's
    history unless asked)."""
    day = run.record.as_known_at or "-"
    return spoken_line("what-if-run", day=day) if what_if_of(run) is not None else day


def _cut(text: str, room: int) -> str:
    """``text`` within ``room`` columns (wide characters count double), ``…`` where cut."""
    if width(text) <= room:
        return text
    kept = ""
    for char in text:
        if width(kept + char) > room - 1:
            break
        kept += char
    return kept + "…"


def _run_data(run: StoredRun) -> dict[str, Any]:
    """Everything ``ledger list --format json`` says of a run."""
    return {
        "id": run.id,
        "created": run.created,
        "period": run.record.period,
        "as_known_at": run.record.as_known_at,
        "versions": [
            {"policy": p.policy, "version": p.version, "sha256": p.sha256}
            for p in run.record.policies
        ],
        "label": run.record.label,
        "hash": run.hash,
        "prev_hash": run.prev_hash,
        "lock_head": run.lock_head,
        "key_id": run.key_id,
        "what_if": what_if_of(run),
    }


def arguments_ledger(ledger: argparse.ArgumentParser) -> None:
    ledger.add_argument("action", choices=("verify", "list", "status", "backup", "migrate"))
    ledger.add_argument("file", metavar="FILE")
    ledger.add_argument(
        "dest",
        nargs="?",
        metavar="DEST",
        help="backup, migrate: the new file to copy the ledger to",
    )
    add_trust_options(ledger)
    add_lock_option(ledger)
    ledger.add_argument(
        "--head", metavar="HASH", help="a head kept earlier: it must be a run of the ledger"
    )
    ledger.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="list: a table that fits 100 columns (default), or every detail of each run",
    )
