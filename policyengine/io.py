"""The public path of reading facts files (docs/api.md, read_facts): a façade.

The code lives in :mod:`policyengine.facts._io`; this module re-exports its public names
so that ``policyengine.io`` keeps working.
"""

from __future__ import annotations

from .facts._io import (
    FORMAT_NAMES,
    FORMATS,
    READERS,
    FactsFile,
    FactsIndex,
    FactsReader,
    Place,
    cell_name,
    listed,
    read_bundle_facts,
    read_facts,
)

__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "READERS",
    "FactsFile",
    "FactsIndex",
    "FactsReader",
    "Place",
    "cell_name",
    "listed",
    "read_bundle_facts",
    "read_facts",
]
