"""What printed reports need beyond :mod:`tresxuno.formatting`: a fixed-language translator and markup escaping.

Money, percents, dates and labels come from :mod:`tresxuno.formatting`, the same text as on screen.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import lru_cache
from xml.sax.saxutils import escape

from tresxuno.i18n import DOMAIN, LOCALE_DIR, _


@lru_cache(maxsize=4)
def translator(lang: str) -> Callable[[str], str]:
    """``gettext`` of one language (``es`` or ``en``), whatever language is in force (the bilingual receipt)."""
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True).gettext


def esc(text: object) -> str:
    """``text`` made safe inside Paragraph markup (``&``, ``<``, ``>``)."""
    return escape(str(text))


def yes_no(value: bool) -> str:
    """Translated yes or no."""
    return _("yes") if value else _("no")
