"""Goals and convenio terms: replaced as a whole in one transaction, behind the capturista's permission."""

from __future__ import annotations

import pytest

from tests.services.test_ledger import codes, new_club, signed_project
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.domain.convenio import CONTRATO, ConvenioTerms
from tresxuno.domain.goals import Goal
from tresxuno.domain.problems import InputError
from tresxuno.services.audit import history
from tresxuno.services.convenio_terms import convenio_terms, set_convenio_terms
from tresxuno.services.goals import goals_of, project_goals, set_project_goals
from tresxuno.services.users import create_user

PW = "una clave larga y segura 42"
PAVING = Goal("Pavimentación de la calle Hidalgo", 350_000, "metros cuadrados", 420)
LIGHTS = Goal("Luminarias", 12_000, "piezas", 420)


@pytest.fixture
def project(db, tmp_path):
    return signed_project(db, tmp_path, club_id=new_club(db).id)


def test_goals_are_replaced_as_a_whole_and_read_in_order(db, project):
    set_project_goals(db, project.id, [PAVING, LIGHTS])
    with db.transaction() as session:
        assert project_goals(session, project.id) == [PAVING, LIGHTS]
    set_project_goals(db, project.id, [LIGHTS])
    assert goals_of(db, project.id) == [LIGHTS]
    # A refused list changes nothing: not even the good goal before the bad one is stored.
    with pytest.raises(InputError) as exc:
        set_project_goals(db, project.id, [PAVING, Goal("Bancas", 0, "piezas", 10)])
    assert codes(exc) == ["goal.quantity_range"]
    assert goals_of(db, project.id) == [LIGHTS]
    with pytest.raises(InputError) as exc:
        set_project_goals(db, 999_999, [PAVING])
    assert codes(exc) == ["project.unknown"]


def test_terms_are_stored_cleaned_and_audited(db, project):
    stored = set_convenio_terms(
        db,
        project.id,
        ConvenioTerms(clabe="032 180 000118359719", modality=CONTRATO, contractor_rfc="gode561231gr8"),
    )
    assert stored.clabe == "032180000118359719" and stored.contractor_rfc == "GODE561231GR8"
    assert convenio_terms(db, project.id) == stored
    assert history(db, "project_convenio_terms", project.id)  # the audit trail keeps every change


def test_only_the_capturista_edits_goals_and_terms(db, project):
    create_user(db, "admin", "Adriana Méndez", "administrador", PW)
    with acting_as(Actor("admin", "administrador")):
        create_user(db, "tesorera", "Teresa Ruiz", "tesoreria", PW)
    with acting_as(Actor("tesorera", "tesoreria")):
        with pytest.raises(InputError) as exc:
            set_project_goals(db, project.id, [PAVING])
        assert codes(exc) == ["auth.role_required"]
        with pytest.raises(InputError) as exc:
            set_convenio_terms(db, project.id, ConvenioTerms(bank="Banorte"))
        assert codes(exc) == ["auth.role_required"]
    assert goals_of(db, project.id) == [] and convenio_terms(db, project.id) == ConvenioTerms()
