"""The Libro (ledger) as a lazy table model: pages of entries fetched as the view scrolls.

The ledger may hold a million entries, so the model keeps only the rows fetched so far and asks
:func:`~tresxuno.services.ledger.list_entries` for the next page when the view scrolls near the end
(``canFetchMore``/``fetchMore``). The order is fixed: the statement order of the ledger (entry date,
then entry number), in which each row's running balance (*saldo*) is its project's cash after it.

Every filter (project, fiscal year, kind, party, date range) is applied in SQL by the service, so
the count is exact at once and a page costs the same however narrow the filter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor

from tresxuno.domain.ledger import CONTRIBUTION, PAYMENT, EntryRecord, root_kinds
from tresxuno.domain.money import Money
from tresxuno.formatting import date_text, entry_kind_label, money_text, party_label
from tresxuno.i18n import N_, _, ngettext
from tresxuno.services.ledger import count_entries, list_entries
from tresxuno.services.store import Database
from tresxuno.ui.models.paged import SqlPagedModel

#: The raw value of a cell (centavos, dates, ids), for code, not people.
RawRole = Qt.ItemDataRole.UserRole
#: The whole :class:`EntryRecord` of the row.
EntryRole = Qt.ItemDataRole.UserRole + 1

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
#: Money going out is also drawn in this colour; the minus sign and its own column say it without it.
OUT_COLOR = QColor("#b00020")


def party_text(entry: EntryRecord) -> str:
    """Who the entry concerns: the party, or for a payment shared by shares, the attribution summary."""
    if entry.party is not None and (entry.kind != PAYMENT or len(entry.lines) <= 1):
        return party_label(entry.party)
    if len(entry.lines) == 1:
        return party_label(entry.lines[0].party)
    return ngettext("By shares ({count} party)", "By shares ({count} parties)", len(entry.lines)).format(
        count=len(entry.lines)
    )


def usd_text(entry: EntryRecord) -> str:
    """``US$5,000.00 at 17.2345 (Banxico FIX, 01/07/2019)`` for a deposit in dollars; "" otherwise."""
    if entry.usd_amount is None:
        return ""
    return _("{usd} at {rate} ({source}, {date})").format(
        usd=money_text(Money(entry.usd_amount, "USD")),
        rate=entry.rate or "?",
        source=entry.rate_source or "?",
        date=date_text(entry.rate_date),
    )


def detail_text(entry: EntryRecord) -> str:
    """The concept or payee of a payment, the reason of a refund or reversal, a deposit's dollars."""
    if entry.kind == PAYMENT:
        parts = [p for p in (entry.payee_name or "", entry.concept) if p]
        return " — ".join(parts)
    if entry.kind == CONTRIBUTION:
        parts = [usd_text(entry)]
        if entry.override_reason:
            parts.append(
                _("above the share, authorised by {who}: {reason}").format(
                    who=entry.authorised_by, reason=entry.override_reason
                )
            )
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
    lines = [
        _("Entry No. {id}: {kind} of {date}, project {folio}").format(
            id=entry.id,
            kind=entry_kind_label(entry.kind),
            date=date_text(entry.entry_date),
            folio=entry.folio,
        )
    ]
    lines.append(_("Amount: {amount}").format(amount=money_text(entry.amount)))
    if entry.usd_amount is not None:
        lines.append(
            _("Dollars: {usd}; rate {rate} MXN per USD of {date}, source: {source}").format(
                usd=money_text(Money(entry.usd_amount, "USD")),
                rate=entry.rate or "?",
                date=date_text(entry.rate_date),
                source=entry.rate_source or "?",
            )
        )
    for line in entry.lines:
        lines.append(f"  {party_label(line.party)}: {money_text(line.amount)}")
    if entry.payee_name:
        lines.append(
            _("Payee: {payee}").format(payee=entry.payee_name)
            + (f" ({entry.payee_rfc})" if entry.payee_rfc else "")
        )
    if entry.cfdi_uuid:
        lines.append(_("CFDI UUID: {uuid}").format(uuid=entry.cfdi_uuid))
    if entry.reference:
        lines.append(_("Bank reference: {reference}").format(reference=entry.reference))
    if entry.reason:
        lines.append(_("Reason: {reason}").format(reason=entry.reason))
    if entry.override_reason:
        lines.append(
            _("Above the outstanding share; authorised by {who}: {reason}").format(
                who=entry.authorised_by, reason=entry.override_reason
            )
        )
    if entry.reversed_by is not None:
        lines.append(_("Reversed by entry No. {id}").format(id=entry.reversed_by))
    if entry.reverses_id is not None:
        lines.append(_("Reverses entry No. {id}").format(id=entry.reverses_id))
    if entry.running_balance is not None:
        lines.append(_("Project balance after it: {amount}").format(amount=money_text(entry.running_balance)))
    if entry.created_by or entry.created_at:
        lines.append(
            _("Recorded by {user} on {date}").format(
                user=entry.created_by or "?", date=date_text(entry.created_at)
            )
        )
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
    return money_text(e.amount) if e.amount > 0 else ""


def _out(e: EntryRecord) -> str:
    return money_text(e.amount) if e.amount < 0 else ""  # keeps its minus sign: never colour alone


