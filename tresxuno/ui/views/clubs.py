"""Clubs and federations: a federations panel above a lazily filled table of clubs and their tomas de nota.

Every toma de nota status shows as words and an icon; the panel lives in ``clubs_federations``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from itertools import pairwise
from typing import ClassVar

from PySide6.QtCore import QByteArray, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.validation import TomaStatus
from tresxuno.i18n import N_, _, ngettext
from tresxuno.services.clubs import ClubRow, FederationRow
from tresxuno.services.store import Database
from tresxuno.ui.dialogs.audit import HistoryDialog
from tresxuno.ui.dialogs.club import ClubDialog
from tresxuno.ui.models.clubs import COLUMN_OF, ClubFilters, ClubTableModel, status_icon, status_label
from tresxuno.ui.permissions import gate
from tresxuno.ui.settings import Settings
from tresxuno.ui.views.base import ViewState
from tresxuno.ui.views.clubs_federations import _ALL, FederationsPanel
from tresxuno.ui.views.clubs_federations import COUNT_COLUMN as COUNT_COLUMN  # tests read that column
from tresxuno.ui.widgets.paged_table import SEARCH_DELAY_MS as SEARCH_DELAY_MS  # tests wait for it
from tresxuno.ui.widgets.paged_table import PagedTableView

#: Name of the splitter's layout kept in the settings.
_SPLITTER_STATE = "clubs.splitter"
#: Columns hidden until the officer shows them (header's context menu): the panel beside the table
#: already groups clubs by federation, and the city column says the US state ("Chicago, IL").
HIDDEN_BY_DEFAULT = ("federation", "us_state")


class _MiddleElide(QStyledItemDelegate):
    """Elides a cell's text in the middle, where long names that share a beginning differ least."""

    def initStyleOption(  # noqa: N802 - Qt API
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        """Qt's own option, with the elision moved to the middle."""
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


class ClubsView(FederationsPanel, PagedTableView):
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
        gate(self.new_button, db, "clubs.edit")
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
