"""Ledger exports streamed straight from SQL: CSV, XLSX and double-entry journals (beancount, ledger).

Every export reads ``ledger_entries`` and their ``ledger_allocations`` lines in one read transaction,
as two streams in the same order (entry date, entry id; lines by party id) merged as they come, in
batches of :data:`BATCH_ROWS` entries, and writes as it reads, so a million entries need no more
memory than a thousand.
The output goes to a hidden temporary file in the destination folder that is renamed over the
destination only when everything was written: a cancelled or failed export leaves no partial file.

Formats (all amounts are exact centavos turned into text only at the very end):

* ``csv``: UTF-8 with a byte-order mark (Excel then reads accents right), CRLF line ends, header in
  Spanish (:data:`CSV_HEADER`), one row per allocation line (entry x party), so per-party sums are a
  plain SUMIF. Amounts are plain decimal text (``-1234.56``, no grouping). Kinds and parties are the
  stable ids of the contract (``contribution``, ``federal``...).
* ``xlsx``: the same rows in an openpyxl write-only (streaming) workbook; amounts are numbers with a
  currency format, dates are dates, the header row is frozen, each sheet ends with a totals row whose
  figure is computed here (a ``SUM`` formula is added below it only as a cross-check). A sheet holds
  at most :data:`XLSX_SHEET_ROWS` rows (Excel's limit is 1,048,576), further rows go to
  "Movimientos (2)" and so on. A last sheet, "Saldos", lists the balance of every project account.
* ``beancount`` (checked by ``bean-check``) and ``ledger`` (read by hledger and Ledger): one balanced
  transaction per entry, then one balance assertion per project account, dated the day after the
  last exported entry, whose figures come from a separate SQL aggregate: a journal that passes its
  checks agrees with the database to the centavo.

Formula injection: a text cell (CSV or XLSX) that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading ``'``, so a spreadsheet shows it as text instead of running it; amounts
are numbers, not text, and keep their minus sign.

Chart of accounts of the journals (party components: ``Club``, ``Federal``, ``Estatal``,
``Municipal``, ``Socio``; ``FOLIO`` is the project folio reduced to ``A-Z``, ``0-9`` and ``-``)::

    Assets:Proyectos:FOLIO:Parte     the project's cash that came from that party (asserted)
    Income:Aportaciones:Parte        contributions received from the party (contribution)
    Expenses:Pagos:Parte             payments to suppliers made with the party's money (payment)
    Expenses:Reintegros:Parte        money given back to the party, e.g. to the TESOFE (refund)

Each allocation line becomes two postings: the signed line amount on the project account and its
negation on the counter-account of the entry's kind, so every transaction balances even if an entry's
lines were ever inconsistent. A reversal posts the opposite of what it reverses, on the
counter-accounts of the original entry (followed down chains of reversals of reversals). With
``year``, a journal holds that year's movements only: its balances start at zero on 1 January.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
from collections import defaultdict
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from itertools import chain
from pathlib import Path
from typing import Any, Protocol, TextIO

from sqlalchemy import (
    BigInteger,
    Connection,
    Date,
    Engine,
    Integer,
    Select,
    String,
    column,
    func,
    select,
    table,
)

from tresxuno.domain.parties import PARTY_ORDER
from tresxuno.domain.problems import InputError, Problem, StorageError
from tresxuno.i18n import _
from tresxuno.services.auth import require

#: Export formats, in the order the CLI lists them.
FORMATS: tuple[str, ...] = ("csv", "xlsx", "beancount", "ledger")
#: Entries (and lines) read per batch; also how often progress is reported and cancel is checked.
BATCH_ROWS = 10_000
#: Data rows per XLSX sheet: below Excel's 1,048,576 rows, leaving room for header and totals.
XLSX_SHEET_ROWS = 1_000_000
#: Header of the CSV and XLSX exports (contract). ``asiento`` is the entry id, which ``revierte_a``
#: refers to; the rest follows the issue's list.
CSV_HEADER: tuple[str, ...] = (
    "asiento",
    "fecha",
    "folio",
    "proyecto",
    "tipo",
    "parte",
    "monto",
    "monto_usd",
    "tipo_de_cambio",
    "fecha_tc",
    "fuente_tc",
    "referencia",
    "beneficiario",
    "rfc",
    "concepto",
    "uuid_cfdi",
    "revierte_a",
    "motivo",
)
#: Account components of the parties (Spanish, as an accountant in Mexico reads them).
PARTY_ACCOUNTS: dict[str, str] = {
    "club": "Club",
    "federal": "Federal",
    "state": "Estatal",
    "municipal": "Municipal",
    "partner": "Socio",
}
#: Counter-account of each kind of entry; a reversal uses the one of the entry it reverses.
COUNTER_ACCOUNTS: dict[str, str] = {
    "contribution": "Income:Aportaciones",
    "payment": "Expenses:Pagos",
    "refund": "Expenses:Reintegros",
}
PROJECT_ACCOUNT = "Assets:Proyectos"
#: How the journals name kinds of entry in their descriptions.
KIND_LABELS: dict[str, str] = {
    "contribution": "Aportación",
    "payment": "Pago",
    "refund": "Reintegro",
    "reversal": "Reversión",
}
CURRENCY_FORMAT = '"$"#,##0.00'
USD_FORMAT = '"US$"#,##0.00'
RATE_FORMAT = "0.0000##"
DATE_FORMAT = "dd/mm/yyyy"

#: First characters that make a spreadsheet read a cell as a formula (or mangle it).
_FORMULA_START = frozenset("=+-@\t\r")
_CSV_SPECIAL = re.compile(r'[",\r\n]').search
_RATE_TEXT = re.compile(r"[0-9]+(?:\.[0-9]+)?").fullmatch
#: Characters XML 1.0 cannot hold (openpyxl refuses them); tab, LF and CR are allowed.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Whitespace and control characters that would break a journal line.
_LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_NOT_ACCOUNT_CHAR = re.compile(r"[^A-Z0-9-]+")
#: Rank of each party id in the fixed party order (club, federal, state, municipal, partner).
_PARTY_RANK = {party.value: rank for rank, party in enumerate(PARTY_ORDER)}
_CENTS = tuple(f".{i:02d}" for i in range(100))
#: Back ends read through a raw DB-API cursor (see :func:`_batches`); tests empty it to exercise
#: the portable path.
_RAW_CURSOR_DIALECTS = frozenset({"sqlite"})
#: Memo caches of converted texts are emptied when they grow past this many distinct values.
_MEMO_LIMIT = 50_000

# Lightweight table clauses: the reports ring reads the contract tables without the ORM models.
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
    "ledger_allocations", column("entry_id", Integer), column("party", String), column("amount", BigInteger)
)
_PROJECTS = table("projects", column("id", Integer), column("folio", String), column("name", String))

#: Columns of the entry rows the exports read, in this order.
ENTRY_COLUMNS: tuple[str, ...] = (
    "id",
    "entry_date",
    "project_id",
    "kind",
    "usd_amount",
    "rate",
    "rate_date",
    "rate_source",
    "reference",
    "payee_name",
    "payee_rfc",
    "concept",
    "cfdi_uuid",
    "reverses_id",
    "reason",
)

Progress = Callable[[int, int, str], None]
#: An entry row (columns as :data:`ENTRY_COLUMNS`) and an allocation line ``(entry_id, party, amount)``.
EntryRow = Sequence[Any]
LineRow = Sequence[Any]
#: What a stream of lines gives once it is exhausted: never equal to an entry id.
_END: LineRow = (None, None, 0)


class CancelTokenLike(Protocol):
    """What the exports need of :class:`tresxuno.services.progress.CancelToken` (reports sit below it)."""

    def raise_if_cancelled(self) -> None:
        """Raise the services' ``Cancelled`` when the user asked to stop."""


