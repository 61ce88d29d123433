"""Administración > Oficinas: the offices sharing this database and the municipalities each one covers.

A state server gives each municipality an office; its officers see only its jurisdiction. Only an
administrator of the whole database registers offices and places officers in them:
:mod:`tresxuno.services.offices` checks that again, and every problem it finds is shown under the
field that caused it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain import limits
from tresxuno.domain.problems import InputError, Problem, StorageError
from tresxuno.domain.roles import Role, parse_roles
from tresxuno.i18n import N_, _
from tresxuno.services.offices import (
    KINDS,
    OfficeInfo,
    OfficeInput,
    create_office,
    list_offices,
    office_by_id,
    update_office,
)
from tresxuno.services.places import list_municipalities, list_states
from tresxuno.services.store import Database
from tresxuno.ui import prompts
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors

#: How each kind of office is called on screen.
KIND_LABELS = {"municipal": N_("Municipal office"), "state": N_("State office")}

#: Order of the fields on screen: the first one with a problem gets the focus.
FIELD_ORDER = ("code", "name", "kind", "state", "municipalities", "rfc", "place", "db_role")


def kind_label(kind: str) -> str:
    """The translated name of an office's kind."""
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def reach_text(office: OfficeInfo) -> str:
    """What an office covers, in words: its municipalities, or its whole state."""
    if office.whole_state:
        return _("The whole state of {state}").format(state=office.state_name)
    return ", ".join(office.municipality_names)


def whole_database_text() -> str:
    """How lists name the reach of an officer with no office."""
    return _("Whole database")


class MunicipalityPicker(QWidget):
    """The municipalities of an office: one from a list (municipal) or any of its state's (state office).

    A state office with none checked covers its whole state, so the hint under the list says so.
    """

    #: Emitted when the choice changes (FieldErrors hides a stale error on it).
    valueChanged = Signal()  # noqa: N815 - named like Qt's signals, which FieldErrors looks for

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.combo = QComboBox(self)
        self.combo.setAccessibleName(_("Municipality"))
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(24)
        self.combo.currentIndexChanged.connect(lambda _i: self.valueChanged.emit())
        self.checklist = QListWidget(self)
        self.checklist.setAccessibleName(_("Municipalities"))
        rows = 7
        self.checklist.setMinimumHeight(self.checklist.fontMetrics().height() * rows + 8)
        self.checklist.setMaximumHeight(self.checklist.fontMetrics().height() * (rows + 3) + 8)
        self.checklist.itemChanged.connect(lambda _item: self._checked_changed())
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.combo)
        layout.addWidget(self.checklist)
        layout.addWidget(self.hint)
        self._kind = "municipal"
        self._state_name = ""
        self.set_kind("municipal")
        self.set_municipalities("", [])

    def set_municipalities(self, state_name: str, places: Sequence[tuple[str, str]]) -> None:
        """Offer the municipalities of one state (none chosen); no state, nothing to choose."""
        self._state_name = state_name
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(_("Choose a municipality…") if places else _("Choose the state first"), "")
        for key, name in places:
            self.combo.addItem(name, key)
        self.combo.blockSignals(False)
        self.checklist.blockSignals(True)
        self.checklist.clear()
        for key, name in places:
            item = QListWidgetItem(name, self.checklist)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.checklist.blockSignals(False)
        self.combo.setEnabled(bool(places))
        self.checklist.setEnabled(bool(places))
        self._update_hint()
        self.valueChanged.emit()

    def set_kind(self, kind: str) -> None:
        """Show the single choice of a municipal office or the checklist of a state one, keeping the choice."""
        chosen = self.keys()
        self._kind = kind
        municipal = kind != "state"
        self.combo.setVisible(municipal)
        self.checklist.setVisible(not municipal)
        self.hint.setVisible(not municipal)
        self.setFocusProxy(self.combo if municipal else self.checklist)
        self.select(chosen[:1] if municipal else chosen)

    def select(self, keys: Iterable[str]) -> None:
        """Choose ``keys`` (the first one for a municipal office)."""
        wanted = list(keys)
        self.combo.setCurrentIndex(max(0, self.combo.findData(wanted[0])) if wanted else 0)
        self.checklist.blockSignals(True)
        first: QListWidgetItem | None = None
        for row in range(self.checklist.count()):
            item = self.checklist.item(row)
            checked = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            first = first or (item if checked else None)
        self.checklist.blockSignals(False)
        if first is not None:  # the office's own municipalities in view, not the alphabet's start
            self.checklist.scrollToItem(first, QAbstractItemView.ScrollHint.PositionAtTop)
        self._update_hint()

    def keys(self) -> tuple[str, ...]:
        """The INEGI keys chosen: one (or none) for a municipal office, those checked for a state one."""
        if self._kind != "state":
            key = self.combo.currentData()
            return (key,) if key else ()
        return tuple(
            self.checklist.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.checklist.count())
            if self.checklist.item(row).checkState() == Qt.CheckState.Checked
        )

    def _checked_changed(self) -> None:
        self._update_hint()
        self.valueChanged.emit()

    def _update_hint(self) -> None:
        count = len(self.keys()) if self._kind == "state" else 0
        if not self._state_name:
            self.hint.setText(_("Choose the state first."))
        elif count:
            self.hint.setText(
                _("Covers the {count} municipalities checked.").format(count=count)
                if count > 1
                else _("Covers only the municipality checked.")
            )
        else:
            self.hint.setText(
                _("None checked: the office covers the whole state of {state}.").format(
                    state=self._state_name
                )
            )


