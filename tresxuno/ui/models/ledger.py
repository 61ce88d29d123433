"""The Libro (ledger) as a lazy table model: pages of entries fetched as the view scrolls.

The ledger may hold a million entries, so the model keeps only the rows fetched so far and asks
:func:`~tresxuno.services.ledger.list_entries` for the next page when the view scrolls near the end
(``canFetchMore``/``fetchMore``). The order is fixed: the statement order of the ledger (entry date,
then entry number), in which each row's running balance (*saldo*) is its project's cash after it.

Project, fiscal year and kind are filtered in SQL by the service. The service has no party or
date-range filter, so: a date range becomes a window of offsets in statement order, found by a
binary search of one-row pages (about 20 tiny queries on a million entries), exact and cheap; a party
filter keeps, from each SQL page, the entries with an allocation line of that party, so its total is
known only once every page was read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from tresxuno.db.engine import Database
from tresxuno.domain.ledger import CONTRIBUTION, PAYMENT, REFUND, REVERSAL, EntryRecord, root_kinds
from tresxuno.domain.money import Money, format_money
from tresxuno.domain.problems import StorageError
from tresxuno.i18n import N_, _, language, ngettext
from tresxuno.reports.text import party_label
from tresxuno.services.ledger import count_entries, list_entries
from tresxuno.ui.widgets import format_day

AnyIndex = QModelIndex | QPersistentModelIndex

#: The raw value of a cell (centavos, dates, ids), for code, not people.
RawRole = Qt.ItemDataRole.UserRole
#: The whole :class:`EntryRecord` of the row.
EntryRole = Qt.ItemDataRole.UserRole + 1

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
#: Money going out is also drawn in this colour; the minus sign and its own column say it without it.
OUT_COLOR = QColor("#b00020")

#: Names of the kinds of entry, translated when shown.
KIND_LABELS: dict[str, str] = {
    CONTRIBUTION: N_("Contribution"),
    PAYMENT: N_("Payment"),
    REFUND: N_("Refund"),
    REVERSAL: N_("Reversal"),
}


def kind_label(kind: str) -> str:
    """Translated name of an entry kind (an unknown id from a newer app shown as stored)."""
    label = KIND_LABELS.get(kind)
    return _(label) if label else kind


def money(centavos: int, currency: str = "MXN") -> str:
    """An amount as the current language writes it (``$1,234.56``, ``-$5.00``)."""
    return format_money(Money(centavos, currency), language())


def safe_party(party: str) -> str:
    """Translated party name; an unknown id is shown as stored."""
    try:
        return party_label(party)
    except ValueError:
        return party


def party_text(entry: EntryRecord) -> str:
    """Who the entry concerns: the party, or for a payment shared by shares, the attribution summary."""
    if entry.party is not None and (entry.kind != PAYMENT or len(entry.lines) <= 1):
        return safe_party(entry.party)
    if len(entry.lines) == 1:
        return safe_party(entry.lines[0].party)
    return ngettext("By shares ({count} party)", "By shares ({count} parties)", len(entry.lines)).format(
        count=len(entry.lines))


def usd_text(entry: EntryRecord) -> str:
    """``US$5,000.00 at 17.2345 (Banxico FIX, 01/07/2019)`` for a deposit in dollars; "" otherwise."""
    if entry.usd_amount is None:
        return ""
    return _("{usd} at {rate} ({source}, {date})").format(
        usd=money(entry.usd_amount, "USD"), rate=entry.rate or "?", source=entry.rate_source or "?",
        date=format_day(entry.rate_date))


def detail_text(entry: EntryRecord) -> str:
    """The concept or payee of a payment, the reason of a refund or reversal, a deposit's dollars."""
    if entry.kind == PAYMENT:
        parts = [p for p in (entry.payee_name or "", entry.concept) if p]
        return " — ".join(parts)
    if entry.kind == CONTRIBUTION:
        parts = [usd_text(entry)]
        if entry.override_reason:
            parts.append(_("above the share, authorised by {who}: {reason}").format(
                who=entry.authorised_by, reason=entry.override_reason))
        return "; ".join(p for p in parts if p)
    return entry.reason


def reference_text(entry: EntryRecord) -> str:
    """The bank reference and, for a payment backed by an invoice, the CFDI's UUID."""
    return " · ".join(p for p in (entry.reference, entry.cfdi_uuid or "") if p)


def reversal_text(entry: EntryRecord) -> str:
    """Which entry reversed this one, or which one this reversal cancels; "" when neither."""
    if entry.reversed_by is not None:
        return _("By No. {id}").format(id=entry.reversed_by)
    if entry.reverses_id is not None:
        return _("Reverses No. {id}").format(id=entry.reverses_id)
    return ""


