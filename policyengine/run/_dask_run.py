"""A month's partitions evaluated as Dask tasks (the optional extra ``policyengine[dask]``).

The steps are those of :mod:`policyengine.run._partition_steps`, each a task: a
partition's rules, its slice of what a reduce step reads, the reduce step, the
outcomes handed back. The plan goes to every worker once; a partition's state
stays on its worker from step to step and comes back to the client at the end,
where the partitions are merged into the one state a result is made of. Each task
is a pure step of its inputs' data (a step run twice gives the same values), so a
task lost with its worker is run again by Dask (``retries``) from its inputs.

``distributed`` is imported only when a month is run on a cluster, and a missing
extra is a :class:`~policyengine.errors.UsageError` ``missing-extra`` saying how to
install it.
"""

from __future__ import annotations

import importlib
import pickle
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from ..errors import UsageError
from ..load._plan import BundlePlan
from ._held_records import (
    Frozen,
    HeldDetails,
    HeldRecords,
    Plain,
    SortedLinks,
    pack_details,
    pack_records,
)
from ._partition import (
    Partitioning,
    empty_like,
    merge_failures,
    owned_kinds,
    partitioning,
    split,
)
from ._partition_steps import Outcome, Slice, apply, reduce_step, refused_order, run_local
from ._partition_steps import slice_of as _slice_of
from ._run_state import RunState
from ._runner import run_nodes

#: How often a task is tried again when its worker is lost or it fails for a reason of
#: the cluster's (a record's error is a value, never a task's failure).
RETRIES = 3
#: What the state of a partition is shipped without: the plan (sent once to every worker).
_SHIPPED = tuple(f.name for f in attrs.fields(RunState) if f.name != "plan")


def distributed() -> Any:
    """The ``distributed`` module, or the error saying how to install the extra."""
    try:
        return importlib.import_module("distributed")
    except ImportError as exc:
        raise UsageError.from_template("missing-extra", form="dask") from exc


def detach(state: RunState) -> dict[str, Any]:
    """A partition's state as shipped between processes: everything but the plan."""
    return {name: getattr(state, name) for name in _SHIPPED}


def attach(plan: BundlePlan, shipped: Mapping[str, Any]) -> RunState:
    fields = dict(shipped)
    return RunState(
        plan,
        fields.pop("period"),
        fields.pop("envs"),
        fields.pop("parents"),
        fields.pop("refused"),
        **fields,
    )


def dumps(data: Any) -> bytes:
    """``data`` pickled: by the standard pickler, or by cloudpickle (which Dask brings) for
    what it cannot (a read-only mapping among the values)."""
    try:
        return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    except (TypeError, pickle.PicklingError):
        cloudpickle = importlib.import_module("cloudpickle")
        return bytes(cloudpickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))


def _plan(data: bytes) -> BundlePlan:
    plan: BundlePlan = pickle.loads(data)
    return plan


def _own(part: bytes) -> dict[str, Any]:
    loaded: dict[str, Any] = pickle.loads(part)
    return loaded


def _results(
    plan: BundlePlan, part: dict[str, Any], kind: str, first: bool, kept: str | None = None
) -> bytes:
    """What a finished partition hands back: its rules' values (not the facts, which the
    client holds), failures and details, of its own kinds (and of those above the
    partition kind from the ``first`` partition); a named value as a plain dict. Of the
    ``kept`` kind, whose records the client never held (typed on the workers:
    :mod:`~policyengine.run._dask_kept`), each record's whole values, facts and all."""
    owned = set(owned_kinds(plan.entities, kind))
    rules: dict[str, list[str]] = {}
    for node in plan.nodes:
        if node.kind in owned or first:
            rules.setdefault(node.kind, []).append(node.rule.id)
    plain = Plain()
    values = {
        name: {
            key: {r: plain(env[r]) for r in ids if r in env}
            for key, env in part["envs"].get(name, {}).items()
        }
        for name, ids in rules.items()
        if name != kept
    }
    whole = None
    if kept is not None:  # packed: held so by the client (run/_held_records.py)
        whole = pack_records(part["envs"].get(kept, {}), part["parents"].get(kept, {}), plain)
    failures = {k: v for k, v in part["failures"].items() if k in owned or first}
    details = {s: d for s, d in part["details"].items() if s[0] in owned or first}
    return dumps((values, failures, pack_details(details, dumps), whole))