COLUMNS: tuple[Column, ...] = (
    Column(
        "id",
        N_("No."),
        lambda e: str(e.id),
        lambda e: e.id,
        _RIGHT,
        tip=N_("Entry number; reversals refer to it"),
    ),
    Column("date", N_("Date"), lambda e: date_text(e.entry_date), lambda e: e.entry_date),
    Column("folio", N_("Folio"), lambda e: e.folio, lambda e: e.folio),
    Column("kind", N_("Type"), lambda e: entry_kind_label(e.kind), lambda e: e.kind),
    Column(
        "party",
        N_("Party"),
        party_text,
        lambda e: e.party,
        tip=N_(
            "The party the money came from or went back to; a payment that names none is drawn "
            "from what the parties deposited, by their approved shares"
        ),
    ),
    Column(
        "detail",
        N_("Concept"),
        detail_text,
        detail_text,
        tip=N_("Payee and concept of a payment, reason of a refund or reversal, dollars of a deposit"),
    ),
    Column(
        "reference",
        N_("Reference"),
        reference_text,
        reference_text,
        tip=N_("Bank reference; for a payment backed by an invoice, also the CFDI's UUID"),
    ),
    Column(
        "in",
        N_("Money in"),
        _in,
        lambda e: max(e.amount, 0),
        _RIGHT,
        tip=N_("Money received into the project's account (contributions)"),
    ),
    Column(
        "out",
        N_("Money out"),
        _out,
        lambda e: min(e.amount, 0),
        _RIGHT,
        tip=N_("Money paid out of the project's account (payments, refunds), with a minus sign"),
    ),
    Column(
        "balance",
        N_("Balance"),
        lambda e: money_text(e.running_balance) if e.running_balance is not None else "",
        lambda e: e.running_balance,
        _RIGHT,
        tip=N_("The project's cash after this entry (running balance of its statement)"),
    ),
    Column(
        "reversal",
        N_("Reversed"),
        reversal_text,
        lambda e: e.reversed_by or e.reverses_id,
        tip=N_("The entry that cancelled this one, or the one this reversal cancels"),
    ),
    Column(
        "usd",
        N_("Amount in dollars"),
        lambda e: money_text(Money(e.usd_amount, "USD")) if e.usd_amount is not None else "",
        lambda e: e.usd_amount,
        _RIGHT,
        hidden=True,
    ),
    Column("rate", N_("Rate (MXN per USD)"), lambda e: e.rate or "", lambda e: e.rate, _RIGHT, hidden=True),
    Column(
        "rate_date", N_("Rate date"), lambda e: date_text(e.rate_date), lambda e: e.rate_date, hidden=True
    ),
    Column(
        "rate_source", N_("Rate source"), lambda e: e.rate_source or "", lambda e: e.rate_source, hidden=True
    ),
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
    return f"{money_text(received)} / {money_text(paid)}"


class LedgerTableModel(SqlPagedModel):
    """Entries matching the filters, in statement order, loaded a page at a time.

    Paging and error handling come from :class:`SqlPagedModel`; every filter (project, year, kind,
    party, date range) is applied in SQL by the service, so the count is exact from the first page.
    """

    COLUMNS = COLUMNS
    SORTABLE = False  # statement order (date, then number): running balances only read that way

    def __init__(
        self,
        db: Database,
        parent: QObject | None = None,
        *,
        filters: LedgerFilters | None = None,
        load: bool = True,
    ):
        """Read the first page now, unless ``load`` is False (connect :attr:`load_failed`, then refresh)."""
        super().__init__(db, parent, filters=filters or LedgerFilters())
        if load:
            self._reload()

    def entry(self, row: int) -> EntryRecord:
        """The entry shown in ``row`` (already loaded)."""
        return self._rows[row]

    def row_of(self, entry_id: int) -> int | None:
        """The row of a loaded entry, or None."""
        return next((r for r, e in enumerate(self._rows) if e.id == entry_id), None)

    def _sql(self) -> dict[str, Any]:
        f = self._filters
        return {
            "project_id": f.project_id,
            "fiscal_year": f.fiscal_year,
            "kind": f.kind,
            "party": f.party,
            "start": f.start,
            "end": f.end,
        }

    def _count(self) -> int:
        return count_entries(self._db, **self._sql())

    def _fetch(self, offset: int, limit: int) -> list[EntryRecord]:
        if offset and offset == len(self._rows):
            # The next page after the last row loaded, found by key: as quick at row 900,000 as at 0.
            last = self._rows[-1]
            return list_entries(self._db, **self._sql(), after=(last.entry_date, last.id), limit=limit)
        return list_entries(self._db, **self._sql(), offset=offset, limit=limit)

    def cell(self, entry: EntryRecord, column: int, role: int) -> Any:
        """Display text, colour, tooltip, raw value or the whole record of one cell."""
        spec = COLUMNS[column]
        if role == Qt.ItemDataRole.DisplayRole:
            return spec.text(entry)
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry_tooltip(entry)
        if role == Qt.ItemDataRole.ForegroundRole and spec.key == "out" and entry.amount < 0:
            return QBrush(OUT_COLOR)
        if role == Qt.ItemDataRole.AccessibleTextRole and column in _MONEY_COLUMNS:
            return f"{_(spec.header)}: {spec.text(entry)}"
        if role == RawRole:
            return spec.raw(entry)
        if role == EntryRole:
            return entry
        return None

    def header_tip(self, section: int) -> str | None:
        """What the column holds, for headers whose title is short."""
        tip = COLUMNS[section].tip
        return _(tip) if tip else None
