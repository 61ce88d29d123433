"""Use cases of the audit trail: verify its integrity (``tresxuno check``) and read histories.

The verification rules live in :mod:`tresxuno.domain.audit`; here they are fed from the database
in sequence order, in batches, with progress and cancellation for big databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Table, func, or_, select
from sqlalchemy.orm import Session

from tresxuno.db.audit import subject_of
from tresxuno.db.engine import Database
from tresxuno.db.models import AuditHead, AuditLogRow, LedgerAllocation, LedgerEntry
from tresxuno.domain.audit import (
    LEDGER_TABLES,
    AuditRecord,
    ChainVerifier,
    FieldChange,
    LedgerRow,
    compare_ledger_row,
    field_changes,
    ledger_problems,
)
from tresxuno.domain.problems import Problem
from tresxuno.i18n import _
from tresxuno.services.progress import CancelToken, Progress, no_progress

#: Rows read per round trip while verifying.
BATCH = 5_000


@dataclass(frozen=True)
class CheckResult:
    """What ``check`` found: the first problem (None when all is well) and what it read."""

    problem: Problem | None
    records: int
    ledger_rows: int
    seconds: float  # float ok: elapsed time, not money

    @property
    def ok(self) -> bool:
        """True when the chain, the ledger's rows and its invariants all hold."""
        return self.problem is None


def check_integrity(
    db: Database, progress: Progress = no_progress, cancel: CancelToken | None = None
) -> CheckResult:
    """Verify the audit chain, every ledger row against its last after-image, and the ledger's rules.

    Reads one snapshot in one transaction and writes nothing. Stops at the first problem: a broken
    link (named by sequence number, table and row), a ledger row that differs from the trail (an
    amount changed by plain SQL), or a broken ledger invariant (see
    :func:`tresxuno.domain.audit.ledger_problems`).

    Raises:
        Cancelled: the token was cancelled.
        StorageError: the database could not be read.
    """
    import time

    started = time.perf_counter()
    token = cancel or CancelToken()
    verifier = ChainVerifier()
    with db.transaction() as session:
        total = session.scalar(select(func.count()).select_from(AuditLogRow)) or 0
        entries_total = session.scalar(select(func.count()).select_from(LedgerEntry)) or 0
        lines_total = session.scalar(select(func.count()).select_from(LedgerAllocation)) or 0
        steps = total + entries_total + lines_total
        done = 0
        progress(0, steps, _("Verifying the audit trail"))
        for batch in _record_batches(session):
            token.raise_if_cancelled()
            for record in batch:
                if not verifier.feed(record):
                    return CheckResult(verifier.problem, done, 0, time.perf_counter() - started)
                done += 1
            progress(done, steps, _("Verifying the audit trail"))
        seq, digest = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one()
        problem = verifier.finish(seq, digest)
        if problem is not None:
            return CheckResult(problem, done, 0, time.perf_counter() - started)

        entries: list[LedgerRow] = []
        lines: list[tuple[int, str, int]] = []
        ledger_rows = 0
        for table in LEDGER_TABLES:
            audited = verifier.ledger_images[table]
            for rows in _row_batches(
                session, LedgerEntry.__table__ if table == "ledger_entries" else LedgerAllocation.__table__
            ):
                token.raise_if_cancelled()
                for row in rows:
                    problem = compare_ledger_row(table, row, audited.get(str(row["id"])))
                    if problem is not None:
                        return CheckResult(problem, done, ledger_rows, time.perf_counter() - started)
                    if table == "ledger_entries":
                        entries.append(
                            LedgerRow(
                                row["id"], row["project_id"], row["kind"], row["amount"], row["reverses_id"]
                            )
                        )
                    else:
                        lines.append((row["entry_id"], row["party"], row["amount"]))
                ledger_rows += len(rows)
                progress(done + ledger_rows, steps, _("Comparing the ledger with the audit trail"))
        problem = ledger_problems(entries, lines)
    progress(steps, steps, _("Done"))
    return CheckResult(problem, done, ledger_rows, time.perf_counter() - started)


def _record_batches(session: Session) -> Iterator[list[AuditRecord]]:
    """Every audit record in sequence order, a batch at a time (keyset pagination, constant memory)."""
    table = AuditLogRow.__table__
    last = 0
    while True:
        rows = session.execute(
            select(table).where(table.c.seq > last).order_by(table.c.seq).limit(BATCH)
        ).all()
        if not rows:
            return
        yield [
            AuditRecord(
                r.seq,
                r.at,
                r.username,
                r.role,
                r.action,
                r.table_name,
                r.row_id,
                r.subject,
                r.before,
                r.after,
                r.prev_hash,
                r.hash,
            )
            for r in rows
        ]
        last = rows[-1].seq


def _row_batches(session: Session, table: Table) -> Iterator[list[dict]]:
    last = 0
    while True:
        rows = (
            session.execute(select(table).where(table.c.id > last).order_by(table.c.id).limit(BATCH))
            .mappings()
            .all()
        )
        if not rows:
            return
        yield [dict(r) for r in rows]  # plain dicts: compared column by column
        last = rows[-1]["id"]


# --- Histories --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryItem:
    """One audited change, ready to show: when (UTC), who, what, and the fields that changed."""

    seq: int
    at: datetime
    username: str
    role: str
    action: str
    table: str
    row_id: str | None
    changes: tuple[FieldChange, ...]


def _items(rows: list) -> list[HistoryItem]:
    return [
        HistoryItem(
            r.seq,
            r.at,
            r.username,
            r.role,
            r.action,
            r.table_name,
            r.row_id,
            field_changes(r.before, r.after),
        )
        for r in rows
    ]


def history(db: Database, table: str, row_id: int | str, *, limit: int = 500) -> list[HistoryItem]:
    """Audit records of one row and of the rows that belong to it, newest first.

    A project's history includes its shares, stage changes, ledger entries, documents, progress
    reports and COVAM rulings (every row whose ``project_id`` is the project's).
    """
    subject = subject_of(table, {"id": row_id})
    log = AuditLogRow.__table__
    where: ColumnElement[bool] = (log.c.table_name == table) & (log.c.row_id == str(row_id))
    if subject is not None:
        where = or_(where, log.c.subject == subject)
    with db.session() as session:
        rows = session.execute(select(log).where(where).order_by(log.c.seq.desc()).limit(limit)).all()
    return _items(list(rows))


def recent(db: Database, *, offset: int = 0, limit: int = 200, table: str | None = None) -> list[HistoryItem]:
    """The whole trail, newest first, a page at a time (the Bitácora dialog)."""
    log = AuditLogRow.__table__
    query = select(log).order_by(log.c.seq.desc()).offset(offset).limit(limit)
    if table:
        query = query.where(log.c.table_name == table)
    with db.session() as session:
        return _items(list(session.execute(query).all()))
