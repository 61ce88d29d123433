"""Builder of a project's statement of account: every entry with its running balance, per-party money.

The entries, the per-party balance and the cash are read in separate service calls (each its own
transaction); if an entry is recorded between them the figures would not agree, so the builder
checks that they reconcile to the centavo and reads again, a few times, before giving up.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from itertools import pairwise

from tresxuno.db.engine import Database
from tresxuno.domain.ledger import CONTRIBUTION, EntryRecord
from tresxuno.reports.data import CalendarLine, RateLine, Statement, StatementEntry
from tresxuno.services.ledger import count_entries, list_entries, project_balance
from tresxuno.services.ministraciones import SIGNED_STAGES, calendar
from tresxuno.services.progress import CancelToken, Progress, no_progress
from tresxuno.services.projects import project_overview
from tresxuno.services.reporting.common import letterhead, party_money, project_head, stamp

#: Entries read per query (a statement of 10,000 entries is 5 queries).
PAGE = 2000
#: Reads attempted before :class:`StatementMismatchError` (only concurrent writes can cause one).
ATTEMPTS = 3


class StatementMismatchError(RuntimeError):
    """Entries and balances kept changing while being read: try again (another desk is recording)."""


def _entry(e: EntryRecord) -> StatementEntry:
    assert e.running_balance is not None  # list_entries always gives it
    return StatementEntry(
        id=e.id,
        entry_date=e.entry_date,
        kind=e.kind,
        party=e.party,
        concept=e.concept or "",
        payee_name=e.payee_name or "",
        payee_rfc=e.payee_rfc or "",
        reference=e.reference or "",
        cfdi_uuid=e.cfdi_uuid or "",
        reason=e.reason or "",
        amount=e.amount,
        running_balance=e.running_balance,
        reverses_id=e.reverses_id,
        usd_amount=e.usd_amount,
    )


def _rate(e: EntryRecord) -> RateLine | None:
    if e.kind != CONTRIBUTION or e.usd_amount is None:
        return None
    return RateLine(
        entry_id=e.id,
        entry_date=e.entry_date,
        party=e.party or "",
        usd_amount=e.usd_amount,
        rate=e.rate or "",
        rate_date=e.rate_date,
        rate_source=e.rate_source or "",
        amount=e.amount,
    )


def build_statement(
    db: Database,
    project_id: int,
    *,
    printed_by: str,
    printed_at: datetime | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    on_read: Callable[[int], None] | None = None,
) -> Statement:
    """Gather the statement of account of one project.

    Args:
        db: the database.
        project_id: the project's id.
        printed_by: who prints it (for the footer).
        printed_at: when; now when None.
        progress: told ``(entries read, total, message)`` after every page of entries.
        cancel: checked between pages; cancelling raises ``Cancelled``.
        on_read: called with the attempt number between reading the entries and reading the
            balance (tests write there, as another desk might).

    Returns:
        The statement: entries in statement order, each with the running balance; the totals in
        and out; per-party money and cash as ``project_balance`` gives them (they reconcile).

    Raises:
        InputError: ``project.unknown``.
        StatementMismatchError: the ledger changed under every one of :data:`ATTEMPTS` reads.
        Cancelled: ``cancel`` was set.
    """
    overview = project_overview(db, project_id)
    for attempt in range(1, ATTEMPTS + 1):
        total = count_entries(db, project_id=project_id)
        records: list[EntryRecord] = []
        while True:
            if cancel is not None:
                cancel.raise_if_cancelled()
            # Page by key, adding the running balance up from the last page's: linear in the entries.
            last = records[-1] if records else None
            page = list_entries(
                db,
                project_id=project_id,
                limit=PAGE,
                after=(last.entry_date, last.id) if last else None,
                balance_before=last.running_balance if last else 0,
            )
            records.extend(page)
            progress(len(records), max(total, len(records)), "")
            if len(page) < PAGE:
                break
        if on_read is not None:
            on_read(attempt)
        balance = project_balance(db, project_id)
        entries = tuple(_entry(e) for e in records)
        final = entries[-1].running_balance if entries else 0
        chained = all(
            later.running_balance == earlier.running_balance + later.amount
            for earlier, later in pairwise(entries)
        )
        first_ok = not entries or entries[0].running_balance == entries[0].amount
        if final == balance.cash and chained and first_ok and sum(e.amount for e in entries) == balance.cash:
            break
    else:
        raise StatementMismatchError(f"the ledger of project {project_id} changed during {ATTEMPTS} reads")
    mix = tuple(s.party for s in overview.detail.shares)
    return Statement(
        letterhead=letterhead(db, overview),
        stamp=stamp(db, printed_by, printed_at),
        project=project_head(overview),
        club_name=overview.detail.club_name,
        entries=entries,
        money=party_money(balance, mix),
        rates=tuple(r for r in map(_rate, records) if r is not None),
        cash=balance.cash,
        total_in=sum(e.amount for e in entries if e.amount > 0),
        total_out=-sum(e.amount for e in entries if e.amount < 0),
        calendar=calendar_lines(db, project_id, (printed_at or datetime.now()).date()),
    )


def calendar_lines(db: Database, project_id: int, today: date) -> tuple[CalendarLine, ...]:
    """The deposit calendar on ``today`` once the convenio is signed (none printed before)."""
    cal = calendar(db, project_id, today=today)
    if not cal.stored and cal.stage not in SIGNED_STAGES:
        return ()
    return tuple(
        CalendarLine(
            party=line.tranche.party,
            number=line.tranche.number,
            trigger=line.tranche.trigger,
            due_date=line.tranche.due_date,
            progress_percent=line.tranche.progress_percent,
            due=line.due,
            due_on=line.due_on,
            amount=line.tranche.amount,
            received=line.received,
            pending=line.pending,
            overdue_days=line.overdue_days,
        )
        for line in cal.lines
    )
