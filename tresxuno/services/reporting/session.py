"""Builder of the minutes of a COVAM session (*acta de sesión*): attendees, agenda, rulings, money."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from tresxuno.db.engine import Database
from tresxuno.domain.ledger import party_rank
from tresxuno.reports.data import AgendaProject, Attendee, PartyAmount, SessionMinutes
from tresxuno.services.covam import get_session
from tresxuno.services.projects import project_overview
from tresxuno.services.reporting.common import letterhead, stamp

#: The order attendees sit in the minutes: the three governments from federal down, then the
#: migrants' representatives and the partner (protocol order, not the money order of the ledger).
ATTENDEE_ORDER: tuple[str, ...] = ("federal", "state", "municipal", "club", "partner")
#: The ruling whose projects count in the approved money.
APPROVED = "aprobado"


def attendee_rank(party: str) -> int:
    """Position of ``party`` in :data:`ATTENDEE_ORDER` (unknown parties last)."""
    return ATTENDEE_ORDER.index(party) if party in ATTENDEE_ORDER else len(ATTENDEE_ORDER)


def build_session_minutes(
    db: Database, session_id: int, *, printed_by: str, printed_at: datetime | None = None
) -> SessionMinutes:
    """Gather the minutes of one COVAM session.

    Args:
        db: the database.
        session_id: the session's id.
        printed_by: who prints it (for the footer).
        printed_at: when; now when None.

    Returns:
        The minutes: attendees grouped by party (stable within a party), the agenda in its order
        with each project's shares, and the approved money per party.

    Raises:
        InputError: ``session.unknown``; ``project.unknown`` if a project vanished meanwhile.
    """
    info = get_session(db, session_id)
    attendees = tuple(
        Attendee(a.party, a.name, a.position)
        for a in sorted(info.attendees, key=lambda a: attendee_rank(a.party))
    )
    agenda = []
    for number, line in enumerate(info.agenda, start=1):
        overview = project_overview(db, line.project_id)
        shares = sorted(overview.detail.shares, key=lambda s: party_rank(s.party))
        agenda.append(
            AgendaProject(
                number=number,
                project_id=line.project_id,
                folio=line.folio,
                name=line.name,
                club_name=line.club_name,
                municipality_name=overview.municipality_name,
                state_name=overview.state_name,
                cost=line.cost,
                shares=tuple(PartyAmount(s.party, s.amount) for s in shares),
                ruling=line.ruling,
                priority=line.priority,
                conditions=line.conditions,
            )
        )
    approved: dict[str, int] = defaultdict(int)
    for item in agenda:
        if item.ruling == APPROVED:
            for share in item.shares:
                approved[share.party] += share.amount
    return SessionMinutes(
        letterhead=letterhead(db),
        stamp=stamp(db, printed_by, printed_at),
        session_id=info.id,
        number=info.number,
        held_on=info.held_on,
        place=info.place,
        kind=info.kind,
        notes=info.notes,
        attendees=attendees,
        agenda=tuple(agenda),
        approved=tuple(PartyAmount(p, approved[p]) for p in sorted(approved, key=party_rank)),
    )
