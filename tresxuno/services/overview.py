"""A fiscal year at a glance: projects per stage, approved money per party, and what needs attention.

Shown on the home page. One read-only transaction, a handful of SQL aggregates (no row is looped over in Python except the
few that make the attention list), so it is ready at once on a state office's 30,000 projects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import Session

from tresxuno.db.engine import Database
from tresxuno.db.models import (
    Club,
    CovamAgendaItem,
    CovamSession,
    Project,
    ProjectShare,
    StageChange,
)
from tresxuno.domain.parties import PARTY_ORDER
from tresxuno.domain.stages import Stage
from tresxuno.domain.validation import TOMA_WARNING_DAYS
from tresxuno.services.ministraciones import owed_deposits
from tresxuno.services.social_committees import projects_without_committee

#: Stages whose shares count as approved money: the COVAM approved the project and it went on.
#: Stages from which each party is expected to have deposited its whole share (the convenio is signed).
DEPOSIT_STAGES: tuple[str, ...] = tuple(
    s.value for s in (Stage.CONVENIO_FIRMADO, Stage.EN_EJECUCION, Stage.TERMINADO, Stage.CERRADO)
)
APPROVED_STAGES: tuple[str, ...] = (Stage.APROBADO.value, *DEPOSIT_STAGES)
#: Days a project may stay in a stage, counted from the day it entered it (its last stage change),
#: before the home page flags it. Chosen from the programme's calendar: requests are pre-validated
#: within two months, a COVAM session rules within about six weeks of the agenda being set (2017
#: rules: sessions April-June, convened 30 days ahead), a convenio follows approval within two
#: months, and works start within a quarter of it. Stages not listed are never flagged.
STUCK_AFTER_DAYS: dict[str, int] = {
    Stage.SOLICITADO.value: 60,
    Stage.PREVALIDADO.value: 60,
    Stage.EN_COVAM.value: 45,
    Stage.APROBADO.value: 60,
    Stage.CONVENIO_FIRMADO.value: 90,
}
#: A toma de nota expiring within this many days is flagged (the same warning as the club's status).
TOMA_EXPIRING_DAYS = TOMA_WARNING_DAYS
#: A lapsed toma de nota stays on the list this many days after it expired; older ones are the
#: club's history, not news (the club page still shows them).
TOMA_LAPSED_RECENT_DAYS = 90
#: Stages of a project still under way: its club's toma de nota matters while it has one of these.
OPEN_STAGES: tuple[str, ...] = tuple(
    s.value
    for s in (
        Stage.BORRADOR,
        Stage.SOLICITADO,
        Stage.PREVALIDADO,
        Stage.EN_COVAM,
        Stage.APROBADO,
        Stage.DEVUELTO,
        Stage.CONVENIO_FIRMADO,
        Stage.EN_EJECUCION,
    )
)

#: Kinds of attention item, in the order the list shows them (most urgent first).
TOMA_LAPSED, TOMA_EXPIRING, DEPOSIT_OWED, STUCK, SESSION_PENDING = (
    "toma_lapsed",
    "toma_expiring",
    "deposit_owed",
    "stuck",
    "session_pending",
)
#: A works project past its convenio without its contraloría social committee.
COMMITTEE_MISSING = "committee_missing"
ATTENTION_KINDS: tuple[str, ...] = (
    TOMA_LAPSED,
    TOMA_EXPIRING,
    DEPOSIT_OWED,
    COMMITTEE_MISSING,
    STUCK,
    SESSION_PENDING,
)


@dataclass(frozen=True)
class StageCount:
    """How many projects of the fiscal year are in one stage."""

    stage: str
    count: int


@dataclass(frozen=True)
class PartyMoney:
    """One party's approved money for the fiscal year, in centavos MXN."""

    party: str
    amount: int


@dataclass(frozen=True)
class AttentionItem:
    """Something the officer should look at, with what a sentence about it needs and what to open.

    Attributes:
        kind: one of :data:`ATTENTION_KINDS`.
        record_kind: what :attr:`record_id` names: ``"club"``, ``"project"`` or ``"session"``.
        record_id: the id of the record to open.
        subject: the club's name, the project's folio or the session's number.
        on: the toma de nota's expiry date, or the session's date.
        days: days until the toma expires (negative once lapsed), or days spent in the stage.
        stage: the project's stage (stuck projects and deposits).
        party: the party behind on its deposits.
        amount: centavos MXN the party still owes.
        count: projects of a session still waiting for a ruling.
    """

    kind: str
    record_kind: str
    record_id: int
    subject: str
    on: date | None = None
    days: int | None = None
    stage: str | None = None
    party: str | None = None
    amount: int | None = None
    count: int | None = None


