"""'Did you mean' for misspelt names, keys and functions."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest choice to ``word``, or None when none is close."""
    matches = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    if matches:
        return f"did you mean '{matches[0]}'?"
    return None
