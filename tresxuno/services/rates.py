"""USD->MXN exchange rates by date: typed by hand or imported from Banco de México's FIX series.

Rates are kept as decimal text exactly as published (``"17.2345"`` pesos per dollar), never as
floats. A USD contribution stores its own copy of the rate, its date and source, so correcting this
table later never changes a recorded entry; the table only suggests the rate to use.

Banxico's SIE exports the FIX rate (series ``SF43718``) as CSV: some title lines, then a header
``Fecha,SF43718`` and rows ``dd/mm/yyyy,17.2345``, with ``N/E`` on days without a rate (weekends,
holidays). A plain ``date,rate`` file with ISO dates (``2024-11-01,20.0915``) is read too.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import cast

from sqlalchemy import Table, insert, select

from tresxuno.db.engine import Database
from tresxuno.db.models import ExchangeRate
from tresxuno.domain import limits
from tresxuno.domain.money import parse_rate
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.validation import clean_text
from tresxuno.services.auth import require

#: Source recorded for rates imported from Banxico's FIX series when the caller names none.
BANXICO_FIX = "Banxico FIX"
FIX_SERIES = "SF43718"
#: Longest rates file read (30 years of daily rates are about 250 KB).
MAX_RATES_BYTES = 10 * 1024 * 1024
MAX_SOURCE = limits.SOURCE
#: Values Banxico writes where no rate was determined: N/E "no existe", N/D "no disponible".
_NOT_PUBLISHED = frozenset({"N/E", "N/D", "NE", "ND", "-", ""})
_HEADER_DATE = frozenset({"fecha", "date", "día", "dia"})
_DMY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


@dataclass(frozen=True)
class RateRecord:
    """A USD->MXN rate: pesos per dollar as decimal text, the day it applies to, who published it."""

    rate_date: date
    rate: str
    source: str

    @property
    def value(self) -> Decimal:
        """The rate as an exact Decimal."""
        return Decimal(self.rate)


@dataclass(frozen=True)
class ParsedRates:
    """Rates read from a file (not yet stored): rows by date, and what was skipped."""

    rates: tuple[tuple[int, date, Decimal], ...]  # (line number, day, rate)
    not_published: int
    series: str | None


@dataclass(frozen=True)
class RateImport:
    """What an import did: rows inserted, updated (rate or source changed), unchanged, N/E skipped."""

    inserted: int
    updated: int
    unchanged: int
    not_published: int
    first: date | None
    last: date | None
    source: str


def set_rate(
    db: Database, day: date, rate_text: str, source: str, *, today: date | None = None
) -> RateRecord:
    """Store (or replace) the rate of ``day`` as typed by an officer.

    Raises:
        InputError: ``rate.*`` from :func:`~tresxuno.domain.money.parse_rate`, ``text.*`` for the
            source, ``date.future`` (``date``, ``today``). Nothing is written.
    """
    require(db, "rates.edit")
    today = today or date.today()
    problems: list[Problem] = []
    rate: Decimal | None = None
    try:
        rate = parse_rate(rate_text)
    except InputError as exc:
        problems += exc.problems
    clean_source = clean_text(source, "source", problems, max_len=MAX_SOURCE)
    if day > today:
        problems.append(
            Problem("rate_date", "date.future", {"date": day.isoformat(), "today": today.isoformat()})
        )
    if problems:
        raise InputError(problems)
    assert rate is not None
    with db.transaction(immediate=True) as session:
        row = session.get(ExchangeRate, day)
        if row is None:
            session.add(ExchangeRate(rate_date=day, rate=str(rate), source=clean_source))
        else:
            # Rates are reference data, not the ledger: a corrected rate replaces the old one, and
            # entries keep the copy they were recorded with.
            row.rate, row.source = str(rate), clean_source
        session.flush()
    return RateRecord(day, str(rate), clean_source)


def suggest_rate(db: Database, day: date) -> RateRecord | None:
    """The rate of ``day``, or else of the latest earlier day that has one (weekends, holidays).

    Returns:
        The rate with its own date and source, so the form can show which day it is from; None
        when no rate on or before ``day`` is known.
    """
    with db.transaction() as session:
        row = session.execute(
            select(ExchangeRate.rate_date, ExchangeRate.rate, ExchangeRate.source)
            .where(ExchangeRate.rate_date <= day)
            .order_by(ExchangeRate.rate_date.desc())
            .limit(1)
        ).first()
    return RateRecord(row.rate_date, row.rate, row.source) if row else None


def list_rates(db: Database, *, start: date | None = None, end: date | None = None) -> list[RateRecord]:
    """Stored rates from ``start`` to ``end`` (inclusive; open when None), by date."""
    stmt = select(ExchangeRate.rate_date, ExchangeRate.rate, ExchangeRate.source).order_by(
        ExchangeRate.rate_date
    )
    if start is not None:
        stmt = stmt.where(ExchangeRate.rate_date >= start)
    if end is not None:
        stmt = stmt.where(ExchangeRate.rate_date <= end)
    with db.transaction() as session:
        return [RateRecord(r.rate_date, r.rate, r.source) for r in session.execute(stmt)]


def parse_rates_csv(text: str, *, today: date) -> ParsedRates:
    """Read rates from CSV text in Banxico's SIE layout or as plain ``date,rate`` rows.

    Lines before the header (``Fecha,SF43718`` or ``date,rate``) are titles and are skipped; a
    file without a header must start with data. Dates are ``dd/mm/yyyy`` or ``yyyy-mm-dd``;
    ``N/E`` (no rate that day) rows are counted and skipped.

    Raises:
        InputError: every row-level problem, each naming its line number: ``rates.bad_date``
            (``row``, ``text``), ``rates.bad_rate`` (``row``, ``text``), ``rates.future_date``
            (``row``, ``date``), ``rates.duplicate_date`` (``row``, ``date``, ``first_row``);
            or ``rates.no_rows`` when the file holds no rate at all.
    """
    problems: list[Problem] = []
    rates: list[tuple[int, date, Decimal]] = []
    seen: dict[date, int] = {}
    not_published = 0
    series: str | None = None
    in_data = False
    reader = csv.reader(io.StringIO(text))
    try:
        for cells in reader:
            row = reader.line_num
            cells = [c.strip().strip('"').strip() for c in cells]
            if not any(cells):
                continue
            first = cells[0].lstrip("\ufeff")
            if not in_data:
                if first.lower() in _HEADER_DATE and len(cells) >= 2:
                    in_data, series = True, cells[1] or None
                    continue
                if _as_date(first) is None:
                    continue  # a title line of the export
                in_data = True  # a plain file without a header
            value = cells[1] if len(cells) > 1 else ""
            day = _as_date(first)
            if day is None:
                problems.append(Problem(f"rates[{row}]", "rates.bad_date", {"row": row, "text": first[:40]}))
                continue
            if value.upper() in _NOT_PUBLISHED:
                not_published += 1
                continue
            try:
                rate = parse_rate(value)
            except InputError:
                problems.append(Problem(f"rates[{row}]", "rates.bad_rate", {"row": row, "text": value[:40]}))
                continue
            if day > today:
                problems.append(
                    Problem(f"rates[{row}]", "rates.future_date", {"row": row, "date": day.isoformat()})
                )
            elif day in seen:
                problems.append(
                    Problem(
                        f"rates[{row}]",
                        "rates.duplicate_date",
                        {"row": row, "date": day.isoformat(), "first_row": seen[day]},
                    )
                )
            else:
                seen[day] = row
                rates.append((row, day, rate))
    except csv.Error as exc:
        # Binary garbage, a NUL, a cell longer than the csv module allows: the file is not a rates CSV.
        detail = {"row": reader.line_num, "detail": str(exc)[:80]}
        problems.append(Problem("rates", "rates.unreadable", detail))
    if not problems and not rates:
        problems.append(Problem("rates", "rates.no_rows", {}))
    if problems:
        raise InputError(problems)
    return ParsedRates(tuple(rates), not_published, series)


def import_rates_csv(
    db: Database, data: bytes | str | Path, *, source: str | None = None, today: date | None = None
) -> RateImport:
    """Import a rates file in one transaction: all its rates are stored, or (on any problem) none.

    Args:
        db: the database.
        data: the file (path) or its content; bytes are read as UTF-8 (with or without BOM) or,
            failing that, Windows-1252, the encoding of Banxico's Spanish exports.
        source: who published the rates; for Banxico's FIX series :data:`BANXICO_FIX` when None.
            Required for other files.
        today: rates dated after it are refused; the computer's date when None.

    Returns:
        Counts of what changed, the dates covered and the source recorded.

    Raises:
        InputError: ``rates.too_large`` (``max_mb``), ``file.not_found`` (``path``), the problems
            of :func:`parse_rates_csv`, or ``text.required`` for a missing source.
    """
    require(db, "rates.edit")
    today = today or date.today()
    text = _decode(_read(data))
    parsed = parse_rates_csv(text, today=today)
    problems: list[Problem] = []
    if source is None and parsed.series and parsed.series.upper() == FIX_SERIES:
        source = BANXICO_FIX
    clean_source = clean_text(source or "", "source", problems, max_len=MAX_SOURCE)
    if problems:
        raise InputError(problems)
    days = [day for _row, day, _rate in parsed.rates]
    inserted = updated = unchanged = 0
    with db.transaction(immediate=True) as session:
        stored = {
            row.rate_date: row
            for row in session.scalars(
                select(ExchangeRate).where(
                    ExchangeRate.rate_date >= min(days), ExchangeRate.rate_date <= max(days)
                )
            )
        }
        new_rows = []
        for _row, day, rate in parsed.rates:
            existing = stored.get(day)
            if existing is None:
                new_rows.append({"rate_date": day, "rate": str(rate), "source": clean_source})
            elif (Decimal(existing.rate), existing.source) == (rate, clean_source):
                unchanged += 1
            else:
                existing.rate, existing.source = str(rate), clean_source
                updated += 1
        if new_rows:
            session.execute(insert(cast(Table, ExchangeRate.__table__)), new_rows)
        inserted = len(new_rows)
        session.flush()
    return RateImport(inserted, updated, unchanged, parsed.not_published, min(days), max(days), clean_source)


def _read(data: bytes | str | Path) -> bytes | str:
    if not isinstance(data, Path):
        if len(data) > MAX_RATES_BYTES:
            raise InputError(Problem("rates", "rates.too_large", {"max_mb": MAX_RATES_BYTES >> 20}))
        return data
    try:
        with data.open("rb") as handle:
            content = handle.read(MAX_RATES_BYTES + 1)
    except OSError:
        raise InputError(Problem("rates", "file.not_found", {"path": str(data)})) from None
    if len(content) > MAX_RATES_BYTES:
        raise InputError(Problem("rates", "rates.too_large", {"max_mb": MAX_RATES_BYTES >> 20}))
    return content


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _as_date(text: str) -> date | None:
    """``dd/mm/yyyy`` (Banxico) or ``yyyy-mm-dd`` (ISO) as a date; None when neither or not a real day."""
    try:
        if match := _DMY.fullmatch(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
        if match := _ISO.fullmatch(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return None
