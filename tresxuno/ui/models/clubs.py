"""The club list as a lazy table model, and how a toma de nota's status reads to the officer.

Like the project list, the model never loads every club: it asks
:func:`~tresxuno.services.clubs.list_clubs` for a page at a time (``canFetchMore``/``fetchMore``)
and leaves filtering and sorting to SQL. The toma de nota status is shown as words and an icon, never
by colour alone ("Vigente", "Vence en 23 días", "Vencida desde 02/05/2026").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from tresxuno.db.engine import Database
from tresxuno.domain.problems import StorageError
from tresxuno.domain.validation import TOMA_WARNING_DAYS, TomaStatus
from tresxuno.i18n import N_, _, ngettext
from tresxuno.services.clubs import ClubRow, count_clubs, list_clubs

AnyIndex = QModelIndex | QPersistentModelIndex

#: The raw value of a cell (a ``date`` for the expiry, the :class:`TomaStatus` for the status...).
RawRole = Qt.ItemDataRole.UserRole
#: The whole :class:`~tresxuno.services.clubs.ClubRow` of the row.
ClubRole = Qt.ItemDataRole.UserRole + 1

_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_CENTER = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter

#: Names of the toma de nota statuses, for filters and legends (see :func:`status_label`).
STATUS_LABELS: dict[TomaStatus, str] = {
    TomaStatus.VALID: N_("Valid"),
    TomaStatus.EXPIRING: N_("Expiring within {days} days"),
    TomaStatus.LAPSED: N_("Lapsed"),
    TomaStatus.NOT_YET_VALID: N_("Not yet valid"),
}
#: Standard icons beside the status text (shape and text carry the meaning; colour only adds to it).
STATUS_ICONS: dict[TomaStatus, QStyle.StandardPixmap] = {
    TomaStatus.VALID: QStyle.StandardPixmap.SP_DialogApplyButton,
    TomaStatus.EXPIRING: QStyle.StandardPixmap.SP_MessageBoxWarning,
    TomaStatus.LAPSED: QStyle.StandardPixmap.SP_MessageBoxCritical,
    TomaStatus.NOT_YET_VALID: QStyle.StandardPixmap.SP_MessageBoxInformation,
}
#: Text colours of statuses that need action, readable on white and on the alternate row colour.
_STATUS_COLOURS = {TomaStatus.EXPIRING: QColor("#8a5300"), TomaStatus.LAPSED: QColor("#b00020")}


def status_label(status: TomaStatus) -> str:
    """The translated name of a status ("Vigente", "Por vencer en 60 días o menos"...)."""
    return _(STATUS_LABELS[status]).format(days=TOMA_WARNING_DAYS)


def format_date(day: date) -> str:
    """A date as Mexican offices write it: ``02/05/2026`` (dd/mm/yyyy)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def toma_status_text(status: TomaStatus, issued_on: date, expires_on: date, today: date) -> str:
    """The status in words, saying until or since when: "Vence en 23 días", "Vencida desde 02/05/2026".

    A toma de nota is valid through its expiry date, so a lapsed one is lapsed since the day after.
    """
    if status is TomaStatus.LAPSED:
        return _("Lapsed since {date}").format(date=format_date(expires_on + timedelta(days=1)))
    if status is TomaStatus.EXPIRING:
        days = (expires_on - today).days
        if days == 0:
            return _("Expires today")
        return ngettext("Expires in {days} day", "Expires in {days} days", days).format(days=days)
    if status is TomaStatus.NOT_YET_VALID:
        return _("Valid from {date}").format(date=format_date(issued_on))
    return _("Valid")


def toma_status_tooltip(row: ClubRow) -> str:
    """A sentence for the status cell's tooltip: the validity period and what to do about it."""
    period = _("Toma de nota {folio}, valid from {issued} to {expires}.").format(
        folio=row.toma_folio, issued=format_date(row.toma_issued_on),
        expires=format_date(row.toma_expires_on))
    if row.status is TomaStatus.LAPSED:
        return period + " " + _("The club cannot submit projects until it is renewed.")
    if row.status is TomaStatus.EXPIRING:
        return period + " " + _("Remind the club to renew it in time.")
    return period