class OfficeDialog(QDialog):
    """A form for one office; :attr:`saved` holds the stored office after a successful save."""

    def __init__(self, db: Database, office: OfficeInfo | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self._editing = office
        self.saved: OfficeInfo | None = None
        self.setWindowTitle(
            _("New office") if office is None else _("Edit office {name}").format(name=office.name)
        )

        self.code = QLineEdit(self)
        self.code.setMaxLength(20)
        self.code.setPlaceholderText(_("e.g. jerez"))
        self.name = QLineEdit(self)
        self.name.setMaxLength(limits.NAME)
        self.name.setPlaceholderText(_("As its letterhead prints it"))
        self.kind = QComboBox(self)
        for kind in KINDS:
            self.kind.addItem(kind_label(kind), kind)
        self.state = QComboBox(self)
        self.state.addItem(_("Choose a state…"), "")
        for key, name in list_states(db):
            self.state.addItem(name, key)
        self.municipalities = MunicipalityPicker(self)
        self.rfc = QLineEdit(self)
        self.rfc.setMaxLength(13)
        self.rfc.setPlaceholderText(_("Printed on its documents (optional)"))
        self.place = QLineEdit(self)
        self.place.setMaxLength(limits.NAME)
        self.place.setPlaceholderText(_("e.g. Jerez de García Salinas, Zacatecas"))
        self.db_role = QLineEdit(self)
        self.db_role.setMaxLength(63)
        self.db_role.setPlaceholderText(_("PostgreSQL servers only (optional)"))
        self._widgets: dict[str, QWidget] = {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "state": self.state,
            "municipalities": self.municipalities,
            "rfc": self.rfc,
            "place": self.place,
            "db_role": self.db_role,
        }

        self.general_error = QLabel(self)
        self.errors = FieldErrors(self.general_error)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        labels = {
            "code": _("&Key:"),
            "name": _("&Name:"),
            "kind": _("K&ind:"),
            "state": _("&State:"),
            "municipalities": _("&Municipalities:"),
            "rfc": _("&RFC:"),
            "place": _("&Place:"),
            "db_role": _("&Database role:"),
        }
        for field in FIELD_ORDER:
            self.errors.add_row(form, field, labels[field], self._widgets[field])
        form.addRow(_("&Logo:"), self._logo_row())

        self.reload_button = QPushButton(_("Reload the office"), self)
        self.reload_button.setToolTip(_("Show the office as it is stored now; your changes here are lost"))
        self.reload_button.clicked.connect(self.reload)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.addButton(self.reload_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.reload_button.hide()  # shown only when someone else saved the office meanwhile
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.general_error)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        chain = [self._widgets[f] for f in FIELD_ORDER]
        chain[4:5] = [self.municipalities.combo, self.municipalities.checklist]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 100)

        self.kind.currentIndexChanged.connect(self._on_kind)
        self.state.currentIndexChanged.connect(self._on_state)
        if office is not None:
            self.fill(office)
        self.code.setFocus()

    def _logo_row(self) -> QWidget:
        """What the letterhead's logo will be, with buttons to choose a file or print none."""
        self.logo_path = ""
        self.drop_logo = False
        row = QWidget(self)
        box = QVBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        self.logo_label = QLabel(row)
        self.logo_label.setWordWrap(True)
        self.choose_logo_button = QPushButton(_("Choose…"), row)
        self.choose_logo_button.setAccessibleName(_("Choose the logo"))
        self.choose_logo_button.clicked.connect(self.choose_logo)
        self.remove_logo_button = QPushButton(_("Remove"), row)
        self.remove_logo_button.setAccessibleName(_("Remove the logo"))
        self.remove_logo_button.clicked.connect(self.remove_logo)
        self.logo_error = QLabel(row)
        self.errors.register("logo", self.choose_logo_button, self.logo_error)
        buttons = QHBoxLayout()
        buttons.addWidget(self.logo_label, 1)
        buttons.addWidget(self.choose_logo_button)
        buttons.addWidget(self.remove_logo_button)
        box.addLayout(buttons)
        box.addWidget(self.logo_error)
        self._show_logo()
        return row

    def _show_logo(self) -> None:
        stored = self._editing is not None and self._editing.has_logo and not self.drop_logo
        if self.logo_path:
            self.logo_label.setText(Path(self.logo_path).name)
        elif stored:
            self.logo_label.setText(_("The logo stored with the office"))
        else:
            self.logo_label.setText(_("No logo: the letterhead prints the name alone"))
        self.remove_logo_button.setEnabled(bool(self.logo_path) or stored)

    def choose_logo(self) -> None:
        """Ask for a PNG or JPEG file; it is stored in the database when the office is saved."""
        path = prompts.choose_open_file(
            self, _("Choose the office's logo"), _("Images (*.png *.jpg *.jpeg)"), ""
        )
        if path:
            self.logo_path, self.drop_logo = path, False
            self._show_logo()

    def remove_logo(self) -> None:
        """The letterhead prints no logo."""
        self.logo_path, self.drop_logo = "", True
        self._show_logo()

    # -- behaviour -------------------------------------------------------------------------------

    @property
    def save_button(self) -> QPushButton:
        """The Save button (tests click it)."""
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def _on_kind(self) -> None:
        self.municipalities.set_kind(self.kind.currentData())

    def _on_state(self) -> None:
        """Offer the municipalities of the chosen state only."""
        key = self.state.currentData()
        try:
            places = list_municipalities(self._db, key) if key else []
        except StorageError as exc:
            show_error(self, exc)
            places = []
        self.municipalities.set_municipalities(self.state.currentText() if key else "", places)

    def fill(self, office: OfficeInfo) -> None:
        """Show a stored office's fields."""
        self.code.setText(office.code)
        self.name.setText(office.name)
        self.kind.setCurrentIndex(max(0, self.kind.findData(office.kind)))
        self.state.setCurrentIndex(max(0, self.state.findData(office.state_key)))
        self.municipalities.set_kind(office.kind)
        self.municipalities.select(office.municipality_keys)
        self.rfc.setText(office.rfc)
        self.place.setText(office.place)
        self.db_role.setText(office.db_role)

    def data(self) -> OfficeInput:
        """What the form says now."""
        return OfficeInput(
            code=self.code.text(),
            name=self.name.text(),
            kind=self.kind.currentData(),
            state_key=self.state.currentData() or "",
            municipality_keys=self.municipalities.keys(),
            rfc=self.rfc.text(),
            place=self.place.text(),
            db_role=self.db_role.text(),
            public_key=self._editing.public_key if self._editing is not None else "",
            logo_path=self.logo_path,
            remove_logo=self.drop_logo,
        )

    def _ui_problems(self) -> list[Problem]:
        """Problems only the form can name well: a state or municipality left unchosen."""
        if not self.state.currentData():
            return [Problem("state", "choice.required", {})]
        if self.kind.currentData() == "municipal" and not self.municipalities.keys():
            return [Problem("municipalities", "choice.required", {})]
        return []

    def save(self) -> bool:
        """Register or update the office; on problems show them under their fields and return False."""
        try:
            if self._editing is None:
                self.saved = create_office(self._db, self.data())
            else:
                self.saved = update_office(
                    self._db, self._editing.code, self.data(), expected_version=self._editing.version
                )
        except InputError as exc:
            self.show_problems(exc.problems)
            return False
        except StorageError as exc:
            show_error(self, exc)
            return False
        return True

    def show_problems(self, problems: Iterable[Problem]) -> None:
        """Show ``problems`` under their fields (the form's own first) and focus the first bad field."""
        problems = list(problems)
        conflict = any(p.code == "office.changed_elsewhere" for p in problems)
        mine = [] if conflict else self._ui_problems()
        replaced = {p.field for p in mine}
        if "state" in replaced:  # no state: the municipalities cannot be right either; one message
            replaced.add("municipalities")
        shown = mine + [p for p in problems if p.field not in replaced]
        self.errors.show(shown)
        self.reload_button.setVisible(conflict)
        bad = {p.field for p in shown}
        first = next((f for f in FIELD_ORDER if f in bad), None)
        if first is not None:
            self._widgets[first].setFocus(Qt.FocusReason.OtherFocusReason)
        elif conflict:
            self.reload_button.setFocus()

    def reload(self) -> None:
        """Show the office as stored now (after someone else changed it), dropping the edits here."""
        if self._editing is None:
            return
        try:
            stored = office_by_id(self._db, self._editing.id)
        except StorageError as exc:
            show_error(self, exc)
            return
        if stored is None:
            return
        self._editing = stored
        self.fill(stored)
        self.errors.clear()
        self.reload_button.hide()
        self.code.setFocus()

    def accept(self) -> None:
        """Save first; the dialog closes only when the office was stored."""
        if self.save():
            super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None, db: Database, office: OfficeInfo | None = None) -> OfficeInfo | None:
        """Run the form for a new office (``office`` None) or an existing one; the stored office, or None."""
        try:
            dialog = cls(db, office, parent)
        except StorageError as exc:
            show_error(parent, exc)
            return None
        try:
            return dialog.saved if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()


