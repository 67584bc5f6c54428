"""Audit: the records that let an auditor prove, later, what produced every amount.

The package's own names are the ledger's (``ledger.__all__``): what a run is, where a
chain starts, and how a ledger file is opened.
"""

from .ledger import *  # noqa: F403
from .ledger import __all__ as __all__
