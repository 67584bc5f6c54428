"""What evaluating one record gives: its outputs, and what it takes to explain and prove them.

:func:`policyengine.run._engine.evaluate` makes a :class:`Result` per record
(:class:`Batch` for many, each a Result or the error the record raised); the
explanation is computed on request, by evaluating the record again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Any

import attrs

from ..core._display import plain
from ..core._messages import Catalogue
from ..core._numbers import engine_context
from ..core._period import Period
from ..core._suggest import did_you_mean
from ..errors import PolicyError, UsageError
from ..facts._canonical import canonical_hash
from ..model import Policy, Rule, frozen_mapping
from ..version import ENGINE_VERSION
from . import _frames
from . import _trace as trace
from ._program import Engine
from ._run_state import root

__all__ = ["Batch", "Provenance", "Result"]


@attrs.frozen
class Provenance:
    """What produced a result: the exact policy version, the engine, the period, the inputs."""

    policy: str
    version: str
    sha256: str
    engine_version: str
    period: str | None
    inputs_sha256: str
    format: int = 1

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class Result:
    """The outputs of one record, with what it takes to explain and prove them."""

    policy: Policy
    record: int | str | None
    period: Period | None
    #: Every value the rules saw, as the evaluation left them: the evaluation's own dict,
    #: shown read-only as ``env`` (a view made on request: most results are never asked).
    _values: dict[str, Any] = attrs.field(repr=False, alias="values")
    #: Rules whose value a test case gave instead of computing it.
    given: frozenset[str] = attrs.field(default=frozenset(), repr=False)
    engine: Engine = attrs.field(default="compiled", repr=False)

    @cached_property
    def env(self) -> Mapping[str, Any]:
        """Every value the rules saw, read-only: typed inputs, rule outputs, period."""
        return MappingProxyType(self._values)

    @cached_property
    def outputs(self) -> Mapping[str, Any]:
        """Output name (``rule_id`` or ``rule_id.name``) → value, in evaluation order."""
        values: dict[str, Any] = {}
        for rule in self.policy.ordered_rules:
            if rule.id not in self._values:
                continue  # left out of an embedded test (see evaluate's ``partial``)
            value = self._values[rule.id]
            if rule.outputs:
                for name in rule.outputs:
                    values[f"{rule.id}.{name}"] = value[name]
            else:
                values[rule.id] = value
        return frozen_mapping(values)

    @cached_property
    def inputs(self) -> Mapping[str, Any]:
        """The typed input record the rules read, then (by name) the values the caller gave
        beside it: another policy's values the record brought, and last month's values
        ``previous(name)`` read (``previous(streak)``). The inputs hash covers them all: two
        records differing only in a given value are two inputs."""
        own = {rule.id for rule in self.policy.rules}
        given = sorted(n for n in self.given if n not in own and n in self._values)
        names = [*self.policy.inputs, *given]
        return frozen_mapping((name, self._values[name]) for name in names)

    @cached_property
    def provenance(self) -> Provenance:
        return Provenance(
            policy=self.policy.id,
            version=self.policy.version,
            sha256=self.policy.sha256,
            engine_version=ENGINE_VERSION,
            period=self.period.key if self.period else None,
            inputs_sha256=canonical_hash(self.inputs),
            format=self.policy.format,
        )

    @cached_property
    def details(self) -> Mapping[str, Mapping[str, Any]]:
        """How each rule reached its value: computed on request, by evaluating again.

        Evaluation records no trace; evaluation is deterministic, so running
        each rule once more over the same values gives the same value and
        says how.
        """
        program = self.policy.program_for(self.engine)
        found: dict[str, Mapping[str, Any]] = {}
        with engine_context():
            for rule in self.policy.ordered_rules:
                if rule.id in self.given:
                    found[rule.id] = {"given": True}
                elif rule.id in self.env and rule.id in program.rules:
                    detail: dict[str, Any] = {}
                    program.rules[rule.id](self.env, detail)
                    past = {k: r for e in rule.expressions for k, r in e.past.items()}
                    if past:  # previous(name): the values of last month the rule read
                        detail["previous"] = {n: plain(self.env[k]) for k, (n, _) in past.items()}
                    found[rule.id] = detail
        return frozen_mapping(found)

    def value(self, name: str) -> Any:
        """One output (``rule`` or ``rule.name``; the id of a rule with named outputs gives
        them all, read-only); ``unknown-output`` with "did you mean" for any other name."""
        name = name if isinstance(name, str) else repr(name)  # value(None): no such output
        rule_id = name.split(".", 1)[0]
        if (name in self.policy.output_names or name in self.policy.plan) and (
            rule_id in self._values
        ):
            found = self._values[rule_id]
            return found[name.split(".", 1)[1]] if "." in name else found
        raise UsageError(
            f"no output named '{name}'",
            code="unknown-output",
            hint=did_you_mean(name, [*self.policy.output_names, *self.policy.plan]),
        )

    def explain(self, name: str, catalogue: Catalogue | None = None) -> str:
        """How an output was reached: rule, band/row/checks, inputs, parameters, source
        article; in ``catalogue``'s language (:func:`policyengine.messages`), else English."""
        return trace.explain(self.policy, self.env, self.details, name, catalogue)

    def trace(self, name: str) -> dict[str, Any]:
        """The explanation as data (JSON-friendly)."""
        return trace.trace(self.policy, self.env, self.details, name)

    def to_arrow(self) -> Any:
        """This record's outputs as a one-row ``pyarrow.Table`` (see :class:`Batch`)."""
        return Batch((self,)).to_arrow()

    def to_pandas(self) -> Any:
        """This record's outputs as a one-row ``pandas.DataFrame`` (see :class:`Batch`)."""
        return Batch((self,)).to_pandas()

    def to_dict(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "outputs": {name: plain(value) for name, value in self.outputs.items()},
            "provenance": self.provenance.to_dict(),
        }


