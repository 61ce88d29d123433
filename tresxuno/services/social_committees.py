"""Contraloría social: record a project's committee and what it files; find projects that lack one.

Each write is one transaction behind its permission. The committee's members may be corrected (a
typo in a name) while the works run: the row's version guards against two officers saving at once,
and the audit trail keeps every earlier list. Minutes and reports are filed, never edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from tresxuno.db.engine import Database
from tresxuno.db.models import Project, SocialCommittee, SocialCommitteeMember, SocialCommitteeRecord
from tresxuno.domain.actor import current_actor
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.social_committee import (
    NEEDS_COMMITTEE_STAGES,
    CommitteeInput,
    CommitteeMember,
    CommitteeRecordInput,
    check_committee,
    check_record,
)
from tresxuno.services.auth import require

__all__ = [
    "CommitteeInfo",
    "CommitteeRecordInfo",
    "add_committee_record",
    "committee_of",
    "needs_committee",
    "projects_without_committee",
    "save_committee",
]

#: Categories whose projects are not works watched by a community committee (the family and
#: individual productive projects and scholarships have beneficiaries, not a community).
NO_COMMITTEE_CATEGORIES: frozenset[str] = frozenset(
    {"scholarships", "productive-family", "productive-individual"}
)


@dataclass(frozen=True)
class CommitteeRecordInfo:
    """A filed minutes (acta) or report (informe)."""

    id: int
    kind: str
    held_on: date
    summary: str
    findings: str
    created_by: str


@dataclass(frozen=True)
class CommitteeInfo:
    """A project's committee: when constituted, members in signing order, what it filed, its version."""

    project_id: int
    constituted_on: date
    members: tuple[CommitteeMember, ...]
    records: tuple[CommitteeRecordInfo, ...]
    version: int


def needs_committee(category: str, stage: str) -> bool:
    """Whether a project of ``category`` in ``stage`` must have its committee by now."""
    return category not in NO_COMMITTEE_CATEGORIES and stage in NEEDS_COMMITTEE_STAGES


def _project(session: Session, project_id: int) -> Project:
    row = session.get(Project, project_id)
    if row is None:
        raise InputError(Problem("project", "project.unknown", {"id": project_id}))
    return row


def _info(session: Session, committee: SocialCommittee) -> CommitteeInfo:
    records = session.scalars(
        select(SocialCommitteeRecord)
        .where(SocialCommitteeRecord.committee_id == committee.id)
        .order_by(SocialCommitteeRecord.held_on, SocialCommitteeRecord.id)
    ).all()
    return CommitteeInfo(
        committee.project_id,
        committee.constituted_on,
        tuple(CommitteeMember(m.name, m.position, m.sex) for m in committee.members),
        tuple(
            CommitteeRecordInfo(r.id, r.kind, r.held_on, r.summary, r.findings, r.created_by) for r in records
        ),
        committee.version,
    )


def committee_of(db: Database, project_id: int) -> CommitteeInfo | None:
    """The project's committee, or None when none was recorded.

    Raises:
        InputError: ``project.unknown``.
    """
    with db.transaction() as session:
        _project(session, project_id)
        committee = session.scalar(select(SocialCommittee).where(SocialCommittee.project_id == project_id))
        return None if committee is None else _info(session, committee)


def save_committee(
    db: Database,
    project_id: int,
    data: CommitteeInput,
    *,
    version: int | None = None,
    today: date | None = None,
) -> CommitteeInfo:
    """Record the project's committee, or correct it (``version``: the one the officer read).

    Raises:
        InputError: ``auth.role_required``; ``project.unknown``; the problems of
            :func:`~tresxuno.domain.social_committee.check_committee`; ``committee.changed_elsewhere`` when
            someone saved the committee since ``version`` was read. Nothing is written.
    """
    actor = require(db, "committees.edit")
    today = today or date.today()
    with db.transaction(immediate=True) as session:
        project = _project(session, project_id)
        clean = check_committee(data, today=today, first_day=date(project.fiscal_year - 1, 1, 1))
        committee = session.scalar(select(SocialCommittee).where(SocialCommittee.project_id == project_id))
        if committee is None:
            committee = SocialCommittee(
                project_id=project_id, constituted_on=clean.constituted_on, created_by=actor.username
            )
            session.add(committee)
            session.flush()
        else:
            if version is not None and version != committee.version:
                raise InputError(
                    Problem("committee", "committee.changed_elsewhere", {"folio": project.folio})
                )
            committee.constituted_on = clean.constituted_on
            # Always an UPDATE, so the version moves on even when only the members change.
            flag_modified(committee, "constituted_on")
            # Members are replaced as a list: the trail keeps the earlier rows (deleted) and the new.
            for old in list(committee.members):
                session.delete(old)
            session.flush()
        for seat, member in enumerate(clean.members, start=1):
            session.add(
                SocialCommitteeMember(
                    committee_id=committee.id,
                    project_id=project_id,
                    seat=seat,
                    name=member.name,
                    position=member.position,
                    sex=member.sex,
                )
            )
        session.flush()
        session.refresh(committee)
        return _info(session, committee)


def add_committee_record(
    db: Database, project_id: int, data: CommitteeRecordInput, *, today: date | None = None
) -> CommitteeRecordInfo:
    """File the committee's minutes or report.

    Raises:
        InputError: ``auth.role_required``; ``project.unknown``; ``committee.missing``; the problems
            of :func:`~tresxuno.domain.social_committee.check_record`. Nothing is written.
    """
    actor = require(db, "committees.edit")
    today = today or date.today()
    with db.transaction(immediate=True) as session:
        project = _project(session, project_id)
        committee = session.scalar(select(SocialCommittee).where(SocialCommittee.project_id == project_id))
        if committee is None:
            raise InputError(Problem("committee", "committee.missing", {"folio": project.folio}))
        clean = check_record(data, today=today, constituted_on=committee.constituted_on)
        row = SocialCommitteeRecord(
            committee_id=committee.id,
            project_id=project_id,
            kind=clean.kind,
            held_on=clean.held_on,
            summary=clean.summary,
            findings=clean.findings,
            created_by=actor.username or current_actor().username,
        )
        session.add(row)
        session.flush()
        return CommitteeRecordInfo(row.id, row.kind, row.held_on, row.summary, row.findings, row.created_by)


def projects_without_committee(session: Session, fiscal_year: int | None) -> list[tuple[int, str, str]]:
    """``(id, folio, stage)`` of the year's works projects past the convenio without a committee."""
    stmt = (
        select(Project.id, Project.folio, Project.stage)
        .outerjoin(SocialCommittee, SocialCommittee.project_id == Project.id)
        .where(
            SocialCommittee.id.is_(None),
            Project.stage.in_(sorted(NEEDS_COMMITTEE_STAGES)),
            Project.category.not_in(sorted(NO_COMMITTEE_CATEGORIES)),
        )
        .order_by(Project.folio)
    )
    if fiscal_year is not None:
        stmt = stmt.where(Project.fiscal_year == fiscal_year)
    return [(int(i), str(f), str(s)) for i, f, s in session.execute(stmt)]
