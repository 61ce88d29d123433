"""Officials by office: each office's own presidente municipal, síndico and secretary sign its documents.

Revision ID: 0029_officials_by_office
Revises: 0028_office_logo
Create Date: 2026-12-05

``officials.office_id`` names the office an official belongs to; NULL is this database's own office
(the one its settings describe), as every official recorded before was. A convenio for a project
of another registered office is signed by that office's officials, not by this one's.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029_officials_by_office"
down_revision: str | Sequence[str] | None = "0028_office_logo"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``officials.office_id`` (a reference to ``offices``)."""
    name = "fk_officials_office_id_offices"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE officials ADD COLUMN office_id INTEGER CONSTRAINT {name} REFERENCES offices (id)")
    else:
        op.add_column("officials", sa.Column("office_id", sa.Integer(), nullable=True))
        op.create_foreign_key(name, "officials", "offices", ["office_id"], ["id"])


def downgrade() -> None:
    """Drop it."""
    with op.batch_alter_table("officials", recreate="auto") as batch:
        batch.drop_column("office_id")
