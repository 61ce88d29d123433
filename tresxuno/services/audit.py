"""Use cases of the audit trail: verify its integrity (``tresxuno check``) and read histories.

The verification rules live in :mod:`tresxuno.domain.audit`; here they are fed from the database
in sequence order, in batches, with progress and cancellation for big databases.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from operator import ge, itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    DateTime,
    Integer,
    Select,
    String,
    Table,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from tresxuno import paths
from tresxuno.collector import cycle_collector_paused
from tresxuno.db.audit import added_column_values, append, compared_tables, office_key, subject_of
from tresxuno.db.engine import Database
from tresxuno.db.models import (
    Attachment,
    AttachmentContent,
    AuditHead,
    AuditLogRow,
    LedgerAllocation,
    LedgerEntry,
)
from tresxuno.db.scope import trail_in_scope
from tresxuno.domain.audit import (
    ABSENT,
    GENESIS,
    KEY_BYTES,
    LEDGER_TABLES,
    REDACTED_COLUMNS,
    AuditRecord,
    ChainHead,
    ChainVerifier,
    FieldChange,
    LedgerRow,
    RowImages,
    Seal,
    bulk_tuples,
    compare_row,
    field_changes,
    ledger_problems,
    load_image,
    missing_row,
    redacted,
)
from tresxuno.domain.problems import Problem, StorageError
from tresxuno.i18n import _
from tresxuno.services.attachments import content_problems, stored_file_problem
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
    #: The hash of the last record verified (the genesis hash when the trail is empty).
    head: str = GENESIS
    #: The office key sealing records ``sealed_since`` onwards, when it is not on this computer:
    #: those records' links were followed but their seals could not be verified.
    unverified_key: str | None = None
    sealed_since: int | None = None
    #: Rows of every audited table compared with the trail, and how many tables.
    rows: int = 0
    tables: int = 0
    #: Compliance findings that do not break the trail (a federal reintegro past its deadline, neither
    #: made nor excepted): listed by ``check`` (exit status unchanged); ``ok`` stays about integrity.
    findings: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the chain, the ledger's rows and its invariants all hold."""
        return self.problem is None


def chain_head(source: Database | Session | Connection) -> ChainHead:
    """The audit chain's head now: one row of ``audit_head``, no verification (cheap at any size).

    Read inside the caller's transaction when given a session or a connection, so the head belongs
    to the same snapshot as what the caller read (an export); read after a report's data, it covers
    every record that data depends on. ``tresxuno check --anchor`` verifies it later.
    """
    stmt = select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)
    if isinstance(source, Database):
        with source.session() as session:
            row = session.execute(stmt).first()
    else:
        row = source.execute(stmt).first()
    if row is None:  # pragma: no cover - every migrated database has the row
        return ChainHead()
    return ChainHead(str(row.hash), int(row.seq))


def check_integrity(
    db: Database,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    *,
    anchor: str | None = None,
) -> CheckResult:
    """Verify the audit chain, every ledger row against its last after-image, and the ledger's rules.

    Reads one snapshot in one transaction and writes nothing. Stops at the first problem: a broken
    link (named by sequence number, table and row), a ledger row that differs from the trail (an
    amount changed by plain SQL), or a broken ledger invariant (see
    :func:`tresxuno.domain.audit.ledger_problems`), then each attachment's stored file against its
    recorded sha256 (a name outside the attachments folder, a missing or an altered file is named;
    see :func:`tresxuno.services.attachments.stored_file_problem`), and the money invariants of
    :mod:`tresxuno.services.money_checks` (no party negative, closed projects empty, paid within cost).
    With the office key on this computer the
    trail must be sealed with it (see :class:`tresxuno.domain.audit.Seal`); with ``anchor`` (a
    head printed earlier, 64 hex digits) the chain must pass through that hash.

    Raises:
        Cancelled: the token was cancelled.
        StorageError: the database could not be read.
    """
    with cycle_collector_paused():
        return _check(db, progress, cancel or CancelToken(), anchor)


