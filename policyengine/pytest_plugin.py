"""Collect the embedded ``tests:`` of policy files as pytest items, one per case.

Active only for the folders named in the ``policyengine_paths`` ini option
(for this project: ``policies``), so installing the package never makes
pytest read unrelated YAML files elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .errors import InvalidPolicy
from .load._build import load_policy_in_place
from .load._layout import ENTITIES_NAME, is_version_name
from .model import Policy, TestCase
from .run._testing import run_case


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "policyengine_paths",
        type="paths",
        help="folders whose *.yaml policy files have embedded tests to collect",
        default=[],
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    # The files `run` uses as versions, and no others (see policyengine.load._layout).
    if not is_version_name(file_path.name) or file_path.name == ENTITIES_NAME:
        return None
    roots = [Path(p).resolve() for p in parent.config.getini("policyengine_paths")]
    resolved = file_path.resolve()
    if not any(root == resolved or root in resolved.parents for root in roots):
        return None
    collector: pytest.Collector = PolicyFile.from_parent(parent, path=file_path)
    return collector


class PolicyFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        try:
            policy = load_policy_in_place(self.path)
        except InvalidPolicy as exc:
            yield BrokenPolicy.from_parent(self, name="load", error=exc)
            return
        for case in policy.tests:
            yield PolicyCase.from_parent(self, name=case.name, policy=policy, case=case)


class PolicyCaseFailed(Exception):
    """Raised by an embedded case whose outputs differ from the expected ones."""


class PolicyCase(pytest.Item):
    def __init__(self, *, policy: Policy, case: TestCase, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.policy = policy
        self.case = case

    def runtest(self) -> None:
        outcome = run_case(self.policy, self.case)
        if not outcome.passed:
            raise PolicyCaseFailed(outcome.render())

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, PolicyCaseFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, (self.case.line or 1) - 1, f"policy test: {self.case.name}"


class BrokenPolicy(pytest.Item):
    def __init__(self, *, error: InvalidPolicy, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error

    def runtest(self) -> None:
        raise PolicyCaseFailed(self.error.render())

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        return str(excinfo.value)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, 0, "policy file"
