"""A club's tomas de nota over time: every one it held is kept, and documents print the one of their date.

``clubs`` holds the current toma (what the club list and its status show); ``club_tomas`` holds
each toma the club ever had. Registering a club or renewing its toma records a row
(:func:`record_toma`, called inside the clubs service's own transaction); :func:`toma_on` answers
which toma a document dated ``day`` prints, so a 2017 cédula never shows a 2023 renewal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tresxuno.db.engine import Database
from tresxuno.db.models import Club, ClubToma


@dataclass(frozen=True)
class TomaInfo:
    """One toma de nota of a club: folio, who issued it, and its validity."""

    folio: str
    issuer: str
    issued_on: date
    expires_on: date

    def valid_on(self, day: date) -> bool:
        """Whether the toma was in force on ``day``."""
        return self.issued_on <= day <= self.expires_on


def record_toma(session: Session, club: Club, *, user: str = "") -> None:
    """Add the club's current toma to its history unless it is already there (same folio and issue date).

    Called by the clubs service in its write transaction after the club row is flushed.
    """
    known = session.scalar(
        select(ClubToma.id).where(
            ClubToma.club_id == club.id,
            ClubToma.folio == club.toma_folio,
            ClubToma.issued_on == club.toma_issued_on,
        )
    )
    if known is not None:
        row = session.get(ClubToma, known)
        if row is not None:  # the same toma, its issuer or expiry corrected
            row.issuer, row.expires_on = club.toma_issuer, club.toma_expires_on
        return
    session.add(
        ClubToma(
            club_id=club.id,
            folio=club.toma_folio,
            issuer=club.toma_issuer,
            issued_on=club.toma_issued_on,
            expires_on=club.toma_expires_on,
            recorded_by=user,
        )
    )


def _history(session: Session, club_id: int) -> list[TomaInfo]:
    rows = session.scalars(
        select(ClubToma).where(ClubToma.club_id == club_id).order_by(ClubToma.issued_on, ClubToma.id)
    ).all()
    found = [TomaInfo(r.folio, r.issuer, r.issued_on, r.expires_on) for r in rows]
    if not found:  # a club written without its history (an old import): its current toma is all there is
        club = session.get(Club, club_id)
        if club is not None:
            found = [TomaInfo(club.toma_folio, club.toma_issuer, club.toma_issued_on, club.toma_expires_on)]
    return found


def toma_history(db: Database, club_id: int) -> list[TomaInfo]:
    """Every toma de nota the club held, oldest first."""
    with db.transaction() as session:
        return _history(session, club_id)


def pick_toma(history: list[TomaInfo], day: date) -> TomaInfo | None:
    """The toma a document dated ``day`` prints, from a history sorted oldest first.

    The latest toma issued on or before ``day`` (in force then, or the last one the club had, even
    if expired: the document shows the truth); when none was issued yet, the earliest one.
    """
    issued = [t for t in history if t.issued_on <= day]
    if issued:
        in_force = [t for t in issued if t.valid_on(day)]
        return (in_force or issued)[-1]
    return history[0] if history else None


def toma_on(db: Database, club_id: int, day: date) -> TomaInfo | None:
    """The toma de nota a club held on ``day`` (see :func:`pick_toma`); None for an unknown club."""
    return pick_toma(toma_history(db, club_id), day)
