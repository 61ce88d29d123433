"""Translations for every ring (gettext catalogues compiled with Babel), Qt-free.

Message ids are English; ``es`` (es-MX) is the default language. Qt's own strings are
translated separately by the UI with ``qtbase_<lang>.qm``.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

DOMAIN = "tresxuno"
LANGUAGES: tuple[str, ...] = ("es", "en")
DEFAULT_LANGUAGE = "es"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_current: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def set_language(lang: str | None) -> str:
    """Switch every later ``_()`` call to ``lang`` (``es`` or ``en``); returns the language used."""
    global _current, _language
    lang = (lang or DEFAULT_LANGUAGE).split("_")[0].split("-")[0].lower()
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    _current = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)
    _language = lang
    return lang


def language() -> str:
    """The language in force."""
    return _language


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message whose form depends on ``n``."""
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark ``message`` for extraction without translating it now (tables built at import)."""
    return message


set_language(DEFAULT_LANGUAGE)


@cache
def _catalogue(lang: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def translate(message: str, lang: str) -> str:
    """``message`` in ``lang`` whatever the language in force.

    For files whose language is fixed by whoever receives them (the transparency portals are
    Spanish), written from any thread.
    """
    return _catalogue(lang if lang in LANGUAGES else DEFAULT_LANGUAGE).gettext(message)
