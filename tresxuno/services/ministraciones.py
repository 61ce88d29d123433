"""Use cases of the deposit calendar (*ministraciones*) and of exceptions to the stage gates.

A project's calendar is stored once the convenio is signed (the default one, half on signing and half
at 50 % progress, is written by the move to ``convenio_firmado``); a project signed before the app
kept calendars is read with the default calendar. Deposits received so far cover each party's
tranches in order (see :func:`tresxuno.domain.ministraciones.tranche_status`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from tresxuno.db.engine import Database
from tresxuno.db.models import (
    LedgerAllocation,
    LedgerEntry,
    Ministracion,
    ProgressReport,
    Project,
    ProjectShare,
    StageChange,
    StageGateException,
    User,
)
from tresxuno.domain import limits
from tresxuno.domain.ministraciones import (
    Tranche,
    TrancheStatus,
    check_calendar,
    default_calendar,
    tranche_status,
)
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.roles import Role, has_role
from tresxuno.domain.stages import Stage
from tresxuno.domain.validation import clean_text
from tresxuno.formatting import local_date
from tresxuno.services.auth import has_users, require

#: Stages past the convenio's signature: the calendar applies (deposits are expected).
SIGNED_STAGES: tuple[str, ...] = tuple(
    s.value for s in (Stage.CONVENIO_FIRMADO, Stage.EN_EJECUCION, Stage.TERMINADO, Stage.CERRADO)
)
#: Stages in which the calendar may be changed (its tranches not yet due).
EDITABLE_STAGES: tuple[str, ...] = (Stage.CONVENIO_FIRMADO.value, Stage.EN_EJECUCION.value)
#: Gates an administrador may let a project pass with a recorded exception. Finishing (100 %
#: progress) and closing (no money left) are facts no authorisation can replace.
EXCEPTION_GATES: tuple[str, ...] = (Stage.EN_EJECUCION.value,)


@dataclass(frozen=True)
class GateExceptionInfo:
    """A recorded exception to a stage gate: the gate (target stage), why, who authorised, who recorded."""

    id: int
    project_id: int
    gate: str
    reason: str
    authorised_by: str
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class ProjectCalendar:
    """A project's deposit calendar with each tranche's status on ``today``.

    Attributes:
        stored: False when no calendar is stored yet (the default one is shown).
        signed_on: the day of the last move to ``convenio_firmado`` (None when not recorded).
        lines: tranches, party by party in the fixed order, each with its status.
        editable: whether the project's stage lets the calendar change.
    """

    project_id: int
    folio: str
    stage: str
    today: date
    shares: dict[str, int]
    signed_on: date | None
    stored: bool
    lines: tuple[TrancheStatus, ...]
    exceptions: tuple[GateExceptionInfo, ...]

    @property
    def editable(self) -> bool:
        """Whether :func:`set_calendar` accepts changes (tranches already due stay as they are)."""
        return self.stage in EDITABLE_STAGES

    @property
    def tranches(self) -> tuple[Tranche, ...]:
        """The tranches alone."""
        return tuple(line.tranche for line in self.lines)


# --- reading ------------------------------------------------------------------------------------


def shares_of(session: Session, project_id: int) -> dict[str, int]:
    """Each party's share of the project in centavos (parties with a share of 0 left out)."""
    rows = session.execute(
        select(ProjectShare.party, ProjectShare.amount).where(
            ProjectShare.project_id == project_id, ProjectShare.amount > 0
        )
    )
    return {party: int(amount) for party, amount in rows}


def stored_tranches(session: Session, project_id: int) -> tuple[Tranche, ...]:
    """The stored calendar (empty when none is stored)."""
    rows = session.scalars(
        select(Ministracion)
        .where(Ministracion.project_id == project_id)
        .order_by(Ministracion.party, Ministracion.number)
    ).all()
    return tuple(
        Tranche(r.party, r.number, int(r.amount), r.trigger, r.due_date, r.progress_percent) for r in rows
    )


