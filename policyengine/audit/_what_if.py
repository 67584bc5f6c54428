"""What-if runs: months run to see what would have been, never to feed later months.

A run whose versions are not the ones in force today (``--as-known-at`` a day before
today's versions were published) or that used drafts (``--allow-drafts``) answers a
question; it is not the month's values. It is recorded like any run, with a mark in its
provenance (:data:`WHAT_IF`, a small versioned document), and the earlier months' values
a later month takes from the ledger skip marked runs unless asked.

The mark is part of the provenance bytes, so the run's hash covers it; runs recorded
before marks existed have none, and verify and replay exactly as before (replay compares
outputs, which the mark is not part of).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from typing import Any

from .ledger import StoredRun

__all__ = ["WHAT_IF", "WHAT_IF_FORMAT", "mark", "what_if_of"]

#: The provenance key of the mark.
WHAT_IF = "what_if"
#: The mark's own format, stored in it: a later one can still read this one.
WHAT_IF_FORMAT = 1


def mark(
    as_known_at: datetime.date | None,
    versions: Sequence[tuple[str, str, str]],
    today: Sequence[tuple[str, str, str]] | None,
    drafts: Sequence[str],
) -> dict[str, Any] | None:
    """The what-if mark of a run (None: the run is the month's own), from the versions it
    used and, when it was run as known at a day, the versions in force today (``today``:
    (policy, version, sha256) each; None when no version is in force today)."""
    why: dict[str, Any] = {}
    if as_known_at is not None and (today is None or sorted(today) != sorted(versions)):
        why["as_known_at"] = as_known_at.isoformat()
    if drafts:
        why["drafts"] = sorted(drafts)
    return {"format": WHAT_IF_FORMAT, **why} if why else None


def what_if_of(run: StoredRun) -> dict[str, Any] | None:
    """The run's what-if mark, or None for a month's own run."""
    try:
        provenance = json.loads(run.record.provenance)
    except ValueError:
        return None
    found = provenance.get(WHAT_IF) if isinstance(provenance, dict) else None
    return found if isinstance(found, dict) else None
