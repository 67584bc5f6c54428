"""Audit commands over a policy folder: lock, verify, history, ledger, replay, diff, schema.

The month's commands (run, sample, demo) are in :mod:`policyengine.cli._month`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..audit._diff import Diff, diff
from ..audit._ledger_guard import broken
from ..audit._publish import lock as lock_versions
from ..audit._replay import compare_paid, read_paid, replay_run
from ..core._display import decimal_text, plain
from ..core._period import Period, iso_day
from ..errors import Location, UsageError
from ..load._keys import Trust
from ..load._lock import verify as verify_lock
from ..month import MonthFacts, evaluate_month, read_ledger_history, read_month
from ..present._texttable import cell, format_table
from ..read._schema import policy_schema
from ..run._bundle import BundleResult, entities_from_policies
from ..run._repository import Repository, load
from ._common import (
    LARGE_FACTS_BYTES,
    add_folder_options,
    checked_repository,
    counted,
    existing_ledger,
    facts_bytes,
    headers,
    lock_path,
    progress_bar,
    say,
    spoken,
    spoken_line,
)
from ._help_words import refused
from ._month import history_line
from ._trust import add_trust_options, lock_line, signing_key, trust_from


def cmd_lock(args: argparse.Namespace) -> int:
    day = args.date or datetime.date.today()
    added = lock_versions(args.policies, lock_path(args), day, signing_key(args.key))
    for entry in added:
        print(
            spoken_line(
                "locked",
                path=entry.path,
                policy=entry.policy,
                version=entry.version,
                published=entry.published,
            )
        )
    print(counted("locked", len(added), lock=lock_path(args)))
    if args.key:  # the first signed lock also signs what was there: say so
        print(lock_line(lock_path(args), Trust(), checking=False))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    if not Path(args.policies).is_dir():
        where = Location(file=args.policies)
        raise UsageError.from_template("not-a-repository", form="verify", location=where)
    trust = trust_from(args, args.lock_head)
    findings = verify_lock(args.policies, lock_path(args), trust)
    for finding in findings:
        print(say(finding))
    print(lock_line(lock_path(args), trust))
    print(counted("findings", len(findings)))
    return 1 if findings else 0


def cmd_history(args: argparse.Namespace) -> int:
    repository = checked_repository(args)
    rows = []
    for e in repository.history(args.policy):
        note = spoken_line("corrects", version=e.corrects) if e.corrects else ""
        note += spoken_line("corrected-by", version=e.corrected_by) if e.corrected_by else ""
        rows.append(
            [
                e.version,
                str(e.effective_from),
                str(e.effective_to or "-"),
                str(e.published or spoken_line("draft")),
                e.sha256[:16],
                e.path,
                note,
            ]
        )
    columns = headers("version", "from", "until", "published", "sha256", "file", "note")
    print(format_table(columns, rows))
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    by_run = args.run is not None or args.all
    if (by_run and not args.ledger) or (
        not by_run and not (args.period and args.facts and args.paid)
    ):
        print(spoken_line("replay-needs"), file=sys.stderr)
        return 2
    if by_run:
        return _replay_runs(args)
    repository = checked_repository(args)
    history = _ledger_history(args, Period.parse(args.period))
    facts = _read_facts(repository, args.facts)
    progress = progress_bar(facts.count)
    progress.stage(spoken_line("replay-evaluating", period=args.period, records=facts.count))
    month = evaluate_month(
        repository, args.period, facts, as_known_at=args.as_known_at, history=history
    )
    progress.done()
    result = month.result
    table = args.format != "json"  # the table's explanations in the command's language
    catalogue = spoken() if table else None
    paid = read_paid(args.paid)
    findings = compare_paid(result, paid, tolerance=args.tolerance, catalogue=catalogue)
    if args.format == "json":
        print(
            json.dumps(
                {
                    "provenance": result.provenance.to_dict(),
                    "discrepancies": [f.to_dict() for f in findings],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for f in findings:
            finding = spoken_line("finding-" + f.finding)
            shown = {
                "paid": _shown(f.paid),
                "computed": _shown(f.computed),
                "delta": _shown(f.delta),
            }
            print(spoken_line("discrepancy", key=f.key, output=f.output, finding=finding, **shown))
            if f.explanation:
                print("\n".join("    " + line for line in f.explanation.splitlines()))
        print(counted("discrepancies", len(findings), tolerance=args.tolerance))
    _report_errors(result)
    return 1 if findings else 0


def _shown(value: Any) -> Any:
    """An amount of a discrepancy; none (not paid, not computed) in the command's words."""
    return spoken_line("no-amount") if value is None else plain(value)