@dataclass(frozen=True)
class YearOverview:
    """Everything the home page shows for one fiscal year.

    Attributes:
        fiscal_year: the year shown; None when the database holds no project.
        today: the day statuses and ages are measured on.
        fiscal_years: every fiscal year with projects, newest first.
        stages: projects per stage in that year, every stage in its usual order (zeros included).
        approved: approved money per party in that year (shares of projects approved or later),
            in the fixed party order; only parties with a share.
        attention: items to act on, most urgent kind first. Tomas de nota and COVAM sessions are
            about today whatever the year; stuck projects and owed deposits are the year's.
    """

    fiscal_year: int | None
    today: date
    fiscal_years: tuple[int, ...]
    stages: tuple[StageCount, ...]
    approved: tuple[PartyMoney, ...]
    attention: tuple[AttentionItem, ...]

    @property
    def projects(self) -> int:
        """Projects in the fiscal year."""
        return sum(s.count for s in self.stages)

    @property
    def approved_total(self) -> int:
        """Approved money of every party together, centavos MXN."""
        return sum(p.amount for p in self.approved)


def year_overview(db: Database, fiscal_year: int | None, *, today: date) -> YearOverview:
    """The home page's figures for ``fiscal_year`` (the latest year with projects when None).

    Args:
        db: the database.
        fiscal_year: the year to count; None picks the latest fiscal year with projects.
        today: the day toma de nota deadlines and days-in-stage are measured on.

    Returns:
        Plain records; amounts in centavos MXN.
    """
    with db.transaction() as session:
        years = tuple(
            session.scalars(select(Project.fiscal_year).distinct().order_by(Project.fiscal_year.desc()))
        )
        year = fiscal_year if fiscal_year is not None else (years[0] if years else None)
        stages = _stage_counts(session, year)
        approved = _approved_money(session, year)
        attention = [
            *_tomas(session, today),
            *_deposits_owed(session, year, today),
            *(
                AttentionItem(COMMITTEE_MISSING, "project", pid, folio, stage=stage)
                for pid, folio, stage in projects_without_committee(session, year)
            ),
            *_stuck(session, year, today),
            *_pending_sessions(session, today),
        ]
    return YearOverview(year, today, years, stages, approved, tuple(attention))


def _stage_counts(session: Session, year: int | None) -> tuple[StageCount, ...]:
    counts: dict[str, int] = {}
    if year is not None:
        rows = session.execute(
            select(Project.stage, func.count()).where(Project.fiscal_year == year).group_by(Project.stage)
        )
        counts = {stage: int(n) for stage, n in rows}
    known = [StageCount(s.value, counts.pop(s.value, 0)) for s in Stage]
    # A stage written by a newer version of the app is still counted, after the known ones.
    return (*known, *(StageCount(s, n) for s, n in sorted(counts.items())))


def _approved_money(session: Session, year: int | None) -> tuple[PartyMoney, ...]:
    if year is None:
        return ()
    rows = session.execute(
        select(ProjectShare.party, func.sum(ProjectShare.amount))
        .join(Project, Project.id == ProjectShare.project_id)
        .where(Project.fiscal_year == year, Project.stage.in_(APPROVED_STAGES))
        .group_by(ProjectShare.party)
    )
    amounts = {party: int(total or 0) for party, total in rows}
    rank = {p.value: i for i, p in enumerate(PARTY_ORDER)}
    return tuple(PartyMoney(p, amounts[p]) for p in sorted(amounts, key=lambda p: rank.get(p, len(rank))))


