"""Exporting the Libro: the format chooser and the export run off the GUI thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.problems import InputError, StorageError
from tresxuno.formatting import money_text
from tresxuno.i18n import N_, _, ngettext
from tresxuno.services.exports import FORMATS, ExportSummary, export_ledger
from tresxuno.services.projects import get_project
from tresxuno.services.store import Database
from tresxuno.ui import prompts
from tresxuno.ui.dialogs.entries import ProjectPicker, hint_label
from tresxuno.ui.errors import show_error
from tresxuno.ui.models.ledger import LedgerTableModel
from tresxuno.ui.tasks import Task, run_task

#: Export formats, their names in the chooser and the file name filter.
FORMAT_NAMES: dict[str, str] = {
    "csv": N_("CSV (spreadsheets; one row per party of each entry)"),
    "xlsx": N_("Excel workbook (XLSX) with a sheet of balances"),
    "beancount": N_("Beancount journal (double entry, checked by bean-check)"),
    "ledger": N_("Ledger/hledger journal (double entry)"),
}
FORMAT_FILTERS: dict[str, str] = {
    "csv": N_("CSV files (*.csv)"),
    "xlsx": N_("Excel workbooks (*.xlsx)"),
    "beancount": N_("Beancount journals (*.beancount)"),
    "ledger": N_("Ledger journals (*.ledger *.journal)"),
}


class ExportDialog(QDialog):
    """Choose the format of a ledger export (the file name is asked next)."""

    def __init__(self, scope: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Export the ledger"))
        self.format = QComboBox(self)
        for fmt in FORMATS:
            self.format.addItem(_(FORMAT_NAMES.get(fmt, fmt)), fmt)
        self.format.setAccessibleName(_("Format"))
        form = QFormLayout()
        caption = QLabel(_("&Format:"), self)
        caption.setBuddy(self.format)
        form.addRow(caption, self.format)
        note = hint_label(self)
        note.setText(
            _("Exported: {scope}.").format(scope=scope)
            + "\n"
            + _(
                "Exports follow the fiscal year and project filters; the type, party and date filters do not "
                "apply to them, so the file always reconciles with the balances."
            )
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(520, 200)

    @classmethod
    def ask(cls, parent: QWidget | None, scope: str) -> str | None:
        """The chosen format id (``csv``, ``xlsx``, ``beancount``, ``ledger``), or None on cancel."""
        dialog = cls(scope, parent)
        try:
            return dialog.format.currentData() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()


class LedgerExport:
    """The export of :class:`~tresxuno.ui.views.ledger.LedgerView`: what it covers, the file, the run."""

    _db: Database
    model: LedgerTableModel
    project: ProjectPicker
    export_button: QPushButton
    export_task: Task | None
    last_export: ExportSummary | None

    def _scope_text(self) -> tuple[str, int | None, str | None]:
        filters = self.model.filters
        folio: str | None = None
        if filters.project_id is not None:
            choice = self.project.choice
            if choice is not None and choice.id == filters.project_id:
                folio = choice.folio
            else:
                folio = get_project(self._db, filters.project_id).folio
        year = filters.fiscal_year
        if folio and year:
            scope = _("the entries of project {folio} dated in {year}").format(folio=folio, year=year)
        elif folio:
            scope = _("every entry of project {folio}").format(folio=folio)
        elif year:
            scope = _("every entry dated in {year}").format(year=year)
        else:
            scope = _("the whole ledger")
        return scope, year, folio

    def export_ledger(self) -> Task | None:
        """Choose a format and a file, then export off the GUI thread with progress and Cancel."""
        try:
            scope, year, folio = self._scope_text()
        except (InputError, StorageError) as exc:
            show_error(self.window(), exc)
            return None
        fmt = ExportDialog.ask(self.window(), scope)
        if fmt is None:
            return None
        suffix = "." + ("ledger" if fmt == "ledger" else fmt)
        stem = "libro" + (f"-{folio}" if folio else "") + (f"-{year}" if year else "")
        path = prompts.choose_save_file(
            self.window(), _("Export the ledger"), _(FORMAT_FILTERS[fmt]), str(Path.home() / (stem + suffix))
        )
        if not path:
            return None
        target = prompts.save_target(self.window(), path, suffix, ".journal")
        if target is None:
            return None
        db = self._db
        self.export_button.setEnabled(False)
        self.export_task = run_task(
            self.window(),
            _("Exporting the ledger"),
            lambda progress, cancel: export_ledger(
                # The save dialog asked before replacing a file: force; the service still refuses
                # the database, its side files and non-files.
                db,
                fmt,
                target,
                year=year,
                folio=folio,
                progress=progress,
                cancel=cancel,
                force=True,
            ),
            on_success=self._exported,
            on_cancel=lambda: self.export_button.setEnabled(True),
        )
        self.export_task.failed.connect(lambda _exc: self.export_button.setEnabled(True))
        return self.export_task

    def _exported(self, summary: ExportSummary) -> None:
        self.export_button.setEnabled(True)
        self.last_export = summary
        head = summary.head
        # The audit chain's head in the snapshot exported: to write down for `tresxuno check --anchor`.
        head_text = ""
        if head is not None:
            audit = _("Audit trail: head {hash} · {records} records (tresxuno check --anchor)")
            head_text = "\n" + audit.format(hash=head.hash, records=head.records)
        prompts.message(
            self.window(),
            prompts.Icon.Information,
            _("Ledger exported"),
            ngettext(
                "{rows} row ({entries} entries) written to {path}.\nTotal: {total}.",
                "{rows} rows ({entries} entries) written to {path}.\nTotal: {total}.",
                summary.rows,
            ).format(
                rows=f"{summary.rows:,}",
                entries=f"{summary.entries:,}",
                path=summary.path,
                total=money_text(summary.total_centavos),
            )
            + head_text,
        )
