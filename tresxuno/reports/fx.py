"""The bank's effective exchange rate of a dollar deposit, against the published rate (FIX).

A bank credits its own rate, so the pesos credited rarely equal dollars x FIX to the centavo. The
receipt and the statement print the effective rate and the difference so that no gap goes
unexplained; equal amounts print nothing extra.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from tresxuno.domain.money import RateGap
from tresxuno.domain.money import rate_gap as domain_rate_gap
from tresxuno.i18n import N_

#: Labels printed beside the figures (English msgids).
EFFECTIVE_RATE = N_("Bank's effective exchange rate")
DIFFERENCE = N_("Difference against FIX")


def rate_gap(usd_cents: int | None, credited: int, rate: str) -> RateGap | None:
    """The gap of one deposit, or None for pesos, an unreadable rate, or pesos equal to USD x rate."""
    if not usd_cents or usd_cents < 0 or not rate:
        return None
    try:
        return domain_rate_gap(usd_cents, Decimal(rate), credited)
    except (InvalidOperation, ValueError):
        return None


def rate_text(rate: Decimal) -> str:
    """A rate with its four decimals, e.g. ``17.1234``."""
    return f"{rate:.4f}"
