"""Print one report: check what was asked, build its data, draw the PDF (the CLI's and the GUI's entry).

Long work like every report: :func:`write_report` takes a progress sink and a cancel token; a cancel
or an error leaves no file behind (the PDF is written beside the destination and moved into place
only when complete).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from pathlib import Path

from tresxuno.db.engine import Database
from tresxuno.i18n import _
from tresxuno.services.auth import require
from tresxuno.services.output_files import atomic_output, check_output
from tresxuno.services.progress import CancelToken, Progress, no_progress
from tresxuno.services.reporting.agreement import build_agreement
from tresxuno.services.reporting.common import project_id_of
from tresxuno.services.reporting.delivery import (
    act_kind,
    build_delivery,
    build_scholarship_receipts,
    project_category,
)
from tresxuno.services.reporting.handover import build_handover
from tresxuno.services.reporting.kinds import check_request
from tresxuno.services.reporting.project import build_project_sheet
from tresxuno.services.reporting.receipt import build_receipt
from tresxuno.services.reporting.session import build_session_minutes
from tresxuno.services.reporting.social_committee import build_committee_document
from tresxuno.services.reporting.statement import build_statement
from tresxuno.services.reporting.validation import build_validation_sheet


@dataclass(frozen=True)
class ReportResult:
    """A written report: its kind, file and page count."""

    kind: str
    path: Path
    pages: int


@dataclass(frozen=True)
class ReportRequest:
    """What one report is asked for: the options of ``tresxuno report`` resolved to ids and numbers."""

    printed_by: str
    printed_at: datetime | None
    project_id: int | None = None
    entry_id: int | None = None
    session_id: int | None = None
    year: int | None = None
    quarter: int | None = None
    municipality: str | None = None


#: Draws one kind of report: ``(db, request, path, progress, cancel) -> pages``.
Writer = Callable[[Database, ReportRequest, Path, Progress, "CancelToken | None"], int]


def write_report(
    db: Database,
    kind: str,
    output: str | os.PathLike[str],
    *,
    project_id: int | None = None,
    folio: str | None = None,
    entry_id: int | None = None,
    session_id: int | None = None,
    year: int | None = None,
    quarter: int | None = None,
    municipality: str | None = None,
    printed_by: str = "",
    printed_at: datetime | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    force: bool = False,
) -> ReportResult:
    """Build and draw one report into ``output`` in the language in force.

    Args:
        db: the database.
        kind: one of :data:`~tresxuno.services.reporting.kinds.REPORT_KINDS`.
        output: the PDF to write: its folder must exist; never the database or its side files, nor
            a folder, FIFO or device (:func:`tresxuno.services.output_files.check_output`).
        project_id: the project (``project``, ``agreement``, ``statement``), or give ``folio``.
        folio: the project's folio, instead of ``project_id``.
        entry_id: the contribution entry (``receipt``).
        session_id: the COVAM session (``session``).
        year: the fiscal year (``quarterly``, ``summary``).
        quarter: 1 to 4 (``quarterly``).
        municipality: a five-digit INEGI key narrowing a report that covers many projects.
        printed_by: who prints (the footer of every page).
        printed_at: when; now when None.
        progress: told ``(done, total, message)`` while a long report reads and draws.
        cancel: checked between pages of a long report; a cancel raises ``Cancelled``, no file left.
        force: replace an existing file at ``output`` (``--force``; the GUI once the officer agreed).

    Returns:
        What was written.

    Raises:
        InputError: an unknown or unavailable kind, a missing option, an unknown project or
            entry, or a report that does not apply (an agreement for a project not approved, a
            receipt for a payment); on field ``output``, a target
            :func:`~tresxuno.services.output_files.check_output` refuses (``output.exists`` without
            ``force``).
        StorageError: the file cannot be written; nothing is left behind.
    """
    require(db, "reports.print")
    if project_id is None and folio is not None and folio.strip():
        project_id = project_id_of(db, folio)
    check_request(
        kind,
        {
            "project": project_id,
            "entry": entry_id,
            "session": session_id,
            "year": year,
            "quarter": quarter,
            "municipality": municipality,
        },
    )
    request = ReportRequest(
        printed_by=printed_by,
        printed_at=printed_at,
        project_id=project_id,
        entry_id=entry_id,
        session_id=session_id,
        year=year,
        quarter=quarter,
        municipality=municipality,
    )
    path = check_output(output, db=db, force=force)  # before any reading: a wrong target costs nothing
    with atomic_output(path, db=db, force=force) as temp:
        pages = WRITERS[kind](db, request, temp, progress, cancel)
    return ReportResult(kind, path, pages)


def _one_record(build: Callable[..., object], record: str, renderer: str) -> Writer:
    """A writer for a report about one record: build its data by id, then draw it.

    Args:
        build: the builder, ``build(db, id, printed_by=, printed_at=)``.
        record: the request's field holding the id (``project_id``, ``entry_id``, ``session_id``).
        renderer: ``module:function`` in :mod:`tresxuno.reports.pdf` drawing the data into a path;
            imported only when printing, so naming the kinds never loads reportlab.
    """
    module, function = renderer.split(":")

    def write(
        db: Database, request: ReportRequest, path: Path, progress: Progress, cancel: CancelToken | None
    ) -> int:
        record_id = getattr(request, record)
        assert record_id is not None  # check_request refused a missing option
        data = build(db, record_id, printed_by=request.printed_by, printed_at=request.printed_at)
        return getattr(import_module(f"tresxuno.reports.pdf.{module}"), function)(data, path)

    return write


def _write_statement(
    db: Database, request: ReportRequest, path: Path, progress: Progress, cancel: CancelToken | None
) -> int:
    from tresxuno.reports.pdf.statement import render_statement

    assert request.project_id is not None
    reading = _("Reading the ledger entries")
    statement = build_statement(
        db,
        request.project_id,
        printed_by=request.printed_by,
        printed_at=request.printed_at,
        progress=lambda done, total, _message: progress(done, 2 * total, reading),
        cancel=cancel,
    )
    drawing = _("Drawing the statement")
    count = len(statement.entries)

    def on_page(drawn: int, total: int) -> None:
        if cancel is not None:
            cancel.raise_if_cancelled()
        progress(count + drawn, 2 * max(count, total), drawing)

    return render_statement(statement, path, on_page=on_page)


def _write_quarterly(
    db: Database, request: ReportRequest, path: Path, progress: Progress, cancel: CancelToken | None
) -> int:
    from tresxuno.reports.pdf.quarterly import render_quarterly
    from tresxuno.services.reporting.quarterly import build_quarterly

    assert request.year is not None and request.quarter is not None
    progress(0, 2, _("Reading the projects and the ledger"))
    report = build_quarterly(
        db,
        request.year,
        request.quarter,
        municipality_key=request.municipality,
        printed_by=request.printed_by,
        printed_at=request.printed_at,
        cancel=cancel,
    )
    drawing, count = _("Drawing the report"), max(1, report.project_count)

    def on_page(drawn: int, total: int) -> None:
        if cancel is not None:
            cancel.raise_if_cancelled()
        progress(count + min(drawn, count), 2 * count, drawing)

    return render_quarterly(report, path, on_page=on_page)


def _write_summary(
    db: Database, request: ReportRequest, path: Path, progress: Progress, cancel: CancelToken | None
) -> int:
    from tresxuno.reports.pdf.summary import render_summary
    from tresxuno.services.reporting.summary import build_summary

    assert request.year is not None
    progress(0, 2, _("Reading the projects and the ledger"))
    summary = build_summary(
        db,
        request.year,
        municipality_key=request.municipality,
        printed_by=request.printed_by,
        printed_at=request.printed_at,
        cancel=cancel,
    )
    progress(1, 2, _("Drawing the report"))
    pages = render_summary(summary, path)
    progress(2, 2, _("Drawing the report"))
    return pages


def _write_handover(
    db: Database, request: ReportRequest, path: Path, progress: Progress, cancel: CancelToken | None
) -> int:
    """The act that closes the project: the works' hand-over, or the delivery of scholarships or goods."""
    assert request.project_id is not None  # check_request refused a missing option
    if act_kind(project_category(db, request.project_id)) is None:
        works = _one_record(build_handover, "project_id", "handover:render_handover")
        return works(db, request, path, progress, cancel)
    delivery = _one_record(build_delivery, "project_id", "delivery:render_delivery")
    return delivery(db, request, path, progress, cancel)


#: One writer per printable kind; a new report adds its line here and its kind in :mod:`.kinds`.
WRITERS: dict[str, Writer] = {
    "project": _one_record(build_project_sheet, "project_id", "project:render_project_sheet"),
    "agreement": _one_record(build_agreement, "project_id", "agreement:render_agreement"),
    "statement": _write_statement,
    "receipt": _one_record(build_receipt, "entry_id", "receipt:render_receipt"),
    "session": _one_record(build_session_minutes, "session_id", "session:render_session_minutes"),
    "handover": _write_handover,
    "validation": _one_record(build_validation_sheet, "project_id", "validation:render_validation_sheet"),
    "scholarship_receipts": _one_record(
        build_scholarship_receipts, "project_id", "delivery:render_scholarship_receipts"
    ),
    "committee": _one_record(build_committee_document, "project_id", "social_committee:render_committee_act"),
    "committee_report": _one_record(
        build_committee_document, "project_id", "social_committee:render_committee_report_form"
    ),
    "quarterly": _write_quarterly,
    "summary": _write_summary,
}