def club_tooltip(row: ClubRow) -> str:
    """The club's name with its federation and both ends of its life: home municipality and US city."""
    return "\n".join((
        row.name,
        row.federation_name or _("No federation"),
        _("From {municipality}, {state}; in {city}, {us_state}").format(
            municipality=row.home_municipality_name, state=row.home_state_name, city=row.us_city,
            us_state=row.us_state),
    ))


def status_icon(status: TomaStatus) -> QIcon:
    """The standard icon shown beside a status."""
    return QApplication.style().standardIcon(STATUS_ICONS[status])


@dataclass(frozen=True)
class Column:
    """One column of the club list: its SQL sort key, header and how a row shows in it."""

    key: str  # a key of tresxuno.services.clubs.SORT_KEYS
    header: str  # English msgid, translated when shown
    text: Callable[[ClubRow, date], str]
    raw: Callable[[ClubRow], Any]
    align: Qt.AlignmentFlag = _LEFT
    tooltip: Callable[[ClubRow], str] | None = None
    long_header: str = ""  # English msgid of the header's tooltip, when the header is abbreviated


COLUMNS: tuple[Column, ...] = (
    Column("name", N_("Club"), lambda c, t: c.name, lambda c: c.name, tooltip=lambda c: club_tooltip(c)),
    Column("federation", N_("Federation"), lambda c, t: c.federation_name or _("No federation"),
           lambda c: c.federation_name, tooltip=lambda c: c.federation_name or _("No federation")),
    Column("municipality", N_("Home municipality"), lambda c, t: c.home_municipality_name,
           lambda c: c.home_municipality_key,
           tooltip=lambda c: f"{c.home_municipality_name}, {c.home_state_name} ({c.home_municipality_key})"),
    # "Chicago, IL", as US addresses write it: the state column can then stay hidden.
    Column("us_city", N_("City (US)"), lambda c, t: f"{c.us_city}, {c.us_state}", lambda c: c.us_city,
           tooltip=lambda c: f"{c.us_city}, {c.us_state}"),
    Column("us_state", N_("State (US)"), lambda c, t: c.us_state, lambda c: c.us_state, align=_CENTER),
    Column("folio", N_("Folio"), lambda c, t: c.toma_folio, lambda c: c.toma_folio,
           long_header=N_("Toma de nota folio")),
    Column("expires", N_("Expires"), lambda c, t: format_date(c.toma_expires_on), lambda c: c.toma_expires_on,
           align=_CENTER, long_header=N_("Toma de nota expiry date")),
    Column("status", N_("Toma de nota status"),
           lambda c, t: toma_status_text(c.status, c.toma_issued_on, c.toma_expires_on, t),
           lambda c: c.status, tooltip=toma_status_tooltip),
)
#: Column numbers by sort key.
COLUMN_OF: dict[str, int] = {c.key: i for i, c in enumerate(COLUMNS)}


@dataclass(frozen=True)
class ClubFilters:
    """What the club list is narrowed to; ``federation_id`` may be ``NO_FEDERATION``."""

    text: str = ""
    federation_id: int | None = None
    status: TomaStatus | None = None