class OfficesDialog(QDialog):
    """Every office in a table, with buttons to register one and to edit the one selected."""

    COLUMNS = (
        N_("Key"),
        N_("Name"),
        N_("Kind"),
        N_("Jurisdiction"),
        N_("Database role"),
        N_("Officers"),
    )

    def __init__(self, parent: QWidget | None, db: Database):
        super().__init__(parent)
        self._db = db
        self.offices: list[OfficeInfo] = []
        self.changed = False
        self.setWindowTitle(_("Offices"))

        intro = QLabel(
            _(
                "Each office sees and changes only the projects and clubs of its municipalities. "
                "Officers with no office work on the whole database."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.empty = QLabel(_("No offices are registered: every officer works on the whole database."), self)
        self.empty.setWordWrap(True)
        self.table = QTableWidget(0, len(self.COLUMNS), self)
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())

        self.new_button = QPushButton(_("&New office…"), self)
        self.new_button.clicked.connect(self.new_office)
        self.edit_button = QPushButton(_("&Edit…"), self)
        self.edit_button.clicked.connect(self.edit_selected)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addWidget(self.edit_button)
        row.addStretch(1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.setMinimumSize(960, 420)  # every column of a few offices, without scrolling
        self.reload()

    @classmethod
    def ask(cls, parent: QWidget | None, db: Database) -> bool:
        """Show the dialog; True when an office was registered or changed."""
        dialog = cls(parent, db)
        try:
            dialog.exec()
            return dialog.changed
        finally:
            dialog.deleteLater()

    def reload(self, select: str = "") -> None:
        """Read the offices again, keeping ``select`` (an office's key) selected."""
        try:
            self.offices = list_offices(self._db)
        except StorageError as exc:
            show_error(self, exc)
            self.offices = []
        self.empty.setVisible(not self.offices)
        self.table.setRowCount(len(self.offices))
        for row, office in enumerate(self.offices):
            reach = reach_text(office)
            values = (
                office.code,
                office.name,
                kind_label(office.kind),
                reach,
                office.db_role or "—",
                ", ".join(office.users) or "—",
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == 3:
                    item.setToolTip(reach)
                self.table.setItem(row, column, item)
            if office.code == select:
                self.table.selectRow(row)
        self.table.resizeColumnsToContents()
        limit = self.fontMetrics().averageCharWidth() * 40  # a long list of municipalities: see the tooltip
        for column in (1, 3):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), limit))
        self._update_buttons()

    def selected_office(self) -> OfficeInfo | None:
        """The office of the selected row, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.offices[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        self.edit_button.setEnabled(self.selected_office() is not None)

    def new_office(self) -> None:
        """Register an office through the form."""
        saved = OfficeDialog.ask(self, self._db)
        if saved is not None:
            self.changed = True
            self.reload(select=saved.code)

    def edit_selected(self) -> None:
        """Edit the selected office through the form."""
        office = self.selected_office()
        if office is None:
            return
        saved = OfficeDialog.ask(self, self._db, office)
        if saved is not None:
            self.changed = True
        self.reload(select=saved.code if saved is not None else office.code)


class OfficeChoiceDialog(QDialog):
    """Which office an officer works in, or the whole database; it applies from their next sign-in."""

    def __init__(
        self,
        parent: QWidget | None,
        offices: Sequence[OfficeInfo],
        username: str,
        role: str = "",
        current: str = "",
    ):
        super().__init__(parent)
        self.setWindowTitle(_("Office of {user}").format(user=username))
        self.office = QComboBox(self)
        self.office.addItem(whole_database_text(), "")
        for office in offices:
            self.office.addItem(f"{office.name} ({office.code})", office.code)
        self.office.setCurrentIndex(max(0, self.office.findData(current)))
        self.office.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.office.setMinimumContentsLength(32)
        note = QLabel(
            _(
                "An officer of an office sees and changes only its jurisdiction; with the whole "
                "database, everything. The change applies from their next sign-in."
            ),
            self,
        )
        note.setWordWrap(True)
        self.admin_warning = QLabel(
            _(
                "An administrator placed in an office can no longer manage users, offices, rules, "
                "settings or backups: keep at least one administrator on the whole database."
            ),
            self,
        )
        self.admin_warning.setWordWrap(True)
        self._administrator = Role.ADMINISTRADOR in (parse_roles(role) or ())
        self.office.currentIndexChanged.connect(self._update_warning)
        form = QFormLayout()
        form.addRow(_("&Works in:"), self.office)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.admin_warning)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)
        self._update_warning()

    def _update_warning(self) -> None:
        self.admin_warning.setVisible(self._administrator and bool(self.office.currentData()))

    def chosen(self) -> str:
        """The chosen office's key, or "" for the whole database."""
        return self.office.currentData() or ""

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        offices: Sequence[OfficeInfo],
        username: str,
        role: str = "",
        current: str = "",
    ) -> str | None:
        """The office key chosen ("" for the whole database), or None when the administrator cancels."""
        dialog = cls(parent, offices, username, role, current)
        try:
            return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()
