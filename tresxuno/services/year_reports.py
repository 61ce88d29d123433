"""Figures of the reports that cover many projects: the quarterly progress report and the year's summary.

Each function is one read-only transaction of a few SQL aggregates over the ledger's money per
project and party (:func:`tresxuno.services.ledger._money_per_project_party`, the same building
block as every balance), so a fiscal year of thousands of projects is read in well under a second.
Rows are only regrouped in Python, never fetched as ORM objects.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, case, func, select
from sqlalchemy.orm import Session

from tresxuno.db.engine import Database
from tresxuno.db.models import Municipality, ProgressReport, Project, StageChange, State
from tresxuno.db.scope import projects_in_scope
from tresxuno.domain.ledger import APPROVED_STAGES, party_rank
from tresxuno.domain.problems import InputError, Problem
from tresxuno.services.ledger import _money_per_project_party

_PROJECTS = cast(Table, Project.__table__)
_STAGES = cast(Table, StageChange.__table__)
_PROGRESS = cast(Table, ProgressReport.__table__)
_MUNICIPALITIES = cast(Table, Municipality.__table__)
_STATES = cast(Table, State.__table__)


@dataclass(frozen=True)
class PartyFigures:
    """One party's money in a project or a group, centavos MXN (paid and refunded positive)."""

    party: str
    approved: int
    received: int
    paid: int
    refunded: int = 0


@dataclass(frozen=True)
class QuarterProject:
    """A project active in a quarter: its stage and physical progress at the quarter's end, its money.

    ``percent_tenths`` is the last progress report on or before the quarter's end (455 = 45.5 %),
    None when none was reported yet; ``parties`` are in party order, money up to the quarter's end.
    """

    id: int
    folio: str
    name: str
    municipality_key: str
    municipality_name: str
    state_name: str
    stage: str
    percent_tenths: int | None
    parties: tuple[PartyFigures, ...]


@dataclass(frozen=True)
class GroupFigures:
    """A group of the year's summary (a category, municipality, programme or party) and its money.

    ``key`` is the group's id (category id, INEGI key, programme id, party id); ``name`` the
    municipality's "Name, State" for municipalities and "" otherwise (the renderer translates ids).
    """

    key: str
    name: str
    projects: int
    approved: int
    received: int
    paid: int
    refunded: int


