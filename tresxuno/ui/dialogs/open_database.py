"""Open another database from Preferences: a SQLite file (existing or new) or a PostgreSQL server URL.

The choice is tried before it is kept (a wrong path or password is said here, not at the next
start), stored in this computer's settings, and the window reopens on it after a new sign-in.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.problems import StorageError
from tresxuno.i18n import _
from tresxuno.messages import describe_storage
from tresxuno.services.store import open_database
from tresxuno.ui.forms import ERROR_STYLE


class OpenDatabaseDialog(QDialog):
    """Choose a database; ``chosen`` holds its path or URL once it opened (accepted)."""

    def __init__(self, parent: QWidget | None, current: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Open another database"))
        self.chosen: str | None = None
        self.sqlite = QRadioButton(_("A database &file on this computer (SQLite)"), self)
        self.server = QRadioButton(
            _("A database &server shared by the office's computers (PostgreSQL)"), self
        )
        group = QButtonGroup(self)
        group.addButton(self.sqlite)
        group.addButton(self.server)
        self.path = QLineEdit(self)
        self.path.setAccessibleName(_("Database file"))
        browse = QPushButton(_("&Browse…"), self)
        browse.clicked.connect(self.browse)
        self.url = QLineEdit(self)
        self.url.setPlaceholderText("postgresql+psycopg://usuario:contraseña@servidor/tresxuno")
        self.url.setAccessibleName(_("Server address (URL)"))
        server_url = current.startswith(("postgresql", "postgres"))
        (self.url if server_url else self.path).setText(current)
        (self.server if server_url else self.sqlite).setChecked(True)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        note = QLabel(
            _(
                "The database is tried now. A file that does not exist yet becomes a new, empty database. "
                "The window then reopens on it and you sign in again; this computer keeps the choice. "
                "Several computers share a server, never a file in a shared or synchronised folder."
            ),
            self,
        )
        note.setWordWrap(True)
        grid = QGridLayout()
        grid.addWidget(self.sqlite, 0, 0, 1, 2)
        grid.addWidget(self.path, 1, 0)
        grid.addWidget(browse, 1, 1)
        grid.addWidget(self.server, 2, 0, 1, 2)
        grid.addWidget(self.url, 3, 0, 1, 2)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.open_button = buttons.button(QDialogButtonBox.StandardButton.Open)
        self.open_button.setText(_("&Open"))
        self.open_button.setDefault(True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self.try_open)
        buttons.rejected.connect(self.reject)
        self.path.textEdited.connect(lambda _t: self.sqlite.setChecked(True))
        self.url.textEdited.connect(lambda _t: self.server.setChecked(True))
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(700)

    def browse(self) -> None:
        """Pick a file (an existing database, or the name of a new one)."""
        start = self.path.text().strip() or str(Path.home())
        name, _filter = QFileDialog.getSaveFileName(
            self,
            _("Database file"),
            start,
            _("tresxuno database (*.sqlite *.db);;All files (*)"),
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if name:
            self.path.setText(name)
            self.sqlite.setChecked(True)

    def target(self) -> str:
        """The path or URL chosen, trimmed."""
        return (self.url.text() if self.server.isChecked() else self.path.text()).strip()

    def try_open(self) -> bool:
        """Open the chosen database once (creating or upgrading it as at any start); keep it if it opens."""
        target = self.target()
        if not target:
            self._show(_("Write the file's path or the server's address."))
            return False
        try:
            db = open_database(target)
        except StorageError as exc:
            self._show(describe_storage(exc))
            return False
        db.dispose()
        self.chosen = target
        self.accept()
        return True

    def _show(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
