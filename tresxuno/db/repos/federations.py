"""Federations of clubs: lookups by id, name and Mexican state."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from tresxuno.db.models import Federation


class FederationRepository:
    """Queries and inserts over ``federations``."""

    @staticmethod
    def add(session: Session, federation: Federation) -> Federation:
        """Insert a federation and flush, so its ``id`` is set."""
        session.add(federation)
        session.flush()
        return federation

    @staticmethod
    def get(session: Session, federation_id: int) -> Federation | None:
        """The federation with this id, or None."""
        return session.get(Federation, federation_id)

    @staticmethod
    def by_name(session: Session, name: str) -> Federation | None:
        """The federation with exactly this name (names are unique), or None."""
        return session.scalars(select(Federation).where(Federation.name == name)).one_or_none()

    @staticmethod
    def list_all(session: Session, *, mx_state_key: str | None = None) -> Sequence[Federation]:
        """Every federation by name, or only those of one Mexican state."""
        stmt = select(Federation).order_by(Federation.name)
        if mx_state_key is not None:
            stmt = stmt.where(Federation.mx_state_key == mx_state_key)
        return session.scalars(stmt).all()
