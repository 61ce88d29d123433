"""Print a report from anywhere in the app: its title, its file name, and the run ending in a preview.

The Reportes page and the records (project, ledger entry, COVAM session) all go through
:func:`start_report`: the PDF is written off the GUI thread into a temporary folder with a progress
dialog whose Cancel works, then shown in :class:`~tresxuno.ui.dialogs.report_preview.ReportPreview`,
from where the officer prints it or saves a copy. The temporary folder goes when the preview closes.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtWidgets import QWidget

from tresxuno.domain.actor import current_actor
from tresxuno.i18n import N_, _
from tresxuno.services.reporting.kinds import REPORT_KINDS
from tresxuno.services.store import Database
from tresxuno.ui.tasks import Task, run_task

#: Each kind's name as the officer knows it. A kind added to the registry only needs its line here
#: (one missing shows its id until then).
REPORT_TITLES: dict[str, str] = {
    "project": N_("Project sheet"),
    "agreement": N_("Coordination agreement"),
    "statement": N_("Statement of account"),
    "receipt": N_("Contribution receipt"),
    "session": N_("COVAM session minutes"),
    "quarterly": N_("Quarterly report"),
    "summary": N_("Fiscal year summary"),
    "handover": N_("Hand-over act (works, scholarships or goods)"),
    "committee": N_("Contraloría social committee"),
    "committee_report": N_("Contraloría social report form"),
    "validation": N_("Technical validation sheet"),
    "scholarship_receipts": N_("Scholarship receipts"),
}
#: One line on what each report is for, shown under the choice of kind.
REPORT_PURPOSES: dict[str, str] = {
    "project": N_("The project's data, club, shares per party, stage history and progress."),
    "agreement": N_(
        "The convenio the parties sign, with each one's amount in figures and words. Only for a "
        "project the COVAM approved."
    ),
    "statement": N_(
        "Every ledger entry of a project with its running balance, and what each party "
        "approved, deposited, was paid and refunded."
    ),
    "receipt": N_(
        "A bilingual receipt for a club's contribution: dollars, exchange rate and pesos credited."
    ),
    "session": N_("The minutes of a COVAM session: attendees, each project's ruling and the signatures."),
    "quarterly": N_("Physical and financial progress of every project in a quarter."),
    "summary": N_("The fiscal year by category, municipality, programme and party, with charts."),
    "handover": N_(
        "The act that closes the project: the hand-over of finished works to the community committee; "
        "for scholarships the delivery of each student's scholarship; for productive projects the "
        "delivery of the goods to the beneficiary families."
    ),
    "committee": N_(
        "The act constituting the project's contraloría social committee: members, what it watches, "
        "what it filed, signatures."
    ),
    "committee_report": N_(
        "The form the contraloría social committee fills in after a visit: questions, observations, "
        "signatures."
    ),
    "validation": N_(
        "The cédula de validación técnica: each criterion's points, the total against the points "
        "needed, the result and the signatures."
    ),
    "scholarship_receipts": N_(
        "One receipt per scholarship student, to be signed by the student or guardian."
    ),
}
#: Start of the suggested file name of each kind (Spanish: the name the documents have in the office).
FILE_STEMS: dict[str, str] = {
    "project": "cedula",
    "agreement": "convenio",
    "statement": "estado_de_cuenta",
    "receipt": "recibo",
    "session": "acta_covam",
    "quarterly": "informe_trimestral",
    "summary": "resumen_ejercicio",
    "handover": "entrega_recepcion",
    "committee": "comite_contraloria_social",
    "committee_report": "informe_contraloria_social",
    "validation": "cedula_validacion_tecnica",
    "scholarship_receipts": "recibos_becas",
}


def report_title(kind: str) -> str:
    """The kind's translated name ("Cédula del proyecto"), or its id when it has none yet."""
    title = REPORT_TITLES.get(kind)
    return _(title) if title else kind


def available(kind: str) -> bool:
    """Whether ``kind`` can be printed in this version."""
    return kind in REPORT_KINDS


def file_name(kind: str, *parts: object) -> str:
    """A safe suggested file name: ``cedula_3X1-2019-32020-0004.pdf``, ``recibo_128.pdf``."""
    bits = [FILE_STEMS.get(kind, kind), *(str(p) for p in parts if p not in (None, ""))]
    return re.sub(r"[^\w.-]+", "-", "_".join(bits)) + ".pdf"


@dataclass(frozen=True)
class ReportOrder:
    """One report to print: its kind, the options of ``write_report`` and the suggested file name."""

    kind: str
    name: str
    options: dict[str, object] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """The kind's translated name."""
        return report_title(self.kind)


def start_report(
    parent: QWidget, db: Database, order: ReportOrder, *, on_preview: Callable[[QWidget], None] | None = None
) -> Task:
    """Write ``order``'s PDF off the GUI thread, then open it in a preview.

    Args:
        parent: the window the progress dialog and the preview belong to.
        db: the database.
        order: what to print; ``options`` are keyword arguments of ``write_report``.
        on_preview: called with the preview once it is shown (pages keep it to test and re-use).

    Returns:
        The running task (keep it referenced). A cancel or an error leaves no file behind; errors
        go to ``show_error``.
    """
    from tresxuno.services.reporting.run import write_report

    folder = Path(tempfile.mkdtemp(prefix="tresxuno-report-"))
    path = folder / order.name
    printed_by = current_actor().username
    options = dict(order.options)

    def work(progress: object, cancel: object) -> object:
        return write_report(
            db,
            order.kind,
            path,
            printed_by=printed_by,
            progress=progress,  # type: ignore[arg-type]
            cancel=cancel,
            **options,
        )  # type: ignore[arg-type]

    def forget() -> None:
        shutil.rmtree(folder, ignore_errors=True)

    def ready(_result: object) -> None:
        from tresxuno.ui.dialogs.report_preview import ReportPreview

        preview = ReportPreview.present(parent, path, title=order.title, remove_folder=folder, db=db)
        if preview is None:
            forget()
        elif on_preview is not None:
            on_preview(preview)

    task = run_task(
        parent,
        _("Preparing the {report}…").format(report=order.title),
        work,
        on_success=ready,
        on_cancel=forget,
    )
    task.failed.connect(lambda _exc: forget())
    return task
