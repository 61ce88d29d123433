"""Administración > Usuarios: add users, change roles, reset passwords, deactivate (administrador only).

Every change goes through :mod:`tresxuno.services.users`, which checks the role again and refuses
to leave the office without an active administrador.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.problems import InputError, Problem, StorageError
from tresxuno.domain.roles import Role, join_roles
from tresxuno.formatting import date_text
from tresxuno.i18n import _
from tresxuno.services.offices import OfficeInfo, assign_office, list_offices
from tresxuno.services.store import Database
from tresxuno.services.users import UserInfo, change_role, create_user, deactivate, list_users, set_password
from tresxuno.ui.dialogs.offices import OfficeChoiceDialog
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors
from tresxuno.ui.permissions import role_label


def role_combo(parent: QWidget) -> QComboBox:
    """A combo of the five roles, by their names, holding the role ids."""
    combo = QComboBox(parent)
    for role in Role:
        combo.addItem(role_label(role.value), role.value)
    # A one-person office: one officer holds every role (separation of duties is a setting).
    every = join_roles(Role)
    combo.addItem(_("Every role (one-person office)"), every)
    return combo


class UsersDialog(QDialog):
    """The office's users in a table, a form to add one, and actions on the selected one."""

    def __init__(self, parent: QWidget | None, db: Database):
        super().__init__(parent)
        self._db = db
        self.users: list[UserInfo] = []
        self.offices: list[OfficeInfo] = []
        self.office_of: dict[str, OfficeInfo] = {}  # user name -> office; absent: the whole database
        self.changed = False
        self.setWindowTitle(_("Users"))

        self.table = QTableWidget(0, 6, self)
        self.table.setHorizontalHeaderLabels(
            [_("User name"), _("Full name"), _("User role"), _("Office"), _("Active"), _("Last sign-in")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        # Actions on the selected user.
        self.selected_role = role_combo(self)
        self.selected_role.setAccessibleName(_("New role"))
        self.change_role_button = QPushButton(_("Change &role"), self)
        self.change_role_button.clicked.connect(self.change_selected_role)
        self.new_password = QLineEdit(self)
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_password.setPlaceholderText(_("New password"))
        self.new_password.setAccessibleName(_("New password"))
        self.new_password.setMinimumWidth(self.new_password.fontMetrics().averageCharWidth() * 16)
        self.reset_button = QPushButton(_("Re&set password"), self)
        self.reset_button.clicked.connect(self.reset_selected_password)
        self.deactivate_button = QPushButton(_("&Deactivate"), self)
        self.deactivate_button.clicked.connect(self.toggle_selected)
        self.office_button = QPushButton(_("Offi&ce…"), self)
        self.office_button.setToolTip(_("The office whose jurisdiction the user works in"))
        self.office_button.clicked.connect(self.choose_selected_office)
        selected = QHBoxLayout()
        for widget in (
            self.selected_role,
            self.change_role_button,
            self.new_password,
            self.reset_button,
            self.deactivate_button,
            self.office_button,
        ):
            selected.addWidget(widget)
        self.selected_error = QLabel(self)
        self.selected_errors = FieldErrors(self.selected_error)

        # A new user.
        add_box = QGroupBox(_("New user"), self)
        self.add_general = QLabel(add_box)
        self.errors = FieldErrors(self.add_general)
        form = QFormLayout()
        self.username = QLineEdit(add_box)
        self.username.setMaxLength(40)
        self.errors.add_row(form, "username", _("&User name:"), self.username)
        self.full_name = QLineEdit(add_box)
        self.full_name.setMaxLength(200)
        self.errors.add_row(form, "full_name", _("&Full name:"), self.full_name)
        self.role = role_combo(add_box)
        self.role.setCurrentIndex(self.role.findData(Role.CAPTURISTA.value))
        self.errors.add_row(form, "role", _("R&ole:"), self.role)
        self.password = QLineEdit(add_box)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.errors.add_row(form, "password", _("&Password:"), self.password)
        self.password_again = QLineEdit(add_box)
        self.password_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.errors.add_row(form, "password_again", _("Password &again:"), self.password_again)
        self.add_button = QPushButton(_("&Add user"), add_box)
        self.add_button.clicked.connect(self.add_user)
        box = QVBoxLayout(add_box)
        box.addWidget(self.add_general)
        box.addLayout(form)
        box.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignRight)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(selected)
        layout.addWidget(self.selected_error)
        layout.addWidget(add_box)
        layout.addWidget(buttons)
        self.setMinimumSize(860, 560)
        self.reload()

    @classmethod
    def ask(cls, parent: QWidget | None, db: Database) -> bool:
        """Show the dialog; True when anything changed."""
        dialog = cls(parent, db)
        try:
            dialog.exec()
            return dialog.changed
        finally:
            dialog.deleteLater()

    # -- reading ---------------------------------------------------------------------------------

    def reload(self, select: str = "") -> None:
        """Read the users again, keeping ``select`` (a user name) selected."""
        try:
            self.users = list_users(self._db)
            self.offices = list_offices(self._db)
        except (InputError, StorageError) as exc:
            show_error(self, exc)
            self.users = []
        self.office_of = {name: office for office in self.offices for name in office.users}
        self.table.setRowCount(len(self.users))
        for row, user in enumerate(self.users):
            values = (
                user.username,
                user.full_name,
                role_label(user.role),
                self.office_of[user.username].name
                if user.username in self.office_of
                else _("Whole database"),
                _("Yes") if user.active else _("No"),
                date_text(user.last_login_at) if user.last_login_at else "—",
            )
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
            if user.username == select:
                self.table.selectRow(row)
        self.table.setColumnHidden(3, not self.offices)  # a database without offices: nothing to show
        self.table.resizeColumnsToContents()
        self._update_buttons()

    def selected_user(self) -> UserInfo | None:
        """The user of the selected row, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.users[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        user = self.selected_user()
        for widget in (self.change_role_button, self.reset_button, self.deactivate_button):
            widget.setEnabled(user is not None)
        self.office_button.setEnabled(user is not None and bool(self.offices))
        self.office_button.setToolTip(
            _("The office whose jurisdiction the user works in")
            if self.offices
            else _("No offices are registered yet (Administration > Offices…)")
        )
        if user is not None:
            if self.selected_role.findData(user.role) < 0:  # another mix of roles, given elsewhere
                self.selected_role.addItem(role_label(user.role), user.role)
            self.selected_role.setCurrentIndex(self.selected_role.findData(user.role))
            self.deactivate_button.setText(_("&Deactivate") if user.active else _("Re&activate"))

    # -- changing --------------------------------------------------------------------------------

    def _run(self, errors: FieldErrors, work) -> bool:
        try:
            work()
        except InputError as exc:
            errors.show(exc.problems)
            return False
        except StorageError as exc:
            show_error(self, exc)
            return False
        errors.clear()
        self.changed = True
        return True

    def add_user(self) -> None:
        """Create the user the form describes; problems appear under their fields."""
        if self.password.text() != self.password_again.text():
            self.errors.show([Problem("password_again", "user.password_mismatch", {})])
            return
        name = self.username.text()
        if self._run(
            self.errors,
            lambda: create_user(
                self._db, name, self.full_name.text(), self.role.currentData(), self.password.text()
            ),
        ):
            for field in (self.username, self.full_name, self.password, self.password_again):
                field.clear()
            self.reload(select=name.strip().lower())

    def change_selected_role(self) -> None:
        """Give the selected user the role chosen beside the button."""
        user = self.selected_user()
        role = self.selected_role.currentData()
        if user is not None and self._run(
            self.selected_errors, lambda: change_role(self._db, user.username, role)
        ):
            self.reload(select=user.username)

    def reset_selected_password(self) -> None:
        """Set the selected user's password to the one typed beside the button (also lifts a lock)."""
        user = self.selected_user()
        password = self.new_password.text()
        if user is not None and self._run(
            self.selected_errors, lambda: set_password(self._db, user.username, password)
        ):
            self.new_password.clear()
            self.reload(select=user.username)

    def toggle_selected(self) -> None:
        """Deactivate the selected user, or reactivate a deactivated one."""
        user = self.selected_user()
        if user is not None and self._run(
            self.selected_errors, lambda: deactivate(self._db, user.username, active=not user.active)
        ):
            self.reload(select=user.username)

    def choose_selected_office(self) -> None:
        """Place the selected user in the office the administrator picks, or on the whole database."""
        user = self.selected_user()
        if user is None:
            return
        current = self.office_of.get(user.username)
        code = OfficeChoiceDialog.ask(
            self, self.offices, user.username, user.role, current.code if current is not None else ""
        )
        if code is not None and self._run(
            self.selected_errors, lambda: assign_office(self._db, user.username, code or None)
        ):
            self.reload(select=user.username)
