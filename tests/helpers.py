"""Small helpers the tests share: a policy written to a temporary file."""

from __future__ import annotations

import textwrap
from pathlib import Path

import policyengine

HEADER = """\
format: 1
policy: t
version: "1"
effective_from: 2026-01-01
title: test policy
"""


def write_policy(tmp_path: Path, body: str, name: str = "policy.yaml") -> Path:
    """Write HEADER plus ``body`` (dedented) and return the path."""
    path = tmp_path / name
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return path


def policy_from(tmp_path: Path, body: str) -> policyengine.Policy:
    return policyengine.load_policy(write_policy(tmp_path, body))


def registered(error_class: type[policyengine.PolicyError], code: str) -> bool:
    """Whether policyengine.codes lists ``code`` as raised by this class or a parent of it."""
    from policyengine.codes import CODES

    return any(
        any(c.__name__ == info.error_class for c in error_class.__mro__)
        for info in CODES.get(code, ())  # type: ignore[call-overload]
    )
