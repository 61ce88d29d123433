"""Use cases for federations and clubs: register them and look them up.

Each function owns one transaction and returns plain records (never live ORM objects).
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tresxuno.db.engine import Database
from tresxuno.db.models import Club, Federation, Municipality, State
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.records import ClubInfo, FederationInfo
from tresxuno.domain.validation import (
    ClubInput,
    FederationInput,
    TomaStatus,
    check_club,
    check_federation,
    clean_text,
    toma_status,
)
from tresxuno.services.auth import require


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
    other = session.execute(select(Club.id, Club.name).where(Club.toma_folio == folio)).first()
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
        return club_info(row)


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


def list_federations(db: Database) -> list[FederationInfo]:
    """Every federation, by name."""
    with db.transaction() as session:
        return [federation_info(r) for r in session.scalars(select(Federation).order_by(Federation.name))]


def club_toma_status(club: ClubInfo, today: date) -> TomaStatus:
    """The club's toma de nota status on ``today``."""
    return toma_status(club.toma_issued_on, club.toma_expires_on, today)
