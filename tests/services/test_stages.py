"""Stage moves: only allowed transitions, each recorded with who, when and why."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from tests.services.test_registry_and_projects import club_input, project_input
from tresxuno.db.models import StageChange
from tresxuno.domain.problems import InputError
from tresxuno.services.attachments import attach_document, attachment_file, project_checklist
from tresxuno.services.clubs import register_club
from tresxuno.services.project_requests import submit_project
from tresxuno.services.stages import move_project


@pytest.fixture
def project(db):
    club = register_club(db, club_input())
    return submit_project(db, project_input(club.id), user="capturista")


def attach_all(db, project_id, tmp_path):
    for item in project_checklist(db, project_id):
        scan = tmp_path / f"{item.requirement.id}.pdf"
        scan.write_bytes(b"%PDF-1.4 " + item.requirement.id.encode())
        attach_document(db, project_id, item.requirement.id, scan, user="capturista")


def test_allowed_moves_are_recorded_in_order(db, project, tmp_path):
    attach_all(db, project.id, tmp_path)
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


def test_a_project_cannot_go_to_covam_while_a_document_is_missing(db, project, tmp_path):
    move_project(db, project.id, "prevalidado")
    scan = tmp_path / "solicitud.pdf"
    scan.write_bytes(b"%PDF-1.4 solicitud firmada")
    stored = attach_document(db, project.id, "solicitud", scan)
    assert attachment_file(db, stored.id).read_bytes() == scan.read_bytes()
    assert stored.sha256 == hashlib.sha256(scan.read_bytes()).hexdigest()
    with pytest.raises(InputError) as exc:
        move_project(db, project.id, "en_covam")
    problem = exc.value.problems[0]
    assert problem.code == "documents.missing" and problem.params["count"] == 3
    assert "Expediente técnico" in problem.params["documents"]
    checklist = project_checklist(db, project.id)
    assert [item.done for item in checklist] == [True, False, False, False]
