"""Use cases for COVAM sessions: convene, seat attendees, set the agenda, record the rulings.

The rulings of a session move every project on its agenda to approved, rejected or returned
in one transaction: either the whole session's rulings are stored, or none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tresxuno.db.engine import Database
from tresxuno.db.models import (
    Club,
    CovamAgendaItem,
    CovamAttendee,
    CovamSession,
    Project,
    StageChange,
    utcnow,
)
from tresxuno.domain import limits
from tresxuno.domain.parties import Party
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.stages import Stage
from tresxuno.domain.validation import clean_text
from tresxuno.i18n import language
from tresxuno.services.attachments import missing_documents
from tresxuno.services.auth import check_not_submitter, require

#: The rulings a session can give, and the stage each one moves the project to.
RULING_STAGES: dict[str, Stage] = {
    "aprobado": Stage.APROBADO,
    "rechazado": Stage.RECHAZADO,
    "devuelto": Stage.DEVUELTO,
}


@dataclass(frozen=True)
class AttendeeInput:
    """Someone present, by the party they represent (``club`` for the migrants' members)."""

    party: str
    name: str
    position: str = ""


@dataclass(frozen=True)
class SessionInput:
    """What an officer types to convene a session."""

    number: str
    held_on: date
    place: str
    kind: str = "ordinaria"
    notes: str = ""
    attendees: tuple[AttendeeInput, ...] = ()


@dataclass(frozen=True)
class RulingInput:
    """The committee's decision on one project: ruling, priority score 0-100 and conditions."""

    project_id: int
    ruling: str
    priority: int | None = None
    conditions: str = ""


@dataclass(frozen=True)
class AgendaLine:
    """A project on the agenda as shown in the session and printed in its minutes."""

    project_id: int
    folio: str
    name: str
    club_name: str
    cost: int  # centavos MXN
    stage: str
    ruling: str | None
    priority: int | None
    conditions: str


@dataclass(frozen=True)
class SessionInfo:
    """A session with its attendees and agenda."""

    id: int
    number: str
    held_on: date
    place: str
    kind: str
    notes: str
    attendees: tuple[AttendeeInput, ...]
    agenda: tuple[AgendaLine, ...] = field(default_factory=tuple)

    @property
    def ruled(self) -> bool:
        """Whether every project on the agenda has a ruling."""
        return bool(self.agenda) and all(line.ruling for line in self.agenda)


def _check_session(data: SessionInput) -> list[Problem]:
    problems: list[Problem] = []
    clean_text(data.number, "number", problems, max_len=limits.SESSION_NUMBER)
    clean_text(data.place, "place", problems)
    clean_text(data.notes, "notes", problems, required=False, max_len=limits.LONG_TEXT, multiline=True)
    if data.kind not in ("ordinaria", "extraordinaria"):
        problems.append(Problem("kind", "session.unknown_kind", {"kind": data.kind}))
    for i, person in enumerate(data.attendees):
        if person.party not in {p.value for p in Party}:
            problems.append(Problem(f"attendees[{i}]", "mix.unknown_party", {"party": person.party}))
        clean_text(person.name, f"attendees[{i}]", problems)
        clean_text(person.position, f"attendees[{i}].position", problems, required=False)
    return problems


def _session_info(session: Session, row: CovamSession) -> SessionInfo:
    lines = session.execute(
        select(CovamAgendaItem, Project.folio, Project.name, Club.name, Project.cost, Project.stage)
        .join(Project, Project.id == CovamAgendaItem.project_id)
        .join(Club, Club.id == Project.club_id)
        .where(CovamAgendaItem.session_id == row.id)
        .order_by(CovamAgendaItem.id)
    ).all()
    return SessionInfo(
        id=row.id,
        number=row.number,
        held_on=row.held_on,
        place=row.place,
        kind=row.kind,
        notes=row.notes,
        attendees=tuple(AttendeeInput(a.party, a.name, a.position) for a in row.attendees),
        agenda=tuple(
            AgendaLine(
                item.project_id, folio, name, club, cost, stage, item.ruling, item.priority, item.conditions
            )
            for item, folio, name, club, cost, stage in lines
        ),
    )


def create_session(db: Database, data: SessionInput, *, user: str = "") -> SessionInfo:
    """Convene a session with its attendees.

    Raises:
        InputError: a required field is empty, the number is taken, or an attendee is incomplete.
    """
    require(db, "covam.edit")
    problems = _check_session(data)
    number = data.number.strip()
    with db.transaction(immediate=True) as session:
        if number and session.scalar(select(CovamSession.id).where(CovamSession.number == number)):
            problems.append(Problem("number", "session.duplicate_number", {"number": number}))
        if problems:
            raise InputError(problems)
        row = CovamSession(
            number=number,
            held_on=data.held_on,
            place=data.place.strip(),
            kind=data.kind,
            notes=data.notes.strip(),
            created_by=user,
        )
        row.attendees = [
            CovamAttendee(party=a.party, name=a.name.strip(), position=a.position.strip())
            for a in data.attendees
        ]
        session.add(row)
        session.flush()
        return _session_info(session, row)


def _load(session: Session, session_id: int) -> CovamSession:
    row = session.get(CovamSession, session_id)
    if row is None:
        raise InputError(Problem("session", "session.unknown", {"id": session_id}))
    return row


def add_to_agenda(
    db: Database, session_id: int, project_ids: Sequence[int], *, user: str = ""
) -> SessionInfo:
    """Put projects on a session's agenda; pre-validated ones move to "en_covam".

    Raises:
        InputError: per project: unknown, not pre-validated (nor already at the COVAM), missing a
            required document, or already on this agenda. Nothing is written if any is refused.
    """
    require(db, "covam.edit")
    with db.transaction(immediate=True) as session:
        row = _load(session, session_id)
        on_agenda = {item.project_id for item in row.agenda}
        problems: list[Problem] = []
        for project_id in project_ids:
            project = session.get(Project, project_id)
            where = f"project[{project_id}]"
            if project is None:
                problems.append(Problem(where, "project.unknown", {"id": project_id}))
                continue
            if project_id in on_agenda:
                problems.append(Problem(where, "agenda.duplicate", {"folio": project.folio}))
                continue
            if project.stage not in (Stage.PREVALIDADO, Stage.EN_COVAM):
                problems.append(
                    Problem(
                        where, "agenda.not_prevalidated", {"folio": project.folio, "stage": project.stage}
                    )
                )
                continue
            missing = missing_documents(session, project)
            if missing:
                problems.append(
                    Problem(
                        where,
                        "documents.missing",
                        {"count": len(missing), "documents": "; ".join(d.name(language()) for d in missing)},
                    )
                )
                continue
            if project.stage == Stage.PREVALIDADO:
                session.add(
                    StageChange(
                        project_id=project.id,
                        from_stage=project.stage,
                        to_stage=Stage.EN_COVAM.value,
                        changed_by=user,
                        comment=f"Sesión {row.number}",
                    )
                )
                project.stage = Stage.EN_COVAM.value
            session.add(CovamAgendaItem(session_id=row.id, project_id=project.id))
            on_agenda.add(project_id)
        if problems:
            raise InputError(problems)
        session.flush()
        return _session_info(session, row)


def record_rulings(
    db: Database,
    session_id: int,
    rulings: Sequence[RulingInput],
    *,
    user: str = "",
    at: datetime | None = None,
) -> SessionInfo:
    """Store the session's rulings and move each project's stage, all in one transaction.

    A rejection or a return must state its reasons in ``conditions``; approval may carry
    conditions. The stage history records the session number and the conditions.

    Raises:
        InputError: a project not on the agenda or no longer at the COVAM, an unknown ruling, a
            priority outside 0-100, or a rejection/return without reasons. Nothing is written.
    """
    require(db, "covam.rule")
    with db.transaction(immediate=True) as session:
        row = _load(session, session_id)
        items = {item.project_id: item for item in row.agenda}
        problems: list[Problem] = []
        seen: set[int] = set()
        conditions: dict[int, str] = {}
        for ruling in rulings:
            where = f"project[{ruling.project_id}]"
            item = items.get(ruling.project_id)
            if item is None:
                problems.append(
                    Problem(where, "agenda.not_on_agenda", {"id": ruling.project_id, "number": row.number})
                )
                continue
            if ruling.project_id in seen:
                # Two rulings for one project in one call: which one would stand? Refuse both.
                problems.append(Problem(where, "ruling.duplicate", {"folio": item.project.folio}))
                continue
            seen.add(ruling.project_id)
            conditions[ruling.project_id] = clean_text(
                ruling.conditions,
                f"conditions[{item.project.folio}]",
                problems,
                required=False,
                max_len=limits.LONG_TEXT,
                multiline=True,
            )
            check_not_submitter(session, item.project)
            if ruling.ruling not in RULING_STAGES:
                problems.append(
                    Problem(
                        where,
                        "ruling.unknown",
                        {"ruling": ruling.ruling, "allowed": ", ".join(RULING_STAGES)},
                    )
                )
            if ruling.priority is not None and not 0 <= ruling.priority <= 100:
                problems.append(
                    Problem(where, "number.out_of_range", {"value": ruling.priority, "min": 0, "max": 100})
                )
            if ruling.ruling in ("rechazado", "devuelto") and not conditions[ruling.project_id]:
                problems.append(Problem(where, "ruling.reason_required", {"ruling": ruling.ruling}))
            if item.project.stage != Stage.EN_COVAM:
                problems.append(
                    Problem(
                        where,
                        "ruling.not_at_covam",
                        {"folio": item.project.folio, "stage": item.project.stage},
                    )
                )
        if problems:
            raise InputError(problems)
        moment = at or utcnow()
        for ruling in rulings:
            item = items[ruling.project_id]
            item.ruling, item.priority = ruling.ruling, ruling.priority
            item.conditions, item.ruled_at, item.ruled_by = conditions[ruling.project_id], moment, user
            project = item.project
            comment = f"Sesión {row.number}" + (f": {item.conditions}" if item.conditions else "")
            session.add(
                StageChange(
                    project_id=project.id,
                    from_stage=project.stage,
                    to_stage=RULING_STAGES[ruling.ruling].value,
                    changed_by=user,
                    comment=comment,
                    changed_at=moment,
                )
            )
            project.stage = RULING_STAGES[ruling.ruling].value
        session.flush()
        return _session_info(session, row)


def get_session(db: Database, session_id: int) -> SessionInfo:
    """One session with attendees and agenda.

    Raises:
        InputError: no such session.
    """
    with db.transaction() as session:
        return _session_info(session, _load(session, session_id))


@dataclass(frozen=True)
class SessionSummary:
    """One row of the session list."""

    id: int
    number: str
    held_on: date
    place: str
    kind: str
    projects: int
    ruled: int


def list_sessions(db: Database, *, year: int | None = None) -> list[SessionSummary]:
    """Sessions, newest first, with how many projects each has and how many are ruled."""
    with db.transaction() as session:
        stmt = (
            select(CovamSession, func.count(CovamAgendaItem.id), func.count(CovamAgendaItem.ruling))
            .outerjoin(CovamAgendaItem, CovamAgendaItem.session_id == CovamSession.id)
            .group_by(CovamSession.id)
            .order_by(CovamSession.held_on.desc(), CovamSession.id.desc())
        )
        if year is not None:
            stmt = stmt.where(CovamSession.held_on.between(date(year, 1, 1), date(year, 12, 31)))
        return [
            SessionSummary(s.id, s.number, s.held_on, s.place, s.kind, total, ruled)
            for s, total, ruled in session.execute(stmt).all()
        ]
