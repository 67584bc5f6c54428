"""The month as its result document (``.json``): every value, error and hash, for machines.

No report is built: the document is :meth:`BundleResult.to_json`, in canonical
JSON, so the same result always gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

from ..facts._io import FactsIndex
from ..run._bundle import BundleResult
from ._progress import Progress


class JsonWriter:
    """Writes the result document (see the module)."""

    suffix = ".json"
    name = "JSON result document"
    holds = "the canonical result document"

    def write(
        self,
        result: BundleResult,
        target: Path,
        *,
        index: FactsIndex | None,
        kind: str | None,
        progress: Progress | None,
    ) -> list[Path]:
        """Write the document to ``target``."""
        target.write_bytes(result.to_json() + b"\n")
        return [target]


WRITER = JsonWriter()
