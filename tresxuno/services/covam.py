"""Use cases for COVAM sessions: convene, seat attendees, set the agenda, record the rulings.

The rulings of a session move every project on its agenda to approved, rejected or returned
in one transaction: either the whole session's rulings are stored, or none. The committee rules
only with quorum (:mod:`tresxuno.domain.quorum`); each ruling takes effect on the session's date.

A session and its attendees, votes and criteria can be corrected until its acta is printed as
final (:func:`finalize_session`); after that a change needs a new version with its reason
(:func:`open_new_version`), and every final version stays readable (:func:`session_version`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tresxuno.db.engine import Database
from tresxuno.db.models import (
    Club,
    CovamAgendaItem,
    CovamAttendee,
    CovamSession,
    CovamSessionVersion,
    Project,
    StageChange,
    utcnow,
)
from tresxuno.domain import limits
from tresxuno.domain.parties import Party
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.quorum import GUEST, PRESIDENT, ROLES, SECRETARY, Quorum, check_votes, quorum
from tresxuno.domain.stages import Stage
from tresxuno.domain.validation import clean_text
from tresxuno.i18n import _, language
from tresxuno.services.attachments import missing_documents
from tresxuno.services.auth import check_not_submitter, require
from tresxuno.services.officials import POST_LABELS, POST_PARTY, officials_on

#: The rulings a session can give, and the stage each one moves the project to.
RULING_STAGES: dict[str, Stage] = {
    "aprobado": Stage.APROBADO,
    "rechazado": Stage.RECHAZADO,
    "devuelto": Stage.DEVUELTO,
}


@dataclass(frozen=True)
class AttendeeInput:
    """Someone present, by the party they represent (``club`` for the migrants' members).

    ``role``: presidente, secretario_tecnico, vocal or invitado (a guest never votes).
    """

    party: str
    name: str
    position: str = ""
    role: str = "vocal"
    has_vote: bool = True


@dataclass(frozen=True)
class SessionInput:
    """What an officer types to convene a session."""

    number: str
    held_on: date
    place: str
    kind: str = "ordinaria"
    notes: str = ""
    attendees: tuple[AttendeeInput, ...] = ()
    #: The day the committee was called (convocatoria); None when not known.
    called_on: date | None = None
    #: The committee's members with vote; None: as many as attend with vote.
    voting_members: int | None = None
    #: The priority criteria applied, one per line.
    criteria: str = ""


@dataclass(frozen=True)
class RulingInput:
    """The committee's decision on one project: ruling, priority score 0-100 and conditions."""

    project_id: int
    ruling: str
    priority: int | None = None
    conditions: str = ""
    votes_for: int | None = None
    votes_against: int | None = None
    abstentions: int | None = None


@dataclass(frozen=True)
class VoteInput:
    """The votes on one project of the agenda, corrected after its ruling (all three, or None to clear)."""

    project_id: int
    votes_for: int | None
    votes_against: int | None
    abstentions: int | None


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
    votes_for: int | None = None
    votes_against: int | None = None
    abstentions: int | None = None
    #: The day the ruling takes effect: the session's date (None while not ruled).
    effective_on: date | None = None


@dataclass(frozen=True)
class SessionInfo:
    """A session with its attendees and agenda, its acta's version and whether that version is final."""

    id: int
    number: str
    held_on: date
    place: str
    kind: str
    notes: str
    attendees: tuple[AttendeeInput, ...]
    agenda: tuple[AgendaLine, ...] = field(default_factory=tuple)
    called_on: date | None = None
    voting_members: int | None = None
    criteria: str = ""
    version: int = 1
    version_reason: str = ""
    final_at: datetime | None = None
    final_by: str = ""

    @property
    def ruled(self) -> bool:
        """Whether every project on the agenda has a ruling."""
        return bool(self.agenda) and all(line.ruling for line in self.agenda)

    @property
    def final(self) -> bool:
        """Whether this version of the acta was printed as final (then it is frozen)."""
        return self.final_at is not None

    @property
    def voters(self) -> int:
        """Attendees with vote."""
        return sum(1 for a in self.attendees if a.has_vote)

    @property
    def quorum(self) -> Quorum:
        """The session's quorum from its attendance (see :mod:`tresxuno.domain.quorum`)."""
        president = any(a.role == PRESIDENT and a.has_vote for a in self.attendees)
        return quorum(self.voters, self.voting_members, president)

    def holder(self, role: str) -> AttendeeInput | None:
        """The attendee in ``role`` (the president, the technical secretary), if any."""
        return next((a for a in self.attendees if a.role == role), None)

    @property
    def criteria_lines(self) -> tuple[str, ...]:
        """The priority criteria, one per non-blank line."""
        return tuple(line.strip() for line in self.criteria.splitlines() if line.strip())


def _check_session(data: SessionInput) -> list[Problem]:
    problems: list[Problem] = []
    clean_text(data.number, "number", problems, max_len=limits.SESSION_NUMBER)
    clean_text(data.place, "place", problems)
    clean_text(data.notes, "notes", problems, required=False, max_len=limits.LONG_TEXT, multiline=True)
    if data.kind not in ("ordinaria", "extraordinaria"):
        problems.append(Problem("kind", "session.unknown_kind", {"kind": data.kind}))
    clean_text(data.criteria, "criteria", problems, required=False, max_len=limits.LONG_TEXT, multiline=True)
    if data.called_on is not None and data.called_on > data.held_on:
        problems.append(
            Problem(
                "called_on", "session.called_after_held", {"called": data.called_on, "held": data.held_on}
            )
        )
    for i, person in enumerate(data.attendees):
        if person.party not in {p.value for p in Party}:
            problems.append(Problem(f"attendees[{i}]", "mix.unknown_party", {"party": person.party}))
        clean_text(person.name, f"attendees[{i}]", problems)
        clean_text(person.position, f"attendees[{i}].position", problems, required=False)
        if person.role not in ROLES:
            problems.append(
                Problem(
                    f"attendees[{i}]",
                    "session.unknown_role",
                    {"role": person.role, "allowed": ", ".join(ROLES)},
                )
            )
        elif person.role == GUEST and person.has_vote:
            problems.append(Problem(f"attendees[{i}]", "session.guest_votes", {"name": person.name.strip()}))
    for role in (PRESIDENT, SECRETARY):
        holders = [i for i, a in enumerate(data.attendees) if a.role == role]
        for i in holders[1:]:
            problems.append(Problem(f"attendees[{i}]", "session.role_taken", {"role": role}))
    voters = sum(1 for a in data.attendees if a.has_vote)
    if data.voting_members is not None and not voters <= data.voting_members <= 200:
        problems.append(
            Problem(
                "voting_members",
                "session.voting_members_range",
                {"value": data.voting_members, "present": voters},
            )
        )
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
        attendees=tuple(
            AttendeeInput(a.party, a.name, a.position, a.role, a.has_vote) for a in row.attendees
        ),
        agenda=tuple(
            AgendaLine(
                item.project_id,
                folio,
                name,
                club,
                cost,
                stage,
                item.ruling,
                item.priority,
                item.conditions,
                item.votes_for,
                item.votes_against,
                item.abstentions,
                item.effective_on,
            )
            for item, folio, name, club, cost, stage in lines
        ),
        called_on=row.called_on,
        voting_members=row.voting_members,
        criteria=row.criteria,
        version=row.version,
        version_reason=row.version_reason,
        final_at=row.final_at,
        final_by=row.final_by,
    )


