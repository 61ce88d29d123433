"""The Libro's balance panel: one project's money per party, in the moments of the public budget."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.ledger import ProjectBalance
from tresxuno.formatting import money_text, party_label
from tresxuno.i18n import N_, _
from tresxuno.ui.dialogs.entries import hint_label
from tresxuno.ui.models.ledger import OUT_COLOR

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

#: Columns of the balance panel: PartyBalance field, header and the explanation in its tooltip.
BALANCE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("approved", N_("Approved"), N_("Aprobado: the party's share, once the COVAM approved the project")),
    ("committed", N_("Committed"), N_("Comprometido: the share, once the agreement (convenio) is signed")),
    ("received", N_("Received"), N_("Contributions received, net of reversals")),
    ("outstanding", N_("Outstanding"), N_("What the party still owes: approved minus received")),
    ("accrued", N_("Accrued"), N_("Devengado: payments backed by a CFDI invoice, attributed to the party")),
    (
        "paid",
        N_("Paid"),
        N_(
            "Pagado: all payments drawn from the party's money (by approved shares among the "
            "parties that still have money, unless a payment names one party)"
        ),
    ),
    ("refunded", N_("Refunded"), N_("Refunds (reintegros) to the party, net of reversals")),
    ("cash", N_("Cash on hand"), N_("Received minus paid minus refunded: the party's part of the cash")),
)


def _total(balance: ProjectBalance, key: str) -> int:
    if key == "cash":
        return balance.cash
    return int(getattr(balance, key))


class BalancePanel(QGroupBox):
    """One project's money per party: approved, committed, received, outstanding, paid, refunded, cash."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(_("Project balance"), parent)
        self.balance: ProjectBalance | None = None
        self.caption = hint_label(self)
        self.table = QTableWidget(0, len(BALANCE_COLUMNS) + 1, self)
        self.table.setAccessibleName(_("Balance per party"))
        headers = [_("Party")] + [_(header) for _key, header, _tip in BALANCE_COLUMNS]
        self.table.setHorizontalHeaderLabels(headers)
        for column, (_key, _header, tip) in enumerate(BALANCE_COLUMNS, start=1):
            item = self.table.horizontalHeaderItem(column)
            if item is not None:
                item.setToolTip(_(tip))
                item.setTextAlignment(_RIGHT)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.note = hint_label(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.table)
        layout.addWidget(self.note)
        self.show_balance(None)

    def show_balance(self, balance: ProjectBalance | None, name: str = "") -> None:
        """Show ``balance`` (None: explain how to choose a project)."""
        self.balance = balance
        if balance is None:
            self.setTitle(_("Project balance"))
            self.caption.setText(
                _(
                    "Filter by a project (its folio) or select an entry to see the project's "
                    "balance per party."
                )
            )
            self.table.hide()
            self.note.clear()
            return
        self.setTitle(_("Balance of project {folio}").format(folio=balance.folio))
        self.caption.setText(name)
        self.caption.setVisible(bool(name))
        parties = [p for p in balance.parties if p.share or p.received or p.paid or p.refunded]
        self.table.setRowCount(len(parties) + 1)
        bold = QFont(self.font())
        bold.setBold(True)
        for row, line in enumerate(parties):
            values = [int(getattr(line, key)) for key, _h, _t in BALANCE_COLUMNS]
            self._row(row, party_label(line.party), values)
        self._row(len(parties), _("Total"), [_total(balance, key) for key, _h, _t in BALANCE_COLUMNS], bold)
        height = self.table.horizontalHeader().sizeHint().height() + 2 * self.table.frameWidth()
        self.table.setFixedHeight(height + sum(self.table.rowHeight(r) for r in range(self.table.rowCount())))
        self.table.show()
        notes = [
            _("{party} received {amount} more than its approved share.").format(
                party=party_label(p.party), amount=money_text(p.over_received)
            )
            for p in parties
            if p.over_received
        ]
        notes += [
            _(
                "{party}'s part of the cash is negative ({amount}): payments are attributed by approved "
                "shares, and it has not deposited all of its share yet."
            ).format(party=party_label(p.party), amount=money_text(p.cash))
            for p in parties
            if p.cash < 0
        ]
        self.note.setText("\n".join(notes))
        self.note.setVisible(bool(notes))
        # Its own room under the table, every wrapped line of it: never drawn over the Total row.
        width = max(self.note.width(), self.table.width(), 300)
        self.note.setMinimumHeight(self.note.heightForWidth(width) if notes else 0)

    def _row(self, row: int, label: str, values: list[int], font: QFont | None = None) -> None:
        first = QTableWidgetItem(label)
        cells = [first]
        for value in values:
            item = QTableWidgetItem(money_text(value))
            item.setTextAlignment(_RIGHT)
            item.setData(Qt.ItemDataRole.UserRole, value)
            if value < 0:
                item.setForeground(OUT_COLOR)
            cells.append(item)
        for column, item in enumerate(cells):
            if font is not None:
                item.setFont(font)
            self.table.setItem(row, column, item)

    def value(self, party: str, key: str) -> int | None:
        """The centavos shown for ``party`` (or ``"total"``) in column ``key`` (tests read it)."""
        column = 1 + [k for k, _h, _t in BALANCE_COLUMNS].index(key)
        for row in range(self.table.rowCount()):
            label = self.table.item(row, 0)
            wanted = _("Total") if party == "total" else party_label(party)
            if label is not None and label.text() == wanted:
                cell = self.table.item(row, column)
                return cell.data(Qt.ItemDataRole.UserRole) if cell is not None else None
        return None
