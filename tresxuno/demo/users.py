"""The demo office's users: one per role, all with the password ``demo1234`` (see the README).

Written last by ``tresxuno demo``, in the same transaction as the demo data (all or nothing: a
kill never leaves a demo office with some of its users, or with none and open to anyone in
bootstrap mode); from then on the demo database asks who is signing in, like a real office's.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tresxuno.db.engine import Database
from tresxuno.db.models import User, utcnow
from tresxuno.domain.actor import current_actor
from tresxuno.domain.roles import Role
from tresxuno.services import users as user_service
from tresxuno.services.auth import require

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
    """Create the demo users that do not exist yet, in one transaction; returns how many were created.

    Raises:
        InputError: ``auth.role_required`` (``demo.generate``) once the database has users.
    """
    require(db, "demo.generate")
    with db.transaction(immediate=True) as session:
        return add_demo_users(session)


def add_demo_users(session: Session) -> int:
    """Add the demo users that do not exist yet to ``session``'s transaction; returns how many.

    The caller owns the transaction (and has checked ``demo.generate``): :func:`generate_demo
    <tresxuno.demo.projects.generate_demo>` calls it last, before its one commit.
    """
    existing = set(session.scalars(select(User.username)))
    now = utcnow()
    actor = current_actor().username
    created = 0
    for username, full_name, role in DEMO_USERS:
        if username in existing:
            continue
        session.add(
            User(
                username=username,
                full_name=full_name,
                role=role,
                password_hash=user_service.HASHER.hash(DEMO_PASSWORD),
                created_at=now,
                # the first user is made by whoever runs the demo; the administrador makes the rest
                created_by=actor if username == DEMO_ADMIN else DEMO_ADMIN,
            )
        )
        created += 1
    session.flush()
    return created


def demo_usernames(db: Database) -> list[str]:
    """The demo users' names when every one of them exists (a demo database), else none (login hint)."""
    names = [name for name, _full, _role in DEMO_USERS]
    with db.transaction() as session:
        found = set(session.scalars(select(User.username).where(User.username.in_(names))))
    return names if found == set(names) else []