def _replay_runs(args: argparse.Namespace) -> int:
    """replay --run ID or --all: each run recomputed from the inputs the ledger holds. With
    --trust, the whole ledger's signatures are checked first: a chain rebuilt by whoever
    can write the file replays 'identical' to itself, and only a signature tells."""
    trusted = args.trust or args.require_signed
    trust = trust_from(args, None) if trusted else None
    with existing_ledger(args.ledger) as ledger:
        if (args.all or trusted) and (problems := ledger.verify(trust)):
            raise broken(args.ledger, problems)
        ids = [r.id for r in ledger.runs()] if args.all else [args.run]
        progress = progress_bar()
        failed = 0
        for number, run_id in enumerate(ids, 1):
            progress.stage(spoken_line("replaying", run=run_id, number=number, count=len(ids)))
            outcome = replay_run(ledger, run_id, catalogue=spoken())
            progress.done()
            state = "replay-identical" if outcome.identical else "replay-different"
            print(spoken_line(state, run=run_id, engine=outcome.recorded_engine))
            if outcome.first_difference:
                print("  " + outcome.first_difference)
            failed += not outcome.identical
    return 1 if failed else 0


def _read_facts(repository: Repository, path: str) -> MonthFacts:
    """A month's facts, with a moving bar while large files are read."""
    reading = progress_bar(facts_bytes(path), threshold=LARGE_FACTS_BYTES)
    reading.stage(spoken_line("reading", facts=path))
    facts = read_month(repository, path)
    reading.done()
    return facts


def _report_errors(result: BundleResult) -> None:
    for error in result.errors:
        print(say(error), file=sys.stderr)


def _ledger_history(args: argparse.Namespace, period: Period) -> dict[str, Any]:
    """Earlier months' values from --ledger, when given, for a month's history rules."""
    if not getattr(args, "ledger", None):
        return {}
    existing_ledger(args.ledger).close()  # a typo must not read as "no earlier months"
    history, used, skipped = read_ledger_history(args.ledger, period)
    if used or skipped:
        print(history_line(used, skipped), file=sys.stderr)
    return history


def cmd_diff(args: argparse.Namespace) -> int:
    repository = checked_repository(args)
    history = _ledger_history(args, Period.parse(args.period))
    by_version = bool(args.policy and args.from_version and args.to_version)
    if not by_version and not (args.from_known and args.to_known):
        print(spoken_line("diff-needs"), file=sys.stderr)
        return 2
    facts = _read_facts(repository, args.facts)
    records = facts.records
    progress = progress_bar(facts.count)
    progress.stage(spoken_line("diff-evaluating", records=facts.count))
    # The two sides: two versions of one policy, or the folder as known at two days.
    sides = (
        {"policy": args.policy, "from_version": args.from_version, "to_version": args.to_version}
        if by_version
        else {"from_known": args.from_known, "to_known": args.to_known}
    )
    outcome = diff(repository, args.period, records, history=history, **sides)
    progress.done()
    if args.format == "json":
        print(json.dumps(outcome.to_dict(), ensure_ascii=False, indent=2))
    elif args.format == "csv":
        sys.stdout.write(outcome.to_csv())
    else:
        _print_diff_tables(outcome)
    _report_errors(outcome.old)
    _report_errors(outcome.new)
    return 2 if outcome.old.errors or outcome.new.errors else 0


