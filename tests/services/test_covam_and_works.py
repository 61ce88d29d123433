"""COVAM sessions and rulings, and physical progress: what is stored, what is refused."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.gates import start_by_exception
from tests.services.test_registry_and_projects import club_input, project_input, table_digest
from tests.services.test_stages import attach_all
from tresxuno.db.models import StageChange
from tresxuno.domain.problems import InputError
from tresxuno.services.clubs import register_club
from tresxuno.services.covam import (
    AttendeeInput,
    RulingInput,
    SessionInput,
    add_to_agenda,
    create_session,
    list_sessions,
    record_rulings,
)
from tresxuno.services.project_requests import submit_project
from tresxuno.services.projects import get_project
from tresxuno.services.stages import move_project
from tresxuno.services.works import progress_history, record_progress

ATTENDEES = (
    AttendeeInput("federal", "Lic. Ana Lucía Bermúdez", "Delegada de Bienestar", role="presidente"),
    AttendeeInput("state", "Ing. Ramón Ibáñez", "Secretaría del Zacatecano Migrante"),
    AttendeeInput("municipal", "C. Rosa María Núñez", "Presidenta municipal"),
    AttendeeInput("club", "Sr. José Ángel Ortiz", "Federación Zacatecana"),
)


@pytest.fixture
def prevalidated(db, tmp_path):
    club = register_club(db, club_input())
    ids = []
    for name in ("Pavimentación de la calle Hidalgo", "Domo de la escuela primaria", "Pozo de agua"):
        project = submit_project(db, project_input(club.id, name=name))
        attach_all(db, project.id, tmp_path)
        move_project(db, project.id, "prevalidado")
        ids.append(project.id)
    return ids


@pytest.fixture
def session(db):
    return create_session(
        db, SessionInput("1/2016", date(2016, 5, 12), "Sala de Cabildo, Jerez", attendees=ATTENDEES)
    )


def test_rulings_move_every_project_in_one_transaction(db, prevalidated, session):
    info = add_to_agenda(db, session.id, prevalidated, user="revisor")
    assert [line.stage for line in info.agenda] == ["en_covam"] * 3
    info = record_rulings(
        db,
        session.id,
        [
            RulingInput(prevalidated[0], "aprobado", 90, "Presentar permiso de construcción"),
            RulingInput(prevalidated[1], "rechazado", 20, "El predio no está acreditado"),
            RulingInput(prevalidated[2], "devuelto", None, "Falta el presupuesto actualizado"),
        ],
        user="revisor",
    )
    assert [(line.ruling, line.stage) for line in info.agenda] == [
        ("aprobado", "aprobado"),
        ("rechazado", "rechazado"),
        ("devuelto", "devuelto"),
    ]
    assert info.ruled and info.attendees[0].name == "Lic. Ana Lucía Bermúdez"
    with db.transaction() as s:
        last = s.scalars(
            select(StageChange)
            .where(StageChange.project_id == prevalidated[0])
            .order_by(StageChange.id.desc())
        ).first()
        assert last.comment == "Sesión 1/2016: Presentar permiso de construcción"
    summary = list_sessions(db)[0]
    assert (summary.number, summary.projects, summary.ruled) == ("1/2016", 3, 3)


def test_one_bad_ruling_stores_none_of_them(db, prevalidated, session):
    add_to_agenda(db, session.id, prevalidated)
    before = table_digest(db)
    with pytest.raises(InputError) as exc:
        record_rulings(
            db,
            session.id,
            [
                RulingInput(prevalidated[0], "aprobado", 90),
                RulingInput(prevalidated[1], "rechazado", 20, ""),
                RulingInput(prevalidated[2], "aprobado", 140),
            ],
        )
    assert {p.code for p in exc.value.problems} == {"ruling.reason_required", "number.out_of_range"}
    assert table_digest(db) == before
    assert get_project(db, prevalidated[0]).stage == "en_covam"


def test_agenda_refuses_projects_not_ready(db, prevalidated, session, tmp_path):
    club = register_club(db, club_input(toma_folio="TN-2"))
    fresh = submit_project(db, project_input(club.id, name="Cancha de usos múltiples"))
    with pytest.raises(InputError) as exc:
        add_to_agenda(db, session.id, [prevalidated[0], fresh.id])
    assert [p.code for p in exc.value.problems] == ["agenda.not_prevalidated"]
    assert get_project(db, prevalidated[0]).stage == "prevalidado"  # nothing half-written
    with pytest.raises(InputError) as exc:
        create_session(db, SessionInput("1/2016", date(2016, 6, 1), " "))
    assert {p.code for p in exc.value.problems} == {"session.duplicate_number", "text.required"}


def test_progress_is_recorded_and_guarded(db, prevalidated, session):
    add_to_agenda(db, session.id, prevalidated[:1])
    record_rulings(db, session.id, [RulingInput(prevalidated[0], "aprobado", 80)])
    pid = prevalidated[0]
    with pytest.raises(InputError) as exc:
        record_progress(db, pid, date(2016, 7, 1), "10", today=date(2016, 12, 31))
    assert exc.value.problems[0].code == "progress.not_under_way"
    move_project(db, pid, "convenio_firmado")
    start_by_exception(db, pid)
    move_project(db, pid, "en_ejecucion")
    record_progress(db, pid, date(2016, 9, 30), "35.5", note="Trazo y excavación", today=date(2016, 12, 31))
    record_progress(db, pid, date(2016, 12, 31), "70 %", today=date(2016, 12, 31))
    codes = set()
    for args in (
        (date(2016, 11, 1), "80"),
        (date(2017, 1, 15), "60"),
        (date(2017, 1, 15), "12.34"),
        (date(2017, 1, 15), "101"),
        (date(2030, 1, 1), "90"),
    ):
        with pytest.raises(InputError) as exc:
            record_progress(db, pid, *args, today=date(2017, 2, 1))
        codes |= {p.code for p in exc.value.problems}
    assert codes == {
        "progress.before_last",
        "progress.lower_needs_note",
        "percent.not_a_number",
        "number.out_of_range",
        "date.future",
    }
    assert [p.percent_text for p in progress_history(db, pid)] == ["35.5", "70"]


def test_a_report_typed_wrong_is_corrected_in_its_place_saying_why(db, prevalidated, session):
    """Issue 15 item 7: 54 % typed for 45 % is corrected; the trail keeps 54 and the reason is shown."""
    from sqlalchemy import text

    from tresxuno.services.works import correct_progress

    add_to_agenda(db, session.id, prevalidated[:1])
    record_rulings(db, session.id, [RulingInput(prevalidated[0], "aprobado", 80)])
    pid = prevalidated[0]
    move_project(db, pid, "convenio_firmado")
    start_by_exception(db, pid)
    move_project(db, pid, "en_ejecucion")
    today = date(2016, 12, 31)
    first = record_progress(db, pid, date(2016, 9, 30), "20", today=today)
    typo = record_progress(db, pid, date(2016, 10, 31), "54", today=today)
    record_progress(db, pid, date(2016, 12, 1), "60", today=today)
    with pytest.raises(InputError) as exc:
        correct_progress(db, typo.id, date(2016, 10, 31), "45", "  ", today=today)
    assert exc.value.problems[0].field == "reason"
    for day, code in (
        (date(2016, 9, 1), "progress.before_last"),
        (date(2016, 12, 15), "progress.after_next"),
    ):
        with pytest.raises(InputError) as exc:
            correct_progress(db, typo.id, day, "45", "se tecleó 54", today=today)
        assert exc.value.problems[0].code == code
    fixed = correct_progress(db, typo.id, date(2016, 11, 2), "45", "se tecleó 54 por 45", today=today)
    assert (fixed.id, fixed.percent_text, fixed.correction) == (typo.id, "45", "se tecleó 54 por 45")
    assert [p.percent_text for p in progress_history(db, pid)] == ["20", "45", "60"]
    assert progress_history(db, pid)[0].id == first.id
    with db.engine.connect() as conn:
        images = (
            conn.execute(
                text(
                    "SELECT before FROM audit_log WHERE table_name = 'project_progress' AND action = 'update'"
                )
            )
            .scalars()
            .all()
        )
    assert any('"percent_tenths":540' in (image or "") for image in images)  # the earlier value is kept
