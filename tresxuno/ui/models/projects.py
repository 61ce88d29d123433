"""The project list as a lazy table model: pages of rows fetched as the view scrolls.

An office may hold tens of thousands of projects, so the model never loads them all: it keeps the
rows fetched so far, asks :func:`~tresxuno.services.projects.list_projects` for the next page when
the view scrolls near the end (``canFetchMore``/``fetchMore``), and leaves sorting and filtering
to SQL. A new sort or filter starts again from the first page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from tresxuno.db.engine import Database
from tresxuno.domain.money import Money, format_money
from tresxuno.domain.problems import StorageError
from tresxuno.domain.records import ProjectSummary
from tresxuno.domain.stages import STAGE_LABELS, Stage
from tresxuno.i18n import N_, _, language
from tresxuno.reports.text import category_label
from tresxuno.services.projects import ProjectFilters, count_projects, list_projects

AnyIndex = QModelIndex | QPersistentModelIndex

#: The raw value of a cell (integer centavos for the cost, the year as an int...), for code, not people.
RawRole = Qt.ItemDataRole.UserRole
#: The whole :class:`ProjectSummary` of the row (for opening the project, copying its folio...).
ProjectRole = Qt.ItemDataRole.UserRole + 1

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def stage_label(stage: str) -> str:
    """Translated name of a stage id; an unknown id (from a newer app) is shown as stored."""
    try:
        return _(STAGE_LABELS[Stage(stage)])
    except ValueError:
        return stage


@dataclass(frozen=True)
class Column:
    """One column of the project list: its SQL sort key, header and how a row shows in it."""

    key: str  # a key of tresxuno.db.repos.projects.SORT_COLUMNS
    header: str  # English msgid, translated when shown
    text: Callable[[ProjectSummary], str]
    raw: Callable[[ProjectSummary], Any]
    align: Qt.AlignmentFlag = _LEFT
    tooltip: bool = False  # show the full text as a tooltip (long names get elided)


COLUMNS: tuple[Column, ...] = (
    Column("folio", N_("Folio"), lambda p: p.folio, lambda p: p.folio),
    Column("fiscal_year", N_("Fiscal year"), lambda p: str(p.fiscal_year), lambda p: p.fiscal_year),
    Column("program", N_("Programme"), lambda p: p.program, lambda p: p.program),
    Column("category", N_("Category"), lambda p: category_label(p.category), lambda p: p.category,
           tooltip=True),
    Column("stage", N_("Stage"), lambda p: stage_label(p.stage), lambda p: p.stage, tooltip=True),
    Column("name", N_("Project"), lambda p: p.name, lambda p: p.name, tooltip=True),
    Column("club", N_("Club"), lambda p: p.club_name, lambda p: p.club_name, tooltip=True),
    Column("municipality", N_("Municipality"), lambda p: p.municipality_name,
           lambda p: p.municipality_name, tooltip=True),
    Column("cost", N_("Cost (MXN)"), lambda p: format_money(Money(p.cost), language()), lambda p: p.cost,
           align=_RIGHT),
)
#: Column numbers by sort key, so views need not count columns by hand.
COLUMN_OF: dict[str, int] = {c.key: i for i, c in enumerate(COLUMNS)}


class ProjectTableModel(QAbstractTableModel):
    """Projects matching the current filters, in the current SQL order, loaded a page at a time.

    Database trouble (locked, unreachable) while loading does not raise into Qt's event loop: the
    model keeps what it had, stops fetching and emits :attr:`load_failed` with the
    :class:`StorageError`, which the view shows; :meth:`refresh` tries again.
    """

    PAGE_SIZE = 200

    #: Emitted with the number of matching projects after every (re)load.
    total_changed = Signal(int)
    #: Emitted with the StorageError when a query failed.
    load_failed = Signal(object)

    def __init__(self, db: Database, parent: QObject | None = None, *, filters: ProjectFilters | None = None,
                 load: bool = True):
        """Read the first page now, unless ``load`` is False (connect :attr:`load_failed`, then refresh)."""
        super().__init__(parent)
        self._db = db
        self._filters = filters or ProjectFilters()
        self._sort_key = "folio"
        self._descending = False
        self._rows: list[ProjectSummary] = []
        self._total = 0
        self._stalled = False  # a fetch failed: stop until refresh(), or the view would retry forever
        if load:
            self._reload()

    # -- what is shown ---------------------------------------------------------------------------

    @property
    def filters(self) -> ProjectFilters:
        """The filters the rows match."""
        return self._filters

    @property
    def sort_key(self) -> str:
        """The SQL sort key in force."""
        return self._sort_key

    @property
    def descending(self) -> bool:
        """Whether rows go from largest to smallest."""
        return self._descending

    def total_count(self) -> int:
        """How many projects match the filters (loaded or not)."""
        return self._total

    def project(self, row: int) -> ProjectSummary:
        """The project shown in ``row`` (already loaded)."""
        return self._rows[row]

    def set_filters(self, filters: ProjectFilters) -> None:
        """Show the projects matching ``filters``, from the first page."""
        if filters == self._filters:
            return
        previous, self._filters = self._filters, filters
        if not self._reload():
            self._filters = previous

    def refresh(self) -> None:
        """Query again with the same filters and order (after other windows or computers changed data)."""
        self._reload()

    # -- loading ---------------------------------------------------------------------------------

    def _page(self, offset: int) -> list[ProjectSummary]:
        return list_projects(self._db, self._filters, sort_key=self._sort_key, descending=self._descending,
                             offset=offset, limit=self.PAGE_SIZE)

    def _reload(self) -> bool:
        """Count and fetch the first page *before* resetting, so a failed query leaves the view intact.

        Returns:
            False when the database could not be read (:attr:`load_failed` was emitted).
        """
        try:
            total = count_projects(self._db, self._filters)
            rows = self._page(0) if total else []
        except StorageError as exc:
            self._stalled = True
            self.load_failed.emit(exc)
            return False
        self.beginResetModel()
        self._rows = rows
        # Another workstation may add or delete projects between the two queries.
        self._total = max(total, len(rows)) if len(rows) == self.PAGE_SIZE else len(rows)
        self._stalled = False
        self.endResetModel()
        self.total_changed.emit(self._total)
        return True

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008, N802 - Qt API
        """Whether rows remain beyond those loaded (the view asks when it scrolls near the end)."""
        return not parent.isValid() and not self._stalled and len(self._rows) < self._total

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008, N802 - Qt API
        """Load the next page of rows."""
        if not self.canFetchMore(parent):
            return
        try:
            page = self._page(len(self._rows))
        except StorageError as exc:
            self._stalled = True
            self.load_failed.emit(exc)
            return
        if len(page) < self.PAGE_SIZE:
            # Fewer rows than counted: some were deleted meanwhile; the list ends here.
            self._total = len(self._rows) + len(page)
        if page:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order by ``column`` in SQL (the whole list, not only the loaded rows) and start again."""
        if not 0 <= column < len(COLUMNS):
            return
        key = COLUMNS[column].key
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._sort_key, self._descending):
            return
        previous = (self._sort_key, self._descending)
        self._sort_key, self._descending = key, descending
        if not self._reload():
            self._sort_key, self._descending = previous

    # -- QAbstractTableModel ---------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """Rows loaded so far (a table: children of valid indexes have none)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """The fixed columns of :data:`COLUMNS`."""
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Display text, alignment, tooltip, raw value or the whole record of one cell."""
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(COLUMNS):
            return None
        project = self._rows[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(project)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip:
            return column.text(project)
        if role == RawRole:
            return column.raw(project)
        if role == ProjectRole:
            return project
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Translated column titles; row headers are not shown, so the row number is enough."""
        if orientation == Qt.Orientation.Vertical:
            return section + 1 if role == Qt.ItemDataRole.DisplayRole else None
        if not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _(COLUMNS[section].header)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(COLUMNS[section].align)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        """Rows are selectable, never editable here (projects change through their dialogs)."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