def entry_tooltip(entry: EntryRecord) -> str:
    """Everything about one entry, one fact a line (the row's tooltip)."""
    lines = [_("Entry No. {id}: {kind} of {date}, project {folio}").format(
        id=entry.id, kind=kind_label(entry.kind), date=format_day(entry.entry_date), folio=entry.folio)]
    lines.append(_("Amount: {amount}").format(amount=money(entry.amount)))
    if entry.usd_amount is not None:
        lines.append(_("Dollars: {usd}; rate {rate} MXN per USD of {date}, source: {source}").format(
            usd=money(entry.usd_amount, "USD"), rate=entry.rate or "?", date=format_day(entry.rate_date),
            source=entry.rate_source or "?"))
    for line in entry.lines:
        lines.append(f"  {safe_party(line.party)}: {money(line.amount)}")
    if entry.payee_name:
        lines.append(_("Payee: {payee}").format(payee=entry.payee_name)
                     + (f" ({entry.payee_rfc})" if entry.payee_rfc else ""))
    if entry.cfdi_uuid:
        lines.append(_("CFDI UUID: {uuid}").format(uuid=entry.cfdi_uuid))
    if entry.reference:
        lines.append(_("Bank reference: {reference}").format(reference=entry.reference))
    if entry.reason:
        lines.append(_("Reason: {reason}").format(reason=entry.reason))
    if entry.override_reason:
        lines.append(_("Above the outstanding share; authorised by {who}: {reason}").format(
            who=entry.authorised_by, reason=entry.override_reason))
    if entry.reversed_by is not None:
        lines.append(_("Reversed by entry No. {id}").format(id=entry.reversed_by))
    if entry.reverses_id is not None:
        lines.append(_("Reverses entry No. {id}").format(id=entry.reverses_id))
    if entry.running_balance is not None:
        lines.append(_("Project balance after it: {amount}").format(amount=money(entry.running_balance)))
    if entry.created_by or entry.created_at:
        lines.append(_("Recorded by {user} on {date}").format(
            user=entry.created_by or "?", date=format_day(entry.created_at)))
    return "\n".join(lines)


@dataclass(frozen=True)
class Column:
    """One column of the Libro: its header, how a row shows in it, and whether it starts hidden."""

    key: str
    header: str  # English msgid, translated when shown
    text: Callable[[EntryRecord], str]
    raw: Callable[[EntryRecord], Any]
    align: Qt.AlignmentFlag = _LEFT
    hidden: bool = False
    tip: str = ""  # English msgid of the header's tooltip


def _in(e: EntryRecord) -> str:
    return money(e.amount) if e.amount > 0 else ""


def _out(e: EntryRecord) -> str:
    return money(e.amount) if e.amount < 0 else ""  # keeps its minus sign: never colour alone


COLUMNS: tuple[Column, ...] = (
    Column("id", N_("No."), lambda e: str(e.id), lambda e: e.id, _RIGHT,
           tip=N_("Entry number; reversals refer to it")),
    Column("date", N_("Date"), lambda e: format_day(e.entry_date), lambda e: e.entry_date),
    Column("folio", N_("Folio"), lambda e: e.folio, lambda e: e.folio),
    Column("kind", N_("Type"), lambda e: kind_label(e.kind), lambda e: e.kind),
    Column("party", N_("Party"), party_text, lambda e: e.party,
           tip=N_("The party the money came from or went back to; a payment is attributed to the "
                  "parties by their approved shares unless it names one")),
    Column("detail", N_("Concept"), detail_text, detail_text,
           tip=N_("Payee and concept of a payment, reason of a refund or reversal, dollars of a deposit")),
    Column("reference", N_("Reference"), reference_text, reference_text,
           tip=N_("Bank reference; for a payment backed by an invoice, also the CFDI's UUID")),
    Column("in", N_("Money in"), _in, lambda e: max(e.amount, 0), _RIGHT,
           tip=N_("Money received into the project's account (contributions)")),
    Column("out", N_("Money out"), _out, lambda e: min(e.amount, 0), _RIGHT,
           tip=N_("Money paid out of the project's account (payments, refunds), with a minus sign")),
    Column("balance", N_("Balance"),
           lambda e: money(e.running_balance) if e.running_balance is not None else "",
           lambda e: e.running_balance, _RIGHT,
           tip=N_("The project's cash after this entry (running balance of its statement)")),
    Column("reversal", N_("Reversed"), reversal_text, lambda e: e.reversed_by or e.reverses_id,
           tip=N_("The entry that cancelled this one, or the one this reversal cancels")),
    Column("usd", N_("Amount in dollars"),
           lambda e: money(e.usd_amount, "USD") if e.usd_amount is not None else "",
           lambda e: e.usd_amount, _RIGHT, hidden=True),
    Column("rate", N_("Rate (MXN per USD)"), lambda e: e.rate or "", lambda e: e.rate, _RIGHT, hidden=True),
    Column("rate_date", N_("Rate date"), lambda e: format_day(e.rate_date), lambda e: e.rate_date,
           hidden=True),
    Column("rate_source", N_("Rate source"), lambda e: e.rate_source or "", lambda e: e.rate_source,
           hidden=True),
    Column("created_by", N_("Recorded by"), lambda e: e.created_by, lambda e: e.created_by, hidden=True),
)
#: Column numbers by key, so views need not count columns by hand.
COLUMN_OF: dict[str, int] = {c.key: i for i, c in enumerate(COLUMNS)}
_MONEY_COLUMNS = frozenset(COLUMN_OF[k] for k in ("in", "out", "balance"))


