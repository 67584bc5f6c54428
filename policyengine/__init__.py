"""policyengine: a call centre's management rules as data.

Load a policy once, evaluate it over many plain records::

    import policyengine
    policy = policyengine.load_policy("policies/commission/2026-01.yaml")
    result = policy.evaluate({"credited_sales": "123456.78", ...}, period="2026-03")
    result.outputs["commission"]        # Decimal('4320.99')
    print(result.explain("commission"))

Every error is a :class:`PolicyError` with a stable ``code`` and a ``location``.
"""

import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

#: Where each public name lives: imported on first use, so ``import policyengine`` (and
#: the command line, which starts with it) pays only for what is used.
_WHERE = {
    "ENGINE_VERSION": ".version",
    "POLICY_FORMAT": ".version",
    "__version__": ".version",
    "messages": ".core._languages",
    "Period": ".core._period",
    **dict.fromkeys(
        (
            "EvaluationError",
            "ExpressionError",
            "FactError",
            "FactsFileError",
            "InvalidPolicy",
            "LedgerError",
            "Location",
            "LockError",
            "ModelError",
            "OutputError",
            "PolicyError",
            "PolicySourceError",
            "SchemaViolation",
            "UsageError",
        ),
        ".errors",
    ),
    "FactsFile": ".facts._io",
    "read_facts": ".facts._io",
    "InvalidRecord": ".facts._records",
    "check_policy": ".load._build",
    "load_policy": ".load._build",
    "Policy": ".model",
    "BundleProvenance": ".run._bundle",
    "BundleResult": ".run._bundle",
    "Batch": ".run._engine",
    "Provenance": ".run._engine",
    "Result": ".run._engine",
    **dict.fromkeys(
        ("Bundle", "HistoryEntry", "Repository", "Version", "load"), ".run._repository"
    ),
    "CaseResult": ".run._testing",
    "run_tests": ".run._testing",
}

if TYPE_CHECKING:  # the names as mypy and editors see them
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
    from .version import ENGINE_VERSION as __version__


def __getattr__(name: str) -> Any:
    """A public name, imported from its module the first time it is asked for."""
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'policyengine' has no attribute '{name}'")
    from importlib import import_module

    if where.startswith((".load", ".run", ".model")):
        # A policy evaluates itself through the engine, which registers itself when it is
        # imported (model.RUNTIME): a policy loaded here must be able to evaluate.
        import_module(".run._engine", __name__)
        import_module(".run._program", __name__)
    # __version__ is the installed package's version, ENGINE_VERSION (read from metadata).
    value = getattr(
        import_module(where, __name__), "ENGINE_VERSION" if name == "__version__" else name
    )
    globals()[name] = value  # asked once: later lookups do not come here
    return value


class _Package(ModuleType):
    """The package's module: ``policyengine.load`` is the function ``load``, as it always
    was, even once the subpackage ``policyengine/load/`` is imported (which the import
    system would otherwise bind to the same name; the subpackage stays in sys.modules)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "load" and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


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
