"""The project record's Convenio tab: the account, modality, partner and goals its convenio states."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.goals import Goal
from tresxuno.domain.problems import StorageError
from tresxuno.i18n import _
from tresxuno.services.convenio_terms import convenio_terms
from tresxuno.services.goals import goals_of
from tresxuno.services.store import Database
from tresxuno.ui.dialogs.convenio_terms import MODALITY_NAMES, ConvenioTermsDialog
from tresxuno.ui.errors import show_error
from tresxuno.ui.views.project_record_summary import _item, _table


class RecordConvenio:
    """The Convenio tab of :class:`~tresxuno.ui.views.project_detail.ProjectRecord`."""

    _db: Database
    _id: int

    def _convenio_tab(self) -> QWidget:
        page = QWidget(self)  # type: ignore[arg-type]
        box = QVBoxLayout(page)
        form = QFormLayout()
        self.convenio_fields: dict[str, QLabel] = {}
        for key, label in (
            ("clabe", _("CLABE:")),
            ("bank", _("Bank:")),
            ("account_holder", _("Account holder:")),
            ("modality", _("Execution modality:")),
            ("contractor", _("Contractor:")),
            ("partner", _("Outside partner:")),
        ):
            value = QLabel(page)
            value.setWordWrap(True)
            form.addRow(label, value)
            self.convenio_fields[key] = value
        self.goals_table = _table(page, [_("Goal"), _("Quantity"), _("Unit"), _("Beneficiaries")], _("Goals"))
        self.goals_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.convenio_button = QPushButton(_("Edit convenio &terms and goals…"), page)
        self.convenio_button.clicked.connect(self.edit_convenio_terms)
        buttons = QHBoxLayout()
        buttons.addWidget(self.convenio_button)
        buttons.addStretch(1)
        box.addLayout(form)
        box.addWidget(QLabel(_("Goals (metas):"), page))
        box.addWidget(self.goals_table, 1)
        box.addLayout(buttons)
        return page

    def _show_convenio(self) -> None:
        try:
            terms = convenio_terms(self._db, self._id)
            goals: list[Goal] = goals_of(self._db, self._id)
        except StorageError as exc:
            show_error(self, exc)  # type: ignore[arg-type]
            return
        contractor = " — ".join(x for x in (terms.contractor_name, terms.contractor_rfc) if x)
        partner = " — ".join(
            x for x in (terms.partner_name, terms.partner_representative, terms.partner_rfc) if x
        )
        values = {
            "clabe": terms.clabe,
            "bank": terms.bank,
            "account_holder": terms.account_holder,
            "modality": _(MODALITY_NAMES.get(terms.modality, terms.modality)),
            "contractor": contractor,
            "partner": partner,
        }
        for key, value in values.items():
            self.convenio_fields[key].setText(value or "—")
        self.goals_table.setRowCount(len(goals))
        for row, g in enumerate(goals):
            for column, text in enumerate((g.description, g.quantity_text, g.unit, f"{g.beneficiaries:,}")):
                self.goals_table.setItem(row, column, _item(text))

    def edit_convenio_terms(self) -> ConvenioTermsDialog:
        """Edit the convenio's terms and goals (a dialog); the tab shows them once saved."""
        dialog = ConvenioTermsDialog(self._db, self._id, self)  # type: ignore[arg-type]
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._mark_changed()  # type: ignore[attr-defined]
            self._show_convenio()
        return dialog
