"""A process that runs a month into a ledger and stops at a chosen step, for the kill tests.

    python month_worker.py POLICIES FACTS LEDGER OUT STEP [PERIOD]

Runs PERIOD (2026-03 unless given) of POLICIES over FACTS into LEDGER (which exists),
writing OUT, and prints ``done`` and the ledger runs its history came from. It prints
``waiting`` when another run holds the ledger. At STEP it prints ``stalled`` and sleeps
until the test kills it:

- ``write``: half-way through writing the report's bytes;
- ``append``: the report written, before the ledger append;
- ``commit``: the ledger run committed, before the report is moved into place;

or, at ``hold``, it stalls before the ledger append (the ledger held) until a line comes
on its standard input. Any other STEP runs straight through.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import policyengine.month as month
from policyengine.present import _writers
from policyengine.present._progress import Progress
from policyengine.run._repository import load


def stall() -> None:
    print("stalled", flush=True)
    time.sleep(600)


def pause() -> None:
    print("stalled", flush=True)
    sys.stdin.readline()


def main(
    policies: str, facts: str, ledger: str, out: str, step: str, period: str = "2026-03"
) -> None:
    def say_waiting(progress: Any, name: str, **values: Any) -> None:
        if name == "waiting":
            print("waiting", flush=True)

    month._step = say_waiting  # type: ignore[assignment]
    if step == "write":
        real_write = Path.write_bytes

        def half_then_stall(self: Path, data: Any) -> int:
            real_write(self, bytes(data)[: len(data) // 2])
            stall()
            return 0

        Path.write_bytes = half_then_stall  # type: ignore[method-assign]
    elif step in ("append", "hold"):
        real_record = month.record_run

        def stall_first(*args: Any, **kwargs: Any) -> Any:
            stall() if step == "append" else pause()
            return real_record(*args, **kwargs)

        month.record_run = stall_first  # type: ignore[assignment]
    elif step == "commit":
        real_commit = _writers.StagedReport.commit

        def stall_then_commit(self: Any) -> Any:
            stall()
            return real_commit(self)

        _writers.StagedReport.commit = stall_then_commit  # type: ignore[method-assign]
    progress = Progress(None)  # so that the steps are named (and shown here)
    run = month.run_month(load(policies), period, facts, ledger=ledger, out=out, progress=progress)
    print("done", ",".join(map(str, run.history_runs)), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:7])
