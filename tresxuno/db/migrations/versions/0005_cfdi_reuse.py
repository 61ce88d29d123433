"""A CFDI's UUID may back a new payment once the payment that used it was reversed.

The unique constraint on ``ledger_entries.cfdi_uuid`` becomes a plain index: a reversed payment no
longer uses its invoice, so the corrected payment may cite it again. That only one *live* payment
uses an invoice is checked by the ledger service, which knows the reversal chains.

Revision ID: 0005_cfdi_reuse
Revises: 0004_users
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005_cfdi_reuse"
down_revision: str | Sequence[str] | None = "0004_users"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "ledger_entries"


def _sqlite_triggers(create: bool) -> None:
    """SQLite's batch mode rebuilds the table, losing its append-only triggers: drop, then put back."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{action.lower()}")
        if create:
            op.execute(
                f"CREATE TRIGGER {TABLE}_no_{action.lower()} BEFORE {action} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: record a reversal instead'); END"
            )


def upgrade() -> None:
    """Replace the unique constraint on the CFDI UUID by an index."""
    _sqlite_triggers(create=False)
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_constraint("uq_ledger_entries_cfdi_uuid", type_="unique")
        batch.create_index("ix_ledger_entries_cfdi_uuid", ["cfdi_uuid"])
    _sqlite_triggers(create=True)


def downgrade() -> None:
    """Back to one entry per UUID (fails while a reused UUID is stored, as it should)."""
    _sqlite_triggers(create=False)
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_index("ix_ledger_entries_cfdi_uuid")
        batch.create_unique_constraint("uq_ledger_entries_cfdi_uuid", ["cfdi_uuid"])
    _sqlite_triggers(create=True)
