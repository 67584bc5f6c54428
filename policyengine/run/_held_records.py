"""A month's records and details held packed in the client, when a cluster computed them.

A month run on a cluster with its calls typed on the workers
(:mod:`~policyengine.run._dask_kept`) gets every call back at the end, facts and
values, to be written. Held as the one process holds them (a dict of typed values a
call, some 600 bytes each), 2,000,000 calls take 1.2 GiB of the client and
6,000,000 take 3.6 GiB. Each partition's calls therefore come back packed
(:func:`pack_records`): sorted by key, in chunks of :data:`CHUNK` records, each
chunk pickled and compressed, with its first key. :class:`HeldRecords` is the
kind's records as a read-only mapping over those chunks:

- its keys are the state's (each record's parent by key, held anyway: in two
  lists, :class:`SortedLinks`, for a kind of millions of records);
- one record is found through its parent's partition and the chunk its key falls in,
  unpacked and kept among the last few (:data:`CACHED`);
- every record in key order (:meth:`HeldRecords.sorted_items`, what the result
  document, the rows and the summary read) comes from the chunks unpacked in the
  order of their first keys, a window at a time, sorted: the client holds about a
  chunk of each partition, never the kind whole.

A record unpacked is the one the partition computed, its named values read-only
again (:func:`~policyengine.model.frozen_mapping`) and shared as they were where
they were made (:class:`Plain` sends a read-only value as a plain dict, once for the
records sharing it; :class:`Frozen` makes it read-only again, once). The population
rules' details, which name every call again, are held packed by partition too
(:class:`HeldDetails`). :func:`sorted_envs` gives any kind's records in key order,
held packed or not.
"""

from __future__ import annotations

import bisect
import operator
import pickle
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence, ValuesView
from itertools import islice
from types import MappingProxyType
from typing import Any

from ..core._collector import paused_collection
from ..model import frozen_mapping

#: Records a chunk: small enough that a chunk of each of thousands of partitions is a
#: small part of the month, large enough that a chunk's pickle shares its values.
CHUNK = 64
#: Chunks kept unpacked for lookups of one record (explanations, ``value``).
CACHED = 8
#: Chunks unpacked before the records so far are sorted and given (see
#: :meth:`HeldRecords.sorted_items`): some 64,000 records at a time.
WINDOW = 1_000
#: zlib's fastest level: the chunks are compressed by the workers, once.
LEVEL = 1

Env = Mapping[str, Any]
#: A partition's records packed: the distinct parents' keys of its records, each
#: chunk's first key and each chunk's bytes (both in key order).
Packed = tuple[tuple[str, ...], tuple[str, ...], tuple[bytes, ...]]


def pack_records(
    envs: Mapping[str, Mapping[str, Any]],
    parents: Mapping[str, str],
    plain: Callable[[Any], Any],
) -> Packed:
    """On a worker: a partition's records of one kind packed (see the module); ``plain``
    turns a read-only named value into the plain dict pickle can send."""
    keys = sorted(envs)
    firsts: list[str] = []
    chunks: list[bytes] = []
    for start in range(0, len(keys), CHUNK):
        part = keys[start : start + CHUNK]
        listed = [(key, {n: plain(v) for n, v in envs[key].items()}) for key in part]
        firsts.append(part[0])
        data = pickle.dumps(listed, protocol=pickle.HIGHEST_PROTOCOL)
        chunks.append(zlib.compress(data, LEVEL))
    linked = tuple(sorted({parents[key] for key in keys if key in parents}))
    return linked, tuple(firsts), tuple(chunks)


class Plain:
    """A named value (read-only, which pickle cannot send) as a plain dict, one dict for
    each value: records that share a value (most calls share their checks' values) send
    it once, and share it again once taken back (:class:`Frozen`)."""

    def __init__(self) -> None:
        self._seen: dict[int, tuple[Any, dict[str, Any]]] = {}

    def __call__(self, value: Any) -> Any:
        if type(value) is not MappingProxyType:
            return value
        seen = self._seen.get(id(value))
        if seen is None:  # the value is kept beside its dict, so its id stays its own
            seen = self._seen[id(value)] = (value, dict(value))
        return seen[1]


