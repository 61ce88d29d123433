"""States and municipalities (INEGI keys): lookups for pickers and the administrator's additions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from tresxuno.db.models import Municipality, State


class CatalogueRepository:
    """Queries over ``states`` and ``municipalities``."""

    @staticmethod
    def states(session: Session) -> Sequence[State]:
        """Every state, by INEGI key ("01" Aguascalientes ... "32" Zacatecas)."""
        return session.scalars(select(State).order_by(State.key)).all()

    @staticmethod
    def state(session: Session, key: str) -> State | None:
        """The state with this two-digit key, or None."""
        return session.get(State, key)

    @staticmethod
    def municipality(session: Session, key: str) -> Municipality | None:
        """The municipality with this five-digit key, or None."""
        return session.get(Municipality, key)

    @staticmethod
    def municipalities(session: Session, state_key: str) -> Sequence[Municipality]:
        """The municipalities of one state, by name (served by the (state_key, name) index)."""
        stmt = select(Municipality).where(Municipality.state_key == state_key).order_by(Municipality.name)
        return session.scalars(stmt).all()

    @staticmethod
    def add_municipality(
        session: Session,
        *,
        state_key: str,
        code: str,
        name: str,
        seat: str = "",
        population: int | None = None,
        dwellings: int | None = None,
    ) -> Municipality:
        """Add a municipality created after the 2020 census; its key is ``state_key + code``."""
        municipality = Municipality(
            key=state_key + code,
            state_key=state_key,
            code=code,
            name=name,
            seat=seat,
            population=population,
            dwellings=dwellings,
            added_by_admin=True,
        )
        session.add(municipality)
        session.flush()
        return municipality
