"""The padrón de beneficiarios: persons with a valid CURP, all or none, personal data behind its role."""

from __future__ import annotations

from datetime import date

import pytest

from tests.services.test_ledger import new_club, signed_project
from tresxuno.demo.users import create_demo_users
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.domain.problems import InputError
from tresxuno.services.beneficiaries import Person, add_beneficiaries, list_beneficiaries

ANA = Person("Guadalupe", "Hernández", "García", "HEGG560427MVZRRL04", "El Tepetate")
LUIS = Person("Andrés Manuel", "López", "Obrador", "LOOA531113HTCPBN07")


@pytest.fixture
def project(db, tmp_path):
    return signed_project(db, tmp_path, club_id=new_club(db).id)


def test_persons_are_added_with_their_curp_and_read_back_by_who_may(db, project):
    assert add_beneficiaries(db, project.id, [ANA, LUIS]) == 2
    assert {p.curp for p in list_beneficiaries(db, project.id)} == {ANA.curp, LUIS.curp}
    create_demo_users(db)
    with acting_as(Actor("tesoreria", "tesoreria")), pytest.raises(InputError) as exc:
        list_beneficiaries(db, project.id)  # the treasurer pays; names and CURPs are not theirs to see
    assert exc.value.problems[0].code == "auth.role_required"
    with acting_as(Actor("auditor", "auditor")):
        assert len(list_beneficiaries(db, project.id)) == 2


def test_a_wrong_or_repeated_curp_stores_nobody(db, project):
    typo = Person("Rosa", "Ávila", "", "HEGG560427MVZRRL05")
    with pytest.raises(InputError) as exc:
        add_beneficiaries(db, project.id, [ANA, typo, ANA])
    assert {(p.field, p.code) for p in exc.value.problems} == {
        ("persons[1].curp", "curp.check_digit"),
        ("persons[2].curp", "curp.repeated"),
    }
    assert list_beneficiaries(db, project.id) == []
    add_beneficiaries(db, project.id, [ANA])
    with pytest.raises(InputError) as exc:
        add_beneficiaries(db, project.id, [LUIS, ANA])
    assert [p.code for p in exc.value.problems] == ["curp.repeated"]
    assert len(list_beneficiaries(db, project.id)) == 1


# --- scholarship students carry their school level (issue 14) ---------------------------------------------


def scholarship_project(db):
    from tests.services.test_registry_and_projects import project_input
    from tresxuno.services.project_requests import submit_project

    return submit_project(
        db,
        project_input(
            new_club(db, 7).id,
            category="scholarships",
            fiscal_year=2019,
            submitted_on=date(2019, 3, 1),
            students={"primary": 2, "secondary": 1},
            cost=800_000,
        ),
    )


def test_a_student_needs_a_level_of_the_projects_rules_and_others_none(db, project):
    from dataclasses import replace

    from tresxuno.services.beneficiaries import padron_level_amounts

    becas = scholarship_project(db)
    amounts = padron_level_amounts(db, becas.id)
    assert set(amounts) >= {"primary", "secondary"} and padron_level_amounts(db, project.id) == {}
    with pytest.raises(InputError) as exc:
        add_beneficiaries(db, becas.id, [ANA, replace(LUIS, school_level="kindergarten")])
    assert [(p.field, p.code) for p in exc.value.problems] == [
        ("persons[0].school_level", "scholarship.level_required"),
        ("persons[1].school_level", "scholarship.level_unknown"),
    ]
    with pytest.raises(InputError) as exc:
        add_beneficiaries(db, project.id, [replace(ANA, school_level="primary")])  # works: no level
    assert exc.value.problems[0].code == "scholarship.level_unknown"
    assert add_beneficiaries(db, becas.id, [replace(ANA, school_level="secondary")]) == 1
    assert [p.school_level for p in list_beneficiaries(db, becas.id)] == ["secondary"]
