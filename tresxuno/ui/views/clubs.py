"""Clubs and federations: a federations panel above a lazily filled table of clubs and their tomas de nota.

Choosing a federation in the panel filters the clubs; the search box (250 ms after the last key) and
the toma de nota status filter narrow them further. Every status is shown as words and an icon, so
the officer sees at a glance which clubs must renew before they can submit projects.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from itertools import pairwise
from typing import ClassVar

from PySide6.QtCore import QByteArray, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.problems import StorageError
from tresxuno.domain.validation import TomaStatus
from tresxuno.i18n import N_, _, ngettext
from tresxuno.services.clubs import (
    NO_FEDERATION,
    ClubRow,
    FederationRow,
    count_clubs,
    list_federations_with_counts,
)
from tresxuno.services.store import Database
from tresxuno.ui.dialogs.audit import HistoryDialog
from tresxuno.ui.dialogs.club import ClubDialog
from tresxuno.ui.dialogs.federation import FederationDialog
from tresxuno.ui.errors import show_error
from tresxuno.ui.models.clubs import (
    COLUMN_OF,
    ClubFilters,
    ClubTableModel,
    status_icon,
    status_label,
)
from tresxuno.ui.settings import Settings
from tresxuno.ui.views.base import ViewState
from tresxuno.ui.widgets.paged_table import SEARCH_DELAY_MS as SEARCH_DELAY_MS  # tests wait for it
from tresxuno.ui.widgets.paged_table import PagedTableView

#: Name of the splitter's layout kept in the settings.
_SPLITTER_STATE = "clubs.splitter"
#: Columns hidden until the officer shows them (header's context menu): the panel beside the table
#: already groups clubs by federation, and the city column says the US state ("Chicago, IL").
HIDDEN_BY_DEFAULT = ("federation", "us_state")
#: Column of the federations panel holding the number of clubs.
COUNT_COLUMN = 3
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
#: Panel entries that are not federations (their data in the tree's UserRole).
_ALL = "all"
#: Key of the "no federation" entry (the service's NO_FEDERATION value).
_NONE = NO_FEDERATION


class _MiddleElide(QStyledItemDelegate):
    """Elides a cell's text in the middle, where long names that share a beginning differ least."""

    def initStyleOption(  # noqa: N802 - Qt API
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        """Qt's own option, with the elision moved to the middle."""
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


class ClubsView(PagedTableView):
    """Browse, register and edit clubs and federations; the status bar shows how many clubs match.

    Args:
        db: the open database.
        parent: the main window.
        today: the day toma de nota statuses are computed for (the computer's date, read at each
            refresh; tests pass a fixed day).
    """

    key = "clubs"
    title_msgid = N_("Clubs and federations")
    icon_pixmap = QStyle.StandardPixmap.SP_DirHomeIcon
    table_state_name = "clubs"
    stretch_key = "name"
    fixed_keys = ("name",)
    hidden_keys = HIDDEN_BY_DEFAULT
    sort_key = "name"
    #: Widest the automatic fit makes free-text columns, in average characters (the rest is elided,
    #: with the full text in a tooltip).
    max_chars: ClassVar[dict[str, int]] = {"federation": 30, "municipality": 20, "us_city": 20}

    def __init__(
        self, db: Database, parent: QWidget | None = None, *, today: Callable[[], date] = date.today
    ):
        super().__init__(parent)
        self._db = db
        self._fitted = False
        self._new_shortcut: QShortcut | None = None
        self._federations: list[FederationRow] = []
        self._club_total = 0  # clubs in the whole database, whatever the filters
        # Loaded at the end, once its failure signal is connected.
        self.model = ClubTableModel(db, self, today=today, load=False)

        self.search = self._make_search(
            _("Search by club, folio, city, municipality or federation"),
            _("Search clubs"),
            _("Search by club, folio, city, municipality or federation (Ctrl+F)"),
        )

        self.status = QComboBox(self)
        self.status.setAccessibleName(_("Toma de nota status"))
        self.status.addItem(_("All statuses"), None)
        for status in (TomaStatus.VALID, TomaStatus.EXPIRING, TomaStatus.LAPSED, TomaStatus.NOT_YET_VALID):
            self.status.addItem(status_icon(status), status_label(status), status)
        self.status.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.status.currentIndexChanged.connect(self.apply_filters)

        self.new_button = QPushButton(_("&New club"), self)
        self.new_button.setToolTip(_("Register a club and its toma de nota (Ctrl+N)"))
        self.new_button.clicked.connect(self.new_record)
        self.edit_button = QPushButton(_("Edi&t club"), self)
        self.edit_button.setToolTip(_("Edit the chosen club or renew its toma de nota (Enter)"))
        self.edit_button.clicked.connect(self.edit_current)
        self.history_button = QPushButton(_("Change &history…"), self)
        self.history_button.setToolTip(_("Who changed the chosen club, when, and what"))
        self.history_button.clicked.connect(self.show_history)
        self.new_federation_button = QPushButton(_("New fe&deration"), self)
        self.new_federation_button.setToolTip(_("Register a federation of clubs (Ctrl+Shift+N)"))
        self.new_federation_button.clicked.connect(self.new_federation)

        self.federations = self._make_federations()
        self.edit_federation_button = QPushButton(_("Edit fede&ration"), self)
        self.edit_federation_button.setToolTip(_("Edit the chosen federation"))
        self.edit_federation_button.clicked.connect(self.edit_federation)
        self.table = self._make_table(_("Clubs"))
        # Federation names differ at the end ("... del Sur de California"): elide in the middle.
        self.table.setItemDelegateForColumn(COLUMN_OF["federation"], _MiddleElide(self.table))
        self.table.doubleClicked.connect(lambda _index: self.edit_current())
        self.message = self._make_message()
        self.message_new = QPushButton(_("Register the first club"), self)
        self.message_new.clicked.connect(self.new_record)
        self.clear_button = QPushButton(_("Clear search and filters"), self)
        self.clear_button.clicked.connect(self.clear_filters)
        self.pages = self._make_pages(self.message_new, self.clear_button)
        # The panel sits above the clubs: side by side, at 1280 pixels, neither the long federation
        # names nor the club names had room.
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self._federations_panel())
        self.splitter.addWidget(self.pages)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        row = self.federations.fontMetrics().height() + 6
        self.splitter.setSizes([8 * row, 600])

        self._lay_out()
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            QShortcut(
                QKeySequence(key), self.table, self.edit_current, context=Qt.ShortcutContext.WidgetShortcut
            )
        QShortcut(QKeySequence("Ctrl+Shift+N"), self, self.new_federation)
        self._connect_model()
        self.table.selectionModel().currentRowChanged.connect(lambda *_args: self._update_buttons())
        self._load_federations()
        self.model.refresh()

    # -- building --------------------------------------------------------------------------------

    def _make_federations(self) -> QTreeWidget:
        tree = QTreeWidget(self)
        tree.setAccessibleName(_("Federations"))
        tree.setColumnCount(4)
        tree.setHeaderLabels([_("Federation"), _("State (Mexico)"), _("US region"), _("Clubs")])
        tree.setRootIsDecorated(False)
        tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        tree.setUniformRowHeights(True)
        tree.setAlternatingRowColors(True)
        tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        tree.headerItem().setTextAlignment(COUNT_COLUMN, _RIGHT)
        tree.currentItemChanged.connect(lambda *_args: self._on_federation_chosen())
        tree.itemDoubleClicked.connect(lambda item, _column: self.edit_federation())
        return tree

    def _federations_panel(self) -> QWidget:
        panel = QWidget(self)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel(_("Federati&ons"), panel)
        title.setBuddy(self.federations)
        bar = QHBoxLayout()
        bar.addWidget(title)
        bar.addStretch(1)
        bar.addWidget(self.edit_federation_button)
        layout.addLayout(bar)
        layout.addWidget(self.federations, 1)
        # At least the header and three rows, however far the officer drags the splitter.
        row = self.federations.fontMetrics().height() + 6
        self.federations.setMinimumHeight(5 * row)
        return panel

    def _lay_out(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        label = QLabel(_("Toma de nota &status:"), self)
        label.setBuddy(self.status)
        bar.addSpacing(8)
        bar.addWidget(label)
        bar.addWidget(self.status)
        bar.addSpacing(16)
        bar.addWidget(self.new_button)
        bar.addWidget(self.edit_button)
        bar.addWidget(self.history_button)
        bar.addWidget(self.new_federation_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)
        chain = (
            self.search,
            self.status,
            self.new_button,
            self.edit_button,
            self.history_button,
            self.new_federation_button,
            self.edit_federation_button,
            self.federations,
            self.table,
            self.message_new,
            self.clear_button,
        )
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        """Ctrl+N registers a club while this page is shown, unless the window routes Ctrl+N itself."""
        super().showEvent(event)
        if self._new_shortcut is None and not self._window_offers_new():
            # A window shortcut on a page of a stacked widget fires only while the page is shown.
            self._new_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.New), self, self.new_record)

    def _window_offers_new(self) -> bool:
        """Whether the main window has its own Ctrl+N action (which then calls :meth:`new_record`)."""
        new = QKeySequence(QKeySequence.StandardKey.New)
        window = self.window()
        if window is self:
            return False
        for action in window.findChildren(QAction):
            owner = action.parent()
            mine = isinstance(owner, QWidget) and (owner is self or self.isAncestorOf(owner))
            if action.shortcut() == new and not mine:
                return True
        return False

    # -- federations panel -----------------------------------------------------------------------

    def _load_federations(self) -> None:
        """Fill the panel with the federations and their club counts, keeping the chosen entry."""
        chosen = self._chosen_federation()
        try:
            federations = list_federations_with_counts(self._db)
            total = count_clubs(self._db)
        except StorageError as exc:
            show_error(self.window(), exc)
            return
        self._federations = federations
        self._club_total = total
        tree = self.federations
        tree.blockSignals(True)
        tree.clear()
        entries: list[tuple[list[str], int | str, int, str]] = [
            ([_("All federations"), "", ""], _ALL, total, "")
        ]
        for f in federations:
            tooltip = f.name + ("\n" + _("Contact: {contact}").format(contact=f.contact) if f.contact else "")
            entries.append(([f.name, f.mx_state_name, f.us_region], f.id, f.clubs, tooltip))
        entries.append(([_("No federation"), "", ""], _NONE, total - sum(f.clubs for f in federations), ""))
        current = None
        for texts, key, count, tooltip in entries:
            item = QTreeWidgetItem([*texts, f"{count:,}"])
            item.setData(0, Qt.ItemDataRole.UserRole, key)
            item.setTextAlignment(COUNT_COLUMN, _RIGHT)
            item.setToolTip(0, tooltip or texts[0])
            item.setData(
                COUNT_COLUMN,
                Qt.ItemDataRole.AccessibleTextRole,
                ngettext("{count} club", "{count} clubs", count).format(count=count),
            )
            if key in (_ALL, _NONE):
                font = item.font(0)
                font.setItalic(True)
                item.setFont(0, font)
            tree.addTopLevelItem(item)
            if key == chosen:
                current = item
        tree.setCurrentItem(current or tree.topLevelItem(0))
        tree.blockSignals(False)
        self._update_buttons()

    def _chosen_federation(self) -> int | str:
        """The panel's chosen entry: ``"all"``, :data:`NO_FEDERATION` or a federation id."""
        item = self.federations.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else _ALL

    def current_federation(self) -> FederationRow | None:
        """The federation chosen in the panel (None for "all" and "no federation")."""
        key = self._chosen_federation()
        return next((f for f in self._federations if f.id == key), None)

    def choose_federation(self, federation_id: int | None) -> None:
        """Choose a federation in the panel (None: all federations) and filter the clubs by it."""
        wanted = _ALL if federation_id is None else federation_id
        for row in range(self.federations.topLevelItemCount()):
            item = self.federations.topLevelItem(row)
            if item.data(0, Qt.ItemDataRole.UserRole) == wanted:
                self.federations.setCurrentItem(item)
                return

    def _on_federation_chosen(self) -> None:
        self._update_buttons()
        self.apply_filters()

    # -- behaviour -------------------------------------------------------------------------------

    def filters(self) -> ClubFilters:
        """The filters the controls describe now."""
        chosen = self._chosen_federation()
        return ClubFilters(
            text=self.search.text().strip(),
            status=self.status.currentData(),
            federation_id=chosen if isinstance(chosen, int) else None,
        )

    def apply_filters(self) -> None:
        """Show the clubs matching the search box, status and federation (runs the query now)."""
        self._debounce.stop()
        self.model.set_filters(self.filters())

    def clear_filters(self) -> None:
        """Back to every club."""
        for widget in (self.status, self.federations, self.search):
            widget.blockSignals(True)
        self.status.setCurrentIndex(0)
        self.federations.setCurrentItem(self.federations.topLevelItem(0))
        self.search.clear()
        for widget in (self.status, self.federations, self.search):
            widget.blockSignals(False)
        self.apply_filters()
        self._update_buttons()
        self.search.setFocus()

    def refresh(self) -> None:
        """Read federations and clubs again, with the same search, filters and order."""
        self._load_federations()
        self.model.refresh()

    def current_club(self) -> ClubRow | None:
        """The club chosen in the table, if any."""
        index = self.table.currentIndex()
        return self.model.club(index.row()) if index.isValid() else None

    def select_club(self, club_id: int) -> bool:
        """Choose club ``club_id`` in the table (a club opened from another page, or just saved).

        When the search or filters hide it, they are cleared; pages are loaded until it shows.
        Returns False when there is no such club.
        """
        row = self._loaded_row(club_id)
        if row < 0 and self.model.filters != ClubFilters():
            self.clear_filters()
            row = self._loaded_row(club_id)
        if row < 0:
            return False
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        return True

    def _loaded_row(self, club_id: int) -> int:
        """The row of ``club_id``, fetching further pages while it is not among the loaded ones."""
        row = self.model.row_of(club_id)
        while row < 0 and self.model.canFetchMore():
            self.model.fetchMore()
            row = self.model.row_of(club_id)
        return row

    def select_federation(self, federation_id: int) -> bool:
        """Choose federation ``federation_id`` in the panel, showing its clubs."""
        self.choose_federation(federation_id)
        return self._chosen_federation() == federation_id

    def new_record(self) -> None:
        """Register a club (Ctrl+N): the dialog, then the list again with the new club chosen."""
        club = ClubDialog.ask(self.window(), self._db)
        if club is not None:
            self.refresh()
            self.select_club(club.id)

    def edit_current(self) -> None:
        """Edit the chosen club (Enter or double-click), renewing its toma de nota if need be."""
        current = self.current_club()
        if current is None:
            return
        club = ClubDialog.ask(self.window(), self._db, current)
        if club is not None:
            self.refresh()
            self.select_club(club.id)
        self.table.setFocus()

    def show_history(self) -> None:
        """The chosen club's change history from the audit trail."""
        current = self.current_club()
        if current is not None:
            HistoryDialog.ask(self.window(), self._db, "clubs", current.id, current.name)

    def new_federation(self) -> None:
        """Register a federation (Ctrl+Shift+N) and choose it in the panel."""
        federation = FederationDialog.ask(self.window(), self._db)
        if federation is not None:
            self._load_federations()
            self.choose_federation(federation.id)

    def edit_federation(self) -> None:
        """Edit the federation chosen in the panel (double-click on it)."""
        current = self.current_federation()
        if current is None:
            return
        if FederationDialog.ask(self.window(), self._db, current) is not None:
            self.refresh()

    def _update_buttons(self) -> None:
        self.edit_button.setEnabled(self.current_club() is not None)
        self.history_button.setEnabled(self.current_club() is not None)
        self.edit_federation_button.setEnabled(self.current_federation() is not None)

    def save_layout(self, settings: Settings) -> None:
        """Remember the columns (shown, widths, sort order) and the panel's width."""
        super().save_layout(settings)
        settings.set_table_state(_SPLITTER_STATE, bytes(self.splitter.saveState().data()))

    def restore_layout(self, settings: Settings) -> None:
        """Columns, order and panel width as the officer left them."""
        splitter = settings.table_state(_SPLITTER_STATE)
        if splitter:
            self.splitter.restoreState(QByteArray(splitter))
        super().restore_layout(settings)

    def view_state(self) -> ViewState:
        """The search, status filter and the federation chosen in the panel (kept across a rebuild)."""
        state = super().view_state()
        state["federation"] = self._chosen_federation()
        return state

    def restore_view_state(self, state: ViewState) -> None:
        """Put back :meth:`view_state`, then show the matching clubs."""
        chosen = state.get("federation", _ALL)
        self.federations.blockSignals(True)
        self.choose_federation(chosen if isinstance(chosen, int) else None)
        self.federations.blockSignals(False)
        super().restore_view_state({k: v for k, v in state.items() if k != "federation"})

    def status_text(self) -> str:
        """``"45 clubs"`` for the current search and filters."""
        total = self.model.total_count()
        return ngettext("{count} club", "{count} clubs", total).format(count=f"{total:,}")

    def _show_empty(self) -> None:
        """No clubs at all (how to register the first), or none matching (clear the filters)."""
        if self.model.filters == ClubFilters() or self._club_total == 0:
            self.message.setText(
                _(
                    "No clubs registered yet.\n\nTo register the first club, choose “New club” (Ctrl+N) and fill "
                    "in its toma de nota: folio, who issued it and its dates. If the club belongs to a "
                    "federation, register the federation first with “New federation”."
                )
            )
            self.message_new.show()
            self.clear_button.hide()
        else:
            self.message.setText(_("No club matches the search and filters."))
            self.message_new.hide()
            self.clear_button.show()

    def _after_total(self) -> None:
        self._update_buttons()
