"""The import dialog's check: the file read and every row checked off the GUI thread, run again on change."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer

from tresxuno.i18n import _
from tresxuno.services import importer
from tresxuno.services.importer import ImportPreview, SourceTable
from tresxuno.services.progress import CancelToken, Progress
from tresxuno.services.store import Database
from tresxuno.ui.tasks import Task, run_task


class ImportChecking:
    """Checks the chosen file for :class:`~tresxuno.ui.dialogs.importer.ImportDialog` (a dry run)."""

    _db: Database
    path: Path | None
    source: SourceTable | None
    preview: ImportPreview | None
    _task: Task | None
    _again: bool
    _reload: bool
    _sheet: str | None
    _closing: int | None

    # -- checking -------------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Whether a check or the import is running (or about to run)."""
        return (self._task is not None and self._task.running) or self._recheck.isActive()

    def check(self) -> None:
        """Check every row in the background with the mapping shown (re-reading the file when new)."""
        self._recheck.stop()
        if self.path is None:
            return
        if self._task is not None and self._task.running:
            self._again = True  # the mapping changed while checking: check again once this run ends
            return
        db, path, kind, sheet = self._db, self.path, self.kind, self._sheet
        source = None if self._reload else self.source
        mapping = None if source is None else self.mapping()

        def work(progress: Progress, cancel: CancelToken) -> tuple[SourceTable, str, ImportPreview]:
            table = source or importer.read_file(path, sheet=sheet)
            chosen = kind if source is not None else importer.guess_kind(table.headers)
            return (
                table,
                chosen,
                importer.preview(db, table, chosen, mapping, progress=progress, cancel=cancel),
            )

        self._reload = False
        self._set_buttons(busy=True)
        self.counts_label.setText(_("Checking the rows…"))
        self.status_icon.clear()
        self._task = run_task(
            self,
            _("Checking {file}").format(file=path.name),
            work,
            on_success=self._checked,
            on_cancel=self._after_task,
        )
        self._task.failed.connect(self._check_failed)

    def _checked(self, outcome: tuple[SourceTable, str, ImportPreview]) -> None:
        if self._close_if_asked():
            return
        table, kind, preview = outcome
        new_file = table is not self.source
        self.source = table
        if new_file:
            self.kind_combo.blockSignals(True)
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))
            self.kind_combo.blockSignals(False)
            self._fill_sheets()
            self._fill_mapping(dict(preview.mapping))
        self.show_preview(preview)
        self._after_task()

    def _check_failed(self, _exc: object) -> None:
        """The file could not be read (``show_error`` has said why): forget the last file's rows."""
        if self.source is None:
            self.preview = None
            self.mapping_combos.clear()
            self._clear_mapping()
            self.missing_label.clear()
            self.file_info.clear()
        self._after_task()

    def _clear_mapping(self) -> None:
        """Remove the labels and combos of the previous file's columns."""
        while self.mapping_grid.count():
            item = self.mapping_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()

    def _after_task(self) -> None:
        if self._close_if_asked():
            return
        if self._again:
            self._again = False
            QTimer.singleShot(0, self.check)
            return
        self._show_state()

    def _fill_sheets(self) -> None:
        assert self.source is not None
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        self.sheet_combo.addItems(list(self.source.sheets))
        self.sheet_combo.setCurrentText(self.source.sheet or "")
        self.sheet_combo.blockSignals(False)
        many = len(self.source.sheets) > 1
        self.sheet_combo.setVisible(many)
        self.sheet_label.setVisible(many)
        if self.source.file_format == "csv":
            separator = {",": _("commas"), ";": _("semicolons"), "\t": _("tabs")}.get(
                self.source.delimiter or ",", self.source.delimiter or ""
            )
            self.file_info.setText(
                _("CSV, {encoding}, separated by {separator}").format(
                    encoding=(self.source.encoding or "").upper().replace("-SIG", " (BOM)"),
                    separator=separator,
                )
            )
        else:
            self.file_info.setText(_("Excel workbook, sheet «{sheet}»").format(sheet=self.source.sheet))
