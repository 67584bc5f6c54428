"""policyengine: a call centre's management rules as data.

Load a policy once, evaluate it over many plain records::

    import policyengine
    policy = policyengine.load_policy("policies/commission/2026-01.yaml")
    result = policy.evaluate({"credited_sales": "123456.78", ...}, period="2026-03")
    result.outputs["commission"]        # Decimal('4320.99')
    print(result.explain("commission"))

Every error is a :class:`PolicyError` with a stable ``code`` and a ``location``.
"""

from .core._languages import messages
from .core._period import Period
from .errors import (
    EvaluationError,
    ExpressionError,
    FactError,
    FactsFileError,
    InvalidPolicy,
    LedgerError,
    Location,
    LockError,
    ModelError,
    OutputError,
    PolicyError,
    PolicySourceError,
    SchemaViolation,
    UsageError,
)
from .facts._io import FactsFile, read_facts
from .facts._records import InvalidRecord
from .load._build import check_policy, load_policy
from .model import Policy
from .run._bundle import BundleProvenance, BundleResult
from .run._engine import Batch, Provenance, Result
from .run._repository import Bundle, HistoryEntry, Repository, Version, load
from .run._testing import CaseResult, run_tests
from .version import ENGINE_VERSION, POLICY_FORMAT

__version__ = ENGINE_VERSION

__all__ = [
    "ENGINE_VERSION",
    "POLICY_FORMAT",
    "Batch",
    "Bundle",
    "BundleProvenance",
    "BundleResult",
    "CaseResult",
    "EvaluationError",
    "ExpressionError",
    "FactError",
    "FactsFile",
    "FactsFileError",
    "HistoryEntry",
    "InvalidPolicy",
    "InvalidRecord",
    "LedgerError",
    "Location",
    "LockError",
    "ModelError",
    "OutputError",
    "Period",
    "Policy",
    "PolicyError",
    "PolicySourceError",
    "Provenance",
    "Repository",
    "Result",
    "SchemaViolation",
    "UsageError",
    "Version",
    "__version__",
    "check_policy",
    "load",
    "load_policy",
    "messages",
    "read_facts",
    "run_tests",
]