def _print_diff_tables(outcome: Diff) -> None:
    """The changed values, one row each, then each output's totals."""
    rows = [
        [
            c.kind,
            str(c.key),
            f"{c.policy}.{c.output}",
            cell(c.old),
            cell(c.new),
            f"{c.delta:+f}" if c.delta is not None else "",
        ]
        for c in outcome.changes
    ]
    print(format_table(headers("kind", "key", "output", "old", "new", "delta"), rows))
    print()
    totals = [
        [
            f"{t.policy}.{t.output}",
            str(t.gain),
            str(t.lose),
            str(t.changed),
            str(t.unchanged),
            decimal_text(t.delta_sum),
        ]
        for t in outcome.totals
    ]
    columns = headers("output", "gain", "lose", "changed", "unchanged", "delta-sum")
    print(format_table(columns, totals))


def _iso_date(text: str) -> datetime.date:
    try:
        return iso_day(text)
    except ValueError:
        raise refused("not-a-date", text) from None


def cmd_schema(args: argparse.Namespace) -> int:
    if args.what == "policy":
        document: Any = policy_schema()
    else:
        repository = load(args.policies, lock=args.lock)
        entities = repository.entities or entities_from_policies(
            [v.policy for v in repository.versions]
        )
        document = entities.facts_schema()
    print(json.dumps(document, ensure_ascii=False, indent=2))
    return 0


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise refused("not-a-number", text) from None


def arguments_lock(lock: argparse.ArgumentParser) -> None:
    add_folder_options(lock)
    lock.add_argument(
        "--date", metavar="YYYY-MM-DD", type=_iso_date, help="publication date (default: today)"
    )
    lock.add_argument(
        "--key", metavar="FILE", help="sign the lock with this private key (lock format 2)"
    )


def arguments_verify(verify: argparse.ArgumentParser) -> None:
    add_folder_options(verify)
    add_trust_options(verify)
    verify.add_argument(
        "--lock-head",
        metavar="HASH",
        help="a lock head kept earlier: it must be a line of the lock",
    )


def arguments_history(history: argparse.ArgumentParser) -> None:
    add_folder_options(history)
    history.add_argument("policy", metavar="POLICY")


def arguments_replay(replay: argparse.ArgumentParser) -> None:
    replay.add_argument(
        "--ledger",
        metavar="FILE",
        help="the ledger of --run/--all; with --paid, earlier months come from its runs",
    )
    add_folder_options(replay)
    replay.add_argument("--run", type=int, metavar="ID", help="the ledger run to replay")
    replay.add_argument("--all", action="store_true", help="replay every run of the ledger")
    replay.add_argument("--period", metavar="YYYY-MM", help="with --paid: the month paid")
    replay.add_argument("--facts", metavar="PATH", help="with --paid: the month's facts")
    replay.add_argument("--paid", metavar="CSV", help="amounts actually paid")
    replay.add_argument(
        "--as-known-at", metavar="YYYY-MM-DD", help="use only versions published by this date"
    )
    replay.add_argument(
        "--tolerance",
        type=_decimal,
        default=Decimal(0),
        help="differences up to this much are not reported (default: 0)",
    )
    replay.add_argument("--format", choices=("table", "json"), default="table")
    add_trust_options(replay)


def arguments_schema(schema: argparse.ArgumentParser) -> None:
    add_folder_options(schema)
    schema.add_argument("what", choices=("facts", "policy"))


def arguments_diff(compare: argparse.ArgumentParser) -> None:
    add_folder_options(compare)
    compare.add_argument("--period", required=True, metavar="YYYY-MM")
    compare.add_argument("--facts", required=True, metavar="PATH")
    compare.add_argument("--policy", metavar="POLICY")
    compare.add_argument("--from", dest="from_version", metavar="VERSION")
    compare.add_argument("--to", dest="to_version", metavar="VERSION")
    compare.add_argument("--from-known", metavar="YYYY-MM-DD")
    compare.add_argument("--to-known", metavar="YYYY-MM-DD")
    compare.add_argument("--format", choices=("table", "csv", "json"), default="table")
    compare.add_argument(
        "--ledger", metavar="FILE", help="read earlier months' values from this ledger's runs"
    )