def signed_on(session: Session, project_id: int) -> date | None:
    """The day of the project's last move into ``convenio_firmado`` (None when not recorded)."""
    at = session.scalar(
        select(func.max(StageChange.changed_at)).where(
            StageChange.project_id == project_id, StageChange.to_stage == Stage.CONVENIO_FIRMADO.value
        )
    )
    return _day(at) if at is not None else None


def progress_of(session: Session, project_id: int) -> list[tuple[date, int]]:
    """The project's progress reports as (date, tenths of a percent), oldest first."""
    rows = session.execute(
        select(ProgressReport.reported_on, ProgressReport.percent_tenths)
        .where(ProgressReport.project_id == project_id)
        .order_by(ProgressReport.reported_on, ProgressReport.id)
    )
    return [(on, int(tenths)) for on, tenths in rows]


def received_by_party(session: Session, projects: Select | Sequence[int]) -> dict[tuple[int, str], int]:
    """Contributions received per (project, party), net of their reversals, in centavos.

    The sum of the allocation lines of contributions and of every reversal down their chains (a
    reversal's lines negate its target's; a reversal of a reversal restores them), as in the ledger.
    """
    entries = LedgerEntry.__table__
    ids = projects if isinstance(projects, Select) else list(projects)
    start = select(entries.c.id).where(entries.c.kind == "contribution", entries.c.project_id.in_(ids))
    chain = start.cte("contribution_chain", recursive=True)
    later = entries.alias("later")
    chain = chain.union_all(select(later.c.id).where(later.c.reverses_id == chain.c.id))
    rows = session.execute(
        select(LedgerEntry.project_id, LedgerAllocation.party, func.sum(LedgerAllocation.amount))
        .join(LedgerEntry, LedgerEntry.id == LedgerAllocation.entry_id)
        .join(chain, chain.c.id == LedgerEntry.id)
        .group_by(LedgerEntry.project_id, LedgerAllocation.party)
    )
    return {(pid, party): int(total or 0) for pid, party, total in rows}


def calendar_of(session: Session, project: Project, today: date) -> tuple[tuple[TrancheStatus, ...], bool]:
    """The project's tranches with their status on ``today``, and whether the calendar is stored."""
    tranches = stored_tranches(session, project.id)
    stored = bool(tranches)
    if not stored:
        tranches = default_calendar(shares_of(session, project.id))
    received = {party: amount for (_pid, party), amount in received_by_party(session, [project.id]).items()}
    lines = tranche_status(
        tranches,
        received,
        signed=project.stage in SIGNED_STAGES,
        signed_on=signed_on(session, project.id),
        progress=progress_of(session, project.id),
        today=today,
    )
    return lines, stored


def _exceptions(session: Session, project_id: int) -> tuple[GateExceptionInfo, ...]:
    rows = session.scalars(
        select(StageGateException)
        .where(StageGateException.project_id == project_id)
        .order_by(StageGateException.id)
    ).all()
    return tuple(_exception_info(r) for r in rows)


def _exception_info(row: StageGateException) -> GateExceptionInfo:
    return GateExceptionInfo(
        row.id, row.project_id, row.gate, row.reason, row.authorised_by, row.created_at, row.created_by
    )


