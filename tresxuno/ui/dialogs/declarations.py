"""The office's convenio declarations: who represents the municipality, the state and the federal delegation.

Each convenio's DECLARACIONES name the representative, post, domicile and RFC of every government
party; they are the same in every convenio the office prints, so they are office settings.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain import limits
from tresxuno.domain.convenio import DECLARING_PARTIES, MAX_DOMICILE, PartyDeclaration
from tresxuno.domain.problems import InputError, StorageError
from tresxuno.i18n import N_, _
from tresxuno.services.convenio_terms import office_declarations, save_declarations
from tresxuno.services.store import Database
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors

PARTY_TITLES: dict[str, str] = {
    "municipal": N_("Municipality (the office's)"),
    "state": N_("State government"),
    "federal": N_("Federal delegation"),
}


class DeclarationsDialog(QDialog):
    """Edit the declarations; the municipality's RFC is the office's RFC (set in Preferences)."""

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self.setWindowTitle(_("Convenio declarations"))
        current = office_declarations(db)
        self.general = QLabel(self)
        self.general.setWordWrap(True)
        self.errors = FieldErrors(self.general)
        self.fields: dict[tuple[str, str], QLineEdit] = {}
        layout = QVBoxLayout(self)
        note = QLabel(
            _(
                "Printed in the DECLARACIONES of every convenio: each government's representative, post, domicile and RFC."
            ),
            self,
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(self.general)
        for party in DECLARING_PARTIES:
            d = current[party]
            box = QGroupBox(_(PARTY_TITLES[party]), self)
            form = QFormLayout(box)
            for name, label, size, value in (
                ("representative", _("Representative:"), limits.NAME, d.representative),
                ("role", _("Post:"), limits.SHORT, d.role),
                ("domicile", _("Domicile:"), MAX_DOMICILE, d.domicile),
                ("rfc", _("RFC:"), 16, d.rfc),
            ):
                edit = QLineEdit(value, box)
                edit.setMaxLength(size)
                edit.setAccessibleName(f"{_(PARTY_TITLES[party])}: {label.rstrip(':')}")
                if (party, name) == ("municipal", "rfc"):
                    edit.setReadOnly(True)
                    edit.setToolTip(_("The office's RFC: change it in Preferences."))
                self.errors.add_row(form, f"{party}.{name}", label, edit)
                self.fields[(party, name)] = edit
            layout.addWidget(box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 560)

    def values(self) -> list[PartyDeclaration]:
        """The declarations the form holds."""
        return [
            PartyDeclaration(
                party,
                *(self.fields[(party, n)].text() for n in ("representative", "role", "domicile", "rfc")),
            )
            for party in DECLARING_PARTIES
        ]

    def save(self) -> None:
        """Store them in one transaction; problems beside their fields, nothing stored."""
        try:
            save_declarations(self._db, self.values())
        except InputError as exc:
            self.errors.show(exc.problems)
            return
        except StorageError as exc:
            show_error(self, exc)
            return
        self.accept()
