"""The project list: search, filters by fiscal year, programme and stage, and a lazily filled table.

Typing in the search box waits 250 ms after the last key before querying, so a fast typist on a
large database causes one query instead of one per letter; the combo boxes filter at once.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QByteArray, QModelIndex, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedWidget,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.problems import RuleSetError, StorageError
from tresxuno.formatting import CATEGORY_LABELS, STAGE_LABELS, category_label, money_text
from tresxuno.i18n import N_, _, language, ngettext
from tresxuno.services.projects import ProjectFilters, count_projects
from tresxuno.services.rules import rulebook
from tresxuno.services.store import Database, database_url
from tresxuno.ui.dialogs.project import ProjectDialog
from tresxuno.ui.errors import show_error
from tresxuno.ui.models.projects import COLUMN_OF, COLUMNS, ProjectRole, ProjectTableModel
from tresxuno.ui.settings import Settings
from tresxuno.ui.tasks import Task
from tresxuno.ui.views.base import View, message_page
from tresxuno.ui.views.project_detail import ProjectRecord

#: Milliseconds of typing pause before the search runs.
SEARCH_DELAY_MS = 250
#: First fiscal year offered: the federal 3x1 programme started in 2002.
FIRST_FISCAL_YEAR = 2002
#: Programmes shipped, in the order officers name them; rule files may add others.
PROGRAMMES = ("3x1", "4x1", "2x1-zacatecas")
#: Widest cells the automatic fit gives free-text columns, in average characters (the rest is elided
#: with the full text in a tooltip): at 1280 pixels the project's name must keep room, and the cost
#: must stay on screen.
_MAX_CHARS = {"stage": 16, "club": 26, "municipality": 18}
#: Columns hidden until the officer shows them (header's context menu): the folio already says the
#: programme and fiscal year ("3X1-2019-32020-0004"), and the filters above select by both.
HIDDEN_BY_DEFAULT = ("fiscal_year", "program")
#: Name of the table's header state in the settings.
_TABLE_STATE = "projects"
#: Largest amount the cost column is sized for (a big infrastructure project), in centavos.
_WIDEST_COST = 99_999_999_99


def _programme_names() -> dict[str, str]:
    """Programme ids and their names in the current language, shipped ones first.

    A broken administrator rule file must not keep the list from opening: the ids alone still filter.
    """
    try:
        programs = rulebook().programs
    except RuleSetError:
        return {p: p for p in PROGRAMMES}
    order = [p for p in PROGRAMMES if p in programs] + sorted(p for p in programs if p not in PROGRAMMES)
    return {p: programs[p].name(language()) for p in order} or {p: p for p in PROGRAMMES}


class ProjectsView(View):
    """Search and browse every project; the status bar shows how many match."""

    key = "projects"
    title_msgid = N_("Projects")
    icon_pixmap = QStyle.StandardPixmap.SP_FileDialogDetailedView

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self._fitted = False
        self.report_task: Task | None = None
        # Loaded at the end, once its failure signal is connected: a locked database at start-up
        # must be reported, not shown as an empty list.
        self.model = ProjectTableModel(db, self, load=False)

        self.search = QLineEdit(self)
        self.search.setPlaceholderText(_("Search by folio, project, club or municipality"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(_("Search projects"))
        self.search.setToolTip(_("Search by folio, project, club or municipality (Ctrl+F)"))
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self.apply_filters)

        self.year = self._combo(_("Fiscal year"), _("All years"))
        for year in range(date.today().year + 1, FIRST_FISCAL_YEAR - 1, -1):
            # Next year too: requests for the coming fiscal year are taken in the current one.
            self.year.addItem(str(year), year)
        self.programme = self._combo(_("Programme"), _("All programmes"))
        for program_id, name in _programme_names().items():
            self.programme.addItem(program_id, program_id)
            self.programme.setItemData(self.programme.count() - 1, name, Qt.ItemDataRole.ToolTipRole)
        self.stage = self._combo(_("Stage"), _("All stages"))
        for stage, label in STAGE_LABELS.items():
            self.stage.addItem(_(label), stage.value)

        self.table = self._make_table()
        # Double-click or Enter on a row opens the project's record.
        self.table.activated.connect(self.open_project)
        self.new_button = QPushButton(_("New project…"), self)
        self.new_button.setToolTip(_("Capture a new project request"))
        self.new_button.clicked.connect(self.new_record)
        self.message = QLabel(self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.clear_button = QPushButton(_("Clear search and filters"), self)
        self.clear_button.clicked.connect(self.clear_filters)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.table)
        self.pages.addWidget(message_page(self, self.message, self.clear_button))

        self._lay_out()
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, self.focus_search)
        QShortcut(
            QKeySequence(Qt.Key.Key_Escape),
            self.search,
            self.search.clear,
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        self.model.total_changed.connect(self._on_total)
        self.model.load_failed.connect(lambda exc: show_error(self.window(), exc))
        self.model.refresh()

    # -- building --------------------------------------------------------------------------------

    def _combo(self, label: str, everything: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(label)
        combo.addItem(everything, None)
        # Narrow combos leave the search box room; the open list still shows whole labels. Wide enough
        # for the "all" choice shown at first ("Todos los programas"), which must not be clipped.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(11)
        combo.setMinimumWidth(combo.fontMetrics().horizontalAdvance(everything) + 36)  # text, arrow, frame
        combo.currentIndexChanged.connect(self.apply_filters)
        return combo

    def _make_table(self) -> QTableView:
        table = QTableView(self)
        table.setAccessibleName(_("Projects"))
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        # Tab moves on to the next control instead of walking every cell (arrows still do that).
        table.setTabKeyNavigation(False)
        table.verticalHeader().hide()
        rows = table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform rows: cheap scrolling
        rows.setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COLUMN_OF["name"], QHeaderView.ResizeMode.Stretch)
        for key in HIDDEN_BY_DEFAULT:
            header.setSectionHidden(COLUMN_OF[key], True)
        # The column menu, from the header or (keyboard: Menu key, Shift+F10) from the table.
        for widget in (header, table):
            widget.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            widget.customContextMenuRequested.connect(
                lambda pos, w=widget: self.columns_menu().popup(w.mapToGlobal(pos))
            )
        # Set the indicator first: enabling sorting sorts by it at once (Qt's default is descending).
        header.setSortIndicator(COLUMN_OF["folio"], Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)
        # Print (Ctrl+P) follows the selection: it prints the selected project's cédula.
        table.selectionModel().selectionChanged.connect(lambda *_args: self.actions_changed.emit())
        return table

    def columns_menu(self) -> QMenu:
        """A menu of the columns, each checked when shown; the folio always stays."""
        menu = QMenu(_("Columns"), self)
        header = self.table.horizontalHeader()
        for number, column in enumerate(COLUMNS):
            action = menu.addAction(_(column.header))
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(number))
            action.setEnabled(column.key != "folio")
            action.toggled.connect(lambda shown, n=number: self.show_column(n, shown))
        return menu

    def _lay_out(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(self.new_button)
        # Wide enough to read most of the placeholder; the full text is also in the tooltip.
        self.search.setMinimumWidth(self.search.fontMetrics().horizontalAdvance("x") * 30)
        bar.addWidget(self.search, 1)
        for text, combo in (
            (_("Fiscal year:"), self.year),
            (_("Programme:"), self.programme),
            (_("Stage:"), self.stage),
        ):
            label = QLabel(text, self)
            label.setBuddy(combo)
            bar.addSpacing(8)
            bar.addWidget(label)
            bar.addWidget(combo)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)
        QWidget.setTabOrder(self.new_button, self.search)
        for first, second in (
            (self.search, self.year),
            (self.year, self.programme),
            (self.programme, self.stage),
            (self.stage, self.table),
            (self.table, self.clear_button),
        ):
            QWidget.setTabOrder(first, second)

    def _fit_columns(self) -> None:
        """Size the shown columns to the loaded rows and headers; the project name takes the rest."""
        header = self.table.horizontalHeader()
        for number in range(len(COLUMNS)):
            if not header.isSectionHidden(number):
                self._fit_column(number)

    def _fit_column(self, number: int) -> None:
        """Size one column to its header and loaded cells, capping free text (elided, full in a tooltip)."""
        column = COLUMNS[number]
        if column.key == "name":
            return  # stretched over the room the others leave
        header = self.table.horizontalHeader()
        metrics = self.table.fontMetrics()
        padding = 2 * self.table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 16
        width = max(header.sectionSizeHint(number), self.table.sizeHintForColumn(number))
        if column.key == "cost":
            widest = money_text(_WIDEST_COST)
            width = max(width, metrics.horizontalAdvance(widest) + padding)
        elif column.key == "category":
            # Seven labels, all short enough: each shown whole, whatever rows are loaded.
            labels = (metrics.horizontalAdvance(category_label(c)) + padding for c in CATEGORY_LABELS)
            width = max(width, *labels)
        if column.key in _MAX_CHARS:
            width = min(
                width,
                max(header.sectionSizeHint(number), metrics.averageCharWidth() * _MAX_CHARS[column.key]),
            )
        header.resizeSection(number, width)

    def show_column(self, number: int, shown: bool) -> None:
        """Show or hide a column; one shown for the first time gets a fitted width, not a sliver."""
        header = self.table.horizontalHeader()
        header.setSectionHidden(number, not shown)
        if shown and header.sectionSize(number) < header.sectionSizeHint(number):
            self._fit_column(number)

    # -- behaviour -------------------------------------------------------------------------------

    def filters(self) -> ProjectFilters:
        """The filters the controls describe now."""
        return ProjectFilters(
            fiscal_year=self.year.currentData(),
            program=self.programme.currentData(),
            stage=self.stage.currentData(),
            text=self.search.text().strip(),
        )

    def apply_filters(self) -> None:
        """Show the projects matching the search box and combos (runs the query now)."""
        self._debounce.stop()
        self.model.set_filters(self.filters())

    def clear_filters(self) -> None:
        """Back to every project."""
        for combo in (self.year, self.programme, self.stage):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.apply_filters()
        self.search.setFocus()

    def new_record(self) -> None:
        """Capture a new project request in the project form; the list shows it once stored."""
        if ProjectDialog.ask(self.window(), self._db) is not None:
            self.refresh()

    def open_project(self, index: QModelIndex) -> None:
        """Open the record of the project on ``index``'s row (refreshing the list if it changed)."""
        project = index.siblingAtColumn(0).data(ProjectRole) if index.isValid() else None
        if project is not None and ProjectRecord.ask(self.window(), self._db, project.id):
            self.refresh()

    def print_current(self) -> None:
        """Ctrl+P: the cédula of the selected project, in the report preview."""
        from tresxuno.ui.reporting import ReportOrder, file_name, start_report

        rows = self.table.selectionModel().selectedRows()
        project = rows[0].data(ProjectRole) if rows else None
        if project is None:
            return
        order = ReportOrder("project", file_name("project", project.folio), {"project_id": project.id})
        self.report_task = start_report(self.window(), self._db, order)

    def can_print(self) -> bool:
        """Print applies while a project is selected."""
        return bool(self.table.selectionModel().selectedRows())

    def refresh(self) -> None:
        """Query again with the same search, filters and order."""
        self.model.refresh()

    def save_layout(self, settings: Settings) -> None:
        """Remember which columns are shown, their widths and the sort order."""
        settings.set_table_state(_TABLE_STATE, bytes(self.table.horizontalHeader().saveState().data()))

    def restore_layout(self, settings: Settings) -> None:
        """Columns and order as the officer left them (the automatic fit then leaves widths alone)."""
        state = settings.table_state(_TABLE_STATE)
        header = self.table.horizontalHeader()
        if not state or not header.restoreState(QByteArray(state)):
            return
        self._fitted = True
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())

    def focus_search(self) -> None:
        """Ctrl+F: to the search box, its text selected so typing replaces it."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def status_text(self) -> str:
        """``"1,234 projects"`` for the current search and filters."""
        total = self.model.total_count()
        return ngettext("{count} project", "{count} projects", total).format(count=f"{total:,}")

    def _database_is_empty(self) -> bool:
        if self.model.filters == ProjectFilters():
            return True
        try:
            return count_projects(self._db) == 0
        except StorageError:
            return False  # the model reported it already; "no matches" is the safer guess

    def _demo_command(self) -> str:
        """The command that fills *this* database: ``tresxuno demo`` alone writes to the default one."""
        if database_url(None) == self._db.url:
            return "tresxuno demo"
        location = str(self._db.path) if self._db.path is not None else self._db.url
        return f'tresxuno --db "{location}" demo'

    def _on_total(self, total: int) -> None:
        if total:
            if not self._fitted:
                self._fit_columns()
                self._fitted = True
            self.pages.setCurrentIndex(0)
        elif self._database_is_empty():
            self.message.setText(
                _("No projects yet. To see example data, run: {command}\nthen press F5 to refresh.").format(
                    command=self._demo_command()
                )
            )
            self.clear_button.hide()
            self.pages.setCurrentIndex(1)
        else:
            self.message.setText(_("No project matches the search and filters."))
            self.clear_button.show()
            self.pages.setCurrentIndex(1)
        if not self._fitted:
            self._fit_columns()  # at least the headers and the cost fit, until rows arrive
        self.status_changed.emit(self.status_text())
