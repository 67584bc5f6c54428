"""The languages a problem can be said in, and the catalogue that says it.

Every problem is made in English (:mod:`policyengine.core._messages`); another
language is a compiled gettext catalogue shipped in the package,
``policyengine/locale/<locale>/LC_MESSAGES/policyengine.mo``, built by Babel
from the ``.po`` beside it (``python tools/messages.py``). Reading it needs only
the standard library.

The library never guesses a language: :func:`messages` is asked for one by
name. The command line chooses from ``--lang`` or the environment
(:func:`environment_language`), as an HR officer's ``LANG=zh_CN.UTF-8`` asks.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # only named: the command line reads this module before its --help
    from ._messages import Catalogue

#: Where the compiled catalogues lie, and their gettext domain.
LOCALE_DIR: Final = Path(__file__).parent.parent / "locale"
DOMAIN: Final = "policyengine"
#: The languages problems are said in -> the locale folder of its catalogue (None: the
#: templates themselves).
LANGUAGES: Final[Mapping[str, str | None]] = {"en": None, "zh": "zh_CN"}
#: The variables that name a language, first found wins: the project's own, then the
#: POSIX order of the locale's (``LC_ALL`` over ``LC_MESSAGES`` over ``LANG``).
LANGUAGE_VARIABLES: Final = ("POLICYENGINE_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


def language_of(name: str) -> str:
    """The language ``name`` asks for: ``zh``, ``zh_CN.UTF-8``, ``zh-Hans`` … give ``zh``;
    anything without a catalogue (``en_US``, ``C``, ``fr``) gives English, ``en``."""
    head = name.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    return head if head in LANGUAGES else "en"


def environment_language(environ: Mapping[str, str]) -> str:
    """The language the environment asks for: the first variable of ``LANGUAGE_VARIABLES``
    that is set and not empty, else English."""
    for variable in LANGUAGE_VARIABLES:
        value = environ.get(variable, "")
        if value:
            return language_of(value)
    return "en"


@functools.cache
def messages(language: str = "en") -> Catalogue:
    """The catalogue that says problems in ``language`` (``"zh"``, ``"zh_CN"``, ``"en"`` …),
    for :meth:`~policyengine.errors.PolicyError.translated`. A language without a
    catalogue, and every English word the catalogue lacks, is said in English."""
    folder = LANGUAGES[language_of(language)]
    if folder is None:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[folder], fallback=True)
