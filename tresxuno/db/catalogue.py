"""Load INEGI's states and municipalities (2020 census) from the shipped CSV seed into the database."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tresxuno import paths
from tresxuno.db.models import Municipality, State

#: The seed file's name inside ``seeds/``.
INEGI_CSV = "inegi_municipios_2020.csv"


def inegi_csv_path() -> Path:
    """The shipped INEGI catalogue (see ``seeds/README.md`` for its source and licence)."""
    return paths.seeds_dir() / INEGI_CSV


def _count(value: str) -> int | None:
    """A census count, or None where the catalogue leaves it blank."""
    return int(value) if value.strip() else None


def load_inegi(session: Session, csv_path: Path | None = None) -> int:
    """Insert the states and municipalities of the INEGI catalogue that the database lacks.

    Rows already present (by key) are left alone, so the call is safe to repeat and never
    overwrites a municipality an administrator added. Each table is filled with one executemany.
    The caller owns the transaction.

    Args:
        session: the session to insert with.
        csv_path: the catalogue file; defaults to :func:`inegi_csv_path`. UTF-8 with the header
            ``cve_entidad,nom_entidad,nom_abr_entidad,cve_municipio,nom_municipio,cve_completa,
            nom_cabecera,poblacion_total,viviendas_habitadas``.

    Returns:
        The number of municipalities inserted (2,478 into an empty database).
    """
    states: dict[str, dict[str, str]] = {}
    municipalities: list[dict[str, object]] = []
    with (csv_path or inegi_csv_path()).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            state_key = row["cve_entidad"]
            states.setdefault(
                state_key, {"key": state_key, "name": row["nom_entidad"], "abbrev": row["nom_abr_entidad"]}
            )
            municipalities.append(
                {
                    "key": row["cve_completa"],
                    "state_key": state_key,
                    "code": row["cve_municipio"],
                    "name": row["nom_municipio"],
                    "seat": row["nom_cabecera"],
                    "population": _count(row["poblacion_total"]),
                    "dwellings": _count(row["viviendas_habitadas"]),
                    "added_by_admin": False,
                }
            )

    have_states = set(session.scalars(select(State.key)))
    have_municipalities = set(session.scalars(select(Municipality.key)))
    new_states = [s for key, s in states.items() if key not in have_states]
    new_municipalities = [m for m in municipalities if m["key"] not in have_municipalities]
    # Core inserts with a list of parameter sets: one executemany per table, no ORM unit of work.
    if new_states:
        session.execute(insert(State), new_states)
    if new_municipalities:
        session.execute(insert(Municipality), new_municipalities)
    return len(new_municipalities)
