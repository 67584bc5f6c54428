"""The public path of the printed month summary (docs/api.md): a façade.

The code lives in :mod:`policyengine.present._summary`; this module re-exports its public names
so that ``policyengine.summary`` keeps working.
"""

from __future__ import annotations

from .present._summary import (
    summary_text,
)

__all__ = [
    "summary_text",
]