def _attendee_rows(data: SessionInput) -> list[CovamAttendee]:
    return [
        CovamAttendee(
            party=a.party, name=a.name.strip(), position=a.position.strip(), role=a.role, has_vote=a.has_vote
        )
        for a in data.attendees
    ]


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
            called_on=data.called_on,
            voting_members=data.voting_members,
            criteria=data.criteria.strip(),
        )
        row.attendees = _attendee_rows(data)
        session.add(row)
        session.flush()
        return _session_info(session, row)


def _load(session: Session, session_id: int) -> CovamSession:
    row = session.get(CovamSession, session_id)
    if row is None:
        raise InputError(Problem("session", "session.unknown", {"id": session_id}))
    return row


def _load_open(session: Session, session_id: int) -> CovamSession:
    """The session, refused once its acta was printed as final (a change then needs a new version)."""
    row = _load(session, session_id)
    if row.final_at is not None:
        raise InputError(Problem("session", "session.final", {"number": row.number, "version": row.version}))
    return row


def update_session(db: Database, session_id: int, data: SessionInput, *, user: str = "") -> SessionInfo:
    """Correct a session before its acta is final: its data, criteria and attendees (added, removed, fixed).

    Rulings already recorded keep their effect on the session's (possibly corrected) date; the
    attendance must still give quorum and cover the votes cast.

    Raises:
        InputError: ``session.final`` once the acta was printed as final; any problem of
            :func:`create_session`; ``session.no_quorum`` or ``votes.too_many`` when rulings exist
            and the corrected attendance no longer supports them.
    """
    require(db, "covam.edit")
    problems = _check_session(data)
    number = data.number.strip()
    with db.transaction(immediate=True) as session:
        row = _load_open(session, session_id)
        taken = session.scalar(
            select(CovamSession.id).where(CovamSession.number == number, CovamSession.id != session_id)
        )
        if number and taken:
            problems.append(Problem("number", "session.duplicate_number", {"number": number}))
        if problems:
            raise InputError(problems)
        ruled = [item for item in row.agenda if item.ruling]
        if ruled:
            president = any(a.role == PRESIDENT and a.has_vote for a in data.attendees)
            voters = sum(1 for a in data.attendees if a.has_vote)
            state = quorum(voters, data.voting_members, president)
            if not state.reached:
                # The root cause: without quorum no vote stands, so the counts are not checked too.
                raise InputError(_no_quorum(row.number, state))
            for item in ruled:
                problems += check_votes(
                    f"project[{item.project_id}]",
                    item.ruling or "",
                    item.votes_for,
                    item.votes_against,
                    item.abstentions,
                    voters,
                )
            if problems:
                raise InputError(problems)
        row.number, row.held_on, row.place = number, data.held_on, data.place.strip()
        row.kind, row.notes, row.criteria = data.kind, data.notes.strip(), data.criteria.strip()
        row.called_on, row.voting_members = data.called_on, data.voting_members
        row.attendees = _attendee_rows(data)
        for item in ruled:
            item.effective_on = data.held_on
        session.flush()
        return _session_info(session, row)


