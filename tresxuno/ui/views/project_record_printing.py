"""The project record's Print button: the reports the project has now, Ctrl+P for its cédula."""

from __future__ import annotations

from PySide6.QtGui import (
    QAction,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMenu,
    QPushButton,
    QWidget,
)

from tresxuno.domain.ledger import APPROVED_STAGES
from tresxuno.domain.stages import Stage
from tresxuno.i18n import _
from tresxuno.services.projects import ProjectOverview
from tresxuno.services.reporting.delivery import ACT_STAGES, act_kind
from tresxuno.services.store import Database
from tresxuno.services.technical_validation import latest_validation
from tresxuno.ui.reporting import ReportOrder, available, file_name, report_title, start_report
from tresxuno.ui.tasks import Task


class RecordPrinting:
    """The Print menu of :class:`~tresxuno.ui.views.project_detail.ProjectRecord`."""

    _db: Database
    _id: int
    overview: ProjectOverview

    def _add_print_menu(self, line: QHBoxLayout) -> None:
        """A Print button whose menu lists this project's reports (Ctrl+P: the cédula)."""
        self.report_task: Task | None = None
        self.preview: QWidget | None = None
        self.print_button = QPushButton(_("&Print"), self)
        self.print_button.setToolTip(
            _("Print a report of this project: cédula, agreement, statement… (Ctrl+P: the cédula)")
        )
        self.print_menu = QMenu(self.print_button)
        self.print_button.setMenu(self.print_menu)
        line.addWidget(self.print_button)
        shortcut = QAction(self)
        shortcut.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        shortcut.triggered.connect(lambda _checked=False: self.print_report("project"))
        self.addAction(shortcut)

    def _show_print_menu(self) -> None:
        """The reports this project has now: the agreement once approved, the hand-over once finished."""
        self.print_menu.clear()
        stage = Stage(self.overview.detail.stage)
        category = self.overview.detail.category
        act = act_kind(category)
        closing = stage.value in ACT_STAGES[act] if act else stage in (Stage.TERMINADO, Stage.CERRADO)
        for kind, applies in (
            ("project", True),
            ("validation", latest_validation(self._db, self._id) is not None),
            ("agreement", stage.value in APPROVED_STAGES),
            ("statement", True),
            ("handover", closing),
            ("scholarship_receipts", act == "scholarships" and closing),
            ("committee", self._has_committee()),
            ("committee_report", self._has_committee()),
        ):
            if not applies:
                continue
            title = report_title(kind)
            if kind == "handover" and act is not None:
                title = _("Delivery of scholarships") if act == "scholarships" else _("Delivery of goods")
            action = self.print_menu.addAction(title + "…")
            action.setData(kind)
            if available(kind):
                action.triggered.connect(lambda _checked=False, k=kind: self.print_report(k))
            else:
                action.setText(_("{report} (coming soon)").format(report=report_title(kind)))
                action.setEnabled(False)

    def _has_committee(self) -> bool:
        """Whether the project's contraloría social committee is recorded (its documents print then)."""
        return getattr(self, "committee", None) is not None

    def print_report(self, kind: str) -> Task | None:
        """Prepare report ``kind`` of this project and open its preview."""
        if self.report_task is not None and self.report_task.running:
            return self.report_task
        folio = self.overview.detail.folio
        order = ReportOrder(kind, file_name(kind, folio), {"project_id": self._id})
        self.report_task = start_report(
            self, self._db, order, on_preview=lambda preview: setattr(self, "preview", preview)
        )
        return self.report_task
