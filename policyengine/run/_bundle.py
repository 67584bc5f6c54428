"""Evaluating a bundle: every version in force over a month's facts, with provenance.

Facts are ``{kind: [records]}``, checked against the record kinds
(``entities.yaml``, or the policies' own ``inputs:`` when there is none);
then every rule of every version runs in one plan (see :mod:`runner`), and
the finished run is frozen into a :class:`~policyengine.run._bundle_result.BundleResult`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..core._collector import paused_collection
from ..core._period import Period, is_month
from ..errors import FactError, UsageError
from ..facts._by_kind import check_facts
from ..facts._given import given_facts
from ..facts._inputs import history_used, pack_inputs
from ..load._plan import BundlePlan, plan_bundle
from ._bundle_result import BundleProvenance, BundleResult
from ._partition import hash_layout
from ._policy_kinds import entities_from_policies
from ._result_rows import Row
from ._run_state import RESULT_FORMAT, RESULT_FORMATS
from ._runner import PastValues, RunState, run, start

if TYPE_CHECKING:
    from ._repository import Bundle

# The result's names are read from here too: callers import the result with the
# function that makes it.
__all__ = [
    "RESULT_FORMAT",
    "BundleProvenance",
    "BundleResult",
    "Row",
    "entities_from_policies",
    "evaluate_bundle",
    "evaluate_owned",
    "paused_collection",
    "plan_of",
]


def plan_of(bundle: Bundle) -> BundlePlan:
    policies = [v.policy for v in bundle.versions]
    entities = bundle.entities or entities_from_policies(policies)
    return plan_bundle(policies, entities)


def evaluate_bundle(
    bundle: Bundle,
    facts: Mapping[str, Iterable[Mapping[str, Any]]],
    *,
    history: PastValues | None = None,
    result_format: int = RESULT_FORMAT,
) -> BundleResult:
    """Evaluate every version of ``bundle`` over ``facts`` (with earlier months' values).

    ``result_format`` 1 keeps failures by record, as runs recorded before
    format 2 did, and 2 keeps a rule's negative zero (``-0.00``) as runs
    recorded before format 3 did: only replaying such a run needs them.
    """
    if result_format not in RESULT_FORMATS:
        raise UsageError(f"unknown result format {result_format!r}", code="unknown-result-format")
    # The caller's lists copied (they are emptied as they are typed); any other shape is
    # brought to its form by given_facts, which refuses text given as a kind's records
    # rather than reading it as one record a letter.
    if not isinstance(facts, Mapping):
        words = {"found": type(facts).__name__}
        raise FactError.from_template("not-a-record-list", form="facts", words=words)
    materialised: dict[str, Any] = {
        str(kind): list(records) if _many(records) else records for kind, records in facts.items()
    }
    return evaluate_owned(bundle, materialised, history=history, result_format=result_format)


def checked_history(history: Any, period: Period) -> PastValues:
    """``history`` as a month reads it: earlier months, each written YYYY-MM, each a
    snapshot (kind → record key → values). Refused otherwise (``bad-history``): a month
    key written '2026-1', or the month itself, was ignored, and a streak silently reset."""
    if history is None:
        return {}
    if not isinstance(history, Mapping):
        raise _bad_history("shape", found=type(history).__name__)
    for month, kinds in history.items():
        if not is_month(month):
            raise _bad_history("month", month=repr(month))
        if month >= period.key:
            raise _bad_history("later", month=month, period=period.key)
        records = kinds.values() if isinstance(kinds, Mapping) else None
        if records is None or not all(
            isinstance(r, Mapping) and all(isinstance(v, Mapping) for v in r.values())
            for r in records
        ):
            raise _bad_history("values", month=month)
    return history


def _bad_history(form: str, **words: Any) -> UsageError:
    return UsageError.from_template("bad-history", form=form, words=words)


def _many(records: Any) -> bool:
    return isinstance(records, list | tuple)


def evaluate_owned(
    bundle: Bundle,
    facts: dict[str, list[Any]],
    *,
    history: PastValues | None = None,
    result_format: int = RESULT_FORMAT,
    plan: BundlePlan | None = None,
    runner: Callable[[RunState], RunState] = run,
    items: dict[str, list[bytes]] | None = None,
) -> BundleResult:
    """:func:`evaluate_bundle` over records the caller hands over: ``facts`` is emptied
    once they are typed and hashed, so that (if nothing else holds them) a month's raw
    records are let go before its rules run. ``plan``: the bundle's, if already made;
    ``runner``: what runs the plan over the started state (partitioned, on a cluster:
    :mod:`policyengine.run._partition_steps`; it must give what :func:`run` gives);
    ``items``: records' canonical bytes already encoded (``facts._inputs.pack_inputs``),
    handed over too: emptied once packed."""
    plan = plan or plan_of(bundle)
    with paused_collection():
        # Evaluated in the form the ledger keeps, so that a replay sees what this run saw.
        text_kinds = given_facts(facts)
        used = history_used(plan, checked_history(history, bundle.period))
        # The inputs are encoded first, while only the raw records are held: the
        # encoding's own buffers then never sit beside the typed copies too.
        # Earlier months' values are inputs too: hashed, kept in the ledger, replayed.
        keys = {k.name: k.key for k in plan.entities.kinds.values()}
        # Format 3: hashed as a tree of the month's partitions, the same however many
        # processes evaluate it (facts._inputs_tree).
        counts = {str(kind): len(records) for kind, records in facts.items() if _many(records)}
        layout = hash_layout(plan, counts)
        inputs = pack_inputs(facts, keys, used, layout, items, text_kinds)
        if items is not None:
            items.clear()
        # Each raw record is let go as it is typed (owned): the two copies of a
        # month's records never sit side by side.
        typed = check_facts(plan.entities, facts, owned=True)
        facts.clear()
        state = start(plan, bundle.period, typed, used, result_format=result_format)
        state = runner(state)
    return BundleResult(bundle, state, inputs, typed.errors)
