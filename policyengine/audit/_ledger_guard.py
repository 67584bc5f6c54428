"""What a month's run checks of its ledger before it adds to it, so that nothing is
added silently where something is wrong:

- the ledger is there (a mistyped path is not a new ledger), or is asked for new
  and is not there;
- its chain is intact: a run appended after a broken run would build on history
  nobody can vouch for;
- a month already in the ledger is run again with other inputs only when the
  re-run gives its reason (``rerun``): a facts file changed after its month was
  run is a correction someone must own.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..core._packed import sha256_of
from ..errors import LedgerError, Location, PolicyError
from ._ledger_records import RunRecord
from .ledger import SqliteLedger, open_ledger

__all__ = ["check_ledger", "check_rerun", "rerun_label"]


def check_ledger(path: str | os.PathLike[str], *, new: bool) -> None:
    """Refuse a ledger that is not there (unless ``new``), one that is there when ``new``
    is asked, and one whose chain ``verify`` reports broken."""
    file = os.fspath(path)
    if new:
        if Path(file).exists():
            raise LedgerError(
                "--new-ledger names a file that is already there",
                code="ledger-exists",
                location=Location(file=file),
                hint="drop --new-ledger to append to it, or name a new file",
            )
        return
    with open_ledger(file, read_only=True) as ledger:
        problems = ledger.verify()
    if problems:
        raise broken(file, problems)


def broken(file: str, problems: list[PolicyError]) -> LedgerError:
    """The refusal to build on a ledger with ``problems``, naming the first."""
    first = problems[0]
    return LedgerError(
        f"the ledger has {len(problems)} problem{'s' if len(problems) != 1 else ''}"
        f" (the first: {first.code}: {first.message})",
        code="ledger-broken",
        location=first.location,
        hint=f"run `policyengine ledger verify {file}` and restore the ledger from a backup",
        details={"problems": [p.code for p in problems]},
    )


def check_rerun(ledger: SqliteLedger, record: RunRecord, rerun: str | None) -> None:
    """Refuse a run of a month already in ``ledger`` (opened; held, for a month's run)
    whose inputs differ from its last run's, unless ``rerun`` gives the reason."""
    if rerun:
        return
    last = ledger.last_inputs(record.period)
    if last is None or last[1] == sha256_of(record.inputs):
        return
    file = ledger.path
    raise LedgerError(
        f"{record.period} was run before (run {last[0]}) with other inputs: its facts, or"
        " the earlier months' values it reads, changed since",
        code="facts-changed",
        location=Location(file=file, record=last[0]),
        hint="if the change is a correction, run again with --rerun 'REASON' (the reason is"
        " stored with the run); otherwise restore the facts the month was run with",
        details={"run": last[0], "period": record.period},
    )


def rerun_label(label: str, rerun: str | None) -> str:
    """The label stored with a run: the note given, and the reason of a re-run."""
    if not rerun:
        return label
    return f"{label} (re-run: {rerun})" if label else f"re-run: {rerun}"
