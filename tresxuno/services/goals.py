"""A project's goals (metas): read by the convenio and the quarterly report, replaced as a whole.

The goals are a short ordered list edited together (the officer retypes the table), so a write
replaces all of them in one transaction; the audit trail keeps each row's history.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tresxuno.db.engine import Database
from tresxuno.db.models import Project, ProjectGoal
from tresxuno.domain.goals import Goal, check_goals
from tresxuno.domain.problems import InputError, Problem
from tresxuno.services.auth import require


def project_goals(session: Session, project_id: int) -> list[Goal]:
    """The project's goals in order (empty when none are recorded)."""
    rows = session.scalars(
        select(ProjectGoal).where(ProjectGoal.project_id == project_id).order_by(ProjectGoal.position)
    )
    return [Goal(r.description, r.quantity_milli, r.unit, r.beneficiaries) for r in rows]


def goals_by_project(session: Session, project_ids: Sequence[int]) -> dict[int, list[Goal]]:
    """The goals of many projects in one query (a report of a year reads thousands), each in order."""
    found: dict[int, list[Goal]] = {}
    for start in range(0, len(project_ids), 900):  # SQLite's bound-parameter limit
        chunk = list(project_ids[start : start + 900])
        rows = session.scalars(
            select(ProjectGoal)
            .where(ProjectGoal.project_id.in_(chunk))
            .order_by(ProjectGoal.project_id, ProjectGoal.position)
        )
        for r in rows:
            found.setdefault(r.project_id, []).append(
                Goal(r.description, r.quantity_milli, r.unit, r.beneficiaries)
            )
    return found


def goals_of(db: Database, project_id: int) -> list[Goal]:
    """:func:`project_goals` in a transaction of its own (for the GUI and the CLI)."""
    with db.transaction() as session:
        return project_goals(session, project_id)


def set_project_goals(db: Database, project_id: int, goals: Sequence[Goal]) -> list[Goal]:
    """Replace the project's goals with ``goals`` (an empty list clears them).

    Returns:
        The goals as stored (text trimmed).

    Raises:
        InputError: ``auth.role_required``; ``project.unknown``; ``goal.*`` and ``text.*`` on
            ``goals[i].<field>``; nothing is stored.
    """
    require(db, "projects.edit")
    cleaned, problems = check_goals(goals)
    if problems:
        raise InputError(problems)
    with db.transaction(immediate=True) as session:
        _replace_goals(session, project_id, cleaned)
    return cleaned


def _replace_goals(session: Session, project_id: int, goals: Sequence[Goal]) -> None:
    """Write already-checked ``goals`` inside the caller's transaction."""
    if session.get(Project, project_id) is None:
        raise InputError(Problem("project", "project.unknown", {"id": project_id}))
    session.execute(delete(ProjectGoal).where(ProjectGoal.project_id == project_id))
    session.flush()
    session.add_all(
        ProjectGoal(
            project_id=project_id,
            position=i,
            description=g.description,
            quantity_milli=g.quantity_milli,
            unit=g.unit,
            beneficiaries=g.beneficiaries,
        )
        for i, g in enumerate(goals, start=1)
    )
    session.flush()
