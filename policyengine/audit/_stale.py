"""Stale later months: runs computed from earlier months' values that a re-run replaced.

A month's run takes the earlier months' values from the ledger (:mod:`._history`) and
stores those it read in its inputs (``$history``). When an earlier month is run again
afterwards (``run --rerun``) with other values, the later month's run still stands on the
old ones: it is **stale**. Nothing is wrong with the ledger itself, so this is a finding
listed beside ``ledger verify``'s problems and under ``ledger list`` (``later-run-stale``),
never one that refuses a run; ``run`` says it of the months before the one it runs.

Only each month's latest run that is no what-if (:mod:`._what_if`) is looked at: an
earlier run of a month was replaced anyway, and a what-if feeds no month. A month run
when an earlier month was missing from the ledger, which has been run since, is stale
too: it counted that month as one without values.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..core._packed import raw
from ..core._period import Period
from ..errors import PolicyError
from ..facts._inputs import FACTS_KEY, HISTORY_KEY, typed_history
from ._history import values_of
from ._ledger_file import finding
from ._what_if import what_if_of
from .ledger import StoredRun

__all__ = ["stale_runs"]


def stale_runs(
    path: str, runs: Iterable[StoredRun], before: Period | None = None
) -> list[PolicyError]:
    """A ``later-run-stale`` finding for each month's latest run whose earlier months'
    values were replaced by a run recorded after it (only months before ``before``, when
    given), in run order."""
    latest: dict[str, StoredRun] = {}
    for run in runs:
        if what_if_of(run) is None:
            latest[run.record.period] = run
    found = []
    for period, run in sorted(latest.items(), key=lambda item: item[1].id):
        if before is not None and not Period.parse(period) < before:
            continue
        read = _history_read(run)
        if read is None:
            continue  # the month's rules read no earlier month
        replaced = [
            (month, later)
            for month, later in sorted(latest.items())
            if Period.parse(month) < Period.parse(period)
            and later.id > run.id
            and not _same(read.get(month), values_of(later))
        ]
        if replaced:
            found.append(_finding(path, run, replaced))
    return found


def _history_read(run: StoredRun) -> dict[str, Any] | None:
    """The earlier months' values the run read (its inputs' ``$history``), or None."""
    try:
        inputs = json.loads(raw(run.record.inputs))
    except ValueError:
        return None
    if not isinstance(inputs, dict) or set(inputs) != {FACTS_KEY, HISTORY_KEY}:
        return None
    history: dict[str, Any] = typed_history(inputs[HISTORY_KEY])
    return history


def _same(read: Any, now: Any) -> bool:
    """Whether the values a run read of a month are the month's values now, compared on
    what the run read (its kinds, and the values it read of each)."""
    if not isinstance(read, dict):
        return False  # the month was not in the ledger when the run read it
    for kind, records in read.items():
        names = {name for values in records.values() for name in values}
        current = {
            key: {name: value for name, value in values.items() if name in names}
            for key, values in now.get(kind, {}).items()
        }
        if current != records:
            return False
    return True


def _finding(path: str, run: StoredRun, replaced: list[tuple[str, StoredRun]]) -> PolicyError:
    months = ", ".join(month for month, _ in replaced)
    by = ", ".join(str(later.id) for _, later in replaced)
    return finding(
        path, "later-run-stale", run.id, run=run.id, period=run.record.period, months=months, by=by
    )