@dataclass(frozen=True)
class YearFigures:
    """The year's summary: the same money grouped four ways (each grouping adds up to the same totals)."""

    year: int
    municipality_key: str | None
    projects: int
    by_category: tuple[GroupFigures, ...]
    by_municipality: tuple[GroupFigures, ...]
    by_program: tuple[GroupFigures, ...]
    by_party: tuple[GroupFigures, ...]


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of a calendar quarter (1 to 4)."""
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    return date(year, first_month, 1), date(year, last_month, monthrange(year, last_month)[1])


def check_municipality(db: Database, key: str, year: int) -> str:
    """The municipality's "Name, State" when it exists and has projects in fiscal ``year``.

    Raises:
        InputError: ``municipality.unknown`` (no such INEGI key) or ``report.municipality_no_projects``.
    """
    with db.transaction() as session:
        row = session.execute(
            select(_MUNICIPALITIES.c.name, _STATES.c.name)
            .join_from(_MUNICIPALITIES, _STATES, _STATES.c.key == _MUNICIPALITIES.c.state_key)
            .where(_MUNICIPALITIES.c.key == key)
        ).first()
        if row is None:
            raise InputError(Problem("municipality", "municipality.unknown", {"key": key}))
        name = f"{row[0]}, {row[1]}"
        count = session.scalar(
            select(func.count())
            .select_from(_PROJECTS)
            .where(
                _PROJECTS.c.municipality_key == key,
                _PROJECTS.c.fiscal_year == year,
                *projects_in_scope(_PROJECTS),
            )
        )
    if not count:
        raise InputError(
            Problem(
                "municipality", "report.municipality_no_projects", {"key": key, "name": name, "year": year}
            )
        )
    return name


def quarter_projects(
    db: Database, year: int, quarter: int, municipality_key: str | None = None
) -> list[QuarterProject]:
    """The projects of fiscal ``year`` active in ``quarter``, with figures as of the quarter's end.

    Active: the project's stage at the end of the quarter (its last stage change until then; its
    current stage when it has no history) is approved or later and not cancelled. Money per party
    counts the entries dated on or before the quarter's end; approved is the party's share.

    Returns:
        Projects ordered by municipality key and folio.
    """
    _first, last = quarter_bounds(year, quarter)
    # Stage changes are stored in naive UTC; a change on the last day counts (until midnight).
    cutoff = datetime.combine(last + timedelta(days=1), time())
    p = _PROJECTS
    chosen = [p.c.fiscal_year == year, *projects_in_scope(p)]
    if municipality_key is not None:
        chosen.append(p.c.municipality_key == municipality_key)
    stage_rank = func.row_number().over(
        partition_by=_STAGES.c.project_id, order_by=(_STAGES.c.changed_at.desc(), _STAGES.c.id.desc())
    )
    stages = (
        select(_STAGES.c.project_id, _STAGES.c.to_stage, stage_rank.label("rank"))
        .where(_STAGES.c.changed_at < cutoff, _STAGES.c.project_id.in_(select(p.c.id).where(*chosen)))
        .subquery("stage_at_end")
    )
    progress_rank = func.row_number().over(
        partition_by=_PROGRESS.c.project_id,
        order_by=(_PROGRESS.c.reported_on.desc(), _PROGRESS.c.id.desc()),
    )
    progress = (
        select(_PROGRESS.c.project_id, _PROGRESS.c.percent_tenths, progress_rank.label("rank"))
        .where(_PROGRESS.c.reported_on <= last, _PROGRESS.c.project_id.in_(select(p.c.id).where(*chosen)))
        .subquery("progress_at_end")
    )
    has_history = select(_STAGES.c.project_id).where(_STAGES.c.project_id == p.c.id).exists()
    # No change before the cutoff but a history: the project did not exist yet (NULL: not active).
    stage_at_end = case((has_history, stages.c.to_stage), else_=p.c.stage)
    m, s = _MUNICIPALITIES, _STATES
    stmt = (
        select(
            p.c.id,
            p.c.folio,
            p.c.name,
            p.c.municipality_key,
            m.c.name.label("municipality_name"),
            s.c.name.label("state_name"),
            stage_at_end.label("stage_at_end"),
            progress.c.percent_tenths,
        )
        .join_from(p, m, m.c.key == p.c.municipality_key)
        .join(s, s.c.key == m.c.state_key)
        .outerjoin(stages, and_(stages.c.project_id == p.c.id, stages.c.rank == 1))
        .outerjoin(progress, and_(progress.c.project_id == p.c.id, progress.c.rank == 1))
        .where(*chosen, stage_at_end.in_(sorted(APPROVED_STAGES)))
        .order_by(p.c.municipality_key, p.c.folio)
    )
    money = _money_per_project_party(and_(*chosen), as_of=last)
    with db.transaction() as session:
        heads = session.execute(stmt).all()
        figures = _figures_by_project(session, money)
    return [
        QuarterProject(
            id=h.id,
            folio=h.folio,
            name=h.name,
            municipality_key=h.municipality_key,
            municipality_name=h.municipality_name,
            state_name=h.state_name,
            stage=h.stage_at_end,
            percent_tenths=None if h.percent_tenths is None else int(h.percent_tenths),
            parties=tuple(sorted(figures.get(h.id, ()), key=lambda f: party_rank(f.party))),
        )
        for h in heads
    ]


def _figures_by_project(session: Session, money: Any) -> dict[int, list[PartyFigures]]:
    """Per project, each party's share (as approved), received, paid and refunded."""
    found: dict[int, list[PartyFigures]] = {}
    for r in session.execute(
        select(
            money.c.project_id, money.c.party, money.c.share, money.c.received, money.c.paid, money.c.refunded
        )
    ):
        found.setdefault(r.project_id, []).append(
            PartyFigures(r.party, int(r.share), int(r.received), int(r.paid), int(r.refunded))
        )
    return found


