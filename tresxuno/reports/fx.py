"""The bank's effective exchange rate of a dollar deposit, against the published rate (FIX).

A bank credits its own rate, so the pesos credited rarely equal dollars x FIX to the centavo. The
receipt and the statement print the effective rate and the difference so that no gap goes
unexplained; equal amounts print nothing extra.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from tresxuno.domain.money import Money, convert_usd
from tresxuno.i18n import N_

#: Labels printed beside the figures (English msgids).
EFFECTIVE_RATE = N_("Bank's effective exchange rate")
DIFFERENCE = N_("Difference against FIX")


@dataclass(frozen=True)
class RateGap:
    """A dollar deposit whose pesos differ from dollars x the recorded rate.

    Attributes:
        effective_rate: pesos credited / dollars, exact Decimal rounded half-up to 4 decimals.
        expected: dollars x the recorded rate, centavos MXN (rounded once, half-up).
        difference: credited - expected, centavos MXN (negative when the bank credited less).
    """

    effective_rate: Decimal
    expected: int
    difference: int


def rate_gap(usd_cents: int | None, credited: int, rate: str) -> RateGap | None:
    """The gap of one deposit, or None for pesos, an unreadable rate, or pesos equal to USD x rate."""
    if usd_cents is None or usd_cents == 0 or not rate:
        return None
    try:
        published = Decimal(rate)
    except InvalidOperation:
        return None
    if not published.is_finite() or published <= 0:
        return None
    expected = convert_usd(Money(usd_cents, "USD"), published).centavos
    if expected == credited:
        return None
    # Exact integer division, rounded once half-up to 4 decimals (no intermediate precision loss).
    whole, rest = divmod(abs(credited) * 10_000, abs(usd_cents))
    if 2 * rest >= abs(usd_cents):
        whole += 1
    effective = Decimal(whole).scaleb(-4)
    return RateGap(effective, expected, credited - expected)


def rate_text(rate: Decimal) -> str:
    """A rate with its four decimals, e.g. ``17.1234``."""
    return f"{rate:.4f}"
