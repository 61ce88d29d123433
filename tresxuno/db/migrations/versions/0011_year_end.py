"""An administrador's recorded exception for a project's year-end federal reintegro.

Revision ID: 0011_year_end
Revises: 0010_ministraciones
Create Date: 2026-12-04

Federal money unspent on 31 December is refunded to TESOFE by 15 January (LDF art. 17); closing a
fiscal year is refused while a reintegro is missing, unless ``reintegro_exceptions`` holds one row
for that year and project, with the reason and who authorised it. Audited like any other table.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_year_end"
down_revision: str | Sequence[str] | None = "0010_ministraciones"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``reintegro_exceptions``."""
    op.create_table(
        "reintegro_exceptions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column(
            "project_id",
            sa.Integer(),
            sa.ForeignKey("projects.id", name="fk_reintegro_exceptions_project_id_projects"),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("authorised_by", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False, server_default=""),
        sa.UniqueConstraint(
            "fiscal_year", "project_id", name="uq_reintegro_exceptions_fiscal_year_project_id"
        ),
    )
    op.create_index("ix_reintegro_exceptions_project_id", "reintegro_exceptions", ["project_id"])


def downgrade() -> None:
    """Drop ``reintegro_exceptions``."""
    op.drop_index("ix_reintegro_exceptions_project_id", table_name="reintegro_exceptions")
    op.drop_table("reintegro_exceptions")
