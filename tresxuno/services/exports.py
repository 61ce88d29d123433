"""Export the ledger: permission, one read snapshot streamed from SQL, and a file renamed into place.

Every export reads ``ledger_entries`` and their ``ledger_allocations`` lines in one read transaction,
as two streams in the same order (entry date, entry id; lines by party id), in batches of
:data:`BATCH_ROWS` entries; :mod:`tresxuno.reports.ledger_formats` merges them and writes as it reads,
so a million entries need no more memory than a thousand. The journals' balance assertions come from
a separate SQL aggregate (:func:`ledger_balances`), so a journal that passes its checks agrees with
the database to the centavo.

The output goes to a hidden temporary file in the destination folder that is renamed over the
destination only when everything was written: a cancelled or failed export leaves no partial file.

A big CSV from a SQLite file is written by two processes, one half each (see :func:`_halves` and
:mod:`tresxuno.services.csv_half`); the second reads only ids up to the largest of the first's
snapshot, so the file is still that one snapshot, byte for byte what one process writes.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Generator, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Date,
    Engine,
    Integer,
    Select,
    String,
    and_,
    column,
    func,
    or_,
    select,
    table,
)

from tresxuno.collector import cycle_collector_paused
from tresxuno.db.scope import filed_in_scope
from tresxuno.domain.problems import InputError, Problem
from tresxuno.i18n import _, language
from tresxuno.reports.ledger_formats import (
    ENTRY_COLUMNS,
    FORMATS,
    JOURNAL_FORMATS,
    AccountBalance,
    EntryRow,
    ExportSummary,
    LedgerIntegrityError,
    LedgerRows,
    LineRow,
    Tally,
    as_date,
    party_key,
    write_csv_rows,
    write_ledger,
    write_summary,
)
from tresxuno.services.audit import chain_head
from tresxuno.services.auth import require
from tresxuno.services.output_files import atomic_output, check_output, file_storage_error
from tresxuno.services.progress import CancelToken, Progress, no_progress

__all__ = [
    "BATCH_ROWS",
    "FORMATS",
    "AccountBalance",
    "ExportSummary",
    "LedgerIntegrityError",
    "LedgerScope",
    "balances_query",
    "count_lines",
    "export_ledger",
    "file_storage_error",
    "find_project",
    "ledger_balances",
    "project_names",
    "reversal_roots",
    "write_summary",
]

log = logging.getLogger(__name__)

#: Entries (and lines) read per batch; also how often progress is reported and cancel is checked.
BATCH_ROWS = 10_000
#: Back ends read through a raw DB-API cursor (see :func:`_batches`); tests empty it to exercise
#: the portable path.
_RAW_CURSOR_DIALECTS = frozenset({"sqlite"})

# Lightweight table clauses: the export reads the contract tables without the ORM models (no
# object per row, and the same statements on every back end).
_ENTRIES = table(
    "ledger_entries",
    column("id", Integer),
    column("project_id", Integer),
    column("kind", String),
    column("entry_date", Date),
    column("usd_amount", BigInteger),
    column("rate", String),
    column("rate_date", Date),
    column("rate_source", String),
    column("reference", String),
    column("payee_name", String),
    column("payee_rfc", String),
    column("concept", String),
    column("cfdi_uuid", String),
    column("reverses_id", Integer),
    column("reason", String),
)
_LINES = table(
    "ledger_allocations",
    column("id", Integer),
    column("entry_id", Integer),
    column("party", String),
    column("amount", BigInteger),
)
_PROJECTS = table("projects", column("id", Integer), column("folio", String), column("name", String))


@dataclass(frozen=True)
class LedgerScope:
    """Which entries an export covers: all, one fiscal year of the entry date, one project, or both."""

    year: int | None = None
    project_id: int | None = None


class _Ticker:
    """Reports progress and checks the cancel token once per batch."""

    def __init__(self, progress: Progress, cancel: CancelToken | None, total: int):
        self.progress, self.cancel, self.total, self.done = progress, cancel, total, 0
        self.message = _("Exporting the ledger")

    def __call__(self, lines: int) -> None:
        self.done += lines
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()
        self.progress(min(self.done, self.total), self.total, self.message)


# --- Reading ------------------------------------------------------------------------------------


def _where(stmt: Select[Any], scope: LedgerScope) -> Select[Any]:
    if scope.year is not None:
        stmt = stmt.where(
            _ENTRIES.c.entry_date >= date(scope.year, 1, 1),
            _ENTRIES.c.entry_date < date(scope.year + 1, 1, 1),
        )
    if scope.project_id is not None:
        stmt = stmt.where(_ENTRIES.c.project_id == scope.project_id)
    # An officer of one office exports only its jurisdiction's projects.
    return stmt.where(*filed_in_scope(_ENTRIES.c.project_id))


def find_project(conn: Connection, folio: str) -> int:
    """The id of the project with ``folio`` (exact match).

    Raises:
        InputError: ``project.unknown_folio`` on field ``project`` when no project has that folio.
    """
    project_id = conn.execute(
        select(_PROJECTS.c.id).where(_PROJECTS.c.folio == folio, *filed_in_scope(_PROJECTS.c.id))
    ).scalar()
    if project_id is None:
        raise InputError(Problem("project", "project.unknown_folio", {"folio": folio}))
    return int(project_id)


def count_lines(conn: Connection, scope: LedgerScope) -> int:
    """How many allocation lines ``scope`` covers: the progress total.

    Without a filter this counts the lines' smallest index alone, which is cheap even for millions.
    """
    if scope.year is None and scope.project_id is None and not filed_in_scope(_ENTRIES.c.project_id):
        stmt = select(func.count()).select_from(_LINES)
    else:
        stmt = _where(
            select(func.count()).select_from(_LINES.join(_ENTRIES, _ENTRIES.c.id == _LINES.c.entry_id)), scope
        )
    return int(conn.execute(stmt).scalar() or 0)


def project_names(conn: Connection, scope: LedgerScope) -> dict[int, tuple[str, str]]:
    """Folio and name of every project ``scope`` may touch, by id (all projects without a project)."""
    stmt = select(_PROJECTS.c.id, _PROJECTS.c.folio, _PROJECTS.c.name).where(*filed_in_scope(_PROJECTS.c.id))
    if scope.project_id is not None:
        stmt = stmt.where(_PROJECTS.c.id == scope.project_id)
    return {pid: (folio, name or "") for pid, folio, name in conn.execute(stmt)}


def balances_query(scope: LedgerScope | None = None) -> Select[Any]:
    """The SQL aggregate behind :func:`ledger_balances` (public so benchmarks can run it elsewhere).

    Lines are grouped by project id and party before the projects are joined, so the database
    aggregates over integers and looks up only one folio per account.
    """
    inner = (
        _where(
            select(
                _ENTRIES.c.project_id.label("project_id"),
                _LINES.c.party.label("party"),
                func.sum(_LINES.c.amount).label("centavos"),
                func.count().label("lines"),
                func.min(_ENTRIES.c.entry_date).label("first_date"),
                func.max(_ENTRIES.c.entry_date).label("last_date"),
            ).select_from(_LINES.join(_ENTRIES, _ENTRIES.c.id == _LINES.c.entry_id)),
            scope or LedgerScope(),
        )
        .group_by(_ENTRIES.c.project_id, _LINES.c.party)
        .subquery()
    )
    return select(
        inner.c.project_id,
        _PROJECTS.c.folio,
        inner.c.party,
        inner.c.centavos,
        inner.c.lines,
        inner.c.first_date,
        inner.c.last_date,
    ).join_from(inner, _PROJECTS, _PROJECTS.c.id == inner.c.project_id)


def ledger_balances(conn: Connection, scope: LedgerScope | None = None) -> list[AccountBalance]:
    """Per project account (project x party) the sum of its allocation lines, in one SQL aggregate.

    Args:
        conn: an open connection (its transaction decides the snapshot read).
        scope: the entries to sum; all when None.

    Returns:
        The accounts ordered by folio, then parties in the fixed party order; signed centavos MXN.
    """
    balances = [
        AccountBalance(pid, folio, party, int(total), int(lines), as_date(first), as_date(last))
        for pid, folio, party, total, lines, first, last in conn.execute(balances_query(scope))
    ]
    balances.sort(key=lambda b: (b.folio, party_key(b.party)))
    return balances


def reversal_roots(conn: Connection) -> dict[int, str]:
    """For every reversal entry, the kind of the entry at the start of its chain of reversals.

    A reversal of a reversal of a payment posts to the payment's counter-account; chains are rare
    and short, so a recursive query over the (few) reversals is cheap.
    """
    target = _ENTRIES.alias("target")
    later = _ENTRIES.alias("later")
    roots = (
        select(_ENTRIES.c.id.label("id"), target.c.kind.label("root_kind"))
        .join_from(_ENTRIES, target, target.c.id == _ENTRIES.c.reverses_id)
        .where(_ENTRIES.c.kind == "reversal", target.c.kind != "reversal")
        .cte("roots", recursive=True)
    )
    roots = roots.union_all(
        select(later.c.id, roots.c.root_kind).join_from(later, roots, later.c.reverses_id == roots.c.id)
    )
    return {int(rid): kind for rid, kind in conn.execute(select(roots.c.id, roots.c.root_kind))}


def _batches(
    conn: Connection, stmt: Select[Any], size: int
) -> Generator[Sequence[Sequence[Any]], None, None]:
    """Run ``stmt`` and yield its rows in lists of at most ``size``, streaming.

    On SQLite the statement runs on a raw DB-API cursor of the same connection (and transaction):
    SQLite cursors already stream, and skipping SQLAlchemy's Row objects and result processing
    fetches a million rows in about 40 % less time. The statement holds only integers and dates
    made here, so rendering them as literals is safe. Other back ends get SQLAlchemy's server-side
    cursor (``stream_results`` with ``yield_per``).
    """
    if conn.dialect.name in _RAW_CURSOR_DIALECTS:
        sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        dbapi = conn.connection.driver_connection
        assert dbapi is not None
        cursor = dbapi.cursor()
        try:
            cursor.execute(sql)
            while batch := cursor.fetchmany(size):
                yield batch
        finally:
            cursor.close()
    else:
        result = conn.execute(stmt.execution_options(stream_results=True, yield_per=size))
        try:
            yield from result.partitions(size)
        finally:
            result.close()


@dataclass(frozen=True)
class _Half:
    """One half of an export split at the entry ``(day, entry_id)`` in (date, id) order.

    ``later`` is the half after that entry. ``last_entry`` and ``last_line`` are the largest ids
    in the snapshot the export reads: the ledger is append-only and its ids only grow, so rows at
    or below them are exactly that snapshot's, whichever connection reads them and when.
    """

    day: date
    entry_id: int
    later: bool
    last_entry: int
    last_line: int

    def entries(self) -> list[ColumnElement[bool]]:
        """The conditions an entry of this half meets."""
        day, eid = _ENTRIES.c.entry_date, _ENTRIES.c.id
        if self.later:
            side = or_(day > self.day, and_(day == self.day, eid > self.entry_id))
        else:
            side = or_(day < self.day, and_(day == self.day, eid <= self.entry_id))
        return [side, eid <= self.last_entry]


def _streams(
    conn: Connection, scope: LedgerScope, batch_size: int, half: _Half | None = None
) -> tuple[Generator[Sequence[EntryRow], None, None], Generator[Sequence[LineRow], None, None]]:
    """The scope's entries and its allocation lines (of ``half`` only, when given), as two batch streams in the same order.

    Entries by date then id; lines by their entry's date and id, then party id. Turning column values
    into Python objects is most of the cost of reading, so the entry's columns are read once per
    entry rather than once per line of a join (a million-entry CSV export is about 8 % faster).
    """
    entries, lines = _statements(scope, half)
    return _batches(conn, entries, batch_size), _batches(conn, lines, batch_size)


def _statements(scope: LedgerScope, half: _Half | None = None) -> tuple[Select[Any], Select[Any]]:
    """The two statements :func:`_streams` runs."""
    bounds = half.entries() if half is not None else []
    entries = (
        _where(select(*(_ENTRIES.c[name] for name in ENTRY_COLUMNS)), scope)
        .where(*bounds)
        .order_by(_ENTRIES.c.entry_date, _ENTRIES.c.id)
    )
    lines = (
        _where(
            select(_LINES.c.entry_id, _LINES.c.party, _LINES.c.amount).select_from(
                _ENTRIES.join(_LINES, _LINES.c.entry_id == _ENTRIES.c.id)
            ),
            scope,
        )
        .where(*bounds, *([_LINES.c.id <= half.last_line] if half is not None else []))
        .order_by(_ENTRIES.c.entry_date, _ENTRIES.c.id, _LINES.c.party)
    )
    return entries, lines


# --- Two processes for a big CSV ----------------------------------------------------------------

#: A CSV export of at least this many lines, from a SQLite file on a machine with two cores or
#: more, is written by two processes (see :mod:`tresxuno.services.csv_half`); below it, starting
#: the second process costs more than it saves. Tests lower it to exercise the split.
SPLIT_FROM_LINES = 200_000


def _database_file(conn: Connection) -> Path | None:
    """The SQLite file ``conn`` reads (None in memory or on another back end)."""
    if conn.dialect.name != "sqlite":
        return None
    for _seq, name, file in conn.exec_driver_sql("PRAGMA database_list"):
        if name == "main" and file:
            return Path(file)
    return None


def _halves(conn: Connection, scope: LedgerScope, total: int) -> tuple[_Half, _Half] | None:
    """Where to split this export in two, in the read snapshot ``conn`` holds; None to write it whole."""
    if total < SPLIT_FROM_LINES or (os.cpu_count() or 1) < 2 or _database_file(conn) is None:
        return None
    count = _where(select(func.count()).select_from(_ENTRIES), scope)
    entries = int(conn.execute(count).scalar() or 0)
    middle = conn.execute(
        _where(select(_ENTRIES.c.entry_date, _ENTRIES.c.id), scope)
        .order_by(_ENTRIES.c.entry_date, _ENTRIES.c.id)
        .limit(1)
        .offset(entries // 2)
    ).first()
    if middle is None:
        return None
    last_entry = int(conn.execute(select(func.max(_ENTRIES.c.id))).scalar() or 0)
    last_line = int(conn.execute(select(func.max(_LINES.c.id))).scalar() or 0)
    day = as_date(middle[0])
    return (
        _Half(day, int(middle[1]), False, last_entry, last_line),
        _Half(day, int(middle[1]), True, last_entry, last_line),
    )


def _start_second_half(
    conn: Connection,
    scope: LedgerScope,
    half: _Half,
    projects: Mapping[int, tuple[str, str]],
    lang: str,
    part: Path,
    batch_size: int,
) -> subprocess.Popen[bytes]:
    """Start the process that writes ``half`` of the export to ``part`` (see :mod:`tresxuno.services.csv_half`)."""
    database = _database_file(conn)
    assert database is not None  # _halves splits SQLite files only
    entries, lines = (
        str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        for stmt in _statements(scope, half)
    )
    job = {
        "database": str(database),
        "entries": entries,
        "lines": lines,
        "projects": {str(pid): list(names) for pid, names in projects.items()},
        "lang": lang,
        "part": str(part),
        "batch_size": batch_size,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tresxuno.services.csv_half"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # No console window flashing up behind the desktop app on Windows.
        creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
    )
    assert process.stdin is not None
    process.stdin.write(json.dumps(job).encode("utf-8"))
    # Closed now, so the child reads its job to the end and starts; forgotten, so that
    # communicate() later only reads the answer (it would flush the closed pipe).
    process.stdin.close()
    process.stdin = None
    return process


def _second_half(process: subprocess.Popen[bytes]) -> Tally | None:
    """Wait for the second process: the tally of the part it wrote, or None when it failed (logged).

    Raises:
        LedgerIntegrityError: the second half found an entry without lines.
    """
    answer, errors = process.communicate()
    message = errors.decode("utf-8", "replace").strip()
    if process.returncode == 2:
        raise LedgerIntegrityError(message)
    if process.returncode != 0:
        log.warning("the export's second process failed (%s): %s", process.returncode, message[-2000:])
        return None
    half = json.loads(answer)
    tally = Tally(half["rows"], half["entries"], half["lines"])
    for pid, parties in half["sums"].items():
        tally.sums[int(pid)].update(parties)
    return tally


def _append_part(part: Path, out: Path, half: Tally, tally: Tally) -> None:
    """Append the second half's ``part`` to ``out`` and its counts and sums to ``tally``."""
    with open(out, "ab") as target, open(part, "rb") as source:
        shutil.copyfileobj(source, target, 1 << 20)
    tally.rows += half.rows
    tally.entries += half.entries
    tally.lines += half.lines
    for pid, parties in half.sums.items():
        account = tally.sums[pid]
        for party, amount in parties.items():
            account[party] += amount


