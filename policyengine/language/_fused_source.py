"""The source of one fused function: every record rule of a policy over local variables.

:mod:`policyengine.language._compiler` compiles each expression into a function
of its own, reading every name from ``env``. A policy's record rules run one
after the other for every record, so :mod:`policyengine.run._fused` writes them
all into one function instead, each rule kind writing its own lines
(``RuleKind.emit``); this module is what those lines are written with.

How it stays inside the sandbox, as the compiler does:

- Expressions are translated from their *checked* tree only, by the same
  translator (:class:`InlineTranslator` changes where a name is read from
  and how numbers known at load are computed, never which node kinds are
  accepted).
- A name from the policy never becomes a Python identifier: the policy's
  fields and rules are read into locals named here (``_f0``, ``_r3``), from
  ``env`` by a string literal; anything else stays ``env['name']``. Every
  value a kind needs (a band's bound, a row's value, a helper) is a constant
  of the function's namespace (``_c0`` …), never text of the source.
- The namespace has empty builtins and only what is listed here.

The fused function only has to be right where it gives a value: whenever it
meets anything unusual (a value of an unexpected type, an amount outside the
bands, any error) it raises, and the caller evaluates that record again rule
by rule, which gives exactly the located error (evaluation is deterministic).
``GIVE_UP`` is the statement an emitter writes for "not the common case".
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Callable, Mapping, MutableMapping
from decimal import Decimal
from typing import Any

from ..core._numbers import CONTEXT, MAX_MAGNITUDE, ROUNDING_MODES, rounder
from ._compiler import base_globals
from ._expressions import Expression
from ._inline_translator import InlineTranslator
from ._operators import bounded


class GiveUp(Exception):
    """Raised by fused code where the common path ends: the record is evaluated rule by rule."""


#: The statement that leaves the fused function for the rule-by-rule path.
GIVE_UP = "raise _GiveUp"


def _decimal_of(value: Any) -> Any:
    """The left side of ``/`` as the checked operator divides it: an int made a Decimal."""
    return Decimal(value) if type(value) is int else value


def _as_decimal(value: Any) -> Decimal:
    """A formula's whole-number result made a Decimal before rounding; anything else gives up."""
    if type(value) is int:
        return Decimal(value)
    raise GiveUp


class FusedSource:
    """What a rule kind's emitter writes its lines with, and the namespace they run in."""

    def __init__(self, constants: Mapping[str, Any]) -> None:
        #: Policy name -> the local holding its value; kinds and mappings as the translator's.
        self.names: dict[str, str] = {}
        self.kinds: dict[str, str] = {}
        self.mappings: set[str] = set()
        #: Policy name (or ``name.part``) -> the exact type of its value, where sure.
        self.types: dict[str, type] = {}
        #: Rules whose values are surely never a negative zero (stored as they are).
        self.unsigned: set[str] = set()
        self.translator = InlineTranslator(
            constants, self.kinds, self.names, self.mappings, self.types
        )
        self.namespace: dict[str, Any] = {
            **base_globals(),
            "_bounded": bounded,
            "_GiveUp": GiveUp,
            "_Decimal": Decimal,
            "_int": int,
            "_type": type,
            "_D0": Decimal(0),
            "_as_decimal": _as_decimal,
            "_decimal_of": _decimal_of,
            "_ADJUSTED": MAX_MAGNITUDE.adjusted(),
            "_LIMIT": int(MAX_MAGNITUDE),
        }
        #: The generated source, once :meth:`function` has compiled it.
        self.source = ""
        self._constants = itertools.count()
        self._locals = itertools.count()

    def value(self, expression: Expression) -> str:
        """Python source computing ``expression``, parenthesised, to embed in a line."""
        return f"({ast.unparse(self.translator.visit(expression.tree))})"

    def kind(self, expression: Expression) -> str | None:
        """The kind the expression's value surely has ("number", "text", "bool", "date")."""
        return self.translator.kind(expression.tree)

    def type(self, expression: Expression) -> type | None:
        """The exact type of the expression's value (Decimal, int), where sure."""
        return self.translator.exact(expression.tree)

    def constant(self, value: Any) -> str:
        """The name of a constant of the namespace holding ``value``."""
        name = f"_c{next(self._constants)}"
        self.namespace[name] = value
        return name

    def local(self) -> str:
        """A fresh local variable of the fused function."""
        return f"_v{next(self._locals)}"

    def number(self, local: str, kind: str | None) -> list[str]:
        """Lines giving up unless ``local`` holds an int or a Decimal (none if surely so)."""
        if kind == "number":
            return []
        return [f"if _type({local}) is not _Decimal and _type({local}) is not _int: {GIVE_UP}"]

    def condition(self, expression: Expression, local: str) -> tuple[str, str | None]:
        """A test of whether ``expression`` holds, and what gives up when the test fails.

        A surely yes/no value is the test itself (nothing gives up). Anything else is
        kept in ``local`` and compared with True; when it is not True it must be False,
        as a rule's checked condition must: the second part says when it is not.
        """
        if self.kind(expression) == "bool":
            return self.value(expression), None
        return f"({local} := {self.value(expression)}) is True", f"{local} is not False"

    def rounded(self, local: str, places: Decimal, mode: str) -> str:
        """``local`` (a Decimal) rounded as the rule declares, under the engine's context."""
        if places >= 1 and places == places.to_integral_value():  # tens, hundreds: scaled
            return f"{self.constant(rounder(places, mode))}({local})"
        # What core._numbers.rounder does for a step below one, inline.
        step, how = self.constant(Decimal(str(places))), self.constant(ROUNDING_MODES[mode])
        return f"{local}.quantize({step}, {how}, {self.constant(CONTEXT)})"

    def to_decimal(self, local: str, expression: Expression) -> list[str]:
        """Lines making ``local``, the value of ``expression``, a Decimal as a rounded rule
        does (an int becomes one; anything else gives up)."""
        if self.type(expression) is Decimal:
            return []
        if self.kind(expression) == "number":
            return [f"if _type({local}) is not _Decimal: {local} = _Decimal({local})"]
        return [f"if _type({local}) is not _Decimal: {local} = _as_decimal({local})"]

    def function(self, lines: list[str], name: str) -> Callable[[MutableMapping[str, Any]], None]:
        """``def _fused(env): <lines>`` compiled in the namespace; its source is kept as
        ``source``."""
        body = lines or ["pass"]
        self.source = "def _fused(env):\n" + "".join(f"    {line}\n" for line in body)
        self.namespace.update(self.translator.bound)  # the expressions' literals and parameters
        # Only generated names and literals are in the source: see the module docstring.
        exec(compile(self.source, f"<fused {name}>", "exec"), self.namespace)
        function: Callable[[MutableMapping[str, Any]], None] = self.namespace["_fused"]
        return function
