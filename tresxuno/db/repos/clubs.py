"""Hometown clubs: lookups by id, toma de nota folio and name search."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from tresxuno.db.models import Club
from tresxuno.db.repos._text import contains_text


class ClubRepository:
    """Queries and inserts over ``clubs``; loaded clubs carry their federation."""

    @staticmethod
    def add(session: Session, club: Club) -> Club:
        """Insert a club and flush, so its ``id`` and ``version`` are set."""
        session.add(club)
        session.flush()
        return club

    @staticmethod
    def get(session: Session, club_id: int) -> Club | None:
        """The club with this id (federation loaded), or None."""
        return session.get(Club, club_id, options=[joinedload(Club.federation)])

    @staticmethod
    def by_toma_folio(session: Session, folio: str) -> Club | None:
        """The club holding the toma de nota with this folio, or None."""
        return session.scalars(select(Club).where(Club.toma_folio == folio)).one_or_none()

    @staticmethod
    def _filtered(
        session: Session, stmt: Select, text: str, federation_id: int | None, home_state_key: str | None
    ) -> Select:
        if text.strip():
            stmt = stmt.where(contains_text(session, Club.name, text.strip()))
        if federation_id is not None:
            stmt = stmt.where(Club.federation_id == federation_id)
        if home_state_key is not None:
            stmt = stmt.where(Club.home_state_key == home_state_key)
        return stmt

    @staticmethod
    def search(
        session: Session,
        text: str = "",
        *,
        federation_id: int | None = None,
        home_state_key: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Sequence[Club]:
        """Clubs whose name contains ``text`` (any case or accent), by name then id.

        Args:
            session: the session to query with.
            text: part of the name; empty lists every club.
            federation_id: only clubs of this federation.
            home_state_key: only clubs from this Mexican state.
            offset: rows to skip (paging).
            limit: most rows to return.
        """
        stmt = select(Club).options(joinedload(Club.federation))
        stmt = ClubRepository._filtered(session, stmt, text, federation_id, home_state_key)
        stmt = stmt.order_by(Club.name, Club.id).offset(offset).limit(limit)
        return session.scalars(stmt).all()

    @staticmethod
    def count(
        session: Session,
        text: str = "",
        *,
        federation_id: int | None = None,
        home_state_key: str | None = None,
    ) -> int:
        """How many clubs :meth:`search` would find without paging."""
        stmt = ClubRepository._filtered(
            session, select(func.count(Club.id)), text, federation_id, home_state_key
        )
        return session.scalar(stmt) or 0
