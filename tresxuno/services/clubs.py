"""Clubs and federations: register, edit, look up and list them (paged for the clubs page).

Each function owns one transaction and returns plain records (never live ORM objects).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.exc import StaleDataError

from tresxuno.db.engine import Database
from tresxuno.db.models import Club, Federation, Municipality, State
from tresxuno.db.repos import CatalogueRepository, FederationRepository
from tresxuno.db.repos._text import contains_text
from tresxuno.db.scope import WHOLE_DATABASE
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.records import ClubInfo, FederationInfo
from tresxuno.domain.validation import (
    TOMA_WARNING_DAYS,
    ClubInput,
    FederationInput,
    TomaStatus,
    check_club,
    check_federation,
    clean_text,
    toma_status,
)
from tresxuno.i18n import _
from tresxuno.services.auth import refuse_municipal_office, require
from tresxuno.services.tomas import record_toma

#: ``federation_id`` value that selects the clubs belonging to no federation.
NO_FEDERATION = 0

#: Sort keys :func:`list_clubs` accepts; "status" orders by expiry date (lapsed first when ascending).
SORT_KEYS: tuple[str, ...] = (
    "name",
    "federation",
    "municipality",
    "us_city",
    "us_state",
    "folio",
    "expires",
    "status",
)


@dataclass(frozen=True)
class ClubRow:
    """One row of the club list: the club, the names of what it refers to, and its toma status.

    ``status`` is the toma de nota's status on the ``today`` the list was read for; ``version``
    is the optimistic-lock counter :func:`update_club` checks.
    """

    id: int
    name: str
    federation_id: int | None
    federation_name: str  # "" when the club belongs to no federation
    home_state_key: str
    home_state_name: str
    home_municipality_key: str
    home_municipality_name: str
    us_city: str
    us_state: str
    toma_folio: str
    toma_issuer: str
    toma_issued_on: date
    toma_expires_on: date
    members: int
    status: TomaStatus
    version: int


@dataclass(frozen=True)
class EditableClub:
    """A club as an edit dialog opens it: its fields and the version the edit is based on."""

    club: ClubInfo
    version: int


@dataclass(frozen=True)
class FederationRow:
    """A federation with its Mexican state's name and how many clubs belong to it."""

    id: int
    name: str
    mx_state_key: str
    mx_state_name: str
    us_region: str
    contact: str
    clubs: int

    def info(self) -> FederationInfo:
        """The federation as the plain record registering or updating it returns."""
        return FederationInfo(self.id, self.name, self.mx_state_key, self.us_region, self.contact)


# -- plain records ---------------------------------------------------------------------------------


def federation_info(row: Federation) -> FederationInfo:
    """Plain record of a federation row."""
    return FederationInfo(row.id, row.name, row.mx_state_key, row.us_region, row.contact)


def club_info(row: Club) -> ClubInfo:
    """Plain record of a club row (its federation loaded in the same session)."""
    return ClubInfo(
        id=row.id,
        name=row.name,
        federation_id=row.federation_id,
        federation_name=row.federation.name if row.federation else "",
        toma_folio=row.toma_folio,
        toma_issuer=row.toma_issuer,
        toma_issued_on=row.toma_issued_on,
        toma_expires_on=row.toma_expires_on,
        members=row.members,
        us_city=row.us_city,
        us_state=row.us_state,
        home_state_key=row.home_state_key,
        home_municipality_key=row.home_municipality_key,
        home_contact=row.home_contact,
        board=tuple(json.loads(row.board or "[]")),
    )


# -- registering -----------------------------------------------------------------------------------


def register_federation(db: Database, data: FederationInput) -> FederationInfo:
    """Register a federation of clubs.

    Raises:
        InputError: a required field is empty, the state key is unknown or the name is taken.
    """
    require(db, "clubs.edit")
    problems = check_federation(data)
    name = clean_text(data.name, "name", [])
    with db.transaction(immediate=True) as session:
        if not problems and session.get(State, data.mx_state_key) is None:
            problems.append(Problem("mx_state_key", "state.unknown", {"key": data.mx_state_key}))
        # A name refused for its characters is not looked up (a lone surrogate cannot even be sent).
        taken = select(Federation.id).where(func.lower(Federation.name) == name.lower())
        if name and not any(p.field == "name" for p in problems) and session.scalar(taken):
            problems.append(Problem("name", "federation.duplicate_name", {"name": name}))
        if problems:
            raise InputError(problems)
        row = Federation(
            name=name,
            mx_state_key=data.mx_state_key,
            us_region=clean_text(data.us_region, "us_region", []),
            contact=clean_text(data.contact, "contact", [], required=False),
        )
        session.add(row)
        session.flush()
        return federation_info(row)


