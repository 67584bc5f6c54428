"""Commands over a whole policy folder: run a month, lock, verify, the ledger, replay, diff;
and the example data: sample (generate months) and demo (run the shipped months)."""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .audit.ledger import SqliteLedger, open_ledger
from .audit.lock import LOCK_NAME
from .audit.lock import lock as lock_versions
from .audit.lock import verify as verify_lock
from .bundle import BundleResult, entities_from_policies
from .diff import diff
from .entities import Entities, load_entities
from .errors import InvalidPolicy, Location, PolicyError
from .io import FactsIndex
from .period import Period
from .progress import Progress
from .replay import compare_paid, history_from_ledger, read_paid, replay_run, run_record
from .report import record_keys
from .repository import ENTITIES_NAME, Repository, load
from .rules.base import plain
from .sample import monthly, unknown_fields, write_months
from .schema import policy_schema
from .summary import summary_text
from .texttable import cell, format_table
from .writers import check_format, write_report


def _repository(args: argparse.Namespace) -> Repository:
    """The policy folder, refused while a published version differs from its lock entry:
    amounts computed from an edited published file would prove nothing."""
    findings = verify_lock(args.policies, _lock_path(args))
    if findings:
        raise InvalidPolicy(findings, file=str(_lock_path(args)))
    return load(args.policies, lock=args.lock)


def _missing_kinds(result: BundleResult) -> list[str]:
    """Kinds the versions in force apply to but the facts hold no record of."""
    given = {row.kind for row in result.rows()} | {
        str(e.details.get("kind")) for e in result.errors
    }
    wanted = {v.policy.applies_to or v.id for v in result.bundle.versions}
    return sorted(wanted - given)


def _facts(args: argparse.Namespace, repository: Repository) -> dict[str, list[Any]]:
    return repository.read_facts(args.facts)


def _facts_bytes(path: str | Path) -> int:
    """The size of a month's facts on disk (to decide on a progress line before reading)."""
    source = Path(path)
    files = source.iterdir() if source.is_dir() else [source]
    return sum(f.stat().st_size for f in files if f.is_file())


def _lock_path(args: argparse.Namespace) -> Path:
    return Path(args.lock) if args.lock else Path(args.policies) / LOCK_NAME


#: Facts larger than this on disk are worth a progress line while they are read.
_LARGE_FACTS_BYTES = 1 << 20


def cmd_run(args: argparse.Namespace) -> int:
    if args.out:
        check_format(args.out)  # before the work, not after it
    repository = _repository(args)
    bundle = repository.for_period(args.period, as_known_at=args.as_known_at)
    reading = Progress(sys.stderr, _facts_bytes(args.facts), threshold=_LARGE_FACTS_BYTES)
    reading.stage(f"reading {args.facts} …")
    files = repository.facts_files(args.facts)
    reading.done()
    facts = {kind: list(f.records) for kind, f in files.items()}
    progress = Progress(sys.stderr, sum(len(r) for r in facts.values()))
    progress.stage(
        f"evaluating {len(bundle.versions)} versions over "
        f"{sum(len(r) for r in facts.values()):,} records …"
    )
    history: dict[str, Any] = {}
    if args.ledger and Path(args.ledger).is_file():
        # Earlier months of the same ledger feed this month's history rules.
        with open_ledger(args.ledger) as ledger:
            history, used = history_from_ledger(ledger, bundle.period)
        if used:
            runs = ", ".join(f"{run}" for run in used)
            print(f"history: earlier months from ledger runs {runs}", file=sys.stderr)
    result = bundle.evaluate(facts, history=history)
    progress.done()
    readers = sorted({n.rule.id for n in result.state.plan.nodes if n.rule.kind == "history"})
    index = FactsIndex(files, record_keys(result))
    summary = summary_text(result, index)
    if args.out:
        written = write_report(result, args.out, index=index, progress=progress)
        print(summary)
        print("wrote " + ", ".join(str(p) for p in written))
    else:
        # The document is what standard output carries; the summary goes beside it.
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
        print(summary, file=sys.stderr)
    if args.ledger:
        with open_ledger(args.ledger) as ledger:
            stored = ledger.append(run_record(result, args.label or ""))
        print(f"ledger: run {stored.id} appended, hash {stored.hash}", file=sys.stderr)
    if readers and not history:
        print(
            f"note: {', '.join(readers)} read earlier months, and none were given: each counts "
            "them as its 'missing:' says. Run the months in order into one --ledger "
            "(or use policyengine demo) to carry them forward.",
            file=sys.stderr,
        )
    return _report_problems(result, index, args.facts)