@attrs.frozen
class Batch:
    """One outcome per input record, in input order: a Result or the PolicyError it raised."""

    items: tuple[Result | PolicyError, ...]

    @property
    def results(self) -> tuple[Result, ...]:
        return tuple(item for item in self.items if isinstance(item, Result))

    @property
    def errors(self) -> tuple[PolicyError, ...]:
        return tuple(item for item in self.items if isinstance(item, PolicyError))

    # --- one record, named first (as a month's result reads one) ------------------------

    def result(self, record: int | str) -> Result:
        """The result of the record labelled ``record`` (its key, else its position);
        ``failed-record`` when that record failed, saying why; ``unknown-record`` when
        no record has that label."""
        found = self._by_label.get(record)
        if record in self._labelled_twice:  # which of them is asked cannot be told
            words = {"record": record, "count": self._labelled_twice[record]}
            raise UsageError.from_template("duplicate-key", form="batch", words=words)
        if isinstance(found, Result):
            return found
        if found is None:
            raise UsageError(
                f"no record {record!r} in this batch",
                code="unknown-record",
                hint="a record is labelled by its key, else by its position from 0",
                details={"record": record},
            )
        failed = UsageError(
            f"record {record} failed: {found.code}: {found.message}",
            code="failed-record",
            hint="correct the record and evaluate it again",
            details={"record": record, "error": found.to_dict(), "root": _root(found)},
        )
        raise failed from found

    def value(self, record: int | str, output: str) -> Any:
        """One output of one record: ``value(record, output)`` (see :meth:`result`)."""
        return self.result(record).value(output)

    def explain(self, record: int | str, output: str, catalogue: Catalogue | None = None) -> str:
        """How one output of one record was reached, as text (see :meth:`result`)."""
        return self.result(record).explain(output, catalogue)

    def trace(self, record: int | str, output: str) -> dict[str, Any]:
        """The same explanation as data (see :meth:`result`)."""
        return self.result(record).trace(output)

    @cached_property
    def _by_label(self) -> dict[int | str | None, Result | PolicyError]:
        """Each outcome by its record's label (the first, should two share one)."""
        found: dict[int | str | None, Result | PolicyError] = {}
        for item in self.items:
            found.setdefault(_label_of(item), item)
        return found

    @cached_property
    def _labelled_twice(self) -> dict[int | str | None, int]:
        """The labels two records or more share, and how many do: asked by such a label,
        the batch answered from the first and the others could not be reached."""
        counts = Counter(_label_of(item) for item in self.items)
        return {label: count for label, count in counts.items() if count > 1}

    def to_arrow(self) -> Any:
        """A row per record, in input order, as a ``pyarrow.Table``: ``record``, each output,
        ``errors`` (exact decimals kept: :mod:`policyengine.run._frames`, extra ``dataframe``)."""
        return _frames.batch_table(self._rules(), self.items).to_arrow()

    def to_pandas(self) -> Any:
        """The same rows as a ``pandas.DataFrame``, decimals as ``Decimal`` objects."""
        return _frames.to_pandas(_frames.batch_table(self._rules(), self.items))

    def _rules(self) -> tuple[Rule, ...]:
        found = self.results
        return found[0].policy.ordered_rules if found else ()

    def __iter__(self) -> Iterator[Result | PolicyError]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _root(error: PolicyError) -> dict[str, Any]:
    """A record's error as the root cause it is, with its message (as a month says one)."""
    return {**root(error), "message": error.message}


def _label_of(item: Result | PolicyError) -> int | str | None:
    return item.record if isinstance(item, Result) else item.location.record
