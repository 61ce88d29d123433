"""Offices and their jurisdictions: who may see and change which municipality's projects.

Revision ID: 0025_offices
Revises: 0024_ledger_running_index
Create Date: 2026-12-05

A state that runs every municipality on one server gives each officer an office. ``offices`` holds
each one: municipal (one municipality) or state (its whole state, or the municipalities listed for
it), with the name, RFC and place its letterhead prints. ``office_municipalities`` lists a
municipal office's municipality, or the ones a state office covers (none listed: the whole state).
``users.office_id`` ties an officer to an office; NULL is an officer of the whole database (a single
municipal office on its own file, or the state server's administrators), as every user was before.

On PostgreSQL the same jurisdictions are also row-level security policies: an office's own
database role (``offices.db_role``) sees and changes only its jurisdiction's projects, clubs and
everything filed under them, even through a direct SQL connection
(:mod:`tresxuno.db.row_security`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tresxuno.db import row_security

revision: str = "0025_offices"
down_revision: str | Sequence[str] | None = "0024_ledger_running_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``offices`` and ``office_municipalities``; add ``users.office_id``; PostgreSQL policies."""
    op.create_table(
        "offices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("state_key", sa.CHAR(2), nullable=False),
        sa.Column("rfc", sa.String(13), nullable=False, server_default=""),
        sa.Column("place", sa.String(200), nullable=False, server_default=""),
        sa.Column("db_role", sa.String(63), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False, server_default=""),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('municipal', 'state')", name=op.f("ck_offices_kind_known")),
        sa.ForeignKeyConstraint(["state_key"], ["states.key"], name="fk_offices_state_key_states"),
        sa.UniqueConstraint("code", name="uq_offices_code"),
        sa.UniqueConstraint("name", name="uq_offices_name"),
        sa.UniqueConstraint("db_role", name="uq_offices_db_role"),
    )
    op.create_table(
        "office_municipalities",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("municipality_key", sa.String(5), nullable=False),
        sa.PrimaryKeyConstraint("office_id", "municipality_key", name="pk_office_municipalities"),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name="fk_office_municipalities_office_id_offices"),
        sa.ForeignKeyConstraint(
            ["municipality_key"],
            ["municipalities.key"],
            name="fk_office_municipalities_municipality_key_municipalities",
        ),
    )
    name = "fk_users_office_id_offices"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE users ADD COLUMN office_id INTEGER CONSTRAINT {name} REFERENCES offices (id)")
    else:
        op.add_column("users", sa.Column("office_id", sa.Integer(), nullable=True))
        op.create_foreign_key(name, "users", "offices", ["office_id"], ["id"])
        row_security.enable(op.get_bind())


def downgrade() -> None:
    """Drop the policies, the column and both tables."""
    if op.get_bind().dialect.name == "postgresql":
        row_security.disable(op.get_bind())
    with op.batch_alter_table("users", recreate="auto") as batch:
        batch.drop_column("office_id")
    op.drop_table("office_municipalities")
    op.drop_table("offices")
