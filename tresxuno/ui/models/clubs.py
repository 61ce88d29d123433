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

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from tresxuno.domain.validation import TOMA_WARNING_DAYS, TomaStatus
from tresxuno.formatting import date_text
from tresxuno.i18n import N_, _, ngettext
from tresxuno.services.clubs import ClubRow, count_clubs, list_clubs
from tresxuno.services.store import Database
from tresxuno.ui.models.paged import SqlPagedModel

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


def toma_status_text(status: TomaStatus, issued_on: date, expires_on: date, today: date) -> str:
    """The status in words, saying until or since when: "Vence en 23 días", "Vencida desde 02/05/2026".

    A toma de nota is valid through its expiry date, so a lapsed one is lapsed since the day after.
    """
    if status is TomaStatus.LAPSED:
        return _("Lapsed since {date}").format(date=date_text(expires_on + timedelta(days=1)))
    if status is TomaStatus.EXPIRING:
        days = (expires_on - today).days
        if days == 0:
            return _("Expires today")
        return ngettext("Expires in {days} day", "Expires in {days} days", days).format(days=days)
    if status is TomaStatus.NOT_YET_VALID:
        return _("Valid from {date}").format(date=date_text(issued_on))
    return _("Valid")


def toma_status_tooltip(row: ClubRow) -> str:
    """A sentence for the status cell's tooltip: the validity period and what to do about it."""
    period = _("Toma de nota {folio}, valid from {issued} to {expires}.").format(
        folio=row.toma_folio, issued=date_text(row.toma_issued_on), expires=date_text(row.toma_expires_on)
    )
    if row.status is TomaStatus.LAPSED:
        return period + " " + _("The club cannot submit projects until it is renewed.")
    if row.status is TomaStatus.EXPIRING:
        return period + " " + _("Remind the club to renew it in time.")
    return period


def club_tooltip(row: ClubRow) -> str:
    """The club's name with its federation and both ends of its life: home municipality and US city."""
    return "\n".join(
        (
            row.name,
            row.federation_name or _("No federation"),
            _("From {municipality}, {state}; in {city}, {us_state}").format(
                municipality=row.home_municipality_name,
                state=row.home_state_name,
                city=row.us_city,
                us_state=row.us_state,
            ),
        )
    )


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
    Column(
        "federation",
        N_("Federation"),
        lambda c, t: c.federation_name or _("No federation"),
        lambda c: c.federation_name,
        tooltip=lambda c: c.federation_name or _("No federation"),
    ),
    Column(
        "municipality",
        N_("Home municipality"),
        lambda c, t: c.home_municipality_name,
        lambda c: c.home_municipality_key,
        tooltip=lambda c: f"{c.home_municipality_name}, {c.home_state_name} ({c.home_municipality_key})",
    ),
    # "Chicago, IL", as US addresses write it: the state column can then stay hidden.
    Column(
        "us_city",
        N_("City (US)"),
        lambda c, t: f"{c.us_city}, {c.us_state}",
        lambda c: c.us_city,
        tooltip=lambda c: f"{c.us_city}, {c.us_state}",
    ),
    Column("us_state", N_("State (US)"), lambda c, t: c.us_state, lambda c: c.us_state, align=_CENTER),
    Column(
        "folio",
        N_("Folio"),
        lambda c, t: c.toma_folio,
        lambda c: c.toma_folio,
        long_header=N_("Toma de nota folio"),
    ),
    Column(
        "expires",
        N_("Expires"),
        lambda c, t: date_text(c.toma_expires_on),
        lambda c: c.toma_expires_on,
        align=_CENTER,
        long_header=N_("Toma de nota expiry date"),
    ),
    Column(
        "status",
        N_("Toma de nota status"),
        lambda c, t: toma_status_text(c.status, c.toma_issued_on, c.toma_expires_on, t),
        lambda c: c.status,
        tooltip=toma_status_tooltip,
    ),
)
#: Column numbers by sort key.
COLUMN_OF: dict[str, int] = {c.key: i for i, c in enumerate(COLUMNS)}


@dataclass(frozen=True)
class ClubFilters:
    """What the club list is narrowed to; ``federation_id`` may be ``NO_FEDERATION``."""

    text: str = ""
    federation_id: int | None = None
    status: TomaStatus | None = None


class ClubTableModel(SqlPagedModel):
    """Clubs matching the filters, in SQL order, loaded a page at a time (see :class:`SqlPagedModel`).

    Statuses are computed for the day :meth:`today` returns at each (re)load, so a list left open
    overnight shows the right days left after F5.
    """

    COLUMNS = COLUMNS

    def __init__(
        self,
        db: Database,
        parent: QObject | None = None,
        *,
        today: Callable[[], date] = date.today,
        load: bool = True,
        page_size: int | None = None,
    ):
        """Read the first page now, unless ``load`` is False (connect :attr:`load_failed`, then refresh)."""
        super().__init__(db, parent, filters=ClubFilters(), sort_key="name", page_size=page_size)
        self._today_source = today
        self._today = today()
        if load:
            self._reload()

    @property
    def today(self) -> date:
        """The day the statuses shown were computed for."""
        return self._today

    def club(self, row: int) -> ClubRow:
        """The club shown in ``row`` (already loaded)."""
        return self._rows[row]

    def row_of(self, club_id: int) -> int:
        """The loaded row showing club ``club_id``, or -1."""
        return next((i for i, c in enumerate(self._rows) if c.id == club_id), -1)

    def _reload(self, *, recount: bool = True) -> bool:
        """Read again with statuses as of today; the day shown changes only if the reading succeeds."""
        previous, self._today = self._today, self._today_source()
        if super()._reload(recount=recount):
            return True
        self._today = previous
        return False

    def _count(self) -> int:
        f = self._filters
        return count_clubs(
            self._db, text=f.text, federation_id=f.federation_id, status=f.status, today=self._today
        )

    def _fetch(self, offset: int, limit: int) -> list[ClubRow]:
        f = self._filters
        return list_clubs(
            self._db,
            text=f.text,
            federation_id=f.federation_id,
            status=f.status,
            today=self._today,
            sort_key=self._sort_key,
            descending=self._descending,
            offset=offset,
            limit=limit,
        )

    def cell(self, club: ClubRow, column: int, role: int) -> Any:
        """Display text, icon, colour, tooltip, raw value or the whole record of one cell."""
        spec = COLUMNS[column]
        if role == Qt.ItemDataRole.DisplayRole:
            return spec.text(club, self._today)
        if role == Qt.ItemDataRole.ToolTipRole and spec.tooltip is not None:
            return spec.tooltip(club)
        if spec.key == "status":
            if role == Qt.ItemDataRole.DecorationRole:
                return status_icon(club.status)
            if role == Qt.ItemDataRole.ForegroundRole and club.status in _STATUS_COLOURS:
                return QBrush(_STATUS_COLOURS[club.status])
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return spec.text(club, self._today)
        if role == RawRole:
            return spec.raw(club)
        if role == ClubRole:
            return club
        return None

    def header_tip(self, section: int) -> str:
        """The full name of an abbreviated header ("Folio" is the toma de nota's folio)."""
        return _(COLUMNS[section].long_header or COLUMNS[section].header)
