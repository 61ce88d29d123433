"""A user may hold several roles: ``users.role`` holds them joined by "+" (a one-person office holds all).

Revision ID: 0016_user_roles
Revises: 0015_convenio_terms
Create Date: 2026-12-05

The column widens from 16 to 80 characters and its check changes from "one known role" to "not
empty": the services check each role of the list. Existing users keep their one role, which is a
list of one. On PostgreSQL the trail's ``role`` column widens too (SQLite does not enforce lengths,
and the append-only trail is not rebuilt there).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_user_roles"
down_revision: str | Sequence[str] | None = "0015_convenio_terms"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Widen ``users.role`` and let it hold a list of roles."""
    with op.batch_alter_table("users", recreate="auto") as batch:
        batch.drop_constraint(op.f("ck_users_role_known"), type_="check")
        batch.alter_column("role", type_=sa.String(80), existing_type=sa.String(16), existing_nullable=False)
        batch.create_check_constraint("roles_not_empty", "role <> ''")
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("audit_log", "role", type_=sa.String(120), existing_type=sa.String(40))


_ROLES = "('administrador', 'capturista', 'revisor', 'tesoreria', 'auditor')"


def downgrade() -> None:
    """Back to one role per user: the first of each list (administrador when it holds it)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("UPDATE users SET role = substr(role, 1, instr(role || '+', '+') - 1)")
    else:
        op.execute("UPDATE users SET role = split_part(role, '+', 1)")
        op.alter_column("audit_log", "role", type_=sa.String(40), existing_type=sa.String(120))
    with op.batch_alter_table("users", recreate="auto") as batch:
        batch.drop_constraint(op.f("ck_users_roles_not_empty"), type_="check")
        batch.alter_column("role", type_=sa.String(16), existing_type=sa.String(80), existing_nullable=False)
        batch.create_check_constraint("role_known", f"role IN {_ROLES}")
