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
from tresxuno.domain.problems import InputError
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
    # The demo registers the other states' offices: Jalisco's executes this project until its
    # municipality has an office of its own.
    before = _print(demo_copy, "project", tmp_path / "antes.pdf", project_id=project.id)
    assert "Instituto Jalisciense para los Migrantes" in before and own not in before
    assert OUTSIDE_NOTE not in before
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
    project = _project_outside(demo_copy, "16")  # the demo registers Michoacán's state office
    first = _print(demo_copy, "project", tmp_path / "mich.pdf", project_id=project.id)
    assert "Secretaría del Migrante de Michoacán" in first and "Michoacán" in first
    assert office_settings(demo_copy).name not in first


def test_a_convenio_of_another_state_never_prints_this_states_declarations(demo_copy, tmp_path):
    """Zacatecas's secretary and domicile belong in Zacatecas's convenios, not in Michoacán's."""
    from tresxuno.services.convenio_terms import office_declarations

    ours = office_declarations(demo_copy)
    assert ours["state"].domicile and ours["federal"].domicile
    michoacan = _project_outside(demo_copy, "16")
    text = " ".join(pdf_text(_write(demo_copy, tmp_path, michoacan.id))[1])
    assert ours["state"].domicile not in text and ours["federal"].representative not in text


def test_with_no_office_registered_the_settings_print_and_say_the_project_is_another_municipality_s(
    demo_copy, tmp_path
):
    with demo_copy.transaction() as session:
        project = session.scalars(
            select(Project)
            .where(Project.state_key == "32", Project.municipality_key != "32020", Project.stage == "cerrado")
            .order_by(Project.id)
            .limit(1)
        ).one()
    first = _print(demo_copy, "project", tmp_path / "otro.pdf", project_id=project.id)
    assert office_settings(demo_copy).name in first and OUTSIDE_NOTE in first


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


def _images(path) -> int:
    reader, _pages = pdf_text(path)
    page = reader.pages[0]
    objects = page["/Resources"].get("/XObject", {})
    return sum(1 for x in objects.values() if x.get_object()["/Subtype"] == "/Image")


def test_an_office_prints_its_own_logo_from_the_database(demo_copy, tmp_path):
    from tests.reports.test_pdf_reports import _png

    project = _project_outside(demo_copy, "14")
    escudo = tmp_path / "escudo.png"
    escudo.write_bytes(_png(40, 30))
    with acting_as(ADMIN):
        info = offices.create_office(
            demo_copy,
            offices.OfficeInput(
                "local", "Gobierno Municipal Anfitrión", "municipal", "14", (project.municipality_key,),
                logo_path=str(escudo),
            ),
        )  # fmt: skip
    assert info.has_logo
    escudo.unlink()  # the logo lives in the database, not in the file chosen
    _print(demo_copy, "project", tmp_path / "con-escudo.pdf", project_id=project.id)
    assert _images(tmp_path / "con-escudo.pdf") == 1
    with acting_as(ADMIN):
        offices.update_office(
            demo_copy,
            "local",
            offices.OfficeInput(
                "local", "Gobierno Municipal Anfitrión", "municipal", "14", (project.municipality_key,),
                remove_logo=True,
            ),
            expected_version=info.version,
        )  # fmt: skip
    _print(demo_copy, "project", tmp_path / "sin-escudo.pdf", project_id=project.id)
    assert _images(tmp_path / "sin-escudo.pdf") == 0


def test_a_file_that_is_not_an_image_is_refused_as_a_logo(demo_copy, tmp_path):
    text = tmp_path / "escudo.png"
    text.write_text("no soy una imagen", encoding="utf-8")
    with acting_as(ADMIN), pytest.raises(InputError) as refused:
        offices.create_office(
            demo_copy, offices.OfficeInput("x", "Oficina X", "state", "32", logo_path=str(text))
        )
    assert [(p.field, p.code) for p in refused.value.problems] == [("logo", "logo.not_image")]
    assert "x" not in [o.code for o in offices.list_offices(demo_copy)]


def test_a_registered_office_s_own_officials_sign_its_convenio(demo_copy, tmp_path):
    from datetime import date

    from tresxuno.services.officials import OfficialInput, add_official, list_officials

    project = _project_outside(demo_copy, "14")
    own_president = next(o for o in list_officials(demo_copy) if o.post == "presidente_municipal")
    with acting_as(ADMIN):
        office = offices.create_office(
            demo_copy,
            offices.OfficeInput(
                "local", "Gobierno Municipal Anfitrión", "municipal", "14", (project.municipality_key,)
            ),
        )
        add_official(
            demo_copy,
            OfficialInput(
                "presidente_municipal", "Lic. Ana Anfitriona Ruiz", date(2000, 1, 1), office_id=office.id
            ),
        )
    text = " ".join(pdf_text(_write(demo_copy, tmp_path, project.id))[1])
    assert "Lic. Ana Anfitriona Ruiz" in text
    assert own_president.person_name not in text  # Jerez's president signs only Jerez's convenios
    # The officials of this database's own office are untouched by the other office's.
    assert [o.person_name for o in list_officials(demo_copy) if o.post == "presidente_municipal"]
    assert [o.person_name for o in list_officials(demo_copy, office_id=office.id)] == [
        "Lic. Ana Anfitriona Ruiz"
    ]


def _write(db, tmp_path, project_id: int):
    path = tmp_path / "convenio.pdf"
    write_report(db, "agreement", path, project_id=project_id, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    return path
