"""Drafts, edits and submission of project requests: what is stored, what is refused, version conflicts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.services.test_registry_and_projects import club_input, project_input, table_digest
from tresxuno.db.models import CapAuthorisationRecord, Project, StageChange
from tresxuno.domain.allocation import CapAuthorisation
from tresxuno.domain.parties import Party
from tresxuno.domain.problems import InputError
from tresxuno.i18n import set_language
from tresxuno.messages import describe
from tresxuno.services.audit import history
from tresxuno.services.clubs import all_clubs, register_club
from tresxuno.services.places import list_municipalities, list_states
from tresxuno.services.project_requests import (
    club_submission_problems,
    save_draft,
    stored_request,
    submit_draft,
    submit_project,
    update_project,
)
from tresxuno.services.projects import project_overview
from tresxuno.services.stages import move_project

#: The club's toma de nota (club_input) runs from 2024-05-01 to 2026-04-30.
VALID_DAY = date(2025, 3, 1)
LAPSED_DAY = date(2026, 5, 2)


@pytest.fixture
def club(db):
    return register_club(db, club_input())


def codes(exc: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [p.code for p in exc.value.problems]


def test_draft_update_submit_round_trip(db, club):
    draft = save_draft(db, project_input(club.id, cost=400_000_000, description=""), user="capturista")
    assert draft.stage == "borrador"
    assert draft.folio == "3X1-2016-32020-0001"
    assert sum(s.amount for s in draft.shares) == 400_000_000
    first = project_overview(db, draft.id)
    assert [(s.from_stage, s.to_stage) for s in first.history] == [(None, "borrador")]
    assert first.requested_on is None and first.editable

    # Moving the request to another municipality and year gives the draft a folio naming them.
    changed = project_input(
        club.id, cost=123_456_789, municipality_key="32056", fiscal_year=2017, description="Red de agua"
    )
    updated = update_project(db, draft.id, changed, expected_version=first.version, user="capturista")
    assert updated.folio == "3X1-2017-32056-0001"
    assert (updated.cost, updated.description, updated.stage) == (123_456_789, "Red de agua", "borrador")
    assert sum(s.amount for s in updated.shares) == 123_456_789
    assert [s.party for s in updated.shares] == ["club", "federal", "state", "municipal"]

    submitted = submit_draft(db, draft.id, on=VALID_DAY, user="ventanilla", comment="completo")
    assert submitted.stage == "solicitado"
    overview = project_overview(db, draft.id)
    assert overview.requested_on == VALID_DAY
    last = overview.history[-1]
    assert (last.from_stage, last.to_stage, last.changed_by, last.comment) == (
        "borrador",
        "solicitado",
        "ventanilla",
        "completo",
    )
    assert not overview.editable
    # Once requested it can no longer be edited as a draft.
    with pytest.raises(InputError) as exc:
        update_project(db, draft.id, changed, expected_version=overview.version)
    assert codes(exc) == ["project.not_editable"]


def test_a_stale_version_is_refused_and_nothing_changes(db, club):
    draft = save_draft(db, project_input(club.id))
    version = project_overview(db, draft.id).version
    update_project(db, draft.id, project_input(club.id, name="Primera corrección"), expected_version=version)
    before = table_digest(db)
    with pytest.raises(InputError) as exc:
        update_project(
            db, draft.id, project_input(club.id, name="Segunda, sin recargar"), expected_version=version
        )
    assert codes(exc) == ["project.changed_elsewhere"]
    assert exc.value.problems[0].params == {"folio": draft.folio}
    with pytest.raises(InputError) as exc:
        submit_draft(db, draft.id, on=VALID_DAY, data=project_input(club.id), expected_version=version)
    assert codes(exc) == ["project.changed_elsewhere"]
    assert table_digest(db) == before
    assert project_overview(db, draft.id).detail.name == "Primera corrección"


def test_a_draft_may_wait_for_the_toma_renewal_but_submission_checks_it(db, club):
    draft = save_draft(db, project_input(club.id, submitted_on=LAPSED_DAY))
    assert club_submission_problems(db, club.id, LAPSED_DAY)[0].params["expired_on"] == "2026-04-30"
    before = table_digest(db)
    with pytest.raises(InputError) as exc:
        submit_draft(db, draft.id, on=LAPSED_DAY)
    assert codes(exc) == ["club.toma_lapsed"]
    # The same sentence submit_project gives for a new request on that day.
    with pytest.raises(InputError) as direct:
        submit_project(db, project_input(club.id, submitted_on=LAPSED_DAY))
    assert exc.value.problems == direct.value.problems
    assert table_digest(db) == before
    assert club_submission_problems(db, club.id, VALID_DAY) == []


def test_a_draft_refuses_wrong_fields_but_not_an_uncomputable_split(db, club):
    with pytest.raises(InputError) as exc:
        save_draft(db, project_input(club.id, name=" ", cost=0, municipality_key="99999"))
    assert set(codes(exc)) == {"text.required", "cost.not_positive", "municipality.wrong_state"}
    with pytest.raises(InputError) as exc:
        save_draft(db, project_input(club.id, mix_override={Party.CLUB: 5000, Party.FEDERAL: 4000}))
    assert set(codes(exc)) == {"mix.reason_required", "mix.sum"}
    with db.transaction() as session:
        assert session.scalar(select(func.count(Project.id))) == 0

    # Half federal, capped at MXN 1,000,000, and nobody left to cover the rest: saved, without shares.
    special = {Party.CLUB: 5000, Party.FEDERAL: 5000}
    draft = save_draft(
        db,
        project_input(
            club.id,
            cost=400_000_000,
            mix_override=special,
            mix_override_reason="Sin aportación estatal ni municipal",
        ),
    )
    assert draft.shares == ()
    assert draft.mix_override_reason == "Sin aportación estatal ni municipal"
    with pytest.raises(InputError) as exc:
        submit_draft(db, draft.id, on=VALID_DAY)
    assert "shares.shortfall_uncovered" not in codes(exc)
    assert codes(exc) == ["shares.missing"]


def test_submitting_with_the_form_data_is_one_transaction(db, club):
    draft = save_draft(db, project_input(club.id))
    version = project_overview(db, draft.id).version
    before = table_digest(db)
    # A wrong partner amount refuses the whole submission: the name change is not kept either.
    bad = project_input(club.id, name="Otro nombre", partner_mode="fixed", partner_amount=None)
    with pytest.raises(InputError) as exc:
        submit_draft(db, draft.id, on=VALID_DAY, data=bad, expected_version=version)
    assert codes(exc) == ["partner.amount_required"]
    assert table_digest(db) == before

    good = project_input(
        club.id, name="Otro nombre", cost=500_000_000, partner_mode="fixed", partner_amount=100_000_000
    )
    done = submit_draft(db, draft.id, on=VALID_DAY, data=good, expected_version=version, user="u")
    assert (done.stage, done.name, done.partner_mode) == ("solicitado", "Otro nombre", "fixed")
    shares = {s.party: s.amount for s in done.shares}
    assert shares["partner"] == 100_000_000 and sum(shares.values()) == 500_000_000


def test_a_returned_project_is_edited_and_submitted_again_keeping_its_folio(db, club, tmp_path):
    project = submit_project(db, project_input(club.id))
    move_project(db, project.id, "devuelto", comment="falta el expediente técnico")
    version = project_overview(db, project.id).version
    changed = project_input(club.id, municipality_key="32056", cost=300_000_000)
    updated = update_project(db, project.id, changed, expected_version=version)
    assert updated.folio == project.folio and updated.stage == "devuelto"
    again = submit_draft(db, project.id, on=VALID_DAY, comment="expediente completo")
    assert again.stage == "solicitado" and again.municipality_key == "32056"
    with db.transaction() as session:
        moves = session.execute(
            select(StageChange.from_stage, StageChange.to_stage)
            .where(StageChange.project_id == project.id)
            .order_by(StageChange.id)
        ).all()
    assert [tuple(m) for m in moves] == [
        (None, "solicitado"),
        ("solicitado", "devuelto"),
        ("devuelto", "solicitado"),
    ]
    with pytest.raises(InputError) as exc:
        submit_draft(db, project.id, on=VALID_DAY)
    assert codes(exc) == ["stage.not_allowed"]


def test_lookups_for_the_form(db, club):
    assert [c.name for c in all_clubs(db)] == [club.name]
    states = list_states(db)
    assert len(states) == 32 and states[-1].key == "32"
    places = list_municipalities(db, "32")
    assert len(places) == 58 and any(p.key == "32020" and p.name == "Jerez" for p in places)
    assert [p.name for p in places] == sorted(p.name for p in places)
    assert list_municipalities(db, "99") == []


def test_a_draft_with_an_unknown_club_is_refused(db):
    with pytest.raises(InputError) as exc:
        save_draft(db, replace(project_input(0), club_id=4242))
    assert codes(exc) == ["club.unknown"]
    assert club_submission_problems(db, 4242, VALID_DAY)[0].code == "club.unknown"


# --- the joint state and municipal share, and authorisations to exceed a cap (issue 13, item 7) ---

AUTH = CapAuthorisation(
    Party.FEDERAL, "Lic. Ana Ruiz, Unidad de Microrregiones", "Obra de alto impacto social", "Oficio 211/2016"
)


@pytest.mark.parametrize(("state_bp", "municipal_bp"), [(3000, 2000), (4000, 1000), (5000, 0), (2500, 2500)])
def test_the_agreed_state_and_municipal_split_is_stored_without_override(db, club, state_bp, municipal_bp):
    project = submit_project(db, project_input(club.id, cost=400_000_000, joint_split_bp=state_bp))
    amounts = {s.party: s.amount for s in project.shares}
    assert amounts["club"] == amounts["federal"] == 100_000_000
    assert amounts["state"] == 400_000_000 * state_bp // 10_000
    assert amounts.get("municipal", 0) == 400_000_000 * municipal_bp // 10_000
    assert sum(amounts.values()) == 400_000_000
    assert project.mix_override_reason == "" and project.joint_split_bp == state_bp


def test_a_draft_keeps_its_split_and_an_undo_puts_it_back(db, club):
    draft = save_draft(db, project_input(club.id, cost=400_000_000, joint_split_bp=3000))
    data, _version = stored_request(db, draft.id)
    assert data.joint_split_bp == 3000 and data.mix_override is None
    submitted = submit_draft(db, draft.id, on=VALID_DAY)
    assert {s.party: s.amount for s in submitted.shares}["state"] == 120_000_000


def test_a_split_beyond_the_joint_share_is_refused_and_nothing_is_written(db, club):
    before = table_digest(db)
    with pytest.raises(InputError) as exc:
        submit_project(db, project_input(club.id, joint_split_bp=6000))
    assert codes(exc) == ["mix.joint_split_range"]
    with pytest.raises(InputError) as exc:
        submit_project(db, project_input(club.id, category="productive-community", joint_split_bp=2500))
    assert codes(exc) == ["mix.no_joint_share"]
    assert table_digest(db) == before


def test_exceeding_the_federal_cap_needs_a_recorded_authorisation_shown_on_the_record(db, club):
    # 7,276,406.19 (the Apaseo el Alto act): a quarter is 1,819,101.55, above the 1,000,000.00 cap.
    before = table_digest(db)
    with pytest.raises(InputError) as exc:
        submit_project(db, project_input(club.id, cap_authorisations=(replace(AUTH, document=""),)))
    (problem,) = exc.value.problems
    assert (problem.field, problem.code) == ("cap_document", "cap.authorisation_required")
    set_language("en")
    text = describe(problem)
    assert "$1,000,000.00" in text and "$1,819,101.55" in text and "oficio" in text
    assert table_digest(db) == before

    project = submit_project(db, project_input(club.id, cap_authorisations=(AUTH,)), user="capturista")
    amounts = {s.party: s.amount for s in project.shares}
    assert amounts["federal"] == 181_910_155 and sum(amounts.values()) == 727_640_619
    (auth,) = project.cap_authorisations
    assert (auth.party, auth.cap, auth.amount) == ("federal", 100_000_000, 181_910_155)
    assert (auth.authorised_by, auth.reason, auth.document) == (
        AUTH.authorised_by,
        AUTH.reason,
        AUTH.document,
    )
    with db.transaction() as session:
        row_id = session.scalars(select(CapAuthorisationRecord.id)).one()
    assert [h.action for h in history(db, "cap_authorisations", row_id)] == ["insert"]

    # Without the authorisation the cap holds and the state and municipality cover the excess.
    plain = submit_project(db, project_input(club.id))
    assert {s.party: s.amount for s in plain.shares}["federal"] == 100_000_000
    assert plain.cap_authorisations == ()


def test_editing_a_draft_replaces_its_authorisation(db, club):
    draft = save_draft(db, project_input(club.id, cap_authorisations=(AUTH,)))
    assert len(draft.cap_authorisations) == 1
    version = project_overview(db, draft.id).version
    updated = update_project(db, draft.id, project_input(club.id), expected_version=version)
    assert updated.cap_authorisations == ()
    assert {s.party: s.amount for s in updated.shares}["federal"] == 100_000_000


@pytest.mark.parametrize(
    ("year", "category", "code"),
    [
        (2020, "infrastructure", "rules.program_ended"),
        (2011, "productive-family", "rules.category_not_yet"),
        (2011, "productive-individual", "rules.category_not_yet"),
    ],
)
def test_requests_outside_the_programmes_years_are_refused(db, club, year, category, code):
    with pytest.raises(InputError) as exc:
        save_draft(db, project_input(club.id, fiscal_year=year, category=category, cost=200_000_00))
    assert codes(exc) == [code]
    set_language("en")
    text = describe(exc.value.problems[0])
    assert ("2019" if year == 2020 else "2012") in text
    later = save_draft(
        db, project_input(club.id, fiscal_year=2012, category="productive-family", cost=200_000_00)
    )
    assert later.category == "productive-family"


def test_a_quote_takes_the_agreed_split_and_an_authorisation():
    from tresxuno.domain.money import Money
    from tresxuno.services.rules import quote_shares

    quote = quote_shares("3x1", 2018, "infrastructure", Money.parse("1000000"), joint_split_bp=5000)
    assert {p.value: a for p, a in quote.allocation.amounts.items()} == {
        "club": 250_000_00,
        "federal": 250_000_00,
        "state": 500_000_00,
    }
    big = quote_shares("3x1", 2018, "infrastructure", Money.parse("7276406.19"), authorisations=(AUTH,))
    assert big.allocation.amounts[Party.FEDERAL] == 1_819_101_55