def _check(db: Database, progress: Progress, token: CancelToken, anchor: str | None) -> CheckResult:
    """:func:`check_integrity`'s work."""
    import time

    # The business checks load the ledger's rules: imported here, not by every export (chain_head).
    from tresxuno.services.ministraciones import calendar_problem
    from tresxuno.services.money_checks import money_problem
    from tresxuno.services.year_end import overdue_reintegro_findings

    started = time.perf_counter()
    key = office_key()
    with db.transaction() as session:
        head_seq, head_hash, sealed_by, sealed_since = session.execute(
            select(AuditHead.seq, AuditHead.hash, AuditHead.key_id, AuditHead.keyed_since).where(
                AuditHead.id == 1
            )
        ).one()
        seal = Seal(sealed_by, sealed_since, key)
        problem = seal.problem(head_seq)
        if problem is not None:
            return CheckResult(problem, 0, 0, time.perf_counter() - started)
        tables = compared_tables(session.connection())
        # The chain first, keeping no images; then one table at a time, its images and its rows.
        verifier = ChainVerifier(seal, anchor)
        total = session.scalar(select(func.count()).select_from(AuditLogRow)) or 0
        rows_total = sum(session.scalar(select(func.count()).select_from(t)) or 0 for t in tables)
        steps = total + rows_total
        done = 0
        progress(0, steps, _("Verifying the audit trail"))
        for batch in _record_batches(session):
            token.raise_if_cancelled()
            for record in batch:
                if not verifier.feed(record):
                    return CheckResult(verifier.problem, done, 0, time.perf_counter() - started)
                done += 1
            progress(done, steps, _("Verifying the audit trail"))
        problem = verifier.finish(head_seq, head_hash)
        if problem is not None:
            return CheckResult(problem, done, 0, time.perf_counter() - started)

        ledger_rows = compared = 0
        sqlite = session.get_bind().dialect.name == "sqlite"
        for table in tables:
            name = table.name
            try:
                count = _compare_in_order(session, table, token, sqlite=sqlite)
            except _UnorderedError:  # rows updated or deleted, or a difference: by id, to name it
                problem, count = _compare_by_id(session, table, token, sqlite=sqlite)
                if problem is not None:
                    return CheckResult(problem, done, ledger_rows, time.perf_counter() - started)
            compared += count
            if name in LEDGER_TABLES:
                ledger_rows += count
            progress(done + compared, steps, _("Comparing every table with the audit trail"))
        problem = _ledger_problem(session) or calendar_problem(session) or money_problem(session)
        findings = overdue_reintegro_findings(session)  # federal money not refunded by 15 January
        stored = session.execute(
            select(
                Attachment.id, Attachment.original_name, Attachment.stored_path, Attachment.sha256
            ).order_by(Attachment.id)
        ).all()
        kept = set(session.scalars(select(AttachmentContent.sha256)))
        if problem is None:
            # The files kept in the database, each against the hash it is stored under.
            progress(steps, steps, _("Verifying the attachments' files"))
            problem = content_problems(session)
    if problem is None:
        # Each attachment against the sha256 recorded (and audited) when it was attached: its
        # bytes in the database, or a copy an earlier release kept in the data folder.
        data_dir = paths.user_data_dir()
        for row in stored:
            token.raise_if_cancelled()
            problem = stored_file_problem(*row, data_dir=data_dir, in_database=row[3] in kept)
            if problem is not None:
                break
    progress(steps, steps, _("Done"))
    unverified = sealed_by if seal.unverifiable else None
    return CheckResult(
        problem,
        done,
        ledger_rows,
        time.perf_counter() - started,
        verifier.prev_hash,
        unverified,
        sealed_since if unverified else None,
        compared,
        len(tables),
        findings,
    )