def take_results(
    state: RunState,
    results: Iterable[bytes],
    kind: str,
    kept: tuple[str, Sequence[str], Sequence[str]] | None = None,
) -> RunState:
    """``state`` with every partition's values, failures and details (see :func:`_results`):
    the one process's state (as :func:`~policyengine.run._partition.merge` gives).
    ``kept``: the kind the client never held, its records' keys and their parents' keys,
    in the records' order, which they take in the state as in one process."""
    named: dict[str, tuple[str, ...]] = {}
    for node in state.plan.nodes:
        if node.rule.outputs:
            named[node.kind] = (*named.get(node.kind, ()), node.rule.id)
    failures: list[dict[str, dict[str, dict[str, Any]]]] = []
    held, details = None, HeldDetails()
    if state.details:  # the state's own (none, as it was started), then the partitions'
        details.add(pack_details(state.details, dumps))
    if kept is not None:
        # The records' parents by key (in two lists: millions of them); their values
        # held packed.
        links = SortedLinks(kept[1], kept[2])
        state.parents[kept[0]] = links  # type: ignore[assignment]
        held = HeldRecords(links, named.get(kept[0], ()))
    for packed in results:
        values, failed, packed_details, whole = pickle.loads(packed)
        frozen = Frozen()  # a partition's shared values stay shared
        for name, records in values.items():
            envs = state.envs[name]
            for key, found in frozen(records, named.get(name, ())).items():
                envs[key].update(found)
        if whole is not None and held is not None:  # the kept kind's records, packed
            held.add(whole)
        failures.append(failed)
        details.add(packed_details)
    # Read-only from here, as the records: only an explanation reads a detail.
    state.details = details  # type: ignore[assignment]
    if held is not None and kept is not None:
        # Read-only from here: the result reads the records, never writes them.
        state.envs[kept[0]] = held  # type: ignore[assignment]
    return merge_failures(state, failures)


def _local(plan: BundlePlan, part: dict[str, Any], runs: Sequence[Sequence[int]]) -> dict[str, Any]:
    """A partition after ``runs`` of rules (plan nodes by index), one after the other."""
    state = attach(plan, part)
    for nodes in runs:
        state = run_local(state, nodes)
    return detach(state)


def _finished(
    plan: BundlePlan,
    part: dict[str, Any],
    runs: Sequence[Sequence[int]],
    kind: str,
    first: bool,
    kept: str | None,
) -> bytes:
    """A partition taken through its last ``runs`` of rules, and its results
    (:func:`_results`): one task, so its last state is never held as a task's result."""
    return _results(plan, _local(plan, part, runs), kind, first, kept)


def _slice(plan: BundlePlan, part: dict[str, Any], index: int, kind: str, first: bool) -> Slice:
    return _slice_of(attach(plan, part), index, kind, first)


def _reduce(
    plan: BundlePlan,
    template: dict[str, Any],
    slices: list[Slice],
    index: int,
    order: Mapping[tuple[str, str], int],
) -> dict[str, Outcome]:
    return reduce_step(plan, attach(plan, template), slices, index, order)


def _apply(
    plan: BundlePlan, part: dict[str, Any], outcomes: Mapping[str, Outcome], index: int
) -> dict[str, Any]:
    return detach(apply(attach(plan, part), outcomes, index))


def dask_runner(
    client: Any,
    *,
    progress: Callable[[int, int], None] | None = None,
    retries: int = RETRIES,
) -> Callable[[RunState], RunState]:
    """What runs a started month's plan on ``client`` (a ``distributed.Client``), partition
    by partition, and gives the state :func:`~policyengine.run._runner.run` gives.
    ``progress(done, total)`` is told as partitions finish."""
    distributed()  # the extra's absence is said before any work

    def runner(state: RunState) -> RunState:
        counts = {kind: len(records) for kind, records in state.envs.items()}
        how = partitioning(state.plan, counts)
        if how.kind is None:  # one partition: nothing to spread
            return run_nodes(state, state.plan.nodes)
        submit = submitter(client, retries)
        # Each partition enters the graph as a task's own data, not scattered: a worker
        # lost with a partition's state then recomputes it from there (lineage), where
        # scattered data would be lost with it. Shipped as bytes, one at a time: Dask
        # neither walks a partition's records for futures nor pickles them again.
        parts = split(state, how.kind).values()
        futures = [submit(_own, dumps(detach(p)), priority=rank(i)) for i, p in enumerate(parts)]
        chain = Chain(client, state, how, submit, progress)
        return chain.finish(futures)

    return runner


