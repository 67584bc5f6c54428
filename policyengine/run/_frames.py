"""Results as tables for analysts and other systems: Arrow tables and pandas DataFrames.

Behind the optional extra ``policyengine[dataframe]`` (``pandas``, ``pyarrow``),
imported only when a conversion is asked for; without it the conversion
raises :class:`~policyengine.errors.UsageError` ``missing-extra``.

A table holds one row per record and a column per output (``policy.output``
for a month, the output's name for one policy), with the exact values:

- a number column of Decimals is Arrow ``decimal128(38, scale)``
  (``decimal256(76, scale)`` past 38 digits) whose scale is the rule's
  declared ``round:`` places, or the places its values need when it declares
  none (or a value needs more); pandas
  gets ``Decimal`` objects (an ``object`` column), never floats;
- whole numbers are ``int64`` (pandas ``Int64``, which keeps a missing value
  missing); yes/no ``bool`` (pandas ``boolean``); text ``string``; dates
  ``date32``; lists are lists;
- a failed value is null, and the ``errors`` column names the codes of the
  record's failed values (a month's table lists refused records too).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..errors import PolicyError, UsageError
from ..model import Rounding, Rule

if TYPE_CHECKING:
    from ._bundle_result import BundleResult
    from ._engine import Result

__all__ = ["batch_table", "bundle_table", "pay_kind", "to_pandas"]

#: The column naming each record's failed values.
ERRORS_COLUMN = "errors"
#: Places of a rule's declared rounding, by output column: the Arrow scale.
Scales = Mapping[str, int]
#: The digits Arrow's decimal types hold.
_DECIMAL128, _DECIMAL256 = 38, 76


class Columns:
    """Named columns of plain values, with the declared scale of each output column."""

    def __init__(self, names: Sequence[str], scales: Scales) -> None:
        self.values: dict[str, list[Any]] = {name: [] for name in names}
        self.scales = scales

    def add(self, row: Mapping[str, Any]) -> None:
        for name, column in self.values.items():
            column.append(row.get(name))

    def to_arrow(self) -> Any:
        """The columns as a ``pyarrow.Table``."""
        pa = _extra("pyarrow")
        arrays = [
            pa.array(values, type=_arrow_type(pa, values, self.scales.get(name)))
            for name, values in self.values.items()
        ]
        return pa.Table.from_arrays(arrays, names=list(self.values))


def pay_kind(result: BundleResult) -> str:
    """The kind a month's table lists by default: of the kinds policies apply to, the one
    with the most outputs (the rep, whom most policies pay: 76 outputs, against the team's
    6 and the call's 3), then the one deepest in the chain of parents (an agent before its
    team), then by name; never by the order ``entities.yaml`` lists the kinds in, which
    chose a team over its agents once a chain had four kinds."""
    entities = result.entities
    applied = [k for k in entities.kinds if result.rules(k)]
    if not applied:
        return min(entities.kinds, default="")

    def rank(name: str) -> tuple[int, int, str]:
        outputs = sum(len(rule.output_names) for _, rule in result.rules(name))
        return (-outputs, -len(entities.ancestors(name)), name)

    return min(applied, key=rank)


def bundle_table(result: BundleResult, kind: str | None = None) -> Columns:
    """A month's records of ``kind`` (by default :func:`pay_kind`): its key, every output
    of every policy applying to it, and the codes of its failed values."""
    chosen = kind if kind is not None else pay_kind(result)
    entities = result.entities
    if chosen not in entities.kinds:
        raise UsageError(
            f"no kind of record '{chosen}' in this month",
            code="unknown-kind",
            hint="the kinds are " + ", ".join(entities.kinds),
        )
    key = entities.kinds[chosen].key
    scales: dict[str, int] = {}
    names: list[str] = []
    for policy, rule in sorted(result.rules(chosen), key=lambda pr: pr[0].id):
        for output in rule.output_names:
            names.append(f"{policy.id}.{output}")
            _add_scale(scales, names[-1], rule)
    columns = Columns([key, *names, ERRORS_COLUMN], scales)
    current: dict[str, Any] | None = None
    for row in result.rows():
        if row.kind != chosen:
            continue
        if current is None or current[key] != row.key:
            if current is not None:
                columns.add(_finished(current))
            current = {key: row.key, ERRORS_COLUMN: set()}
        current.update((f"{row.policy}.{name}", v) for name, v in row.outputs.items())
        current[ERRORS_COLUMN].update(e.code for e in row.failed.values())
    if current is not None:
        columns.add(_finished(current))
    return columns


def batch_table(rules: Iterable[Rule], items: Iterable[Result | PolicyError]) -> Columns:
    """One policy's results, a row per record in input order: its label (``record``), its
    outputs by name, and the code of the error a failed record raised."""
    scales: dict[str, int] = {}
    names: list[str] = []
    for rule in rules:
        for output in rule.output_names:
            names.append(output)
            _add_scale(scales, output, rule)
    columns = Columns(["record", *names, ERRORS_COLUMN], scales)
    for item in items:
        if isinstance(item, PolicyError):
            columns.add({"record": _label(item.location.record), ERRORS_COLUMN: item.code})
        else:
            columns.add({"record": _label(item.record), **item.outputs})
    return columns


def to_pandas(columns: Columns) -> Any:
    """The columns as a ``pandas.DataFrame`` (see the module for the column types)."""
    pd = _extra("pandas")
    pa = _extra("pyarrow")
    nullable = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
    return columns.to_arrow().to_pandas(types_mapper=nullable.get)


def _finished(row: dict[str, Any]) -> dict[str, Any]:
    codes = row[ERRORS_COLUMN]
    return {**row, ERRORS_COLUMN: ", ".join(sorted(codes)) or None}


def _label(record: int | str | None) -> str | None:
    return None if record is None else str(record)


def _add_scale(scales: dict[str, int], name: str, rule: Rule) -> None:
    rounding = getattr(rule.spec, "rounding", None)
    if isinstance(rounding, Rounding):
        exponent = rounding.places.normalize().as_tuple().exponent
        scales[name] = max(0, -exponent) if isinstance(exponent, int) else 0


def _extra(module: str) -> Any:
    """Import ``module`` of the ``dataframe`` extra, or say how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise UsageError.from_template(
            "missing-extra", form="dataframe", words={"module": module}
        ) from exc


