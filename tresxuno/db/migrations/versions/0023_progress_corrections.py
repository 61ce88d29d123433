"""A progress report can be corrected (a typed 54 % that was 45 %, a wrong date), saying why.

Revision ID: 0023_progress_corrections
Revises: 0022_attachment_contents
Create Date: 2026-12-05

``project_progress.correction`` holds the reason of the last correction ("" when never corrected);
the values before it stay in the audit trail, shown in the project's change history.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_progress_corrections"
down_revision: str | Sequence[str] | None = "0022_attachment_contents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``project_progress.correction``."""
    op.add_column("project_progress", sa.Column("correction", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table("project_progress", recreate="auto") as batch:
        batch.drop_column("correction")
