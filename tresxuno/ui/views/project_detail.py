"""The project record: one project's data, shares, documents, stage history and physical progress.

Opened from the project list (double-click or Enter). Stage buttons offer only the moves the stage
rules allow from the current stage; each asks for a comment and goes through the services, which
refuse, for instance, to send a project to the COVAM while a required document is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QPointF, Qt, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QDesktopServices,
    QFont,
    QIcon,
    QKeySequence,
    QPainter,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.actor import current_actor
from tresxuno.domain.ledger import APPROVED_STAGES
from tresxuno.domain.money import Money, format_money
from tresxuno.domain.problems import InputError, RuleSetError, StorageError
from tresxuno.domain.stages import MAIN_ROAD, TRANSITIONS, Stage
from tresxuno.formatting import category_label, party_label
from tresxuno.i18n import _, language
from tresxuno.services.attachments import AttachmentInfo, ChecklistItem, attach_document, project_checklist
from tresxuno.services.audit import history as audit_history
from tresxuno.services.project_edit import EDITABLE, ProjectOverview, project_overview, submit_draft
from tresxuno.services.rules import rulebook
from tresxuno.services.stages import move_project
from tresxuno.services.store import Database
from tresxuno.services.works import REPORTABLE, ProgressInfo, progress_history, record_progress
from tresxuno.ui import prompts
from tresxuno.ui.dialogs.audit import HistoryTable
from tresxuno.ui.dialogs.project import ProjectDialog, bold, stage_text
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors
from tresxuno.ui.models.ledger import money_to_date as ledger_money_to_date
from tresxuno.ui.reporting import ReportOrder, available, file_name, report_title, start_report
from tresxuno.ui.tasks import Task, run_task
from tresxuno.ui.widgets import format_day, format_percent_bp
from tresxuno.ui.widgets.share_preview import marker_icon

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
#: The raw value behind a row (an attachment, a requirement id), for code and tests.
RawRole = Qt.ItemDataRole.UserRole
#: Moves that undo or refuse work: the officer must say why (shown apart, in this order).
_NEEDS_REASON = (Stage.DEVUELTO, Stage.RECHAZADO, Stage.CANCELADO)

#: Filled by the money trail once it is connected: the money received and paid out up to a date, as
#: text for the progress table's "Money received / paid" column. None: the column stays empty (no
#: figure is ever made up).
MoneyToDate = Callable[[Database, int, date], str]
money_to_date: MoneyToDate | None = ledger_money_to_date


def open_file(path: Path) -> bool:
    """Open a stored file in the program the desktop uses for it (tests replace this name)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def status_icon(done: bool, color: QColor, size: int = 16) -> QIcon:
    """A drawn tick (delivered) or cross (missing); always shown beside its word, never alone."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(color, 2.2))
    s = float(size)
    if done:
        painter.drawPolyline([QPointF(2.5, s / 2), QPointF(s * 0.42, s - 3.5), QPointF(s - 2.5, 3.5)])
    else:
        painter.drawLine(QPointF(3.5, 3.5), QPointF(s - 3.5, s - 3.5))
        painter.drawLine(QPointF(s - 3.5, 3.5), QPointF(3.5, s - 3.5))
    painter.end()
    return QIcon(pixmap)


class CommentDialog(QDialog):
    """Ask the comment recorded with a stage move (required for returns, rejections and cancellations)."""

    def __init__(self, parent: QWidget | None, title: str, prompt: str, *, required: bool = False):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.required = required
        self.prompt = QLabel(prompt, self)
        self.prompt.setWordWrap(True)
        self.text = QPlainTextEdit(self)
        self.text.setTabChangesFocus(True)
        self.text.setAccessibleName(_("Comment"))
        self.prompt.setBuddy(self.text)
        self.error = QLabel(self)
        self.errors = FieldErrors(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.text)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(460, 220)

    def try_accept(self) -> None:
        """Close with the comment, unless one is required and missing."""
        if self.required and not self.text.toPlainText().strip():
            self.error.setText(_("Please say why; the reason is kept in the project's history."))
            self.error.show()
            self.text.setFocus()
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, prompt: str, *, required: bool = False) -> str | None:
        """The comment typed, or None when the officer cancels."""
        dialog = cls(parent, title, prompt, required=required)
        try:
            return dialog.text.toPlainText().strip() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()


def _table(parent: QWidget, headers: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _item(text: str, *, right: bool = False, raw: object = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(_RIGHT)
    if raw is not None:
        item.setData(RawRole, raw)
    return item


def _value(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    return label


class ProjectRecord(QDialog):
    """One project's whole record, with the stage moves allowed from where it stands.

    Args:
        db: the open database.
        project_id: the project to show.
        parent: the window it belongs to.
        today: the day treated as today (date of a request submitted from here, progress dates).

    Raises:
        InputError: no such project. StorageError: the database cannot be read.
    """

    #: Emitted after anything about the project changed (stage, documents, progress, data).
    changed = Signal()

    def __init__(
        self, db: Database, project_id: int, parent: QWidget | None = None, *, today: date | None = None
    ):
        super().__init__(parent)
        self._db = db
        self._id = project_id
        self._today = today or date.today()
        self.did_change = False
        self.attach_task: Task | None = None
        self.overview: ProjectOverview = project_overview(db, project_id)
        self.checklist: list[ChecklistItem] = []
        self.progress: list[ProgressInfo] = []

        self.title = bold(QLabel(self))
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setWordWrap(True)
        self.subtitle = QLabel(self)
        self.subtitle.setWordWrap(True)
        self.stage_label = bold(QLabel(self))
        self.stage_label.setAccessibleName(_("Stage"))
        self.action_bar = QHBoxLayout()
        self.edit_button = QPushButton(_("&Edit request…"), self)
        self.edit_button.clicked.connect(self.edit)
        self.stage_buttons: dict[str, QPushButton] = {}

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._data_tab(), _("Data"))
        self.tabs.addTab(self._shares_tab(), _("Shares"))
        self.tabs.addTab(self._documents_tab(), _("Documents"))
        self.tabs.addTab(self._history_tab(), _("History"))
        self.tabs.addTab(self._progress_tab(), _("Physical progress"))
        self.changes = HistoryTable(self)  # the audit trail of the project and its rows
        self.tabs.addTab(self.changes, _("Change history"))

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        header = QVBoxLayout()
        header.addWidget(self.title)
        header.addWidget(self.subtitle)
        stage_line = QHBoxLayout()
        stage_line.addWidget(QLabel(_("Stage:"), self))
        stage_line.addWidget(self.stage_label)
        stage_line.addStretch(1)
        self.ledger_button = QPushButton(_("Project &ledger…"), self)
        self.ledger_button.setToolTip(
            _("Every contribution, payment and refund of this project, with its balance per party")
        )
        self.ledger_button.clicked.connect(self.open_ledger)
        stage_line.addWidget(self.ledger_button)
        self._add_print_menu(stage_line)
        header.addLayout(stage_line)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(self.action_bar)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(close)
        self.resize(1000, 680)
        self.reload()

    # -- tabs -------------------------------------------------------------------------------------

    def _data_tab(self) -> QWidget:
        page = QWidget(self)
        self.data_form = QFormLayout(page)
        self.data_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.data_values: dict[str, QLabel] = {}
        for key, label in (
            ("folio", _("Folio:")),
            ("program", _("Programme:")),
            ("fiscal_year", _("Fiscal year:")),
            ("category", _("Category:")),
            ("club", _("Club:")),
            ("state", _("State:")),
            ("municipality", _("Municipality:")),
            ("locality", _("Locality:")),
            ("name", _("Name:")),
            ("description", _("Description:")),
            ("beneficiaries", _("Beneficiaries:")),
            ("cost", _("Total cost:")),
            ("partner", _("Partner:")),
            ("requested_on", _("Request date:")),
        ):
            value = _value("", page)
            value.setAccessibleName(label.rstrip(":"))
            self.data_values[key] = value
            self.data_form.addRow(label, value)
        return page

    def _shares_tab(self) -> QWidget:
        page = QWidget(self)
        box = QVBoxLayout(page)
        self.shares_table = _table(page, [_("Party"), _("Amount"), _("% of cost"), _("Note")], _("Shares"))
        self.shares_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        for column in (1, 2):
            item = self.shares_table.horizontalHeaderItem(column)
            if item is not None:
                item.setTextAlignment(_RIGHT)
        self.shares_empty = _value("", page)
        self.rule_label = _value("", page)
        self.source_label = _value("", page)
        self.override_label = _value("", page)
        box.addWidget(self.shares_table)
        box.addWidget(self.shares_empty)
        form = QFormLayout()
        form.addRow(_("Rule set:"), self.rule_label)
        form.addRow(_("Source:"), self.source_label)
        form.addRow(_("Mix:"), self.override_label)
        box.addLayout(form)
        box.addStretch(1)
        return page

    def _documents_tab(self) -> QWidget:
        page = QWidget(self)
        box = QVBoxLayout(page)
        self.documents_summary = _value("", page)
        self.documents = QTreeWidget(page)
        self.documents.setColumnCount(5)
        self.documents.setHeaderLabels([_("Document"), _("Status"), _("Date"), _("Size"), _("SHA-256")])
        self.documents.setAccessibleName(_("Required documents"))
        self.documents.setRootIsDecorated(True)
        self.documents.setUniformRowHeights(True)
        self.documents.setAlternatingRowColors(True)
        self.documents.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3, 4):
            self.documents.header().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.documents.header().setStretchLastSection(False)
        self.documents.currentItemChanged.connect(self._update_document_buttons)
        self.documents.itemActivated.connect(lambda item, _column: self._activate_document(item))
        buttons = QHBoxLayout()
        self.attach_button = QPushButton(_("&Attach…"), page)
        self.attach_button.setToolTip(_("File a scanned document for the selected requirement"))
        self.attach_button.clicked.connect(lambda: self.attach_selected())
        self.open_button = QPushButton(_("&Open"), page)
        self.open_button.setToolTip(_("Open the selected file"))
        self.open_button.clicked.connect(self.open_selected)
        buttons.addWidget(self.attach_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        box.addWidget(self.documents_summary)
        box.addWidget(self.documents, 1)
        box.addLayout(buttons)
        return page

    def _history_tab(self) -> QWidget:
        page = QWidget(self)
        box = QVBoxLayout(page)
        headers = [_("Date"), _("From"), _("To"), _("User"), _("Comment")]
        self.history = _table(page, headers, _("Stage history"))
        box.addWidget(self.history)
        return page

    def _progress_tab(self) -> QWidget:
        page = QWidget(self)
        box = QVBoxLayout(page)
        self.progress_table = _table(
            page, [_("Date"), _("Progress"), _("Note"), _("Money received / paid")], _("Physical progress")
        )
        header = self.progress_table.horizontalHeaderItem(3)
        if header is not None:
            header.setToolTip(
                _("From the money trail (ledger): what the project had received and paid out by each date")
            )
        for column in (1, 3):
            item = self.progress_table.horizontalHeaderItem(column)
            if item is not None:
                item.setTextAlignment(_RIGHT)
        self.progress_table.horizontalHeader().setStretchLastSection(False)
        self.progress_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.progress_empty = _value("", page)
        self.progress_empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        box.addWidget(self.progress_table, 1)
        box.addWidget(self.progress_empty)

        group = QGroupBox(_("New progress report"), page)
        self.progress_general = QLabel(group)
        self.progress_errors = FieldErrors(self.progress_general)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.progress_date = QDateEdit(group)
        self.progress_date.setCalendarPopup(True)
        self.progress_date.setDisplayFormat("dd/MM/yyyy")
        self.progress_date.setDate(QDate(self._today.year, self._today.month, self._today.day))
        self.progress_percent = QLineEdit(group)
        self.progress_percent.setAlignment(_RIGHT)
        self.progress_percent.setPlaceholderText("45.5")
        self.progress_percent.setFixedWidth(self.fontMetrics().horizontalAdvance("100.0") * 3)
        self.progress_note = QLineEdit(group)
        self.progress_note.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)
        self.progress_errors.add_row(form, "reported_on", _("Date of the report:"), self.progress_date)
        self.progress_errors.add_row(form, "percent", _("Physical progress (%):"), self.progress_percent)
        self.progress_errors.add_row(form, "note", _("Note:"), self.progress_note)
        self.progress_button = QPushButton(_("&Record progress"), group)
        self.progress_button.clicked.connect(self.record_progress)
        inner = QVBoxLayout(group)
        inner.addWidget(self.progress_general)
        inner.addLayout(form)
        inner.addWidget(self.progress_button, 0, Qt.AlignmentFlag.AlignLeft)
        box.addWidget(group)
        box.addStretch(0)  # takes the room only while the table is hidden
        return page

    # -- loading ----------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the project, its documents and progress again and show them."""
        self.overview = project_overview(self._db, self._id)
        self.checklist = project_checklist(self._db, self._id)
        self.progress = progress_history(self._db, self._id)
        detail = self.overview.detail
        self.setWindowTitle(_("Project {folio}").format(folio=detail.folio))
        self.title.setText(f"{detail.folio} — {detail.name}")
        self.subtitle.setText(_("Club: {club}").format(club=detail.club_name))
        self.stage_label.setText(stage_text(detail.stage))
        self._show_actions()
        self._show_print_menu()
        self._show_data()
        self._show_shares()
        self._show_documents()
        self._show_history()
        self._show_progress()
        self.changes.show_items(audit_history(self._db, "projects", self._id))

    def _show_actions(self) -> None:
        while self.action_bar.count():
            item = self.action_bar.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None and widget is not self.edit_button:
                widget.deleteLater()
        self.stage_buttons.clear()
        current = Stage(self.overview.detail.stage)
        self.edit_button.setVisible(current in EDITABLE)
        self.action_bar.addWidget(self.edit_button)
        # Forward moves on the left; returns, rejections and cancellation apart on the right.
        forward = [s for s in MAIN_ROAD if s in TRANSITIONS[current] and s not in _NEEDS_REASON]
        backward = [s for s in _NEEDS_REASON if s in TRANSITIONS[current]]
        for target in forward:
            self._add_stage_button(target)
        self.action_bar.addStretch(1)
        for target in backward:
            self._add_stage_button(target)
        if not TRANSITIONS[current]:
            self.action_bar.insertWidget(
                self.action_bar.count() - 1, QLabel(_("No further moves: this stage is final."), self)
            )

    def _add_stage_button(self, target: Stage) -> None:
        button = QPushButton(_("Move to “{stage}”…").format(stage=stage_text(target)), self)
        tip = _("Move the project to stage “{stage}”; you will be asked for a comment")
        button.setToolTip(tip.format(stage=stage_text(target)))
        button.clicked.connect(lambda _checked=False, t=target.value: self.move_to(t))
        self.stage_buttons[target.value] = button
        self.action_bar.addWidget(button)

    def _show_data(self) -> None:
        o = self.overview
        d = o.detail
        try:
            program = rulebook().programs[d.program].name(language())
        except (KeyError, RuleSetError):
            program = d.program
        partner = {"none": _("No partner"), "rule": _("By the rule set's percentage")}.get(d.partner_mode, "")
        if d.partner_mode == "fixed":
            partner = _("Fixed amount: {amount}").format(
                amount=format_money(Money(d.partner_amount or 0), language())
            )
        values = {
            "folio": d.folio,
            "program": program,
            "fiscal_year": str(d.fiscal_year),
            "category": category_label(d.category),
            "club": _("{club} (toma de nota {folio}, valid until {date})").format(
                club=d.club_name, folio=o.club_toma_folio, date=format_day(o.club_toma_expires_on)
            ),
            "state": f"{o.state_name} ({d.state_key})",
            "municipality": f"{o.municipality_name} ({d.municipality_key})",
            "locality": d.locality or "—",
            "name": d.name,
            "description": d.description or "—",
            "beneficiaries": f"{d.beneficiaries:,}",
            "cost": format_money(Money(d.cost), language()),
            "partner": partner,
            "requested_on": format_day(o.requested_on) if o.requested_on else _("Not submitted yet (draft)"),
        }
        for key, text in values.items():
            self.data_values[key].setText(text)

    def _show_shares(self) -> None:
        o = self.overview
        d = o.detail
        table = self.shares_table
        color = self.palette().text().color()
        shares = d.shares
        table.setRowCount(len(shares) + 1 if shares else 0)
        for row, share in enumerate(shares):
            note = _item(_("capped") if share.capped else "", raw=share.capped)
            if share.capped:
                note.setIcon(marker_icon("capped", color))
            for column, item in enumerate(
                (
                    _item(party_label(share.party), raw=share.party),
                    _item(format_money(Money(share.amount), language()), right=True, raw=share.amount),
                    _item(format_percent_bp(share.percent_bp), right=True, raw=share.percent_bp),
                    note,
                )
            ):
                table.setItem(row, column, item)
        if shares:
            total = len(shares)
            for column, item in enumerate(
                (
                    _item(_("Total"), raw="total"),
                    _item(
                        format_money(Money(sum(s.amount for s in shares)), language()),
                        right=True,
                        raw=sum(s.amount for s in shares),
                    ),
                    _item(format_percent_bp(10_000), right=True),
                    _item(""),
                )
            ):
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
                table.setItem(total, column, item)
            height = table.horizontalHeader().height() + 2 * table.frameWidth()
            table.setFixedHeight(height + sum(table.rowHeight(r) for r in range(table.rowCount())))
        table.setVisible(bool(shares))
        self.shares_empty.setVisible(not shares)
        self.shares_empty.setText(
            _(
                "The shares are not computed yet: the cost is more than the capped "
                "parties and the others can cover. Edit the request to correct the cost "
                "or the mix."
            )
        )
        self.rule_label.setText(f"{d.rule_set_id} v{d.rule_set_version}")
        if o.rule_set_verified:
            mark, verified = "✓", _("verified")
        else:
            mark, verified = "⚠", _("not verified: check it against the official rules")
        self.source_label.setText(f"{mark} {verified}\n{o.rule_set_source}")
        self.override_label.setText(
            _("Special mix; reason: {reason}").format(reason=d.mix_override_reason)
            if d.mix_override_reason
            else _("The rule set's mix")
        )

    def _show_documents(self) -> None:
        tree = self.documents
        previous = self._current_requirement()
        tree.clear()
        color = self.palette().text().color()
        done = 0
        for entry in self.checklist:
            status = _("Delivered") if entry.done else _("Missing")
            done += entry.done
            item = QTreeWidgetItem([entry.requirement.name(language()), status, "", "", ""])
            item.setIcon(1, status_icon(entry.done, color))
            item.setData(0, RawRole, entry.requirement.id)
            item.setToolTip(0, entry.requirement.name(language()))
            for info in entry.attachments:
                size = _("{size} KB").format(size=max(1, info.size // 1024))
                child = QTreeWidgetItem(
                    [info.original_name, "", format_day(info.added_at), size, info.sha256[:12]]
                )
                child.setData(0, RawRole, info)
                child.setToolTip(4, info.sha256)
                child.setTextAlignment(3, _RIGHT)
                item.addChild(child)
            tree.addTopLevelItem(item)
            item.setExpanded(True)
            if entry.requirement.id == previous:
                tree.setCurrentItem(item)
        self.documents_summary.setText(
            _("{done} of {total} required documents delivered.").format(done=done, total=len(self.checklist))
            + (
                ""
                if done == len(self.checklist)
                else " " + _("The project cannot go to the COVAM until all are delivered.")
            )
        )
        first = tree.topLevelItem(0)
        if tree.currentItem() is None and first is not None:
            tree.setCurrentItem(first)
        self._update_document_buttons()

    def _show_history(self) -> None:
        steps = self.overview.history
        self.history.setRowCount(len(steps))
        for row, step in enumerate(steps):
            for column, item in enumerate(
                (
                    _item(format_day(step.changed_at), raw=step.changed_at),
                    _item(stage_text(step.from_stage) if step.from_stage else "—", raw=step.from_stage),
                    _item(stage_text(step.to_stage), raw=step.to_stage),
                    _item(step.changed_by),
                    _item(step.comment),
                )
            ):
                self.history.setItem(row, column, item)
            comment = self.history.item(row, 4)
            if comment is not None:
                comment.setToolTip(step.comment)

    def _show_progress(self) -> None:
        rows = self.progress
        table = self.progress_table
        table.setRowCount(len(rows))
        for row, info in enumerate(rows):
            money = money_to_date(self._db, self._id, info.reported_on) if money_to_date else ""
            for column, item in enumerate(
                (
                    _item(format_day(info.reported_on), raw=info.reported_on),
                    _item(f"{info.percent_text} %", right=True, raw=info.percent_tenths),
                    _item(info.note),
                    _item(money, right=True),
                )
            ):
                table.setItem(row, column, item)
        stage = Stage(self.overview.detail.stage)
        reportable = stage in REPORTABLE
        table.setVisible(bool(rows))
        if rows:
            self.progress_empty.setText("")
        elif reportable:
            self.progress_empty.setText(_("No progress reported yet. Record the first report below."))
        else:
            self.progress_empty.setText(
                _("Progress is reported once the agreement is signed and until the works are handed over.")
            )
        self.progress_empty.setVisible(not rows or not reportable)
        if rows and not reportable:
            self.progress_empty.setText(
                _("Progress is reported once the agreement is signed and until the works are handed over.")
            )
        for widget in (self.progress_date, self.progress_percent, self.progress_note, self.progress_button):
            widget.setEnabled(reportable)

    # -- documents --------------------------------------------------------------------------------

    def _current_requirement(self) -> str | None:
        item = self.documents.currentItem()
        if item is None:
            return None
        parent = item.parent()
        value = (parent or item).data(0, RawRole)
        return value if isinstance(value, str) else None

    def _current_file(self) -> AttachmentInfo | None:
        item = self.documents.currentItem()
        value = item.data(0, RawRole) if item is not None else None
        return value if isinstance(value, AttachmentInfo) else None

    def _update_document_buttons(self) -> None:
        self.attach_button.setEnabled(self._current_requirement() is not None)
        self.open_button.setEnabled(self._current_file() is not None)

    def _activate_document(self, item: QTreeWidgetItem) -> None:
        if isinstance(item.data(0, RawRole), AttachmentInfo):
            self.open_selected()

    def select_requirement(self, kind: str) -> bool:
        """Select the checklist line of requirement ``kind``; False when the project needs no such one."""
        for index in range(self.documents.topLevelItemCount()):
            item = self.documents.topLevelItem(index)
            if item is not None and item.data(0, RawRole) == kind:
                self.documents.setCurrentItem(item)
                return True
        return False

    def attach_selected(self, kind: str | None = None) -> None:
        """Ask for a file and file it for the selected requirement (copy and hash off the GUI thread)."""
        kind = kind or self._current_requirement()
        if kind is None:
            return
        names = {e.requirement.id: e.requirement.name(language()) for e in self.checklist}
        kinds = _("Documents (*.pdf *.jpg *.jpeg *.png *.tif *.tiff *.xml);;All files (*)")
        title = _("Attach: {document}").format(document=names.get(kind, kind))
        path = prompts.choose_open_file(self, title, kinds)
        if not path:
            return
        source = Path(path)
        project_id, db, user = self._id, self._db, current_actor().username
        self.attach_button.setEnabled(False)
        self.attach_task = run_task(
            self,
            _("Attaching {name}…").format(name=source.name),
            lambda progress, cancel: attach_document(db, project_id, kind, source, user=user),
            on_success=self._attached,
        )
        self.attach_task.failed.connect(lambda _exc: self._update_document_buttons())

    def _attached(self, _info: object) -> None:
        self._mark_changed()
        self.checklist = project_checklist(self._db, self._id)
        self._show_documents()

    def open_selected(self) -> None:
        """Open the selected stored file with the desktop's program for it."""
        info = self._current_file()
        if info is None:
            return
        path = info.absolute_path()
        if not path.is_file():
            text = _(
                "The stored copy of {name} is missing from {path}. Restore the data folder from a "
                "backup, or attach the document again."
            )
            prompts.message(
                self,
                prompts.Icon.Warning,
                _("File not found"),
                text.format(name=info.original_name, path=path),
            )
            return
        open_file(path)

    # -- stage moves, edits and progress ----------------------------------------------------------

    def move_to(self, stage: str) -> bool:
        """Ask for a comment and move the project to ``stage``; True when moved.

        From a draft or a returned project, "Requested" submits it with every check of a new request.
        """
        target = Stage(stage)
        current = Stage(self.overview.detail.stage)
        comment = CommentDialog.ask(
            self,
            _("Move to “{stage}”").format(stage=stage_text(target)),
            _("Comment for the history of project {folio} (from “{from_}” to “{to}”):").format(
                folio=self.overview.detail.folio, from_=stage_text(current), to=stage_text(target)
            ),
            required=target in _NEEDS_REASON,
        )
        if comment is None:
            return False
        try:
            if target is Stage.SOLICITADO and current in EDITABLE:
                submit_draft(
                    self._db, self._id, on=self._today, user=current_actor().username, comment=comment
                )
            else:
                move_project(self._db, self._id, target.value, user=current_actor().username, comment=comment)
        except (InputError, StorageError) as exc:
            show_error(self, exc)
            self.reload()  # someone may have moved it meanwhile: show where it stands now
            return False
        self._mark_changed()
        self.reload()
        return True

    def edit(self) -> None:
        """Open the request form on this draft or returned project."""
        if ProjectDialog.ask(self, self._db, self._id) is not None:
            self._mark_changed()
        self.reload()

    def record_progress(self) -> bool:
        """Record the physical progress typed in the form; True when stored."""
        qdate = self.progress_date.date()
        try:
            record_progress(
                self._db,
                self._id,
                date(qdate.year(), qdate.month(), qdate.day()),
                self.progress_percent.text(),
                note=self.progress_note.text(),
                user=current_actor().username,
                today=self._today,
            )
        except InputError as exc:
            first = self.progress_errors.show(exc.problems)
            if first is not None:
                first.setFocus()
            return False
        except StorageError as exc:
            show_error(self, exc)
            return False
        self.progress_errors.clear()
        self.progress_percent.clear()
        self.progress_note.clear()
        self._mark_changed()
        self.progress = progress_history(self._db, self._id)
        self._show_progress()
        return True

    def open_ledger(self) -> None:
        """Open this project's Libro (its money); figures shown here are read again if money moved."""
        from tresxuno.ui.dialogs.project_ledger import (
            ProjectLedgerDialog,  # loaded when used: the record opens lighter
        )

        if ProjectLedgerDialog.ask(self, self._db, self._id):
            self._mark_changed()
            self.reload()

    # -- printing ---------------------------------------------------------------------------------

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
        finished = stage in (Stage.TERMINADO, Stage.CERRADO)
        for kind, applies in (
            ("project", True),
            ("agreement", stage.value in APPROVED_STAGES),
            ("statement", True),
            ("handover", finished),
        ):
            if not applies:
                continue
            action = self.print_menu.addAction(report_title(kind) + "…")
            action.setData(kind)
            if available(kind):
                action.triggered.connect(lambda _checked=False, k=kind: self.print_report(k))
            else:
                action.setText(_("{report} (coming soon)").format(report=report_title(kind)))
                action.setEnabled(False)

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

    def _mark_changed(self) -> None:
        self.did_change = True
        self.changed.emit()

    @classmethod
    def open(cls, parent: QWidget | None, db: Database, project_id: int) -> bool:  # type: ignore[override]
        """The main window's way in (``MainWindow.open_record("project", id)``); the same as :meth:`ask`.

        Replaces ``QDialog.open()`` on the class: a record is always shown through ``ask``.
        """
        return cls.ask(parent, db, project_id)

    @classmethod
    def ask(cls, parent: QWidget | None, db: Database, project_id: int) -> bool:
        """Show the record of ``project_id``; True when something about the project changed."""
        try:
            dialog = cls(db, project_id, parent)
        except (InputError, StorageError) as exc:
            show_error(parent, exc)
            return False
        try:
            dialog.exec()
            return dialog.did_change
        finally:
            dialog.deleteLater()
