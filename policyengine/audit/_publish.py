"""Publishing versions: a version is locked only when its folder loads and its tests pass.

The lock records a version file and its SHA-256 for good: once published a file
never changes, and a correction is a new version (docs/policies.md). So a file
that does not load (a broken expression, a slip the type checker refuses), or one
whose own embedded tests fail, must never be published: it would stay in the lock
and in every month's evidence. :func:`lock` checks the whole folder as
``validate`` does and runs the embedded tests of every version the lock would add
(versions published before keep their verdict), then locks as
:func:`policyengine.load._lock.lock` does; any problem refuses the lock, all of
them at once, and nothing is written.
"""

from __future__ import annotations

import datetime
import os

from ..core._display import plain
from ..errors import InvalidPolicy, Location, LockError, PolicyError
from ..load._keys import SigningKey
from ..load._lock import LockEntry
from ..load._lock import lock as lock_files
from ..run._repository import load
from ..run._testing import CaseResult, as_written, run_tests

__all__ = ["lock", "publication_problems"]

_Where = str | os.PathLike[str]


def lock(
    policies_dir: _Where,
    lock_path: _Where,
    published: datetime.date,
    key: SigningKey | None = None,
) -> tuple[LockEntry, ...]:
    """Publish every version file not yet locked, on ``published`` (see
    :func:`policyengine.load._lock.lock`), once the folder loads and the new versions'
    embedded tests pass; raises :class:`InvalidPolicy` with every problem otherwise."""
    problems = publication_problems(policies_dir, lock_path)
    if problems:
        raise InvalidPolicy(problems, file=str(lock_path))
    return lock_files(policies_dir, lock_path, published, key)


def publication_problems(policies_dir: _Where, lock_path: _Where) -> list[PolicyError]:
    """Why the versions not yet locked cannot be published: the folder's problems (as
    ``validate`` finds them), else each embedded test of a new version that fails."""
    try:
        repository = load(policies_dir, lock=lock_path)
    except InvalidPolicy as exc:
        return list(exc.problems)
    new = [version.policy for version in repository.versions if version.published is None]
    return [_failed(outcome) for outcome in run_tests(new) if not outcome.passed]


def _failed(outcome: CaseResult) -> PolicyError:
    """A failing test of a version about to be published, said where the case is written."""
    policy, case = outcome.policy, outcome.case
    details: dict[str, object] = {"policy": policy.id, "version": policy.version, "test": case.name}
    form = ""
    if outcome.error is not None:
        form, details["error"] = "error", outcome.error.code
    else:
        first = outcome.mismatches[0]
        details.update(output=first.output, expected=plain(first.expected))
        details.update(actual=as_written(first.actual, first.expected))
    return LockError.from_template(
        "test-failed",
        form=form,
        location=Location(file=policy.file, line=case.line, pointer=case.pointer),
        details=details,
    )
