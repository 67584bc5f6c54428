"""One kind's keys as a month's check met them: what its children's parent links are
held against (valid, met at all, written with spaces around, written alike)."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable

__all__ = ["SeenKeys"]


class SeenKeys:
    """One kind's records, checked: the keys of the valid ones, and every key met. Both
    made on first use: only the kind's children ask, and a month's calls have none."""

    def __init__(
        self,
        labels: Iterable[int | str] = (),
        positions: Iterable[str] = (),
        *,
        unreadable: bool = False,
    ) -> None:
        self._labels, self._positions, self.unreadable = labels, positions, unreadable

    @functools.cached_property
    def valid(self) -> set[str]:
        return set(map(str, self._labels))

    @functools.cached_property
    def keys(self) -> set[str]:
        return set(self._positions)

    @functools.cached_property
    def _alike(self) -> dict[str, str]:
        return {_folded(key): key for key in sorted(self.keys)}

    def written_alike(self, link: str) -> str | None:
        """A hint naming a key of this kind written as ``link`` is but for case, width or
        spaces (``r104``, ``Ｒ104``): the same record, surely. Never the nearest other key:
        R214 for a call of R212, who left, is another person, and paying them is worse than
        leaving the call out."""
        found = self._alike.get(_folded(link))
        return None if found is None or found == link else f"did you mean '{found}'?"

    @functools.cached_property
    def written_around(self) -> dict[str, str]:
        """The keys met with white space around them, by how they read without it: a
        child naming ``R104`` when the file wrote ``R104 `` names that (refused) record."""
        return {key.strip(): key for key in self.keys if key != key.strip()}


def _folded(key: str) -> str:
    """A key as it reads whatever its case, width and surrounding spaces."""
    return unicodedata.normalize("NFKC", key).strip().casefold()
