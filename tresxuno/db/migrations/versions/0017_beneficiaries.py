"""Padrón de beneficiarios: the persons a project benefits, with their CURP.

Revision ID: 0017_beneficiaries
Revises: 0016_user_roles
Create Date: 2026-12-05

``project_beneficiaries`` holds each person (names, CURP validated with its check digit, sex and
birth date as the CURP says, locality). Audited like every table; personal data, read only by the
roles that need it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_beneficiaries"
down_revision: str | Sequence[str] | None = "0016_user_roles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``project_beneficiaries``."""
    op.create_table(
        "project_beneficiaries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("given_names", sa.String(200), nullable=False),
        sa.Column("first_surname", sa.String(200), nullable=False),
        sa.Column("second_surname", sa.String(200), nullable=False, server_default=""),
        sa.Column("curp", sa.String(18), nullable=False),
        sa.Column("sex", sa.String(1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("locality", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name="fk_project_beneficiaries_project_id_projects"
        ),
        sa.UniqueConstraint("project_id", "curp", name="uq_project_beneficiaries_project_id_curp"),
        sa.CheckConstraint("sex IN ('H', 'M', 'X')", name=op.f("ck_project_beneficiaries_sex_known")),
    )
    op.create_index("ix_project_beneficiaries_project_id", "project_beneficiaries", ["project_id"])


def downgrade() -> None:
    """Drop the table."""
    op.drop_table("project_beneficiaries")
