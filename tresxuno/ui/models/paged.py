"""What the lazy list models share: rows read from SQL a page at a time, filtered and sorted in SQL.

An office's lists (30,000 projects, 3,000 clubs, a million ledger entries) are never loaded whole.
:class:`SqlPagedModel` keeps the rows fetched so far, asks for the next page when the view scrolls
near the end (``canFetchMore``/``fetchMore``), and starts again from the first page on a new filter
or sort. A subclass says how to count and read a page and how a row shows in a cell; the paging,
the error handling and the table plumbing live here once.

Database trouble (locked, unreachable) never raises into Qt's event loop: the model keeps what it had,
stops fetching and emits :attr:`SqlPagedModel.load_failed` with the StorageError; ``refresh`` retries.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from tresxuno.domain.problems import StorageError
from tresxuno.i18n import _
from tresxuno.services.store import Database

AnyIndex = QModelIndex | QPersistentModelIndex


class PagedColumn(Protocol):
    """What the base needs of a column: its SQL sort key, its header msgid and its alignment."""

    key: str
    header: str
    align: Qt.AlignmentFlag


class SqlPagedModel(QAbstractTableModel):
    """Rows matching :attr:`filters`, in SQL order, loaded :attr:`PAGE_SIZE` at a time.

    Subclasses set :attr:`COLUMNS` and implement :meth:`_count`, :meth:`_fetch` and :meth:`cell`;
    :attr:`SORTABLE` False keeps a fixed order (the ledger's statement order).
    """

    PAGE_SIZE = 200
    COLUMNS: ClassVar[Sequence[PagedColumn]] = ()
    SORTABLE: ClassVar[bool] = True

    #: Emitted with the number of matching rows after every (re)load.
    total_changed = Signal(int)
    #: Emitted with the StorageError when a query failed.
    load_failed = Signal(object)

    def __init__(
        self,
        db: Database,
        parent: QObject | None,
        *,
        filters: Any,
        sort_key: str = "",
        page_size: int | None = None,
    ):
        super().__init__(parent)
        self._db = db
        self._filters = filters
        self._sort_key = sort_key
        self._descending = False
        self._page_size = page_size or self.PAGE_SIZE
        self._rows: list[Any] = []
        self._total = 0
        self._stalled = False  # a fetch failed: stop until refresh(), or the view would retry forever
        #: Set by a typed search: the next reload shows its first page before counting (see _reload).
        self.defer_next_count = False

    # -- what subclasses provide -----------------------------------------------------------------

    def _count(self) -> int:
        """How many rows match the filters (one SQL count)."""
        raise NotImplementedError

    def _fetch(self, offset: int, limit: int) -> list[Any]:
        """Rows ``offset`` to ``offset + limit`` in the current filters and order."""
        raise NotImplementedError

    def cell(self, record: Any, column: int, role: int) -> Any:
        """What ``record`` shows in ``column`` for ``role`` (None for nothing)."""
        raise NotImplementedError

    # -- what is shown ---------------------------------------------------------------------------

    @property
    def filters(self) -> Any:
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
        """How many rows match the filters (loaded or not)."""
        return self._total

    def record(self, row: int) -> Any:
        """The record shown in ``row`` (already loaded)."""
        return self._rows[row]

    def set_filters(self, filters: Any) -> None:
        """Show the rows matching ``filters``, from the first page."""
        if filters == self._filters:
            return
        previous, self._filters = self._filters, filters
        if not self._reload():
            self._filters = previous

    def refresh(self) -> None:
        """Query again with the same filters and order (other windows or computers may have changed data)."""
        self._reload()

    # -- loading ---------------------------------------------------------------------------------

    def _reload(self, *, recount: bool = True) -> bool:
        """Count and fetch the first page *before* resetting, so a failed query leaves the view intact.

        Args:
            recount: False when only the order changed: the number of rows is the same.

        Returns:
            False when the database could not be read (:attr:`load_failed` was emitted).
        """
        deferred, self.defer_next_count = self.defer_next_count and (recount or self._stalled), False
        try:
            if deferred:
                # A typed search: the first page first (tens of ms), the count after it is shown, so the
                # rows answer the last keystroke quickly even when counting a big list takes longer.
                rows = self._fetch(0, self._page_size)
                total = len(rows) + (1 if len(rows) == self._page_size else 0)
            else:
                total = self._count() if recount or self._stalled else self._total
                rows = self._fetch(0, self._page_size) if total else []
        except StorageError as exc:
            self._stalled = True
            self.load_failed.emit(exc)
            return False
        self.beginResetModel()
        self._rows = rows
        # Another workstation may add or delete rows between the two queries.
        self._total = max(total, len(rows)) if len(rows) == self._page_size else len(rows)
        self._stalled = False
        self.endResetModel()
        if deferred and len(rows) == self._page_size:
            QTimer.singleShot(0, self._count_later)
        else:
            self.total_changed.emit(self._total)
        return True

    def _count_later(self) -> None:
        """The count a typed search put off: the real total, then :attr:`total_changed`."""
        try:
            total = self._count()
        except StorageError as exc:
            self.load_failed.emit(exc)
            return
        self._total = max(total, len(self._rows))
        self.total_changed.emit(self._total)

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008, N802 - Qt API
        """Whether rows remain beyond those loaded (the view asks when it scrolls near the end)."""
        return not parent.isValid() and not self._stalled and len(self._rows) < self._total

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008, N802 - Qt API
        """Load the next page of rows."""
        if not self.canFetchMore(parent):
            return
        try:
            page = self._fetch(len(self._rows), self._page_size)
        except StorageError as exc:
            self._stalled = True
            self.load_failed.emit(exc)
            return
        if len(page) < self._page_size:
            # Fewer rows than counted: some were deleted meanwhile; the list ends here.
            self._total = len(self._rows) + len(page)
        if page:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order by ``column`` in SQL (the whole list, not only the loaded rows) and start again."""
        if not self.SORTABLE or not 0 <= column < len(self.COLUMNS):
            return
        key, descending = self.COLUMNS[column].key, order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._sort_key, self._descending):
            return
        previous = (self._sort_key, self._descending)
        self._sort_key, self._descending = key, descending
        if not self._reload(recount=False):
            self._sort_key, self._descending = previous

    # -- QAbstractTableModel ---------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """Rows loaded so far (a table: children of valid indexes have none)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """The fixed columns of :attr:`COLUMNS`."""
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The cell's value for ``role``, from :meth:`cell`; alignment comes from the column."""
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self.COLUMNS):
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(self.COLUMNS[index.column()].align)
        return self.cell(self._rows[index.row()], index.column(), role)

    def header_tip(self, section: int) -> str | None:
        """The header's tooltip (an explanation of an abbreviated title); none by default."""
        return None

    def headerData(  # noqa: N802 - Qt API
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        """Translated column titles; row headers are not shown, so the row number is enough."""
        if orientation == Qt.Orientation.Vertical:
            return section + 1 if role == Qt.ItemDataRole.DisplayRole else None
        if not 0 <= section < len(self.COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _(self.COLUMNS[section].header)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(self.COLUMNS[section].align)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.header_tip(section)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        """Rows are selectable, never editable in place: records change through their dialogs."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
