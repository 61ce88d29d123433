"""Builder of the receipt for one contribution (*recibo de aportación*), printed for the club."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

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
    year = record.entry_date.year
    with db.session() as session:
        position = session.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .where(
                LedgerEntry.kind == CONTRIBUTION,
                LedgerEntry.entry_date >= date(year, 1, 1),
                LedgerEntry.entry_date <= date(year, 12, 31),
                LedgerEntry.id <= record.id,
            )
        )
    return f"R-{year}-{position or 0:05d}"


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
