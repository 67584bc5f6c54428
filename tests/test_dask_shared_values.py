"""A partition's results keep the sharing of their values across the trip to the client.

Most calls share their checks' values: the engine gives records with the same inputs
the same read-only value, so a month of 2,000,000 calls holds some 200,000 of them.
Sent back from a worker, each record's value must not come back as a copy of its own
(a read-only mapping and a dict per call: about 120 MiB more per 200,000 calls in the
client than in one process). These tests need no cluster: they send a partition's
values through pickle as the workers do.
"""

from __future__ import annotations

import pickle
from decimal import Decimal
from types import MappingProxyType

from policyengine.run._held_records import Frozen, Plain


def _sent(records: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    plain = Plain()
    packed = pickle.dumps(
        {key: {n: plain(v) for n, v in env.items()} for key, env in records.items()}
    )
    return Frozen()(pickle.loads(packed), ["checks"])


def test_a_value_records_share_is_one_value_once_taken_back() -> None:
    shared = MappingProxyType({"count": 0, "points": Decimal("0")})
    taken = _sent({f"C{i}": {"checks": shared, "rings": i} for i in range(50)})
    values = [env["checks"] for env in taken.values()]
    assert all(type(v) is MappingProxyType for v in values)
    assert len({id(v) for v in values}) == 1
    assert dict(values[0]) == dict(shared)


def test_values_equal_but_written_apart_stay_apart() -> None:
    """Sharing follows the objects the worker had, never equality: 0 and 0.00 are
    equal to Python but written apart in every output."""
    zero = MappingProxyType({"points": Decimal("0")})
    cents = MappingProxyType({"points": Decimal("0.00")})
    taken = _sent({"a": {"checks": zero}, "b": {"checks": cents}, "c": {"checks": zero}})
    assert taken["a"]["checks"] is taken["c"]["checks"]
    assert taken["a"]["checks"] is not taken["b"]["checks"]
    assert str(taken["b"]["checks"]["points"]) == "0.00"
    assert str(taken["a"]["checks"]["points"]) == "0"


def test_other_values_pass_as_they_are() -> None:
    taken = _sent({"a": {"checks": 3, "rings": "2"}})
    assert taken == {"a": {"checks": 3, "rings": "2"}}
