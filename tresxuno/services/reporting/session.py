"""Builder of the minutes of a COVAM session (*acta de sesión*): attendees, agenda, rulings, money."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from tresxuno.db.engine import Database
from tresxuno.domain.ledger import party_rank
from tresxuno.i18n import _
from tresxuno.reports.data import (
    AgendaProject,
    Attendee,
    Letterhead,
    PartyAmount,
    Representation,
    SessionMinutes,
)
from tresxuno.services.covam import SessionInfo, get_session, session_version
from tresxuno.services.office import office_settings
from tresxuno.services.officials import FEDERAL_POST, institution_on
from tresxuno.services.places import get_municipality
from tresxuno.services.projects import project_overview
from tresxuno.services.reporting.common import stamp

#: The order attendees sit in the minutes: the three governments from federal down, then the
#: migrants' representatives and the partner (protocol order, not the money order of the ledger).
ATTENDEE_ORDER: tuple[str, ...] = ("federal", "state", "municipal", "club", "partner")
#: The ruling whose projects count in the approved money.
APPROVED = "aprobado"


def attendee_rank(party: str) -> int:
    """Position of ``party`` in :data:`ATTENDEE_ORDER` (unknown parties last)."""
    return ATTENDEE_ORDER.index(party) if party in ATTENDEE_ORDER else len(ATTENDEE_ORDER)


def committee_letterhead(db: Database, states: list[str]) -> Letterhead:
    """The COVAM's heading: the committee and its state, never a municipality's letterhead or logo.

    The state is the one most projects on the agenda belong to; the office's state when the agenda
    is empty.
    """
    state = Counter(states).most_common(1)[0][0] if states else ""
    if not state:
        office = office_settings(db)
        info = get_municipality(db, office.municipality_key) if office.municipality_key else None
        state = info.state_name if info is not None else ""
    where = _("State of {state}").format(state=state) if state else ""
    return Letterhead(_("Committee for the Validation and Attention of Migrants (COVAM)"), where, "")


def composition(db: Database, info: SessionInfo) -> tuple[Representation, ...]:
    """The attendance by represented party in protocol order; the federal one named as on the session's date."""
    rows = []
    for party in sorted({a.party for a in info.attendees}, key=attendee_rank):
        people = [a for a in info.attendees if a.party == party]
        label = institution_on(db, FEDERAL_POST, info.held_on) if party == "federal" else ""
        rows.append(Representation(party, label, len(people), sum(1 for a in people if a.has_vote)))
    return tuple(rows)


def build_session_minutes(
    db: Database,
    session_id: int,
    *,
    printed_by: str,
    printed_at: datetime | None = None,
    version: int | None = None,
) -> SessionMinutes:
    """Gather the minutes of one COVAM session.

    Args:
        db: the database.
        session_id: the session's id.
        printed_by: who prints it (for the footer).
        printed_at: when; now when None.
        version: a final version of the acta to print again as it was frozen; None: the current one.

    Returns:
        The minutes: attendees grouped by party (stable within a party), the agenda in its order
        with each project's shares, and the approved money per party.

    Raises:
        InputError: ``session.unknown``; ``project.unknown`` if a project vanished meanwhile.
    """
    info = get_session(db, session_id)
    if version is not None and (version != info.version or not info.final):
        # An earlier final version (or the current one's last final print): as frozen then.
        info = session_version(db, session_id, version)
    attendees = tuple(
        Attendee(a.party, a.name, a.position, a.role, a.has_vote)
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
                votes_for=line.votes_for,
                votes_against=line.votes_against,
                abstentions=line.abstentions,
                effective_on=line.effective_on,
            )
        )
    approved: dict[str, int] = defaultdict(int)
    for item in agenda:
        if item.ruling == APPROVED:
            for share in item.shares:
                approved[share.party] += share.amount
    return SessionMinutes(
        letterhead=committee_letterhead(db, [p.state_name for p in agenda if p.state_name]),
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
        called_on=info.called_on,
        composition=composition(db, info),
        quorum=info.quorum,
        criteria=info.criteria_lines,
        version=info.version,
        version_reason=info.version_reason,
        final=info.final,
    )
