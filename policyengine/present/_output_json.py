"""The month as its result document (``.json``): every value, error and hash, for machines.

No report is built: the document is :meth:`BundleResult.to_dict` and the ledger
run recording it (``ledger_run``: its ``id`` and ``sha256``, or null for a month
written without a ledger), in canonical JSON, so the same result and run always
give the same bytes.
"""

from __future__ import annotations

from pathlib import Path

from ..facts._canonical import encode
from ._output import WriteRequest, run_data


class JsonWriter:
    """Writes the result document (see the module)."""

    suffix = ".json"
    name = "JSON result document"
    holds = "the canonical result document"

    def write(self, request: WriteRequest) -> list[Path]:
        """Write the document to the target."""
        document = {**request.result.to_dict(), "ledger_run": run_data(request.run)}
        request.target.write_bytes(encode(document) + b"\n")
        return [request.target]


WRITER = JsonWriter()