class ClubTableModel(QAbstractTableModel):
    """Clubs matching the filters, in SQL order, loaded a page at a time.

    Statuses are computed for the day :meth:`today` returns at each (re)load, so a list left open
    overnight shows the right days left after F5. A failed query does not raise into Qt's event
    loop: the model keeps what it had and emits :attr:`load_failed` with the StorageError.
    """

    PAGE_SIZE = 200

    #: Emitted with the number of matching clubs after every (re)load.
    total_changed = Signal(int)
    #: Emitted with the StorageError when a query failed.
    load_failed = Signal(object)

    def __init__(self, db: Database, parent: QObject | None = None, *, today: Callable[[], date] = date.today,
                 load: bool = True, page_size: int | None = None):
        """Read the first page now, unless ``load`` is False (connect :attr:`load_failed`, then refresh)."""
        super().__init__(parent)
        self._db = db
        self._today_source = today
        self._today = today()
        self._page_size = page_size or self.PAGE_SIZE
        self._filters = ClubFilters()
        self._sort_key = "name"
        self._descending = False
        self._rows: list[ClubRow] = []
        self._total = 0
        self._stalled = False
        if load:
            self._reload()

    # -- what is shown ---------------------------------------------------------------------------

    @property
    def filters(self) -> ClubFilters:
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

    @property
    def today(self) -> date:
        """The day the statuses shown were computed for."""
        return self._today

    def total_count(self) -> int:
        """How many clubs match the filters (loaded or not)."""
        return self._total

    def club(self, row: int) -> ClubRow:
        """The club shown in ``row`` (already loaded)."""
        return self._rows[row]

    def row_of(self, club_id: int) -> int:
        """The loaded row showing club ``club_id``, or -1."""
        return next((i for i, c in enumerate(self._rows) if c.id == club_id), -1)

    def set_filters(self, filters: ClubFilters) -> None:
        """Show the clubs matching ``filters``, from the first page."""
        if filters == self._filters:
            return
        previous, self._filters = self._filters, filters
        if not self._reload():
            self._filters = previous

    def refresh(self) -> None:
        """Query again with the same filters and order (other windows may have changed clubs)."""
        self._reload()

    # -- loading ---------------------------------------------------------------------------------

    def _page(self, offset: int, today: date) -> list[ClubRow]:
        f = self._filters
        return list_clubs(self._db, text=f.text, federation_id=f.federation_id, status=f.status,
                          today=today, sort_key=self._sort_key, descending=self._descending,
                          offset=offset, limit=self._page_size)

    def _reload(self) -> bool:
        """Count and fetch the first page *before* resetting, so a failed query leaves the view intact."""
        today = self._today_source()
        f = self._filters
        try:
            total = count_clubs(self._db, text=f.text, federation_id=f.federation_id, status=f.status,
                                today=today)
            rows = self._page(0, today) if total else []
        except StorageError as exc:
            self._stalled = True
            self.load_failed.emit(exc)
            return False
        self.beginResetModel()
        self._today = today
        self._rows = rows
        # Another workstation may add or delete clubs between the two queries.
        self._total = max(total, len(rows)) if len(rows) == self._page_size else len(rows)
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
            page = self._page(len(self._rows), self._today)
        except StorageError as exc:
            self._stalled = True
            self.load_failed.emit(exc)
            return
        if len(page) < self._page_size:
            self._total = len(self._rows) + len(page)  # some were deleted meanwhile: the list ends here
        if page:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order by ``column`` in SQL (the whole list, not only the loaded rows) and start again."""
        if not 0 <= column < len(COLUMNS):
            return
        key, descending = COLUMNS[column].key, order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._sort_key, self._descending):
            return
        previous = (self._sort_key, self._descending)
        self._sort_key, self._descending = key, descending
        if not self._reload():
            self._sort_key, self._descending = previous

    # -- QAbstractTableModel ---------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """Rows loaded so far."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """The fixed columns of :data:`COLUMNS`."""
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Display text, icon, colour, alignment, tooltip, raw value or the whole record of one cell."""
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(COLUMNS):
            return None
        club = self._rows[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(club, self._today)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(club)
        if column.key == "status":
            if role == Qt.ItemDataRole.DecorationRole:
                return status_icon(club.status)
            if role == Qt.ItemDataRole.ForegroundRole and club.status in _STATUS_COLOURS:
                return QBrush(_STATUS_COLOURS[club.status])
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return column.text(club, self._today)
        if role == RawRole:
            return column.raw(club)
        if role == ClubRole:
            return club
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
        if role == Qt.ItemDataRole.ToolTipRole:
            return _(COLUMNS[section].long_header or COLUMNS[section].header)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        """Rows are selectable, never editable in place (clubs change through their dialog)."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
