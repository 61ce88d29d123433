"""Import clubs or projects from a CSV or XLSX file: choose it, match its columns, preview, import.

The import is one transaction with a progress dialog whose Cancel rolls it back; the layout, the
check (a dry run off the GUI thread) and the preview live in the ``importer_*`` modules.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from tresxuno.i18n import _, ngettext
from tresxuno.services import importer
from tresxuno.services.importer import ImportPreview, ImportResult, SourceTable
from tresxuno.services.progress import CancelToken, Progress
from tresxuno.services.store import Database
from tresxuno.ui import prompts
from tresxuno.ui.dialogs.importer_check import ImportChecking
from tresxuno.ui.dialogs.importer_layout import ImportDialogLayout
from tresxuno.ui.dialogs.importer_preview import BAD_CELL as BAD_CELL  # tests look for it
from tresxuno.ui.dialogs.importer_preview import ImportPreviewDisplay
from tresxuno.ui.tasks import Task, run_task

#: Pause after the officer changes the column matching before the rows are checked again.
RECHECK_DELAY_MS = 400


class ImportDialog(ImportDialogLayout, ImportChecking, ImportPreviewDisplay, QDialog):
    """Choose a file, match its columns to tresxuno's fields, look at the rows, import.

    Attributes exposed for tests and callers: ``choose_button``, ``kind_combo``, ``sheet_combo``,
    ``mapping_combos`` (file header -> field combo), ``preview_table``, ``problems_table``,
    ``counts_label``, ``import_all_button``, ``import_valid_button``, ``cancel_button``, and
    ``preview`` (the last :class:`ImportPreview`) and ``result`` (the :class:`ImportResult`).
    """

    def __init__(self, db: Database, parent: QWidget | None = None, *, user: str = ""):
        super().__init__(parent)
        self._db = db
        self._user = user
        self.path: Path | None = None
        self.source: SourceTable | None = None
        self.preview: ImportPreview | None = None
        self.result: ImportResult | None = None
        self.mapping_combos: dict[str, QComboBox] = {}
        self._task: Task | None = None
        self._again = False
        self._reload = False
        self._sheet: str | None = None
        self._closing: int | None = None  # the close asked for while a check was still running
        self.setWindowTitle(_("Import clubs or projects"))
        self.setModal(True)

        self._recheck = QTimer(self)
        self._recheck.setSingleShot(True)
        self._recheck.setInterval(RECHECK_DELAY_MS)
        self._recheck.timeout.connect(self.check)

        layout = QVBoxLayout(self)
        layout.addLayout(self._file_row())
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self._mapping_box())
        self.splitter.addWidget(self._rows_box())
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 5)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(self._status_row())
        layout.addWidget(self._buttons())
        self._set_tab_order()
        self._show_state()
        self.resize(1220, 760)
        self.splitter.setSizes([380, 840])
        self.choose_button.setFocus()

    # -- choosing the file and the mapping ------------------------------------------------------------

    @property
    def kind(self) -> str:
        """``"clubs"`` or ``"projects"``, as chosen."""
        return self.kind_combo.currentData()

    def choose_file(self) -> None:
        """Ask for the file (through ``prompts.choose_open_file``) and check it."""
        path = prompts.choose_open_file(
            self, _("Import from a file"), _("Spreadsheets (*.csv *.xlsx);;All files (*)")
        )
        if path:
            self.load(path)

    def load(self, path: str | Path, *, sheet: str | None = None) -> None:
        """Read ``path`` (the worksheet ``sheet`` of a workbook), match its columns and check its rows."""
        self.path = Path(path)
        self.file_edit.setText(str(self.path))
        self.file_edit.setToolTip(str(self.path))
        self.source = None
        self._sheet = sheet
        self._reload = True
        self.check()

    def mapping(self) -> dict[str, str | None]:
        """``{file header: field key or None}`` as the combos say now."""
        return {header: combo.currentData() for header, combo in self.mapping_combos.items()}

    def set_field(self, header: str, key: str | None) -> None:
        """Match the file column ``header`` to field ``key`` (None: ignore it), as the officer would."""
        combo = self.mapping_combos[header]
        combo.setCurrentIndex(combo.findData(key))

    def _fill_mapping(self, mapping: dict[str, str]) -> None:
        """One label and combo per file column, set to ``mapping``."""
        self._clear_mapping()
        self.mapping_combos.clear()
        assert self.source is not None
        specs = importer.fields_of(self.kind)
        examples = self._examples()
        for row, header in enumerate(self.source.headers):
            label = QLabel(header, self.mapping_page)
            label.setToolTip(_("Example: {value}").format(value=examples[row]) if examples[row] else "")
            label.setWordWrap(True)
            combo = QComboBox(self.mapping_page)
            combo.addItem(_("(ignore)"), None)
            for spec in specs:
                text = f"{spec.label} *" if spec.required else spec.label
                combo.addItem(text, spec.key)
                if spec.hint:
                    combo.setItemData(combo.count() - 1, _(spec.hint), Qt.ItemDataRole.ToolTipRole)
            combo.setCurrentIndex(combo.findData(mapping.get(header)))
            # Narrow combos keep every column's label readable; the open list shows the whole text.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(22)
            combo.setToolTip(combo.currentText())
            combo.currentTextChanged.connect(combo.setToolTip)
            combo.setAccessibleName(_("Field for the column «{column}»").format(column=header))
            combo.currentIndexChanged.connect(self._on_mapping_changed)
            label.setBuddy(combo)
            self.mapping_grid.addWidget(label, row, 0)
            self.mapping_grid.addWidget(combo, row, 1)
            self.mapping_combos[header] = combo
        self.mapping_grid.setRowStretch(len(self.source.headers), 1)
        # Never clip a combo: the pane is at least as wide as its labels and narrowest combos.
        self.mapping_scroll.setMinimumWidth(
            self.mapping_page.minimumSizeHint().width()
            + self.mapping_scroll.verticalScrollBar().sizeHint().width()
            + 4
        )
        self._set_tab_order()

    def _examples(self) -> list[str]:
        assert self.source is not None
        examples = [""] * len(self.source.headers)
        for _number, cells in self.source.rows[:50]:
            for i, cell in enumerate(cells):
                if not examples[i] and cell.text.strip():
                    examples[i] = cell.text.strip()[:60]
        return examples

    def _on_kind(self) -> None:
        if self.source is not None:
            self._fill_mapping(importer.suggest_mapping(self.kind, self.source.headers))
            self.check()

    def _on_sheet(self) -> None:
        if self.source is not None and self.sheet_combo.currentText() != self.source.sheet:
            self.load(self.path or "", sheet=self.sheet_combo.currentText())

    def _on_mapping_changed(self) -> None:
        self._set_buttons(busy=True)
        self._recheck.start()

    # -- importing ----------------------------------------------------------------------------------

    def import_all(self) -> None:
        """Import every row (enabled only when no row has a problem)."""
        if self.preview is not None and self.preview.can_import_all:
            self._run_import(valid_only=False)

    def import_valid(self) -> None:
        """Ask, then import only the rows without problems."""
        preview = self.preview
        if preview is None or not preview.can_import_valid:
            return
        question = _("{bad} of {total} rows have problems and will be left out. Import the other {valid}?")
        question = question.format(
            bad=preview.error_count, total=len(preview.rows), valid=preview.valid_count
        )
        if prompts.confirm(self, _("Import only the valid rows"), question):
            self._run_import(valid_only=True)

    def _run_import(self, *, valid_only: bool) -> None:
        assert self.source is not None
        db, source, kind, mapping, user = self._db, self.source, self.kind, self.mapping(), self._user

        def work(progress: Progress, cancel: CancelToken) -> ImportResult:
            return importer.run_import(
                db, source, kind, mapping, valid_only=valid_only, user=user, progress=progress, cancel=cancel
            )

        self._set_buttons(busy=True)
        self.counts_label.setText(_("Importing…"))
        self._task = run_task(
            self,
            _("Importing {file}").format(file=source.name),
            work,
            on_success=self._imported,
            on_cancel=self._import_cancelled,
        )
        self._task.failed.connect(lambda _exc: self._show_state())

    def _imported(self, result: ImportResult) -> None:
        if result.written:
            self.result = result
            done = ngettext(
                "{count} row imported from {file}.", "{count} rows imported from {file}.", result.imported
            )
            prompts.message(
                self,
                prompts.Icon.Information,
                _("Import finished"),
                done.format(count=result.imported, file=result.preview.source.name),
            )
            self.accept()
            return
        # Someone changed the database since the preview (a folio taken, a club renewed): show why.
        self.show_preview(result.preview)
        prompts.message(
            self,
            prompts.Icon.Warning,
            _("Nothing was imported"),
            _(
                "The rows were checked again while importing and some have problems now. "
                "Nothing was written; see the list of problems."
            ),
        )

    def _import_cancelled(self) -> None:
        if self._close_if_asked():
            return
        self._show_state()
        cancelled = _("import cancelled; nothing was written")
        self.counts_label.setText(f"{self.counts_label.text()} — {cancelled}")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        """Measure the problem rows against the real width, now that there is one."""
        super().showEvent(event)
        self._fit_rows.start()

    # -- closing ------------------------------------------------------------------------------------

    def done(self, code: int) -> None:
        """Close; a check still running is cancelled first (its thread must not outlive the dialog)."""
        self._recheck.stop()
        self._again = False
        if self._task is not None and self._task.running:
            # The worker stops at its next row and rolls back; the dialog closes when it reports.
            self._closing = code
            self._task.cancel()
            self._set_buttons(busy=True)
            return
        super().done(code)

    def _close_if_asked(self) -> bool:
        """Finish a close that waited for a running check; True when the dialog closed."""
        if self._closing is None:
            return False
        code, self._closing = self._closing, None
        QTimer.singleShot(0, lambda: self.done(code))  # after the task has wound down
        return True

    @classmethod
    def ask(
        cls, parent: QWidget | None, db: Database, *, user: str = "", path: str | Path | None = None
    ) -> ImportResult | None:
        """Run the dialog (on ``path`` if given, else the officer chooses); the import's result or None."""
        dialog = cls(db, parent, user=user)
        try:
            if path is not None:
                dialog.load(path)
            return dialog.result if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()
