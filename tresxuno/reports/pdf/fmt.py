"""Text for printed reports: labels, amounts, percents and dates in the language in force (or a given one).

Amounts are es-MX (``$1,234,567.89``; ``MX$`` in English), percents are basis points shown with two
decimals, dates come from Babel's CLDR data so month names are never written here. Every label
goes through the gettext catalogue; :func:`translator` gives a fixed language for the bilingual
receipt, whatever the language in force.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from xml.sax.saxutils import escape

from babel.dates import format_date, format_datetime, format_time

from tresxuno.domain.money import Money, format_money
from tresxuno.domain.stages import STAGE_LABELS, Stage
from tresxuno.formatting import category_label, party_label
from tresxuno.i18n import DOMAIN, LOCALE_DIR, N_, _, language

#: Display names of ledger entry kinds.
KIND_LABELS: dict[str, str] = {
    "contribution": N_("Contribution"),
    "payment": N_("Payment"),
    "refund": N_("Refund"),
    "reversal": N_("Reversal"),
}
_LOCALES = {"es": "es_MX", "en": "en_US"}


@lru_cache(maxsize=4)
def translator(lang: str) -> Callable[[str], str]:
    """``gettext`` of one language (``es`` or ``en``), whatever language is in force."""
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True).gettext


def money(centavos: int, lang: str | None = None) -> str:
    """An MXN amount for display: ``$1,234.56`` (es) or ``MX$1,234.56`` (en)."""
    return format_money(Money(centavos), lang or language())


def usd(cents: int, lang: str | None = None) -> str:
    """A USD amount for display: ``US$1,234.56`` (es) or ``$1,234.56`` (en)."""
    return format_money(Money(cents, "USD"), lang or language())


def percent(bp: int) -> str:
    """Basis points as a percent: ``2500`` -> ``25.00 %``."""
    sign = "-" if bp < 0 else ""
    whole, rest = divmod(abs(bp), 100)
    return f"{sign}{whole}.{rest:02d} %"


def tenths(value: int) -> str:
    """A percent in tenths: ``455`` -> ``45.5 %``, ``1000`` -> ``100 %``."""
    whole, tenth = divmod(value, 10)
    return f"{whole}.{tenth} %" if tenth else f"{whole} %"


def short_date(day: date | None, lang: str | None = None) -> str:
    """``03/12/2007`` (es) or ``Dec 3, 2007`` (en); "" for None."""
    if day is None:
        return ""
    code = lang or language()
    return format_date(day, "dd/MM/yyyy" if code == "es" else "medium", locale=_LOCALES.get(code, "es_MX"))


def long_date(day: date | None, lang: str | None = None) -> str:
    """``3 de diciembre de 2007`` (es) or ``December 3, 2007`` (en); "" for None."""
    if day is None:
        return ""
    code = lang or language()
    return format_date(day, "long", locale=_LOCALES.get(code, "es_MX"))


def date_time(moment: datetime, lang: str | None = None) -> tuple[str, str]:
    """(date, time) of a moment: ``("23/11/2026", "13:48")`` (es) or ``("Nov 23, 2026", "1:48 PM")``."""
    code = lang or language()
    locale = _LOCALES.get(code, "es_MX")
    if code == "es":
        return format_datetime(moment, "dd/MM/yyyy", locale=locale), format_datetime(
            moment, "HH:mm", locale=locale
        )
    return short_date(moment.date(), code), format_time(moment, "short", locale=locale)


def kind_label(kind: str) -> str:
    """Translated name of a ledger entry kind (the id itself when unknown)."""
    label = KIND_LABELS.get(kind)
    return _(label) if label else kind


def party(party_id: str | None) -> str:
    """Translated party name; "" for None (a payment attributed to every party)."""
    if not party_id:
        return ""
    try:
        return party_label(party_id)
    except ValueError:
        return party_id


def stage(stage_id: str | None) -> str:
    """Translated stage name; "" for None."""
    if not stage_id:
        return ""
    try:
        return _(STAGE_LABELS[Stage(stage_id)])
    except ValueError:
        return stage_id


def category(category_id: str) -> str:
    """Translated category name."""
    return category_label(category_id)


def esc(text: object) -> str:
    """``text`` made safe inside Paragraph markup (``&``, ``<``, ``>``)."""
    return escape(str(text))


def yes_no(value: bool) -> str:
    """Translated yes or no."""
    return _("yes") if value else _("no")
