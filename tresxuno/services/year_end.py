"""Year end: the federal reintegros a fiscal year requires, their exceptions, and what blocks closing.

Federal money unspent on 31 December goes back to TESOFE by 15 January of the next year (LDF
art. 17; see :mod:`tresxuno.domain.year_end`). Closing a fiscal year is refused while a required
reintegro is missing and not excepted (:func:`refuse_close_with_missing_reintegros`, called from
:func:`tresxuno.services.ledger.close_fiscal_year`); ``tresxuno check`` reports those whose deadline
has passed (:func:`overdue_reintegro_findings`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from tresxuno.db.engine import Database
from tresxuno.db.models import LedgerAllocation, LedgerEntry, Project, ReintegroExceptionRow
from tresxuno.domain.ledger import MAX_LONG_TEXT, REFUND
from tresxuno.domain.parties import Party
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.validation import clean_text
from tresxuno.domain.year_end import (
    FederalRefund,
    FederalYearEnd,
    ReintegroException,
    RequiredReintegro,
    reintegro_deadline,
)
from tresxuno.domain.year_end import required_reintegros as compute_reintegros
from tresxuno.formatting import date_text, money_text
from tresxuno.i18n import _
from tresxuno.services.auth import require
from tresxuno.services.ledger import _money_per_project_party

#: Longest "authorised by" (a name and post, e.g. "Lic. Ana Ruiz, Tesorera Municipal").
MAX_AUTHORISED_BY = 120


def required_reintegros(db: Database, year: int, *, today: date | None = None) -> list[RequiredReintegro]:
    """The reintegros fiscal ``year`` requires, by folio, with deadline and status (read only)."""
    with db.transaction() as session:
        return list(reintegros_in(session, year, today=today or date.today()))


def reintegros_in(session: Session, year: int, *, today: date) -> tuple[RequiredReintegro, ...]:
    """:func:`required_reintegros` inside an open session (for other services)."""
    year_end = date(year, 12, 31)
    money = _money_per_project_party(Project.fiscal_year == year, as_of=year_end)
    federal = [
        FederalYearEnd(r.id, r.folio, r.name, int(r.received), int(r.paid), int(r.refunded))
        for r in session.execute(
            select(Project.id, Project.folio, Project.name, money.c.received, money.c.paid, money.c.refunded)
            .join_from(money, Project, Project.id == money.c.project_id)
            .where(
                money.c.party == Party.FEDERAL.value, money.c.received - money.c.paid - money.c.refunded > 0
            )
        )
    ]
    if not federal:
        return ()
    ids = [f.project_id for f in federal]
    # A refund later reversed does not count (an outer join to its reversal, kept only when absent).
    reversed_by = LedgerEntry.__table__.alias("reversed_by")
    refunds: dict[int, list[FederalRefund]] = {}
    rows = session.execute(
        select(
            LedgerEntry.project_id,
            LedgerEntry.id,
            LedgerEntry.entry_date,
            func.sum(LedgerAllocation.amount),
            LedgerEntry.reference,
        )
        .join(LedgerAllocation, LedgerAllocation.entry_id == LedgerEntry.id)
        .outerjoin(reversed_by, reversed_by.c.reverses_id == LedgerEntry.id)
        .where(
            LedgerEntry.project_id.in_(ids),
            LedgerEntry.kind == REFUND,
            LedgerEntry.entry_date > year_end,
            LedgerAllocation.party == Party.FEDERAL.value,
            reversed_by.c.id.is_(None),
        )
        .group_by(LedgerEntry.project_id, LedgerEntry.id, LedgerEntry.entry_date, LedgerEntry.reference)
    )
    for project_id, entry_id, entry_date, amount, reference in rows:
        refunds.setdefault(project_id, []).append(
            FederalRefund(entry_id, entry_date, -int(amount), reference or "")
        )
    exceptions = {
        row.project_id: _exception(row)
        for row in session.scalars(
            select(ReintegroExceptionRow).where(
                and_(ReintegroExceptionRow.fiscal_year == year, ReintegroExceptionRow.project_id.in_(ids))
            )
        )
    }
    return compute_reintegros(year, federal, refunds, exceptions, today=today)


def record_reintegro_exception(
    db: Database, year: int, project_id: int, reason: str, authorised_by: str, *, user: str
) -> ReintegroException:
    """Record why one project's reintegro of fiscal ``year`` is not made, so the year may close.

    Only an administrador may (``ledger.reintegro_exception``); one exception per year and project.

    Raises:
        InputError: ``text.required`` and the other text problems of ``reason`` and
            ``authorised_by``, ``project.unknown``, ``reintegro.not_required`` (``folio``, ``year``:
            the project owes nothing or has refunded it), ``reintegro.already_excepted``
            (``folio``, ``year``, ``by``). Nothing is written.
    """
    require(db, "ledger.reintegro_exception")
    problems: list[Problem] = []
    reason = clean_text(reason, "reason", problems, max_len=MAX_LONG_TEXT, multiline=True)
    authorised_by = clean_text(authorised_by, "authorised_by", problems, max_len=MAX_AUTHORISED_BY)
    with db.transaction(immediate=True) as session:
        project = session.get(Project, project_id)
        if project is None:
            problems.append(Problem("project", "project.unknown", {"id": project_id}))
        else:
            existing = session.scalar(
                select(ReintegroExceptionRow).where(
                    ReintegroExceptionRow.fiscal_year == year, ReintegroExceptionRow.project_id == project_id
                )
            )
            if existing is not None:
                problems.append(
                    Problem(
                        "project",
                        "reintegro.already_excepted",
                        {"folio": project.folio, "year": year, "by": existing.authorised_by},
                    )
                )
            else:
                owed = [
                    r for r in reintegros_in(session, year, today=date.today()) if r.project_id == project_id
                ]
                if not owed or not owed[0].blocks_close:
                    problems.append(
                        Problem("project", "reintegro.not_required", {"folio": project.folio, "year": year})
                    )
        if problems:
            raise InputError(problems)
        row = ReintegroExceptionRow(
            fiscal_year=year,
            project_id=project_id,
            reason=reason,
            authorised_by=authorised_by,
            created_by=user,
        )
        session.add(row)
        session.flush()
        return _exception(row)


def refuse_close_with_missing_reintegros(session: Session, year: int, *, today: date) -> None:
    """Refuse to close fiscal ``year`` while a required reintegro is missing and not excepted.

    Raises:
        InputError: ``fiscal_year.reintegros_missing`` (``year``, ``deadline``, ``reintegros``:
            each folio, amount and deadline).
    """
    missing = [r for r in reintegros_in(session, year, today=today) if r.blocks_close]
    if missing:
        deadline = date_text(reintegro_deadline(year))
        listed = "; ".join(
            _("{folio}: {amount} by {deadline}").format(
                folio=r.folio, amount=money_text(r.amount - r.refunded), deadline=date_text(r.deadline)
            )
            for r in missing
        )
        raise InputError(
            Problem(
                "year",
                "fiscal_year.reintegros_missing",
                {"year": year, "deadline": deadline, "reintegros": listed},
            )
        )


def overdue_reintegro_findings(session: Session, *, today: date | None = None) -> tuple[Problem, ...]:
    """For ``tresxuno check``: every reintegro past its 15 January deadline, neither made nor excepted.

    Looks at every fiscal year with projects up to the one before ``today``'s (a year's deadline is
    in the next one).
    """
    today = today or date.today()
    years = session.scalars(
        select(Project.fiscal_year)
        .where(Project.fiscal_year < today.year)
        .distinct()
        .order_by(Project.fiscal_year)
    ).all()
    findings = []
    for year in years:
        for r in reintegros_in(session, year, today=today):
            if r.overdue:
                findings.append(
                    Problem(
                        "year",
                        "reintegro.overdue",
                        {
                            "year": year,
                            "folio": r.folio,
                            "amount": r.amount - r.refunded,
                            "deadline": date_text(r.deadline),
                        },
                    )
                )
    return tuple(findings)


def _exception(row: ReintegroExceptionRow) -> ReintegroException:
    return ReintegroException(
        row.id, row.fiscal_year, row.project_id, row.reason, row.authorised_by, row.created_at, row.created_by
    )
