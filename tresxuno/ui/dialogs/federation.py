"""Register or edit a federation of clubs: name, Mexican state, US region and contact.

The dialog only gathers what the officer typed; :mod:`tresxuno.services.clubs` checks it, and each
problem it returns is shown under its field.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.problems import InputError, Problem, StorageError
from tresxuno.domain.records import FederationInfo
from tresxuno.domain.validation import FederationInput
from tresxuno.i18n import _
from tresxuno.services.clubs import FederationRow, register_federation, update_federation
from tresxuno.services.places import list_states
from tresxuno.services.store import Database
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors
from tresxuno.ui.record_undo import federation_edited

#: Order of the fields on screen: the first one with a problem gets the focus.
FIELD_ORDER = ("name", "mx_state_key", "us_region", "contact")


class FederationDialog(QDialog):
    """A form for one federation; :attr:`saved` holds the stored record after a successful save."""

    def __init__(
        self,
        db: Database,
        federation: FederationInfo | FederationRow | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._db = db
        self._federation_id = federation.id if federation is not None else None
        self._before = (
            None
            if federation is None
            else FederationInfo(
                federation.id,
                federation.name,
                federation.mx_state_key,
                federation.us_region,
                federation.contact,
            )
        )
        self.saved: FederationInfo | None = None
        self.setWindowTitle(
            _("New federation")
            if federation is None
            else _("Edit federation {name}").format(name=federation.name)
        )

        self.name = QLineEdit(self)
        self.name.setMaxLength(200)
        self.state = QComboBox(self)
        self.state.addItem(_("Choose a state…"), "")
        for key, name in list_states(db):
            self.state.addItem(name, key)
        self.us_region = QLineEdit(self)
        self.us_region.setMaxLength(120)
        self.us_region.setPlaceholderText(_("e.g. Southern California"))
        self.contact = QLineEdit(self)
        self.contact.setMaxLength(200)
        self.contact.setPlaceholderText(_("Name, telephone or e-mail"))

        self.general_error = QLabel(self)
        self.errors = FieldErrors(self.general_error)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.errors.add_row(form, "name", _("&Name:"), self.name)
        self.errors.add_row(form, "mx_state_key", _("Mexican &state:"), self.state)
        self.errors.add_row(form, "us_region", _("&US region:"), self.us_region)
        self.errors.add_row(form, "contact", _("&Contact:"), self.contact)
        self._widgets = {
            "name": self.name,
            "mx_state_key": self.state,
            "us_region": self.us_region,
            "contact": self.contact,
        }

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.general_error)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)

        if federation is not None:
            self.name.setText(federation.name)
            self.state.setCurrentIndex(max(0, self.state.findData(federation.mx_state_key)))
            self.us_region.setText(federation.us_region)
            self.contact.setText(federation.contact)
        self.name.setFocus()

    @property
    def save_button(self) -> QPushButton:
        """The Save button (tests click it)."""
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def data(self) -> FederationInput:
        """What the form says now."""
        return FederationInput(
            name=self.name.text(),
            mx_state_key=self.state.currentData() or "",
            us_region=self.us_region.text(),
            contact=self.contact.text(),
        )

    def _ui_problems(self) -> list[Problem]:
        """Problems only the form can name well: a state left unchosen is not a wrong "key"."""
        return [Problem("mx_state_key", "choice.required", {})] if not self.state.currentData() else []

    def save(self) -> bool:
        """Register or update the federation; on problems show them under their fields and return False."""
        try:
            if self._federation_id is None:
                self.saved = register_federation(self._db, self.data())
            else:
                self.saved = update_federation(self._db, self._federation_id, self.data())
                if self._before is not None:
                    federation_edited(self._db, self._before, self.saved, self.parentWidget())
        except InputError as exc:
            self.show_problems(exc.problems)
            return False
        except StorageError as exc:
            show_error(self, exc)
            return False
        return True

    def show_problems(self, problems: tuple[Problem, ...] | list[Problem]) -> None:
        """Show ``problems`` under their fields (the form's own first) and focus the first bad field."""
        mine = self._ui_problems()
        replaced = {p.field for p in mine}
        shown = mine + [p for p in problems if p.field not in replaced]
        self.errors.show(shown)
        bad = {p.field for p in shown}
        for field in FIELD_ORDER:
            if field in bad:
                self._widgets[field].setFocus()
                break
        self.adjustSize()

    def accept(self) -> None:
        """Save first; the dialog closes only when the federation was stored."""
        if self.save():
            super().accept()

    @classmethod
    def ask(
        cls, parent: QWidget | None, db: Database, federation: FederationInfo | FederationRow | None = None
    ) -> FederationInfo | None:
        """Run the dialog; the stored federation, or None when the officer cancels."""
        try:
            dialog = cls(db, federation, parent)
        except StorageError as exc:
            show_error(parent, exc)
            return None
        try:
            return dialog.saved if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()
