"""What a month's run checks of its ledger before it adds to it, so that nothing is
added silently where something is wrong:

- the ledger is there (a mistyped path is not a new ledger), or is asked for new
  and is not there;
- its chain is intact: a run appended after a broken run would build on history
  nobody can vouch for; and, for a run signed with a key, the earlier runs that key
  signed still carry its signature (the chain alone anyone who can write the file can
  rebuild; a signature by the key in hand only its holder can make);
- a month already in the ledger is run again with other inputs only when the
  re-run gives its reason (``rerun``): a facts file changed after its month was
  run is a correction someone must own.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..core._packed import sha256_of
from ..errors import LedgerError, Location, PolicyError
from ..load._keys import PublicKey, Trust
from ._ledger_records import RunRecord
from .ledger import SqliteLedger, open_ledger

__all__ = ["check_ledger", "check_rerun", "rerun_label"]


def check_ledger(
    path: str | os.PathLike[str], *, new: bool, signer: PublicKey | None = None
) -> None:
    """Refuse a ledger that is not there (unless ``new``), one that is there when ``new``
    is asked, and one whose chain ``verify`` reports broken, or (given the ``signer``'s
    public key) whose runs signed by that key no longer carry its signature: a run signed
    on top of a forged one would vouch for it."""
    file = os.fspath(path)
    if new:
        if Path(file).exists():
            where = Location(file=file)
            raise LedgerError.from_template("ledger-exists", form="new-ledger", location=where)
        return
    trust = Trust(keys={signer.id: signer}) if signer is not None else None
    with open_ledger(file, read_only=True) as ledger:
        problems = ledger.verify(trust)
    # Runs signed by other keys are theirs to vouch for: only this key's are checked.
    problems = [p for p in problems if p.code != "untrusted-key"]
    if problems:
        raise broken(file, problems)


def broken(file: str, problems: list[PolicyError]) -> LedgerError:
    """The refusal to build on a ledger with ``problems``, naming the first."""
    first = problems[0]
    words = {"count": len(problems), "code": first.code, "message": first.message, "file": file}
    return LedgerError.from_template(
        "ledger-broken",
        form="one" if len(problems) == 1 else "many",
        location=first.location,
        details={"problems": [p.code for p in problems]},
        words=words,
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
    raise LedgerError.from_template(
        "facts-changed",
        location=Location(file=file, record=last[0]),
        details={"run": last[0], "period": record.period},
    )


def rerun_label(label: str, rerun: str | None) -> str:
    """The label stored with a run: the note given, and the reason of a re-run."""
    if not rerun:
        return label
    return f"{label} (re-run: {rerun})" if label else f"re-run: {rerun}"
