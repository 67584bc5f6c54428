"""A month's report written for its run: in full beside its place, moved into place only
once the ledger run recording it is committed (see :func:`policyengine.month.run_month`)."""

from __future__ import annotations

from pathlib import Path

import attrs

from .audit.ledger import RunRecord, StoredRun
from .core._messages import Catalogue
from .facts._io import FactsIndex
from .present._progress import Progress
from .present._writers import RunLink, StagedReport, WriteRequest, stage_report
from .run._bundle import BundleResult
from .run._runner import PastValues

__all__ = ["Written", "staged_report"]


@attrs.frozen
class Written:
    """How a month's report is written: where, the earlier months its workbook's charts
    compare with, the ledger run its outputs name, the progress line and the language of
    its messages for people."""

    out: Path
    history: PastValues
    planned: tuple[RunRecord, StoredRun] | None
    progress: Progress | None
    catalogue: Catalogue | None


def staged_report(result: BundleResult, index: FactsIndex, how: Written) -> StagedReport:
    """The month's report written in full beside ``how.out``, not yet in place."""
    if how.progress is not None:
        how.progress.step("writing", out=how.out)
    run = how.planned and RunLink(how.planned[1].id, how.planned[1].hash)
    request = WriteRequest(
        result,
        how.out,
        index=index,
        progress=how.progress,
        history=how.history,
        run=run,
        catalogue=how.catalogue,
    )
    return stage_report(request)
