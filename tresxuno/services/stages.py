"""Use case: move a project from one stage to another, recording who, when and why."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from tresxuno.db.engine import Database
from tresxuno.db.models import Project, StageChange, utcnow
from tresxuno.db.repos import ProjectRepository
from tresxuno.domain import limits
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.records import ProjectDetail
from tresxuno.domain.roles import is_ruling, stage_action
from tresxuno.domain.stages import TRANSITIONS, Stage, can_move
from tresxuno.domain.validation import clean_text
from tresxuno.i18n import _, language
from tresxuno.services.attachments import missing_documents
from tresxuno.services.auth import WAIVER_NOTE, check_not_submitter, require
from tresxuno.services.gates import check_gate
from tresxuno.services.ministraciones import ensure_default_calendar
from tresxuno.services.projects import project_detail


def _require_documents(session: Session, project: Project) -> None:
    """Refuse to send a project to the COVAM while a required document is missing."""
    missing = missing_documents(session, project)
    if missing:
        raise InputError(
            Problem(
                "documents",
                "documents.missing",
                {"count": len(missing), "documents": "; ".join(doc.name(language()) for doc in missing)},
            )
        )


def move_project(
    db: Database,
    project_id: int,
    to_stage: str,
    *,
    user: str = "",
    comment: str = "",
    at: datetime | None = None,
) -> ProjectDetail:
    """Move a project to ``to_stage`` if the move is allowed, in one transaction.

    Raises:
        InputError: unknown project or stage, a move the stage rules do not allow (the problem
            lists the stages allowed from the current one), or a move to the COVAM while a
            required document is missing (the problem names them), or a stage gate not passed
            (see :func:`tresxuno.services.gates.check_gate`).

    Entering ``convenio_firmado`` stores the default deposit calendar when the project has none.
    """
    try:
        target = Stage(to_stage)
    except ValueError:
        raise InputError(
            Problem(
                "stage", "stage.unknown", {"stage": to_stage, "allowed": ", ".join(s.value for s in Stage)}
            )
        ) from None
    problems: list[Problem] = []
    comment = clean_text(
        comment, "comment", problems, required=False, max_len=limits.LONG_TEXT, multiline=True
    )
    if problems:
        raise InputError(problems)
    with db.transaction(immediate=True) as session:
        project = ProjectRepository.get(session, project_id)
        if project is None:
            raise InputError(Problem("project", "project.unknown", {"id": project_id}))
        current = Stage(project.stage)
        if not can_move(current, target):
            allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "—"
            raise InputError(
                Problem(
                    "stage",
                    "stage.not_allowed",
                    {"from": current.value, "to": target.value, "allowed": allowed},
                )
            )
        action = stage_action(current, target)
        require(session, action)
        if is_ruling(action) and check_not_submitter(session, project):
            # The submitter rules on their own project where the office waived separation of duties:
            # the move says so, in the history and on every document that prints it.
            waiver = _(WAIVER_NOTE)
            comment = f"{comment} ({waiver})" if comment else waiver.capitalize()
        if target is Stage.EN_COVAM:
            _require_documents(session, project)
        check_gate(db, session, project, target, today=at.date() if at else date.today())
        if target is Stage.CONVENIO_FIRMADO:
            ensure_default_calendar(session, project)
        session.add(
            StageChange(
                project_id=project.id,
                from_stage=current.value,
                to_stage=target.value,
                changed_by=user,
                comment=comment.strip(),
                changed_at=at or utcnow(),
            )
        )
        project.stage = target.value
        session.flush()
        return project_detail(project)