class Frozen:
    """Records' named values (sent as plain dicts) read-only again, as rules keep them:
    one read-only value for each dict, as the records shared it where it was made."""

    def __init__(self) -> None:
        self._made: dict[int, tuple[dict[str, Any], Any]] = {}

    def __call__(
        self, records: dict[str, dict[str, Any]], named: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        made = self._made
        if named:
            for found in records.values():
                for rule_id in named:
                    value = found.get(rule_id)
                    if type(value) is dict:
                        shared = made.get(id(value))
                        if shared is None:
                            shared = made[id(value)] = (value, frozen_mapping(value))
                        found[rule_id] = shared[1]
        return records


class HeldRecords(Mapping[str, Env]):
    """One kind's records, packed by partition (see the module): read-only."""

    def __init__(self, parents: Mapping[str, str], named: Sequence[str]) -> None:
        #: Each record's parent's key by the record's key: the records' keys.
        self._parents = parents
        #: The rules whose values are named (read-only mappings once unpacked).
        self._named = tuple(named)
        self._firsts: list[tuple[str, ...]] = []
        self._chunks: list[tuple[bytes, ...]] = []
        #: Each parent's partition (its index in the two lists above).
        self._partition: dict[str, int] = {}
        self._cache: OrderedDict[tuple[int, int], dict[str, Env]] = OrderedDict()

    def add(self, packed: Packed) -> None:
        """A partition's records (:func:`pack_records`), the next in order."""
        linked, firsts, chunks = packed
        index = len(self._chunks)
        self._firsts.append(firsts)
        self._chunks.append(chunks)
        for parent in linked:
            self._partition[parent] = index

    @property
    def packed_size(self) -> int:
        """The bytes the records are held in."""
        return sum(len(c) for chunks in self._chunks for c in chunks)

    def __len__(self) -> int:
        return len(self._parents)

    def __iter__(self) -> Iterator[str]:
        return iter(self._parents)

    def __contains__(self, key: object) -> bool:
        return key in self._parents

    def __getitem__(self, key: str) -> Env:
        parent = self._parents.get(key)
        index = self._partition.get(parent) if parent is not None else None
        if index is None:
            raise KeyError(key)
        at = bisect.bisect_right(self._firsts[index], key) - 1
        if at < 0:
            raise KeyError(key)
        return self._chunk(index, at)[key]

    def _chunk(self, index: int, at: int) -> dict[str, Env]:
        found = self._cache.get((index, at))
        if found is None:
            found = dict(self._unpacked(self._chunks[index][at]))
            self._cache[(index, at)] = found
            if len(self._cache) > CACHED:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end((index, at))
        return found

    def _unpacked(self, chunk: bytes) -> Sequence[tuple[str, Env]]:
        records: list[tuple[str, dict[str, Any]]] = pickle.loads(zlib.decompress(chunk))
        Frozen()(dict(records), self._named)  # shared within the chunk as where made
        return records

    def sorted_items(self) -> Iterator[tuple[str, Env]]:
        """Every record in key order, the chunks unpacked in the order of their first keys,
        :data:`WINDOW` at a time. No record of a chunk not yet unpacked comes before the
        next chunk's first key, so every record unpacked before it is given, sorted (in C:
        a merge of thousands of partitions one record at a time took four times as
        long); the rest wait for the next window. A chunk of each partition or so is
        unpacked at a time, never the kind whole."""
        order = sorted(
            (first, index, at)
            for index, firsts in enumerate(self._firsts)
            for at, first in enumerate(firsts)
        )
        waiting: list[tuple[str, Env]] = []
        by_key = operator.itemgetter(0)
        for start in range(0, len(order), WINDOW):
            # Unpacking a window makes some 64,000 records at once: with the collector
            # on, each of its passes walked every record still waiting (a third of the
            # time of reading a month's calls). Records make no cycle: they are freed
            # as they are let go, whatever the collector.
            with paused_collection():
                for _, index, at in order[start : start + WINDOW]:
                    waiting.extend(self._unpacked(self._chunks[index][at]))
            waiting.sort(key=by_key)
            if start + WINDOW >= len(order):
                yield from waiting
                return
            cut = bisect.bisect_left(waiting, order[start + WINDOW][0], key=by_key)
            yield from waiting[:cut]
            del waiting[:cut]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping) or len(other) != len(self):
            return False
        return all(other.get(key) == env for key, env in self.sorted_items())


