"""Consolidation: municipal offices on their own files send signed packages of their changes to the state.

Revision ID: 0026_consolidation
Revises: 0025_offices
Create Date: 2026-12-05

``offices.public_key`` holds the Ed25519 public key a municipal office signs its packages with.
``consolidations`` records every package imported: which office, which stretch of its audit trail
(``from_seq`` to ``to_seq``, ending at ``head_hash``), so the next one must chain onto it and a
package imported twice changes nothing. ``consolidated_rows`` maps each row of an office's file
(table and id there) to the row holding it here. ``consolidation_conflicts`` keeps every record of a
package that met a different version here, with both versions and what the state decided.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026_consolidation"
down_revision: str | Sequence[str] | None = "0025_offices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``offices.public_key`` and the three consolidation tables."""
    op.add_column("offices", sa.Column("public_key", sa.String(64), nullable=True))
    op.create_table(
        "consolidations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(36), nullable=False),
        sa.Column("from_seq", sa.BigInteger(), nullable=False),
        sa.Column("to_seq", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.CHAR(64), nullable=False),
        sa.Column("package_sha256", sa.CHAR(64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("imported_by", sa.String(80), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name="fk_consolidations_office_id_offices"),
        sa.UniqueConstraint("office_id", "to_seq", name="uq_consolidations_office_id_to_seq"),
        sa.CheckConstraint("to_seq >= from_seq", name=op.f("ck_consolidations_seq_order")),
    )
    op.create_table(
        "consolidated_rows",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(60), nullable=False),
        sa.Column("origin_id", sa.String(120), nullable=False),
        sa.Column("local_id", sa.String(120), nullable=False),
        sa.PrimaryKeyConstraint("office_id", "table_name", "origin_id", name="pk_consolidated_rows"),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name="fk_consolidated_rows_office_id_offices"),
    )
    op.create_table(
        "consolidation_conflicts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("consolidation_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(60), nullable=False),
        sa.Column("origin_id", sa.String(120), nullable=False),
        sa.Column("local_id", sa.String(120), nullable=False, server_default=""),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("theirs", sa.Text(), nullable=False),
        sa.Column("ours", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.ForeignKeyConstraint(
            ["consolidation_id"],
            ["consolidations.id"],
            name="fk_consolidation_conflicts_consolidation_id_consolidations",
        ),
        sa.CheckConstraint("decision IN ('theirs', 'ours')", name=op.f("ck_consolidation_conflicts_decision_known")),
    )


def downgrade() -> None:
    """Drop the tables and the column."""
    op.drop_table("consolidation_conflicts")
    op.drop_table("consolidated_rows")
    op.drop_table("consolidations")
    with op.batch_alter_table("offices", recreate="auto") as batch:
        batch.drop_column("public_key")
