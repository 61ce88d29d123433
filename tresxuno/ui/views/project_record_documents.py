"""The project record's Documents tab: the required documents, filing a scanned copy, opening one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QIcon,
    QPainter,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.actor import current_actor
from tresxuno.domain.problems import InputError
from tresxuno.formatting import date_text
from tresxuno.i18n import _, language
from tresxuno.services.attachments import (
    AttachmentInfo,
    ChecklistItem,
    attach_document,
    attachment_file,
    project_checklist,
    replace_attachment,
)
from tresxuno.services.store import Database
from tresxuno.ui import prompts
from tresxuno.ui.errors import show_error
from tresxuno.ui.permissions import gate
from tresxuno.ui.tasks import Task, run_task
from tresxuno.ui.views.project_record_summary import _RIGHT, RawRole, _value


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


class RecordDocuments:
    """The Documents tab of :class:`~tresxuno.ui.views.project_detail.ProjectRecord` and its actions."""

    _db: Database
    _id: int
    checklist: list[ChecklistItem]
    attach_task: Task | None

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
        self.replace_button = QPushButton(_("&Replace…"), page)
        self.replace_button.setToolTip(
            _("File the right document in place of the selected one; the wrong one stays in the history")
        )
        self.replace_button.clicked.connect(lambda: self.replace_selected())
        buttons.addWidget(self.attach_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.replace_button)
        buttons.addStretch(1)
        box.addWidget(self.documents_summary)
        box.addWidget(self.documents, 1)
        box.addLayout(buttons)
        return page

    def _show_documents(self) -> None:
        tree = self.documents
        previous = self._current_requirement()
        tree.clear()
        color = self.palette().text().color()
        done = 0
        covam = [e for e in self.checklist if e.requirement.for_covam]
        for entry in self.checklist:
            status = _("Delivered") if entry.done else _("Missing")
            done += entry.done and entry.requirement.for_covam
            item = QTreeWidgetItem([entry.requirement.name(language()), status, "", "", ""])
            item.setIcon(1, status_icon(entry.done, color))
            item.setData(0, RawRole, entry.requirement.id)
            item.setToolTip(0, entry.requirement.name(language()))
            for info in entry.attachments:
                size = _("{size} KB").format(size=max(1, info.size // 1024))
                child = QTreeWidgetItem(
                    [info.original_name, "", date_text(info.added_at), size, info.sha256[:12]]
                )
                child.setData(0, RawRole, info)
                child.setToolTip(4, info.sha256)
                if info.replaces_id is not None:
                    child.setToolTip(
                        0,
                        _("Replaces an earlier file: {reason}").format(reason=info.replace_reason),
                    )
                child.setTextAlignment(3, _RIGHT)
                item.addChild(child)
            tree.addTopLevelItem(item)
            item.setExpanded(True)
            if entry.requirement.id == previous:
                tree.setCurrentItem(item)
        self.documents_summary.setText(
            _("{done} of {total} required documents delivered.").format(done=done, total=len(covam))
            + (
                ""
                if done == len(covam)
                else " " + _("The project cannot go to the COVAM until all are delivered.")
            )
            + "".join(
                " "
                + _("Needed before the works start: {document}.").format(
                    document=e.requirement.name(language())
                )
                for e in self.checklist
                if not e.requirement.for_covam and not e.done
            )
        )
        first = tree.topLevelItem(0)
        if tree.currentItem() is None and first is not None:
            tree.setCurrentItem(first)
        self._update_document_buttons()

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
        self.replace_button.setEnabled(self._current_file() is not None)
        for button in (self.attach_button, self.replace_button):
            if button.isEnabled():  # disabled, with who may, for a role that cannot file documents
                gate(button, self._db, "attachments.add")

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

    def replace_selected(self, path: str | None = None, reason: str | None = None) -> None:
        """File another document in place of the selected one (asks the file and why; off the GUI thread)."""
        from tresxuno.ui.views.project_detail import CommentDialog

        info = self._current_file()
        if info is None:
            return
        if path is None:
            kinds = _("Documents (*.pdf *.jpg *.jpeg *.png *.tif *.tiff *.xml);;All files (*)")
            path = prompts.choose_open_file(self, _("Replace: {name}").format(name=info.original_name), kinds)
        if not path:
            return
        if reason is None:
            reason = CommentDialog.ask(
                self,
                _("Replace a document"),
                _("Why is {name} replaced? The wrong file stays in the project's history.").format(
                    name=info.original_name
                ),
                required=True,
            )
        if not reason:
            return
        source, db, user, wrong = Path(path), self._db, current_actor().username, info.id
        self.replace_button.setEnabled(False)
        self.attach_task = run_task(
            self,
            _("Attaching {name}…").format(name=source.name),
            lambda progress, cancel: replace_attachment(db, wrong, source, reason, user=user),
            on_success=self._attached,
        )
        self.attach_task.failed.connect(lambda _exc: self._update_document_buttons())

    def _attached(self, _info: object) -> None:
        self._mark_changed()
        self.checklist = project_checklist(self._db, self._id)
        self._show_documents()

    def open_selected(self) -> None:
        """Open the selected stored file with the desktop's program for it.

        Only through :func:`attachment_file`: a stored name outside the attachments folder, a
        missing or an altered copy is refused with its reason and never handed to the desktop.
        """
        info = self._current_file()
        if info is None:
            return
        try:
            path = attachment_file(self._db, info.id)
        except InputError as exc:
            show_error(self, exc)
            return
        open_file(path)