def _no_progress(done: int, total: int, message: str) -> None:
    """Ignore progress (the CLI and most tests)."""


class LedgerIntegrityError(RuntimeError):
    """The stored ledger breaks its contract (e.g. an entry without allocation lines); a bug, not input."""


@dataclass(frozen=True)
class LedgerScope:
    """Which entries an export covers: all, one fiscal year of the entry date, one project, or both."""

    year: int | None = None
    project_id: int | None = None


@dataclass(frozen=True)
class AccountBalance:
    """The sum of one project account (project x party) over the scope, from SQL.

    Attributes:
        project_id: the project's id.
        folio: the project's folio.
        party: the party id (``club``, ``federal``...).
        centavos: signed sum of the party's allocation lines, centavos MXN.
        lines: how many allocation lines were summed.
        first_date: date of the earliest of those lines' entries.
        last_date: date of the latest of those lines' entries.
    """

    project_id: int
    folio: str
    party: str
    centavos: int
    lines: int
    first_date: date
    last_date: date


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote.

    Attributes:
        rows: data rows written: allocation lines for CSV and XLSX, transactions for the journals.
        total_centavos: sum of every exported allocation line (= sum of the entries), centavos MXN.
        per_account: signed centavos per ``(folio, party)``, summed from the lines as written.
        entries: ledger entries exported.
        lines: allocation lines exported.
        format: one of :data:`FORMATS`.
        path: the file written.
    """

    rows: int
    total_centavos: int
    per_account: Mapping[tuple[str, str], int]
    entries: int
    lines: int
    format: str
    path: Path


@dataclass
class _Tally:
    """Counts and sums gathered while writing; per-account sums keyed by project id, then party."""

    entries: int = 0
    lines: int = 0
    sums: defaultdict[int, defaultdict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )

    def per_account(self, projects: Mapping[int, tuple[str, str]]) -> dict[tuple[str, str], int]:
        return {
            (projects[pid][0], party): amount
            for pid, parties in self.sums.items()
            for party, amount in parties.items()
        }


class _Ticker:
    """Reports progress and checks the cancel token once per batch."""

    def __init__(self, progress: Progress, cancel: CancelTokenLike | None, total: int):
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
    return stmt


def find_project(conn: Connection, folio: str) -> int:
    """The id of the project with ``folio`` (exact match).

    Raises:
        InputError: ``project.unknown_folio`` on field ``project`` when no project has that folio.
    """
    project_id = conn.execute(select(_PROJECTS.c.id).where(_PROJECTS.c.folio == folio)).scalar()
    if project_id is None:
        raise InputError(Problem("project", "project.unknown_folio", {"folio": folio}))
    return int(project_id)


def count_lines(conn: Connection, scope: LedgerScope) -> int:
    """How many allocation lines ``scope`` covers: the progress total.

    Without a filter this counts the lines' smallest index alone, which is cheap even for millions.
    """
    if scope.year is None and scope.project_id is None:
        stmt = select(func.count()).select_from(_LINES)
    else:
        stmt = _where(
            select(func.count()).select_from(_LINES.join(_ENTRIES, _ENTRIES.c.id == _LINES.c.entry_id)), scope
        )
    return int(conn.execute(stmt).scalar() or 0)


def project_names(conn: Connection, scope: LedgerScope) -> dict[int, tuple[str, str]]:
    """Folio and name of every project ``scope`` may touch, by id (all projects without a project)."""
    stmt = select(_PROJECTS.c.id, _PROJECTS.c.folio, _PROJECTS.c.name)
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
        AccountBalance(pid, folio, party, int(total), int(lines), _as_date(first), _as_date(last))
        for pid, folio, party, total, lines, first, last in conn.execute(balances_query(scope))
    ]
    balances.sort(key=lambda b: (b.folio, _party_key(b.party)))
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


def _streams(
    conn: Connection, scope: LedgerScope, batch_size: int
) -> tuple[Generator[Sequence[EntryRow], None, None], Generator[Sequence[LineRow], None, None]]:
    """The scope's entries and its allocation lines, as two batch streams in the same order.

    Entries by date then id; lines by their entry's date and id, then party id. Turning column values
    into Python objects is most of the cost of reading, so the entry's columns are read once per
    entry rather than once per line of a join (a million-entry CSV export is about 8 % faster).
    """
    entries = _where(select(*(_ENTRIES.c[name] for name in ENTRY_COLUMNS)), scope).order_by(
        _ENTRIES.c.entry_date, _ENTRIES.c.id
    )
    lines = _where(
        select(_LINES.c.entry_id, _LINES.c.party, _LINES.c.amount).select_from(
            _ENTRIES.join(_LINES, _LINES.c.entry_id == _ENTRIES.c.id)
        ),
        scope,
    ).order_by(_ENTRIES.c.entry_date, _ENTRIES.c.id, _LINES.c.party)
    return _batches(conn, entries, batch_size), _batches(conn, lines, batch_size)


def _no_lines(entry_id: int) -> LedgerIntegrityError:
    return LedgerIntegrityError(f"ledger entry {entry_id} has no allocation lines")


def iter_entries(
    conn: Connection, scope: LedgerScope | None = None, *, batch_size: int = BATCH_ROWS
) -> Generator[list[tuple[EntryRow, list[LineRow]]], None, None]:
    """Stream the entries of ``scope`` with their allocation lines, in batches of ``batch_size`` entries.

    Entries (columns as :data:`ENTRY_COLUMNS`) come ordered by date then id, each with its lines
    ``(entry_id, party, centavos)`` ordered by party id.

    Args:
        conn: an open connection; inside a transaction, both streams read one snapshot.
        scope: the entries to read; all when None.
        batch_size: entries per yielded batch.

    Raises:
        LedgerIntegrityError: an entry has no allocation lines (the contract says every entry has).
    """
    entry_batches, line_batches = _streams(conn, scope or LedgerScope(), batch_size)
    try:
        lines = chain.from_iterable(line_batches)
        pending = next(lines, _END)
        for batch in entry_batches:
            merged = []
            for entry in batch:
                eid = entry[0]
                if pending[0] != eid:
                    raise _no_lines(eid)
                own = []
                while pending[0] == eid:
                    own.append(pending)
                    pending = next(lines, _END)
                merged.append((entry, own))
            yield merged
    finally:
        entry_batches.close()
        line_batches.close()


# --- Cells and text ----------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """``text`` made safe for a spreadsheet cell: a leading ``'`` when it would start a formula."""
    return "'" + text if text and text[0] in _FORMULA_START else text


