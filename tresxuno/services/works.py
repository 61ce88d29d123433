"""Use cases for the works' physical progress (avance físico), reported at least quarterly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from tresxuno.db.engine import Database
from tresxuno.db.models import ProgressReport, Project
from tresxuno.domain import limits
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.stages import Stage
from tresxuno.domain.validation import clean_text
from tresxuno.services.auth import require

#: Stages in which works are under way and progress can be reported.
REPORTABLE = (Stage.CONVENIO_FIRMADO, Stage.EN_EJECUCION, Stage.TERMINADO)


@dataclass(frozen=True)
class ProgressInfo:
    """One progress report: percent executed in tenths (455 = 45.5 %), date and note."""

    id: int
    project_id: int
    reported_on: date
    percent_tenths: int
    note: str
    created_by: str
    created_at: datetime
    correction: str = ""

    @property
    def percent_text(self) -> str:
        """``45.5`` or ``100``: the percent as officers write it."""
        whole, tenth = divmod(self.percent_tenths, 10)
        return f"{whole}.{tenth}" if tenth else str(whole)


def parse_percent(text: str, field: str = "percent") -> int:
    """A percent typed as ``45``, ``45.5`` or ``45.5 %`` in tenths of a percent (0-1000).

    Raises:
        InputError: not a number, more than one decimal, or outside 0-100.
    """
    cleaned = (text or "").strip().rstrip("%").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InputError(Problem(field, "percent.not_a_number", {"text": text})) from None
    if not value.is_finite() or value != value.quantize(Decimal("0.1")):
        raise InputError(Problem(field, "percent.not_a_number", {"text": text}))
    if not 0 <= value <= 100:
        raise InputError(Problem(field, "number.out_of_range", {"value": text, "min": 0, "max": 100}))
    return int(value * 10)


def record_progress(
    db: Database,
    project_id: int,
    reported_on: date,
    percent_text: str,
    *,
    note: str = "",
    user: str = "",
    today: date | None = None,
) -> ProgressInfo:
    """Record the physical progress of a project's works on a date.

    Progress lower than the last report is a correction and must say why in ``note``.

    Raises:
        InputError: unknown project, works not under way, a date in the future or before the
            last report, a bad percent, or a lower percent without a note. Nothing is written.
    """
    require(db, "works.record_progress")
    problems: list[Problem] = []
    tenths = None
    try:
        tenths = parse_percent(percent_text)
    except InputError as exc:
        problems.extend(exc.problems)
    note = clean_text(note, "note", problems, required=False, max_len=limits.NOTE, multiline=True)
    if reported_on > (today or date.today()):
        problems.append(Problem("reported_on", "date.future", {"date": reported_on.isoformat()}))
    with db.transaction(immediate=True) as session:
        project = session.get(Project, project_id)
        if project is None:
            raise InputError(Problem("project", "project.unknown", {"id": project_id}))
        if project.stage not in REPORTABLE:
            problems.append(
                Problem("project", "progress.not_under_way", {"folio": project.folio, "stage": project.stage})
            )
        last = session.scalars(
            select(ProgressReport)
            .where(ProgressReport.project_id == project_id)
            .order_by(ProgressReport.reported_on.desc(), ProgressReport.id.desc())
            .limit(1)
        ).first()
        if last is not None and reported_on < last.reported_on:
            problems.append(
                Problem(
                    "reported_on",
                    "progress.before_last",
                    {"date": reported_on.isoformat(), "last": last.reported_on.isoformat()},
                )
            )
        if last is not None and tenths is not None and tenths < last.percent_tenths and not note:
            problems.append(
                Problem(
                    "note",
                    "progress.lower_needs_note",
                    {"last": last.percent_tenths / 10, "value": tenths / 10},
                )
            )
        if problems:
            raise InputError(problems)
        assert tenths is not None
        row = ProgressReport(
            project_id=project_id, reported_on=reported_on, percent_tenths=tenths, note=note, created_by=user
        )
        session.add(row)
        session.flush()
        return _info(row)


def _info(row: ProgressReport) -> ProgressInfo:
    return ProgressInfo(
        row.id,
        row.project_id,
        row.reported_on,
        row.percent_tenths,
        row.note,
        row.created_by,
        row.created_at,
        row.correction,
    )


def correct_progress(
    db: Database,
    report_id: int,
    reported_on: date,
    percent_text: str,
    reason: str,
    *,
    note: str | None = None,
    today: date | None = None,
) -> ProgressInfo:
    """Correct a progress report typed wrong (its percent, date or note), saying why.

    The report keeps its place between its neighbours (not before the one before it, not after the
    one after it); the values before the correction stay in the audit trail, shown in the project's
    change history, and ``reason`` is kept with the report.

    Raises:
        InputError: ``progress.unknown``; ``text.*`` on ``reason`` (required); a bad percent; a
            date in the future or out of order (``progress.before_last``, ``progress.after_next``).
    """
    require(db, "works.record_progress")
    problems: list[Problem] = []
    tenths = None
    try:
        tenths = parse_percent(percent_text)
    except InputError as exc:
        problems.extend(exc.problems)
    why = clean_text(reason, "reason", problems, max_len=limits.NOTE, multiline=True)
    if reported_on > (today or date.today()):
        problems.append(Problem("reported_on", "date.future", {"date": reported_on.isoformat()}))
    with db.transaction(immediate=True) as session:
        row = session.get(ProgressReport, report_id)
        if row is None:
            raise InputError(Problem("report", "progress.unknown", {"id": report_id}))
        others = session.scalars(
            select(ProgressReport)
            .where(ProgressReport.project_id == row.project_id, ProgressReport.id != row.id)
            .order_by(ProgressReport.reported_on, ProgressReport.id)
        ).all()
        key = (row.reported_on, row.id)
        before = [o for o in others if (o.reported_on, o.id) < key]
        after = [o for o in others if (o.reported_on, o.id) > key]
        if before and reported_on < before[-1].reported_on:
            problems.append(
                Problem(
                    "reported_on",
                    "progress.before_last",
                    {"date": reported_on.isoformat(), "last": before[-1].reported_on.isoformat()},
                )
            )
        if after and reported_on > after[0].reported_on:
            problems.append(
                Problem(
                    "reported_on",
                    "progress.after_next",
                    {"date": reported_on.isoformat(), "next": after[0].reported_on.isoformat()},
                )
            )
        if problems:
            raise InputError(problems)
        assert tenths is not None
        row.reported_on, row.percent_tenths, row.correction = reported_on, tenths, why
        if note is not None:
            row.note = clean_text(note, "note", problems, required=False, max_len=limits.NOTE, multiline=True)
            if problems:
                raise InputError(problems)
        session.flush()
        return _info(row)


def progress_history(db: Database, project_id: int) -> list[ProgressInfo]:
    """Every progress report of a project, oldest first."""
    with db.transaction() as session:
        rows = session.scalars(
            select(ProgressReport)
            .where(ProgressReport.project_id == project_id)
            .order_by(ProgressReport.reported_on, ProgressReport.id)
        ).all()
        return [_info(r) for r in rows]