def create_office_key() -> Path:
    """Write a new random office key to :func:`tresxuno.paths.office_key_file`, readable by its owner only.

    Never replaces a key: a trail sealed with the old one could no longer be written or verified.

    Raises:
        StorageError: ``audit.key_exists``, or ``file.cannot_write`` when the config folder is not writable.
    """
    path = paths.office_key_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise StorageError("audit.key_exists", path=str(path)) from exc
    except OSError as exc:
        raise StorageError("file.cannot_write", path=str(path), reason=exc.strerror or str(exc)) from exc
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(secrets.token_hex(KEY_BYTES) + "\n")
    return path


@dataclass(frozen=True)
class SealResult:
    """The office key sealing a trail: its public id, its file, and the first record it seals."""

    key_id: str
    path: Path
    since: int
    created: bool


def seal_trail(db: Database) -> SealResult:
    """Seal the audit trail with the office key, creating the key first when there is none.

    An administrador's action (it decides which computers can write from now on). Writes one
    record, the head taking the key, unless the trail is already sealed with it.

    Raises:
        InputError: ``auth.role_required``.
        StorageError: ``audit.key_mismatch`` (sealed with another key), ``audit.key_invalid``.
    """
    from tresxuno.services.auth import require

    require(db, "users.manage")
    created = office_key() is None
    if created:
        with db.session() as session:
            sealed_by = session.scalar(select(AuditHead.key_id).where(AuditHead.id == 1))
        if sealed_by is not None:  # a new key would only lock this computer out of the trail
            raise StorageError("audit.key_missing", key=sealed_by, path=str(paths.office_key_file()))
        create_office_key()
    with db.transaction(immediate=True) as session:
        append(session.connection(), [], seal=True)
        sealed_by, since = session.execute(
            select(AuditHead.key_id, AuditHead.keyed_since).where(AuditHead.id == 1)
        ).one()
    assert sealed_by is not None and since is not None, "append(seal=True) sets the key and where it starts"
    return SealResult(sealed_by, paths.office_key_file(), since, created)


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


class _UnorderedError(Exception):
    """The fast comparison cannot vouch for a table: compare it again row by row, by id."""


def _compare_in_order(session: Session, table: Table, token: CancelToken, *, sqlite: bool) -> int:
    """Compare a table whose trail only inserted rows, in ascending id order, with its rows; return how many.

    One ordered pass on each side, a batch at a time, each batch compared as one list in C: memory
    stays that of a batch whatever the table's size (the ledger of a million entries included).

    Raises:
        _UnorderedError: the table's key is not one integer, its trail updated or deleted rows or
            inserted them out of order, or a batch differs: :func:`_compare_by_id` then decides
            and names the difference.
    """
    key = list(table.primary_key.columns)
    if len(key) != 1 or not isinstance(key[0].type, Integer):
        raise _UnorderedError
    log = AuditLogRow.__table__
    changed = session.scalar(
        select(log.c.seq).where(log.c.table_name == table.name, log.c.action != "insert").limit(1)
    )
    if changed is not None:
        raise _UnorderedError
    columns = [c.key for c in table.columns]
    images = _images_in_order(session, table, columns, columns.index(key[0].key), token)
    convert = _converters(table, sqlite=sqlite)
    count = 0
    waiting: list[tuple[Any, ...]] = []  # images read from the trail, not yet matched with rows
    for rows in _row_batches(session, table):
        token.raise_if_cancelled()
        if convert:
            rows = [_converted(row, convert) for row in rows]
        while len(waiting) < len(rows):
            more = next(images, None)
            if more is None:
                break
            waiting.extend(more)
        if waiting[: len(rows)] != rows:
            raise _UnorderedError
        del waiting[: len(rows)]
        count += len(rows)
    if waiting or next(images, None) is not None:  # the trail has rows the table lacks
        raise _UnorderedError
    return count


