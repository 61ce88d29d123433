"""The project record's convenio modificatorio: the action and the versions of the convenio.

The action is shown on every record and enabled only where it may be taken (a signed convenio, a
role that may amend), with a tooltip saying why not otherwise; the History tab lists each version
(the original and each amendment) with its cost and each party's share.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.amendments import AMENDABLE, ConvenioVersion
from tresxuno.domain.parties import PARTY_ORDER
from tresxuno.domain.stages import Stage
from tresxuno.formatting import date_text, money_text, party_label, stage_label
from tresxuno.i18n import _
from tresxuno.services.amendments import amendments
from tresxuno.services.store import Database
from tresxuno.ui.permissions import allowed

_ACTION = "projects.amend"


class RecordAmendments:
    """Mixin of :class:`~tresxuno.ui.views.project_detail.ProjectRecord`: amend and show the versions."""

    _db: Database
    _id: int
    amend_button: QPushButton
    versions_table: QTableWidget
    versions: tuple[ConvenioVersion, ...]

    def _amend_button(self, parent: QWidget) -> QPushButton:
        self.amend_button = QPushButton(_("Convenio &modificatorio…"), parent)
        self.amend_button.clicked.connect(self.amend)
        return self.amend_button

    def _with_versions(self, page: QWidget) -> QWidget:
        """Add the versions of the convenio under the History tab's stage history."""
        group = QGroupBox(_("Versions of the convenio"), page)
        box = QVBoxLayout(group)
        self.versions_table = QTableWidget(0, 0, group)
        self.versions_table.setAccessibleName(_("Versions of the convenio"))
        self.versions_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.versions_table.setTabKeyNavigation(False)
        self.versions_table.verticalHeader().hide()
        self.versions_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.versions_table.horizontalHeader().setStretchLastSection(True)
        box.addWidget(self.versions_table)
        layout = page.layout()
        if layout is not None:
            layout.addWidget(group)
        return page

    def _show_amend_action(self, stage: str) -> None:
        if Stage(stage) not in AMENDABLE:
            self.amend_button.setEnabled(False)
            self.amend_button.setToolTip(
                _("A convenio modificatorio is recorded only once the convenio is signed ({stages}).").format(
                    stages=", ".join(stage_label(s) for s in AMENDABLE)
                )
            )
        elif not allowed(self._db, _ACTION):
            self.amend_button.setEnabled(False)
            self.amend_button.setToolTip(_("Your role may not record a convenio modificatorio."))
        else:
            self.amend_button.setEnabled(True)
            self.amend_button.setToolTip(
                _("Change the signed cost: the shares are recomputed and every version is kept")
            )

    def _show_versions(self) -> None:
        self.versions = amendments(self._db, self._id)
        cost_label = getattr(self, "data_values", {}).get("cost")
        if cost_label is not None and len(self.versions) > 1:
            latest = self.versions[-1]
            cost_label.setText(
                _("{cost} (convenio modificatorio no. {number} of {date}; originally {original})").format(
                    cost=money_text(latest.cost),
                    number=latest.number,
                    date=date_text(latest.signed_on),
                    original=money_text(self.versions[0].cost),
                )
            )
        parties = [
            p.value for p in PARTY_ORDER if any(s.party == p.value for v in self.versions for s in v.shares)
        ]
        headers = [_("No."), _("Signed on"), _("Cost"), *(party_label(p) for p in parties), _("Reason")]
        table = self.versions_table
        table.setColumnCount(len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setRowCount(len(self.versions))
        for row, version in enumerate(self.versions):
            amounts = {s.party: s.amount for s in version.shares}
            texts = [
                str(version.number) if version.number else _("Original"),
                date_text(version.signed_on) if version.signed_on else "",
                money_text(version.cost),
                *(money_text(amounts.get(p, 0)) for p in parties),
                " · ".join(
                    t for t in (version.reason, version.authorised_by, version.document_reference) if t
                ),
            ]
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if version.reason and column == len(texts) - 1:
                    item.setToolTip(version.reason)
                table.setItem(row, column, item)

    def amend(self) -> bool:
        """Open the convenio modificatorio dialog; True when an amendment was recorded."""
        from tresxuno.ui.dialogs.amendment import AmendmentDialog

        parent = self if isinstance(self, QWidget) else None
        if not AmendmentDialog.ask(parent, self._db, self._id):
            return False
        self._mark_changed()
        self.reload()
        return True
