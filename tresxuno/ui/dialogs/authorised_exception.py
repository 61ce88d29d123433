"""An exception to a programme rule, recorded in writing: the reason and who authorised it.

The rules let an administrador waive a gate (works started before a first deposit) or a year-end
reintegro only with a written reason that the audit trail keeps; both ask the same two things, so one
dialog serves both and shows the service's refusal beside the field it concerns.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.problems import InputError, StorageError
from tresxuno.i18n import _
from tresxuno.ui.dialogs.entries import add_field
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors

#: Records the exception: called with the reason and who authorised it; raises InputError to refuse.
Record = Callable[[str, str], object]


class AuthorisedExceptionDialog(QDialog):
    """Reason and authoriser of an exception; Save records it through ``record`` or shows what is wrong."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        intro: str,
        record: Record,
        *,
        authoriser_label: str,
        authorised_by: str = "",
    ):
        super().__init__(parent)
        self._record = record
        self.setWindowTitle(title)
        note = QLabel(intro, self)
        note.setWordWrap(True)
        self.general = QLabel(self)
        self.errors = FieldErrors(self.general)
        form = QFormLayout()
        self.reason = QPlainTextEdit(self)
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(self.fontMetrics().lineSpacing() * 5)
        self.authorised_by = QLineEdit(authorised_by, self)
        self.authorised_by.setPlaceholderText(_("Name and post, e.g. Lic. Ana Ruiz, Tesorera Municipal"))
        add_field(form, self.errors, "reason", _("&Reason:"), self.reason)
        add_field(form, self.errors, "authorised_by", authoriser_label, self.authorised_by)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.general)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(560, 320)

    def save(self) -> None:
        """Record the exception and close, or show what is wrong and stay open on the first bad field."""
        try:
            self._record(self.reason.toPlainText(), self.authorised_by.text())
        except InputError as exc:
            self.errors.point_out(exc.problems)
            return
        except StorageError as exc:
            show_error(self, exc)
            return
        self.accept()
