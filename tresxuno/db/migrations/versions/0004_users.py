"""Users of the office: role, argon2id password hash, lockout state kept in the database.

Revision ID: 0004_users
Revises: 0003_covam_progress
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_users"
down_revision: str | Sequence[str] | None = "0003_covam_progress"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = "('administrador', 'capturista', 'revisor', 'tesoreria', 'auditor')"


def upgrade() -> None:
    """Create the users table."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("full_name", sa.String(200), server_default="", nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=False), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("created_by", sa.String(80), server_default="", nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=False), nullable=True),
        sa.CheckConstraint(f"role IN {ROLES}", name=op.f("ck_users_role_known")),
        sa.CheckConstraint("failed_attempts >= 0", name=op.f("ck_users_failed_attempts_not_negative")),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )


def downgrade() -> None:
    """Drop what :func:`upgrade` created."""
    op.drop_table("users")
