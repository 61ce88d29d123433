"""The demo office's users: one per role, all with the password ``demo1234`` (see the README).

Created last by ``tresxuno demo``, so the demo data itself is written in bootstrap mode; from
then on the demo database asks who is signing in, like a real office's.
"""

from __future__ import annotations

from sqlalchemy import select

from tresxuno.db.engine import Database
from tresxuno.db.models import User
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.domain.roles import Role
from tresxuno.services.auth import has_users
from tresxuno.services.users import create_user

#: (user name, full name, role) of each demo user; the administrador comes first (bootstrap rule).
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("admin", "Adriana Méndez Ruiz", Role.ADMINISTRADOR.value),
    ("captura", "Carlos Robles Haro", Role.CAPTURISTA.value),
    ("revisor", "Rosa Elena Iñiguez", Role.REVISOR.value),
    ("tesoreria", "Tomás Escobedo Lara", Role.TESORERIA.value),
    ("auditor", "Aurora Delgado Soto", Role.AUDITOR.value),
)
#: Password given to every demo user (``tresxuno demo``); documented in the README.
DEMO_PASSWORD = "demo1234"
#: The demo administrador, whom scripts and smoke runs sign in as.
DEMO_ADMIN = DEMO_USERS[0][0]


def create_demo_users(db: Database) -> int:
    """Create the demo users that do not exist yet; returns how many were created."""
    existing = set(_existing(db)) if has_users(db) else set()
    created = 0
    # After the first user exists, the administrador creates the rest (the roles now apply).
    with acting_as(Actor(DEMO_ADMIN, Role.ADMINISTRADOR.value)):
        for username, full_name, role in DEMO_USERS:
            if username not in existing:
                create_user(db, username, full_name, role, DEMO_PASSWORD)
                created += 1
    return created


def demo_usernames(db: Database) -> list[str]:
    """The demo users' names when every one of them exists (a demo database), else none (login hint)."""
    names = [name for name, _full, _role in DEMO_USERS]
    with db.transaction() as session:
        found = set(session.scalars(select(User.username).where(User.username.in_(names))))
    return names if found == set(names) else []


def _existing(db: Database) -> list[str]:
    with db.transaction() as session:
        return list(session.scalars(select(User.username)))