@contextmanager
def _connection(source: Connection | Engine | Any) -> Iterator[Connection]:
    """A connection to read from: the caller's own, or a new one (closed afterwards) from an engine.

    ``source`` may be a :class:`Connection`, an :class:`Engine`, or anything with an ``engine``
    attribute (``tresxuno.db.engine.Database``).
    A new PostgreSQL connection reads at REPEATABLE READ, so the several statements of one export
    see one snapshot (SQLite's read transaction already does).
    """
    if isinstance(source, Connection):
        yield source
        return
    engine = source if isinstance(source, Engine) else getattr(source, "engine", None)
    if not isinstance(engine, Engine):
        raise TypeError(f"cannot read a ledger from {type(source).__name__}")
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        try:
            yield conn
        finally:
            conn.rollback()  # nothing was written; end the read transaction


# --- The use case -------------------------------------------------------------------------------


def export_ledger(
    conn_or_db: Connection | Engine | Any,
    fmt: str,
    out_path: str | os.PathLike[str],
    *,
    year: int | None = None,
    folio: str | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    batch_size: int = BATCH_ROWS,
    force: bool = False,
    lang: str | None = None,
) -> ExportSummary:
    """Export the ledger (all of it, one fiscal year of the entry date, one project, or both) to a file.

    Long work: reports ``progress(done, total, message)`` in allocation lines once per batch and
    checks ``cancel`` there; a cancel (or any error) leaves no file behind and an existing file at
    ``out_path`` untouched. Reads one snapshot: entries recorded meanwhile are not half-exported.

    Args:
        conn_or_db: a :class:`Connection` (its transaction is used as is), an :class:`Engine`, or a
            ``tresxuno.db.engine.Database``.
        fmt: one of :data:`FORMATS` (``csv``, ``xlsx``, ``beancount``, ``ledger``).
        out_path: the file to write; its folder must exist; never the database or one of its side
            files, nor a folder, FIFO or device (:func:`tresxuno.services.output_files.check_output`).
        year: only entries dated in this calendar (fiscal) year.
        folio: only the entries of the project with this folio.
        progress: progress sink, called from the calling thread.
        cancel: checked once per batch; its ``Cancelled`` propagates.
        batch_size: entries (and lines) read per batch; tests use small batches to exercise batching.
        force: replace an existing file at ``out_path`` (``--force``; the GUI once the officer agreed).
        lang: the language of every word in the file (headers, kinds, parties, labels); None for
            the language in force. Journals keep account names their tools accept in both.

    Returns:
        Rows written, the total and the per-account sums (centavos MXN), as written.

    Raises:
        ValueError: ``fmt`` is not one of :data:`FORMATS` (the CLI refuses it first).
        InputError: ``project.unknown_folio`` when no project has ``folio``; ``auth.role_required``
            when the signed-in person may not export.
        InputError: on field ``output``, a target refused by
            :func:`~tresxuno.services.output_files.check_output` (``output.exists`` without ``force``).
        StorageError: the file cannot be written; nothing is left behind.
        LedgerIntegrityError: the stored ledger breaks its contract (an entry without lines); nothing
            is written.
    """
    require(conn_or_db, "records.export")
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    path = Path(out_path).expanduser()
    # Refused before any reading: a wrong target costs nothing and writes nothing.
    check_output(path, db=conn_or_db, force=force)
    with _connection(conn_or_db) as conn:
        project_id = find_project(conn, folio) if folio is not None else None
        scope = LedgerScope(year, project_id)
        # The first statement starts the read transaction every later statement shares.
        total = count_lines(conn, scope)
        projects = project_names(conn, scope)
        # Only the journals assert balances; a CSV or XLSX export does not pay for the aggregate.
        journal = fmt in JOURNAL_FORMATS
        balances = ledger_balances(conn, scope) if journal else []
        roots = reversal_roots(conn) if journal else {}
        # The audit chain's head in this same snapshot: what the file shows is exactly what led to it.
        head = chain_head(conn)
        ticker = _Ticker(progress, cancel, total)
        progress(0, total, ticker.message)
        halves = _halves(conn, scope, total) if fmt == "csv" else None
        entry_batches, line_batches = _streams(conn, scope, batch_size, halves[0] if halves else None)
        with (
            closing(entry_batches),
            closing(line_batches),
            atomic_output(path, db=conn_or_db, force=force) as tmp,
            cycle_collector_paused(),
        ):
            lang = lang or language()
            second = part = None
            try:
                if halves is not None:
                    part = tmp.with_name(tmp.name + "2")
                    second = _start_second_half(conn, scope, halves[1], projects, lang, part, batch_size)
                rows = LedgerRows(projects, entry_batches, line_batches, balances, roots, head, lang)
                tally = write_ledger(fmt, tmp, rows, tick=ticker, batch_size=batch_size)
                if halves is not None and second is not None and part is not None:
                    joined, second = second, None
                    half = _second_half(joined)
                    if half is None:  # it could not run here: this process writes that half too
                        with suppress(OSError):
                            part.unlink()
                        more_entries, more_lines = _streams(conn, scope, batch_size, halves[1])
                        with closing(more_entries), closing(more_lines):
                            rest = LedgerRows(projects, more_entries, more_lines, lang=lang)
                            half = write_csv_rows(part, rest, tick=ticker, batch_size=batch_size)
                    _append_part(part, tmp, half, tally)
            finally:
                if second is not None:  # cancelled or failed before joining: the other half is not wanted
                    second.kill()
                    second.communicate()
                if part is not None:
                    with suppress(OSError):
                        part.unlink()
        progress(total, total, ticker.message)
    per_account = tally.per_account(projects)
    return ExportSummary(
        rows=tally.rows,
        total_centavos=sum(per_account.values()),
        per_account=per_account,
        entries=tally.entries,
        lines=tally.lines,
        format=fmt,
        path=path,
        head=head,
    )
