"""Reusable widgets of the desktop app, and the small display helpers they share (dates, percents).

Dates show as es-MX writes them (dd/mm/aaaa) in both languages: the app serves Mexican offices, and a
day-first date never reads as another day. Percents show with two decimals and a space before "%".
"""

from __future__ import annotations

from datetime import date, datetime


def format_day(day: date | datetime | None) -> str:
    """``31/03/2026``; an empty string for no date."""
    if day is None:
        return ""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def format_percent_bp(bp: int) -> str:
    """Basis points as a percent: 2500 -> ``25.00 %``."""
    sign = "-" if bp < 0 else ""
    whole, rest = divmod(abs(bp), 100)
    return f"{sign}{whole}.{rest:02d} %"