def _check_club_references(
    session: Session, data: ClubInput, problems: list[Problem], *, club_id: int | None = None
) -> None:
    if data.federation_id is not None and session.get(Federation, data.federation_id) is None:
        problems.append(Problem("federation", "federation.unknown", {"id": data.federation_id}))
    if not any(p.field == "home_municipality_key" for p in problems):
        municipality = session.get(Municipality, data.home_municipality_key)
        if municipality is None:
            problems.append(
                Problem("home_municipality_key", "municipality.unknown", {"key": data.home_municipality_key})
            )
    folio = data.toma_folio.strip()
    if not folio or any(p.field == "toma_folio" for p in problems):
        return  # nothing to look up, or a folio refused for its characters
    taken = select(Club.id, Club.name).where(Club.toma_folio == folio)
    other = session.execute(taken.execution_options(**WHOLE_DATABASE)).first()
    if other is not None and other.id != club_id:
        problems.append(Problem("toma_folio", "toma.duplicate_folio", {"folio": folio, "club": other.name}))


def register_club(db: Database, data: ClubInput) -> ClubInfo:
    """Register a club with its toma de nota.

    Raises:
        InputError: every problem found (fields, dates, members, unknown references, folio taken).
    """
    require(db, "clubs.edit")
    problems = check_club(data)
    with db.transaction(immediate=True) as session:
        _check_club_references(session, data, problems)
        if problems:
            raise InputError(problems)
        row = Club(
            federation_id=data.federation_id,
            name=clean_text(data.name, "name", []),
            toma_folio=data.toma_folio.strip(),
            toma_issuer=data.toma_issuer.strip(),
            toma_issued_on=data.toma_issued_on,
            toma_expires_on=data.toma_expires_on,
            members=data.members,
            board=json.dumps([b.strip() for b in data.board], ensure_ascii=False),
            us_city=data.us_city.strip(),
            us_state=data.us_state.upper(),
            home_state_key=data.home_state_key,
            home_municipality_key=data.home_municipality_key,
            home_contact=data.home_contact.strip(),
        )
        session.add(row)
        try:
            session.flush()
        except IntegrityError:
            # Another desktop registered the same folio between our check and our insert.
            raise InputError(
                Problem("toma_folio", "toma.duplicate_folio", {"folio": row.toma_folio, "club": "?"})
            ) from None
        record_toma(session, row)  # the club's toma history starts with it
        session.flush()
        return club_info(row)


# -- listing clubs ---------------------------------------------------------------------------------


def _status_condition(status: TomaStatus | str, today: date) -> ColumnElement[bool]:
    """SQL form of :func:`~tresxuno.domain.validation.toma_status` equal to ``status`` on ``today``."""
    issued, expires = Club.toma_issued_on, Club.toma_expires_on
    warn = today + timedelta(days=TOMA_WARNING_DAYS)
    match TomaStatus(status):
        case TomaStatus.LAPSED:
            return expires < today
        case TomaStatus.NOT_YET_VALID:
            return issued > today
        case TomaStatus.EXPIRING:
            return and_(issued <= today, expires >= today, expires <= warn)
        case TomaStatus.VALID:
            return and_(issued <= today, expires > warn)
    raise AssertionError(status)  # pragma: no cover - TomaStatus(status) already refused others


def _filtered(
    session: Session,
    stmt: Select,
    text: str,
    federation_id: int | None,
    status: TomaStatus | str | None,
    today: date,
) -> Select:
    stmt = (
        stmt.outerjoin(Federation, Club.federation_id == Federation.id)
        .join(Municipality, Club.home_municipality_key == Municipality.key)
        .join(State, Club.home_state_key == State.key)
    )
    term = text.strip()
    if term:
        # The officer may type any of what the table shows: club, folio, city, municipality, federation.
        stmt = stmt.where(
            or_(
                *(
                    contains_text(session, column, term)
                    for column in (
                        Club.name,
                        Club.toma_folio,
                        Club.us_city,
                        Municipality.name,
                        Federation.name,
                    )
                )
            )
        )
    if federation_id == NO_FEDERATION:
        stmt = stmt.where(Club.federation_id.is_(None))
    elif federation_id is not None:
        stmt = stmt.where(Club.federation_id == federation_id)
    if status is not None:
        stmt = stmt.where(_status_condition(status, today))
    return stmt


