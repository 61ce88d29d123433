"""A page listing a lazily filled SQL table: the clubs, projects and ledger pages are built on it.

What those pages shared lives here once: the table's set-up, the debounced search box, the columns
menu and the automatic column widths, the page shown instead of an empty table, and the header's
layout remembered in the settings. Each page keeps its own filters, buttons and empty-state texts.
"""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QStackedWidget,
    QStyle,
    QTableView,
)

from tresxuno.i18n import _
from tresxuno.ui.errors import show_error
from tresxuno.ui.models.paged import SqlPagedModel
from tresxuno.ui.settings import Settings
from tresxuno.ui.views.base import View, message_page

#: Milliseconds of typing pause before the search runs: with the first page read before the count
#: (see ``SqlPagedModel.defer_next_count``), rows answer within 150 ms of the last keystroke (a
#: word over 30,000 projects: 50 ms of pause and about 80 ms of query).
SEARCH_DELAY_MS = 50


class PagedTableView(View):
    """A :class:`View` over one :class:`SqlPagedModel` shown in :attr:`table`.

    A subclass creates :attr:`model` first, then calls the ``_make_*`` builders it needs, and
    implements :meth:`_show_empty` (what the message page says) besides the :class:`View` methods.
    """

    #: Name of the table's header state in the settings.
    table_state_name: ClassVar[str]
    #: Key of the column stretched over the room the others leave.
    stretch_key: ClassVar[str]
    #: Columns the columns menu cannot hide.
    fixed_keys: ClassVar[tuple[str, ...]] = ()
    #: Columns hidden until the officer shows them (header's context menu).
    hidden_keys: ClassVar[tuple[str, ...]] = ()
    #: The column (and ascending order) sorted on at first; None for a model in a fixed order.
    sort_key: ClassVar[str | None] = None
    #: Widest cells the automatic fit gives free-text columns, in average characters (the rest is
    #: elided, the full text in a tooltip).
    max_chars: ClassVar[dict[str, int]] = {}

    model: SqlPagedModel
    table: QTableView
    message: QLabel
    pages: QStackedWidget
    search: QLineEdit
    _fitted: bool = False

    # -- building --------------------------------------------------------------------------------

    def column_of(self, key: str) -> int:
        """The number of the model's column ``key``."""
        return next(n for n, column in enumerate(self.model.COLUMNS) if column.key == key)

    def _make_search(self, placeholder: str, accessible_name: str, tooltip: str) -> QLineEdit:
        """The search box, run :data:`SEARCH_DELAY_MS` after the last key (or at once on Enter).

        Ctrl+F comes to it, Escape clears it.
        """
        search = QLineEdit(self)
        search.setPlaceholderText(placeholder)
        search.setClearButtonEnabled(True)
        search.setAccessibleName(accessible_name)
        search.setToolTip(tooltip)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self._typed_search)
        search.textChanged.connect(self._debounce.start)
        search.returnPressed.connect(self.apply_filters)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, self.focus_search)
        QShortcut(
            QKeySequence(Qt.Key.Key_Escape),
            search,
            search.clear,
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        return search

    def _typed_search(self) -> None:
        """The debounced search: its first page shows before the rows are counted."""
        self.model.defer_next_count = True
        self.apply_filters()
        self.model.defer_next_count = False  # unused when the filters did not change

    def _filter_combo(self, label: str, everything: str, min_chars: int) -> QComboBox:
        """A filter's combo box, its first choice ``everything`` (no filter); it filters at once."""
        combo = QComboBox(self)
        combo.setAccessibleName(label)
        combo.addItem(everything, None)
        # Narrow combos leave the search box room; the open list still shows whole labels.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(min_chars)
        combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        return combo

    def _make_table(self, accessible_name: str) -> QTableView:
        """The table over :attr:`model`: whole rows chosen one at a time, uniform rows, no cell tabbing."""
        table = QTableView(self)
        table.setAccessibleName(accessible_name)
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        # Tab moves on to the next control instead of walking every cell (arrows still do that).
        table.setTabKeyNavigation(False)
        rows = table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform rows: cheap scrolling
        rows.setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(self.column_of(self.stretch_key), QHeaderView.ResizeMode.Stretch)
        for key in self.hidden_keys:
            header.setSectionHidden(self.column_of(key), True)
        # The column menu from the header; the table's own menu (keyboard: Menu key, Shift+F10).
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(
            lambda pos: self.columns_menu().popup(header.mapToGlobal(pos))
        )
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(lambda pos: self.table_menu().popup(table.mapToGlobal(pos)))
        if self.sort_key is not None:
            # Set the indicator first: enabling sorting sorts by it at once (Qt's default is descending).
            header.setSortIndicator(self.column_of(self.sort_key), Qt.SortOrder.AscendingOrder)
            table.setSortingEnabled(True)
        return table

    def _make_message(self) -> QLabel:
        """The label of the page shown instead of an empty table."""
        message = QLabel(self)
        message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        message.setWordWrap(True)
        message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return message

    def _make_pages(self, *buttons: QAbstractButton) -> QStackedWidget:
        """The table (page 0) or, when nothing shows, :attr:`message` with ``buttons`` (page 1)."""
        pages = QStackedWidget(self)
        pages.addWidget(self.table)
        pages.addWidget(message_page(self, self.message, *buttons))
        return pages

    def _connect_model(self) -> None:
        """A new count switches between the table and the message; a failed query is shown."""
        self.model.total_changed.connect(self._on_total)
        self.model.load_failed.connect(lambda exc: show_error(self.window(), exc))

    # -- columns ---------------------------------------------------------------------------------

    def table_menu(self) -> QMenu:
        """The table's context menu: the columns menu, unless the page offers more."""
        return self.columns_menu()

    def columns_menu(self) -> QMenu:
        """A menu of the columns, each checked when shown; the :attr:`fixed_keys` always stay."""
        menu = QMenu(_("Columns"), self)
        header = self.table.horizontalHeader()
        for number, column in enumerate(self.model.COLUMNS):
            action = menu.addAction(_(column.header))
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(number))
            action.setEnabled(column.key not in self.fixed_keys)
            action.toggled.connect(lambda shown, n=number: self.show_column(n, shown))
        return menu

    def show_column(self, number: int, shown: bool) -> None:
        """Show or hide a column; one shown for the first time gets a fitted width."""
        header = self.table.horizontalHeader()
        header.setSectionHidden(number, not shown)
        if shown:
            self._fit_column(number)

    def _padding(self) -> int:
        return 2 * self.table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 16

    def _fit_columns(self) -> None:
        """Size the shown columns to the headers and loaded rows; the stretched one takes the rest."""
        header = self.table.horizontalHeader()
        for number in range(len(self.model.COLUMNS)):
            if not header.isSectionHidden(number):
                self._fit_column(number)

    def _fit_column(self, number: int) -> None:
        """Size one column to its header and loaded cells, capping free text (elided, full in a tooltip)."""
        column = self.model.COLUMNS[number]
        if column.key == self.stretch_key:
            return  # stretched over the room the others leave
        header = self.table.horizontalHeader()
        width = max(header.sectionSizeHint(number), self.table.sizeHintForColumn(number))
        width = self._widen(column.key, number, width)
        if column.key in self.max_chars:
            width = self._capped(column.key, number, width)
        header.resizeSection(number, width)

    def _widen(self, key: str, number: int, width: int) -> int:
        """A column's fitted width, widened where the loaded rows are not enough (none by default)."""
        return width

    def _capped(self, key: str, number: int, width: int) -> int:
        """``width`` capped at :attr:`max_chars` characters, never below the header."""
        header = self.table.horizontalHeader()
        chars = self.table.fontMetrics().averageCharWidth() * self.max_chars[key]
        return min(width, max(header.sectionSizeHint(number), chars))

    # -- what the table shows --------------------------------------------------------------------

    def _on_total(self, total: int) -> None:
        if total:
            if not self._fitted:
                self._fit_columns()
                self._fitted = True
            self.pages.setCurrentIndex(0)
        else:
            self._show_empty()
            self.pages.setCurrentIndex(1)
        self._after_total()
        self.status_changed.emit(self.status_text())

    def _show_empty(self) -> None:
        """Say why the table is empty and offer what to do next."""
        raise NotImplementedError

    def _after_total(self) -> None:
        """What else follows a new count (buttons, widths), before the status bar hears of it."""

    def apply_filters(self) -> None:
        """Show the rows matching the controls (runs the query now)."""
        raise NotImplementedError

    def focus_search(self) -> None:
        """Ctrl+F: to the search box, its text selected so typing replaces it."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # -- remembered layout -----------------------------------------------------------------------

    def save_layout(self, settings: Settings) -> None:
        """Remember which columns are shown, their widths and the sort order."""
        settings.set_table_state(
            self.table_state_name, bytes(self.table.horizontalHeader().saveState().data())
        )

    def restore_layout(self, settings: Settings) -> None:
        """Columns and order as the officer left them (the automatic fit then leaves widths alone)."""
        state = settings.table_state(self.table_state_name)
        header = self.table.horizontalHeader()
        if not state or not header.restoreState(QByteArray(state)):
            return
        self._fitted = True
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