def _no_quorum(number: str, state: Quorum) -> Problem:
    return Problem(
        "session",
        "session.no_quorum",
        {
            "number": number,
            "present": state.present,
            "members": state.members,
            "needed": state.needed,
        },
    )


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
        row = _load_open(session, session_id)
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
    conditions. The stage history records the session number and the conditions. Each ruling
    takes effect on the session's date (``effective_on``), whenever it is typed; ``at`` is only
    when it was recorded.

    Raises:
        InputError: the session had no quorum (``session.no_quorum``) or its acta is final; a
            project not on the agenda or no longer at the COVAM, an unknown ruling, a priority
            outside 0-100, a rejection/return without reasons, or votes that do not add up.
            Nothing is written.
    """
    require(db, "covam.rule")
    with db.transaction(immediate=True) as session:
        row = _load_open(session, session_id)
        info = _session_info(session, row)
        if not info.quorum.reached:
            raise InputError(_no_quorum(row.number, info.quorum))
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
            problems += check_votes(
                where, ruling.ruling, ruling.votes_for, ruling.votes_against, ruling.abstentions, info.voters
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
            item.votes_for, item.votes_against = ruling.votes_for, ruling.votes_against
            item.abstentions, item.effective_on = ruling.abstentions, row.held_on
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


def record_votes(db: Database, session_id: int, votes: Sequence[VoteInput], *, user: str = "") -> SessionInfo:
    """Record or correct the votes on projects of the agenda (ruled or not) while the acta is not final.

    Raises:
        InputError: ``session.final``; a project not on the agenda; votes incomplete, negative,
            more than the members with vote present, or an approval without a majority.
    """
    require(db, "covam.rule")
    with db.transaction(immediate=True) as session:
        row = _load_open(session, session_id)
        info = _session_info(session, row)
        items = {item.project_id: item for item in row.agenda}
        problems: list[Problem] = []
        for vote in votes:
            where = f"project[{vote.project_id}]"
            item = items.get(vote.project_id)
            if item is None:
                problems.append(
                    Problem(where, "agenda.not_on_agenda", {"id": vote.project_id, "number": row.number})
                )
                continue
            problems += check_votes(
                where, item.ruling or "", vote.votes_for, vote.votes_against, vote.abstentions, info.voters
            )
        if problems:
            raise InputError(problems)
        for vote in votes:
            item = items[vote.project_id]
            item.votes_for, item.votes_against, item.abstentions = (
                vote.votes_for,
                vote.votes_against,
                vote.abstentions,
            )
        session.flush()
        return _session_info(session, row)


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(type(value))


def snapshot_text(info: SessionInfo) -> str:
    """The session as frozen in a final version (JSON): enough to print that version's acta again."""
    return json.dumps(asdict(info), default=_jsonable, ensure_ascii=False, sort_keys=True)


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def info_from_snapshot(text: str) -> SessionInfo:
    """The session as it was in a frozen final version (see :func:`snapshot_text`)."""
    raw = json.loads(text)
    final_at = raw.get("final_at")
    held_on = _day(raw["held_on"])
    assert held_on is not None
    return SessionInfo(
        id=raw["id"],
        number=raw["number"],
        held_on=held_on,
        place=raw["place"],
        kind=raw["kind"],
        notes=raw["notes"],
        attendees=tuple(AttendeeInput(**a) for a in raw["attendees"]),
        agenda=tuple(
            AgendaLine(**{**line, "effective_on": _day(line.get("effective_on"))}) for line in raw["agenda"]
        ),
        called_on=_day(raw.get("called_on")),
        voting_members=raw.get("voting_members"),
        criteria=raw.get("criteria", ""),
        version=raw.get("version", 1),
        version_reason=raw.get("version_reason", ""),
        final_at=datetime.fromisoformat(final_at) if final_at else None,
        final_by=raw.get("final_by", ""),
    )