def _report_problems(result: BundleResult, index: FactsIndex, facts: str | Path) -> int:
    """Every error on standard error, located in the facts files; 2 when there is any."""
    for error in result.errors:
        print(index.render(error), file=sys.stderr)
    missing = _missing_kinds(result)
    for kind in missing:
        print(
            f"{facts}: no-records: the facts hold no {kind} records, which versions in "
            "force apply to (name the file <kind>.csv, .json, .jsonl or .xlsx)",
            file=sys.stderr,
        )
    return 2 if result.errors or missing else 0


def _months(text: str) -> list[Period]:
    """``2026-01..2026-03`` (every month from the first to the last), or one month."""
    first, _, last = text.partition("..")
    try:
        start, end = Period.parse(first.strip()), Period.parse((last or first).strip())
    except PolicyError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a month range: write YYYY-MM..YYYY-MM, e.g. 2026-01..2026-03"
        ) from None
    if end < start:
        raise argparse.ArgumentTypeError(f"'{text}' ends before it starts")
    found = []
    while start <= end:
        found.append(start)
        start = start.shift(1)
    return found


def _sample_entities(folder: str) -> Entities | None:
    """The record kinds of a policy folder: entities.yaml, or its policies' inputs; None
    when there is no such folder (then every generated field is written, by name)."""
    root = Path(folder)
    if (root / ENTITIES_NAME).is_file():
        return load_entities(root / ENTITIES_NAME)
    if not root.is_dir():
        return None
    repository = load(root)
    return entities_from_policies([v.policy for v in repository.versions])


def cmd_sample(args: argparse.Namespace) -> int:
    entities = _sample_entities(args.policies)
    try:
        generated = monthly(
            args.months, teams=args.teams, reps=args.reps, calls=args.calls, seed=args.seed
        )
    except ValueError as exc:
        print(f"sample: {exc}", file=sys.stderr)
        return 2
    written = write_months(generated, args.out, entities)
    if entities is None:
        print(
            f"note: no policy folder at {args.policies}: every generated field is written, "
            "headed by its name (name the folder with --policies)",
            file=sys.stderr,
        )
    else:
        for kind, names in unknown_fields(entities).items():
            print(
                f"note: {kind} fields the generator does not know, filled with plausible "
                f"values of their type: {', '.join(names)}",
                file=sys.stderr,
            )
    for month in generated:
        counts = ", ".join(f"{kind} {len(rows)}" for kind, rows in month.facts.items())
        print(f"{Path(args.out) / month.period.key}: {counts}")
        for line in month.cases.lines():
            print("  " + line)
    print(f"{len(written)} files written under {args.out} (seed {args.seed})")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    examples, policies = Path(args.examples), Path(args.policies)
    folders = (
        sorted(p for p in examples.glob("*") if p.is_dir() and _is_month(p.name))
        if examples.is_dir()
        else []
    )
    if not policies.is_dir() or not folders:
        missing = policies if not policies.is_dir() else examples
        what = "policy folder is" if missing == policies else "example months (YYYY-MM folders) are"
        print(
            f"{missing}: file-not-found: the shipped {what} not here "
            f"(looked in {missing.resolve()}). The demo runs on the files shipped with the "
            "source: run it from a checkout of the repository (cd into it), or name the "
            "folders with --policies DIR and --examples DIR",
            file=sys.stderr,
        )
        return 2
    repository = _repository(args)
    files = {folder.name: repository.facts_files(folder) for folder in folders}
    facts = {
        month: {kind: list(f.records) for kind, f in found.items()}
        for month, found in files.items()
    }
    results = repository.evaluate_months(facts)
    code = 0
    for result in results:
        month = result.provenance.period
        index = FactsIndex(files[month], record_keys(result))
        print(summary_text(result, index))
        print()
        code = max(code, _report_problems(result, index, examples / month))
    last = results[-1]
    target = Path(args.out) / f"{last.provenance.period}.xlsx"
    index = FactsIndex(files[last.provenance.period], record_keys(last))
    written = write_report(last, target, index=index)
    print(f"{len(results)} months evaluated in order, each with the ones before as history")
    print(f"wrote {', '.join(str(p) for p in written)}")
    return code


