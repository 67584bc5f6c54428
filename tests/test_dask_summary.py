"""The client joins the ranges' summaries of a kind typed on a cluster's workers: keys,
parents named by their place, lines, and the keys as written where a range sent them."""

from __future__ import annotations

import array
import pickle
from typing import Any

from policyengine.run._dask_summary import summaries


class _Done:
    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


def _submit(function: Any, checked: Any) -> _Done:
    return _Done(function(checked))


def _range(keys: list[str], parents: list[int], texts: list[str] | None, first: int) -> Any:
    lines = array.array("q", range(first, first + len(keys)))
    return pickle.dumps((keys, array.array("q", parents), texts, [b"chunk"], lines)), {}


def test_the_ranges_are_joined_in_order_with_the_keys_as_written_where_sent() -> None:
    reps = ["R1", "R2"]
    ranges = [
        _range(["C1", "C2"], [0, 1], None, 2),
        _range(["C3"], [1], [" C3"], 4),
        _range(["C4", "C5"], [0, 0], None, 5),
    ]
    found = summaries(ranges, _submit, reps)
    assert found is not None
    assert found.keys == ["C1", "C2", "C3", "C4", "C5"]
    assert found.parents == ["R1", "R2", "R2", "R1", "R1"]
    assert all(p is reps[0] or p is reps[1] for p in found.parents)
    assert found.texts == ["C1", "C2", " C3", "C4", "C5"]
    assert list(found.lines) == [2, 3, 4, 5, 6]
    assert found.ranges == [[b"chunk"]] * 3


def test_keys_as_written_alike_are_the_keys_and_a_key_given_twice_is_none() -> None:
    found = summaries([_range(["C1", "C2"], [0, 0], None, 2)], _submit, ["R1"])
    assert found is not None and found.texts is found.keys
    twice = [_range(["C1"], [0], None, 2), _range(["C1"], [0], None, 3)]
    assert summaries(twice, _submit, ["R1"]) is None