def money_text(centavos: int) -> str:
    """Centavos as plain decimal text for files: ``-1234.56``, no grouping, no symbol."""
    if centavos < 0:
        units, cents = divmod(-centavos, 100)
        return f"-{units}{_CENTS[cents]}"
    units, cents = divmod(centavos, 100)
    return f"{units}{_CENTS[cents]}"


def _csv_field(text: str | None) -> str:
    """One CSV field: neutralised, quoted only when it holds a comma, quote or line break."""
    if not text:
        return ""
    if text[0] in _FORMULA_START:
        text = "'" + text
    if _CSV_SPECIAL(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_rate(rate: str | None) -> str:
    """A stored rate: a number stays a number; anything else is text like any other."""
    if rate is None:
        return ""
    return rate if _RATE_TEXT(rate) else _csv_field(rate)


def _xlsx_text(text: str | None) -> str | None:
    """One XLSX text cell: neutralised, without characters XML cannot hold; None stays empty."""
    if not text:
        return None
    if _XML_ILLEGAL.search(text):
        text = _XML_ILLEGAL.sub("", text)
    return neutralise(text)


def _xlsx_rate(rate: str | None) -> Decimal | str | None:
    """A stored rate as a number cell, or as text when it is not a plain decimal."""
    if rate is None:
        return None
    if _RATE_TEXT(rate):
        with suppress(InvalidOperation):
            return Decimal(rate)
    return _xlsx_text(rate)


class _Memo(dict[Any, Any]):
    """A conversion cached per distinct input: payees, concepts and sources repeat across entries."""

    def __init__(self, convert: Callable[[Any], Any]):
        super().__init__()
        self.convert = convert

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.convert(key)
        return value

    def trim(self) -> None:
        """Forget everything once the cache is large, so memory stays bounded on any data."""
        if len(self) > _MEMO_LIMIT:
            self.clear()


def _as_date(value: date | str) -> date:
    """A date column's value: SQLite's raw cursor gives ISO text, other drivers give dates."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def account_component(folio: str) -> str:
    """A folio as a journal account component: ``A-Z``, ``0-9`` and ``-``, starting with a letter or digit.

    Beancount requires each component to start with a capital letter or a digit; Ledger and hledger
    accept the same names.
    """
    text = _NOT_ACCOUNT_CHAR.sub("-", folio.upper()).strip("-")
    return text if text else "SIN-FOLIO"


def _account_components(projects: Mapping[int, tuple[str, str]]) -> dict[int, str]:
    """Account component per project id; two folios that reduce to the same text get the id added."""
    components: dict[int, str] = {}
    taken: set[str] = set()
    for pid in sorted(projects, key=lambda p: (projects[p][0], p)):
        name = account_component(projects[pid][0])
        if name in taken:
            name = f"{name}-ID{pid}"
        taken.add(name)
        components[pid] = name
    return components


def _party_key(party: str) -> tuple[int, str]:
    """Sort key of a party id: the fixed party order, unknown ids last."""
    return (_PARTY_RANK.get(party, len(_PARTY_RANK)), party)


def _party_account(party: str) -> str:
    return PARTY_ACCOUNTS.get(party) or account_component(party).capitalize()


def _one_line(text: str | None) -> str:
    """Free text on one journal line: control characters and line breaks become single spaces."""
    return " ".join(_LINE_BREAKING.sub(" ", text).split()) if text else ""


def _bean_string(text: str) -> str:
    """A beancount string literal: backslashes, quotes and line breaks escaped."""
    text = _XML_ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _ledger_text(text: str) -> str:
    """Text for a Ledger/hledger description or comment: one line, no ``;`` (it starts a comment)."""
    return _one_line(text).replace(";", ",")


# --- Output file --------------------------------------------------------------------------------


@contextmanager
def _atomic_output(path: Path) -> Iterator[Path]:
    """Yield a hidden temporary path beside ``path``; rename it over ``path`` only on success.

    Same folder, so the rename is atomic and never copies; created with ``open(..., "x")`` so the
    file gets the user's usual permissions. Any exception (including a cancel) removes it.

    Raises:
        StorageError: the folder or file cannot be written (no permission, read-only, disk full...):
            :func:`file_storage_error` says which, in the officer's words.
    """
    try:
        for _attempt in range(100):
            tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
            try:
                with open(tmp, "x", encoding="utf-8"):
                    break
            except FileExistsError:
                continue
        else:  # pragma: no cover - 100 collisions of 32 random bits
            raise FileExistsError(tmp)
    except OSError as exc:
        raise file_storage_error(path, exc) from exc
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException as exc:
        with suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise file_storage_error(path, exc) from exc
        raise


def file_storage_error(path: Path, exc: OSError) -> StorageError:
    """The :class:`StorageError` for a file that could not be written: permission, space or else."""
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorageError("file.not_writable", path=str(path))
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageError("file.disk_full", path=str(path))
    return StorageError("file.cannot_write", path=str(path), reason=exc.strerror or type(exc).__name__)


@contextmanager
def _connection(source: Connection | Engine | Any) -> Iterator[Connection]:
    """A connection to read from: the caller's own, or a new one (closed afterwards) from an engine.

    ``source`` may be a :class:`Connection`, an :class:`Engine`, or anything with an ``engine``
    attribute (``tresxuno.db.engine.Database``, which the reports ring does not import).
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


# --- Writers ------------------------------------------------------------------------------------


@dataclass
class _Job:
    """Everything a writer needs: what to read, where to write, and where to count."""

    conn: Connection
    scope: LedgerScope
    path: Path
    projects: dict[int, tuple[str, str]]
    tally: _Tally
    tick: _Ticker
    batch_size: int = BATCH_ROWS

    def entries(self) -> Generator[tuple[EntryRow, list[LineRow]], None, None]:
        """Each entry with its lines; progress and cancel are handled after each batch."""
        with closing(iter_entries(self.conn, self.scope, batch_size=self.batch_size)) as batches:
            for batch in batches:
                yield from batch
                self.tick(sum(len(lines) for _entry, lines in batch))


def _write_csv(job: _Job) -> int:
    """Write the CSV export; returns the data rows written.

    The hot loop of a million-entry export, so the merge of the two streams is written out here: an
    entry's columns are formatted once and shared by its lines, a line costs one f-string, and amounts
    are formatted inline (no call per line).
    """
    memo = _Memo(_csv_field)
    project_text = {
        pid: f"{_csv_field(folio)},{_csv_field(name)}" for pid, (folio, name) in job.projects.items()
    }
    sums = job.tally.sums
    cents = _CENTS
    rows = entries = 0
    entry_batches, line_batches = _streams(job.conn, job.scope, job.batch_size)
    # utf-8-sig writes the byte-order mark; newline="" keeps our CRLF (RFC 4180, what Excel writes).
    with (
        open(job.path, "w", encoding="utf-8-sig", newline="") as fh,
        closing(entry_batches),
        closing(line_batches),
    ):
        fh.write(",".join(CSV_HEADER) + "\r\n")
        lines = chain.from_iterable(line_batches)
        pending = next(lines, _END)
        for batch in entry_batches:
            out: list[str] = []
            append = out.append
            for (eid, day, pid, kind, usd, rate, rate_day, source, reference, payee, rfc, concept, uuid,
                 reverses, reason) in batch:  # fmt: skip
                head = f"{eid},{day},{project_text[pid]},{kind},"
                tail = (
                    f",{'' if usd is None else money_text(usd)},{'' if rate is None else _csv_rate(rate)},"
                    f"{'' if rate_day is None else rate_day},{memo[source]},{_csv_field(reference)},"
                    f"{memo[payee]},{memo[rfc]},{memo[concept]},{_csv_field(uuid)},"
                    f"{'' if reverses is None else reverses},{memo[reason]}\r\n"
                )
                account = sums[pid]
                if pending[0] != eid:
                    raise _no_lines(eid)
                while pending[0] == eid:
                    party, amount = pending[1], pending[2]
                    account[party] += amount
                    if amount < 0:
                        units, cent = divmod(-amount, 100)
                        append(f"{head}{party},-{units}{cents[cent]}{tail}")
                    else:
                        units, cent = divmod(amount, 100)
                        append(f"{head}{party},{units}{cents[cent]}{tail}")
                    pending = next(lines, _END)
            fh.write("".join(out))
            rows += len(out)
            entries += len(batch)
            memo.trim()
            job.tick(len(out))
    job.tally.entries, job.tally.lines = entries, rows
    return rows


#: Column widths of the XLSX sheets, in characters (Excel's unit), for the header's columns.
_XLSX_WIDTHS = (9, 11, 24, 40, 13, 10, 16, 14, 12, 11, 16, 20, 36, 15, 48, 38, 10, 30)


def _write_xlsx(job: _Job) -> int:
    """Write the XLSX export; returns the data rows written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    money_col = CSV_HEADER.index("monto") + 1
    money_letter = get_column_letter(money_col)
    memo = _Memo(_xlsx_text)
    texts = {pid: (_xlsx_text(folio), _xlsx_text(name)) for pid, (folio, name) in job.projects.items()}
    sums = job.tally.sums
    padding = [None] * (money_col - 2)

    def styled(ws: Any, value: Any, number_format: str | None = None, font: Font | None = None) -> Any:
        cell = WriteOnlyCell(ws, value=value)
        if number_format:
            cell.number_format = number_format
        if font:
            cell.font = font
        return cell

    def new_sheet(number: int) -> Any:
        ws = wb.create_sheet("Movimientos" if number == 1 else f"Movimientos ({number})")
        ws.freeze_panes = "A2"
        for index, width in enumerate(_XLSX_WIDTHS, 1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.append([styled(ws, name, font=bold) for name in CSV_HEADER])
        return ws

    def close_sheet(
        ws: Any, data_rows: int, sheet_total: int, *, split: bool, grand_total: int | None
    ) -> None:
        # The figure is computed here in exact centavos; the formula below it is only a cross-check
        # (a program that does not recalculate on opening shows the formula's cell empty). When the
        # rows fill several sheets, each ends with its own total and the last adds the grand total.
        label = "Total de esta hoja" if split else "Total"
        ws.append(
            [styled(ws, label, font=bold), *padding, styled(ws, sheet_total / 100, CURRENCY_FORMAT, bold)]
        )
        if data_rows:
            formula = f"=SUM({money_letter}2:{money_letter}{data_rows + 1})"
            ws.append(["Comprobación (fórmula)", *padding, styled(ws, formula, CURRENCY_FORMAT)])
        if grand_total is not None:
            ws.append([styled(ws, "Total general", font=bold), *padding,
                       styled(ws, grand_total / 100, CURRENCY_FORMAT, bold)])  # fmt: skip

    sheet_number = 1
    ws = new_sheet(sheet_number)
    # One styled cell per styled column, reused row after row: openpyxl writes a row out as soon as
    # it is appended, so only the value changes; a new styled cell per row would cost a third more.
    day_cell = styled(ws, None, DATE_FORMAT)
    amount_cell = styled(ws, None, CURRENCY_FORMAT)
    usd_cell = styled(ws, None, USD_FORMAT)
    rate_cell = styled(ws, None, RATE_FORMAT)
    rate_day_cell = styled(ws, None, DATE_FORMAT)
    rows = entries = sheet_rows = sheet_total = grand_total = 0
    try:
        for entry, lines in job.entries():
            (eid, day, pid, kind, usd, rate, rate_day, source, reference, payee, rfc, concept, uuid,
             reverses, reason) = entry  # fmt: skip
            entries += 1
            folio, name = texts[pid]
            day_cell.value = _as_date(day)
            if usd is not None:
                # XLSX numbers are IEEE doubles: centavos / 100 is the double nearest the exact
                # amount, the best an XLSX can hold; the totals are added in centavos.
                usd_cell.value = usd / 100
            rate_value = _xlsx_rate(rate)
            if isinstance(rate_value, Decimal):
                rate_cell.value = rate_value
                rate_value = rate_cell
            if rate_day is not None:
                rate_day_cell.value = _as_date(rate_day)
            head = [eid, day_cell, folio, name, kind]
            tail = [
                None if usd is None else usd_cell, rate_value, None if rate_day is None else rate_day_cell,
                memo[source], _xlsx_text(reference), memo[payee], memo[rfc], memo[concept], _xlsx_text(uuid),
                reverses, memo[reason],
            ]  # fmt: skip
            account = sums[pid]
            for _eid, party, amount in lines:
                if sheet_rows == XLSX_SHEET_ROWS:
                    close_sheet(ws, sheet_rows, sheet_total, split=True, grand_total=None)
                    sheet_number += 1
                    ws = new_sheet(sheet_number)
                    sheet_rows = sheet_total = 0
                account[party] += amount
                sheet_total += amount
                grand_total += amount
                amount_cell.value = amount / 100
                ws.append([*head, party, amount_cell, *tail])
                sheet_rows += 1
                rows += 1
            if entries % job.batch_size == 0:
                memo.trim()
        split = sheet_number > 1
        close_sheet(ws, sheet_rows, sheet_total, split=split, grand_total=grand_total if split else None)
        job.tally.entries, job.tally.lines = entries, rows
        _write_balances_sheet(wb, job, styled, bold)
        wb.save(job.path)
    except BaseException:
        _discard_workbook(wb)
        raise
    return rows


def _write_balances_sheet(wb: Any, job: _Job, styled: Callable[..., Any], bold: Any) -> None:
    """The "Saldos" sheet: every project account's balance, as summed from the rows written."""
    ws = wb.create_sheet("Saldos")
    ws.freeze_panes = "A2"
    for letter, width in zip("ABCDE", (24, 40, 10, 52, 18), strict=True):
        ws.column_dimensions[letter].width = width
    ws.append([styled(ws, name, font=bold) for name in ("folio", "proyecto", "parte", "cuenta", "saldo")])
    components = _account_components(job.projects)
    total = 0
    for pid in sorted(job.tally.sums, key=lambda p: (job.projects[p][0], p)):
        folio, name = job.projects[pid]
        for party, amount in sorted(job.tally.sums[pid].items(), key=lambda item: _party_key(item[0])):
            total += amount
            account = f"{PROJECT_ACCOUNT}:{components[pid]}:{_party_account(party)}"
            ws.append([_xlsx_text(folio), _xlsx_text(name), party, account,
                       styled(ws, amount / 100, CURRENCY_FORMAT)])  # fmt: skip
    ws.append(
        [styled(ws, "Total", font=bold), None, None, None, styled(ws, total / 100, CURRENCY_FORMAT, bold)]
    )


def _discard_workbook(wb: Any) -> None:
    """Remove the temporary files of an unsaved write-only workbook (openpyxl deletes them on save).

    Reaches openpyxl's per-sheet writer, which has no public handle; failures are ignored because
    this only tidies up after another error.
    """
    for ws in wb.worksheets:
        with suppress(Exception):
            if not ws.closed:
                ws.close()  # ends the sheet's row writer, which would otherwise fail when collected
        writer = getattr(ws, "_writer", None)
        if writer is not None:
            with suppress(Exception):
                writer.cleanup()


@dataclass(frozen=True)
class _Journal:
    """What both journals know before their first transaction."""

    balances: list[AccountBalance]
    components: dict[int, str]
    roots: dict[int, str]
    first: date
    last: date

    @classmethod
    def prepare(cls, job: _Job) -> _Journal:
        """SQL balances (for the opening and the assertions), account names and reversal roots."""
        balances = ledger_balances(job.conn, job.scope)
        first = min((b.first_date for b in balances), default=date(2000, 1, 1))
        last = max((b.last_date for b in balances), default=first)
        return cls(balances, _account_components(job.projects), reversal_roots(job.conn), first, last)

    def project_account(self, pid: int, party: str) -> str:
        return f"{PROJECT_ACCOUNT}:{self.components[pid]}:{_party_account(party)}"

    def counter_accounts(self) -> list[str]:
        """Counter-accounts of every kind for every party with an account: few, opened up front."""
        parties = sorted({b.party for b in self.balances}, key=_party_key)
        return [f"{counter}:{_party_account(p)}" for counter in COUNTER_ACCOUNTS.values() for p in parties]

    def counter_of(self, kind: str, entry_id: int) -> str:
        """The counter-account prefix of an entry; a reversal takes the one of its chain's first entry."""
        base = self.roots.get(entry_id, "payment") if kind == "reversal" else kind
        return COUNTER_ACCOUNTS.get(base, COUNTER_ACCOUNTS["payment"])


def _narration(
    kind: str, folio: str, reverses: int | None, concept: str | None, reason: str | None, payee: str | None
) -> str:
    """The description of an entry's transaction, in Spanish like the rest of the file."""
    if kind == "reversal":
        text = f"{KIND_LABELS[kind]} del asiento {reverses} {folio}"
        return f"{text}: {reason}" if reason else text
    text = f"{KIND_LABELS.get(kind, kind)} {folio}"
    if payee:
        text = f"{text} a {payee}"
    return f"{text}: {concept}" if concept else text


def _write_beancount(job: _Job) -> int:
    """Write the beancount journal; returns the transactions written."""
    journal = _Journal.prepare(job)
    sums = job.tally.sums
    rows = lines_written = 0
    with open(job.path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(
            "; Libro de movimientos del Programa 3x1 para Migrantes, exportado por tresxuno.\n"
            'option "title" "tresxuno: movimientos"\noption "operating_currency" "MXN"\n\n'
        )
        for balance in journal.balances:
            fh.write(
                f"{journal.first} open {journal.project_account(balance.project_id, balance.party)} MXN\n"
            )
        for account in journal.counter_accounts():
            fh.write(f"{journal.first} open {account} MXN\n")
        out: list[str] = []
        for entry, lines in job.entries():
            (eid, day, pid, kind, usd, rate, rate_day, source, reference, payee, rfc, concept, uuid,
             reverses, reason) = entry  # fmt: skip
            folio = job.projects[pid][0]
            narration = _bean_string(_narration(kind, folio, reverses, concept, reason, None))
            payee_text = f"{_bean_string(payee)} " if payee else ""
            text = [f"\n{day} * {payee_text}{narration}\n  asiento: {eid}\n  folio: {_bean_string(folio)}\n"
                    f'  tipo: "{kind}"\n']  # fmt: skip
            if reference:
                text.append(f"  referencia: {_bean_string(reference)}\n")
            if rfc:
                text.append(f"  rfc: {_bean_string(rfc)}\n")
            if uuid:
                text.append(f"  uuid_cfdi: {_bean_string(uuid)}\n")
            if reverses is not None:
                text.append(f"  revierte_a: {reverses}\n")
            if usd is not None:
                text.append(f'  monto_usd: "{money_text(usd)} USD"\n')
            if rate:
                text.append(f"  tipo_de_cambio: {_bean_string(rate)}\n")
            if rate_day is not None:
                text.append(f"  fecha_tc: {rate_day}\n")
            if source:
                text.append(f"  fuente_tc: {_bean_string(source)}\n")
            counter = journal.counter_of(kind, eid)
            party_sums = sums[pid]
            for line in lines:
                party, amount = line[-2], line[-1]
                party_sums[party] += amount
                name = _party_account(party)
                text.append(
                    f"  {PROJECT_ACCOUNT}:{journal.components[pid]}:{name}  {money_text(amount)} MXN\n"
                    f"  {counter}:{name}  {money_text(-amount)} MXN\n"
                )
            out.append("".join(text))
            rows += 1
            lines_written += len(lines)
            if len(out) >= 1000:
                fh.write("".join(out))
                out.clear()
        fh.write("".join(out))
        # Beancount checks a balance at the start of its date: the day after the last entry.
        check_day = journal.last + timedelta(days=1)
        fh.write("\n")
        for balance in journal.balances:
            fh.write(
                f"{check_day} balance {journal.project_account(balance.project_id, balance.party)}  "
                f"{money_text(balance.centavos)} MXN\n"
            )
    job.tally.entries, job.tally.lines = rows, lines_written
    _check_against(journal.balances, job.tally)
    return rows


def _write_ledger(job: _Job) -> int:
    """Write the Ledger/hledger journal; returns the transactions written (assertions not counted)."""
    journal = _Journal.prepare(job)
    sums = job.tally.sums
    rows = lines_written = 0
    with open(job.path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(
            "; Libro de movimientos del Programa 3x1 para Migrantes, exportado por tresxuno.\n"
            "commodity MXN\n    format 1,000.00 MXN\n\n"
        )
        for balance in journal.balances:
            fh.write(f"account {journal.project_account(balance.project_id, balance.party)}\n")
        for account in journal.counter_accounts():
            fh.write(f"account {account}\n")
        out: list[str] = []
        for entry, lines in job.entries():
            (eid, day, pid, kind, usd, rate, rate_day, source, reference, payee, rfc, concept, uuid,
             reverses, reason) = entry  # fmt: skip
            folio = job.projects[pid][0]
            # The description always starts with a fixed word: a leading "(" would be read as a
            # transaction code, and ";" anywhere as the start of a comment.
            description = _ledger_text(_narration(kind, folio, reverses, concept, reason, payee))
            text = [f"\n{day} * {description}\n    ; asiento: {eid}\n    ; tipo: {kind}\n"]
            if reference:
                text.append(f"    ; referencia: {_ledger_text(reference)}\n")
            if rfc:
                text.append(f"    ; rfc: {_ledger_text(rfc)}\n")
            if uuid:
                text.append(f"    ; uuid_cfdi: {_ledger_text(uuid)}\n")
            if usd is not None:
                text.append(
                    f"    ; monto_usd: {money_text(usd)} USD, tipo_de_cambio: {_ledger_text(rate)}, "
                    f"fecha_tc: {rate_day or ''}, fuente_tc: {_ledger_text(source)}\n"
                )
            counter = journal.counter_of(kind, eid)
            party_sums = sums[pid]
            for line in lines:
                party, amount = line[-2], line[-1]
                party_sums[party] += amount
                name = _party_account(party)
                text.append(
                    f"    {PROJECT_ACCOUNT}:{journal.components[pid]}:{name}    {money_text(amount)} MXN\n"
                    f"    {counter}:{name}    {money_text(-amount)} MXN\n"
                )
            out.append("".join(text))
            rows += 1
            lines_written += len(lines)
            if len(out) >= 1000:
                fh.write("".join(out))
                out.clear()
        fh.write("".join(out))
        # One zero-amount transaction per project whose postings assert each account's balance
        # ("ACCOUNT  0 MXN = BALANCE"), which both hledger and Ledger check.
        check_day = journal.last + timedelta(days=1)
        by_project: dict[int, list[AccountBalance]] = defaultdict(list)
        for balance in journal.balances:
            by_project[balance.project_id].append(balance)
        for pid, project_balances in by_project.items():
            fh.write(f"\n{check_day} * Verificación de saldos {_ledger_text(job.projects[pid][0])}\n")
            for balance in project_balances:
                fh.write(
                    f"    {journal.project_account(pid, balance.party)}    0 MXN = "
                    f"{money_text(balance.centavos)} MXN\n"
                )
    job.tally.entries, job.tally.lines = rows, lines_written
    _check_against(journal.balances, job.tally)
    return rows


def _check_against(balances: Sequence[AccountBalance], tally: _Tally) -> None:
    """The balances asserted in a journal must be what its transactions add up to.

    Both come from the same snapshot, so a difference means a bug in the reading, never user input.
    """
    asserted = {(b.project_id, b.party): b.centavos for b in balances}
    written = {
        (pid, party): amount for pid, parties in tally.sums.items() for party, amount in parties.items()
    }
    if asserted != written:
        raise LedgerIntegrityError("the exported lines do not add up to the SQL balances")


_WRITERS: dict[str, Callable[[_Job], int]] = {
    "csv": _write_csv,
    "xlsx": _write_xlsx,
    "beancount": _write_beancount,
    "ledger": _write_ledger,
}


def export_ledger(
    conn_or_db: Connection | Engine | Any,
    fmt: str,
    out_path: str | os.PathLike[str],
    *,
    year: int | None = None,
    folio: str | None = None,
    progress: Progress = _no_progress,
    cancel: CancelTokenLike | None = None,
    batch_size: int = BATCH_ROWS,
) -> ExportSummary:
    """Export the ledger (all of it, one fiscal year of the entry date, one project, or both) to a file.

    Long work: reports ``progress(done, total, message)`` in allocation lines once per batch and
    checks ``cancel`` there; a cancel (or any error) leaves no file behind and an existing file at
    ``out_path`` untouched. Reads one snapshot: entries recorded meanwhile are not half-exported.

    Args:
        conn_or_db: a :class:`Connection` (its transaction is used as is), an :class:`Engine`, or a
            ``tresxuno.db.engine.Database``.
        fmt: one of :data:`FORMATS` (``csv``, ``xlsx``, ``beancount``, ``ledger``).
        out_path: the file to write; its folder must exist; an existing file is replaced.
        year: only entries dated in this calendar (fiscal) year.
        folio: only the entries of the project with this folio.
        progress: progress sink, called from the calling thread.
        cancel: a ``tresxuno.services.progress.CancelToken``; its ``Cancelled`` propagates.
        batch_size: entries (and lines) read per batch; tests use small batches to exercise batching.

    Returns:
        Rows written, the total and the per-account sums (centavos MXN), as written.

    Raises:
        ValueError: ``fmt`` is not one of :data:`FORMATS` (the CLI refuses it first).
        InputError: ``project.unknown_folio`` when no project has ``folio``.
        StorageError: the file cannot be written (:func:`_atomic_output`); nothing is left behind.
        LedgerIntegrityError: the stored ledger breaks its contract (an entry without lines); nothing
            is written.
    """
    require(conn_or_db, "records.export")
    if fmt not in _WRITERS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    path = Path(out_path)
    with _connection(conn_or_db) as conn:
        project_id = find_project(conn, folio) if folio is not None else None
        scope = LedgerScope(year, project_id)
        # The first statement starts the read transaction every later statement shares.
        total = count_lines(conn, scope)
        projects = project_names(conn, scope)
        tally = _Tally()
        ticker = _Ticker(progress, cancel, total)
        progress(0, total, ticker.message)
        with _atomic_output(path) as tmp:
            rows = _WRITERS[fmt](_Job(conn, scope, tmp, projects, tally, ticker, batch_size))
        progress(total, total, ticker.message)
    per_account = tally.per_account(projects)
    return ExportSummary(
        rows=rows,
        total_centavos=sum(per_account.values()),
        per_account=per_account,
        entries=tally.entries,
        lines=tally.lines,
        format=fmt,
        path=path,
    )


def write_summary(summary: ExportSummary, out: TextIO, lang: str = "es") -> None:
    """One line for the terminal: what was written where, and the total."""
    from tresxuno.domain.money import Money, format_money

    out.write(
        _("{lines} lines of {entries} ledger entries written to {path}; total {total}\n").format(
            lines=summary.lines,
            entries=summary.entries,
            path=summary.path,
            total=format_money(Money(summary.total_centavos), lang),
        )
    )
