"""Mexico's states and municipalities (the INEGI catalogue) as plain records for pickers and forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from tresxuno.db.engine import Database
from tresxuno.db.repos import CatalogueRepository


class Place(NamedTuple):
    """A state or municipality of the INEGI catalogue: its key and name (also a ``(key, name)`` pair)."""

    key: str
    name: str


@dataclass(frozen=True)
class MunicipalityInfo:
    """A municipality: five-digit INEGI key, its state's key, its name and its state's name."""

    key: str
    state_key: str
    name: str
    state_name: str = ""


def list_states(db: Database) -> list[Place]:
    """Every Mexican state, by INEGI key ("01" Aguascalientes ... "32" Zacatecas)."""
    with db.transaction() as session:
        return [Place(s.key, s.name) for s in CatalogueRepository.states(session)]


def list_municipalities(db: Database, state_key: str) -> list[Place]:
    """The municipalities of one state (five-digit INEGI keys), by name; empty for an unknown state."""
    with db.transaction() as session:
        return [Place(m.key, m.name) for m in CatalogueRepository.municipalities(session, state_key)]


def get_municipality(db: Database, key: str) -> MunicipalityInfo | None:
    """One municipality by its five-digit key, with its state's name; None when unknown."""
    with db.transaction() as session:
        row = CatalogueRepository.municipality(session, key)
        if row is None:
            return None
        state = CatalogueRepository.state(session, row.state_key)
        return MunicipalityInfo(row.key, row.state_key, row.name, state.name if state else "")
