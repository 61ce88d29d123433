"""A one-person office: the first user holds every role and can do the whole job; the waiver shows."""

from __future__ import annotations

import pytest

from tests.services.test_ledger import ROAD, attach_all
from tests.services.test_registry_and_projects import club_input, project_input
from tresxuno.domain.actor import current_actor
from tresxuno.domain.problems import InputError
from tresxuno.domain.roles import Role, parse_roles
from tresxuno.services.audit import history
from tresxuno.services.clubs import register_club
from tresxuno.services.office import office_settings, separation_of_duties
from tresxuno.services.project_requests import submit_project
from tresxuno.services.projects import project_overview
from tresxuno.services.stages import move_project
from tresxuno.services.users import list_users
from tresxuno.ui.dialogs.first_run import FirstRunDialog

from .conftest import OFFSCREEN_SIZE_HINTS

pytestmark = OFFSCREEN_SIZE_HINTS


def _first_run(qtbot, db, *, alone: bool) -> FirstRunDialog:
    dialog = FirstRunDialog(None, db)
    qtbot.addWidget(dialog)
    dialog.form.name.setText("Oficina de Atención al Migrante de Jerez")
    dialog.form.state.setCurrentIndex(dialog.form.state.findData("32"))
    dialog.form.municipality.setCurrentIndex(dialog.form.municipality.findData("32020"))
    assert dialog.one_person.isChecked()  # most offices are one or two people: the default
    dialog.one_person.setChecked(alone)
    qtbot.keyClicks(dialog.admin_username, "adriana")
    dialog.admin_password.setText("clave-segura-1")
    dialog.admin_password_again.setText("clave-segura-1")
    dialog.accept()
    assert dialog.admin_created and office_settings(db).is_set
    return dialog


def test_the_one_person_office_registers_rules_and_waives_with_a_record(qtbot, empty_db, tmp_path):
    _first_run(qtbot, empty_db, alone=True)
    (user,) = list_users(empty_db)
    assert parse_roles(user.role) == frozenset(Role) and current_actor().role == user.role
    assert not separation_of_duties(empty_db)
    # The whole job with one user: club, project, prevalidation and ruling of what they captured.
    club = register_club(empty_db, club_input())
    project = submit_project(empty_db, project_input(club.id), user="adriana")
    attach_all(empty_db, project.id, tmp_path / "scans")
    for step in ROAD[:3]:
        move_project(empty_db, project.id, step, user="adriana")
    moves = project_overview(empty_db, project.id).history
    ruled = [m for m in moves if m.to_stage in ("prevalidado", "aprobado")]
    assert ruled and all("separación de funciones dispensada" in m.comment.lower() for m in ruled)
    # The waiver itself is in the audit trail, with who set it.
    changes = history(empty_db, "settings", "office.separation_of_duties")
    assert changes and changes[0].username == "adriana"


def test_an_office_of_several_keeps_separation_and_roles_apart(qtbot, empty_db):
    _first_run(qtbot, empty_db, alone=False)
    (user,) = list_users(empty_db)
    assert user.role == "administrador" and separation_of_duties(empty_db)
    with pytest.raises(InputError) as exc:
        register_club(empty_db, club_input())
    assert exc.value.problems[0].code == "auth.role_required"


def test_what_a_role_cannot_do_is_disabled_before_typing_saying_who_may(qtbot, small_db):
    from tresxuno.demo.users import create_demo_users
    from tresxuno.domain.actor import Actor, acting_as
    from tresxuno.i18n import _
    from tresxuno.ui.views.clubs import ClubsView
    from tresxuno.ui.views.project_detail import ProjectRecord
    from tresxuno.ui.views.projects import ProjectsView

    create_demo_users(small_db)
    with acting_as(Actor("revisor", "revisor")):
        projects = ProjectsView(small_db)
        clubs = ClubsView(small_db)
        for view in (projects, clubs):
            qtbot.addWidget(view)
            assert not view.new_button.isEnabled() and _("Data entry") in view.new_button.toolTip()
        with small_db.engine.connect() as conn:
            from sqlalchemy import text

            pid = conn.execute(
                text("SELECT id FROM projects WHERE stage = 'solicitado' LIMIT 1")
            ).scalar_one()
        record = ProjectRecord(small_db, pid)
        qtbot.addWidget(record)
        assert record.stage_buttons["prevalidado"].isEnabled()  # the reviewer's own move
    with acting_as(Actor("tesoreria", "tesoreria")):
        record = ProjectRecord(small_db, pid)
        qtbot.addWidget(record)
        button = record.stage_buttons["prevalidado"]
        assert not button.isEnabled() and _("Reviewer") in button.toolTip()


def test_the_padron_tab_adds_a_person_checking_the_curp(qtbot, small_db):
    from sqlalchemy import text

    from tresxuno.ui.views.project_detail import ProjectRecord

    with small_db.engine.connect() as conn:
        pid = conn.execute(text("SELECT id FROM projects WHERE stage = 'aprobado' LIMIT 1")).scalar_one()
    record = ProjectRecord(small_db, pid)
    qtbot.addWidget(record)
    before = record.padron_table.rowCount()
    values = {"given_names": "Guadalupe", "first_surname": "Hernández", "curp": "HEGG560427MVZRRL05"}
    for key, value in values.items():
        record.padron_fields[key].setText(value)
    assert not record.add_person()  # the last digit does not match
    assert "dígito verificador" in record.padron_errors._fields["curp"][1].text()
    record.padron_fields["curp"].setText("hegg560427mvzrrl04")
    assert record.add_person()
    assert record.padron_table.rowCount() == before + 1
    curps = {record.padron_table.item(r, 3).text() for r in range(record.padron_table.rowCount())}
    assert "HEGG560427MVZRRL04" in curps
