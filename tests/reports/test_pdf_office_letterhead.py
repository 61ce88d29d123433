"""Letterhead by office: a document prints the office that executes its project, a state document the state's.

On a database shared by offices, a convenio for a Jalisco project must not come out under a
Zacatecas municipality's name. Each test registers offices on a copy of the demo, prints the
document and reads the PDF back.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.reports.conftest import PRINTED_AT, PRINTED_BY, pdf_text
from tresxuno.db.models import Project
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.i18n import set_language
from tresxuno.services import offices, users
from tresxuno.services.office import office_settings
from tresxuno.services.reporting.run import write_report
from tresxuno.services.users import authenticate

ADMIN = Actor("admin", "administrador")
OUTSIDE_NOTE = "outside this office's municipality"


@pytest.fixture(autouse=True)
def _english():
    set_language("en")


def _project_outside(db, state: str) -> Project:
    with db.transaction() as session:
        return session.scalars(
            select(Project)
            .where(
                Project.state_key == state,
                Project.stage.in_(("aprobado", "convenio_firmado", "en_ejecucion", "terminado", "cerrado")),
            )
            .order_by(Project.id)
            .limit(1)
        ).one()


def _print(db, kind: str, path, **options) -> str:
    write_report(db, kind, path, printed_by=PRINTED_BY, printed_at=PRINTED_AT, **options)
    _reader, pages = pdf_text(path)
    return pages[0]


def test_a_project_prints_the_municipal_office_registered_for_it(demo_copy, tmp_path):
    project = _project_outside(demo_copy, "14")
    own = office_settings(demo_copy).name
    before = _print(demo_copy, "project", tmp_path / "antes.pdf", project_id=project.id)
    assert own in before and OUTSIDE_NOTE in before  # no office registered: the settings, with the note
    with acting_as(ADMIN):
        offices.create_office(
            demo_copy,
            offices.OfficeInput(
                "local",
                "Gobierno Municipal Anfitrión",
                "municipal",
                "14",
                (project.municipality_key,),
                place="Palacio Municipal, Jalisco",
                rfc="MAN850101AB1",
            ),
        )
    for kind in ("project", "agreement"):
        first = _print(demo_copy, kind, tmp_path / f"{kind}.pdf", project_id=project.id)
        assert "Gobierno Municipal Anfitrión" in first and "Palacio Municipal, Jalisco" in first
        assert own not in first and OUTSIDE_NOTE not in first
    assert "MAN850101AB1" in first  # the convenio's municipal declaration names the office's RFC


def test_a_state_office_covering_the_whole_state_prints_when_no_municipal_office_does(demo_copy, tmp_path):
    project = _project_outside(demo_copy, "16")
    with acting_as(ADMIN):
        offices.create_office(
            demo_copy, offices.OfficeInput("mich", "Secretaría del Migrante de Michoacán", "state", "16")
        )
    first = _print(demo_copy, "project", tmp_path / "mich.pdf", project_id=project.id)
    assert "Secretaría del Migrante de Michoacán" in first and "Michoacán" in first
    assert office_settings(demo_copy).name not in first


def test_a_state_officer_prints_the_states_letterhead_on_a_report_of_many_projects(demo_copy, tmp_path):
    with demo_copy.transaction() as session:
        year = session.scalar(
            select(Project.fiscal_year)
            .where(Project.state_key == "32", Project.stage == "en_ejecucion")
            .limit(1)
        )
    with acting_as(ADMIN):
        offices.create_office(
            demo_copy, offices.OfficeInput("zac", "Secretaría del Zacatecano Migrante", "state", "32")
        )
        users.create_user(demo_copy, "admin", "", "administrador", "correcto-123")
        users.create_user(demo_copy, "estatal", "", "auditor", "correcto-123")
        offices.assign_office(demo_copy, "estatal", "zac")
    with acting_as(authenticate(demo_copy, "estatal", "correcto-123")):
        first = _print(demo_copy, "summary", tmp_path / "resumen.pdf", year=year)
    assert "Secretaría del Zacatecano Migrante" in first
    assert office_settings(demo_copy).name not in first
