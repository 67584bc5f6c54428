"""Every error a test makes is raised by a class the code registry names for its code.

mypy checks each code written in the package against ``policyengine.codes.ErrorCode``,
but not which class raises it: that is known only when the error is made. So every
``PolicyError`` made while a test runs is noted, and the test fails at teardown when
the registry does not give that code to that class (or to a parent of it). The whole
suite thus checks the registry against the errors the package really makes.

A test that makes an unregistered code on purpose is marked ``unregistered_code``.

Likewise every problem made from a template (``PolicyError.from_template``, behind each
``problems.add``) is noted with the details it was given, and the test fails when they
are not the placeholders of its template: a mistake in the words is found by the suite,
never shown to a user.
"""

from __future__ import annotations

import datetime
import functools
import os
from collections.abc import Iterator
from typing import Any

import pytest

# The helpers' own asserts say what they compared, as a test's do.
pytest.register_assert_rewrite("helpers")

from helpers import SHIPPED, registered  # noqa: E402
from hypothesis import settings  # noqa: E402

import policyengine  # noqa: E402
from policyengine.core._messages import TEMPLATES  # noqa: E402
from policyengine.errors import PolicyError  # noqa: E402

# Property tests draw the same examples on every run (each test seeds its own), so a
# run, CI's included, is repeatable: a failure seen once is seen again. Set
# HYPOTHESIS_PROFILE=explore to draw new examples while working on the code.
# A test that names no bounds of its own gets these: as many examples as Hypothesis's
# default, and a deadline for one example that a loaded shared machine still meets (the
# default 200 ms failed a sound test at load 10); speed goals live in benchmarks/.
_BOUNDS = {"max_examples": 100, "deadline": datetime.timedelta(seconds=3)}
settings.register_profile("repeatable", derandomize=True, **_BOUNDS)
settings.register_profile("explore", derandomize=False, **_BOUNDS)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

#: (class, code) of every error made since the current test started.
_made: set[tuple[type[PolicyError], str]] = set()
#: PolicyError.__init__ as the package defines it, put back when the session ends.
_ORIGINAL_INIT = PolicyError.__init__
#: (code, form, details given) of every problem made from a template since the test started.
_said: set[tuple[str, str, frozenset[str]]] = set()
_ORIGINAL_FROM_TEMPLATE = PolicyError.__dict__["from_template"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "unregistered_code: the test makes an error with an unregistered code"
    )

    @functools.wraps(_ORIGINAL_INIT)
    def noting(self: PolicyError, *args: Any, **kwargs: Any) -> None:
        _ORIGINAL_INIT(self, *args, **kwargs)
        _made.add((type(self), self.code))

    PolicyError.__init__ = noting  # type: ignore[method-assign]

    def saying(cls: type[PolicyError], code: str, **kwargs: Any) -> PolicyError:
        # An evaluation error is said from its words, kept apart from its stored details.
        words = kwargs.get("words")
        details = (kwargs.get("details") or {}) if words is None else words
        _said.add((code, kwargs.get("form", ""), frozenset(details)))
        made: PolicyError = _ORIGINAL_FROM_TEMPLATE.__func__(cls, code, **kwargs)
        return made

    PolicyError.from_template = classmethod(saying)  # type: ignore[method-assign, assignment]


def pytest_unconfigure(config: pytest.Config) -> None:
    PolicyError.__init__ = _ORIGINAL_INIT  # type: ignore[method-assign]
    PolicyError.from_template = _ORIGINAL_FROM_TEMPLATE  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def pack() -> policyengine.Repository:
    """The shipped policy folder (policies/), loaded once: a Repository is frozen, so the
    tests that run its months share it."""
    return policyengine.load(SHIPPED)


@pytest.fixture(autouse=True)
def _english_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite compares English output: a developer's ``LANG=zh_CN.UTF-8`` must not
    change what the commands print (a test asking for Chinese sets it again)."""
    monkeypatch.setenv("POLICYENGINE_LANG", "en")


@pytest.fixture(autouse=True)
def _errors_are_registered(request: pytest.FixtureRequest) -> Iterator[None]:
    _made.clear()
    _said.clear()
    yield
    if request.node.get_closest_marker("unregistered_code") is None:
        wrong = sorted(
            f"{cls.__name__}: {code}" for cls, code in _made if not registered(cls, code)
        )
        assert wrong == [], "made with a code policyengine.codes does not give that class"
    unfilled = sorted(
        f"{code}:{form} given {sorted(given)}"
        for code, form, given in _said
        if not _filled(TEMPLATES.get((code, form)), given)  # type: ignore[call-overload]
    )
    _said.clear()
    assert unfilled == [], "a problem's details are not the placeholders of its template"


def _filled(template: Any, given: frozenset[str]) -> bool:
    """Whether ``given`` are the template's placeholders (``rule_id`` may be given unsaid)."""
    if template is None:
        return False
    wanted: frozenset[str] = template.placeholders
    return wanted in (given, given - {"rule_id"})