def _arrow_type(pa: Any, values: list[Any], declared: int | None) -> Any:
    present = [v for v in values if v is not None]
    if not present:
        return pa.null() if declared is None else pa.decimal128(_DECIMAL128, declared)
    kinds = {type(v) for v in present}
    if kinds <= {int} and all(-(2**63) <= v < 2**63 for v in present):
        return pa.int64()
    if kinds <= {int, Decimal}:
        return _decimal_type(pa, [Decimal(v) for v in present], declared)
    simple = {bool: pa.bool_(), str: pa.string(), datetime.date: pa.date32()}
    if len(kinds) == 1 and next(iter(kinds)) in simple:
        return simple[next(iter(kinds))]
    return None  # lists and anything else: as Arrow reads them


def _decimal_type(pa: Any, present: list[Decimal], declared: int | None) -> Any:
    """The decimal type holding every value exactly: the declared scale, or the places the
    values need when that is more (or nothing is declared)."""
    needed = max(max(0, -int(v.as_tuple().exponent)) for v in present)
    scale = max(declared or 0, needed)
    whole = max(v.adjusted() + 1 if v else 1 for v in present)
    # The widest precision of the type, so that every month of an output has one schema.
    if whole + scale <= _DECIMAL128:
        return pa.decimal128(_DECIMAL128, scale)
    return pa.decimal256(_DECIMAL256, scale)
