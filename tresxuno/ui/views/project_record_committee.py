"""The project record's Contraloría social tab: the committee, what it filed, and the buttons to record them."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton, QVBoxLayout, QWidget

from tresxuno.domain.problems import StorageError
from tresxuno.formatting import date_text
from tresxuno.i18n import _
from tresxuno.services.projects import ProjectOverview
from tresxuno.services.social_committees import CommitteeInfo, committee_of, needs_committee
from tresxuno.services.store import Database
from tresxuno.ui.dialogs.social_committee import (
    KIND_NAMES,
    POSITION_NAMES,
    SEX_NAMES,
    CommitteeDialog,
    CommitteeRecordDialog,
)
from tresxuno.ui.errors import show_error
from tresxuno.ui.views.project_record_summary import _item, _table


class RecordCommittee:
    """The Contraloría social tab of :class:`~tresxuno.ui.views.project_detail.ProjectRecord`."""

    _db: Database
    _id: int
    _today: date
    overview: ProjectOverview

    def _committee_tab(self) -> QWidget:
        page = QWidget(self)  # type: ignore[arg-type]
        box = QVBoxLayout(page)
        self.committee: CommitteeInfo | None = None
        self.committee_status = QLabel(page)
        self.committee_status.setWordWrap(True)
        self.committee_members = _table(
            page, [_("Full name"), _("Position"), _("Sex")], _("Committee members")
        )
        self.committee_members.horizontalHeader().setStretchLastSection(False)
        self.committee_members.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.committee_records = _table(
            page, [_("Date"), _("Kind"), _("Summary"), _("Findings")], _("Minutes and reports filed")
        )
        self.committee_records.horizontalHeader().setStretchLastSection(False)
        self.committee_records.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.committee_records.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.committee_button = QPushButton(_("&Record the committee…"), page)
        self.committee_button.clicked.connect(self.edit_committee)
        self.committee_record_button = QPushButton(_("&File minutes or a report…"), page)
        self.committee_record_button.clicked.connect(self.file_committee_record)
        buttons = QHBoxLayout()
        buttons.addWidget(self.committee_button)
        buttons.addWidget(self.committee_record_button)
        buttons.addStretch(1)
        box.addWidget(self.committee_status)
        box.addWidget(self.committee_members, 1)
        box.addWidget(QLabel(_("Minutes and reports filed:"), page))
        box.addWidget(self.committee_records, 1)
        box.addLayout(buttons)
        return page

    def _show_committee(self) -> None:
        try:
            self.committee = committee_of(self._db, self._id)
        except StorageError as exc:
            show_error(self, exc)  # type: ignore[arg-type]
            return
        detail = self.overview.detail
        committee = self.committee
        if committee is None:
            needed = needs_committee(detail.category, detail.stage)
            self.committee_status.setText(
                _("No contraloría social committee recorded yet; the works need one from the convenio on.")
                if needed
                else _("No contraloría social committee recorded.")
            )
        else:
            self.committee_status.setText(
                _("Committee constituted on {date}, {n} members.").format(
                    date=date_text(committee.constituted_on), n=len(committee.members)
                )
            )
        members = committee.members if committee else ()
        self.committee_members.setRowCount(len(members))
        for row, m in enumerate(members):
            for column, text in enumerate(
                (m.name, _(POSITION_NAMES[m.position]), _(SEX_NAMES.get(m.sex, "")))
            ):
                self.committee_members.setItem(row, column, _item(text))
        records = committee.records if committee else ()
        self.committee_records.setRowCount(len(records))
        for row, r in enumerate(records):
            cells = (
                _item(date_text(r.held_on), raw=r.held_on),
                _item(_(KIND_NAMES.get(r.kind, r.kind))),
                _item(r.summary),
                _item(r.findings),
            )
            for column, item in enumerate(cells):
                self.committee_records.setItem(row, column, item)
        self.committee_button.setText(
            _("&Correct the committee…") if committee else _("&Record the committee…")
        )
        self.committee_record_button.setEnabled(committee is not None)
        self.committee_record_button.setToolTip(
            "" if committee else _("Record the committee first: its minutes and reports are filed under it.")
        )

    def edit_committee(self) -> CommitteeDialog:
        """Record or correct the committee (a dialog); the tab shows it once saved."""
        dialog = CommitteeDialog(self._db, self._id, self.committee, self, today=self._today)  # type: ignore[arg-type]
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._mark_changed()  # type: ignore[attr-defined]
            self._show_committee()
            self._show_print_menu()  # type: ignore[attr-defined]
        return dialog

    def file_committee_record(self) -> CommitteeRecordDialog:
        """File a minutes or report of the committee (a dialog)."""
        dialog = CommitteeRecordDialog(self._db, self._id, self, today=self._today)  # type: ignore[arg-type]
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._mark_changed()  # type: ignore[attr-defined]
            self._show_committee()
        return dialog
