"""Registering federations and clubs and submitting projects: what is refused, what is stored."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select, text

from tresxuno.db.models import Project, ProjectShare, StageChange
from tresxuno.db.repos import ProjectFilters
from tresxuno.domain.parties import Party
from tresxuno.domain.problems import InputError
from tresxuno.domain.validation import ClubInput, FederationInput, ProjectInput
from tresxuno.messages import describe
from tresxuno.services.clubs import register_club, register_federation
from tresxuno.services.project_requests import submit_project
from tresxuno.services.projects import count_projects, get_project, list_projects

JEREZ = "32020"


def club_input(**changes) -> ClubInput:
    base = ClubInput(
        name="Club Social Jerezano de Los Ángeles",
        toma_folio="TN-LA-2024-0001",
        toma_issuer="Consulado General de México en Los Ángeles",
        toma_issued_on=date(2024, 5, 1),
        toma_expires_on=date(2026, 4, 30),
        members=35,
        us_city="Los Angeles",
        us_state="CA",
        home_state_key="32",
        home_municipality_key=JEREZ,
        home_contact="Rocío Muñoz",
        board=("Presidente: José Ángel Ortiz",),
    )
    return replace(base, **changes)


def project_input(club_id: int, **changes) -> ProjectInput:
    base = ProjectInput(
        club_id=club_id,
        program="3x1",
        fiscal_year=2016,
        category="infrastructure",
        state_key="32",
        municipality_key=JEREZ,
        name="Ampliación de la red de agua potable en El Tepetate",
        cost=727_640_619,
        submitted_on=date(2025, 3, 1),
        beneficiaries=850,
    )
    return replace(base, **changes)


def codes(exc: pytest.ExceptionInfo[InputError]) -> set[str]:
    return {p.code for p in exc.value.problems}


def table_digest(db) -> str:
    with db.engine.connect() as conn:
        rows = []
        for table in ("federations", "clubs", "projects", "project_shares", "stage_changes", "rule_sets"):
            rows.append(repr(conn.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all()))
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


@pytest.fixture
def club(db):
    fed = register_federation(
        db, FederationInput("Federación Zacatecana del Sur de California", "32", "Los Ángeles, CA")
    )
    return register_club(db, club_input(federation_id=fed.id))


def test_register_club_keeps_accents_and_board(db, club):
    assert club.name == "Club Social Jerezano de Los Ángeles"
    assert club.federation_name == "Federación Zacatecana del Sur de California"
    assert club.board == ("Presidente: José Ángel Ortiz",)


def test_club_problems_are_all_reported_and_nothing_is_written(db, club):
    before = table_digest(db)
    bad = club_input(
        toma_folio="TN-LA-2024-0001",
        members=4,
        us_state="ZZ",
        home_municipality_key="32999",
        toma_expires_on=date(2027, 5, 1),
    )
    with pytest.raises(InputError) as exc:
        register_club(db, bad)
    assert codes(exc) == {
        "toma.duplicate_folio",
        "members.too_few",
        "us_state.unknown",
        "municipality.unknown",
        "toma.too_long",
    }
    assert table_digest(db) == before


def test_federation_needs_a_known_state_and_a_unique_name(db, club):
    with pytest.raises(InputError) as exc:
        register_federation(db, FederationInput("federación zacatecana del sur de california", "33", "CA"))
    assert codes(exc) == {"state.unknown", "federation.duplicate_name"}


def test_submit_stores_shares_summing_to_cost_and_the_frozen_rule_set(db, club):
    project = submit_project(db, project_input(club.id), user="capturista")
    assert project.folio == "3X1-2016-32020-0001"
    assert project.stage == "solicitado"
    assert sum(s.amount for s in project.shares) == project.cost == 727_640_619
    assert (project.rule_set_id, project.rule_set_version) == ("3x1-public-works", 2)
    assert [s.party for s in project.shares] == ["club", "federal", "state", "municipal"]
    second = submit_project(db, project_input(club.id, name="Pavimentación de la calle Morelos"))
    assert second.folio == "3X1-2016-32020-0002"
    with db.transaction() as session:
        history = session.scalars(select(StageChange).where(StageChange.project_id == project.id)).all()
        assert [(h.from_stage, h.to_stage, h.changed_by) for h in history] == [
            (None, "solicitado", "capturista")
        ]
        stored = session.scalar(
            select(func.sum(ProjectShare.amount)).where(ProjectShare.project_id == project.id)
        )
        assert stored == 727_640_619


def test_lapsed_toma_de_nota_is_refused_naming_the_last_valid_day(db, club):
    before = table_digest(db)
    with pytest.raises(InputError) as exc:
        submit_project(db, project_input(club.id, submitted_on=date(2026, 5, 2)))
    (problem,) = exc.value.problems
    assert problem.code == "club.toma_lapsed"
    assert "30/04/2026" in describe(problem) and club.name in describe(problem)
    assert table_digest(db) == before


def test_submission_problems_are_specific_and_complete(db, club):
    before = table_digest(db)
    with pytest.raises(InputError) as exc:
        submit_project(db, project_input(club.id, cost=0, municipality_key="14999", name=" "))
    assert codes(exc) == {"cost.not_positive", "municipality.wrong_state", "text.required"}
    with pytest.raises(InputError) as exc:
        submit_project(db, project_input(club.id, municipality_key="32999", fiscal_year=2024))
    assert codes(exc) == {"municipality.unknown", "rules.program_ended"}
    with pytest.raises(InputError) as exc:
        submit_project(
            db,
            project_input(
                club.id, mix_override={Party.CLUB: 5000, Party.FEDERAL: 4000}, mix_override_reason=""
            ),
        )
    assert codes(exc) == {"mix.sum", "mix.reason_required"}
    assert table_digest(db) == before


def test_override_and_fixed_partner_are_stored(db, club):
    project = submit_project(
        db,
        project_input(
            club.id,
            category="scholarships",
            cost=10_000_000,
            mix_override={Party.CLUB: 2500, Party.FEDERAL: 5000, Party.MUNICIPAL: 2500},
            mix_override_reason="El estado no participa; la federación aporta 50 %",
        ),
    )
    assert {s.party: s.amount for s in project.shares} == {
        "club": 2_500_000,
        "federal": 5_000_000,
        "municipal": 2_500_000,
    }
    assert project.mix_override_reason.startswith("El estado no participa")
    zac = submit_project(
        db,
        project_input(
            club.id,
            program="2x1-zacatecas",
            fiscal_year=2025,
            submitted_on=date(2025, 6, 1),
            partner_mode="fixed",
            partner_amount=100_000_00,
            cost=1_100_000_00,
        ),
    )
    assert zac.partner_mode == "fixed" and zac.partner_amount == 100_000_00
    assert {s.party: s.amount for s in zac.shares}["partner"] == 100_000_00


def test_list_and_count_filter_and_sort_in_sql(db, club):
    for cost, name in ((300_000_00, "Domo escolar"), (1_250_000_00, "Pavimentación"), (900_000_00, "Pozo")):
        submit_project(db, project_input(club.id, cost=cost, name=name))
    assert count_projects(db) == 3
    by_cost = list_projects(db, sort_key="cost", descending=True)
    assert [p.cost for p in by_cost] == [1_250_000_00, 900_000_00, 300_000_00]
    assert by_cost[0].club_name == club.name and by_cost[0].municipality_name == "Jerez"
    found = list_projects(db, ProjectFilters(text="domo"))
    assert [p.name for p in found] == ["Domo escolar"]
    assert count_projects(db, ProjectFilters(stage="aprobado")) == 0
    page = list_projects(db, sort_key="name", offset=1, limit=1)
    assert [p.name for p in page] == ["Pavimentación"]
    assert get_project(db, by_cost[0].id).name == "Pavimentación"
    with db.transaction() as session:
        assert session.scalar(select(func.count(Project.id))) == 3
