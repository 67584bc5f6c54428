"""The month as its result document (``.json``): every value, error and hash, for machines.

No report is built: the document is :meth:`BundleResult.to_json`, in canonical
JSON, so the same result always gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

from ._output import WriteRequest


class JsonWriter:
    """Writes the result document (see the module)."""

    suffix = ".json"
    name = "JSON result document"
    holds = "the canonical result document"

    def write(self, request: WriteRequest) -> list[Path]:
        """Write the document to the target."""
        request.target.write_bytes(request.result.to_json() + b"\n")
        return [request.target]


WRITER = JsonWriter()