@attrs.frozen
class Chain:
    """The tasks of a month's partitions after their first (whatever made their state:
    :func:`dask_runner`, or the records typed on the workers,
    :mod:`~policyengine.run._dask_kept`): their runs of rules, the reduce steps, and
    their results taken into ``state``."""

    client: Any
    state: RunState
    how: Partitioning
    submit: Callable[..., Any]
    progress: Callable[[int, int], None] | None = None

    def finish(
        self, futures: list[Any], kept: tuple[str, Sequence[str], Sequence[str]] | None = None
    ) -> RunState:
        """``state`` once every partition (``futures``: each one's state, in the order of
        the partition keys, handed over) has run the plan; ``kept``: see
        :func:`take_results`."""
        return self.take(self.started(futures, None if kept is None else kept[0]), kept)

    def take(
        self, futures: list[Any], kept: tuple[str, Sequence[str], Sequence[str]] | None = None
    ) -> RunState:
        """``state`` with the results of :meth:`started`'s ``futures`` (handed over)."""
        gathered = _gathered(self.client, futures, self.progress)
        return take_results(self.state, gathered, str(self.how.kind), kept)

    def started(self, futures: list[Any], whole: str | None = None) -> list[Any]:
        """Every partition (``futures``: each one's state, in the order of the partition
        keys, handed over) sent through the plan, each one's results a future, in order;
        the client is free to do its own part while they run (:meth:`take` waits).
        ``whole``: the kind whose records come back whole (see :func:`_results`)."""
        submit, kind = self.submit, str(self.how.kind)
        # Taken over: each step's futures are let go once the next step's are submitted.
        futures, given = list(futures), futures
        given.clear()
        # The plan is a task's own data, not scattered: a scattered copy has no lineage,
        # and a worker lost with the one copy a step needs could not be recomputed.
        plan = submit(_plan, dumps(self.state.plan), priority=1)
        template = detach(empty_like(self.state))
        order = refused_order(self.state)
        # The runs of rules between two reduce steps are one task a partition, so that a
        # partition's state between them is never held as a task's result.
        runs: list[tuple[int, ...]] = []
        for step in self.how.steps:
            if not step.reduce:
                runs.append(step.nodes)
                continue
            if runs:
                futures = [
                    submit(_local, plan, f, tuple(runs), priority=rank(i))
                    for i, f in enumerate(futures)
                ]
                runs = []
            index = step.nodes[0]
            slices = [
                submit(_slice, plan, f, index, kind, i == 0, priority=rank(i))
                for i, f in enumerate(futures)
            ]
            outcome = submit(_reduce, plan, template, slices, index, order, priority=1)
            futures = [
                submit(_apply, plan, f, outcome, index, priority=rank(i))
                for i, f in enumerate(futures)
            ]
        last = tuple(runs)
        return [
            submit(_finished, plan, f, last, kind, i == 0, whole, priority=rank(i))
            for i, f in enumerate(futures)
        ]


def rank(index: int) -> int:
    """The Dask priority of every task of the partition at ``index`` (in the order of the
    partition keys). Dask runs the ready task of highest priority first; without one it
    would type, assemble or run every partition before it hands back any (submission
    order is no priority: submits close in time share one), and a worker would hold
    the whole month. Ranked by their order, the first partitions reach their results
    first, and in order, as the client takes them."""
    return -index


def submitter(client: Any, retries: int) -> Callable[..., Any]:
    def submit(function: Callable[..., Any], *args: Any, priority: int = 0) -> Any:
        # Not pure: every month's step is a task of its own, never one cached from another.
        with warnings.catch_warnings():
            # A partition's records are its first task's data: large, on purpose.
            warnings.filterwarnings("ignore", message="Sending large graph")
            return client.submit(function, *args, retries=retries, pure=False, priority=priority)

    return submit


def _gathered(
    client: Any, futures: list[Any], progress: Callable[[int, int], None] | None
) -> Iterator[bytes]:
    """The partitions' results, in their order, each as soon as it and those before it
    are done, counting them as they finish; each let go by the cluster once fetched
    (``futures`` is handed over). Only results that finish before an earlier one wait in
    the client (the partitions' priorities keep them few): taking the results overlaps
    the partitions still running, and they never all sit in the client as bytes."""
    total = len(futures)
    place = {future.key: index for index, future in enumerate(futures)}
    done = distributed().as_completed(futures)
    futures.clear()
    if progress is not None:
        progress(0, total)
    early: dict[int, bytes] = {}
    turn = 0
    for count, future in enumerate(done, start=1):
        early[place[future.key]] = future.result()
        future.release()
        if progress is not None:
            progress(count, total)
        while turn in early:
            yield early.pop(turn)
            turn += 1