@dataclass(frozen=True)
class LedgerFilters:
    """What the Libro is narrowed to; None means "any".

    ``fiscal_year`` is the year of the entry date (the year a fiscal-year close locks);
    ``start`` and ``end`` bound the entry date, both included.
    """

    project_id: int | None = None
    fiscal_year: int | None = None
    kind: str | None = None
    party: str | None = None
    start: date | None = None
    end: date | None = None

    @property
    def narrowed(self) -> bool:
        """Whether anything is filtered at all."""
        return self != LedgerFilters()


def entries_to_date(entries: list[EntryRecord], day: date) -> tuple[int, int]:
    """Money received and paid out (centavos, both >= 0, net of reversals) by entries dated up to ``day``.

    A reversal counts against the moment of the entry at the root of its chain, as in the balances.
    """
    roots = root_kinds(entries)
    received = paid = 0
    for entry in entries:
        if entry.entry_date > day:
            continue
        root = roots[entry.id].kind
        if root == CONTRIBUTION:
            received += entry.amount
        elif root == PAYMENT:
            paid -= entry.amount
    return received, paid


def money_to_date(db: Database, project_id: int, day: date) -> str:
    """``"$1,000.00 / $250.00"``: what the project had received and paid out by ``day``.

    The project record's progress table shows it beside each physical progress report. Empty when
    no money had moved by then (nothing received, nothing paid: the column stays blank).
    """
    entries = list_entries(db, project_id=project_id, limit=1_000_000)
    received, paid = entries_to_date(entries, day)
    if not any(e.entry_date <= day for e in entries):
        return ""
    return f"{money(received)} / {money(paid)}"