def _images_in_order(
    session: Session, table: Table, columns: list[str], at: int, token: CancelToken
) -> Iterator[list[tuple[Any, ...]]]:
    """The after-images the trail inserted into ``table``, in sequence order: each record's rows, as tuples in ``columns`` order.

    Raises:
        _UnorderedError: an id is not above the one before it (then sequence order is not id order).
    """
    log = AuditLogRow.__table__
    key = [columns[at]]
    result = (
        session.connection()
        .execution_options(yield_per=BATCH)
        .execute(select(log.c.row_id, log.c.after).where(log.c.table_name == table.name).order_by(log.c.seq))
    )
    last = None
    for part in result.partitions():
        token.raise_if_cancelled()
        for row_id, stored in part:
            after = load_image(stored)
            if after is None:
                continue
            if row_id is None:
                rows = bulk_tuples(after, columns, key)
            else:
                rows = [tuple(after.get(c, ABSENT) for c in columns)]
            ids = list(map(itemgetter(at), rows))
            try:
                if (last is not None and ids and not ids[0] > last) or any(map(ge, ids, ids[1:])):
                    raise _UnorderedError
            except TypeError as exc:  # an image without its id: the comparison by id names it
                raise _UnorderedError from exc
            if ids:
                last = ids[-1]
                yield rows


def _compare_by_id(
    session: Session, table: Table, token: CancelToken, *, sqlite: bool
) -> tuple[Problem | None, int]:
    """Compare ``table`` with the last image of each of its rows, found by id: (first problem, rows read).

    Any table, any history (rows updated, deleted, keys of several columns); holds the table's
    images in memory, one table at a time.
    """
    name = table.name
    columns = [c.key for c in table.columns]
    audited = _table_images(session, table, token)
    at = {c: i for i, c in enumerate(columns)}
    positions = [at[c.key] for c in table.primary_key.columns]
    single = positions[0] if len(positions) == 1 else None
    convert = _converters(table, sqlite=sqlite)
    added = added_column_values(table)
    count = 0
    for rows in _row_batches(session, table):
        token.raise_if_cancelled()
        for raw in rows:
            row = _converted(raw, convert) if convert else raw
            rid = str(row[single]) if single is not None else "/".join(str(row[i]) for i in positions)
            # Popped, so what is left afterwards is what the trail has and the table lacks.
            image = audited.pop(rid, None)
            if image is None or row != image:
                # Rare: only now the row is looked at column by column, to name the difference.
                problem = compare_row(
                    name,
                    rid,
                    dict(zip(columns, row, strict=True)),
                    None if image is None else dict(zip(columns, image, strict=True)),
                    added,
                )
                if problem is not None:
                    return problem, count
        count += len(rows)
    return missing_row(name, audited), count


def _converted(raw: tuple[Any, ...], convert: list[tuple[int, Callable[[Any], Any]]]) -> tuple[Any, ...]:
    values = list(raw)
    for i, to_image in convert:
        if values[i] is not None:
            values[i] = to_image(values[i])
    return tuple(values)


def _ledger_problem(session: Session) -> Problem | None:
    """The ledger's invariants (:func:`tresxuno.domain.audit.ledger_problems`), fed two ordered streams.

    The entries and each entry's line total come in id order straight from the driver; only the
    entries some reversal names are kept, so a million entries cost no list.
    """
    entries = LedgerEntry.__table__
    lines = LedgerAllocation.__table__
    targets = set(session.scalars(select(entries.c.reverses_id).where(entries.c.reverses_id.is_not(None))))
    by_id = select(
        entries.c.id, entries.c.project_id, entries.c.kind, entries.c.amount, entries.c.reverses_id
    )
    totals = (
        select(lines.c.entry_id, func.sum(lines.c.amount))
        .group_by(lines.c.entry_id)
        .order_by(lines.c.entry_id)
    )
    return ledger_problems(
        (LedgerRow(*row) for rows in _cursor_batches(session, by_id.order_by(entries.c.id)) for row in rows),
        (row for rows in _cursor_batches(session, totals) for row in rows),
        targets,
    )