def year_figures(db: Database, year: int, municipality_key: str | None = None) -> YearFigures:
    """The money of fiscal ``year``'s projects by category, municipality, programme and party.

    Every project of the year counts (whatever its stage); approved is the share of projects
    approved and not cancelled (:data:`~tresxuno.domain.ledger.APPROVED_STAGES`); received, paid
    and refunded are net of reversals, as in every balance. Each grouping sums to the same totals.
    """
    p = _PROJECTS
    chosen = [p.c.fiscal_year == year, *projects_in_scope(p)]
    if municipality_key is not None:
        chosen.append(p.c.municipality_key == municipality_key)
    money = _money_per_project_party(and_(*chosen))
    approved = case((p.c.stage.in_(sorted(APPROVED_STAGES)), money.c.share), else_=0)
    sums = (
        func.sum(approved).label("approved"),
        func.sum(money.c.received).label("received"),
        func.sum(money.c.paid).label("paid"),
        func.sum(money.c.refunded).label("refunded"),
    )
    m, s = _MUNICIPALITIES, _STATES
    with db.transaction() as session:
        total = session.scalar(select(func.count()).select_from(p).where(*chosen)) or 0
        grouped = {}
        for name, column in (
            ("category", p.c.category),
            ("municipality", p.c.municipality_key),
            ("program", p.c.program),
        ):
            counts: dict[Any, int] = dict(
                session.execute(select(column, func.count()).where(*chosen).group_by(column)).all()
            )
            rows = session.execute(
                select(column.label("key"), *sums)
                .join_from(money, p, p.c.id == money.c.project_id)
                .group_by(column)
            ).all()
            by_key = {r.key: r for r in rows}
            grouped[name] = [
                GroupFigures(key, "", int(counts[key]), *_money_of(by_key.get(key))) for key in counts
            ]
        names = dict(
            session.execute(
                select(m.c.key, m.c.name + ", " + s.c.name)
                .join_from(m, s, s.c.key == m.c.state_key)
                .where(m.c.key.in_(select(p.c.municipality_key).where(*chosen)))
            ).all()
        )
        party_rows = session.execute(
            select(money.c.party.label("key"), func.count(func.distinct(money.c.project_id)), *sums)
            .join_from(money, p, p.c.id == money.c.project_id)
            .group_by(money.c.party)
        ).all()
    by_party = sorted(
        (GroupFigures(r.key, "", int(r[1]), *_money_of(r)) for r in party_rows),
        key=lambda g: party_rank(g.key),
    )
    by_municipality = sorted(
        (
            GroupFigures(
                g.key, names.get(g.key, g.key), g.projects, g.approved, g.received, g.paid, g.refunded
            )
            for g in grouped["municipality"]
        ),
        key=lambda g: (-g.approved, g.name),
    )
    return YearFigures(
        year=year,
        municipality_key=municipality_key,
        projects=int(total),
        by_category=tuple(sorted(grouped["category"], key=lambda g: (-g.approved, g.key))),
        by_municipality=tuple(by_municipality),
        by_program=tuple(sorted(grouped["program"], key=lambda g: (-g.approved, g.key))),
        by_party=tuple(by_party),
    )


def _money_of(row: Any) -> tuple[int, int, int, int]:
    """(approved, received, paid, refunded) of an aggregate row; zeros for a group without money."""
    if row is None:
        return 0, 0, 0, 0
    # SUM gives NUMERIC on PostgreSQL: back to int centavos.
    return int(row.approved or 0), int(row.received or 0), int(row.paid or 0), int(row.refunded or 0)
