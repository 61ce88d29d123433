"""The INEGI key of each project's locality (nine digits), for the padrón and the SRFT.

Revision ID: 0018_locality_key
Revises: 0017_beneficiaries
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_locality_key"
down_revision: str | Sequence[str] | None = "0017_beneficiaries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``projects.locality_key`` ("" for the projects already stored)."""
    with op.batch_alter_table("projects", recreate="never") as batch:
        batch.add_column(sa.Column("locality_key", sa.String(9), nullable=False, server_default=""))


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table("projects", recreate="auto") as batch:
        batch.drop_column("locality_key")
