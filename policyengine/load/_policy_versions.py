"""A policy's version files, and the order in which they are in force.

A :class:`Version` is one ``<policy>/<version>.yaml`` with its publication
day (from ``policies.lock``). :func:`timeline` is the one reading of which
version applies when — corrections replacing what they correct, each
version ending where the next begins unless it says otherwise — shared by
the repository's resolution of a month, its history and its load-time
checks, so that what is checked is what is resolved.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import attrs

from ..model import Policy


@attrs.frozen
class Version:
    """One version file of one policy, with its publication date if locked."""

    policy: Policy
    path: str  # relative to the repository folder, posix form
    published: datetime.date | None = None

    @property
    def id(self) -> str:
        return self.policy.id

    @property
    def version(self) -> str:
        return self.policy.version

    @property
    def sha256(self) -> str:
        return self.policy.sha256

    @property
    def corrects(self) -> str | None:
        return self.policy.corrects

    def known_at(self, day: datetime.date | None) -> bool:
        """Whether the version was published by ``day`` (every version counts when day is None)."""
        return day is None or (self.published is not None and self.published <= day)

    def describe(self) -> dict[str, Any]:
        return {
            "policy": self.id,
            "version": self.version,
            "sha256": self.sha256,
            "path": self.path,
            "published": self.published.isoformat() if self.published else None,
        }


@attrs.frozen
class HistoryEntry:
    """A line of a policy's history: dates in force (as now known) and identity."""

    version: str
    effective_from: datetime.date
    effective_to: datetime.date | None
    published: datetime.date | None
    sha256: str
    path: str
    corrects: str | None = None
    corrected_by: str | None = None


def timeline(versions: Iterable[Version]) -> list[tuple[Version, datetime.date | None]]:
    """The versions that apply (corrections replacing what they correct), each with its end."""
    chosen = list(versions)
    replaced = {v.corrects for v in chosen if v.corrects}
    live = sorted(
        (v for v in chosen if v.version not in replaced),
        key=lambda v: (v.policy.effective_from, v.version),
    )
    timeline = []
    for index, item in enumerate(live):
        end = item.policy.effective_to
        if end is None and index + 1 < len(live):
            end = live[index + 1].policy.effective_from
        timeline.append((item, end))
    return timeline
