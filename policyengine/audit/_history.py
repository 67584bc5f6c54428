"""Earlier months' values, as a month run into a ledger takes them from its runs.

For each earlier month the latest run recorded for it gives its values; a what-if run
(:mod:`._what_if`) is not the month's values and is skipped unless asked.
"""

from __future__ import annotations

import json
from typing import Any

from ..core._packed import raw
from ..core._period import Period
from ..facts._inputs import typed_history
from ._what_if import what_if_of
from .ledger import Ledger, StoredRun

__all__ = ["history_from_ledger", "read_history"]


def history_from_ledger(
    ledger: Ledger, before: Period, *, what_ifs: bool = False
) -> tuple[dict[str, Any], list[int]]:
    """Earlier months' values from the ledger, and the runs they came from (see
    :func:`read_history`)."""
    history, used, _ = read_history(ledger, before, what_ifs=what_ifs)
    return history, used


def read_history(
    ledger: Ledger, before: Period, *, what_ifs: bool = False
) -> tuple[dict[str, Any], list[int], list[int]]:
    """Earlier months' values from the ledger, for a month evaluated on its own.

    For each month before ``before``, the latest run recorded for it gives its
    values (``{period: {kind: {key: {rule: value}}}}``); what-if runs are skipped
    unless ``what_ifs``. Returned with the run ids used and the what-if runs
    skipped, so the caller can say which. Only what history rules read is kept
    when the month is evaluated.
    """
    latest: dict[str, StoredRun] = {}
    skipped: list[int] = []
    for run in ledger.runs():
        if Period.parse(run.record.period) < before:
            if not what_ifs and what_if_of(run) is not None:
                skipped.append(run.id)
            else:
                latest[run.record.period] = run  # later runs of a month replace earlier ones
    history: dict[str, Any] = {}
    for period, run in sorted(latest.items()):
        history[period] = values_of(run)
    return history, [run.id for _, run in sorted(latest.items())], skipped


def values_of(run: StoredRun) -> Any:
    """A run's values by kind, key and rule, as history rules read them."""
    records: dict[str, dict[str, dict[str, Any]]] = {}
    for entry in json.loads(raw(run.record.outputs))["records"]:
        values = records.setdefault(entry["kind"], {}).setdefault(str(entry["key"]), {})
        for outputs in entry["outputs"].values():
            for name, value in outputs.items():
                base, _, part = name.partition(".")
                if part:
                    values.setdefault(base, {})[part] = value
                else:
                    values[base] = value
    return typed_history(records)
