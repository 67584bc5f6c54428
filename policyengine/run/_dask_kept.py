"""A month's calls typed, checked and dealt into partitions by the workers that read them.

On a cluster, a large CSV file is read in byte ranges by the workers
(:mod:`~policyengine.run._dask_read`); its rows then stay with them (:class:`KeptFile`).
For the kind at the bottom of the chain (the calls), each range's task goes on to
check its records one by one (:func:`~policyengine.facts._by_kind.clean_records`:
typed by the fast reader, each naming a valid parent, sent to every worker once) and
to deal them into the partitions of the month's plan, in buckets; each bucket of
partitions is assembled from every range's part of it, and each partition's chain
of tasks (:class:`~policyengine.run._dask_run.Chain`) starts from there. The client
gets back only what the whole month needs (:mod:`~policyengine.run._dask_summary`):
each record's key (a key given twice across ranges) and parent's key, its line (to
locate its problems), and its key and parent as written with its canonical bytes,
sorted by key and compressed (merged into the month's inputs, which the ledger keeps
whole, and the partitions of their hash). At the end it takes each partition's
records, facts and values, packed (:mod:`~policyengine.run._held_records`): the
one state a result is made of, which never holds every call unpacked.

Only the common month is so spread: one such file, every record of it the common
record, no key given twice. Anything else (a bad cell, a missing parent, a key
given twice, a kind below the file's) has the file's rows fetched from the workers
and the month checked and run as before (:func:`joined`): the same result either way,
its errors the whole check's.
"""

from __future__ import annotations

import array
import pickle
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ..facts._by_kind import TypedFacts, check_facts, clean_records
from ..facts._csv_ranges import CsvRanges, RangeRows, RangeSource, join, read_range
from ..facts._file import BadRows, FactsFile
from ..facts._given import given_facts
from ..facts._inputs import history_used
from ..facts._inputs_streamed import sorted_chunks
from ..facts._record_kinds import RecordKind
from ..load._plan import BundlePlan
from ._bundle_result import BundleResult
from ._dask_run import RETRIES, Chain, detach, dumps, rank, submitter
from ._dask_summary import kept_inputs, summaries
from ._partition import ORPHANS, Partitioning, owned_kinds, owners, partitioning
from ._partition import split as split_state
from ._run_state import PastValues, RunState
from ._runner import start

if TYPE_CHECKING:
    from ._repository import Bundle


@attrs.define
class KeptFile:
    """A CSV file read in ranges whose rows stay with the workers that read them: its
    plan of ranges and each range as read (a future of its refused rows and its
    :data:`RangeRows` pickled), in order."""

    plan: CsvRanges
    ranges: list[Any]


def joined(client: Any, kept: KeptFile) -> tuple[FactsFile, list[bytes]]:
    """The file as reading it whole gives it, and each record's canonical bytes: its rows
    fetched from the workers one range at a time."""
    futures = [client.submit(_packed, rows, pure=False) for rows in kept.ranges]
    kept.ranges = []

    def fetched() -> Iterator[RangeRows]:
        while futures:
            yield pickle.loads(futures.pop(0).result())

    return join(kept.plan, fetched())


def check_refused(client: Any, kept: KeptFile) -> None:
    """What reading the file whole raises when too many of its rows are refused alone,
    raised here (the file's turn among the month's files): the ranges' refused rows."""
    bad = BadRows(kept.plan.file)
    for future in [client.submit(_refused, rows, pure=False) for rows in kept.ranges]:
        for at, problem in future.result():
            bad.add(at, problem)
    bad.check()


def join_kept(
    client: Any,
    files: dict[str, FactsFile],
    items: dict[str, list[bytes]],
    kept: dict[str, KeptFile],
    but: str | None = None,
) -> None:
    """The ``kept`` files (``but`` one) read whole after all: each one's records put in
    ``files`` and their bytes in ``items`` (as a file read in ranges and joined gives)."""
    for kind, file in list(kept.items()):
        if kind != but:
            files[kind], items[kind] = joined(client, file)
            del kept[kind]


def kept_kind(
    plan: BundlePlan, files: Mapping[str, FactsFile], kept: Mapping[str, Any]
) -> str | None:
    """The kind of ``kept`` the workers can check alone, if one: of the plan's kinds, the
    bottom of its chain (no kind below it), its parent kind among the month's files (read
    whole, or joined: its keys are what the workers check the parents by)."""
    kinds = plan.entities.kinds
    if set(files) - set(kinds):
        return None
    found = [
        name
        for name in kept
        if (link := kinds[name].parent) is not None
        and link.kind in files
        and not any(k.parent is not None and k.parent.kind == name for k in kinds.values())
    ]
    return found[0] if len(found) == 1 else None


