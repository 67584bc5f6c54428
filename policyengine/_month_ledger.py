"""How a month's run is recorded in its ledger: the ledger held from the read of history
to the append, the run planned (so that the outputs can name it before it is appended)
and appended as planned, and the run's what-if mark. :func:`policyengine.month.run_month`
takes these steps; nothing here evaluates or writes an output."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from .audit._history import read_history
from .audit._ledger_guard import check_rerun, rerun_label
from .audit._replay import run_record
from .audit._what_if import mark
from .audit.ledger import GENESIS, RunRecord, SqliteLedger, StoredRun, first_run, open_ledger
from .core._period import Period
from .errors import PolicyError
from .load._keys import SigningKey
from .run._bundle import BundleResult
from .run._repository import Repository

PathLike = str | os.PathLike[str]


def read_ledger_history(
    ledger: PathLike | None, period: Period | str, *, what_ifs: bool = False
) -> tuple[dict[str, Any], tuple[int, ...], tuple[int, ...]]:
    """:func:`ledger_history`, and the what-if runs it left out."""
    if ledger is None or not Path(ledger).is_file():
        return {}, (), ()
    with open_ledger(ledger, read_only=True) as opened:
        history, used, skipped = read_history(opened, Period.parse(period), what_ifs=what_ifs)
    return history, tuple(used), tuple(skipped)


@attrs.frozen
class Recording:
    """How a month's run is recorded in its ledger: whether the ledger is to be made
    (``new``), the reason for running a recorded month again (``rerun``), the head of
    the lock the versions came from, the key signing the run (None: unsigned), the drafts
    allowed in it (which make it a what-if run), and whether its history takes what-if
    runs of earlier months (``what_ifs``; they are skipped otherwise)."""

    new: bool = False
    rerun: str | None = None
    lock_head: str = GENESIS
    signer: SigningKey | None = None
    drafts: tuple[str, ...] = ()
    what_ifs: bool = False


@contextlib.contextmanager
def held(
    ledger: PathLike | None, how: Recording, waiting: Callable[[], None]
) -> Iterator[SqliteLedger | None]:
    """The ledger's write lock, from the read of history to the append (None: no ledger,
    or a new one, which has no history another run could append to meanwhile); ``waiting``
    tells the person running the month when it waits for another run."""
    if ledger is None or how.new:
        yield None
        return
    with open_ledger(ledger, create=False) as opened, opened.hold(waiting) as held:
        yield held


def history_of(
    opened: SqliteLedger | None, ledger: PathLike | None, period: Period | str, what_ifs: bool
) -> tuple[dict[str, Any], tuple[tuple[int, ...], tuple[int, ...]]]:
    """Earlier months' values, and (the runs used, the what-if runs skipped): from the held
    ledger, or else from ``ledger``'s file (a new ledger: none)."""
    if opened is None:
        history, used, skipped = read_ledger_history(ledger, period, what_ifs=what_ifs)
        return history, (used, skipped)
    history, runs, left = read_history(opened, Period.parse(period), what_ifs=what_ifs)
    return history, (tuple(runs), tuple(left))


def what_if_mark(
    repository: Repository, result: BundleResult, drafts: tuple[str, ...]
) -> dict[str, Any] | None:
    """The run's what-if mark: versions other than today's (as known at an earlier day),
    or drafts allowed."""
    bundle = result.bundle
    versions = [(v.id, v.version, v.sha256) for v in bundle.versions]
    today = None
    if bundle.as_known_at is not None:
        try:
            in_force = repository.for_period(bundle.period).versions
        except PolicyError:  # nothing in force today: surely not today's versions
            in_force = None
        if in_force is not None:
            today = [(v.id, v.version, v.sha256) for v in in_force]
    return mark(bundle.as_known_at, versions, today, drafts)


def plan_run(
    result: BundleResult,
    what_if: Mapping[str, Any] | None,
    opened: SqliteLedger | None,
    ledger: PathLike | None,
    label: str,
    how: Recording,
) -> tuple[RunRecord, StoredRun] | None:
    """The month's ledger run as it will be appended (its number and hash, for the outputs
    to name), or None without a ledger; a recorded month with other inputs is refused here,
    before anything is written."""
    if ledger is None:
        return None
    record = run_record(result, rerun_label(label, how.rerun), what_if)
    if opened is None:  # a new ledger: its first run
        return record, first_run(record, lock_head=how.lock_head, signer=how.signer)
    check_rerun(opened, record, how.rerun)
    return record, opened.plan(record, lock_head=how.lock_head, signer=how.signer)


def record_run(
    planned: tuple[RunRecord, StoredRun] | None,
    opened: SqliteLedger | None,
    ledger: PathLike | None,
    how: Recording,
) -> tuple[int, str] | None:
    """The planned run appended to the held ledger ``opened``, or else to ``ledger`` (a new
    one), as the run the outputs name: (id, hash), or None without a ledger."""
    if planned is None or ledger is None:
        return None
    record, run = planned
    if opened is not None:
        stored = opened.append(record, lock_head=how.lock_head, signer=how.signer, planned=run)
    else:
        with open_ledger(ledger, create=how.new) as new:
            stored = new.append(record, lock_head=how.lock_head, signer=how.signer, planned=run)
    return stored.id, stored.hash