def _tomas(session: Session, today: date) -> list[AttentionItem]:
    """Clubs with a project under way whose toma de nota expires soon or lapsed recently."""
    under_way = exists().where(Project.club_id == Club.id, Project.stage.in_(OPEN_STAGES))
    rows = session.execute(
        select(Club.id, Club.name, Club.toma_expires_on)
        .where(
            Club.toma_expires_on >= today - timedelta(days=TOMA_LAPSED_RECENT_DAYS),
            Club.toma_expires_on <= today + timedelta(days=TOMA_EXPIRING_DAYS),
            under_way,
        )
        .order_by(Club.toma_expires_on, Club.name)
    ).all()
    items = []
    for club_id, name, expires in rows:
        days = (expires - today).days
        # Valid through its expiry date inclusive (see toma_status): lapsed from the next day.
        kind = TOMA_LAPSED if days < 0 else TOMA_EXPIRING
        items.append(AttentionItem(kind, "club", club_id, name, on=expires, days=days))
    # Lapsed first: those clubs can no longer submit.
    items.sort(key=lambda i: (ATTENTION_KINDS.index(i.kind), i.on))
    return items


def _deposits_owed(session: Session, year: int | None, today: date) -> list[AttentionItem]:
    """Parties behind on their deposit calendar: a tranche (ministración) due and not covered.

    See :func:`tresxuno.services.ministraciones.owed_deposits`: received money (contributions net of
    their reversals) covers each party's tranches in order; a project with no calendar stored (signed
    before the app kept calendars) is measured against the default one, and one with no recorded
    signing is taken as signed long ago (its first tranche is owed, since an unknown date).
    """
    if year is None:
        return []
    chosen = select(Project.id).where(Project.fiscal_year == year, Project.stage.in_(DEPOSIT_STAGES))
    owed = owed_deposits(session, chosen, today)
    heads = {
        pid: (folio, stage)
        for pid, folio, stage in session.execute(
            select(Project.id, Project.folio, Project.stage).where(
                Project.id.in_(sorted({o.project_id for o in owed}))
            )
        )
    }
    rank = {p.value: i for i, p in enumerate(PARTY_ORDER)}
    owed.sort(key=lambda o: (-o.amount, heads[o.project_id][0], rank.get(o.party, len(rank))))
    return [
        AttentionItem(
            DEPOSIT_OWED,
            "project",
            o.project_id,
            heads[o.project_id][0],
            stage=heads[o.project_id][1],
            party=o.party,
            amount=o.amount,
            on=o.since,
            days=o.days,
        )
        for o in owed
    ]


def _stuck(session: Session, year: int | None, today: date) -> list[AttentionItem]:
    """Projects of the year that stayed in a stage longer than :data:`STUCK_AFTER_DAYS` allows."""
    if year is None:
        return []
    entered = func.max(StageChange.changed_at)
    # Entered before the stage's cutoff: one CASE per stage, so the database does the filtering.
    cutoff = case(
        *(
            (Project.stage == stage, datetime.combine(today - timedelta(days=days), datetime.min.time()))
            for stage, days in STUCK_AFTER_DAYS.items()
        )
    )
    rows = session.execute(
        select(Project.id, Project.folio, Project.stage, entered)
        .join(StageChange, StageChange.project_id == Project.id)
        .where(Project.fiscal_year == year, Project.stage.in_(tuple(STUCK_AFTER_DAYS)))
        .group_by(Project.id, Project.folio, Project.stage)
        .having(entered < cutoff)
    ).all()
    items = [
        AttentionItem(STUCK, "project", pid, folio, days=(today - _day(since)).days, stage=stage)
        for pid, folio, stage, since in rows
    ]
    items.sort(key=lambda i: (-(i.days or 0), i.subject))
    return items


def _pending_sessions(session: Session, today: date) -> list[AttentionItem]:
    """COVAM sessions already held with projects still waiting for their ruling."""
    waiting = func.count(CovamAgendaItem.id)
    rows = session.execute(
        select(CovamSession.id, CovamSession.number, CovamSession.held_on, waiting)
        .join(CovamAgendaItem, CovamAgendaItem.session_id == CovamSession.id)
        .where(
            CovamSession.held_on <= today, or_(CovamAgendaItem.ruling.is_(None), CovamAgendaItem.ruling == "")
        )
        .group_by(CovamSession.id, CovamSession.number, CovamSession.held_on)
        .order_by(CovamSession.held_on, CovamSession.id)
    ).all()
    return [
        AttentionItem(
            SESSION_PENDING, "session", sid, number, on=held_on, days=(today - held_on).days, count=int(n)
        )
        for sid, number, held_on, n in rows
    ]


def _day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value
