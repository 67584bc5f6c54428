"""The month's commands: run (evaluate and report a month), sample, demo."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..core._period import is_month
from ..errors import FactsFileError, Location, UsageError
from ..facts._io import FORMATS, listed
from ..load._layout import ENTITIES_NAME
from ..load._lock_entities import entities_standing
from ..load._lock_log import lock_head
from ..load._policy_versions import Version
from ..month import MonthRun, Recording, evaluate_month, read_month, run_month
from ..present._output import RunLink, run_data
from ..present._root_causes import by_cause, header_of, missing_too, took_along
from ..present._writers import WRITERS, check_format, write_report
from ..run._bundle import paused_collection
from ._cluster import add_cluster_options, cluster_client
from ._common import (
    LARGE_FACTS_BYTES,
    add_folder_options,
    checked_repository,
    facts_bytes,
    lock_path,
    progress_bar,
    say,
    spoken,
    spoken_line,
)
from ._trust import signing_key


def cmd_run(args: argparse.Namespace) -> int:
    if args.out:
        check_format(args.out)  # before the work, not after it
    # Reading, the summary and the report are as large as the month.
    with paused_collection(), cluster_client(args) as client:
        return _run(args, client)


def _run(args: argparse.Namespace, client: Any) -> int:
    repository = checked_repository(args)
    # Refusals that need no facts come before reading them: a month's calls take a while.
    bundle = repository.for_period(args.period, as_known_at=args.as_known_at)
    drafts = _refuse_drafts(bundle.versions, args)
    recording = Recording(
        new=args.new_ledger,
        rerun=args.rerun,
        lock_head=lock_head(lock_path(args)),
        signer=signing_key(args.key),
        drafts=drafts,
        what_ifs=args.with_what_ifs,
    )
    reading = progress_bar(facts_bytes(args.facts), threshold=LARGE_FACTS_BYTES)
    reading.stage(spoken_line("reading", facts=args.facts))
    facts = read_month(repository, args.facts)
    reading.done()
    progress = progress_bar(facts.count)
    progress.stage(spoken_line("evaluating", versions=len(bundle.versions), records=facts.count))
    month = run_month(
        repository,
        args.period,
        facts,
        as_known_at=args.as_known_at,
        ledger=args.ledger,
        out=args.out,
        label=args.label or "",
        progress=progress,
        recording=recording,
        catalogue=spoken(),
        client=client,
    )
    progress.done()
    if month.history_runs or month.skipped_what_ifs:
        print(history_line(month.history_runs, month.skipped_what_ifs), file=sys.stderr)
    for stale in month.stale:  # the month reads these values: say so, and go on
        print(say(stale), file=sys.stderr)
    _print_month(month, args)
    if month.recorded is not None:
        run_id, run_hash = month.recorded
        print(spoken_line("ledger-appended", run=run_id, hash=run_hash), file=sys.stderr)
        if month.what_if is not None:
            print(what_if_line(month.what_if), file=sys.stderr)
    if month.history_readers:
        print(
            spoken_line("history-missing", rules=", ".join(month.history_readers)),
            file=sys.stderr,
        )
    return _report_problems(month, args.facts)


def _print_month(month: MonthRun, args: argparse.Namespace) -> None:
    """The summary, and where the results went; with --format json the document is what
    standard output carries, and the summary goes beside it on standard error."""
    if args.format == "json":
        # The document --out writes: it names the ledger run recording it, as every output.
        run = RunLink(*month.recorded) if month.recorded else None
        document = {**month.result.to_dict(), "ledger_run": run_data(run)}
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        print(month.summary(spoken()), file=sys.stderr)
    else:
        print(month.summary(spoken()))
    said = sys.stderr if args.format == "json" else sys.stdout
    if args.out:
        print(spoken_line("wrote", files=", ".join(str(p) for p in month.written)), file=said)
    elif args.format != "json":
        print(spoken_line("not-written", choices=out_choices()), file=said)


def out_choices() -> str:
    """``FILE.xlsx|.csv|.json``: the files ``--out`` can write, as the hint names them."""
    return "FILE" + "|".join(WRITERS)


def history_line(used: Sequence[int], skipped: Sequence[int]) -> str:
    """The ``history:`` line: the ledger runs a month's earlier months came from, and the
    what-if runs left out."""
    line = (
        spoken_line("history-used", runs=", ".join(map(str, used)))
        if used
        else spoken_line("history-none")
    )
    if skipped:
        line += spoken_line("history-skipped", runs=", ".join(map(str, skipped)))
    return line


def what_if_line(what_if: Mapping[str, Any]) -> str:
    """What makes a recorded run a what-if, and what that means for later months."""
    why = []
    if "as_known_at" in what_if:
        why.append(spoken_line("what-if-known", day=what_if["as_known_at"]))
    if what_if.get("drafts"):
        why.append(spoken_line("what-if-drafts", drafts=", ".join(what_if["drafts"])))
    return spoken_line("what-if", why="; ".join(why))


def _refuse_drafts(versions: Sequence[Version], args: argparse.Namespace) -> tuple[str, ...]:
    """A version in force that is not in the lock is a draft: paying from it needs
    --allow-drafts, said out loud. The drafts allowed are returned: they make the run a
    what-if."""
    drafts = [(f"{v.id} {v.version}", v.path) for v in versions if v.published is None]
    standing = entities_standing(args.policies, lock_path(args))
    if standing == "draft":
        drafts.insert(0, ("the record kinds", ENTITIES_NAME))
    elif standing == "unlisted":
        print(spoken_line("entities-unlisted", entities=ENTITIES_NAME), file=sys.stderr)
    if drafts and not args.allow_drafts:
        names = ", ".join(f"{name} ({path})" for name, path in drafts)
        raise UsageError.from_template(
            "draft-in-use",
            location=Location(file=str(Path(args.policies) / drafts[0][1])),
            details={"drafts": [path for _, path in drafts]},
            words={"period": args.period, "names": names},
        )
    return tuple(name for name, _ in drafts)


def _report_problems(month: MonthRun, facts: str | Path) -> int:
    """Every error on standard error, located in the facts files; 2 when there is any."""
    result, index = month.result, month.index
    # Each root cause once, with what it took along (every error is in the results).
    for cause in by_cause(result.errors):
        print(index.render(cause.error, spoken()), file=sys.stderr)
        if cause.also_missing:
            print("  " + missing_too(cause, header_of(index), spoken()), file=sys.stderr)
        if cause.followers:
            print("  " + took_along(cause, catalogue=spoken()), file=sys.stderr)
    missing = month.missing_kinds
    for kind in missing:
        finding = FactsFileError.from_template(
            "no-records",
            location=Location(file=str(facts)),
            words={"kind": kind, "formats": listed(sorted(FORMATS))},
        )
        print(say(finding), file=sys.stderr)
    return 2 if result.errors or missing else 0


def cmd_demo(args: argparse.Namespace) -> int:
    examples, policies = Path(args.examples), Path(args.policies)
    folders = (
        sorted(p for p in examples.glob("*") if p.is_dir() and is_month(p.name))
        if examples.is_dir()
        else []
    )
    if not policies.is_dir() or not folders:
        missing = policies if not policies.is_dir() else examples
        finding = UsageError.from_template(
            "file-not-found",
            form="demo-policies" if missing == policies else "demo-examples",
            location=Location(file=str(missing)),
            words={"path": missing.resolve()},
        )
        print(say(finding), file=sys.stderr)
        return 2
    repository = checked_repository(args)
    code = 0
    carried: dict[str, Any] = {}
    months = []
    history: dict[str, Any] = {}
    for folder in folders:
        # Each month's values become history for the ones after it.
        history = dict(carried)
        month = evaluate_month(repository, folder.name, folder, history=history)
        carried[month.result.period.key] = month.result.snapshot()
        print(month.summary(spoken()))
        print()
        code = max(code, _report_problems(month, folder))
        months.append(month)
    last = months[-1]
    target = Path(args.out) / f"{last.result.period.key}.xlsx"
    # The months before it let the workbook's charts compare it with the month before.
    written = write_report(
        last.result, target, index=last.index, history=history, catalogue=spoken()
    )
    print(spoken_line("months-evaluated", count=len(months)))
    print(spoken_line("wrote", files=", ".join(str(p) for p in written)))
    return code


def arguments_run(run: argparse.ArgumentParser) -> None:
    add_folder_options(run)
    run.add_argument("--period", required=True, metavar="YYYY-MM")
    run.add_argument(
        "--facts",
        required=True,
        metavar="PATH",
        help=f"a folder of <kind>{'/'.join(sorted(FORMATS))} files, or one JSON file by kind",
    )
    run.add_argument(
        "--as-known-at", metavar="YYYY-MM-DD", help="use only versions published by this date"
    )
    run.add_argument(
        "--out",
        metavar="FILE",
        help="write the results here, as the suffix says: "
        + listed(f"{w.suffix} ({w.holds})" for w in WRITERS.values())
        + "; without it, only the summary is printed",
    )
    run.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: the summary (default); json: the canonical result document on standard "
        "output, the summary on standard error",
    )
    run.add_argument(
        "--ledger",
        metavar="FILE",
        help="append the run to this ledger, and read earlier months' values from its runs",
    )
    run.add_argument("--label", help="a note stored with the ledger run")
    run.add_argument(
        "--new-ledger",
        action="store_true",
        help="start the --ledger file (without it, the ledger must already exist)",
    )
    run.add_argument(
        "--rerun",
        metavar="REASON",
        help="run a month the ledger holds again with other inputs, for this reason",
    )
    run.add_argument("--key", metavar="FILE", help="sign the ledger run with this private key")
    run.add_argument(
        "--allow-drafts",
        "--draft",  # the shorter name, as a trial run is often called
        dest="allow_drafts",
        action="store_true",
        help="allow versions in force that are not in the lock (drafts), for a trial run"
        " (recorded as a what-if run)",
    )
    run.add_argument(
        "--with-what-ifs",
        action="store_true",
        help="take what-if runs of earlier months (--as-known-at, --allow-drafts) as history",
    )
    add_cluster_options(run)


def arguments_demo(demo: argparse.ArgumentParser) -> None:
    add_folder_options(demo)
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
