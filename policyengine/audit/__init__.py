"""Audit: the records that let an auditor prove, later, what produced every amount.

The package's own names are the ledger's (``ledger.__all__``): what a run is, where a
chain starts, and how a ledger file is opened; and ``migrate_ledger``, the copy of a
schema 2 ledger in schema 3 that its owner may ask for; and ``Packed``, bytes held
compressed with their SHA-256, as a run's inputs and outputs may be appended.
"""

from ..core._packed import Packed
from ._ledger_migrate import migrate_ledger
from .ledger import *  # noqa: F403
from .ledger import __all__ as _ledger_names

__all__ = [*_ledger_names, "Packed", "migrate_ledger"]
