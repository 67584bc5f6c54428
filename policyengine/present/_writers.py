"""Writing a month's results in the format the file's suffix names: the writers by suffix.

Each format is its own module: ``_output_xlsx.py`` (the workbook: pay sheet,
summaries, errors, provenance), ``_output_csv.py`` (the pay sheet, with a
provenance sidecar) and ``_output_json.py`` (the result document). Each holds
an :class:`~policyengine.present._output.OutputWriter`, handed a
:class:`~policyengine.present._output.WriteRequest`; :data:`WRITERS` lists them by suffix, and
:func:`write_report`, :func:`check_format` and the command line's help all
follow it. Adding a format is a module holding a writer and one line in
:data:`WRITERS`. The same result always gives the same bytes, in every format.

Every report is written atomically (:mod:`policyengine.core._atomic`): the
writer writes into a hidden staging folder beside the target, under the
target's own name, and the files are moved into place together, fsynced, by
:meth:`StagedReport.commit` — at once by :func:`write_report`, or, by the
month's run, only after its ledger run is committed (:func:`stage_report`).
An ``OSError`` on the way (a full disk, a read-only folder) is a located
``output-io`` error, and leaves no file half-written.
"""

from __future__ import annotations

import errno
from collections.abc import Mapping
from pathlib import Path

import attrs

from ..core._atomic import Staging
from ..core._messages import Catalogue
from ..errors import Location, OutputError
from ..facts._io import FactsIndex, listed
from ..run._bundle import BundleResult
from ..run._run_state import PastValues
from ._output import OutputWriter, RunLink, WriteRequest
from ._output_csv import WRITER as CSV_WRITER
from ._output_csv import csv_bytes, sidecar_bytes, sidecar_path
from ._output_json import WRITER as JSON_WRITER
from ._output_xlsx import WRITER as XLSX_WRITER
from ._output_xlsx import xlsx_bytes
from ._progress import Progress

__all__ = [
    "REPORT_FORMATS",
    "WRITERS",
    "OutputWriter",
    "RunLink",
    "StagedReport",
    "WriteRequest",
    "check_format",
    "csv_bytes",
    "sidecar_bytes",
    "sidecar_path",
    "stage_report",
    "write_report",
    "xlsx_bytes",
]


#: The output writers, by the suffix each writes (in lower case), in the order hints
#: name them. A new format is one more writer here.
WRITERS: Mapping[str, OutputWriter] = {
    writer.suffix: writer for writer in (XLSX_WRITER, CSV_WRITER, JSON_WRITER)
}
#: What ``write_report`` can write, by the file's suffix, as the package ships it.
REPORT_FORMATS = tuple(WRITERS)


def write_report(
    result: BundleResult,
    path: str | Path,
    *,
    index: FactsIndex | None = None,
    kind: str | None = None,
    progress: Progress | None = None,
    history: PastValues | None = None,
    run: RunLink | None = None,
    catalogue: Catalogue | None = None,
) -> list[Path]:
    """Write the month to ``path`` in the format its suffix names; returns the files written.
    ``history`` (earlier months' values by period) lets the workbook chart the month
    against the one before; ``run`` is the ledger run recording it (None: none does);
    ``catalogue`` the language of the messages it shows people (None: English)."""
    request = WriteRequest(result, Path(path), index, kind, progress, history, run, catalogue)
    return stage_report(request).commit()


@attrs.frozen
class StagedReport:
    """A report written in full beside its target, not yet in place."""

    target: Path
    staging: Staging
    written: tuple[Path, ...]

    def commit(self) -> list[Path]:
        """Move the files into place; the paths written."""
        try:
            return self.staging.commit(list(self.written))
        except OSError as error:
            # What is still staged stays, so that a recorded run's files are not lost.
            raise output_io_error(self.target, error, kept=self.staging.area) from error

    def discard(self) -> None:
        self.staging.discard()


def stage_report(request: WriteRequest) -> StagedReport:
    """Write the month's report in full beside ``request.target`` (see
    :class:`StagedReport`), naming the ledger run ``request.run`` that will record it."""
    target = request.target
    check_format(target)
    writer = WRITERS[target.suffix.lower()]
    try:
        if target.parent != Path():
            target.parent.mkdir(parents=True, exist_ok=True)
        staging = Staging(target.parent)
    except OSError as error:
        raise output_io_error(target, error) from error
    try:
        written = writer.write(attrs.evolve(request, target=staging.path(target)))
    except OSError as error:
        staging.discard()
        raise output_io_error(target, error) from error
    except BaseException:
        staging.discard()
        raise
    return StagedReport(target, staging, tuple(written))


#: The forms of ``output-io`` by the usual causes of a failed write (others: the form "").
_IO_FORMS = {errno.ENOSPC: "disk-full", errno.EACCES: "permission", errno.EROFS: "read-only"}


def output_io_error(target: Path, error: OSError, *, kept: Path | None = None) -> OutputError:
    """An output that could not be written, located at its file, with the usual cause."""
    form = _IO_FORMS.get(error.errno or 0, "")
    words: dict[str, object] = {"reason": error.strerror or str(error)}
    if kept is not None:
        form, words["kept"] = (f"{form}-kept" if form else "kept"), str(kept)
    return OutputError.from_template(
        "output-io",
        form=form,
        location=Location(file=str(target)),
        details={"errno": error.errno},
        words=words,
    )


def check_format(path: str | Path) -> None:
    """Refuse an output file whose suffix names no format of :data:`WRITERS`."""
    suffix = Path(path).suffix.lower()
    if suffix not in WRITERS:
        # WRITERS as it is now, so that a writer registered since is named too.
        words = {"suffix": suffix or Path(path).name, "formats": listed(WRITERS)}
        raise OutputError.from_template(
            "unknown-format", form="output", location=Location(file=str(path)), words=words
        )
