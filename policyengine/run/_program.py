"""A policy's rules compiled once into Python functions: what evaluation runs.

:func:`compile_policy` turns every expression of a checked policy into
Python code (:mod:`policyengine.language._compiler`), with the policy's parameters
bound as constants, and every record rule into one function of a record's
names (its kind's ``compile``). Evaluation then calls these functions: no
tree is walked and no evaluator is built per record.

``reference=True`` builds the same program on the reference evaluator
(simpleeval walking the checked tree, parameters read from the scope): the
semantics the compiled code is tested against, selectable with
``engine="reference"`` wherever the library evaluates.
"""

from __future__ import annotations

import threading
from collections import ChainMap
from collections.abc import Callable, Mapping, MutableMapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import attrs

from ..language._compiler import compile_code
from ..language._expressions import Evaluator, Expression
from ..model import RUNTIME
from ..rules import KINDS
from ..rules.base import Code, RuleCode
from ._fused import FIELD_KINDS, Fused, fuse, fuse_steps

if TYPE_CHECKING:
    from ..model import Field, Policy, Rule

#: Which implementation of the expression language evaluation uses.
Engine = Literal["compiled", "reference"]
ENGINES: tuple[Engine, ...] = ("compiled", "reference")

#: A generated function filling a record's ``env`` with some rules' values, or raising.
FusedFunction = Callable[[MutableMapping[str, Any]], None]


@attrs.frozen(eq=False)
class Program:
    """The compiled rules of one policy version."""

    #: Record rule id -> its compiled function (population rules run in a bundle).
    rules: Mapping[str, RuleCode]
    #: Every rule in evaluation order, with its id (read once, not per record) and its
    #: function (None: a population rule, which runs in a bundle).
    steps: tuple[tuple[str, Rule, RuleCode | None], ...]
    _codes: dict[int, Code] = attrs.field(repr=False, alias="codes")
    _code_of: Any = attrs.field(repr=False, alias="code_of")
    #: ``typed_of(expression, kinds)``: its code given the kinds of the typed fields it reads.
    _typed_of: Any = attrs.field(repr=False, alias="typed_of")
    #: The policy compiled (for its fused function), or None for the reference program.
    _policy: Policy | None = attrs.field(default=None, repr=False, alias="policy")
    #: (expression, fields) -> the fields and the expression's code over them (code_over).
    _typed_codes: dict[tuple[int, int], tuple[Mapping[str, Field], Code]] = attrs.field(
        factory=dict, init=False, repr=False
    )
    #: Runs of record rules fused for a bundle's runner (see ``fused_run``), by rule ids.
    _runs: dict[tuple[str, ...], FusedFunction | None] = attrs.field(
        factory=dict, init=False, repr=False
    )

    @cached_property
    def fused(self) -> Fused | None:
        """Every record rule in one function (:mod:`policyengine.run._fused`), generated on
        first use; None for the reference program and for a policy it cannot cover."""
        return fuse(self._policy, self) if self._policy is not None else None

    @cached_property
    def past(self) -> tuple[tuple[Rule, Mapping[str, tuple[str, Any]]], ...]:
        """Each rule whose ``previous(…)`` calls read last month, in evaluation order, with
        what they read (the key each is read as -> name and initial value): what a record
        evaluated alone is given before its rules run."""
        found = []
        for _, rule, _ in self.steps:
            reads = {key: read for expr in rule.expressions for key, read in expr.past.items()}
            if reads:
                found.append((rule, reads))
        return tuple(found)

    def fused_run(self, rule_ids: tuple[str, ...]) -> FusedFunction | None:
        """The record rules ``rule_ids`` (in the order they run) in one function of a
        record's ``env`` (:func:`policyengine.run._fused.fuse_steps`): what a bundle's runner
        calls for rules of this policy its plan takes one after the other. Made on first
        use; None for the reference program."""
        if rule_ids not in self._runs:
            steps = {rule_id: (rule_id, rule, step) for rule_id, rule, step in self.steps}
            chosen = [steps[rule_id] for rule_id in rule_ids]
            fused = None
            if self._policy is not None and all(step is not None for *_, step in chosen):
                fused = fuse_steps(self._policy, chosen)
            self._runs[rule_ids] = fused[0] if fused is not None else None
        return self._runs[rule_ids]

    def code(self, expression: Expression) -> Code:
        """The compiled code of one of the policy's expressions."""
        found = self._codes.get(id(expression))
        if found is None:
            found = self._codes[id(expression)] = self._code_of(expression)
        return found

    def code_over(self, expression: Expression, fields: Mapping[str, Field]) -> Code:
        """:meth:`code` for an expression over typed records of a kind with ``fields`` (as a
        bundle's records are once checked): its comparisons of them need no checks, as a
        record rule's of its own fields need none. Compiled once per kind."""
        key = (id(expression), id(fields))
        found = self._typed_codes.get(key)
        if found is not None and found[0] is fields:  # the fields keep their id valid
            return found[1]
        kinds = {name: kind for name, f in fields.items() if (kind := FIELD_KINDS.get(f.type))}
        code: Code = self._typed_of(expression, kinds)
        self._typed_codes[key] = (fields, code)
        return code


def compile_policy(policy: Policy, engine: Engine = "compiled") -> Program:
    """Every record rule of ``policy`` as a function of a record's names."""
    constants = {name: p.value for name, p in policy.parameters.items()}
    codes: dict[int, Code] = {}
    if engine == "reference":
        # One evaluator per thread: it holds the names of the call under way, and the
        # program is shared by every thread evaluating the policy (one evaluator for all
        # gave a record another's values when threads evaluated at once).
        local = threading.local()

        def code_of(expression: Expression) -> Code:
            def reference(env: Mapping[str, Any]) -> Any:
                evaluator = getattr(local, "evaluator", None)
                if evaluator is None:
                    evaluator = local.evaluator = Evaluator()
                return evaluator.evaluate(expression, ChainMap(dict(env), constants))

            return reference

    else:

        def code_of(expression: Expression) -> Code:
            return compile_code(expression.tree, expression.source, expression.names, constants)

    def cached(expression: Expression) -> Code:
        found = codes.get(id(expression))
        if found is None:
            # Keyed by identity: the policy keeps every expression alive.
            found = codes[id(expression)] = code_of(expression)
        return found

    # A record rule reads the policy's own records, whose declared fields are
    # typed before any rule runs: its comparisons of them need no checks.
    # (A population rule's expressions may read another kind: compiled plainly.)
    kinds = {name: kind for name, f in policy.inputs.items() if (kind := FIELD_KINDS.get(f.type))}

    def typed_of(expression: Expression, kinds: Mapping[str, str]) -> Code:
        if engine == "reference":
            return cached(expression)
        return compile_code(expression.tree, expression.source, expression.names, constants, kinds)

    def typed(expression: Expression) -> Code:
        return typed_of(expression, kinds)

    rules = {
        rule.id: KINDS[rule.kind].compile(rule.spec, typed)
        for rule in policy.rules
        if rule.kind in KINDS and rule.spec is not None
    }
    steps = tuple((rule.id, rule, rules.get(rule.id)) for rule in policy.ordered_rules)
    fused_from = policy if engine == "compiled" else None
    return Program(rules, steps, codes=codes, code_of=cached, typed_of=typed_of, policy=fused_from)


# A policy compiles itself through this module (see policyengine.model.Runtime).
RUNTIME.compile = compile_policy
