"""The home page: the fiscal year at a glance, and what needs the officer's attention today.

Projects per stage, approved money per party, and a list of items to act on (tomas de nota about
to lapse, projects stuck in a stage, parties behind on their deposits, sessions with projects to
rule); activating an item (double-click or Enter) asks the main window to open its record.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.problems import StorageError
from tresxuno.domain.stages import Stage
from tresxuno.formatting import date_text, money_text, party_label, stage_label
from tresxuno.i18n import N_, _, language, ngettext
from tresxuno.services.overview import (
    ATTENTION_KINDS,
    COMMITTEE_MISSING,
    DEPOSIT_OWED,
    SESSION_PENDING,
    STUCK,
    TOMA_EXPIRING,
    TOMA_LAPSED,
    AttentionItem,
    YearOverview,
    year_overview,
)
from tresxuno.services.store import Database
from tresxuno.ui.errors import show_error
from tresxuno.ui.views.base import View

_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
#: Data roles of an attention row: what to open, and its id.
RECORD_KIND_ROLE = Qt.ItemDataRole.UserRole
RECORD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: Data role of a group's title: the kind of attention item it gathers.
GROUP_KIND_ROLE = Qt.ItemDataRole.UserRole + 2
#: A group of the attention list with more items than this starts folded (its title says how many).
FOLD_OVER = 25

#: Icon of each kind of attention item: it repeats what the words say, it never says it alone.
ICONS: dict[str, QStyle.StandardPixmap] = {
    TOMA_LAPSED: QStyle.StandardPixmap.SP_MessageBoxCritical,
    TOMA_EXPIRING: QStyle.StandardPixmap.SP_MessageBoxWarning,
    DEPOSIT_OWED: QStyle.StandardPixmap.SP_MessageBoxWarning,
    COMMITTEE_MISSING: QStyle.StandardPixmap.SP_MessageBoxWarning,
    STUCK: QStyle.StandardPixmap.SP_MessageBoxInformation,
    SESSION_PENDING: QStyle.StandardPixmap.SP_MessageBoxInformation,
}


def group_title(kind: str, count: int) -> str:
    """The title of a group of the attention list, with how many items it holds."""
    # Literal ngettext calls, one per kind, so the extractor records each singular/plural pair.
    if kind == TOMA_LAPSED:
        text = ngettext("Lapsed toma de nota ({count})", "Lapsed tomas de nota ({count})", count)
    elif kind == TOMA_EXPIRING:
        text = ngettext(
            "Toma de nota about to expire ({count})", "Tomas de nota about to expire ({count})", count
        )
    elif kind == DEPOSIT_OWED:
        text = ngettext("Deposit owed ({count})", "Deposits owed ({count})", count)
    elif kind == COMMITTEE_MISSING:
        text = ngettext(
            "Works without a contraloría social committee ({count})",
            "Works without a contraloría social committee ({count})",
            count,
        )
    elif kind == STUCK:
        text = ngettext("Project stuck in a stage ({count})", "Projects stuck in a stage ({count})", count)
    elif kind == SESSION_PENDING:
        text = ngettext(
            "COVAM session with projects to rule ({count})",
            "COVAM sessions with projects to rule ({count})",
            count,
        )
    else:
        text = kind + " ({count})"
    return text.format(count=f"{count:,}")


def attention_text(item: AttentionItem) -> str:
    """The sentence the attention list shows for ``item``, in the current language."""
    if item.kind == TOMA_EXPIRING:
        return _("The toma de nota of {club} expires on {date}").format(
            club=item.subject, date=date_text(item.on)
        )
    if item.kind == TOMA_LAPSED:
        return _("The toma de nota of {club} lapsed on {date}; the club must renew it").format(
            club=item.subject, date=date_text(item.on)
        )
    if item.kind == STUCK:
        days = item.days or 0
        return ngettext(
            "{folio} has been {days} day in {stage}", "{folio} has been {days} days in {stage}", days
        ).format(folio=item.subject, days=f"{days:,}", stage=stage_label(item.stage))
    if item.kind == DEPOSIT_OWED:
        return _("{party} owes {amount} on {folio}").format(
            party=party_label(item.party),
            amount=money_text(item.amount or 0),
            folio=item.subject,
        )
    if item.kind == COMMITTEE_MISSING:
        return _(
            "{folio} ({stage}) has no contraloría social committee: record it on the project's record"
        ).format(folio=item.subject, stage=stage_label(item.stage))
    if item.kind == SESSION_PENDING:
        count = item.count or 0
        return ngettext(
            "Session {number} of {date} has {count} project without a ruling",
            "Session {number} of {date} has {count} projects without a ruling",
            count,
        ).format(number=item.subject, date=date_text(item.on), count=count)
    return f"{item.kind}: {item.subject}"


def _card_table(parent: QWidget, name: str, headers: tuple[str, str]) -> QTableWidget:
    table = QTableWidget(0, 2, parent)
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.horizontalHeaderItem(0).setTextAlignment(_LEFT)
    table.horizontalHeaderItem(1).setTextAlignment(_RIGHT)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    # Compact rows: both cards fit beside the attention list on a 1280 x 800 screen.
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
    return table


def _set_row(
    table: QTableWidget, row: int, label: str, value: str, *, bold: bool = False, dim: bool = False
) -> None:
    for column, (text, align) in enumerate(((label, _LEFT), (value, _RIGHT))):
        item = QTableWidgetItem(text)
        item.setTextAlignment(align)
        if bold:
            font = QFont(item.font())
            font.setBold(True)
            item.setFont(font)
        if dim:
            item.setForeground(table.palette().placeholderText())
        table.setItem(row, column, item)


def _fit_height(table: QTableWidget) -> None:
    """Tall enough for every row: a card shows all of its few rows without a scroll bar."""
    height = table.horizontalHeader().height() + 2 * table.frameWidth()
    height += sum(table.rowHeight(r) for r in range(table.rowCount()))
    table.setFixedHeight(height + 2)


class DashboardView(View):
    """Home: a year's projects per stage, approved money per party, and what needs attention.

    Args:
        db: the database.
        parent: the owning widget.
        today: the day deadlines are measured on; the computer's date when None (tests pass one).
    """

    key = "home"
    title_msgid = N_("Home")
    icon_pixmap = QStyle.StandardPixmap.SP_DirHomeIcon

    #: The officer activated an attention item: ``(kind, id)`` with kind ``"project"``, ``"club"``
    #: or ``"session"``; the main window opens that record.
    open_record = Signal(str, int)

    def __init__(
        self, db: Database, parent: QWidget | None = None, *, today: date | Callable[[], date] | None = None
    ):
        super().__init__(parent)
        self._db = db
        self._today = today
        self.data: YearOverview | None = None
        self._stale = False  # hidden since the last reading: other pages may have changed the data

        self.year = QComboBox(self)
        self.year.setAccessibleName(_("Fiscal year"))
        self.year.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.year.currentIndexChanged.connect(self._on_year)
        self.heading = QLabel(self)
        font = QFont(self.heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.heading.setFont(font)

        self.stages = _card_table(self, _("Projects by stage"), (_("Stage"), _("Projects")))
        self.money = _card_table(self, _("Approved money by party"), (_("Party"), _("Approved (MXN)")))
        self.money_empty = QLabel(self)
        self.money_empty.setWordWrap(True)
        self.attention = QTreeWidget(self)
        self.attention.setAccessibleName(_("Needs attention"))
        self.attention.setHeaderHidden(True)
        self.attention.setColumnCount(1)
        self.attention.setUniformRowHeights(True)
        self.attention.setAlternatingRowColors(True)
        # Activation (double-click or Enter) folds a group; Qt's own double-click folding would undo it.
        self.attention.setExpandsOnDoubleClick(False)
        self.attention.itemActivated.connect(self._on_activated)
        self.attention_empty = QLabel(
            _(
                "Nothing needs attention: no toma de nota of a club with projects "
                "under way is about to lapse, no project is stuck in a stage, every "
                "party has deposited its share and every session is ruled."
            ),
            self,
        )
        self.attention_empty.setWordWrap(True)
        self.attention_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.attention_pages = QStackedWidget(self)
        self.attention_pages.addWidget(self.attention)
        self.attention_pages.addWidget(self.attention_empty)
        self.hint = QLabel(_("Double-click an item, or select it and press Enter, to open it."), self)
        self.hint.setWordWrap(True)

        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._lay_out()
        self.reload()

    # -- building --------------------------------------------------------------------------------

    def _lay_out(self) -> None:
        bar = QHBoxLayout()
        year_label = QLabel(_("Fiscal &year:"), self)
        year_label.setBuddy(self.year)
        bar.addWidget(self.heading)
        bar.addStretch(1)
        bar.addWidget(year_label)
        bar.addWidget(self.year)

        stages_box = QGroupBox(_("Projects by stage"), self)
        QVBoxLayout(stages_box).addWidget(self.stages)
        money_box = QGroupBox(_("Approved money by party"), self)
        box = QVBoxLayout(money_box)
        box.addWidget(self.money)
        box.addWidget(self.money_empty)
        left = QVBoxLayout()
        left.addWidget(stages_box)
        left.addWidget(money_box)
        left.addStretch(1)
        self.attention_box = QGroupBox(_("Needs attention"), self)
        box = QVBoxLayout(self.attention_box)
        box.addWidget(self.attention_pages, 1)
        box.addWidget(self.hint)
        cards = QWidget(self)
        row = QHBoxLayout(cards)
        row.setContentsMargins(0, 0, 0, 0)
        row.addLayout(left, 2)
        row.addWidget(self.attention_box, 3)

        empty = QWidget(self)
        box = QVBoxLayout(empty)
        box.addStretch(1)
        box.addWidget(self.message)
        box.addStretch(2)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(cards)
        self.pages.addWidget(empty)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)
        for first, second in (
            (self.year, self.attention),
            (self.attention, self.stages),
            (self.stages, self.money),
        ):
            QWidget.setTabOrder(first, second)

    # -- reading ---------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        """Coming back to the home page reads the figures again (a ruling elsewhere changes them)."""
        super().showEvent(event)
        if self._stale:
            self.reload()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt API
        """Another page is shown: the figures are read again when this one comes back."""
        super().hideEvent(event)
        self._stale = True

    def today(self) -> date:
        """The day deadlines are measured on."""
        if self._today is None:
            return date.today()
        return self._today() if callable(self._today) else self._today

    def reload(self) -> None:
        """Read the figures for the chosen year (the latest with projects the first time)."""
        try:
            data = year_overview(self._db, self.year.currentData(), today=self.today())
        except StorageError as exc:
            show_error(self.window(), exc)
            return
        self.show_dashboard(data)

    def _on_year(self, _index: int) -> None:
        if self.year.currentData() is not None and (
            self.data is None or self.year.currentData() != self.data.fiscal_year
        ):
            self.reload()

    def show_dashboard(self, data: YearOverview) -> None:
        """Fill the cards and the attention list from ``data``."""
        self.data = data
        self._stale = False
        self.year.blockSignals(True)
        self.year.clear()
        for year in data.fiscal_years:
            self.year.addItem(str(year), year)
        self.year.setCurrentIndex(max(self.year.findData(data.fiscal_year), 0))
        self.year.setEnabled(bool(data.fiscal_years))
        self.year.blockSignals(False)
        if data.fiscal_year is None:
            self.heading.setText(_("Summary"))
            self.message.setText(
                _(
                    "No projects yet. Once clubs submit projects, this page sums them up per "
                    "fiscal year and lists what needs your attention."
                )
            )
            self.pages.setCurrentIndex(1)
            self.status_changed.emit(self.status_text())
            return
        self.heading.setText(_("Fiscal year {year}").format(year=data.fiscal_year))
        self.pages.setCurrentIndex(0)
        self._fill_stages(data)
        self._fill_money(data)
        self._fill_attention(data)
        self.status_changed.emit(self.status_text())

    def _fill_stages(self, data: YearOverview) -> None:
        # Every stage of the usual road is listed (a zero is news too); side stages only when used.
        shown = [
            s
            for s in data.stages
            if s.count or s.stage not in (Stage.RECHAZADO, Stage.DEVUELTO, Stage.CANCELADO)
        ]
        self.stages.setRowCount(len(shown) + 1)
        for row, count in enumerate(shown):
            _set_row(self.stages, row, stage_label(count.stage), f"{count.count:,}", dim=not count.count)
        _set_row(self.stages, len(shown), _("Total"), f"{data.projects:,}", bold=True)
        self.stages.resizeColumnsToContents()
        _fit_height(self.stages)

    def _fill_money(self, data: YearOverview) -> None:
        lang = language()
        self.money.setRowCount(len(data.approved) + 1 if data.approved else 0)
        for row, line in enumerate(data.approved):
            _set_row(self.money, row, party_label(line.party), money_text(line.amount, lang))
        if data.approved:
            total = money_text(data.approved_total, lang)
            _set_row(self.money, len(data.approved), _("Total"), total, bold=True)
        self.money.resizeColumnsToContents()
        _fit_height(self.money)
        self.money.setVisible(bool(data.approved))
        self.money_empty.setText(
            _(
                "No project of {year} has been approved yet; the money appears here once "
                "the COVAM approves projects."
            ).format(year=data.fiscal_year)
        )
        self.money_empty.setVisible(not data.approved)

    def _fill_attention(self, data: YearOverview) -> None:
        self.attention.clear()
        style = self.style()
        for kind in ATTENTION_KINDS:
            items = [i for i in data.attention if i.kind == kind]
            if not items:
                continue
            icon = style.standardIcon(ICONS[kind])
            group = QTreeWidgetItem([group_title(kind, len(items))])
            group.setIcon(0, icon)
            group.setData(0, GROUP_KIND_ROLE, kind)
            font = QFont(group.font(0))
            font.setBold(True)
            group.setFont(0, font)
            for item in items:
                text = attention_text(item)
                child = QTreeWidgetItem([text])
                child.setIcon(0, icon)
                child.setToolTip(0, text)
                child.setData(0, RECORD_KIND_ROLE, item.record_kind)
                child.setData(0, RECORD_ID_ROLE, item.record_id)
                group.addChild(child)
            self.attention.addTopLevelItem(group)
            group.setExpanded(len(items) <= FOLD_OVER)
        self.attention_box.setTitle(_("Needs attention ({count})").format(count=f"{len(data.attention):,}"))
        self.attention_pages.setCurrentIndex(0 if data.attention else 1)
        self.hint.setVisible(bool(data.attention))
        if self.attention.topLevelItemCount():
            self.attention.setCurrentItem(self.attention.topLevelItem(0))

    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        kind = item.data(0, RECORD_KIND_ROLE)
        if kind is None:  # a group's title: Enter folds or unfolds it
            item.setExpanded(not item.isExpanded())
            return
        self.open_record.emit(str(kind), int(item.data(0, RECORD_ID_ROLE)))

    # -- View ------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the figures again for the same year."""
        self.reload()

    def status_text(self) -> str:
        """``"2,127 projects in 2026 · 16 items need attention"``."""
        if self.data is None or self.data.fiscal_year is None:
            return _("No projects yet")
        projects = ngettext("{count} project in {year}", "{count} projects in {year}", self.data.projects)
        items = ngettext(
            "{count} item needs attention", "{count} items need attention", len(self.data.attention)
        )
        return (
            projects.format(count=f"{self.data.projects:,}", year=self.data.fiscal_year)
            + " · "
            + items.format(count=f"{len(self.data.attention):,}")
        )

    def focus_search(self) -> None:
        """No search box here: Ctrl+F goes to the year selector."""
        self.year.setFocus(Qt.FocusReason.ShortcutFocusReason)