def evaluate_kept(
    client: Any,
    bundle: Bundle,
    plan: BundlePlan,
    read: tuple[dict[str, FactsFile], dict[str, list[bytes]], dict[str, KeptFile]],
    history: PastValues,
    progress: Any = None,
) -> KeptRun | None:
    """The month run with its calls typed, checked and partitioned on the workers (``read``:
    its files, bytes already encoded and files kept on the workers, by kind); None when
    it is not the common month (see the module), every file then read whole into
    ``read`` (to be run as any other month)."""
    files, items, kept = read
    leaf = kept_kind(plan, files, kept)
    join_kept(client, files, items, kept, but=leaf)
    month = None if leaf is None else _started(bundle, plan, files, items, kept, history)
    done = None if month is None else _evaluate(client, month, kept[month.kind], progress)
    if done is None:
        join_kept(client, files, items, kept)
    return done


@attrs.frozen
class _Month:
    """A month whose ``kind`` stays on the workers, as far as the client has it."""

    bundle: Bundle
    plan: BundlePlan
    kind: str
    small: dict[str, list[Any]]  # every other kind's records, as read
    items: dict[str, list[bytes]]  # the canonical bytes of those read in ranges
    used: dict[str, Any]
    typed: TypedFacts
    state: RunState


@attrs.frozen
class KeptRun:
    """A month run with its ``kind`` typed on the workers: its result, and what locates
    that kind's problems (each record's line, its key as written)."""

    result: BundleResult
    kind: str
    lines: Sequence[int]
    texts: list[str]


def _evaluate(
    client: Any, month: _Month, rows: KeptFile, progress: Any = None, retries: int = RETRIES
) -> KeptRun | None:
    """:func:`evaluate_kept` of the month, started, whose ``rows`` are left on the workers."""
    submit = submitter(client, retries)
    how = _how(month, 2)  # any count of two or more: checked once the records are counted
    if how is None:
        return None
    parts = split_state(month.state, str(how.kind))
    spec = _spec(month, how, sorted(parts), len(rows.ranges))
    # A task of its own, not scattered: scattered data has no lineage, and a copy lost with
    # its worker (Dask keeps one copy of what no waiting task needs) could not be made again.
    shared = submit(_loaded, dumps(spec))
    checked = [submit(_check_kept, r, shared) for r in rows.ranges]
    found = summaries(checked, submit, list(spec[1]))
    if found is None or _how(month, len(found.keys)) != how:
        return None
    rows.ranges = []  # the rows read are let go: the typed records are the workers' now
    # Each range's groups alone, so that its summary (its records' bytes) is let go too.
    groups = [submit(_groups, c) for c in checked]
    del checked
    futures = _assembled(submit, month, parts, groups, spec)
    del groups, parts
    chain = Chain(client, month.state, how, submit, progress)
    # The partitions run while the client joins the inputs, the client's own part.
    running = chain.started(futures, month.kind)
    inputs = kept_inputs(month.plan, month.kind, (month.small, month.items, month.used), found)
    found.ranges.clear()  # joined into the inputs: let go before the results come
    state = chain.take(running, kept=(month.kind, found.keys, found.parents))
    result = BundleResult(month.bundle, state, inputs, month.typed.errors)
    return KeptRun(result, month.kind, found.lines, found.texts)


def _started(
    bundle: Bundle,
    plan: BundlePlan,
    files: Mapping[str, FactsFile],
    items: Mapping[str, list[bytes]],
    kept: Mapping[str, KeptFile],
    history: PastValues,
) -> _Month | None:
    """The month's other kinds typed and checked, and its state started without the kept
    kind's records (:func:`kept_kind`); None when its parents' keys are not all given."""
    entities = plan.entities
    (kind,) = kept
    parent = entities.kinds[kind].parent
    assert parent is not None  # kept_kind made sure
    small = {name: list(f.records) for name, f in files.items() if name != kind}
    given_facts(small)  # evaluated and kept in one form (facts/_given.py), as in one process
    typed = check_facts(entities, {name: list(r) for name, r in small.items()}, owned=True)
    above = entities.kinds[parent.kind]
    if any(above.key not in r for r in typed.records.get(parent.kind, ())):
        return None
    used = history_used(plan, history)
    state = start(plan, bundle.period, typed, used)
    return _Month(bundle, plan, kind, small, dict(items), used, typed, state)


def _how(month: _Month, count: int) -> Partitioning | None:
    """How the plan partitions the month with ``count`` records of the kept kind, when
    that kind is below the partition kind (None otherwise)."""
    counts = {name: len(envs) for name, envs in month.state.envs.items()}
    how = partitioning(month.plan, {**counts, month.kind: count})
    if how.kind is None or month.kind not in owned_kinds(month.plan.entities, how.kind)[1:]:
        return None
    return how


#: What every worker checks and deals a range's records by: the kind, its parent kind's
#: valid keys (each one's place among them: a range's summary names a parent by it),
#: each parent's partition (or None: the parent is of the partition kind), and each
#: partition's bucket.
_Spec = tuple[RecordKind, dict[str, int], dict[str, str] | None, dict[str, int]]


