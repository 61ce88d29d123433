"""The Libro (ledger) page: every movement of money, globally or for one project, with its balances.

Its parts live beside it: actions, filters, export and the balance panel (``ledger_*`` modules).
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import ClassVar

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.ledger import KINDS, PARTY_IDS, EntryRecord
from tresxuno.domain.problems import InputError, StorageError
from tresxuno.formatting import entry_kind_label, party_label, stage_label
from tresxuno.i18n import N_, _, ngettext
from tresxuno.services.exports import ExportSummary
from tresxuno.services.ledger import count_entries, project_balance
from tresxuno.services.projects import get_project
from tresxuno.services.store import Database
from tresxuno.ui.dialogs.entries import ProjectPicker
from tresxuno.ui.errors import show_error
from tresxuno.ui.models.ledger import COLUMN_OF, COLUMNS, LedgerFilters, LedgerTableModel
from tresxuno.ui.settings import Settings
from tresxuno.ui.tasks import Task
from tresxuno.ui.views.ledger_actions import LedgerActions
from tresxuno.ui.views.ledger_balance import BalancePanel
from tresxuno.ui.views.ledger_export import ExportDialog as ExportDialog  # tests patch its ask
from tresxuno.ui.views.ledger_export import LedgerExport
from tresxuno.ui.views.ledger_filters import LedgerFilterControls
from tresxuno.ui.widgets.paged_table import PagedTableView

#: First fiscal year offered: the federal 3x1 programme started in 2002.
FIRST_FISCAL_YEAR = 2002
#: Money columns: never elided (a cut amount misreads), so they grow as pages with wider amounts arrive.
_MONEY_KEYS = ("in", "out", "balance")
#: Pages read at most to find and select an entry just recorded (further down, it is not scrolled to).
_SELECT_PAGES = 10

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


class LedgerView(LedgerActions, LedgerFilterControls, LedgerExport, PagedTableView):
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
    table_state_name = "ledger"
    stretch_key = "detail"
    fixed_keys = ("date", "in", "out")
    #: Widest cells the automatic fit gives free-text columns, in average characters (the rest is elided,
    #: the whole entry is in the row's tooltip).
    max_chars: ClassVar[dict[str, int]] = {"party": 12, "reference": 13, "reversal": 12}

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
        # The dollar details start hidden; the project's own Libro needs no folio column.
        hidden = [c.key for c in COLUMNS if c.hidden]
        self.hidden_keys = (*hidden, "folio") if project_id is not None else tuple(hidden)

        self._make_actions()
        self.project = ProjectPicker(db, self)
        self.project.setAccessibleName(_("Project"))
        self.project.edit.setAccessibleName(_("Project (folio)"))
        self.project.edit.setToolTip(_("Type a folio or part of the project's name, then Enter (Ctrl+F)"))
        self.project.changed.connect(lambda _c: self.apply_filters())
        # Narrow combos leave the folio search room.
        self.year = self._filter_combo(_("Fiscal year"), _("All years"), 9)
        for year in range(date.today().year, FIRST_FISCAL_YEAR - 1, -1):
            self.year.addItem(str(year), year)
        self.kind = self._filter_combo(_("Type"), _("All types"), 9)
        for kind in KINDS:
            self.kind.addItem(entry_kind_label(kind), kind)
        self.party = self._filter_combo(_("Party"), _("All parties"), 9)
        for party in PARTY_IDS:
            self.party.addItem(party_label(party), party)
        self.start = self._date(_("From date"))
        self.end = self._date(_("To date"))
        self.clear_button = QPushButton(_("C&lear filters"), self)
        self.clear_button.clicked.connect(self.clear_filters)

        self.table = self._make_table(_("Ledger entries"))
        self.message = self._make_message()
        self.empty_clear = QPushButton(_("Clear filters"), self)
        self.empty_clear.clicked.connect(self.clear_filters)
        self.empty_record = QPushButton(self.contribution_action.text().replace("&", ""), self)
        self.empty_record.clicked.connect(self.contribution_action.trigger)
        self.pages = self._make_pages(self.empty_record, self.empty_clear)
        self.balance_panel = BalancePanel(self)

        self._lay_out()
        self._gate_by_role()
        self._connect_model()
        self.model.rowsInserted.connect(self._rows_arrived)
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

    def table_menu(self) -> QMenu:
        """The table's context menu: every action of the page, and the column chooser."""
        return self.actions_menu()

    def _widen(self, key: str, number: int, width: int) -> int:
        """Money fits the widest amount loaded (never cut)."""
        if key in _MONEY_KEYS:
            width = max(width, self._money_width(number, 0, self.model.rowCount()))
        return width

    def _capped(self, key: str, number: int, width: int) -> int:
        """Capped even below a long header: the whole entry is in the row's tooltip."""
        metrics = self.table.fontMetrics()
        return min(width, metrics.averageCharWidth() * self.max_chars[key] + self._padding())

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
            balance, _("{name} — stage: {stage}").format(name=detail.name, stage=stage_label(detail.stage))
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
        """Remember which columns are shown and their widths (not those of a project's own Libro)."""
        if self._fixed_project is None:
            super().save_layout(settings)

    def restore_layout(self, settings: Settings) -> None:
        """Columns as the officer left them."""
        if self._fixed_project is None:
            super().restore_layout(settings)

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
