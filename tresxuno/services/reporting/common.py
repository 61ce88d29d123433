"""What every report builder gathers the same way: letterhead, print stamp, project head, club, money.

Builders read the database through the other services and return the frozen records of
:mod:`tresxuno.reports.data`, which the renderers draw without touching the database.
"""

from __future__ import annotations

from datetime import datetime

from tresxuno.db.engine import Database
from tresxuno.db.repos import ProjectFilters
from tresxuno.domain.actor import current_actor
from tresxuno.domain.ledger import ProjectBalance, party_rank
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.records import ClubInfo
from tresxuno.i18n import _
from tresxuno.reports.data import (
    ClubData,
    Letterhead,
    PartyMoney,
    PrintStamp,
    ProgramName,
    ProjectHead,
)
from tresxuno.services.audit import chain_head
from tresxuno.services.office import logo_file, office_settings
from tresxuno.services.offices import OfficeInfo, office_by_id, office_for, office_logo
from tresxuno.services.places import get_municipality
from tresxuno.services.projects import ProjectOverview, list_projects
from tresxuno.services.rules import rulebook


def letterhead(
    db: Database, project: ProjectOverview | None = None, *, municipality_key: str | None = None
) -> Letterhead:
    """Who signs the document: the office that executes its project, or the office that prints it.

    On a database shared by several offices (:mod:`tresxuno.services.offices`) a document about a
    ``project`` prints the office registered for the project's municipality (or the state office
    covering it); a document of many projects (``municipality_key`` when it covers one) prints that
    municipality's office, else the signed-in officer's own office (a state officer's: the
    state's). Where no office is registered, the office settings print, and a document about a
    project of another municipality says so under them, so nobody reads it as this office's act.
    """
    key = project.detail.municipality_key if project is not None else municipality_key
    registered = office_for(db, key) if key else None
    j = current_actor().jurisdiction
    if registered is None and j is not None:
        registered = office_by_id(db, j.office_id)
    if registered is not None:
        return _office_letterhead(db, registered)
    office = office_settings(db)
    place = ""
    note = ""
    if office.municipality_key:
        info = get_municipality(db, office.municipality_key)
        if info is not None:
            place = f"{info.name}, {info.state_name}" if info.state_name else info.name
        if project is not None and project.detail.municipality_key != office.municipality_key:
            note = _("Project of {place}, outside this office's municipality").format(
                place=f"{project.municipality_name}, {project.state_name}"
            )
    return Letterhead(office.name, place, office.logo_path, note)


def _office_letterhead(db: Database, office: OfficeInfo) -> Letterhead:
    """A registered office's letterhead: its name, place and logo (the settings' for this database's own office)."""
    place = office.place
    if not place and office.kind == "municipal" and office.municipality_keys:
        info = get_municipality(db, office.municipality_keys[0])
        if info is not None:
            place = f"{info.name}, {info.state_name}"
    if not place:
        place = office.state_name
    content = office_logo(db, office.id) if office.has_logo else None
    if content is not None:
        logo = str(logo_file(content))
    else:  # the office of this database's own settings keeps the logo chosen there
        settings = office_settings(db)
        logo = settings.logo_path if settings.name == office.name else ""
    return Letterhead(office.name, place, logo, "")


def stamp(db: Database, printed_by: str, printed_at: datetime | None = None) -> PrintStamp:
    """The footer's "printed on ... by ..." and the audit chain's head at this moment.

    ``printed_at`` defaults to now, local time, to the minute. Builders call this after reading
    their data, so the head covers every record the report shows (a cheap read of ``audit_head``).
    """
    when = printed_at or datetime.now()
    return PrintStamp(when.replace(second=0, microsecond=0), printed_by, chain_head(db))


def program_name(program: str) -> ProgramName:
    """A programme's display names from the rule book (the id alone for an unknown programme)."""
    known = rulebook().programs.get(program)
    if known is None:
        return ProgramName(program, program, program)
    return ProgramName(program, known.name_es, known.name_en)


def project_head(overview: ProjectOverview) -> ProjectHead:
    """The project data reports repeat, from the project's overview."""
    d = overview.detail
    return ProjectHead(
        id=d.id,
        folio=d.folio,
        name=d.name,
        program=program_name(d.program),
        fiscal_year=d.fiscal_year,
        category=d.category,
        stage=d.stage,
        state_name=overview.state_name,
        municipality_name=overview.municipality_name,
        locality=d.locality,
        description=d.description,
        beneficiaries=d.beneficiaries,
        cost=d.cost,
    )


def club_data(club: ClubInfo) -> ClubData:
    """The club as reports print it."""
    return ClubData(
        id=club.id,
        name=club.name,
        toma_folio=club.toma_folio,
        toma_issuer=club.toma_issuer,
        toma_issued_on=club.toma_issued_on,
        toma_expires_on=club.toma_expires_on,
        federation_name=club.federation_name,
        us_city=club.us_city,
        us_state=club.us_state,
        home_contact=club.home_contact,
        board=club.board,
    )


def party_money(balance: ProjectBalance, parties: tuple[str, ...] = ()) -> tuple[PartyMoney, ...]:
    """Each party's money from a project balance, in party order.

    ``parties`` (the mix) are always listed, with zeros when they have no line; parties with a
    line but outside the mix (an over-receipt) are kept too, so totals match the ledger.
    """
    seen = {p.party for p in balance.parties}
    lines = list(balance.parties) + [balance.party(p) for p in parties if p not in seen]
    lines.sort(key=lambda p: party_rank(p.party))
    return tuple(
        PartyMoney(
            party=p.party,
            approved=p.approved,
            received=p.received,
            outstanding=p.outstanding,
            paid=p.paid,
            refunded=p.refunded,
            cash=p.cash,
            over_received=p.over_received,
        )
        for p in lines
    )


def project_id_of(db: Database, folio: str) -> int:
    """The id of the project with exactly this folio (case-insensitive, surrounding spaces ignored).

    Raises:
        InputError: ``project.unknown_folio`` on field ``project``.
    """
    wanted = folio.strip().upper()
    if wanted:
        for row in list_projects(db, ProjectFilters(text=wanted), limit=50):
            if row.folio.upper() == wanted:
                return row.id
    raise InputError(Problem("project", "project.unknown_folio", {"folio": folio}))


def session_id_of(db: Database, number: str) -> int:
    """The id of the COVAM session numbered ``number`` as on its minutes ("1/2016"), or with that id.

    The officer sees the number (the COVAM view, the minutes); the id is accepted too for scripts.

    Raises:
        InputError: ``session.unknown_number`` on field ``session``.
    """
    from tresxuno.services.covam import list_sessions

    wanted = number.strip().upper()
    sessions = list_sessions(db)
    for session in sessions:
        if session.number.upper() == wanted:
            return session.id
    if wanted.isdigit() and any(session.id == int(wanted) for session in sessions):
        return int(wanted)
    raise InputError(Problem("session", "session.unknown_number", {"number": number}))