def _order(sort_key: str) -> Any:
    columns: dict[str, Any] = {
        "name": Club.name,
        "federation": func.coalesce(Federation.name, ""),
        "municipality": Municipality.name,
        "us_city": Club.us_city,
        "us_state": Club.us_state,
        "folio": Club.toma_folio,
        "expires": Club.toma_expires_on,
        "status": Club.toma_expires_on,
    }
    if sort_key not in columns:
        raise ValueError(f"unknown sort key {sort_key!r}; allowed: {', '.join(SORT_KEYS)}")
    return columns[sort_key]


def list_clubs(
    db: Database,
    *,
    text: str = "",
    federation_id: int | None = None,
    status: TomaStatus | str | None = None,
    today: date | None = None,
    sort_key: str = "name",
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> list[ClubRow]:
    """One page of the club list, filtered, sorted and paged in SQL.

    Args:
        db: the open database.
        text: part of the club's name, folio, US city, home municipality or federation (any case or
            accent); empty matches every club.
        federation_id: only the clubs of this federation; :data:`NO_FEDERATION` for clubs in none.
        status: only clubs whose toma de nota has this :class:`TomaStatus` on ``today``.
        today: the day statuses are computed for (the computer's date when None).
        sort_key: one of :data:`SORT_KEYS`; ties are broken by club name, then id, so pages never
            overlap.
        descending: largest first.
        offset: rows to skip.
        limit: most rows returned.

    Raises:
        ValueError: ``sort_key`` or ``status`` is not known (a bug in the caller).
    """
    today = today or date.today()
    key = _order(sort_key)
    stmt = select(
        Club.id,
        Club.name,
        Club.federation_id,
        Federation.name.label("federation_name"),
        Club.home_state_key,
        State.name.label("state_name"),
        Club.home_municipality_key,
        Municipality.name.label("municipality_name"),
        Club.us_city,
        Club.us_state,
        Club.toma_folio,
        Club.toma_issuer,
        Club.toma_issued_on,
        Club.toma_expires_on,
        Club.members,
        Club.version,
    )
    with db.transaction() as session:
        query = _filtered(session, stmt, text, federation_id, status, today)
        first = key.desc() if descending else key.asc()
        query = query.order_by(first, Club.name, Club.id).offset(offset).limit(limit)
        return [
            ClubRow(
                id=r.id,
                name=r.name,
                federation_id=r.federation_id,
                federation_name=r.federation_name or "",
                home_state_key=r.home_state_key,
                home_state_name=r.state_name,
                home_municipality_key=r.home_municipality_key,
                home_municipality_name=r.municipality_name,
                us_city=r.us_city,
                us_state=r.us_state,
                toma_folio=r.toma_folio,
                toma_issuer=r.toma_issuer,
                toma_issued_on=r.toma_issued_on,
                toma_expires_on=r.toma_expires_on,
                members=r.members,
                status=toma_status(r.toma_issued_on, r.toma_expires_on, today),
                version=r.version,
            )
            for r in session.execute(query)
        ]


def count_clubs(
    db: Database,
    *,
    text: str = "",
    federation_id: int | None = None,
    status: TomaStatus | str | None = None,
    today: date | None = None,
) -> int:
    """How many clubs :func:`list_clubs` would return with the same filters and no paging."""
    today = today or date.today()
    with db.transaction() as session:
        stmt = _filtered(session, select(func.count(Club.id)), text, federation_id, status, today)
        return session.scalar(stmt) or 0


def get_club(db: Database, club_id: int) -> ClubInfo:
    """One club by id.

    Raises:
        InputError: no such club.
    """
    with db.transaction() as session:
        row = session.get(Club, club_id)
        if row is None:
            raise InputError(Problem("club", "club.unknown", {"id": club_id}))
        return club_info(row)


def all_clubs(db: Database) -> list[ClubInfo]:
    """Every club with its toma de nota, by name (the form's club picker)."""
    with db.transaction() as session:
        rows = session.scalars(select(Club).options(joinedload(Club.federation)).order_by(Club.name, Club.id))
        return [club_info(r) for r in rows]


# -- editing clubs ---------------------------------------------------------------------------------


def club_for_edit(db: Database, club_id: int) -> EditableClub:
    """A club's fields and current version, read when an edit starts.

    Raises:
        InputError: ``club.unknown`` when there is no such club (deleted elsewhere).
    """
    with db.transaction() as session:
        row = session.get(Club, club_id)
        if row is None:
            raise InputError(Problem("club", "club.unknown", {"id": club_id}))
        return EditableClub(club_info(row), row.version)


def _changed_elsewhere(name: str) -> InputError:
    return InputError(Problem("club", "club.changed_elsewhere", {"club": name}))


def update_club(db: Database, club_id: int, data: ClubInput, *, expected_version: int) -> ClubInfo:
    """Change a club's fields; renewing its toma de nota is changing the folio, issuer and dates.

    The same checks as registering apply. ``expected_version`` is the version the officer's edit
    started from (:attr:`EditableClub.version`): if another window or computer saved the club since,
    nothing is written, so neither edit silently overwrites the other.

    Raises:
        InputError: ``club.unknown``; ``club.changed_elsewhere`` (the officer must reopen the club to
            see the other change); or every problem with the fields, dates, members and references.
    """
    require(db, "clubs.edit")
    problems = check_club(data)
    # Read, check and write under the write lock: the version seen is the version overwritten.
    with db.transaction(immediate=True) as session:
        row = session.get(Club, club_id)
        if row is None:
            raise InputError(Problem("club", "club.unknown", {"id": club_id}))
        if row.version != expected_version:
            raise _changed_elsewhere(row.name)
        _check_club_references(session, data, problems, club_id=club_id)
        if problems:
            raise InputError(problems)
        row.federation_id = data.federation_id
        row.name = clean_text(data.name, "name", [])
        row.toma_folio = data.toma_folio.strip()
        row.toma_issuer = data.toma_issuer.strip()
        row.toma_issued_on = data.toma_issued_on
        row.toma_expires_on = data.toma_expires_on
        row.members = data.members
        row.board = json.dumps([b.strip() for b in data.board], ensure_ascii=False)
        row.us_city = data.us_city.strip()
        row.us_state = data.us_state.upper()
        row.home_state_key = data.home_state_key
        row.home_municipality_key = data.home_municipality_key
        row.home_contact = data.home_contact.strip()
        name = row.name  # a failed flush expires the row: keep what the message names
        try:
            session.flush()
        except StaleDataError:
            # Only on back ends without the SQLite write lock: the version moved under us.
            raise _changed_elsewhere(name) from None
        except IntegrityError:
            raise InputError(
                Problem("toma_folio", "toma.duplicate_folio", {"folio": row.toma_folio, "club": "?"})
            ) from None
        record_toma(session, row)  # a renewed toma joins the history; the earlier ones stay
        session.flush()
        session.expire(row, ["federation"])  # the federation may have changed with its id
        return club_info(row)


# -- federations -----------------------------------------------------------------------------------


def list_federations(db: Database) -> list[FederationInfo]:
    """Every federation, by name."""
    with db.transaction() as session:
        return [federation_info(r) for r in session.scalars(select(Federation).order_by(Federation.name))]


def list_federations_with_counts(db: Database) -> list[FederationRow]:
    """Every federation by name, with its Mexican state's name and its number of clubs."""
    clubs = (
        select(Club.federation_id, func.count(Club.id).label("clubs")).group_by(Club.federation_id).subquery()
    )
    stmt = (
        select(Federation, State.name.label("state_name"), func.coalesce(clubs.c.clubs, 0).label("clubs"))
        .join(State, Federation.mx_state_key == State.key)
        .outerjoin(clubs, clubs.c.federation_id == Federation.id)
        .order_by(Federation.name, Federation.id)
    )
    with db.transaction() as session:
        return [
            FederationRow(f.id, f.name, f.mx_state_key, state_name, f.us_region, f.contact, count)
            for f, state_name, count in session.execute(stmt)
        ]


def update_federation(db: Database, federation_id: int, data: FederationInput) -> FederationInfo:
    """Change a federation's name, state, US region or contact, with the checks of registering it.

    Raises:
        InputError: ``federation.unknown``; a required field empty; an unknown state key; or the
            name taken by another federation.
    """
    refuse_municipal_office(require(db, "clubs.edit"), _("change a federation"))
    problems = check_federation(data)
    name = clean_text(data.name, "name", [])
    with db.transaction(immediate=True) as session:
        row = FederationRepository.get(session, federation_id)
        if row is None:
            raise InputError(Problem("federation", "federation.unknown", {"id": federation_id}))
        if not problems and CatalogueRepository.state(session, data.mx_state_key) is None:
            problems.append(Problem("mx_state_key", "state.unknown", {"key": data.mx_state_key}))
        taken = session.scalar(
            select(Federation.id).where(func.lower(Federation.name) == name.lower(), Federation.id != row.id)
        )
        if name and taken:
            problems.append(Problem("name", "federation.duplicate_name", {"name": name}))
        if problems:
            raise InputError(problems)
        row.name = name
        row.mx_state_key = data.mx_state_key
        row.us_region = clean_text(data.us_region, "us_region", [])
        row.contact = clean_text(data.contact, "contact", [], required=False)
        session.flush()
        return federation_info(row)
