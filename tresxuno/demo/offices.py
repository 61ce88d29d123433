"""Demo offices: the state offices of the other states the demo's clubs propose projects in.

The demo database is Jerez's (Zacatecas), and its clubs also propose projects in Jalisco, Michoacán
and other states. Those projects are executed there, not in Jerez, so each of those states gets its
state office: their convenios, cédulas and receipts print that office's letterhead instead of
Jerez's. Jerez itself stays this database's own office (its settings), whose officials sign its
projects' documents.
"""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tresxuno.db.models import Office, Project, State, utcnow

#: The names the migrant-affairs offices of some states go by; the others get a plain one.
STATE_OFFICE_NAMES: dict[str, str] = {
    "11": "Secretaría del Migrante y Enlace Internacional de Guanajuato",
    "14": "Instituto Jalisciense para los Migrantes",
    "16": "Secretaría del Migrante de Michoacán",
}


def add_demo_offices(session: Session, home_state: str) -> int:
    """Register a state office for every state other than ``home_state`` with demo projects; how many."""
    states = sorted(set(session.scalars(select(Project.state_key).distinct())) - {home_state})
    names = dict(session.execute(select(State.key, State.name).where(State.key.in_(states))).all())
    taken = set(session.scalars(select(Office.code)))
    rows = [
        {
            "code": f"estado-{key}",
            "name": STATE_OFFICE_NAMES.get(
                key, f"Oficina de Atención a Migrantes del Estado de {names.get(key, key)}"
            ),
            "kind": "state",
            "state_key": key,
            "place": names.get(key, ""),
            "created_at": utcnow(),
            "created_by": "demo",
            "version": 1,
        }
        for key in states
        if f"estado-{key}" not in taken
    ]
    if rows:
        session.execute(insert(Office), rows)
    return len(rows)