def _is_month(name: str) -> bool:
    try:
        return Period.parse(name).key == name
    except PolicyError:
        return False


def cmd_lock(args: argparse.Namespace) -> int:
    day = args.date or datetime.date.today()
    added = lock_versions(args.policies, _lock_path(args), day)
    for entry in added:
        print(f"locked {entry.path} ({entry.policy} {entry.version}) published {entry.published}")
    print(f"{len(added)} version{'s' if len(added) != 1 else ''} locked in {_lock_path(args)}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    if not Path(args.policies).is_dir():
        raise PolicyError(
            "no policy folder here",
            code="not-a-repository",
            location=Location(file=args.policies),
            hint="name it with --policies",
        )
    findings = verify_lock(args.policies, _lock_path(args))
    for finding in findings:
        print(finding.render())
    print(f"{len(findings)} finding{'s' if len(findings) != 1 else ''}")
    return 1 if findings else 0


def cmd_history(args: argparse.Namespace) -> int:
    repository = _repository(args)
    rows = []
    for e in repository.history(args.policy):
        note = f"corrects {e.corrects}" if e.corrects else ""
        note += f"corrected by {e.corrected_by}" if e.corrected_by else ""
        rows.append(
            [
                e.version,
                str(e.effective_from),
                str(e.effective_to or "-"),
                str(e.published or "draft"),
                e.sha256[:16],
                e.path,
                note,
            ]
        )
    print(format_table(["version", "from", "until", "published", "sha256", "file", "note"], rows))
    return 0


def _existing_ledger(path: str) -> SqliteLedger:
    """Open a ledger that must already exist: a typo must not create an empty one."""
    if not Path(path).is_file():
        raise PolicyError(
            "no ledger at this path",
            code="file-not-found",
            location=Location(file=path),
            hint="name the ledger file a run was appended to with --ledger",
        )
    return open_ledger(path)


def cmd_ledger(args: argparse.Namespace) -> int:
    with _existing_ledger(args.file) as ledger:
        if args.action == "verify":
            problems = ledger.verify()
            for problem in problems:
                print(problem.render())
            count, head = ledger.head()
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


def cmd_replay(args: argparse.Namespace) -> int:
    by_run = args.run is not None or args.all
    if (by_run and not args.ledger) or (
        not by_run and not (args.period and args.facts and args.paid)
    ):
        print(
            "replay needs --ledger with --run ID or --all, or --period, --facts and --paid",
            file=sys.stderr,
        )
        return 2
    if by_run:
        with _existing_ledger(args.ledger) as ledger:
            ids = [r.id for r in ledger.runs()] if args.all else [args.run]
            failed = 0
            for run_id in ids:
                outcome = replay_run(ledger, run_id)
                state = "identical" if outcome.identical else "DIFFERENT"
                print(f"run {run_id}: {state} (recorded with engine {outcome.recorded_engine})")
                if outcome.first_difference:
                    print("  " + outcome.first_difference)
                failed += not outcome.identical
        return 1 if failed else 0
    repository = _repository(args)
    bundle = repository.for_period(args.period, as_known_at=args.as_known_at)
    result = bundle.evaluate(_facts(args, repository), history=_ledger_history(args, bundle))
    findings = compare_paid(result, read_paid(args.paid), tolerance=args.tolerance)
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
            print(
                f"{f.key}  {f.output}: {f.finding}, paid {plain(f.paid)}, "
                f"computed {plain(f.computed)}, delta {plain(f.delta)}"
            )
            if f.explanation:
                print("\n".join("    " + line for line in f.explanation.splitlines()))
        print(
            f"{len(findings)} discrepanc{'ies' if len(findings) != 1 else 'y'} "
            f"(tolerance {args.tolerance})"
        )
    _report_errors(result)
    return 1 if findings else 0


def _report_errors(result: BundleResult) -> None:
    for error in result.errors:
        print(error.render(), file=sys.stderr)


def _ledger_history(args: argparse.Namespace, bundle: Any) -> dict[str, Any]:
    """Earlier months' values from --ledger, when given, for a month's history rules."""
    if not getattr(args, "ledger", None):
        return {}
    with _existing_ledger(args.ledger) as ledger:
        history, used = history_from_ledger(ledger, bundle.period)
    if used:
        print(
            f"history: earlier months from ledger runs {', '.join(map(str, used))}", file=sys.stderr
        )
    return history


def cmd_diff(args: argparse.Namespace) -> int:
    repository = _repository(args)
    history = _ledger_history(args, repository.for_period(args.period))
    if args.policy and args.from_version and args.to_version:
        outcome = diff(
            repository,
            args.period,
            _facts(args, repository),
            policy=args.policy,
            from_version=args.from_version,
            to_version=args.to_version,
            history=history,
        )
    elif args.from_known and args.to_known:
        outcome = diff(
            repository,
            args.period,
            _facts(args, repository),
            from_known=args.from_known,
            to_known=args.to_known,
            history=history,
        )
    else:
        print(
            "diff needs --policy with --from and --to, or --from-known and --to-known",
            file=sys.stderr,
        )
        return 2
    if args.format == "json":
        print(json.dumps(outcome.to_dict(), ensure_ascii=False, indent=2))
    elif args.format == "csv":
        sys.stdout.write(outcome.to_csv())
    else:
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
        print(format_table(["kind", "key", "output", "old", "new", "delta"], rows))
        print()
        totals = [
            [
                f"{t.policy}.{t.output}",
                str(t.gain),
                str(t.lose),
                str(t.changed),
                str(t.unchanged),
                f"{t.delta_sum:f}",
            ]
            for t in outcome.totals
        ]
        print(
            format_table(
                ["output", "gain", "lose", "changed", "unchanged", "sum of deltas"], totals
            )
        )
    _report_errors(outcome.old)
    _report_errors(outcome.new)
    return 2 if outcome.old.errors or outcome.new.errors else 0


def _iso_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date written YYYY-MM-DD") from None


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
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None


def add_commands(commands: Any) -> None:
    """Register the folder-wide commands on the top-level parser."""

    def folder(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--policies",
            default="policies",
            metavar="DIR",
            help="the policy folder (default: policies)",
        )
        parser.add_argument(
            "--lock", metavar="FILE", help=f"the lock file (default: DIR/{LOCK_NAME})"
        )

    run = commands.add_parser(
        "run",
        help="evaluate every version in force for a month",
        description="Evaluate every policy version in force for a month over its facts, "
        "print a summary of the month (versions, records, totals, flags, errors) and write "
        "the results. Exit 0, or 2 when a record or input is bad (good records are still "
        "evaluated and written).",
    )
    folder(run)
    run.add_argument("--period", required=True, metavar="YYYY-MM")
    run.add_argument(
        "--facts",
        required=True,
        metavar="PATH",
        help="a folder of <kind>.csv/.json/.jsonl/.xlsx files, or one JSON file by kind",
    )
    run.add_argument(
        "--as-known-at", metavar="YYYY-MM-DD", help="use only versions published by this date"
    )
    run.add_argument(
        "--out",
        metavar="FILE",
        help="write the results here, as the suffix says: .xlsx (pay sheet, summaries, "
        "errors, provenance), .csv (pay sheet; provenance in NAME.provenance.json) or .json "
        "(the canonical result document); without it, the document is printed",
    )
    run.add_argument(
        "--ledger",
        metavar="FILE",
        help="append the run to this ledger, and read earlier months' values from its runs",
    )
    run.add_argument("--label", help="a note stored with the ledger run")
    run.set_defaults(handler=cmd_run)

    sample = commands.add_parser(
        "sample",
        help="generate example months of facts (CSV), hard cases included",
        description="Write one folder of team.csv, rep.csv and call.csv per month, with the "
        "fields the entities of the policy folder declare, headed by their titles. Every "
        "month holds the hard cases: lead conflicts escalated to the manager and to "
        "leadership, a malicious grab, new hires, an exact tie within a team, a rep leaving "
        "mid-month and referral sales. The same arguments give the same files.",
    )
    sample.add_argument(
        "--policies",
        default="policies",
        metavar="DIR",
        help="the policy folder whose entities the files follow (default: policies)",
    )
    sample.add_argument(
        "--months",
        required=True,
        type=_months,
        metavar="FROM..TO",
        help="the months, e.g. 2026-01..2026-03 (or one month)",
    )
    sample.add_argument("--teams", type=int, default=3, help="teams (default: 3)")
    sample.add_argument("--reps", type=int, default=12, help="reps per team (default: 12)")
    sample.add_argument("--calls", type=int, default=2000, help="calls a month (default: 2000)")
    sample.add_argument("--seed", type=int, default=1, help="the generator's seed (default: 1)")
    sample.add_argument("--out", required=True, metavar="DIR", help="write the months here")
    sample.set_defaults(handler=cmd_sample)

    demo = commands.add_parser(
        "demo",
        help="run the shipped example months and write a workbook",
        description="Evaluate the example months shipped with the source (examples/YYYY-MM), "
        "in order, each with the months before it as history; print a summary of each and "
        "write the last month's workbook. Run it from the repository's folder.",
    )
    folder(demo)
    demo.add_argument(
        "--examples",
        default="examples",
        metavar="DIR",
        help="the folder of YYYY-MM month folders (default: examples)",
    )
    demo.add_argument(
        "--out",
        default="demo-results",
        metavar="DIR",
        help="write the last month's workbook here (default: demo-results)",
    )
    demo.set_defaults(handler=cmd_demo)

    lock = commands.add_parser("lock", help="record the unlocked version files as published")
    folder(lock)
    lock.add_argument(
        "--date", metavar="YYYY-MM-DD", type=_iso_date, help="publication date (default: today)"
    )
    lock.set_defaults(handler=cmd_lock)

    verify = commands.add_parser("verify", help="check locked versions are unchanged")
    folder(verify)
    verify.set_defaults(handler=cmd_verify)

    history = commands.add_parser("history", help="list the versions of a policy")
    folder(history)
    history.add_argument("policy", metavar="POLICY")
    history.set_defaults(handler=cmd_history)

    ledger = commands.add_parser("ledger", help="verify or list a ledger")
    ledger.add_argument("action", choices=("verify", "list"))
    ledger.add_argument("file", metavar="FILE")
    ledger.set_defaults(handler=cmd_ledger)

    replay = commands.add_parser("replay", help="recompute a ledger run or a paid month")
    replay.add_argument(
        "--ledger",
        metavar="FILE",
        help="the ledger of --run/--all; with --paid, earlier months come from its runs",
    )
    folder(replay)
    replay.add_argument("--run", type=int, metavar="ID")
    replay.add_argument("--all", action="store_true", help="replay every run of the ledger")
    replay.add_argument("--period", metavar="YYYY-MM")
    replay.add_argument("--facts", metavar="PATH")
    replay.add_argument("--paid", metavar="CSV", help="amounts actually paid")
    replay.add_argument("--as-known-at", metavar="YYYY-MM-DD")
    replay.add_argument("--tolerance", type=_decimal, default=Decimal(0))
    replay.add_argument("--format", choices=("table", "json"), default="table")
    replay.set_defaults(handler=cmd_replay)

    schema = commands.add_parser(
        "schema", help="print the JSON Schema of the facts (from entities.yaml) or of a policy"
    )
    folder(schema)
    schema.add_argument("what", choices=("facts", "policy"))
    schema.set_defaults(handler=cmd_schema)

    compare = commands.add_parser("diff", help="compare two versions or two dates over a month")
    folder(compare)
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
    compare.set_defaults(handler=cmd_diff)
