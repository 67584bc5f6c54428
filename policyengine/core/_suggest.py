"""'Did you mean' for misspelt names, keys and functions, in time linear in what is loaded.

Comparing a word with every choice (``difflib``) costs a few microseconds a
pair, and a file of thousands of misspelt names against thousands of
declared ones would take minutes. So a set of choices is prepared once
(cached, keyed by the choices themselves) and, when it is large, indexed by
each choice and every way of deleting one of its characters: a typo one edit
away (a letter added, dropped, changed, or two swapped) shares a key with its
word, so a word is compared only with the few choices it shares a key with.
Small sets are compared whole, exactly as ``difflib.get_close_matches`` does.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from functools import lru_cache

#: Sets of at most this many choices are compared whole; larger ones through the index.
SMALL = 100
#: Words (and choices) longer than this get no suggestion: no name is so long, and
#: every way of deleting a character of a long text is a long text again.
MAX_WORD = 64
_CUTOFF = 0.6


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest choice to ``word``, or None when none is close."""
    match = suggester(tuple(choices)).closest(word)
    return None if match is None else f"did you mean '{match}'?"


@lru_cache(maxsize=8)
def suggester(choices: tuple[str, ...]) -> Suggester:
    """The prepared :class:`Suggester` of ``choices``: asked for every misspelt name of a
    file, it is built once per set of choices. A load asks of a few sets at a time, and
    an index of a large set is megabytes: only the last few are kept."""
    return Suggester(choices)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class Suggester:
    """One set of choices, ready to be asked for the closest to many words."""

    def __init__(self, choices: Iterable[str]) -> None:
        self.choices = sorted(set(choices))
        self._index: dict[str, list[str]] | None = None

    def closest(self, word: str) -> str | None:
        """The closest choice to ``word`` (``difflib``'s measure, at least 0.6), or None."""
        if len(word) > MAX_WORD:
            return None
        candidates = self.choices if len(self.choices) <= SMALL else self._near(word)
        matches = difflib.get_close_matches(word, candidates, n=1, cutoff=_CUTOFF)
        return matches[0] if matches else None

    def _near(self, word: str) -> list[str]:
        """The choices one edit from ``word`` (at most ``SMALL`` of them, in order)."""
        if self._index is None:
            self._index = {}
            for choice in self.choices:
                keys = {choice} | (_deletions(choice) if len(choice) <= MAX_WORD else set())
                for key in keys:
                    bucket = self._index.setdefault(key, [])
                    if len(bucket) < SMALL:  # a key shared by thousands says little
                        bucket.append(choice)
        found: set[str] = set()
        for key in {word} | _deletions(word):
            found.update(self._index.get(key, ()))
        return sorted(found)[:SMALL]
