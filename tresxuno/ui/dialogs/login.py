"""Sign in: user name and password, at start (and on "Sign out / switch user") once the office has users.

A refusal is shown in the dialog in the officer's language (wrong user or password, locked until
HH:MM, deactivated); on a demo database a hint names the demo users and their password.
"""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from tresxuno.demo.users import DEMO_PASSWORD, demo_usernames
from tresxuno.domain.actor import Actor, set_actor
from tresxuno.domain.problems import InputError, StorageError
from tresxuno.i18n import _
from tresxuno.messages import describe
from tresxuno.services.store import Database
from tresxuno.services.users import authenticate
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import ERROR_STYLE


class LoginDialog(QDialog):
    """User name, password and the reason of the last refusal."""

    def __init__(self, parent: QWidget | None, db: Database, username: str = ""):
        super().__init__(parent)
        self._db = db
        self.actor: Actor | None = None
        self.setWindowTitle(_("Sign in to tresxuno"))
        self.setModal(True)

        self.username = QLineEdit(username, self)
        self.username.setMaxLength(80)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(200)
        form = QFormLayout()
        form.addRow(_("&User name:"), self.username)
        form.addRow(_("&Password:"), self.password)
        self.username.setAccessibleName(_("User name"))
        self.password.setAccessibleName(_("Password"))

        self.error = QLabel(self)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        demo = demo_usernames(db)
        if demo:
            self.hint.setText(
                _("Demo database: sign in as {users} with the password {password}.").format(
                    users=", ".join(demo), password=DEMO_PASSWORD
                )
            )
        else:
            self.hint.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Sign in"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(380)
        (self.password if username else self.username).setFocus()

    @classmethod
    def ask(cls, parent: QWidget | None, db: Database, username: str = "") -> Actor | None:
        """Show the dialog; the signed-in :class:`Actor` (already set process-wide), or None if cancelled."""
        dialog = cls(parent, db, username)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.actor
        finally:
            dialog.deleteLater()

    def accept(self) -> None:
        """Check the name and password; sign in and close, or say why not and stay open."""
        try:
            actor = authenticate(self._db, self.username.text(), self.password.text())
        except InputError as exc:
            self.error.setText("\n".join(describe(p, with_field=False) for p in exc.problems))
            self.error.show()
            self.password.clear()
            self.password.setFocus()
            return
        except StorageError as exc:
            show_error(self, exc)
            return
        set_actor(actor)
        self.actor = actor
        super().accept()