class LedgerTableModel(QAbstractTableModel):
    """Entries matching the filters, in statement order, loaded a page at a time.

    Database trouble while loading does not raise into Qt's event loop: the model keeps what it had,
    stops fetching and emits :attr:`load_failed` with the :class:`StorageError`; :meth:`refresh`
    tries again.
    """

    PAGE_SIZE = 200

    #: Emitted after every (re)load and page: how many entries match (-1 while a party filter's
    #: count is not known yet).
    total_changed = Signal(int)
    #: Emitted with the StorageError when a query failed.
    load_failed = Signal(object)

    def __init__(self, db: Database, parent: QObject | None = None, *, filters: LedgerFilters | None = None,
                 load: bool = True):
        """Read the first page now, unless ``load`` is False (connect :attr:`load_failed`, then refresh)."""
        super().__init__(parent)
        self._db = db
        self._filters = filters or LedgerFilters()
        self._rows: list[EntryRecord] = []
        self._cursor = 0  # next SQL offset to read
        self._end = 0  # SQL offset where the filtered window ends
        self._window = 0  # entries in the SQL window (all of them match unless a party filter is set)
        self._stalled = False
        if load:
            self._reload()

    # -- what is shown ---------------------------------------------------------------------------

    @property
    def filters(self) -> LedgerFilters:
        """The filters the rows match."""
        return self._filters

    def total_count(self) -> int | None:
        """How many entries match (loaded or not); None while a party filter has pages left to read."""
        if self._filters.party is None:
            return self._window
        return len(self._rows) if self._cursor >= self._end else None

    def entry(self, row: int) -> EntryRecord:
        """The entry shown in ``row`` (already loaded)."""
        return self._rows[row]

    def row_of(self, entry_id: int) -> int | None:
        """The row of a loaded entry, or None."""
        return next((r for r, e in enumerate(self._rows) if e.id == entry_id), None)

    def set_filters(self, filters: LedgerFilters) -> None:
        """Show the entries matching ``filters``, from the first page."""
        if filters == self._filters:
            return
        previous, self._filters = self._filters, filters
        if not self._reload():
            self._filters = previous

    def refresh(self) -> None:
        """Query again with the same filters (after entries were recorded here or elsewhere)."""
        self._reload()

    # -- loading ---------------------------------------------------------------------------------

    def _sql(self) -> dict[str, Any]:
        f = self._filters
        return {"project_id": f.project_id, "fiscal_year": f.fiscal_year, "kind": f.kind}

    def _first_offset(self, total: int, after: Callable[[date], bool]) -> int:
        """The first offset in statement order whose date satisfies ``after`` (monotonic), by bisection."""
        low, high = 0, total
        while low < high:
            middle = (low + high) // 2
            probe = list_entries(self._db, **self._sql(), offset=middle, limit=1)
            if not probe or after(probe[0].entry_date):
                high = middle
            else:
                low = middle + 1
        return low

    def _read(self, offset: int, limit: int) -> list[EntryRecord]:
        page = list_entries(self._db, **self._sql(), offset=offset, limit=limit)
        party = self._filters.party
        if party is None:
            return page
        return [e for e in page if any(line.party == party for line in e.lines)]

    def _next_rows(self, cursor: int, end: int) -> tuple[list[EntryRecord], int]:
        """Read from ``cursor`` until a page of matching rows is found or the window ends."""
        found: list[EntryRecord] = []
        while cursor < end and len(found) < self.PAGE_SIZE:
            limit = min(self.PAGE_SIZE, end - cursor)
            page = self._read(cursor, limit)
            found += page
            cursor += limit
        return found, cursor

    def _reload(self) -> bool:
        """Count and fetch the first page *before* resetting, so a failed query leaves the view intact.

        Returns:
            False when the database could not be read (:attr:`load_failed` was emitted).
        """
        f = self._filters
        try:
            total = count_entries(self._db, **self._sql())
            start = self._first_offset(total, lambda d: d >= f.start) if f.start else 0
            end = self._first_offset(total, lambda d: d > f.end) if f.end else total
            end = max(start, end)
            rows, cursor = self._next_rows(start, end)
        except StorageError as exc:
            self._stalled = True
            self.load_failed.emit(exc)
            return False
        self.beginResetModel()
        self._rows, self._cursor, self._end, self._window = rows, cursor, end, end - start
        self._stalled = False
        self.endResetModel()
        self._emit_total()
        return True

    def _emit_total(self) -> None:
        total = self.total_count()
        self.total_changed.emit(-1 if total is None else total)

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008, N802 - Qt API
        """Whether entries remain beyond those loaded (the view asks when it scrolls near the end)."""
        return not parent.isValid() and not self._stalled and self._cursor < self._end

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008, N802 - Qt API
        """Load the next page of entries."""
        if not self.canFetchMore(parent):
            return
        try:
            page, cursor = self._next_rows(self._cursor, self._end)
        except StorageError as exc:
            self._stalled = True
            self.load_failed.emit(exc)
            return
        self._cursor = cursor
        if page:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()
        if self._filters.party is not None:
            self._emit_total()  # the count becomes known once the last page is read

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The Libro keeps statement order (date, then number): running balances only read that way."""

    # -- QAbstractTableModel ---------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """Rows loaded so far (a table: children of valid indexes have none)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """The fixed columns of :data:`COLUMNS`."""
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Display text, alignment, colour, tooltip, raw value or the whole record of one cell."""
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(COLUMNS):
            return None
        entry = self._rows[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(entry)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align)
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry_tooltip(entry)
        if role == Qt.ItemDataRole.ForegroundRole and column.key == "out" and entry.amount < 0:
            return QBrush(OUT_COLOR)
        if role == Qt.ItemDataRole.AccessibleTextRole and index.column() in _MONEY_COLUMNS:
            return f"{_(column.header)}: {column.text(entry)}"
        if role == RawRole:
            return column.raw(entry)
        if role == EntryRole:
            return entry
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Translated column titles and their explanations; rows are numbered by the entry number."""
        if orientation == Qt.Orientation.Vertical:
            return section + 1 if role == Qt.ItemDataRole.DisplayRole else None
        if not 0 <= section < len(COLUMNS):
            return None
        column = COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return _(column.header)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align)
        if role == Qt.ItemDataRole.ToolTipRole and column.tip:
            return _(column.tip)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        """Rows are selectable, never editable: the ledger is append-only."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


def with_project(filters: LedgerFilters, project_id: int | None) -> LedgerFilters:
    """``filters`` narrowed to another project (or to none)."""
    return replace(filters, project_id=project_id)
