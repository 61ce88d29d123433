"""Rule files of the user's rules folder take effect only once an administrador accepts them.

Revision ID: 0008_accepted_rule_files
Revises: 0007_audit_baseline
Create Date: 2026-12-04

``accepted_rule_files`` holds each accepted file's name and sha256 (who, when); the audit trail
records every row like any other table's. Shipped rule files (``seeds/rules``) need no row.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_accepted_rule_files"
down_revision: str | Sequence[str] | None = "0007_audit_baseline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``accepted_rule_files``."""
    op.create_table(
        "accepted_rule_files",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("accepted_by", sa.String(80), nullable=False, server_default=""),
        sa.UniqueConstraint("file_name", "sha256", name="uq_accepted_rule_files_file_name_sha256"),
    )


def downgrade() -> None:
    """Drop ``accepted_rule_files``."""
    op.drop_table("accepted_rule_files")