def finalize_session(
    db: Database, session_id: int, *, user: str = "", at: datetime | None = None
) -> SessionInfo:
    """Freeze the session's acta as printed final: its version is stored whole and nothing changes after.

    Raises:
        InputError: ``session.final`` when this version is already final.
    """
    require(db, "covam.edit")
    with db.transaction(immediate=True) as session:
        row = _load_open(session, session_id)
        row.final_at, row.final_by = (at or utcnow()).replace(microsecond=0), user
        session.flush()
        info = _session_info(session, row)
        session.add(
            CovamSessionVersion(
                session_id=row.id,
                version=row.version,
                reason=row.version_reason,
                snapshot=snapshot_text(info),
                final_at=row.final_at,
                final_by=user,
            )
        )
        session.flush()
        return info


def open_new_version(db: Database, session_id: int, reason: str, *, user: str = "") -> SessionInfo:
    """Reopen a final acta as a new version (number + 1) so it can be corrected; the reason is recorded.

    The earlier version stays as it was printed (:func:`session_version`); the new one prints its
    number and the reason.

    Raises:
        InputError: ``session.not_final`` while the current version can still be edited; an empty reason.
    """
    require(db, "covam.edit")
    problems: list[Problem] = []
    text = clean_text(reason, "reason", problems, max_len=limits.LONG_TEXT, multiline=True)
    with db.transaction(immediate=True) as session:
        row = _load(session, session_id)
        if row.final_at is None:
            problems.append(
                Problem("session", "session.not_final", {"number": row.number, "version": row.version})
            )
        if problems:
            raise InputError(problems)
        row.version += 1
        row.version_reason = text
        row.final_at, row.final_by = None, ""
        session.flush()
        return _session_info(session, row)


@dataclass(frozen=True)
class VersionSummary:
    """A final version of a session's acta: its number, why it was opened, when and by whom it was printed final."""

    version: int
    reason: str
    final_at: datetime
    final_by: str


def list_versions(db: Database, session_id: int) -> list[VersionSummary]:
    """The final versions of a session's acta, oldest first."""
    with db.transaction() as session:
        _load(session, session_id)
        rows = session.scalars(
            select(CovamSessionVersion)
            .where(CovamSessionVersion.session_id == session_id)
            .order_by(CovamSessionVersion.version)
        ).all()
        return [VersionSummary(r.version, r.reason, r.final_at, r.final_by) for r in rows]


def session_version(db: Database, session_id: int, version: int) -> SessionInfo:
    """The session exactly as a final version of its acta had it.

    Raises:
        InputError: ``session.unknown``; ``session.unknown_version`` when that version was never final.
    """
    with db.transaction() as session:
        row = _load(session, session_id)
        stored = session.scalar(
            select(CovamSessionVersion.snapshot).where(
                CovamSessionVersion.session_id == session_id, CovamSessionVersion.version == version
            )
        )
        if stored is None:
            raise InputError(
                Problem("version", "session.unknown_version", {"number": row.number, "version": version})
            )
    return info_from_snapshot(stored)


def attendees_from_officials(db: Database, day: date) -> tuple[AttendeeInput, ...]:
    """Attendee rows for the officials in office on ``day`` (federal head, state, presidente municipal).

    A convenient start for a session's attendance: the names are those in office on the session's
    date, never today's; the federal head's position names the institution valid then.
    """
    found = officials_on(db, day)
    rows: list[AttendeeInput] = []
    for post in ("delegado_federal", "titular_estatal", "presidente_municipal", "titular_migrantes"):
        holder = found.get(post)
        if holder is None:
            continue
        position = holder.title or _(POST_LABELS[post])
        if holder.institution:
            position = f"{position}, {holder.institution}"
        rows.append(AttendeeInput(POST_PARTY[post], holder.person_name, position))
    return tuple(rows)


def ruling_effective_on(db: Database, project_id: int) -> date | None:
    """The date the project's latest COVAM ruling took effect (its session's date); None if never ruled.

    Documents that print "approved on" (the convenio) should use this, not the day it was typed.
    """
    with db.transaction() as session:
        return session.scalar(
            select(CovamAgendaItem.effective_on)
            .where(CovamAgendaItem.project_id == project_id, CovamAgendaItem.ruling.is_not(None))
            .order_by(CovamAgendaItem.effective_on.desc(), CovamAgendaItem.id.desc())
            .limit(1)
        )
