"""Writing a month's results in the format the file's suffix names: the writers by suffix.

Each format is its own module: ``_output_xlsx.py`` (the workbook: pay sheet,
summaries, errors, provenance), ``_output_csv.py`` (the pay sheet, with a
provenance sidecar) and ``_output_json.py`` (the result document). Each holds
an :class:`~policyengine.present._output.OutputWriter`, handed a
:class:`~policyengine.present._output.WriteRequest`; :data:`WRITERS` lists them by suffix, and
:func:`write_report`, :func:`check_format` and the command line's help all
follow it. Adding a format is a module holding a writer and one line in
:data:`WRITERS`. The same result always gives the same bytes, in every format.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..errors import Location, OutputError
from ..facts._io import FactsIndex, listed
from ..run._bundle import BundleResult
from ..run._run_state import PastValues
from ._output import OutputWriter, WriteRequest
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
    "WriteRequest",
    "check_format",
    "csv_bytes",
    "sidecar_bytes",
    "sidecar_path",
    "write_report",
    "xlsx_bytes",
]


#: The output writers, by the suffix each writes (in lower case), in the order hints
#: name them. A new format is one more writer here.
WRITERS: Mapping[str, OutputWriter] = {
    writer.suffix: writer for writer in (XLSX_WRITER, CSV_WRITER, JSON_WRITER)
}
#: What ``write_report`` can write, by the file's suffix.
REPORT_FORMATS = tuple(WRITERS)


def write_report(
    result: BundleResult,
    path: str | Path,
    *,
    index: FactsIndex | None = None,
    kind: str | None = None,
    progress: Progress | None = None,
    history: PastValues | None = None,
) -> list[Path]:
    """Write the month to ``path`` in the format its suffix names; returns the files written.
    ``history`` (earlier months' values by period) lets the workbook chart the month
    against the one before."""
    target = Path(path)
    check_format(target)
    if target.parent != Path():
        target.parent.mkdir(parents=True, exist_ok=True)
    writer = WRITERS[target.suffix.lower()]
    return writer.write(WriteRequest(result, target, index, kind, progress, history))


def check_format(path: str | Path) -> None:
    """Refuse an output file whose suffix names no format of :data:`WRITERS`."""
    suffix = Path(path).suffix.lower()
    if suffix not in WRITERS:
        raise OutputError(
            f"cannot write '{suffix or Path(path).name}' files",
            code="unknown-format",
            location=Location(file=str(path)),
            hint=f"name the output {listed(REPORT_FORMATS)}",
        )
