"""How the app writes things for people: money, percents, dates, times and labels, in es (es-MX) or en.

The one formatting module for the UI, the PDFs, the exports and the messages; it imports only the
domain, i18n, Babel and the standard library.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tresxuno.domain.money import Money, format_money
from tresxuno.domain.parties import Party
from tresxuno.domain.stages import Stage
from tresxuno.i18n import N_, _, language

#: A date or time style: ``numeric`` for screens and sheets, ``short`` and ``long`` for print.
DateStyle = Literal["numeric", "short", "long"]

#: Babel locales of the app's languages.
LOCALES: dict[str, str] = {"es": "es_MX", "en": "en_US"}

#: English msgids of the parties' display names, translated when shown.
PARTY_LABELS: dict[Party, str] = {
    Party.CLUB: N_("Club"),
    Party.FEDERAL: N_("Federal"),
    Party.STATE: N_("State"),
    Party.MUNICIPAL: N_("Municipal"),
    Party.PARTNER: N_("Partner"),
}

#: English msgids of the stages' display names, translated when shown.
STAGE_LABELS: dict[Stage, str] = {
    Stage.BORRADOR: N_("Draft"),
    Stage.SOLICITADO: N_("Requested"),
    Stage.PREVALIDADO: N_("Pre-validated"),
    Stage.EN_COVAM: N_("At COVAM"),
    Stage.APROBADO: N_("Approved"),
    Stage.RECHAZADO: N_("Rejected"),
    Stage.DEVUELTO: N_("Returned"),
    Stage.CONVENIO_FIRMADO: N_("Agreement signed"),
    Stage.EN_EJECUCION: N_("In execution"),
    Stage.TERMINADO: N_("Finished (handed over)"),
    Stage.CERRADO: N_("Closed"),
    Stage.CANCELADO: N_("Cancelled"),
}

#: English msgids of the categories' display names, keyed by category id.
CATEGORY_LABELS: dict[str, str] = {
    "infrastructure": N_("Social infrastructure"),
    "community-services": N_("Community services"),
    "education": N_("Education"),
    "scholarships": N_("Scholarships"),
    "productive-community": N_("Productive, community"),
    "productive-family": N_("Productive, family"),
    "productive-individual": N_("Productive, individual"),
}

#: English msgids of the kinds of ledger entry, keyed by kind id.
ENTRY_KIND_LABELS: dict[str, str] = {
    "contribution": N_("Contribution"),
    "payment": N_("Payment"),
    "refund": N_("Refund"),
    "reversal": N_("Reversal"),
}

#: English msgids of the kinds of COVAM session, keyed by kind id (stored in Spanish).
SESSION_KIND_LABELS: dict[str, str] = {"ordinaria": N_("Ordinary"), "extraordinaria": N_("Extraordinary")}


def _lang(lang: str | None) -> str:
    """``es`` or ``en`` from ``lang`` (``es_MX``, ``en-US`` too), else the language in force."""
    base = (lang or language()).replace("-", "_").split("_")[0].lower()
    return base if base in LOCALES else "es"


# -- money -----------------------------------------------------------------------------------


def money_text(
    amount: Money | int, lang: str | None = None, *, symbol: bool = True, code: bool = False
) -> str:
    """An amount for people: ``$1,234,567.89`` (es-MX) or ``MX$1,234,567.89`` (en-US).

    Both languages group thousands with "," and use "." as the decimal point; the sign goes before
    the symbol (``-$1,234.56``); dollars are ``US$`` in Spanish and ``$`` in English. The text reads
    back with :meth:`Money.parse` (the domain's ``format_money`` is the language-explicit primitive).

    Args:
        amount: a :class:`Money`, or an int of centavos MXN.
        lang: ``es`` or ``en``; None for the language in force.
        symbol: put the currency symbol before the figure (False for the text of an amount field).
        code: append the ISO code (``" MXN"``).
    """
    money = amount if isinstance(amount, Money) else Money(amount)
    return format_money(money, _lang(lang), symbol=symbol, code=code)


# -- percents --------------------------------------------------------------------------------


def percent_number(bp: int, *, decimals: int = 2) -> str:
    """Basis points as the figure of a percent, without the sign: ``2500`` -> ``25.00``.

    The figure is what a percent field holds (it reads back as typed) and what :func:`percent` shows.

    Args:
        bp: basis points, hundredths of a percent (10000 = 100 %); any int.
        decimals: 0, 1 or 2 fixed decimals; fewer than 2 round half away from zero (``3335`` with
            one decimal is ``33.4``).
    """
    if decimals not in (0, 1, 2):
        raise ValueError(f"decimals must be 0, 1 or 2, not {decimals}")
    step = 10 ** (2 - decimals)
    units, rest = divmod(abs(bp), step)
    if 2 * rest >= step:
        units += 1
    whole, fraction = divmod(units, 10**decimals)
    sign = "-" if bp < 0 and units else ""
    return f"{sign}{whole}.{fraction:0{decimals}d}" if decimals else f"{sign}{whole}"


def shares_of_total_bp(amounts: Mapping[str, int]) -> dict[str, int]:
    """Each party's part of the total in basis points, adding up to exactly 10,000 (100.00 %).

    Documents print the parties' percentages from their amounts by the same largest-remainder rule
    as the amounts themselves (:func:`tresxuno.domain.ledger.attribute`): each party gets the whole
    basis points of its exact part and the leftover ones go to the largest remainders, ties in party
    order; so a column of percentages never totals 100.01 %. A zero total gives zeros.
    """
    from tresxuno.domain.ledger import attribute  # the ledger's rules: not loaded by every command

    positive = {party: amount for party, amount in amounts.items() if amount > 0}
    if not positive:
        return dict.fromkeys(amounts, 0)
    split = attribute(10_000, positive)
    return {party: split.get(party, 0) for party in amounts}


def percent(bp: int, *, decimals: int = 2) -> str:
    """Basis points as a percent: ``2500`` -> ``25.00 %``, ``3333`` -> ``33.33 %``.

    The app's one percent style, the same in es and en: a fixed number of decimals ("." as the
    decimal point, never trimmed), a space, then "%". Shares and mixes show two decimals; physical
    progress, kept in tenths of a percent, shows one (``percent(tenths * 10, decimals=1)`` ->
    ``45.5 %``, ``100.0 %``); whole percents (zoom, a task's progress) none.

    Args:
        bp: basis points, hundredths of a percent (10000 = 100 %); any int.
        decimals: 0, 1 or 2 fixed decimals (see :func:`percent_number` for the rounding).
    """
    return f"{percent_number(bp, decimals=decimals)} %"


# -- dates and times -------------------------------------------------------------------------


#: The office's IANA zone; None: the computer's own zone (what ``date.today()`` uses), so a PC set to
#: its office's time agrees with itself; an office whose computers keep another zone sets its own.
_office_zone: str | None = None


def set_office_zone(name: str | None) -> str | None:
    """Use the IANA zone ``name`` for the office's local dates (None or unknown: the computer's zone)."""
    global _office_zone
    try:
        if name:
            ZoneInfo(name)
        _office_zone = name or None
    except (ZoneInfoNotFoundError, ValueError):
        _office_zone = None
    return _office_zone


def office_zone() -> str | None:
    """The IANA zone of the office's local dates (None: the computer's own)."""
    return _office_zone


def local_date(instant: datetime) -> date:
    """The office's local date of a stored instant (naive means UTC, as every stored time is).

    A stage move at 19:30 in Jerez is 01:30 the next day in UTC: documents and histories print the
    day the officer lived, not the UTC one.
    """
    moment = instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
    return (moment.astimezone(ZoneInfo(_office_zone)) if _office_zone else moment.astimezone()).date()


def date_text(day: date | datetime | None, lang: str | None = None, *, style: DateStyle = "numeric") -> str:
    """A calendar date for people; an empty string for None.

    Styles:
        ``numeric``: ``03/12/2007`` (dd/mm/yyyy) in both languages: screens, sheets and imports, where
            dates line up in columns; the app serves Mexican offices, and a day-first date written
            the same in both languages never reads as another day.
        ``short``: ``03/12/2007`` (es) or ``Dec 3, 2007`` (en): printed documents, which clubs abroad
            read in English.
        ``long``: ``3 de diciembre de 2007`` (es) or ``December 3, 2007`` (en): the text of documents.

    Args:
        day: the date (a datetime counts by its own date, in its own time zone).
        lang: ``es`` or ``en``; None for the language in force (``numeric`` is the same in both).
        style: one of the styles above.
    """
    if day is None:
        return ""
    if style == "numeric" or (style == "short" and _lang(lang) == "es"):
        return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
    from babel.dates import format_date  # CLDR tables load only when a printed date needs them

    plain = day.date() if isinstance(day, datetime) else day
    return format_date(plain, "medium" if style == "short" else "long", locale=LOCALES[_lang(lang)])


def time_text(
    moment: datetime, lang: str | None = None, *, style: DateStyle = "numeric", seconds: bool = False
) -> str:
    """The time of day of ``moment`` as its clock shows it (no time zone conversion).

    ``numeric`` is 24-hour ``13:48`` in both languages; ``short`` and ``long`` are ``13:48`` (es) or
    the English locale's 12-hour clock, ``1:48 PM`` (en), for print.

    Args:
        moment: the moment; its own time zone, if any, is the one shown.
        lang: ``es`` or ``en``; None for the language in force.
        style: ``numeric`` for screens and sheets, ``short`` or ``long`` for print.
        seconds: also show the seconds (``13:48:05``; audit trails).
    """
    if style == "numeric" or _lang(lang) == "es":
        return f"{moment:%H:%M:%S}" if seconds else f"{moment:%H:%M}"
    from babel.dates import format_time  # as in date_text: loaded only for print

    return format_time(moment, "medium" if seconds else "short", locale=LOCALES[_lang(lang)])


def datetime_text(
    moment: datetime, lang: str | None = None, *, style: DateStyle = "numeric", seconds: bool = False
) -> str:
    """Date and time of ``moment``: ``23/11/2026 13:48`` (numeric), as :func:`date_text` then :func:`time_text`."""
    return f"{date_text(moment, lang, style=style)} {time_text(moment, lang, style=style, seconds=seconds)}"


# -- labels ----------------------------------------------------------------------------------


def party_label(party: Party | str | None) -> str:
    """Translated display name of a party; "" for None or "", an unknown id (a newer app's) as stored."""
    if not party:
        return ""
    try:
        return _(PARTY_LABELS[Party(party)])
    except ValueError:
        return str(party)


def stage_label(stage: Stage | str | None) -> str:
    """Translated display name of a stage; "" for None or "", an unknown id (a newer app's) as stored."""
    if not stage:
        return ""
    try:
        return _(STAGE_LABELS[Stage(stage)])
    except ValueError:
        return str(stage)


def category_label(category: str) -> str:
    """Translated display name of a category id; an unknown id as stored."""
    label = CATEGORY_LABELS.get(category)
    return _(label) if label else category


#: A quarter as documents title it ("Tercer trimestre de 2017"), by quarter number 1-4.
QUARTER_TITLES: tuple[str, ...] = (
    N_("First quarter of {year}"),
    N_("Second quarter of {year}"),
    N_("Third quarter of {year}"),
    N_("Fourth quarter of {year}"),
)


def quarter_title(quarter: int, year: int) -> str:
    """A quarter in words, translated: ``quarter_title(3, 2017)`` -> "Third quarter of 2017"."""
    return _(QUARTER_TITLES[quarter - 1]).format(year=year)


def progress_bp(done: int, planned: int) -> int | None:
    """How much of ``planned`` is ``done``, basis points rounded down (None when nothing was planned).

    Rounded down so a document never reads 100.00 % while a centavo is still missing.
    """
    if planned <= 0:
        return None
    return done * 10000 // planned


#: School levels of scholarship amounts, in the order a school career goes.
SCHOOL_LEVEL_LABELS: dict[str, str] = {
    "primary": N_("Primary school"),
    "secondary": N_("Secondary school"),
    "upper-secondary": N_("Upper secondary school"),
    "higher": N_("Higher education"),
}


def school_level_label(level: str) -> str:
    """Translated name of a school level id (``primary``...); an unknown id as stored."""
    label = SCHOOL_LEVEL_LABELS.get(str(level))
    return _(label) if label else str(level)


def entry_kind_label(kind: str) -> str:
    """Translated name of a ledger entry kind (``contribution``...); an unknown id as stored."""
    label = ENTRY_KIND_LABELS.get(kind)
    return _(label) if label else kind


def session_kind_label(kind: str) -> str:
    """Translated name of a COVAM session kind (``ordinaria``, ``extraordinaria``); an unknown id as stored."""
    label = SESSION_KIND_LABELS.get(kind)
    return _(label) if label else kind


#: The payment rule in one sentence, for statements and reports to print under the ledger.
PAYMENT_RULE = N_(
    "A payment that names no source party is drawn from the money each party has deposited and not yet "
    "spent, in proportion to the approved shares of the parties that still have money, none beyond what "
    "it holds; what one party cannot cover is taken from the others in the same proportion. No party's "
    "balance ever goes below zero."
)
