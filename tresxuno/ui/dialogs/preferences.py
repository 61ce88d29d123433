"""Preferences: the interface language (applied at once, no restart), the office, and where the data is.

The data folder part (show, move, how many backups to keep) is :class:`DataFolderBox`.

The language is this person's choice on this computer (stored in :class:`~tresxuno.ui.settings.Settings`);
the office's name, municipality, RFC and logo belong to the database and are shared by every workstation.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.problems import InputError, StorageError
from tresxuno.i18n import LANGUAGES, _, language
from tresxuno.services.backups import risk_warning
from tresxuno.services.office import (
    OfficeSettings,
    office_settings,
    separation_of_duties,
    set_separation_of_duties,
)
from tresxuno.services.store import Database
from tresxuno.ui.dialogs.data_folder import DataFolderBox
from tresxuno.ui.dialogs.declarations import DeclarationsDialog
from tresxuno.ui.dialogs.first_run import OfficeForm
from tresxuno.ui.errors import show_error
from tresxuno.ui.permissions import gate
from tresxuno.ui.screen_fit import scrolling, show_whole
from tresxuno.ui.settings import Settings

#: Each language named in itself, never translated: whoever opened the wrong language by mistake
#: must still recognise their own.
LANGUAGE_NAMES = {"es": "Español (México)", "en": "English"}


@dataclass(frozen=True)
class Preferences:
    """What the officer chose: the interface language and the office's stored settings."""

    language: str
    office: OfficeSettings
    #: Another database chosen (path or URL): the window closes and reopens on it.
    reopen: str | None = None


class PreferencesDialog(QDialog):
    """Language, office settings and the database location (read-only)."""

    def __init__(self, parent: QWidget | None, db: Database, settings: Settings | None = None):
        super().__init__(parent)
        self._db = db
        self._settings = settings or Settings()
        self.chosen: Preferences | None = None
        self.setWindowTitle(_("Preferences"))

        self.language = QComboBox(self)
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES.get(code, code), code)
        self.language.setCurrentIndex(max(0, self.language.findData(language())))
        self.language.setAccessibleName(_("Language"))
        interface = QGroupBox(_("Interface"), self)
        interface_form = QFormLayout(interface)
        interface_form.addRow(_("&Language:"), self.language)
        interface_form.labelForField(self.language).setBuddy(self.language)  # type: ignore[union-attr]

        try:
            current = office_settings(db)
        except StorageError as exc:
            show_error(parent, exc)
            current = OfficeSettings()
        office = QGroupBox(_("Office"), self)
        office_box = QVBoxLayout(office)
        hint = QLabel(_("Printed on every report; shared by every computer that uses this database."), office)
        hint.setWordWrap(True)
        office_box.addWidget(hint)
        self.office = OfficeForm(db, current, office)
        gate(self.office, db, "settings.edit")  # the office's data are the administrador's
        gate(self.office.rfc, db, "settings.edit")  # its own tooltip would hide the reason
        office_box.addWidget(self.office)
        # Who held each post and when: documents sign with those in office on their date.
        self.officials_button = QPushButton(_("O&fficials in office over time…"), office)
        self.officials_button.clicked.connect(self.show_officials)
        office_box.addWidget(self.officials_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.declarations_button = QPushButton(_("Convenio &declarations…"), office)
        self.declarations_button.clicked.connect(self.edit_declarations)
        gate(self.declarations_button, db, "settings.edit")
        office_box.addWidget(self.declarations_button)
        self.separation = QCheckBox(
            _("&Separation of duties: nobody rules on what they captured nor reverses their own payment"),
            office,
        )
        self.separation.setToolTip(
            _(
                "A one-person office waives it; every act the waiver lets through says so in the project's history "
                "and on its documents, and the change of this setting is kept in the audit trail."
            )
        )
        try:
            self.separation.setChecked(separation_of_duties(db))
        except StorageError:
            self.separation.setChecked(True)
        gate(self.separation, db, "settings.edit")
        office_box.addWidget(self.separation)

        self.location = QLineEdit(str(db.path) if db.path is not None else db.url, self)
        self.location.setReadOnly(True)
        self.location.setAccessibleName(_("Database location"))
        self.location.setCursorPosition(0)
        database = QGroupBox(_("Database"), self)
        database_box = QVBoxLayout(database)
        database_box.addWidget(self.location)
        self.other_database = QPushButton(_("Open another &database…"), database)
        self.other_database.setToolTip(
            _(
                "A database file (SQLite) or the office's database server (PostgreSQL); the window reopens on it"
            )
        )
        self.other_database.clicked.connect(self.open_other_database)
        database_box.addWidget(self.other_database, 0, Qt.AlignmentFlag.AlignLeft)
        self.reopen: str | None = None
        self.risk = QLabel(risk_warning(db.path), database)
        self.risk.setWordWrap(True)
        self.risk.setStyleSheet("color: #b00020;")
        self.risk.setVisible(bool(self.risk.text()))
        database_box.addWidget(self.risk)
        data = DataFolderBox(self, db, self._settings)
        self.data_folder = data

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("OK"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        # The settings scroll on a small screen; OK and Cancel below them always stay in view.
        content = QWidget(self)
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        for box in (interface, office, database, data):
            body.addWidget(box)
        body.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(scrolling(content, self), 1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(640)
        show_whole(self)
        self.language.setFocus()

    @classmethod
    def ask(
        cls, parent: QWidget | None, db: Database, settings: Settings | None = None
    ) -> Preferences | None:
        """Show the dialog; what was chosen and stored, or None when cancelled.

        The caller applies a changed language (the main window rebuilds its pages).
        """
        dialog = cls(parent, db, settings)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.chosen
        finally:
            dialog.deleteLater()

    def open_other_database(self) -> str | None:
        """Choose another database; once it opened, keep it and close Preferences so the window reopens."""
        from tresxuno.ui.dialogs.open_database import OpenDatabaseDialog

        dialog = OpenDatabaseDialog(self, self.location.text())
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.chosen is None:
            return None
        self.reopen = dialog.chosen
        self._settings.database_url = dialog.chosen
        self.accept()
        return self.reopen

    def show_officials(self) -> None:
        """Open the list of office holders over time."""
        from tresxuno.ui.dialogs.officials import OfficialsDialog

        OfficialsDialog.ask(self, self._db)

    def set_language(self, code: str) -> None:
        """Choose the language ``code`` ("es" or "en") in the combo."""
        self.language.setCurrentIndex(self.language.findData(code))

    def edit_declarations(self) -> DeclarationsDialog:
        """The government parties' declarations printed in every convenio (a dialog)."""
        dialog = DeclarationsDialog(self._db, self)
        dialog.exec()
        return dialog

    def accept(self) -> None:
        """Store the office settings when changed (problems shown under their fields) and the language."""
        office = self.office.initial
        if self.office.changed() or (not office.is_set and self.office.values().name.strip()):
            saved = self.office.save()
            if saved is None:
                return
            office = saved
        try:
            if self.separation.isEnabled() and self.separation.isChecked() != separation_of_duties(self._db):
                set_separation_of_duties(self._db, self.separation.isChecked())
        except (InputError, StorageError) as exc:
            show_error(self, exc)
            return
        code = self.language.currentData() or language()
        self._settings.language = code
        self._settings.backups_keep = self.data_folder.keep.value()
        self.chosen = Preferences(code, office, self.reopen)
        super().accept()
