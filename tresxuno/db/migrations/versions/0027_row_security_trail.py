"""Row-level security for the audit trail and the filed documents' bytes.

Revision ID: 0027_row_security_trail
Revises: 0026_consolidation
Create Date: 2026-12-05

The trail's records hold images of every row, so an office's role reading ``audit_log`` would read
every office's data; ``attachment_contents`` holds every office's scans. On PostgreSQL an office's
role now reads only the records of its projects and clubs, and only the contents its attachments
name; it still appends records and stores contents (every desk writes them). Until some office
names a role, nothing is confined, as for the other tables (:mod:`tresxuno.db.row_security`).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from tresxuno.db import row_security

revision: str = "0027_row_security_trail"
down_revision: str | Sequence[str] | None = "0026_consolidation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """PostgreSQL only: read policies on ``audit_log`` and ``attachment_contents``; writes stay open."""
    if op.get_bind().dialect.name == "postgresql":
        row_security.enable_readers(op.get_bind())


def downgrade() -> None:
    """Drop them."""
    if op.get_bind().dialect.name == "postgresql":
        row_security.disable_readers(op.get_bind())
