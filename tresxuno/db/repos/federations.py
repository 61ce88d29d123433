"""Federations of clubs: lookup by id."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tresxuno.db.models import Federation


class FederationRepository:
    """Lookups over ``federations``."""

    @staticmethod
    def get(session: Session, federation_id: int) -> Federation | None:
        """The federation with this id, or None."""
        return session.get(Federation, federation_id)