def _spec(month: _Month, how: Partitioning, keys: list[str], ranges: int) -> _Spec:
    record_kind = month.plan.entities.kinds[month.kind]
    assert record_kind.parent is not None  # _started made sure
    up = record_kind.parent.kind
    valid = {key: place for place, key in enumerate(month.state.envs.get(up, {}))}
    direct = up == how.kind
    above = None if direct else owners(month.state, str(how.kind))[up]
    count = max(1, min(ranges, len(keys)))
    buckets = {key: index * count // len(keys) for index, key in enumerate(keys)}
    return record_kind, valid, above, buckets


def _check_kept(kept: _Kept, spec: _Spec) -> tuple[bytes | None, dict[int, bytes]]:
    """On a worker: a range's records checked one by one and dealt into the buckets of
    partitions; and what the client needs of them (see the module). (None, {}) when any
    record is not the common record."""
    kind, valid, above, buckets = spec
    records, lines, refused, items = pickle.loads(kept[1])
    checked = None if refused else clean_records(kind, records, valid)
    if checked is None:
        return None, {}
    typed, keys, links = checked
    assert kind.parent is not None
    texts = [r.get(kind.key) for r in records]
    written = [r.get(kind.parent.field) for r in records]
    if {type(t) for t in texts} - {str} or {type(w) for w in written} - {str}:
        return None, {}
    dealt: dict[int, dict[str, tuple[list[str], list[Any], list[str]]]] = {}
    for key, env, link in zip(keys, typed, links, strict=True):
        owner = link if above is None else (above.get(link) or ORPHANS)
        bucket = buckets.get(owner)
        if bucket is None:
            return None, {}
        group = dealt.setdefault(bucket, {}).setdefault(owner, ([], [], []))
        group[0].append(key)
        group[1].append(env)
        group[2].append(link)
    # The parents by their place among the valid keys (no text a record: the client has
    # them); the keys as written only where they differ from the typed ones (never, in
    # a CSV of text keys); the bytes sorted, compressed, for the merge.
    summary = dumps(
        (
            keys,
            array.array("q", map(valid.__getitem__, links)),
            None if texts == keys else texts,
            sorted_chunks(texts, written, items),
            lines,
        )
    )
    return summary, {bucket: dumps(group) for bucket, group in dealt.items()}


def _assembled(
    submit: Any,
    month: _Month,
    parts: Mapping[str, RunState],
    groups: list[Any],
    spec: _Spec,
) -> list[Any]:
    """Each partition's state as its first task: a bucket of partitions assembled from
    every range's part of it (``groups``: each range's records dealt by bucket; the other
    kinds' records from the client), then each partition taken from its bucket, in the
    order of the partition keys."""
    buckets = spec[3]
    by_bucket: dict[int, dict[str, dict[str, Any]]] = {}
    for key in sorted(parts):
        by_bucket.setdefault(buckets[key], {})[key] = detach(parts[key])
    futures: list[Any] = []
    for bucket, states in sorted(by_bucket.items()):
        # Ranked as its first partition (see rank): assembled when its turn comes.
        first = len(futures)
        pieces = [submit(_bucket, g, bucket, priority=rank(first)) for g in groups]
        assembled = submit(_assemble, dumps(states), month.kind, *pieces, priority=rank(first))
        futures.extend(
            submit(_take, assembled, key, priority=rank(first + i)) for i, key in enumerate(states)
        )
    return futures


#: A range read and kept on its worker: its rows refused alone, and its rows pickled (a
#: third of the memory of the records themselves, until they are checked).
_Kept = tuple[list[tuple[int, dict[str, Any]]], bytes]


def read_kept(file: str, chunk: RangeSource, line: int, names: tuple[str, ...]) -> _Kept:
    """On a worker: a range's rows, kept there (see ``facts._csv_ranges.read_range``)."""
    rows = read_range(file, chunk, line, names)
    return rows[2], dumps(rows)


def _refused(kept: _Kept) -> list[tuple[int, dict[str, Any]]]:
    return kept[0]


def _packed(kept: _Kept) -> bytes:
    return kept[1]


def _loaded(data: bytes) -> Any:
    return pickle.loads(data)


def _groups(checked: tuple[bytes | None, dict[int, bytes]]) -> dict[int, bytes]:
    return checked[1]


def _bucket(groups: dict[int, bytes], bucket: int) -> bytes | None:
    return groups.get(bucket)


def _assemble(states: bytes, kind: str, *pieces: bytes | None) -> dict[str, dict[str, Any]]:
    """A bucket's partitions with their records of ``kind`` from every range, in order."""
    parts: dict[str, dict[str, Any]] = pickle.loads(states)
    for piece in pieces:
        if piece is None:
            continue
        for owner, (keys, envs, links) in pickle.loads(piece).items():
            part = parts[owner]
            part["envs"][kind].update(zip(keys, envs, strict=True))
            part["parents"][kind].update(zip(keys, links, strict=True))
    return parts


def _take(assembled: Mapping[str, dict[str, Any]], key: str) -> dict[str, Any]:
    return assembled[key]
