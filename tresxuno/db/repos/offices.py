"""Reading offices: an office's jurisdiction as the domain sees it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tresxuno.db.models import Office, OfficeMunicipality
from tresxuno.domain.jurisdiction import Jurisdiction


def jurisdiction_of(session: Session, office_id: int | None) -> Jurisdiction | None:
    """The jurisdiction of office ``office_id``; None (the whole database) for no office.

    A state office that lists no municipality covers its whole state.
    """
    if office_id is None:
        return None
    office = session.get(Office, office_id)
    if office is None:  # the foreign key forbids it; refuse everything rather than allow it
        return Jurisdiction(office_id, "?", "municipal")
    keys = frozenset(
        session.scalars(
            select(OfficeMunicipality.municipality_key).where(OfficeMunicipality.office_id == office_id)
        )
    )
    states = frozenset({office.state_key}) if office.kind == "state" and not keys else frozenset()
    return Jurisdiction(office.id, office.name, office.kind, keys, states)
