"""The public path of what the facts readers share (docs/api.md, read_facts): a façade.

The code lives in :mod:`policyengine.facts._file`; this module re-exports its public names
so that ``policyengine.facts_file`` keeps working.
"""

from __future__ import annotations

from .facts._file import (
    FactsFile,
    FactsReader,
    cell_name,
    decoded_text,
    facts_error,
    map_header,
)

__all__ = [
    "FactsFile",
    "FactsReader",
    "cell_name",
    "decoded_text",
    "facts_error",
    "map_header",
]
