"""Projects as they are read: one project with its shares, its record (history, places), and paged lists.

Writing a request (drafts, edits, submission) lives in :mod:`tresxuno.services.project_requests`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from tresxuno.db.engine import Database
from tresxuno.db.models import Project
from tresxuno.db.repos import ProjectFilters, ProjectRepository
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.records import CapAuthorisationLine, ProjectDetail, ProjectSummary, ShareLine
from tresxuno.domain.rules import RuleSet
from tresxuno.domain.stages import Stage
from tresxuno.formatting import local_date

__all__ = [
    "EDITABLE",
    "ProjectFilters",
    "ProjectOverview",
    "StageStep",
    "count_projects",
    "get_project",
    "list_projects",
    "project_detail",
    "project_overview",
    "summary_of",
]

#: Stages in which a project's request may still be changed: a draft, or a request sent back to the club.
EDITABLE: tuple[Stage, ...] = (Stage.BORRADOR, Stage.DEVUELTO)


def project_detail(row: Project) -> ProjectDetail:
    """Plain record of a project row with its shares and rule set (loaded in the same session)."""
    return ProjectDetail(
        id=row.id,
        folio=row.folio,
        fiscal_year=row.fiscal_year,
        program=row.program,
        category=row.category,
        stage=row.stage,
        name=row.name,
        description=row.description,
        club_id=row.club_id,
        club_name=row.club.name,
        state_key=row.state_key,
        municipality_key=row.municipality_key,
        locality=row.locality,
        locality_key=row.locality_key,
        beneficiaries=row.beneficiaries,
        cost=row.cost,
        rule_set_id=row.rule_set.rule_id,
        rule_set_version=row.rule_set.version,
        partner_mode=row.partner_mode,
        partner_amount=row.partner_amount,
        mix_override_reason=row.mix_override_reason,
        shares=tuple(
            ShareLine(s.party, s.percent_bp, s.amount, s.capped)
            for s in sorted(row.shares, key=lambda s: _PARTY_RANK[s.party])
        ),
        joint_split_bp=row.joint_split_bp,
        cap_authorisations=tuple(
            CapAuthorisationLine(
                a.party, a.cap, a.amount, a.authorised_by, a.reason, a.document, a.recorded_by
            )
            for a in sorted(row.cap_authorisations, key=lambda a: _PARTY_RANK[a.party])
        ),
    )


def rule_set_citation(row: Project) -> str:
    """What the project cites as its rules, in the user's language.

    The fiscal year's official document (that year's Reglas de Operación with their DOF date), else
    the frozen rule set's source: never an internal file name.
    """
    from tresxuno.i18n import language

    try:
        frozen = RuleSet.from_data(json.loads(row.rule_set.body))
    except (ValueError, KeyError, TypeError):  # a body this version cannot read: the stored text
        return row.rule_set.source
    return frozen.citation(row.fiscal_year, language()) or row.rule_set.source


_PARTY_RANK = {p: i for i, p in enumerate(("club", "federal", "state", "municipal", "partner"))}


def get_project(db: Database, project_id: int) -> ProjectDetail:
    """One project with its shares.

    Raises:
        InputError: no such project.
    """
    with db.transaction() as session:
        row = ProjectRepository.get(session, project_id)
        if row is None:
            raise InputError(Problem("project", "project.unknown", {"id": project_id}))
        return project_detail(row)


@dataclass(frozen=True)
class StageStep:
    """One move in a project's stage history; ``from_stage`` is None for the first stage."""

    changed_at: datetime  # naive UTC (a request's own date is stored as noon of that day)
    from_stage: str | None
    to_stage: str
    changed_by: str
    comment: str


@dataclass(frozen=True)
class ProjectOverview:
    """Everything the project record shows besides documents and progress.

    ``version`` is the row version an edit must name (see :func:`update_project`);
    ``requested_on`` is the date of the latest move to ``solicitado`` (None for a draft never submitted).
    """

    detail: ProjectDetail
    version: int
    state_name: str
    municipality_name: str
    club_toma_folio: str
    club_toma_expires_on: date
    rule_set_source: str
    rule_set_verified: bool
    history: tuple[StageStep, ...]
    requested_on: date | None

    @property
    def editable(self) -> bool:
        """Whether the request may still be changed (draft or returned)."""
        return self.detail.stage in EDITABLE


def _overview(session: Session, row: Project) -> ProjectOverview:
    history = tuple(
        StageStep(c.changed_at, c.from_stage, c.to_stage, c.changed_by, c.comment)
        for c in ProjectRepository.stage_history(session, row.id)
    )
    requested = [local_date(s.changed_at) for s in history if s.to_stage == Stage.SOLICITADO.value]
    return ProjectOverview(
        detail=project_detail(row),
        version=row.version,
        state_name=row.state.name,
        municipality_name=row.municipality.name,
        club_toma_folio=row.club.toma_folio,
        club_toma_expires_on=row.club.toma_expires_on,
        rule_set_source=rule_set_citation(row),
        rule_set_verified=row.rule_set.verified,
        history=history,
        requested_on=requested[-1] if requested else None,
    )


def project_overview(db: Database, project_id: int) -> ProjectOverview:
    """One project with its version, place names, rule set provenance and stage history.

    Raises:
        InputError: no such project.
    """
    with db.transaction() as session:
        row = ProjectRepository.get(session, project_id)
        if row is None:
            raise InputError(Problem("project", "project.unknown", {"id": project_id}))
        return _overview(session, row)


def summary_of(row: Project) -> ProjectSummary:
    """Plain list row of a project."""
    return ProjectSummary(
        id=row.id,
        folio=row.folio,
        fiscal_year=row.fiscal_year,
        program=row.program,
        category=row.category,
        stage=row.stage,
        name=row.name,
        club_name=row.club.name,
        state_name=row.state.name,
        municipality_name=row.municipality.name,
        cost=row.cost,
    )


def list_projects(
    db: Database,
    filters: ProjectFilters | None = None,
    *,
    sort_key: str = "folio",
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> list[ProjectSummary]:
    """One page of the project list, filtered and sorted in SQL (see ``ProjectRepository.page``)."""
    with db.transaction() as session:
        rows = ProjectRepository.page(
            session, filters=filters, sort_key=sort_key, descending=descending, offset=offset, limit=limit
        )
        return [summary_of(r) for r in rows]


def count_projects(db: Database, filters: ProjectFilters | None = None) -> int:
    """How many projects match ``filters``."""
    with db.transaction() as session:
        return ProjectRepository.count(session, filters)
