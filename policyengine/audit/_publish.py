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
    tested, problems = _publication(policies_dir, lock_path)
    if problems:
        raise InvalidPolicy(problems, file=str(lock_path))
    # Only the bytes whose tests just passed are locked: a file saved again between
    # the tests and the lock is refused, not published untested.
    return lock_files(policies_dir, lock_path, published, key, tested=tested)


def publication_problems(policies_dir: _Where, lock_path: _Where) -> list[PolicyError]:
    """Why the versions not yet locked cannot be published: the folder's problems (as
    ``validate`` finds them), else each embedded test of a new version that fails."""
    return _publication(policies_dir, lock_path)[1]


def _publication(
    policies_dir: _Where, lock_path: _Where
) -> tuple[dict[str, str], list[PolicyError]]:
    """The new versions' SHA-256 by file, as loaded and tested, and the problems."""
    try:
        repository = load(policies_dir, lock=lock_path)
    except InvalidPolicy as exc:
        return {}, list(exc.problems)
    new = [version for version in repository.versions if version.published is None]
    tested = {version.path: version.policy.sha256 for version in new}
    outcomes = run_tests([version.policy for version in new])
    return tested, [_failed(outcome) for outcome in outcomes if not outcome.passed]


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
