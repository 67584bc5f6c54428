"""What every output writer is handed and what it must be: one request, one protocol.

A writer is called with a :class:`WriteRequest` (the month's result, the file
to write and how to write it) rather than with the same five arguments each,
so that adding a field for every writer is one change here, and a writer
that needs the report builds it the one way (:meth:`WriteRequest.report`).

Every output names the ledger run that records it (:class:`RunLink`), or says
that no ledger run does: the JSON document and the CSV's sidecar in a top-level
``ledger_run``, the workbook on its provenance sheet. The link is not part of
the result: the ledger stores the outputs without it (the run's hash covers
them, so they cannot name that hash), and replay compares those.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import attrs

from ..core._messages import Catalogue
from ..facts._io import FactsIndex
from ..run._bundle import BundleResult
from ..run._run_state import PastValues
from ._progress import Progress
from ._report import Report, build_report

__all__ = ["OutputWriter", "RunLink", "WriteRequest", "run_data"]


@attrs.frozen
class RunLink:
    """The ledger run that records a month's outputs: its number and its hash."""

    id: int
    hash: str


def run_data(run: RunLink | None) -> dict[str, Any] | None:
    """The ``ledger_run`` of an output's document: the run, or None (no ledger run)."""
    return None if run is None else {"id": run.id, "sha256": run.hash}


@attrs.frozen
class WriteRequest:
    """One write: ``result`` to ``target`` (its folder exists already); ``index`` locates
    errors in the facts files, ``kind`` is the pay sheet's kind (None: the report
    chooses), ``progress`` the progress line of a long write, ``history`` earlier months'
    values for the workbook's charts."""

    result: BundleResult
    target: Path
    index: FactsIndex | None = None
    kind: str | None = None
    progress: Progress | None = None
    #: Earlier months' values by period, for the workbook's comparison with the month
    #: before (None: those the month was evaluated with).
    history: PastValues | None = None
    #: The ledger run recording the outputs (None: written without a ledger run).
    run: RunLink | None = None
    #: The language of the report's messages for people (the workbook's errors sheet);
    #: None: English. The result document keeps its messages in English, as stored.
    catalogue: Catalogue | None = None

    def report(self) -> Report:
        """The report of the result, for a writer that writes tables."""
        return build_report(
            self.result,
            index=self.index,
            kind=self.kind,
            history=self.history,
            catalogue=self.catalogue,
        )


class OutputWriter(Protocol):
    """One output format, as ``WRITERS`` lists it.

    ``suffix`` is the file suffix it writes, in lower case with its dot
    (``.xlsx``); ``name`` what people call the format; ``holds`` what the
    file holds, as the command line's help says it. ``write`` writes the
    request and gives the files written.
    """

    suffix: str
    name: str
    holds: str

    def write(self, request: WriteRequest) -> list[Path]:
        """Write ``request.result`` to ``request.target``; the files written."""
        ...
