"""Use cases for projects: submit a request with its computed shares, read and list projects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from tresxuno.db.engine import Database
from tresxuno.db.models import Club, Municipality, Project, ProjectShare, RuleSetRecord, StageChange
from tresxuno.db.repos import ProjectFilters, ProjectRepository, RuleSetRepository
from tresxuno.domain.allocation import Allocation, MixOverride, PartnerChoice, compute_shares
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.records import ProjectDetail, ProjectSummary, ShareLine
from tresxuno.domain.rules import RuleBook, RuleSet
from tresxuno.domain.stages import Stage
from tresxuno.domain.validation import ProjectInput, TomaStatus, check_project, clean_text, toma_status
from tresxuno.services.auth import require
from tresxuno.services.rules import folio_code, rulebook


def store_rule_set(session: Session, rule_set: RuleSet) -> RuleSetRecord:
    """The frozen copy of ``rule_set`` in the database, stored on first use.

    Raises:
        RuleSetError: the stored copy of this id and version differs (someone edited a rule set
            in place); a project must keep the rules it was computed under.
    """
    return RuleSetRepository.freeze(
        session,
        rule_id=rule_set.id,
        version=rule_set.version,
        program=rule_set.program,
        body=rule_set.to_data(),
        source=rule_set.source,
        verified=rule_set.verified,
    )


@dataclass(frozen=True)
class SubmissionPlan:
    """What a valid submission will store: the rule set and the allocation."""

    rule_set: RuleSet
    allocation: Allocation
    partner_mode: str


def plan_submission(data: ProjectInput, *, book: RuleBook | None = None) -> SubmissionPlan:
    """Check a request's own fields and compute its shares (no database needed: the live preview).

    Raises:
        InputError: every problem found with the fields, the rule set lookup and the allocation.
    """
    problems = check_project(data)
    book = book or rulebook()
    rule_set = allocation = None
    try:
        rule_set = book.find(data.program, data.fiscal_year, data.category)
    except InputError as exc:
        problems.extend(p for p in exc.problems if p not in problems)
    partner = PartnerChoice(
        data.partner_mode or ("rule" if rule_set and rule_set.has_partner else "none"), data.partner_amount
    )
    override = MixOverride(data.mix_override, data.mix_override_reason) if data.mix_override else None
    if rule_set is not None and data.cost > 0:
        try:
            allocation = compute_shares(
                rule_set, data.fiscal_year, data.cost, partner=partner, override=override
            )
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    assert rule_set is not None and allocation is not None
    return SubmissionPlan(rule_set, allocation, partner.mode)


def submit_project(db: Database, data: ProjectInput, *, user: str = "") -> ProjectDetail:
    """Take in a project request: validate, compute the shares, store it as "solicitado".

    Refused, with every problem found, when the club's toma de nota is not valid on the date of
    the request, the municipality is unknown or not in the state, the cost is not positive, the
    mix is invalid, or no rule set covers the programme, year and category.

    Raises:
        InputError: the problems; nothing is written.
    """
    require(db, "projects.edit")
    problems: list[Problem] = []
    try:
        plan = plan_submission(data)
    except InputError as exc:
        problems.extend(exc.problems)
        plan = None
    with db.transaction(immediate=True) as session:
        club = session.get(Club, data.club_id)
        if club is None:
            problems.append(Problem("club", "club.unknown", {"id": data.club_id}))
        else:
            status = toma_status(club.toma_issued_on, club.toma_expires_on, data.submitted_on)
            if status is TomaStatus.LAPSED:
                problems.append(
                    Problem(
                        "club",
                        "club.toma_lapsed",
                        {
                            "club": club.name,
                            "folio": club.toma_folio,
                            "expired_on": club.toma_expires_on.isoformat(),
                        },
                    )
                )
            elif status is TomaStatus.NOT_YET_VALID:
                problems.append(
                    Problem(
                        "club",
                        "club.toma_not_yet_valid",
                        {
                            "club": club.name,
                            "folio": club.toma_folio,
                            "issued_on": club.toma_issued_on.isoformat(),
                        },
                    )
                )
        if (
            not any(p.field == "municipality_key" for p in problems)
            and session.get(Municipality, data.municipality_key) is None
        ):
            problems.append(
                Problem("municipality_key", "municipality.unknown", {"key": data.municipality_key})
            )
        if problems:
            raise InputError(problems)
        assert plan is not None
        rule_row = store_rule_set(session, plan.rule_set)
        project = Project(
            folio=ProjectRepository.next_folio(
                session, data.fiscal_year, data.municipality_key, program=folio_code(data.program)
            ),
            fiscal_year=data.fiscal_year,
            program=data.program,
            category=data.category,
            club_id=data.club_id,
            state_key=data.state_key,
            municipality_key=data.municipality_key,
            locality=clean_text(data.locality, "locality", [], required=False),
            name=clean_text(data.name, "name", []),
            description=clean_text(data.description, "description", [], required=False, max_len=4000),
            beneficiaries=data.beneficiaries,
            cost=data.cost,
            rule_set_pk=rule_row.id,
            partner_mode=plan.partner_mode,
            partner_amount=data.partner_amount if plan.partner_mode == "fixed" else None,
            mix_override_reason=data.mix_override_reason.strip() if data.mix_override else "",
            stage=Stage.SOLICITADO.value,
            created_by=user,
        )
        project.shares = [
            ProjectShare(party=s.party.value, percent_bp=s.percent_bp, amount=s.amount, capped=s.capped)
            for s in plan.allocation.shares
        ]
        session.add(project)
        session.flush()
        session.add(
            StageChange(
                project_id=project.id,
                from_stage=None,
                to_stage=Stage.SOLICITADO.value,
                changed_by=user,
                comment="",
                changed_at=_as_datetime(data.submitted_on),
            )
        )
        session.flush()
        return project_detail(project)


def _as_datetime(day: date) -> datetime:
    """Noon of ``day``: a request's date, stored in a timestamp column without a false precision."""
    return datetime(day.year, day.month, day.day, 12, 0)


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
    )


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
