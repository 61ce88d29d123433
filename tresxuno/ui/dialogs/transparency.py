"""Files for transparency, federal reporting and auditors, from the Reportes page.

The officer chooses what to produce (SIPOT XV-A, the padrón de beneficiarios, the SRFT, or an audit
package of a project or a fiscal year), the period or the project, then the file; the work runs off
the GUI thread with progress and Cancel, and the result names the rows, the totals and the audit
chain's head the figures came from.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.problems import Problem
from tresxuno.formatting import money_text
from tresxuno.i18n import N_, _, ngettext
from tresxuno.services.store import Database
from tresxuno.ui import prompts
from tresxuno.ui.dialogs.entries import ProjectPicker, hint_label
from tresxuno.ui.forms import FieldErrors
from tresxuno.ui.tasks import Task, run_task

#: What the dialog produces, in the order offered, and its name.
CHOICES: dict[str, str] = {
    "sipot-xv": N_("SIPOT art. 70 fr. XV-A: the programme (XLSX)"),
    "padron": N_("SIPOT art. 70 fr. XV-B: padrón de beneficiarios (XLSX)"),
    "srft": N_("SRFT: federal resources transferred, by project (XLSX)"),
    "audit-project": N_("Audit package of a project (ZIP)"),
    "audit-year": N_("Audit package of a fiscal year (ZIP)"),
}
QUARTER_NAMES = (
    N_("Whole fiscal year"),
    N_("1st quarter (January–March)"),
    N_("2nd quarter (April–June)"),
    N_("3rd quarter (July–September)"),
    N_("4th quarter (October–December)"),
)
FIRST_YEAR = 2002


class TransparencyDialog(QDialog):
    """Choose a transparency file or an audit package and what it covers."""

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Transparency and audit files"))
        self.what = QComboBox(self)
        for key, name in CHOICES.items():
            self.what.addItem(_(name), key)
        self.year = QComboBox(self)
        for year in range(date.today().year, FIRST_YEAR - 1, -1):
            self.year.addItem(str(year), year)
        self.quarter = QComboBox(self)
        for number, name in enumerate(QUARTER_NAMES):
            self.quarter.addItem(_(name), number)
        self.quarter.setCurrentIndex((date.today().month - 1) // 3 + 1)
        self.project = ProjectPicker(db, self)
        self.general = QLabel(self)
        self.errors = FieldErrors(self.general)
        self.form = QFormLayout()
        self.rows: dict[str, int] = {}
        for name, label, widget in (
            ("what", _("&File:"), self.what),
            ("year", _("Fiscal &year:"), self.year),
            ("quarter", _("&Period:"), self.quarter),
            ("project", _("&Project:"), self.project),
        ):
            self.errors.add_row(self.form, name, label, widget)
            self.rows[name] = self.form.rowCount() - 1
        self.note = hint_label(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(_("&Export…"))
        ok.setDefault(True)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.general)
        layout.addLayout(self.form)
        layout.addWidget(self.note)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.what.currentIndexChanged.connect(lambda _i: self._on_what())
        self._on_what()
        self.resize(640, self.sizeHint().height())

    def visible_fields(self) -> list[str]:
        """The fields shown for the current choice (tests and screen readers)."""
        return [name for name, row in self.rows.items() if self.form.isRowVisible(row)]

    def choice(self) -> str:
        """The id of what is to be produced (a key of :data:`CHOICES`)."""
        return str(self.what.currentData())

    def _on_what(self) -> None:
        what = self.choice()
        shown = {
            "year": what != "audit-project",
            "quarter": not what.startswith("audit"),
            "project": what == "audit-project",
        }
        for name, visible in shown.items():
            self.form.setRowVisible(self.rows[name], visible)
        notes = {
            "sipot-xv": _(
                "The programme's amounts approved, modified and exercised, by party, as of the period's last day."
            ),
            "padron": _(
                "Collective beneficiaries of each approved project with the public support; no personal data."
            ),
            "srft": _(
                "The federal share of each project by accounting moment, equal to the ledger to the centavo."
            ),
            "audit-project": _(
                "The expediente, every report, the ledger and audit-trail extracts and a sha256 manifest."
            ),
            "audit-year": _(
                "Every project of the year, the year's reports and transparency files, with a sha256 manifest."
            ),
        }
        self.note.setText(notes.get(what, ""))
        self.errors.clear()

    def request(self) -> dict[str, Any] | None:
        """What to produce; None (the problem shown beside its field) when the project is missing."""
        what = self.choice()
        if what == "audit-project":
            self.project.commit()
            if self.project.choice is None:
                self.errors.show([Problem("project", "choice.required")])
                return None
            return {"what": what, "folio": self.project.choice.folio}
        return {
            "what": what,
            "year": int(self.year.currentData()),
            "quarter": int(self.quarter.currentData()),
        }

    def _accept(self) -> None:
        if self.request() is not None:
            self.accept()


def default_name(request: dict[str, Any]) -> str:
    """A file name that says what the file holds: ``srft-2017-T3.xlsx``, ``auditoria-<folio>.zip``."""
    what = request["what"]
    if what == "audit-project":
        return f"auditoria-{request['folio']}.zip"
    if what == "audit-year":
        return f"auditoria-{request['year']}.zip"
    quarter = f"-T{request['quarter']}" if request.get("quarter") else ""
    return f"{what}-{request['year']}{quarter}.xlsx"


def start_export(
    parent: QWidget, db: Database, request: dict[str, Any], target: Path, printed_by: str = ""
) -> Task:
    """Produce ``request`` into ``target`` off the GUI thread, with progress and Cancel."""
    from tresxuno.services.audit_package import export_audit_package
    from tresxuno.services.transparency import export_transparency, transparency_book

    what = request["what"]
    if what.startswith("audit"):

        def work(progress: Any, cancel: Any) -> Any:
            return export_audit_package(
                db,
                target,
                folio=request.get("folio"),
                year=request.get("year") if what == "audit-year" else None,
                printed_by=printed_by,
                force=True,  # the save dialog asked before replacing; the service still refuses the database
                progress=progress,
                cancel=cancel,
            )

        def done(package: Any) -> None:
            prompts.message(
                parent,
                prompts.Icon.Information,
                _("Audit package written"),
                ngettext(
                    "{n} file written to {path}.", "{n} files written to {path}.", len(package.files)
                ).format(n=len(package.files), path=package.path)
                + "\n"
                + _("Not included (see LEEME.txt): {n}.").format(n=len(package.not_applicable))
                + "\n"
                + _("Audit trail: head {hash} · {records} records (tresxuno check --anchor)").format(
                    hash=package.head.hash, records=package.head.records
                ),
            )

        return run_task(parent, _("Packing the audit package"), work, on_success=done)

    def export(progress: Any, cancel: Any) -> Any:
        return export_transparency(
            db,
            what,
            target,
            year=request["year"],
            quarter=request["quarter"],
            force=True,
            progress=progress,
            cancel=cancel,
        )

    def exported(written: Any) -> None:
        headers = {c.field: c.header for c in transparency_book().layouts[written.format].columns}
        totals = "\n".join(f"{headers[k]}: {money_text(v)}" for k, v in written.totals.items())
        prompts.message(
            parent,
            prompts.Icon.Information,
            _("File exported"),
            ngettext("{n} row written to {path}.", "{n} rows written to {path}.", written.rows).format(
                n=f"{written.rows:,}", path=written.path
            )
            + "\n"
            + totals
            + "\n"
            + _("Audit trail: head {hash} · {records} records (tresxuno check --anchor)").format(
                hash=written.head.hash, records=written.head.records
            ),
        )

    return run_task(parent, _("Exporting"), export, on_success=exported)


def ask_and_export(parent: QWidget, db: Database, printed_by: str = "") -> Task | None:
    """The whole flow from the Reportes page: the dialog, the file, the run."""
    dialog = TransparencyDialog(db, parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        request = dialog.request()
    finally:
        dialog.deleteLater()
    if request is None:
        return None
    suffix = ".zip" if request["what"].startswith("audit") else ".xlsx"
    name_filter = _("ZIP archives (*.zip)") if suffix == ".zip" else _("Excel workbooks (*.xlsx)")
    chosen = prompts.choose_save_file(
        parent, _("Save as"), name_filter, str(Path.home() / default_name(request))
    )
    if not chosen:
        return None
    target = prompts.save_target(parent, chosen, suffix)
    if target is None:
        return None
    return start_export(parent, db, request, target, printed_by)
