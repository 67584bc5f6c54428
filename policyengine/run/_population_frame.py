"""What a population rule sees of a month's run: every record of its kind at once.

Population rules (aggregate, rank, history) work through the
:class:`policyengine.rules.population.Frame` protocol; :class:`PopulationFrame`
is the runner's side of it, over the :class:`~policyengine.run._run_state.RunState`.
Each expression a rule hands it is prepared once per kind (read from the
record's own values when it reads nothing else, else from its whole scope),
because a roll-up runs the same expression over every child record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

import attrs

from ..core._period import Period
from ..language._compiler import Code, Many, many_of
from ..language._expressions import Expression
from ..load._plan import Node
from ..rules.population import MISSING
from ._program import Program
from ._run_state import RunState, reaches_beyond, scope_of


@attrs.define
class PopulationFrame:
    """What a population rule sees (policyengine.rules.population.Frame)."""

    state: RunState
    node: Node
    program: Program
    extras: MutableMapping[str, Any]
    #: (expression, kind) -> its prepared runner (see ``runner``).
    _runners: dict[tuple[int, str], Callable[[str], Any]] = attrs.field(factory=dict)
    #: (expression, kind) -> its prepared form over many records (see ``run_many``).
    _many: dict[tuple[int, str], tuple[Code, Many, bool]] = attrs.field(factory=dict)

    @property
    def kind(self) -> str:
        return self.node.kind

    @property
    def period(self) -> Period:
        return self.state.period

    def records(self) -> list[str]:
        return sorted(self.state.envs.get(self.kind, {}))

    def key_value(self, key: str) -> Any:
        """The record's key as its field types it: an ``int`` key is a number (9 before
        10), any other its text (and every key its text in runs recorded before result
        format 4, which replay so)."""
        kinds = self.state.plan.entities.kinds
        if self.state.result_format < 4:
            return key
        field = kinds[self.kind].key if self.kind in kinds else None
        value = self.state.envs[self.kind][key].get(field) if field is not None else None
        return value if isinstance(value, int) and not isinstance(value, bool) else key

    def unusable(self, key: str, kind: str | None = None) -> str | None:
        """The record, when a failure left it without a value this rule reads."""
        kind = kind or self.kind
        errors = self.state.failures.get(kind, {}).get(key)
        if not errors:
            return None
        needed = self.state.plan.upstream.get((self.kind, self.node.rule.id), frozenset())
        if self.state.by_value:
            missing = [rule_id for k, rule_id in needed if k == kind and rule_id in errors]
        else:
            env = self.state.envs[kind][key]
            missing = [rule_id for k, rule_id in needed if k == kind and rule_id not in env]
        return key if missing else None

    def has_failures(self, kind: str | None = None) -> bool:
        return bool(self.state.failures.get(kind or self.kind))

    def scope(self, kind: str, key: str) -> Mapping[str, Any]:
        return scope_of(self.state, kind, key, self.extras)

    def run(self, expression: Expression, key: str, kind: str | None = None) -> Any:
        return self.runner(expression, kind)(key)

    def runner(self, expression: Expression, kind: str | None = None) -> Callable[[str], Any]:
        kind = kind or self.kind
        found = self._runners.get((id(expression), kind))
        if found is not None:
            return found
        code = self.program.code(expression)
        if reaches_beyond(expression.names, kind, self.state.plan.entities):

            def wide(key: str) -> Any:
                return code(self.scope(kind, key))

            found = wide
        else:
            # Most roll-ups read the child's own values: its env is the whole scope.
            envs = self.state.envs[kind]

            def own(key: str) -> Any:
                return code(envs[key])

            found = own
        self._runners[(id(expression), kind)] = found
        return found

    def run_many(self, expression: Expression, keys: list[str], kind: str) -> list[Any]:
        code, many, wide = self._prepared(expression, kind)
        if wide:
            return [code(self.scope(kind, key)) for key in keys]
        envs = self.state.envs[kind]
        return many([envs[key] for key in keys])

    def run_below(self, expression: Expression, key: str, kind: str) -> list[Any]:
        _, many, wide = self._prepared(expression, kind)
        if wide:
            return self.run_many(expression, self.descendants(key, kind), kind)
        return many(self._below(kind)[1].get(key, []))

    def _prepared(self, expression: Expression, kind: str) -> tuple[Code, Many, bool]:
        """The expression's code, its form over many records, and whether it reads more than each
        record's own values (then each record's whole scope is given it, one at a time)."""
        found = self._many.get((id(expression), kind))
        if found is None:
            wide = reaches_beyond(expression.names, kind, self.state.plan.entities)
            # The records' fields are typed (checked before any rule ran): their
            # comparisons need no checks, as in the record rules of their kind.
            code = self.program.code_over(expression, self.state.plan.entities.kinds[kind].fields)
            found = (code, many_of(code), wide)
            self._many[(id(expression), kind)] = found
        return found

    def value(self, key: str, name: str) -> Any:
        return _part(self.state.envs[self.kind][key], name)

    def ancestor(self, key: str, kind: str) -> str | None:
        return self.state.ancestor(self.kind, key, kind)

    def descendants(self, key: str, kind: str) -> list[str]:
        return list(self._below(kind)[0].get(key, ()))

    def _below(self, kind: str) -> tuple[dict[str, list[str]], dict[str, list[Any]]]:
        """The records of ``kind`` by their ancestor of this rule's kind, sorted: their
        keys and their values, built once per run for each pair of kinds."""
        pair = (kind, self.kind)
        keys, values = self.state.below.get(pair), self.state.below_values.get(pair)
        if keys is not None and values is not None:
            return keys, values
        keys, values = {}, {}
        envs = self.state.envs.get(kind, {})
        chain = self.state.plan.entities.ancestors(kind)
        parents = self.state.parents.get(kind, {}) if chain[:1] == (self.kind,) else None
        for child in sorted(envs):
            # A child's parent is read at once; a grandparent walked up to.
            if parents is not None:
                above = parents.get(child)
            else:
                above = self.state.ancestor(kind, child, self.kind)
            if above is not None:
                keys.setdefault(above, []).append(child)
                values.setdefault(above, []).append(envs[child])
        self.state.below[pair], self.state.below_values[pair] = keys, values
        return keys, values

    def unsound(self, key: str, kind: str) -> str | None:
        for label, ancestors in self.state.refused.get(kind, []):
            if ancestors.get(self.kind) == key:
                return label
        return None

    def unsound_peer(self, within: str | None, group: str) -> str | None:
        for label, ancestors in self.state.refused.get(self.kind, []):
            if within is None or ancestors.get(within) == group:
                return label
        return None

    def past(self, key: str, name: str, period: Period) -> Any:
        record = self.state.history.get(period.key, {}).get(self.kind, {}).get(key)
        if record is None:
            return MISSING
        try:
            value = _part(record, name)
        except KeyError:
            return MISSING
        # A null value (a rank of a record not eligible) is no value: from result format
        # 4 it counts as the month without one that ``missing:`` declares.
        return MISSING if value is None and self.state.result_format >= 4 else value


def _part(values: Mapping[str, Any], name: str) -> Any:
    base, _, attr = name.partition(".")
    value = values[base]
    return value[attr] if attr else value
