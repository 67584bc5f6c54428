"""A month's run as library code: read the facts, take history, evaluate, write, record.

``policyengine run``, ``demo``, ``replay --paid`` and ``diff`` are this
module's functions with arguments parsed and results printed; another system
can call the same steps without the command line:

- :func:`read_month`: a month's facts files, read with the folder's fields;
- :func:`ledger_history`: earlier months' values from a ledger's runs;
- :func:`evaluate_month`: the two above, then the bundle in force evaluated;
- :func:`run_month`: that, then the report written and the run appended to
  the ledger.

A run with a ledger checks it first (:mod:`policyengine.audit._ledger_guard`:
there, or asked for new; its chain intact; a month run again with other inputs
only with a reason), and its output files are moved into place only once the
ledger run is committed: a kill at any step leaves either no new file or files
that a ledger run records, and never a cut-off one.

Nothing here prints: what a person should be told is in the returned
:class:`MonthRun` (its summary, the ledger runs history came from, the
history rules that got none).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypedDict, Unpack

import attrs

from ._month_facts import MonthFacts, column_notes
from ._month_ledger import (
    Recording,
    held,
    history_of,
    plan_run,
    read_ledger_history,
    record_run,
    what_if_mark,
)
from ._month_report import Written, staged_report
from .audit._ledger_guard import check_ledger
from .audit._stale import stale_runs
from .audit.ledger import SqliteLedger
from .core._messages import Catalogue
from .core._period import Period
from .core._text_templates import said_text
from .errors import PolicyError, UsageError
from .facts._io import FactsIndex
from .present._progress import Progress
from .present._summary import summary_text
from .present._writers import (
    StagedReport,
    check_format,
)
from .rules import reads_past
from .run._bundle import BundleResult, evaluate_owned, paused_collection, plan_of
from .run._dask_kept import KeptRun, evaluate_kept
from .run._dask_read import RangedReader
from .run._dask_run import dask_runner
from .run._repository import Repository, bundle_in_force
from .run._runner import PastValues

PathLike = str | os.PathLike[str]

# Recording and read_ledger_history live beside the other ledger steps of a month's run
# (policyengine/_month_ledger.py) and are this module's to the library's callers.
__all__ = [
    "MonthFacts",
    "MonthOptions",
    "MonthRun",
    "Recording",
    "evaluate_month",
    "ledger_history",
    "read_ledger_history",
    "read_month",
    "run_month",
]


@attrs.frozen
class MonthRun:
    """One month evaluated: the result, where its records came from, what was done with it."""

    result: BundleResult
    #: Where each record's problem is in the facts files.
    index: FactsIndex
    #: Records by kind as read.
    counts: Mapping[str, int]
    #: The ledger runs whose values were the month's history (empty: none).
    history_runs: tuple[int, ...] = ()
    #: Whether the month was given earlier months' values at all.
    had_history: bool = False
    #: Files written (the report, and a CSV's provenance sidecar).
    written: tuple[Path, ...] = ()
    #: The ledger run appended: (id, hash), or None.
    recorded: tuple[int, str] | None = None
    #: How the facts files were read, where a person should know it, as (name, words)
    #: of core/_text_templates.py (MonthFacts.notes): said in any language.
    notes: tuple[tuple[str, dict[str, Any]], ...] = ()
    #: What-if runs of earlier months that history skipped (audit._what_if).
    skipped_what_ifs: tuple[int, ...] = ()
    #: The run's own what-if mark, when it is one (None: the month's own run).
    what_if: Mapping[str, Any] | None = None
    #: Runs of earlier months standing on values replaced since (audit._stale): this
    #: month reads their values, which are stale.
    stale: tuple[PolicyError, ...] = ()

    def summary(self, catalogue: Catalogue | None = None) -> str:
        """The printed summary of the month (versions, records, totals, errors), and the
        notices of how its files were read; in ``catalogue``'s words (English without
        one: ``policyengine.messages("zh")`` gives Chinese)."""
        text = summary_text(self.result, self.index, catalogue=catalogue)
        said = [said_text(name, catalogue, **words) for name, words in self.notes]
        return "\n".join([text, *said])

    @property
    def notices(self) -> tuple[str, ...]:
        """:attr:`notes` in English."""
        return tuple(said_text(name, None, **words) for name, words in self.notes)

    @property
    def history_readers(self) -> tuple[str, ...]:
        """The history rules of the month, when it was given no earlier months."""
        if self.had_history:
            return ()
        return tuple(sorted({r.id for _, r in self.result.rules() if reads_past(r)}))

    @property
    def missing_kinds(self) -> list[str]:
        """Kinds the versions in force apply to but the facts hold no record of."""
        wanted = {v.policy.record_kind for v in self.result.bundle.versions}
        present = {kind for kind, count in self.counts.items() if count}
        return sorted(wanted - present)


def read_month(repository: Repository, path: PathLike, *, client: Any = None) -> MonthFacts:
    """A month's facts: a folder of ``<kind>.<suffix>`` files (``io.FORMATS``), or one JSON
    by kind; on ``client`` (a ``dask.distributed.Client``) a large CSV file's byte ranges
    are read by its workers, with the same records and problems."""
    return _read(repository, path, client)


def _read(repository: Repository, path: PathLike, client: Any, keep: bool = False) -> MonthFacts:
    """:func:`read_month`; with ``keep``, the rows of files read in ranges stay with the
    workers (``MonthFacts.kept``)."""
    reader = RangedReader(client, keep=keep) if client is not None else None
    files = repository.facts_files(path, reader)
    items = reader.items if reader is not None else {}
    kept = reader.kept if reader is not None else {}
    return MonthFacts(
        files,
        {kind: items[f.file] for kind, f in files.items() if f.file in items},
        {kind: kept[f.file] for kind, f in files.items() if f.file in kept},
        column_notes=column_notes(repository, files),
    )


def kept_index(read: MonthFacts, done: KeptRun, keys: Mapping[str, str]) -> FactsIndex:
    """What locates the problems of a month whose ``done.kind`` was typed on the workers:
    its records' lines and keys as written (the client never held the records)."""
    read.files[done.kind] = attrs.evolve(read.files[done.kind], lines=done.lines)
    read.counts[done.kind] = len(done.lines)
    index = FactsIndex(read.files, keys).detached()
    index.kept(done.kind, done.texts)
    return index


