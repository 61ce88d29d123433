"""Builder of the receipt for one contribution (*recibo de aportación*), printed for the club."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select

from tresxuno.db.engine import Database
from tresxuno.db.models import LedgerEntry
from tresxuno.domain.ledger import CONTRIBUTION, EntryRecord
from tresxuno.domain.problems import InputError, Problem
from tresxuno.reports.data import Receipt
from tresxuno.services.clubs import get_club
from tresxuno.services.ledger import entry
from tresxuno.services.projects import project_overview
from tresxuno.services.reporting.common import club_data, letterhead, project_head, stamp


def receipt_number(db: Database, record: EntryRecord) -> str:
    """The receipt's folio: ``R-2017-00042``, the 42nd contribution dated in 2017.

    Receipts are numbered in one consecutive series per calendar year of the deposit, without gaps:
    the contributions dated in that year, in the order they were recorded (ledger id). The ledger is
    append-only, so a folio never changes once printed: a deposit recorded later, even back-dated,
    takes the next number of its year, and a cancelled one keeps its number (its receipt prints void).
    """
    return receipt_numbers(db, [record])[record.id]


def receipt_numbers(db: Database, records: Iterable[EntryRecord]) -> dict[int, str]:
    """The folios of many receipts (see :func:`receipt_number`) by entry id: one query per year, not per receipt."""
    by_year: dict[int, list[EntryRecord]] = {}
    for record in records:
        by_year.setdefault(record.entry_date.year, []).append(record)
    numbers: dict[int, str] = {}
    with db.session() as session:
        for year, found in by_year.items():
            ids = session.scalars(
                select(LedgerEntry.id)
                .where(
                    LedgerEntry.kind == CONTRIBUTION,
                    LedgerEntry.entry_date >= date(year, 1, 1),
                    LedgerEntry.entry_date <= date(year, 12, 31),
                    LedgerEntry.id <= max(r.id for r in found),
                )
                .order_by(LedgerEntry.id)
            ).all()
            for record in found:
                numbers[record.id] = f"R-{year}-{bisect_right(ids, record.id):05d}"
    return numbers


def build_receipt(
    db: Database, entry_id: int, *, printed_by: str, printed_at: datetime | None = None
) -> Receipt:
    """Gather the receipt of one contribution entry.

    Args:
        db: the database.
        entry_id: the ledger entry's id; it must be a contribution.
        printed_by: who prints it (for the footer).
        printed_at: when; now when None.

    Returns:
        The receipt: MXN credited, and for a deposit in dollars the USD amount, rate, its date and
        source, as recorded.

    Raises:
        InputError: ``entry.unknown``; ``report.receipt_not_contribution`` for another kind.
    """
    record = entry(db, entry_id)
    if record.kind != CONTRIBUTION:
        raise InputError(Problem("entry", "report.receipt_not_contribution", {"id": entry_id}))
    overview = project_overview(db, record.project_id)
    club = club_data(get_club(db, overview.detail.club_id))
    party = record.party or ""
    return Receipt(
        letterhead=letterhead(db, overview),
        stamp=stamp(db, printed_by, printed_at),
        number=receipt_number(db, record),
        entry_id=record.id,
        entry_date=record.entry_date,
        party=party,
        contributor=club.name if party == "club" else "",
        club=club,
        project=project_head(overview),
        amount=record.amount,
        usd_amount=record.usd_amount,
        rate=record.rate or "",
        rate_date=record.rate_date,
        rate_source=record.rate_source or "",
        reference=record.reference or "",
        received_by=record.created_by or "",
        reversed=record.reversed_by is not None,
    )
