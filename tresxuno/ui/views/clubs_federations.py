"""The clubs page's federations panel: every federation with its club count; choosing one filters the clubs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.problems import StorageError
from tresxuno.i18n import _, ngettext
from tresxuno.services.clubs import NO_FEDERATION, FederationRow, count_clubs, list_federations_with_counts
from tresxuno.services.store import Database
from tresxuno.ui.dialogs.federation import FederationDialog
from tresxuno.ui.errors import show_error
from tresxuno.ui.widgets.paged_table import SEARCH_DELAY_MS as SEARCH_DELAY_MS  # tests wait for it

#: Column of the federations panel holding the number of clubs.
COUNT_COLUMN = 3
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
#: Panel entries that are not federations (their data in the tree's UserRole).
_ALL = "all"
#: Key of the "no federation" entry (the service's NO_FEDERATION value).
_NONE = NO_FEDERATION


class FederationsPanel:
    """The federations panel of :class:`~tresxuno.ui.views.clubs.ClubsView`, above its table of clubs."""

    _db: Database
    _federations: list[FederationRow]
    _club_total: int
    federations: QTreeWidget
    edit_federation_button: QPushButton

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

    def select_federation(self, federation_id: int) -> bool:
        """Choose federation ``federation_id`` in the panel, showing its clubs."""
        self.choose_federation(federation_id)
        return self._chosen_federation() == federation_id

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
