"""The convenio modificatorio dialog: a signed project's new cost, with each party's share before and after.

The preview is computed by the same service that records the amendment (the project's frozen rules),
so what the officer sees is what will be stored; the service checks everything again on OK.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.actor import current_actor
from tresxuno.domain.amendments import AmendmentInput
from tresxuno.domain.problems import InputError, Problem, StorageError
from tresxuno.formatting import money_text, party_label, percent
from tresxuno.i18n import _
from tresxuno.messages import describe
from tresxuno.services.amendments import amend_project, preview_amendment
from tresxuno.services.projects import get_project
from tresxuno.services.store import Database
from tresxuno.ui.dialogs.club import date_edit, from_qdate, to_qdate
from tresxuno.ui.dialogs.entries import amount_text, money_edit, parse_amount
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class AmendmentDialog(QDialog):
    """Record a convenio modificatorio of one project (Enter accepts)."""

    def __init__(
        self, db: Database, project_id: int, parent: QWidget | None = None, *, today: date | None = None
    ):
        super().__init__(parent)
        self._db = db
        self._id = project_id
        self._today = today or date.today()
        self.detail = get_project(db, project_id)
        self.result_detail = None
        self.setWindowTitle(_("Convenio modificatorio — {folio}").format(folio=self.detail.folio))

        intro = QLabel(
            _(
                "The convenio is signed: its cost changes only through a signed convenio modificatorio. "
                "Current cost: {cost}. The shares are recomputed under the project's own rules."
            ).format(cost=money_text(self.detail.cost)),
            self,
        )
        intro.setWordWrap(True)
        self.general = QLabel(self)
        self.errors = FieldErrors(self.general)
        form = QFormLayout()
        self.cost = money_edit(self)
        self.cost.setText(amount_text(self.detail.cost))
        self.errors.add_row(form, "cost", _("New total &cost:"), self.cost)
        self.signed_on = date_edit(self)
        self.signed_on.setDate(to_qdate(self._today))
        self.signed_on.setMaximumDate(to_qdate(self._today))
        self.errors.add_row(form, "signed_on", _("&Signed on:"), self.signed_on)
        self.reason = QPlainTextEdit(self)
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(self.reason.fontMetrics().height() * 4)
        self.errors.add_row(form, "reason", _("&Reason:"), self.reason)
        self.authorised_by = QLineEdit(self)
        self.authorised_by.setPlaceholderText(_("name and post"))
        self.errors.add_row(form, "authorised_by", _("&Authorised by:"), self.authorised_by)
        self.document = QLineEdit(self)
        self.document.setPlaceholderText(_("e.g. CM-01/2026"))
        self.errors.add_row(form, "document_reference", _("&Document reference:"), self.document)

        self.preview = QTableWidget(0, 3, self)
        self.preview.setHorizontalHeaderLabels([_("Party"), _("Before"), _("After")])
        self.preview.setAccessibleName(_("Shares before and after"))
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.preview.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.preview.verticalHeader().hide()
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.preview_note = QLabel(self)
        self.preview_note.setWordWrap(True)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(_("Record amendment"))
        ok.setDefault(True)
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.general)
        layout.addLayout(form)
        layout.addWidget(QLabel(_("Shares (live preview):"), self))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.preview_note)
        layout.addWidget(self.buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.refresh_preview)
        self.cost.textChanged.connect(lambda _text: self._timer.start())
        self.resize(640, 600)
        self.refresh_preview()
        self.cost.selectAll()
        self.cost.setFocus()

    # -- preview ------------------------------------------------------------------------------

    def refresh_preview(self) -> None:
        """Show each party's share before and after the cost typed (or why it cannot be computed)."""
        problems: list[Problem] = []
        cost = parse_amount(self.cost.text(), "cost", problems)
        changes = ()
        if cost is not None and cost > 0:
            try:
                changes = preview_amendment(self._db, self._id, cost).changes
            except InputError as exc:
                problems.extend(exc.problems)
            except StorageError as exc:
                show_error(self, exc)
                return
        self.preview.setRowCount(len(changes))
        for row, change in enumerate(changes):
            before = f"{money_text(change.previous_amount)} ({percent(change.previous_percent_bp)})"
            after = f"{money_text(change.amount)} ({percent(change.percent_bp)})"
            for column, (text, right) in enumerate(
                ((party_label(change.party), False), (before, True), (after, True))
            ):
                item = QTableWidgetItem(text)
                if right:
                    item.setTextAlignment(_RIGHT)
                self.preview.setItem(row, column, item)
        if problems:
            self.preview_note.setText("\n".join(describe(p) for p in problems))
        elif changes:
            total = sum(c.amount for c in changes)
            self.preview_note.setText(_("New shares add up to {total}.").format(total=money_text(total)))
        else:
            self.preview_note.clear()

    # -- accepting ----------------------------------------------------------------------------

    def data(self) -> AmendmentInput | None:
        """The amendment as typed, or None (problems shown under their fields)."""
        problems: list[Problem] = []
        cost = parse_amount(self.cost.text(), "cost", problems)
        if problems or cost is None:
            self._show(problems)
            return None
        return AmendmentInput(
            cost=cost,
            signed_on=from_qdate(self.signed_on.date()),
            reason=self.reason.toPlainText(),
            authorised_by=self.authorised_by.text(),
            document_reference=self.document.text(),
        )

    def _show(self, problems: list[Problem]) -> None:
        self.errors.point_out(problems)

    def try_accept(self) -> None:
        """Record the amendment through the service; stay open with the problems when refused."""
        data = self.data()
        if data is None:
            return
        try:
            self.result_detail = amend_project(
                self._db, self._id, data, user=current_actor().username, today=self._today
            )
        except InputError as exc:
            self._show(list(exc.problems))
            return
        except StorageError as exc:
            show_error(self, exc)
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, db: Database, project_id: int) -> bool:
        """Show the dialog; True when an amendment was recorded."""
        dialog = cls(db, project_id, parent)
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            dialog.deleteLater()


__all__ = ["AmendmentDialog"]
