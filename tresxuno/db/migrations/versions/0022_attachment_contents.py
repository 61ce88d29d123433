"""Attachments live in the database: their bytes, and the replacement of a wrong one with its reason.

Revision ID: 0022_attachment_contents
Revises: 0021_validation_and_levels
Create Date: 2026-12-05

``attachment_contents`` holds each distinct file once, keyed by its SHA-256 (a scan filed twice is
stored once), so every backup and every desk sharing the database has the scans and CFDIs.
``attachments.replaces_id`` names the attachment a corrected one supersedes, ``replace_reason`` why:
the wrong file stays in the history, nothing is deleted. Files kept in a data folder by earlier
releases are moved in when the database is next opened (:func:`tresxuno.services.attachments.absorb_files`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_attachment_contents"
down_revision: str | Sequence[str] | None = "0021_validation_and_levels"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``attachment_contents``; add ``attachments.replaces_id`` and ``replace_reason``."""
    op.create_table(
        "attachment_contents",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=False), nullable=False),
        sa.CheckConstraint("size > 0", name=op.f("ck_attachment_contents_size_positive")),
    )
    name = "fk_attachments_replaces_id_attachments"
    if op.get_bind().dialect.name == "sqlite":
        # The column and its reference in one ADD COLUMN: SQLite cannot add a constraint later
        # (and rebuilding the table would be the other way).
        op.execute(f"ALTER TABLE attachments ADD COLUMN replaces_id INTEGER CONSTRAINT {name} REFERENCES attachments (id)")
    else:
        op.add_column("attachments", sa.Column("replaces_id", sa.Integer(), nullable=True))
        op.create_foreign_key(name, "attachments", "attachments", ["replaces_id"], ["id"])
    op.add_column("attachments", sa.Column("replace_reason", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    """Drop the column pair and the table (files are not written back to a data folder)."""
    with op.batch_alter_table("attachments", recreate="auto") as batch:
        batch.drop_column("replace_reason")
        batch.drop_column("replaces_id")
    op.drop_table("attachment_contents")