def ledger_history(
    ledger: PathLike | None, period: Period | str, *, what_ifs: bool = False
) -> tuple[dict[str, Any], tuple[int, ...]]:
    """Earlier months' values from the ledger's runs, and which runs gave them; what-if
    runs (``--as-known-at`` an earlier day, drafts) only when ``what_ifs`` asks.

    A ledger that does not exist yet gives no history (a first month).
    """
    history, used, _ = read_ledger_history(ledger, period, what_ifs=what_ifs)
    return history, used


class MonthOptions(TypedDict, total=False):
    """The keywords :func:`evaluate_month` and :func:`run_month` both take, each optional:
    the day the versions are as known at (``as_known_at``, None: today's), earlier months'
    values (``history``, else read from ``ledger``), a ``dask.distributed.Client`` to run
    the month's partitions on (``client``, None: this process), and the ``progress`` line
    told each step."""

    as_known_at: Any
    ledger: PathLike | None
    history: PastValues | None
    client: Any
    progress: Progress | None


def evaluate_month(
    repository: Repository,
    period: Period | str,
    facts: PathLike | MonthFacts,
    **options: Unpack[MonthOptions],
) -> MonthRun:
    """The bundle in force for ``period`` over the month's facts, with earlier months'
    values from ``history`` or else from ``ledger``; on ``client`` (a
    ``dask.distributed.Client``: the month split by its plan, its partitions evaluated
    as tasks on the cluster, the same result), or else in this process."""
    _check_options("evaluate_month", options)
    bundle = bundle_in_force(repository, period, options.get("as_known_at"))
    client = options.get("client")
    read = facts if isinstance(facts, MonthFacts) else _read(repository, facts, client, True)
    if read.used:  # its records were handed over: a second month would be empty
        raise UsageError.from_template("facts-used")
    read.used = True
    used: tuple[int, ...] = ()
    history = options.get("history")
    if history is None:
        history, used = ledger_history(options.get("ledger"), bundle.period)
    plan = plan_of(bundle)
    keys = {kind.name: kind.key for kind in plan.entities.kinds.values()}
    progress = options.get("progress")
    bar = None  # on a cluster, the bar counts partitions as it finishes them
    if progress is not None and client is not None:
        bar = functools.partial(progress.count, progress.said("partitions"))
    if read.kept:  # typed on the workers, or else fetched and run as any other month
        with paused_collection():
            parts = (read.files, read.items, read.kept)
            done = evaluate_kept(client, bundle, plan, parts, history, bar)
        if done is not None:
            index = kept_index(read, done, keys)
            month = MonthRun(done.result, index, dict(read.counts), used, bool(history))
            return attrs.evolve(month, notes=read.notes)
        read.counts = {kind: len(f.records) for kind, f in read.files.items()}
    items, read.items = read.items, {}
    records, index = read.take(keys)
    # Handed over: evaluate_owned lets each kind's raw records go once typed and hashed.
    if client is None:
        result = evaluate_owned(bundle, records, history=history, plan=plan, items=items)
    else:
        runner = dask_runner(client, progress=bar)
        result = evaluate_owned(
            bundle, records, history=history, plan=plan, runner=runner, items=items
        )
    month = MonthRun(result, index, dict(read.counts), used, bool(history))
    return attrs.evolve(month, notes=read.notes)


