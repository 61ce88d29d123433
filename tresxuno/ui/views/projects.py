"""The project list: search, filters by fiscal year, programme and stage, and a lazily filled table.

Typing in the search box waits 100 ms after the last key before querying, so a fast typist on a
large database causes one query instead of one per letter; the combo boxes filter at once.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.problems import RuleSetError, StorageError
from tresxuno.formatting import CATEGORY_LABELS, STAGE_LABELS, category_label, money_text, stage_label
from tresxuno.i18n import N_, _, language, ngettext
from tresxuno.services.projects import ProjectFilters, count_projects
from tresxuno.services.rules import rulebook
from tresxuno.services.store import Database, database_url
from tresxuno.ui.dialogs.project import ProjectDialog
from tresxuno.ui.models.projects import ProjectRole, ProjectTableModel
from tresxuno.ui.permissions import gate
from tresxuno.ui.tasks import Task
from tresxuno.ui.views.project_detail import ProjectRecord
from tresxuno.ui.widgets.paged_table import SEARCH_DELAY_MS as SEARCH_DELAY_MS  # tests wait for it
from tresxuno.ui.widgets.paged_table import PagedTableView

#: First fiscal year offered: the federal 3x1 programme started in 2002.
FIRST_FISCAL_YEAR = 2002
#: Programmes shipped, in the order officers name them; rule files may add others.
PROGRAMMES = ("3x1", "4x1", "2x1-zacatecas")
#: Columns hidden until the officer shows them (header's context menu): the folio already says the
#: programme and fiscal year ("3X1-2019-32020-0004"), and the filters above select by both.
HIDDEN_BY_DEFAULT = ("fiscal_year", "program")
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


class ProjectsView(PagedTableView):
    """Search and browse every project; the status bar shows how many match."""

    key = "projects"
    title_msgid = N_("Projects")
    icon_pixmap = QStyle.StandardPixmap.SP_FileDialogDetailedView
    table_state_name = "projects"
    stretch_key = "name"
    fixed_keys = ("folio",)
    hidden_keys = HIDDEN_BY_DEFAULT
    sort_key = "folio"
    #: Widest cells the automatic fit gives free-text columns, in average characters (the rest is elided
    #: with the full text in a tooltip): at 1280 pixels the project's name must keep room, and the cost
    #: must stay on screen.
    max_chars: ClassVar[dict[str, int]] = {"club": 26, "municipality": 18}

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self._fitted = False
        self.report_task: Task | None = None
        # Loaded at the end, once its failure signal is connected: a locked database at start-up
        # must be reported, not shown as an empty list.
        self.model = ProjectTableModel(db, self, load=False)

        self.search = self._make_search(
            _("Search by folio, project, club or municipality"),
            _("Search projects"),
            _("Search by folio, project, club or municipality (Ctrl+F)"),
        )

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

        self.table = self._make_table(_("Projects"))
        # Print (Ctrl+P) follows the selection: it prints the selected project's cédula.
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self.actions_changed.emit())
        # Double-click or Enter on a row opens the project's record.
        self.table.activated.connect(self.open_project)
        self.new_button = QPushButton(_("New project…"), self)
        self.new_button.setToolTip(_("Capture a new project request"))
        self.new_button.clicked.connect(self.new_record)
        gate(self.new_button, db, "projects.edit")  # disabled, saying who may, before anything is typed
        self.message = self._make_message()
        self.clear_button = QPushButton(_("Clear search and filters"), self)
        self.clear_button.clicked.connect(self.clear_filters)
        self.pages = self._make_pages(self.clear_button)

        self._lay_out()
        self._connect_model()
        self.model.refresh()

    # -- building --------------------------------------------------------------------------------

    def _combo(self, label: str, everything: str) -> QComboBox:
        # Narrow combos leave the search box room; the open list still shows whole labels. Wide enough
        # for the "all" choice shown at first ("Todos los programas"), which must not be clipped.
        combo = self._filter_combo(label, everything, 11)
        combo.setMinimumWidth(combo.fontMetrics().horizontalAdvance(everything) + 36)  # text, arrow, frame
        return combo

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

    def _widen(self, key: str, number: int, width: int) -> int:
        """The cost fits the widest amount, the category and the stage every label, whatever rows are loaded."""
        metrics = self.table.fontMetrics()
        padding = self._padding()
        if key == "cost":
            widest = money_text(_WIDEST_COST)
            width = max(width, metrics.horizontalAdvance(widest) + padding)
        elif key == "category":
            # Seven labels, all short enough: each shown whole, whatever rows are loaded.
            labels = (metrics.horizontalAdvance(category_label(c)) + padding for c in CATEGORY_LABELS)
            width = max(width, *labels)
        elif key == "stage":
            # "Terminado (entrega-recepción)" whole, not "Terminado (…" (issue 15, item 3).
            width = max(width, *(metrics.horizontalAdvance(stage_label(s)) + padding for s in STAGE_LABELS))
        return width

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

    def _show_empty(self) -> None:
        """No projects at all (how to get example data), or none matching (clear the filters)."""
        if self._database_is_empty():
            self.message.setText(
                _("No projects yet. To see example data, run: {command}\nthen press F5 to refresh.").format(
                    command=self._demo_command()
                )
            )
            self.clear_button.hide()
        else:
            self.message.setText(_("No project matches the search and filters."))
            self.clear_button.show()

    def _after_total(self) -> None:
        if not self._fitted:
            self._fit_columns()  # at least the headers and the cost fit, until rows arrive