def _table_images(session: Session, table: Table, token: CancelToken) -> dict[str, tuple[Any, ...] | None]:
    """The last audited image of every row of ``table``: its records alone, streamed in sequence order."""
    collector = RowImages([c.key for c in table.columns], [c.key for c in table.primary_key.columns])
    log = AuditLogRow.__table__
    result = (
        session.connection()
        .execution_options(yield_per=BATCH)
        .execute(select(log.c.row_id, log.c.after).where(log.c.table_name == table.name).order_by(log.c.seq))
    )
    for rows in result.partitions():
        token.raise_if_cancelled()
        for row_id, after in rows:
            collector.add_image(row_id, after)
    return collector.images


def _row_batches(session: Session, table: Table) -> Iterator[Sequence[tuple[Any, ...]]]:
    """Every row of ``table`` in key order, columns in the table's order, as the trail's images hold them.

    On SQLite a time is turned into its image's form by the query itself (see :func:`_sqlite_time`),
    which is C work; what is left for Python is in :func:`_converters`.
    """
    sqlite = session.get_bind().dialect.name == "sqlite"
    shown = [
        _sqlite_time(c).label(c.key) if sqlite and isinstance(c.type, DateTime) else c for c in table.columns
    ]
    return _cursor_batches(session, select(*shown).order_by(*table.primary_key.columns))


def _cursor_batches(session: Session, query: Select[Any]) -> Iterator[Sequence[tuple[Any, ...]]]:
    """The rows of ``query`` as the driver returns them, a batch at a time, in the session's transaction.

    Straight from the driver's cursor: SQLAlchemy's rows and type conversions (text to dates) would
    cost more than the whole comparison.
    """
    connection = session.connection()
    compiled = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled))
        while rows := cursor.fetchmany(BATCH):
            yield rows
    finally:
        cursor.close()


def _isoformat(value: date) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _sqlite_time(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A time as SQLite holds it, as its image has it: ISO 8601 without a zero fraction, in SQL.

    SQLAlchemy writes ``2026-03-01 17:05:09.000000``; writers that go straight to the driver
    leave the fraction out. Any other text is left as stored, so the comparison names it.
    """
    text = type_coerce(column, String)
    whole = and_(func.length(text) == 26, func.substr(text, 20) == ".000000")
    return case(
        (
            and_(
                func.typeof(column) == "text",
                func.length(text).in_([19, 26]),
                func.substr(text, 11, 1) == " ",
            ),
            func.substr(text, 1, 10, type_=String)
            + literal("T")
            + case(
                (whole, func.substr(text, 12, 8, type_=String)), else_=func.substr(text, 12, type_=String)
            ),
        ),
        else_=column,
    )


def _converters(table: Table, *, sqlite: bool) -> list[tuple[int, Callable[[Any], Any]]]:
    """Column positions whose values the query returns unlike their audited form, and how to convert.

    Images keep dates and times as ISO text and secrets as digests (see
    :func:`tresxuno.domain.audit.image`). SQLite already returns dates as that text, and times
    come converted by :func:`_row_batches`; every other value is equal to its image as it comes,
    so most rows are compared as one tuple.
    """
    found: list[tuple[int, Callable[[Any], Any]]] = []
    for i, column in enumerate(table.columns):
        if column.key in REDACTED_COLUMNS:
            found.append((i, redacted))
        elif isinstance(column.type, (Date, DateTime)) and not sqlite:
            found.append((i, _isoformat))
    return found


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
    # An officer of one office reads only the history of its jurisdiction's projects and clubs.
    query = select(log).where(where, *trail_in_scope(log)).order_by(log.c.seq.desc()).limit(limit)
    with db.session() as session:
        rows = session.execute(query).all()
    return _items(list(rows))


def recent(db: Database, *, offset: int = 0, limit: int = 200, table: str | None = None) -> list[HistoryItem]:
    """The whole trail, newest first, a page at a time (the Bitácora dialog)."""
    log = AuditLogRow.__table__
    query = select(log).where(*trail_in_scope(log)).order_by(log.c.seq.desc()).offset(offset).limit(limit)
    if table:
        query = query.where(log.c.table_name == table)
    with db.session() as session:
        return _items(list(session.execute(query).all()))