def run_month(
    repository: Repository,
    period: Period | str,
    facts: PathLike | MonthFacts,
    *,
    out: PathLike | None = None,
    label: str = "",
    recording: Recording | None = None,
    catalogue: Catalogue | None = None,
    **options: Unpack[MonthOptions],
) -> MonthRun:
    """A month's whole run: evaluate (see :func:`evaluate_month`, whose keywords it takes
    too), write the report to ``out`` (in the format its suffix names, of
    ``writers.WRITERS``) and append the run to ``ledger`` (which must exist unless
    ``recording.new``). ``catalogue`` (``policyengine.messages("zh")``): the language of
    the messages the report shows people (the workbook's errors sheet); the result
    document and the ledger keep them in English.

    The report is written in full beside ``out`` first, and moved into place only once
    the ledger run is committed; a failure before that leaves neither."""
    how = recording or Recording()
    _check_options("run_month", options)
    ledger = options.get("ledger")
    history = options.get("history")
    progress = options.get("progress")
    if out is not None:
        check_format(Path(out))  # before the work, not after it
    if ledger is not None:
        check_ledger(ledger, new=how.new, signer=how.signer.public if how.signer else None)
    staged: StagedReport | None = None
    # The report and the ledger's documents are as large as the month itself.
    with paused_collection():
        try:
            waiting = functools.partial(_step, progress, "waiting", ledger=ledger)
            with held(ledger, how, waiting) as opened:
                used: tuple[tuple[int, ...], tuple[int, ...]] = ((), ())
                if history is None:
                    history, used = history_of(opened, ledger, period, how.what_ifs)
                # History is read here, from the ledger held until the append.
                evaluating: MonthOptions = {**options, "ledger": None, "history": history}
                month = evaluate_month(repository, period, facts, **evaluating)
                month = _marked(repository, month, used, how.drafts, opened)
                planned = plan_run(month.result, month.what_if, opened, ledger, label, how)
                if out is not None:
                    writing = Written(Path(out), history, planned, progress, catalogue)
                    staged = staged_report(month.result, month.index, writing)
                if ledger:
                    _step(progress, "appending", ledger=ledger)
                recorded = record_run(planned, opened, ledger, how)
        except BaseException:
            if staged is not None:
                staged.discard()
            raise
        written = tuple(staged.commit()) if staged is not None else ()
    if progress is not None:
        progress.done()
    return attrs.evolve(month, written=written, recorded=recorded)


def _check_options(function: str, options: MonthOptions) -> None:
    """Refuse a keyword the month does not take, as Python refuses one a signature does
    not name: a misspelt ``as_known_at`` must not be a run as known today."""
    unknown = sorted(set(options) - MonthOptions.__optional_keys__)
    if unknown:
        raise TypeError(f"{function}() got an unexpected keyword argument {unknown[0]!r}")


def _marked(
    repository: Repository,
    month: MonthRun,
    used: tuple[tuple[int, ...], tuple[int, ...]],
    drafts: tuple[str, ...],
    opened: SqliteLedger | None,
) -> MonthRun:
    """The month with where its history came from (and which of those runs are stale),
    and its own what-if mark."""
    what_if = what_if_mark(repository, month.result, drafts)
    period = month.result.bundle.period
    stale = stale_runs(opened.path, opened.runs(), period) if opened is not None else []
    return attrs.evolve(
        month,
        history_runs=used[0],
        skipped_what_ifs=used[1],
        what_if=what_if,
        stale=tuple(stale),
    )


def _step(progress: Progress | None, name: str, **values: object) -> None:
    """Say which step of the run is being done (between steps, never inside one)."""
    if progress is not None:
        progress.step(name, **values)
