"""Instants are stored in UTC and printed as the office's local date (a move at 19:30 in Jerez is that day)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.services.test_ledger import ROAD, attach_all, new_club
from tests.services.test_registry_and_projects import project_input
from tresxuno.domain.problems import InputError
from tresxuno.domain.stages import Stage
from tresxuno.formatting import local_date, office_zone, set_office_zone
from tresxuno.services.office import apply_office_zone, set_office_timezone
from tresxuno.services.project_requests import submit_project
from tresxuno.services.projects import project_overview
from tresxuno.services.reporting.agreement import build_agreement, last_move_to
from tresxuno.services.stages import move_project


@pytest.fixture(autouse=True)
def _mexico_city():
    set_office_zone("America/Mexico_City")  # UTC-6 all year since 2022
    yield
    set_office_zone(None)


def test_an_evening_move_keeps_its_local_day_everywhere(db, tmp_path):
    project = submit_project(
        db, project_input(new_club(db).id, fiscal_year=2019, submitted_on=date(2019, 3, 1))
    )
    attach_all(db, project.id, tmp_path / "scans")
    # 19:30 in Mexico City on 10 June 2019 is 01:30 UTC on 11 June: stored in UTC, as every instant.
    for step in ROAD:
        move_project(db, project.id, step, user="revisor", at=datetime(2019, 6, 11, 1, 30))
    overview = project_overview(db, project.id)
    assert overview.history[-1].changed_at == datetime(2019, 6, 11, 1, 30)
    assert last_move_to(overview, Stage.CONVENIO_FIRMADO) == date(2019, 6, 10)
    agreement = build_agreement(db, project.id, printed_by="x")
    assert agreement.signed_on == date(2019, 6, 10) and agreement.approved_on == date(2019, 6, 10)


def test_an_office_in_tijuana_sees_its_own_day(db):
    assert local_date(datetime(2019, 6, 11, 6, 30)) == date(2019, 6, 11)  # 00:30 in Mexico City
    set_office_timezone(db, "America/Tijuana")
    assert office_zone() == "America/Tijuana"
    assert local_date(datetime(2019, 6, 11, 6, 30)) == date(2019, 6, 10)  # 23:30 in Tijuana (UTC-7)
    set_office_zone(None)  # the computer's own zone until the office's is read
    assert apply_office_zone(db) == "America/Tijuana"  # read back from the office's settings
    with pytest.raises(InputError) as exc:
        set_office_timezone(db, "Europe/Madrid")
    assert exc.value.problems[0].code == "office.timezone_unknown"


def test_a_request_from_the_future_or_before_the_programme_is_refused(db):
    from tests.services.test_registry_and_projects import project_input as request

    club = new_club(db)
    for day, code in ((date(5000, 8, 4), "date.future"), (date(1999, 8, 4), "request.date_before_programme")):
        with pytest.raises(InputError) as exc:
            submit_project(db, request(club.id, submitted_on=day), today=date(2026, 12, 5))
        assert [(p.field, p.code) for p in exc.value.problems][:1] == [("submitted_on", code)]


def test_a_locality_key_outside_the_municipality_is_refused(db):
    from tests.services.test_registry_and_projects import project_input as request

    club = new_club(db)
    with pytest.raises(InputError) as exc:
        submit_project(
            db, request(club.id, locality_key="010010001", fiscal_year=2019, submitted_on=date(2019, 3, 1))
        )
    assert [p.code for p in exc.value.problems if p.field == "locality_key"] == ["locality.key_invalid"]
    stored = submit_project(
        db, request(club.id, locality_key="320200001", fiscal_year=2019, submitted_on=date(2019, 3, 1))
    )
    assert project_overview(db, stored.id).detail.locality_key == "320200001"