def _project(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise InputError(Problem("project", "project.unknown", {"id": project_id}))
    return project


def calendar(db: Database, project_id: int, *, today: date | None = None) -> ProjectCalendar:
    """A project's deposit calendar and each tranche's status on ``today`` (one read transaction).

    Raises:
        InputError: ``project.unknown``.
    """
    today = today or date.today()
    with db.transaction() as session:
        project = _project(session, project_id)
        lines, stored = calendar_of(session, project, today)
        return ProjectCalendar(
            project.id,
            project.folio,
            project.stage,
            today,
            shares_of(session, project.id),
            signed_on(session, project.id),
            stored,
            lines,
            _exceptions(session, project.id),
        )


def has_gate_exception(session: Session, project_id: int, gate: str) -> bool:
    """Whether an exception to ``gate`` was recorded for the project."""
    return (
        session.scalar(
            select(func.count())
            .select_from(StageGateException)
            .where(StageGateException.project_id == project_id, StageGateException.gate == gate)
        )
        or 0
    ) > 0


# --- writing ------------------------------------------------------------------------------------


def ensure_default_calendar(session: Session, project: Project) -> bool:
    """Store the default calendar when the project has none (the caller's transaction); True if written."""
    if stored_tranches(session, project.id):
        return False
    rows = [_row(project.id, t) for t in default_calendar(shares_of(session, project.id))]
    session.add_all(rows)
    session.flush()
    return bool(rows)


def _row(project_id: int, t: Tranche) -> Ministracion:
    return Ministracion(
        project_id=project_id,
        party=t.party,
        number=t.number,
        amount=t.amount,
        trigger=t.trigger,
        due_date=t.due_date,
        progress_percent=t.progress_percent,
    )


def _numbered(tranches: Iterable[Tranche]) -> tuple[Tranche, ...]:
    """The tranches numbered 1, 2... per party in the order given; dates and percents only where used."""
    counts: dict[str, int] = {}
    result = []
    for t in tranches:
        counts[t.party] = counts.get(t.party, 0) + 1
        result.append(
            Tranche(
                t.party,
                counts[t.party],
                t.amount,
                t.trigger,
                t.due_date if t.trigger == "fecha" else None,
                t.progress_percent if t.trigger == "avance" else None,
            )
        )
    return tuple(result)


def set_calendar(
    db: Database, project_id: int, tranches: Sequence[Tranche], *, user: str = "", today: date | None = None
) -> ProjectCalendar:
    """Replace a project's deposit calendar (one transaction).

    Tranches are numbered per party in the order given. Allowed while the convenio is signed or the
    works are under way; a tranche already due on ``today`` must stay exactly as it is (number,
    amount, trigger), because deposits were already measured against it, and a new or changed
    tranche must not be due already (a date in the past, a progress already reached).

    Raises:
        InputError: ``project.unknown``, ``ministracion.not_editable``, ``ministracion.due_changed``,
            ``ministracion.already_due`` and every problem of :func:`~tresxuno.domain.ministraciones.check_calendar`. Nothing is written.
    """
    require(db, "ministraciones.edit")
    today = today or date.today()
    new = _numbered(tranches)
    with db.transaction(immediate=True) as session:
        project = _project(session, project_id)
        if project.stage not in EDITABLE_STAGES:
            raise InputError(
                Problem(
                    "calendar", "ministracion.not_editable", {"folio": project.folio, "stage": project.stage}
                )
            )
        signed = signed_on(session, project.id)
        problems = check_calendar(new, shares_of(session, project.id), signed_on=signed)
        current, _stored = calendar_of(session, project, today)
        by_key = {(t.party, t.number): t for t in new}
        for line in current:
            old = line.tranche
            if line.due and by_key.get((old.party, old.number)) != old:
                problems.append(
                    Problem(
                        f"tranche.{old.party}.{old.number}",
                        "ministracion.due_changed",
                        {
                            "party": old.party,
                            "number": old.number,
                            "date": line.due_on.isoformat() if line.due_on else "—",
                        },
                    )
                )
        kept = {line.tranche for line in current if line.due}
        locked = {(t.party, t.number) for t in kept}  # a change to these is already refused above
        for line in tranche_status(
            new,
            {},
            signed=project.stage in SIGNED_STAGES,
            signed_on=signed,
            progress=progress_of(session, project.id),
            today=today,
        ):
            t = line.tranche
            if line.due and t not in kept and (t.party, t.number) not in locked:
                problems.append(
                    Problem(
                        f"tranche.{t.party}.{t.number}",
                        "ministracion.already_due",
                        {
                            "party": t.party,
                            "number": t.number,
                            "date": line.due_on.isoformat() if line.due_on else "—",
                        },
                    )
                )
        if problems:
            raise InputError(problems)
        session.execute(delete(Ministracion).where(Ministracion.project_id == project.id))
        session.add_all(_row(project.id, t) for t in new)
        session.flush()
    return calendar(db, project_id, today=today)


def record_gate_exception(
    db: Database, project_id: int, gate: str, reason: str, authorised_by: str, *, user: str = ""
) -> GateExceptionInfo:
    """Record an administrador's authorisation to pass ``gate`` (a target stage) without its conditions.

    Only an administrador may record one; ``authorised_by`` names the administrador who authorised
    it (once the office has users it must be an active administrador's user name).

    Raises:
        InputError: ``auth.role_required``, ``project.unknown``, ``gate.unknown``, ``gate.not_administrator``,
            ``gate.exception_not_waiting`` (the project is not at the stage before the gate),
            and the text problems of the reason and the name. Nothing is written.
    """
    require(db, "gates.authorise")
    problems: list[Problem] = []
    if gate not in EXCEPTION_GATES:
        problems.append(
            Problem("gate", "gate.unknown", {"gate": gate, "allowed": ", ".join(EXCEPTION_GATES)})
        )
    reason = clean_text(reason, "reason", problems, max_len=limits.LONG_TEXT, multiline=True)
    authorised_by = clean_text(authorised_by, "authorised_by", problems, max_len=80)
    with db.transaction(immediate=True) as session:
        project = _project(session, project_id)
        waiting = {Stage.EN_EJECUCION.value: Stage.CONVENIO_FIRMADO.value}.get(gate)
        if waiting is not None and project.stage != waiting:
            problems.append(
                Problem(
                    "gate",
                    "gate.exception_not_waiting",
                    {"folio": project.folio, "stage": project.stage, "gate": gate},
                )
            )
        if authorised_by and has_users(session):
            role = session.scalar(
                select(User.role).where(User.username == authorised_by, User.active.is_(True))
            )
            if not has_role(role, Role.ADMINISTRADOR):
                problems.append(Problem("authorised_by", "gate.not_administrator", {"user": authorised_by}))
        if problems:
            raise InputError(problems)
        row = StageGateException(
            project_id=project.id, gate=gate, reason=reason, authorised_by=authorised_by, created_by=user
        )
        session.add(row)
        session.flush()
        return _exception_info(row)


# --- the dashboard and the integrity check ---------------------------------------------------------


@dataclass(frozen=True)
class OwedDeposit:
    """A party behind on its calendar: centavos due and not received, since when (None: unknown)."""

    project_id: int
    party: str
    amount: int
    since: date | None
    days: int | None


def owed_deposits(session: Session, projects: Select, today: date) -> list[OwedDeposit]:
    """Parties of ``projects`` (a select of project ids) with a tranche due and not covered on ``today``.

    Only projects where some party received less than its share are looked at, with one query per
    kind of row for all of them (a state office's year holds thousands of signed projects).
    """
    received = received_by_party(session, projects)
    shares: dict[int, dict[str, int]] = {}
    for pid, party, amount in session.execute(
        select(ProjectShare.project_id, ProjectShare.party, ProjectShare.amount).where(
            ProjectShare.project_id.in_(projects), ProjectShare.amount > 0
        )
    ):
        shares.setdefault(pid, {})[party] = int(amount)
    short = sorted(
        pid
        for pid, by_party in shares.items()
        if any(received.get((pid, party), 0) < amount for party, amount in by_party.items())
    )
    result: list[OwedDeposit] = []
    for chunk in (short[i : i + 500] for i in range(0, len(short), 500)):
        stages = dict(session.execute(select(Project.id, Project.stage).where(Project.id.in_(chunk))).all())
        stored: dict[int, list[Tranche]] = {}
        for r in session.scalars(
            select(Ministracion)
            .where(Ministracion.project_id.in_(chunk))
            .order_by(Ministracion.project_id, Ministracion.party, Ministracion.number)
        ):
            stored.setdefault(r.project_id, []).append(
                Tranche(r.party, r.number, int(r.amount), r.trigger, r.due_date, r.progress_percent)
            )
        signed_at = dict(
            session.execute(
                select(StageChange.project_id, func.max(StageChange.changed_at))
                .where(
                    StageChange.project_id.in_(chunk), StageChange.to_stage == Stage.CONVENIO_FIRMADO.value
                )
                .group_by(StageChange.project_id)
            ).all()
        )
        progress: dict[int, list[tuple[date, int]]] = {}
        for pid, on, tenths in session.execute(
            select(ProgressReport.project_id, ProgressReport.reported_on, ProgressReport.percent_tenths)
            .where(ProgressReport.project_id.in_(chunk))
            .order_by(ProgressReport.project_id, ProgressReport.reported_on, ProgressReport.id)
        ):
            progress.setdefault(pid, []).append((on, int(tenths)))
        for pid in chunk:
            at = signed_at.get(pid)
            lines = tranche_status(
                stored.get(pid) or default_calendar(shares[pid]),
                {party: received.get((pid, party), 0) for party in shares[pid]},
                signed=stages.get(pid) in SIGNED_STAGES,
                signed_on=_day(at) if at is not None else None,
                progress=progress.get(pid, []),
                today=today,
            )
            result.extend(_owed(pid, lines, today))
    return result


def _owed(project_id: int, lines: Iterable[TrancheStatus], today: date) -> list[OwedDeposit]:
    """One item per party with tranches due and not covered: their pending sum, since the oldest."""
    owed: dict[str, list[TrancheStatus]] = {}
    for line in lines:
        if line.owed:
            owed.setdefault(line.tranche.party, []).append(line)
    return [
        OwedDeposit(
            project_id,
            party,
            sum(line.pending for line in due),
            due[0].due_on,
            (today - due[0].due_on).days if due[0].due_on is not None else None,
        )
        for party, due in owed.items()
    ]


def calendar_problem(session: Session) -> Problem | None:
    """The first project past its convenio whose stored calendar does not add up to a party's share."""
    sums = session.execute(
        select(Ministracion.project_id, Ministracion.party, func.sum(Ministracion.amount))
        .join(Project, Project.id == Ministracion.project_id)
        .where(Project.stage.in_(SIGNED_STAGES))
        .group_by(Ministracion.project_id, Ministracion.party)
        .order_by(Ministracion.project_id)
    ).all()
    totals: dict[int, dict[str, int]] = {}
    for pid, party, total in sums:
        totals.setdefault(pid, {})[party] = int(total or 0)
    # Every share of those projects in one statement (one query per project took seconds at scale).
    all_shares: dict[int, dict[str, int]] = {}
    for pid, party, amount in session.execute(
        select(ProjectShare.project_id, ProjectShare.party, ProjectShare.amount)
        .join(Project, Project.id == ProjectShare.project_id)
        .where(Project.stage.in_(SIGNED_STAGES), ProjectShare.amount > 0)
    ):
        all_shares.setdefault(pid, {})[party] = int(amount)
    for pid, by_party in totals.items():
        shares = all_shares.get(pid, {})
        for party in sorted(set(shares) | set(by_party)):
            if by_party.get(party, 0) != shares.get(party, 0):
                folio = session.scalar(select(Project.folio).where(Project.id == pid))
                return Problem(
                    "audit",
                    "check.calendar_sum_differs",
                    {
                        "folio": folio,
                        "party": party,
                        "total": by_party.get(party, 0),
                        "share": shares.get(party, 0),
                    },
                )
    return None


def _day(value: datetime | date) -> date:
    return local_date(value) if isinstance(value, datetime) else value