def sorted_envs(envs: Mapping[str, Env]) -> Iterator[tuple[str, Env]]:
    """Every record of a kind, as (key, values), in key order: held packed or not."""
    if isinstance(envs, HeldRecords):
        return envs.sorted_items()
    return ((key, envs[key]) for key in sorted(envs))


def envs_in_order(envs: Mapping[str, Env], keys: Sequence[str], missing: Env) -> Iterator[Env]:
    """The values of each record of ``keys`` (``missing`` for one not evaluated), in that
    order: for records held packed and ``keys`` in key order, one merge, not a lookup
    each (which would unpack a chunk for almost every record)."""
    # Checked in order without a slice: a copy of a month's calls' keys is 48 MiB.
    if not isinstance(envs, HeldRecords) or any(map(operator.ge, keys, islice(keys, 1, None))):
        return (envs.get(key, missing) for key in keys)
    return _joined(envs.sorted_items(), keys, missing)


def _joined(items: Iterator[tuple[str, Env]], keys: Sequence[str], missing: Env) -> Iterator[Env]:
    current = next(items, None)
    for key in keys:
        while current is not None and current[0] < key:
            current = next(items, None)
        if current is not None and current[0] == key:
            yield current[1]
        else:
            yield missing


class SortedLinks(Mapping[str, str]):
    """Each record's parent's key by the record's key, for a kind of millions of records:
    two lists in key order, a record found by bisection. A dict of 6,000,000 calls'
    parents takes some 330 MiB beside its keys; the two lists, 96 MiB. Iterated in key
    order (the records' order is no output's: every one sorts them)."""

    def __init__(self, keys: Sequence[str], parents: Sequence[str]) -> None:
        order = sorted(range(len(keys)), key=keys.__getitem__)
        self._keys = [keys[i] for i in order]
        self._parents = [parents[i] for i in order]

    def _at(self, key: object) -> int:
        at = bisect.bisect_left(self._keys, key) if type(key) is str else len(self._keys)
        return at if at < len(self._keys) and self._keys[at] == key else -1

    def __getitem__(self, key: str) -> str:
        at = self._at(key)
        if at < 0:
            raise KeyError(key)
        return self._parents[at]

    def __contains__(self, key: object) -> bool:
        return self._at(key) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def values(self) -> ValuesView[str]:
        return _Parents(self)


class _Parents(ValuesView[str]):
    """The parents' keys, in the records' key order, without a lookup each."""

    _mapping: SortedLinks

    def __iter__(self) -> Iterator[str]:
        return iter(self._mapping._parents)


#: A partition's details packed: their slots, and the details themselves compressed.
PackedDetails = tuple[tuple[tuple[str, str, str], ...], bytes]


def pack_details(
    details: Mapping[tuple[str, str, str], Any], dumps: Callable[[Any], bytes]
) -> PackedDetails:
    """On a worker: a partition's details (what an aggregate or rank read: every call of a
    rep's sum, by key and value) packed for the client, which reads them only to explain
    a value."""
    return tuple(details), zlib.compress(dumps(dict(details)), LEVEL)


class HeldDetails(Mapping[tuple[str, str, str], Any]):
    """The population rules' details of a month run on a cluster, by slot (kind, key,
    rule), packed by partition: a partition's unpacked when one of its details is asked
    for (an explanation), the last one kept. Held unpacked, a month's details name every
    call again (its key and value in its rep's sums): a copy of every call's key."""

    def __init__(self) -> None:
        self._where: dict[tuple[str, str, str], int] = {}
        self._packed: list[bytes] = []
        self._last: tuple[int, dict[tuple[str, str, str], Any]] = (-1, {})

    def add(self, packed: PackedDetails) -> None:
        """A partition's details (:func:`pack_details`), the next in order."""
        slots, data = packed
        index = len(self._packed)
        self._packed.append(data)
        for slot in slots:
            self._where[slot] = index

    def __getitem__(self, slot: tuple[str, str, str]) -> Any:
        index = self._where[slot]
        if self._last[0] != index:
            self._last = (index, pickle.loads(zlib.decompress(self._packed[index])))
        return self._last[1][slot]

    def __iter__(self) -> Iterator[tuple[str, str, str]]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, slot: object) -> bool:
        return slot in self._where
