"""The code registry: one list of codes, each raised by the class it names.

docs/errors.md is checked against the registry in test_docs.py; the classes that
really raise each code are checked by tests/conftest.py, after every test.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import cast, get_args

import pytest
from helpers import registered

import policyengine
from policyengine.codes import CODES, ErrorCode
from policyengine.errors import PolicyError

CODES_PY = Path(policyengine.__file__).parent / "codes" / "__init__.py"


def _error_classes(root: type[PolicyError] = PolicyError) -> list[type[PolicyError]]:
    """Every error class of the package: the root and all its subclasses, however deep."""
    classes = [root]
    for sub in root.__subclasses__():
        if sub.__module__.startswith("policyengine."):
            classes.extend(_error_classes(sub))
    return classes


def test_the_literal_lists_every_registered_code() -> None:
    """ErrorCode (what mypy checks codes against) and CODES (what the docs are checked
    against) hold the same codes."""
    assert set(get_args(ErrorCode)) == set(CODES)


def test_codes_are_kebab_case_with_one_meaning_a_line() -> None:
    """Every code is kebab-case, and each of its places has a class and a one-line meaning."""
    for code, places in CODES.items():
        assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", code), code
        assert places, code
        for info in places:
            assert info.error_class and info.anchor, code
            assert info.meaning.strip() and "\n" not in info.meaning, code


def test_a_code_is_listed_once_in_each_section() -> None:
    """A code has at most one place per section of docs/errors.md: one row to check it by."""
    for code, places in CODES.items():
        anchors = [info.anchor for info in places]
        assert len(anchors) == len(set(anchors)), code


def test_every_error_class_has_its_default_code_registered() -> None:
    """The default code of each class is registered for that class (or a parent of it)."""
    classes = _error_classes()
    assert {"LockError", "LedgerError", "OutputError", "UsageError", "InvalidRecord"} <= {
        c.__name__ for c in classes
    }
    assert [c.__name__ for c in classes if not registered(c, c.default_code)] == []


def test_each_class_takes_the_default_code_the_registry_gives_it() -> None:
    """The section of default codes is where a class's default code is written: an error
    made without a code has it."""
    defaults = {
        info.error_class: code
        for code, places in CODES.items()
        for info in places
        if info.anchor == "default-codes-of-the-classes"
    }
    classes = {c.__name__: c for c in _error_classes()}
    assert {"ModelError", "SchemaViolation", "InvalidRecord"} <= set(defaults)
    for name, code in defaults.items():
        assert classes[name].default_code == code, name
    assert policyengine.ModelError("made without a code").code == "invalid-model"
    assert policyengine.LockError("made without a code").code == "policy-error"  # inherited


def test_registered_accepts_a_subclass_and_refuses_another_class() -> None:
    """The check behind conftest's teardown: a subclass of the registered class passes."""
    assert registered(policyengine.InvalidRecord, "not-a-number")  # a FactError code
    assert registered(policyengine.LedgerError, "invalid-period")
    assert not registered(policyengine.LockError, "invalid-period")
    assert not registered(PolicyError, "not-a-number")
    assert not registered(policyengine.FactError, "no-such-code")


@pytest.mark.unregistered_code
def test_an_unknown_code_is_kept_as_given() -> None:
    """At run time an unregistered code is no crash: the error keeps it, as the user sees it."""
    error = PolicyError("boom", code=cast(ErrorCode, "no-such-code"))
    assert error.code == "no-such-code"
    assert error.render() == "no-such-code: boom"


def test_the_registry_imports_nothing_from_the_package() -> None:
    """The codes package runs on its own: errors.py imports it, so it must not import the
    engine (its meanings module is the only other module it reads)."""
    script = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('codes_alone', {str(CODES_PY)!r},"
        f" submodule_search_locations=[{str(CODES_PY.parent)!r}])\n"
        "sys.modules['codes_alone'] = module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "assert len(module.CODES) > 100\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'policyengine'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd="/"
    )
    assert out.stdout.strip() == "[]"
