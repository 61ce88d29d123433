"""Stage moves: only allowed transitions, each recorded with who, when and why."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.services.test_registry_and_projects import club_input, project_input
from tresxuno.db.models import StageChange
from tresxuno.domain.problems import InputError
from tresxuno.services.projects import submit_project
from tresxuno.services.registry import register_club
from tresxuno.services.stages import move_project


@pytest.fixture
def project(db):
    club = register_club(db, club_input())
    return submit_project(db, project_input(club.id), user="capturista")


def test_allowed_moves_are_recorded_in_order(db, project):
    for stage in ("prevalidado", "en_covam", "aprobado", "convenio_firmado"):
        moved = move_project(db, project.id, stage, user="revisor", comment=f"a {stage}")
    assert moved.stage == "convenio_firmado"
    with db.transaction() as session:
        rows = session.scalars(
            select(StageChange).where(StageChange.project_id == project.id).order_by(StageChange.id)
        ).all()
        assert [(r.from_stage, r.to_stage) for r in rows] == [
            (None, "solicitado"),
            ("solicitado", "prevalidado"),
            ("prevalidado", "en_covam"),
            ("en_covam", "aprobado"),
            ("aprobado", "convenio_firmado"),
        ]
        assert rows[-1].changed_by == "revisor" and rows[-1].comment == "a convenio_firmado"


def test_a_forbidden_move_names_the_allowed_ones_and_changes_nothing(db, project):
    with pytest.raises(InputError) as exc:
        move_project(db, project.id, "en_ejecucion")
    problem = exc.value.problems[0]
    assert problem.code == "stage.not_allowed"
    assert problem.params["allowed"] == "cancelado, devuelto, prevalidado"
    with pytest.raises(InputError) as exc:
        move_project(db, project.id, "volando")
    assert exc.value.problems[0].code == "stage.unknown"
    with db.transaction() as session:
        assert len(session.scalars(select(StageChange)).all()) == 1
