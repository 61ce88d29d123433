"""The Libro (ledger) page: every movement of money, globally or for one project, with its balances.

The table pages through the ledger in statement order (entry date, then number) with each project's
running balance; filters narrow it by project (folio search), fiscal year, type, party and dates. The
panel below shows the balance per party of the project filtered on, or of the selected entry's project:
the moments of the public budget (*aprobado*, *comprometido*, *devengado*, *pagado*), what was received,
what is still owed, refunds and the cash on hand. Money comes in and goes out only through the entry
forms, and an entry is never changed: it is reversed.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import date
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QByteArray, QDate, QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.ledger import CONTRIBUTION, KINDS, PARTY_IDS, EntryRecord, ProjectBalance
from tresxuno.domain.problems import InputError, StorageError
from tresxuno.i18n import N_, _, ngettext
from tresxuno.services.exports import FORMATS, ExportSummary, export_ledger
from tresxuno.services.ledger import count_entries, project_balance
from tresxuno.services.projects import get_project
from tresxuno.services.store import Database
from tresxuno.ui import prompts
from tresxuno.ui.dialogs.close_year import CloseYearDialog
from tresxuno.ui.dialogs.entries import (
    ContributionDialog,
    EntryDialog,
    PaymentDialog,
    ProjectChoice,
    ProjectPicker,
    RefundDialog,
    ReversalDialog,
    hint_label,
    stage_name,
)
from tresxuno.ui.dialogs.rates import RatesDialog
from tresxuno.ui.errors import show_error
from tresxuno.ui.models.ledger import (
    COLUMN_OF,
    COLUMNS,
    OUT_COLOR,
    LedgerFilters,
    LedgerTableModel,
    kind_label,
    money,
    safe_party,
)
from tresxuno.ui.permissions import allowed, gate, needs_text
from tresxuno.ui.settings import Settings
from tresxuno.ui.tasks import Task, run_task
from tresxuno.ui.views.base import View, message_page

#: First fiscal year offered: the federal 3x1 programme started in 2002.
FIRST_FISCAL_YEAR = 2002
#: Name of the table's header state in the settings.
_TABLE_STATE = "ledger"
#: Widest cells the automatic fit gives free-text columns, in average characters (the rest is elided,
#: the whole entry is in the row's tooltip).
_MAX_CHARS = {"party": 12, "reference": 13, "reversal": 12}
#: Money columns: never elided (a cut amount misreads), so they grow as pages with wider amounts arrive.
_MONEY_KEYS = ("in", "out", "balance")
#: Pages read at most to find and select an entry just recorded (further down, it is not scrolled to).
_SELECT_PAGES = 10
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

#: What the empty table says: no money recorded at all, none in the project shown, none matching.
EMPTY_LEDGER = N_(
    "No entries yet: money is recorded once a project's agreement (convenio) is signed. When a party "
    "deposits its share, choose “Record contribution” (Ctrl+Shift+C); payments need the CFDI invoice or a "
    "scanned receipt."
)
EMPTY_PROJECT = N_(
    "This project has no entries yet. Money is recorded once its agreement (convenio) is signed: choose "
    "“Record contribution” (Ctrl+Shift+C) when a party deposits its share."
)
NO_MATCH = N_("No entry matches the filters.")

#: Export formats, their names in the chooser and the file name filter.
FORMAT_NAMES: dict[str, str] = {
    "csv": N_("CSV (spreadsheets; one row per party of each entry)"),
    "xlsx": N_("Excel workbook (XLSX) with a sheet of balances"),
    "beancount": N_("Beancount journal (double entry, checked by bean-check)"),
    "ledger": N_("Ledger/hledger journal (double entry)"),
}
FORMAT_FILTERS: dict[str, str] = {
    "csv": N_("CSV files (*.csv)"),
    "xlsx": N_("Excel workbooks (*.xlsx)"),
    "beancount": N_("Beancount journals (*.beancount)"),
    "ledger": N_("Ledger journals (*.ledger *.journal)"),
}

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
            "Pagado: all payments attributed to the party (by approved shares unless a "
            "payment names one party)"
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
            self._row(row, safe_party(line.party), values)
        self._row(len(parties), _("Total"), [_total(balance, key) for key, _h, _t in BALANCE_COLUMNS], bold)
        height = self.table.horizontalHeader().sizeHint().height() + 2 * self.table.frameWidth()
        self.table.setFixedHeight(height + sum(self.table.rowHeight(r) for r in range(self.table.rowCount())))
        self.table.show()
        notes = [
            _("{party} received {amount} more than its approved share.").format(
                party=safe_party(p.party), amount=money(p.over_received)
            )
            for p in parties
            if p.over_received
        ]
        notes += [
            _(
                "{party}'s part of the cash is negative ({amount}): payments are attributed by approved "
                "shares, and it has not deposited all of its share yet."
            ).format(party=safe_party(p.party), amount=money(p.cash))
            for p in parties
            if p.cash < 0
        ]
        self.note.setText("\n".join(notes))
        self.note.setVisible(bool(notes))

    def _row(self, row: int, label: str, values: list[int], font: QFont | None = None) -> None:
        first = QTableWidgetItem(label)
        cells = [first]
        for value in values:
            item = QTableWidgetItem(money(value))
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
            wanted = _("Total") if party == "total" else safe_party(party)
            if label is not None and label.text() == wanted:
                cell = self.table.item(row, column)
                return cell.data(Qt.ItemDataRole.UserRole) if cell is not None else None
        return None


class ExportDialog(QDialog):
    """Choose the format of a ledger export (the file name is asked next)."""

    def __init__(self, scope: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Export the ledger"))
        self.format = QComboBox(self)
        for fmt in FORMATS:
            self.format.addItem(_(FORMAT_NAMES.get(fmt, fmt)), fmt)
        self.format.setAccessibleName(_("Format"))
        form = QFormLayout()
        caption = QLabel(_("&Format:"), self)
        caption.setBuddy(self.format)
        form.addRow(caption, self.format)
        note = hint_label(self)
        note.setText(
            _("Exported: {scope}.").format(scope=scope)
            + "\n"
            + _(
                "Exports follow the fiscal year and project filters; the type, party and date filters do not "
                "apply to them, so the file always reconciles with the balances."
            )
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(520, 200)

    @classmethod
    def ask(cls, parent: QWidget | None, scope: str) -> str | None:
        """The chosen format id (``csv``, ``xlsx``, ``beancount``, ``ledger``), or None on cancel."""
        dialog = cls(scope, parent)
        try:
            return dialog.format.currentData() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()


class LedgerView(View):
    """The Libro: entries in statement order with running balances, filters, balances and the money forms.

    Args:
        db: the open database.
        parent: the widget it lives in.
        project_id: show only this project's entries, with no way to widen it (the project's own Libro).
        today: the day treated as today (tests); the computer's date when None.
    """

    key = "ledger"
    title_msgid = N_("Ledger")
    icon_pixmap = QStyle.StandardPixmap.SP_FileDialogContentsView

    #: An entry was recorded or a year closed here (the project record refreshes its figures).
    changed = Signal()

    def __init__(
        self,
        db: Database,
        parent: QWidget | None = None,
        *,
        project_id: int | None = None,
        today: date | None = None,
    ):
        super().__init__(parent)
        self._db = db
        self._today = today
        self._fixed_project = project_id
        self._fitted = False
        self._balance_project: int | None = None
        self.export_task: Task | None = None
        self.report_task: Task | None = None
        self.last_export: ExportSummary | None = None
        self.model = LedgerTableModel(db, self, filters=LedgerFilters(project_id=project_id), load=False)

        self._make_actions()
        self.project = ProjectPicker(db, self)
        self.project.setAccessibleName(_("Project"))
        self.project.edit.setAccessibleName(_("Project (folio)"))
        self.project.edit.setToolTip(_("Type a folio or part of the project's name, then Enter (Ctrl+F)"))
        self.project.changed.connect(lambda _c: self.apply_filters())
        self.year = self._combo(_("Fiscal year"), _("All years"))
        for year in range(date.today().year, FIRST_FISCAL_YEAR - 1, -1):
            self.year.addItem(str(year), year)
        self.kind = self._combo(_("Type"), _("All types"))
        for kind in KINDS:
            self.kind.addItem(kind_label(kind), kind)
        self.party = self._combo(_("Party"), _("All parties"))
        for party in PARTY_IDS:
            self.party.addItem(safe_party(party), party)
        self.start = self._date(_("From date"))
        self.end = self._date(_("To date"))
        self.clear_button = QPushButton(_("C&lear filters"), self)
        self.clear_button.clicked.connect(self.clear_filters)

        self.table = self._make_table()
        self.message = QLabel(self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty_clear = QPushButton(_("Clear filters"), self)
        self.empty_clear.clicked.connect(self.clear_filters)
        self.empty_record = QPushButton(self.contribution_action.text().replace("&", ""), self)
        self.empty_record.clicked.connect(self.contribution_action.trigger)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.table)
        self.pages.addWidget(message_page(self, self.message, self.empty_record, self.empty_clear))
        self.balance_panel = BalancePanel(self)

        self._lay_out()
        self._gate_by_role()
        self.model.total_changed.connect(self._on_total)
        self.model.rowsInserted.connect(self._rows_arrived)
        self.model.load_failed.connect(lambda exc: show_error(self.window(), exc))
        self.model.modelReset.connect(self._update_actions)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        if project_id is not None:
            self.project.blockSignals(True)  # the first load below already uses the project
            try:
                self.project.set_project_id(project_id)
            except (InputError, StorageError) as exc:
                show_error(self.window(), exc)
            finally:
                self.project.blockSignals(False)
        self.apply_filters(force=True)

    # -- building --------------------------------------------------------------------------------

    def _action(self, text: str, tip: str, slot: Callable[[], object], keys: str = "") -> QAction:
        action = QAction(text, self)
        action.setToolTip(
            tip
            + (f" ({QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)})" if keys else "")
        )
        action.setStatusTip(tip)
        if keys:
            action.setShortcut(QKeySequence(keys))
            # Only while this page (or the project's own Libro) is shown.
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        self.contribution_action = self._action(
            _("Record &contribution…"),
            _("A party deposited money into a project (Ctrl+N too)"),
            self.record_contribution,
            "Ctrl+Shift+C",
        )
        self.payment_action = self._action(
            _("Record &payment…"),
            _("Money paid out of a project, with its CFDI invoice or receipt"),
            self.record_payment,
            "Ctrl+Shift+P",
        )
        self.refund_action = self._action(
            _("Record re&fund…"),
            _("Unspent or disallowed money given back to a party (reintegro)"),
            self.record_refund,
            "Ctrl+Shift+D",
        )
        self.reverse_action = self._action(
            _("Re&verse entry…"),
            _("Cancel the selected entry with a reversing entry; it asks why"),
            self.reverse_selected,
            "Ctrl+Shift+R",
        )
        self.rates_action = self._action(
            _("E&xchange rates…"),
            _("Dollar exchange rates: add one, or import Banxico's FIX series"),
            self.show_rates,
            "Ctrl+Shift+X",
        )
        self.close_year_action = self._action(
            _("Close fiscal &year…"),
            _("Lock a fiscal year and list the federal money to refund"),
            self.close_year,
        )
        self.export_action = self._action(
            _("&Export ledger…"),
            _("Write the ledger to CSV, XLSX, beancount or ledger"),
            self.export_ledger,
            "Ctrl+Shift+E",
        )
        self.receipt_action = self._action(
            _("Print r&eceipt…"),
            _("The bilingual receipt of the selected contribution (Ctrl+P)"),
            self.print_receipt,
        )

    def _button(self, action: QAction) -> QPushButton:
        button = QPushButton(action.text(), self)
        button.setToolTip(action.toolTip())
        button.clicked.connect(action.trigger)
        return button

    def _combo(self, label: str, everything: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(label)
        combo.addItem(everything, None)
        # Narrow combos leave the folio search room; the open list still shows whole labels.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(9)
        combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        return combo

    def _date(self, label: str) -> QDateEdit:
        edit = QDateEdit(self)
        edit.setDisplayFormat("dd/MM/yyyy")
        edit.setCalendarPopup(True)
        # The lowest date stands for "no limit" and shows as such.
        edit.setMinimumDate(QDate(1990, 1, 1))
        edit.setMaximumDate(QDate(2100, 12, 31))
        edit.setSpecialValueText(_("any"))
        edit.setDate(edit.minimumDate())
        edit.setAccessibleName(label)
        edit.setToolTip(_("“any”: no limit; type a date as dd/mm/yyyy or pick it from the calendar"))
        edit.dateChanged.connect(lambda _d: self.apply_filters())
        return edit

    def _make_table(self) -> QTableView:
        table = QTableView(self)
        table.setAccessibleName(_("Ledger entries"))
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setTabKeyNavigation(False)
        table.verticalHeader().hide()
        rows = table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COLUMN_OF["detail"], QHeaderView.ResizeMode.Stretch)
        for number, column in enumerate(COLUMNS):
            header.setSectionHidden(number, column.hidden)
        if self._fixed_project is not None:
            header.setSectionHidden(COLUMN_OF["folio"], True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(
            lambda pos: self.columns_menu().popup(header.mapToGlobal(pos))
        )
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(
            lambda pos: self.actions_menu().popup(table.mapToGlobal(pos))
        )
        return table

    def actions_menu(self, menu: QMenu | None = None) -> QMenu:
        """Every action of the page, and the column chooser (the table's context menu and “More”)."""
        if menu is None:
            menu = QMenu(_("Ledger"), self)
        menu.clear()
        for action in (self.contribution_action, self.payment_action, self.refund_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.reverse_action)
        menu.addAction(self.receipt_action)
        menu.addSeparator()
        for action in (self.rates_action, self.close_year_action, self.export_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addMenu(self.columns_menu())
        return menu

    def columns_menu(self) -> QMenu:
        """A menu of the columns, each checked when shown (the dollar details start hidden)."""
        menu = QMenu(_("Columns"), self)
        header = self.table.horizontalHeader()
        for number, column in enumerate(COLUMNS):
            action = menu.addAction(_(column.header))
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(number))
            action.setEnabled(column.key not in ("date", "in", "out"))
            action.toggled.connect(lambda shown, n=number: self.show_column(n, shown))
        return menu

    def show_column(self, number: int, shown: bool) -> None:
        """Show or hide a column; one shown for the first time gets a fitted width."""
        header = self.table.horizontalHeader()
        header.setSectionHidden(number, not shown)
        if shown:
            self._fit_column(number)

    def _lay_out(self) -> None:
        self.record_buttons = [
            self._button(a)
            for a in (self.contribution_action, self.payment_action, self.refund_action, self.reverse_action)
        ]
        self.export_button = self._button(self.export_action)
        self.more_button = QPushButton(_("Mo&re"), self)
        self.more_button.setToolTip(_("Exchange rates, closing a fiscal year, columns"))
        self.more_menu = QMenu(self)
        # Filled as it opens, so the column checks are those of the moment.
        self.more_menu.aboutToShow.connect(lambda: self.actions_menu(self.more_menu))
        self.more_button.setMenu(self.more_menu)
        # Row 1: what the officer does, and which project; row 2: the other filters. One row of both
        # would not fit a 1280-pixel window in Spanish.
        actions = QHBoxLayout()
        for button in self.record_buttons:
            actions.addWidget(button)
        if self._fixed_project is None:
            actions.addSpacing(12)
            project_label = QLabel(_("Pro&ject:"), self)
            project_label.setBuddy(self.project.edit)
            actions.addWidget(project_label)
            actions.addWidget(self.project, 1)
        else:
            self.project.hide()
            actions.addStretch(1)
        actions.addSpacing(12)
        actions.addWidget(self.export_button)
        actions.addWidget(self.more_button)

        filters = QHBoxLayout()
        widgets: list[tuple[str, QWidget]] = [
            (_("Fiscal &year:"), self.year),
            (_("&Type:"), self.kind),
            (_("P&arty:"), self.party),
            (_("Dat&es:"), self.start),
            ("–", self.end),
        ]
        for number, (text, widget) in enumerate(widgets):
            label = QLabel(text, self)
            label.setBuddy(widget)
            if number:
                filters.addSpacing(6)
            filters.addWidget(label)
            filters.addWidget(widget)
        filters.addSpacing(6)
        filters.addWidget(self.clear_button)
        filters.addStretch(1)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.pages)
        splitter.addWidget(self.balance_panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.addLayout(actions)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        order: list[QWidget] = list(self.record_buttons)
        if self._fixed_project is None:
            order.append(self.project.edit)
        order += [
            self.export_button,
            self.more_button,
            self.year,
            self.kind,
            self.party,
            self.start,
            self.end,
            self.clear_button,
            self.table,
            self.empty_record,
            self.empty_clear,
        ]
        for first, second in pairwise(order):
            QWidget.setTabOrder(first, second)

    def _padding(self) -> int:
        return 2 * self.table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 16

    def _money_width(self, number: int, first: int, end: int) -> int:
        """Width of the widest amount of column ``number`` in rows ``first`` to ``end`` (exclusive)."""
        metrics = self.table.fontMetrics()
        texts = {self.model.index(row, number).data() or "" for row in range(first, end)}
        return max((metrics.horizontalAdvance(t) for t in texts), default=0) + self._padding()

    def _rows_arrived(self, _parent: QModelIndex, first: int, last: int) -> None:
        """Widen a money column when a new page holds a wider amount (never leave one cut)."""
        header = self.table.horizontalHeader()
        for key in _MONEY_KEYS:
            number = COLUMN_OF[key]
            width = self._money_width(number, first, last + 1)
            if width > header.sectionSize(number):
                header.resizeSection(number, width)

    def _fit_columns(self) -> None:
        header = self.table.horizontalHeader()
        for number in range(len(COLUMNS)):
            if not header.isSectionHidden(number):
                self._fit_column(number)

    def _fit_column(self, number: int) -> None:
        """Size one column to its header and loaded cells; money fits the widest amount, text is capped."""
        column = COLUMNS[number]
        if column.key == "detail":
            return  # stretched over what the others leave
        header = self.table.horizontalHeader()
        metrics = self.table.fontMetrics()
        padding = self._padding()
        width = max(header.sectionSizeHint(number), self.table.sizeHintForColumn(number))
        if column.key in _MONEY_KEYS:
            width = max(width, self._money_width(number, 0, self.model.rowCount()))
        if column.key in _MAX_CHARS:
            # Capped even below a long header: the whole entry is in the row's tooltip.
            width = min(width, metrics.averageCharWidth() * _MAX_CHARS[column.key] + padding)
        header.resizeSection(number, width)

    # -- filters ---------------------------------------------------------------------------------

    @staticmethod
    def _day(edit: QDateEdit) -> date | None:
        if edit.date() == edit.minimumDate():
            return None
        value = edit.date()
        return date(value.year(), value.month(), value.day())

    def filters(self) -> LedgerFilters:
        """The filters the controls describe now."""
        choice = self.project.choice
        project_id = self._fixed_project
        if project_id is None and choice is not None:
            project_id = choice.id
        return LedgerFilters(
            project_id=project_id,
            fiscal_year=self.year.currentData(),
            kind=self.kind.currentData(),
            party=self.party.currentData(),
            start=self._day(self.start),
            end=self._day(self.end),
        )

    def apply_filters(self, *, force: bool = False) -> None:
        """Show the entries matching the controls (runs the query now)."""
        filters = self.filters()
        if force or filters != self.model.filters:
            if filters == self.model.filters:
                self.model.refresh()
            else:
                self.model.set_filters(filters)
        self._show_balance()

    def clear_filters(self) -> None:
        """Back to every entry (of the fixed project, in the project's own Libro)."""
        for widget in (self.year, self.kind, self.party, self.start, self.end):
            widget.blockSignals(True)
        for combo in (self.year, self.kind, self.party):
            combo.setCurrentIndex(0)
        for edit in (self.start, self.end):
            edit.setDate(edit.minimumDate())
        for widget in (self.year, self.kind, self.party, self.start, self.end):
            widget.blockSignals(False)
        if self._fixed_project is None:
            self.project.blockSignals(True)
            self.project.set_project_id(None)
            self.project.blockSignals(False)
        self.apply_filters()

    def select_project(self, project_id: int) -> None:
        """Show the Libro of one project (the main window's way to open a project's money)."""
        if self._fixed_project is None:
            self.project.set_project_id(project_id)

    # -- selection and balances ------------------------------------------------------------------

    def selected_entry(self) -> EntryRecord | None:
        """The entry of the selected row, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.entry(rows[0].row()) if rows else None

    def select_entry(self, entry_id: int) -> bool:
        """Select the row of entry ``entry_id``, reading a few more pages if needed; False if not found."""
        row = self.model.row_of(entry_id)
        pages = 0
        while row is None and self.model.canFetchMore(QModelIndex()) and pages < _SELECT_PAGES:
            self.model.fetchMore(QModelIndex())
            row = self.model.row_of(entry_id)
            pages += 1
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_actions()
        self._show_balance()

    def _gate_by_role(self) -> None:
        """Recording is the treasury's: other roles see the buttons greyed, naming the role needed."""
        pairs = (
            (self.contribution_action, "ledger.record_contribution"),
            (self.payment_action, "ledger.record_payment"),
            (self.refund_action, "ledger.record_refund"),
        )
        for (action, permission), button in zip(pairs, self.record_buttons, strict=False):
            gate(action, self._db, permission)
            gate(button, self._db, permission)
        gate(self.empty_record, self._db, "ledger.record_contribution")
        gate(self.rates_action, self._db, "rates.edit")
        gate(self.close_year_action, self._db, "ledger.close_year")

    def _update_actions(self) -> None:
        entry = self.selected_entry()
        self.reverse_action.setEnabled(entry is not None and entry.reversed_by is None)
        self.record_buttons[3].setEnabled(self.reverse_action.isEnabled())
        tip = self.reverse_action.toolTip()
        if entry is not None and entry.reversed_by is not None:
            tip = _("Entry No. {id} was already reversed by entry No. {by}").format(
                id=entry.id, by=entry.reversed_by
            )
        elif entry is None:
            tip = _("Select the entry to reverse in the table first")
        self.record_buttons[3].setToolTip(tip)
        if not allowed(self._db, "ledger.reverse_entry"):
            self.reverse_action.setEnabled(False)
            self.record_buttons[3].setEnabled(False)
            self.record_buttons[3].setToolTip(needs_text("ledger.reverse_entry"))
        self.receipt_action.setEnabled(entry is not None and entry.kind == CONTRIBUTION)
        self.actions_changed.emit()

    def balance_project(self) -> int | None:
        """The project whose balance the panel shows: the filtered one, else the selected entry's."""
        if self.model.filters.project_id is not None:
            return self.model.filters.project_id
        entry = self.selected_entry()
        return entry.project_id if entry is not None else None

    def _show_balance(self, *, force: bool = False) -> None:
        project_id = self.balance_project()
        if project_id == self._balance_project and not force:
            return
        self._balance_project = project_id
        if project_id is None:
            self.balance_panel.show_balance(None)
            return
        try:
            balance = project_balance(self._db, project_id)
            detail = get_project(self._db, project_id)
        except (InputError, StorageError) as exc:
            self.balance_panel.show_balance(None)
            show_error(self.window(), exc)
            return
        self.balance_panel.show_balance(
            balance, _("{name} — stage: {stage}").format(name=detail.name, stage=stage_name(detail.stage))
        )

    # -- actions ---------------------------------------------------------------------------------

    def _current_project(self) -> int | None:
        return self.balance_project()

    def _recorded(self, record: EntryRecord | None) -> None:
        if record is None:
            return
        self.refresh()
        self.select_entry(record.id)
        self.changed.emit()

    def _record(self, dialog: type[EntryDialog]) -> EntryRecord | None:
        record = dialog.ask(self.window(), self._db, project_id=self._current_project(), today=self._today)
        self._recorded(record)
        return record

    def new_record(self) -> None:
        """File > New (Ctrl+N): record a contribution."""
        self.record_contribution()

    def record_contribution(self) -> EntryRecord | None:
        """Record a party's deposit (for the project filtered on or selected, if any)."""
        return self._record(ContributionDialog)

    def record_payment(self) -> EntryRecord | None:
        """Record a payment with its CFDI invoice or receipt."""
        return self._record(PaymentDialog)

    def record_refund(self) -> EntryRecord | None:
        """Record a refund (reintegro) to a party."""
        return self._record(RefundDialog)

    def reverse_selected(self) -> EntryRecord | None:
        """Reverse the selected entry (asks the reason and the date)."""
        entry = self.selected_entry()
        if entry is None:
            prompts.message(
                self.window(),
                prompts.Icon.Information,
                _("Reverse entry"),
                _("Select the entry to reverse in the table first."),
            )
            return None
        if entry.reversed_by is not None:
            prompts.message(
                self.window(),
                prompts.Icon.Information,
                _("Reverse entry"),
                _("Entry No. {id} was already reversed by entry No. {by}").format(
                    id=entry.id, by=entry.reversed_by
                ),
            )
            return None
        record = ReversalDialog.ask(self.window(), self._db, entry, today=self._today)
        self._recorded(record)
        return record

    def print_receipt(self) -> Task | None:
        """Prepare the receipt of the selected contribution and open its preview."""
        from tresxuno.ui.reporting import ReportOrder, file_name, start_report

        entry = self.selected_entry()
        if entry is None or entry.kind != CONTRIBUTION:
            prompts.message(
                self.window(),
                prompts.Icon.Information,
                _("Print receipt"),
                _("Select a contribution in the table first: receipts are printed for contributions."),
            )
            return None
        order = ReportOrder("receipt", file_name("receipt", entry.id), {"entry_id": entry.id})
        self.report_task = start_report(self.window(), self._db, order)
        return self.report_task

    def print_current(self) -> None:
        """Ctrl+P: the receipt of the selected contribution."""
        self.print_receipt()

    def can_print(self) -> bool:
        """Print applies while a contribution is selected."""
        entry = self.selected_entry()
        return entry is not None and entry.kind == CONTRIBUTION

    def show_rates(self) -> None:
        """The exchange-rate table: add a rate, import Banxico's FIX series."""
        RatesDialog.ask(self.window(), self._db, today=self._today)

    def close_year(self) -> None:
        """Close a fiscal year and see the unspent federal money per project."""
        if CloseYearDialog.ask(self.window(), self._db, today=self._today) is not None:
            self.refresh()
            self.changed.emit()

    def _scope_text(self) -> tuple[str, int | None, str | None]:
        filters = self.model.filters
        folio: str | None = None
        if filters.project_id is not None:
            choice = self.project.choice
            if choice is not None and choice.id == filters.project_id:
                folio = choice.folio
            else:
                folio = get_project(self._db, filters.project_id).folio
        year = filters.fiscal_year
        if folio and year:
            scope = _("the entries of project {folio} dated in {year}").format(folio=folio, year=year)
        elif folio:
            scope = _("every entry of project {folio}").format(folio=folio)
        elif year:
            scope = _("every entry dated in {year}").format(year=year)
        else:
            scope = _("the whole ledger")
        return scope, year, folio

    def export_ledger(self) -> Task | None:
        """Choose a format and a file, then export off the GUI thread with progress and Cancel."""
        try:
            scope, year, folio = self._scope_text()
        except (InputError, StorageError) as exc:
            show_error(self.window(), exc)
            return None
        fmt = ExportDialog.ask(self.window(), scope)
        if fmt is None:
            return None
        suffix = "." + ("ledger" if fmt == "ledger" else fmt)
        stem = "libro" + (f"-{folio}" if folio else "") + (f"-{year}" if year else "")
        path = prompts.choose_save_file(
            self.window(), _("Export the ledger"), _(FORMAT_FILTERS[fmt]), str(Path.home() / (stem + suffix))
        )
        if not path:
            return None
        target = Path(path)
        if target.suffix.lower() not in (suffix, ".journal"):
            target = target.with_name(target.name + suffix)
        db = self._db
        self.export_button.setEnabled(False)
        self.export_task = run_task(
            self.window(),
            _("Exporting the ledger"),
            lambda progress, cancel: export_ledger(
                db, fmt, target, year=year, folio=folio, progress=progress, cancel=cancel
            ),
            on_success=self._exported,
            on_cancel=lambda: self.export_button.setEnabled(True),
        )
        self.export_task.failed.connect(lambda _exc: self.export_button.setEnabled(True))
        return self.export_task

    def _exported(self, summary: ExportSummary) -> None:
        self.export_button.setEnabled(True)
        self.last_export = summary
        prompts.message(
            self.window(),
            prompts.Icon.Information,
            _("Ledger exported"),
            ngettext(
                "{rows} row ({entries} entries) written to {path}.\nTotal: {total}.",
                "{rows} rows ({entries} entries) written to {path}.\nTotal: {total}.",
                summary.rows,
            ).format(
                rows=f"{summary.rows:,}",
                entries=f"{summary.entries:,}",
                path=summary.path,
                total=money(summary.total_centavos),
            ),
        )

    # -- View ------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the entries and the balance again (F5)."""
        selected = self.selected_entry()
        self.model.refresh()
        if selected is not None:
            self.select_entry(selected.id)
        self._show_balance(force=True)

    def focus_search(self) -> None:
        """Ctrl+F: to the project's folio search."""
        target = self.project.edit if self._fixed_project is None else self.year
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if target is self.project.edit:
            self.project.edit.selectAll()

    def status_text(self) -> str:
        """``"1,234 entries"``: every filter is applied in SQL, so the count is known at once."""
        total = self.model.total_count()
        return ngettext("{count} entry", "{count} entries", total).format(count=f"{total:,}")

    def save_layout(self, settings: Settings) -> None:
        """Remember which columns are shown and their widths."""
        if self._fixed_project is None:
            settings.set_table_state(_TABLE_STATE, bytes(self.table.horizontalHeader().saveState().data()))

    def restore_layout(self, settings: Settings) -> None:
        """Columns as the officer left them."""
        state = settings.table_state(_TABLE_STATE)
        if (
            self._fixed_project is None
            and state
            and self.table.horizontalHeader().restoreState(QByteArray(state))
        ):
            self._fitted = True

    def view_state(self) -> dict[str, object]:
        """Filters to put back on a rebuilt page, the chosen project included."""
        state = super().view_state()
        state["start"], state["end"] = self.start.date(), self.end.date()
        choice = self.project.choice
        state["project_id"] = choice.id if choice else None
        return state

    def restore_view_state(self, state: dict[str, object]) -> None:
        """Put back what :meth:`view_state` kept."""
        state = dict(state)
        for name in ("start", "end"):
            value = state.pop(name, None)
            if isinstance(value, QDate):
                getattr(self, name).setDate(value)
        project_id = state.pop("project_id", None)
        if isinstance(project_id, int) and self._fixed_project is None:
            # The project may be gone (a restored backup): then the whole ledger is shown.
            with suppress(InputError, StorageError):
                self.project.set_project_id(project_id)
        super().restore_view_state(state)

    def _database_is_empty(self) -> bool:
        try:
            return count_entries(self._db) == 0
        except StorageError:
            return False

    def _on_total(self, total: int) -> None:
        if total != 0:
            if not self._fitted and self.model.rowCount():
                self._fit_columns()
                self._fitted = True
            elif self.model.rowCount():
                self._rows_arrived(QModelIndex(), 0, self.model.rowCount() - 1)
            self.pages.setCurrentIndex(0)
        else:
            self._show_empty()
            self.pages.setCurrentIndex(1)
        if not self._fitted:
            self._fit_columns()
        self._update_actions()
        self.status_changed.emit(self.status_text())

    def _show_empty(self) -> None:
        """Say why the table is empty and offer what to do next."""
        filters = self.model.filters
        only_project = filters.project_id is not None and filters == LedgerFilters(
            project_id=filters.project_id
        )
        if only_project:
            self.message.setText(_(EMPTY_PROJECT))
            self.empty_record.show()
            self.empty_clear.setVisible(self._fixed_project is None)
        elif not filters.narrowed or self._database_is_empty():
            self.message.setText(_(EMPTY_LEDGER))
            self.empty_record.show()
            self.empty_clear.setVisible(filters.narrowed)
        else:
            self.message.setText(_(NO_MATCH))
            self.empty_record.hide()
            self.empty_clear.show()


class ProjectLedgerDialog(QDialog):
    """One project's own Libro in a window (opened from the project record)."""

    def __init__(
        self, db: Database, project_id: int, parent: QWidget | None = None, *, today: date | None = None
    ):
        super().__init__(parent)
        self.did_change = False
        self.view = LedgerView(db, self, project_id=project_id, today=today)
        self.view.changed.connect(self._mark_changed)
        choice: ProjectChoice | None = self.view.project.choice
        folio = choice.folio if choice is not None else str(project_id)
        self.setWindowTitle(_("Ledger of project {folio}").format(folio=folio))
        title = QLabel(f"{folio} — {choice.name}" if choice is not None else folio, self)
        font = QFont(title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        title.setFont(font)
        title.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(1180, 720)

    def _mark_changed(self) -> None:
        self.did_change = True

    @classmethod
    def ask(cls, parent: QWidget | None, db: Database, project_id: int) -> bool:
        """Show the project's Libro; True when money was recorded in it."""
        try:
            dialog = cls(db, project_id, parent)
        except (InputError, StorageError) as exc:
            show_error(parent, exc)
            return False
        try:
            dialog.exec()
            return dialog.did_change
        finally:
            dialog.deleteLater()
