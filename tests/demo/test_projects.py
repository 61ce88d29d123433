"""Demo data: realistic, consistent with the domain rules, repeatable, and all-or-nothing."""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tresxuno.db.engine import Database, open_database
from tresxuno.db.models import (
    Club,
    Federation,
    Municipality,
    Project,
    ProjectShare,
    RuleSetRecord,
    Setting,
    StageChange,
)
from tresxuno.db.repos.settings import OFFICE_MUNICIPALITY, OFFICE_NAME
from tresxuno.demo.projects import DEFAULT_TODAY, MIX_OVERRIDES, DemoSummary, generate_demo
from tresxuno.domain.allocation import MixOverride, PartnerChoice, compute_shares, split_joint
from tresxuno.domain.parties import Category, Party
from tresxuno.domain.problems import InputError
from tresxuno.domain.rules import RuleSet
from tresxuno.domain.stages import Stage, can_move
from tresxuno.domain.validation import ClubInput, FederationInput, TomaStatus, check_club, toma_status
from tresxuno.services.clubs import register_federation
from tresxuno.services.progress import Cancelled, CancelToken, no_progress
from tresxuno.services.rules import folio_code

HOME_STATES = {"11", "14", "16", "32"}


def _open(path: Path) -> Database:
    return open_database(str(path))


@pytest.fixture
def empty_db(tmp_path: Path) -> Iterator[Database]:
    db = _open(tmp_path / "demo.sqlite")
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, DemoSummary]]:
    """The default 180-project demo, written once and only read by the tests that use it."""
    folder = tmp_path_factory.mktemp("demo")
    # The suite's autouse isolation is per test; this module-wide database needs its own.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRESXUNO_DATA_DIR", str(folder / "data"))
        from tresxuno.services import rules

        rules._cached_rulebook.cache_clear()
        db = _open(folder / "demo.sqlite")
        summary = generate_demo(db)
        rules._cached_rulebook.cache_clear()
    yield db, summary
    db.dispose()


def _count(db: Database, model: type) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _projects(db: Database) -> list[Project]:
    with db.session() as session:
        return list(session.scalars(select(Project).order_by(Project.id)))


def _clubs(db: Database) -> list[Club]:
    with db.session() as session:
        return list(session.scalars(select(Club).order_by(Club.id)))


def _has_accent(text: str) -> bool:
    return any(ord(ch) > 127 for ch in text)


# --- The default demo ----------------------------------------------------------------------------


def test_default_demo_writes_the_promised_counts(demo):
    db, summary = demo
    assert summary.projects == _count(db, Project) == 180
    assert summary.clubs == _count(db, Club) >= 20
    assert summary.federations == _count(db, Federation) >= 6
    assert summary.seconds > 0


def test_every_category_stage_and_programme_appears(demo):
    projects = _projects(demo[0])
    assert {p.category for p in projects} == {c.value for c in Category}
    assert {p.stage for p in projects} == {s.value for s in Stage}
    assert {p.program for p in projects} == {"3x1", "2x1-zacatecas", "4x1"}


def test_programmes_fit_their_years_and_states(demo):
    projects = _projects(demo[0])
    for p in projects:
        if p.program == "3x1":
            assert 2016 <= p.fiscal_year <= 2019  # the federal 3x1 ended with fiscal 2019
        elif p.program == "2x1-zacatecas":
            assert 2020 <= p.fiscal_year <= 2026 and p.state_key == "32"
        else:
            assert 2005 <= p.fiscal_year <= 2007 and p.state_key in {"32", "16"}
    four = [p for p in projects if p.program == "4x1"]
    assert len(four) >= 3 and all(p.partner_mode == "rule" for p in four)
    by_state = defaultdict(int)
    for p in projects:
        by_state[p.state_key] += 1
    assert by_state["32"] > len(projects) / 2  # Zacatecas is the majority
    assert set(by_state) == HOME_STATES


def test_clubs_span_us_and_mexican_states_with_real_municipalities(demo):
    db = demo[0]
    clubs = _clubs(db)
    with db.session() as session:
        municipalities = dict(session.execute(select(Municipality.key, Municipality.state_key)).all())
        federation_state = dict(session.execute(select(Federation.id, Federation.mx_state_key)).all())
    assert len({c.us_state for c in clubs}) >= 4
    assert {c.home_state_key for c in clubs} == HOME_STATES
    for club in clubs:
        assert municipalities[club.home_municipality_key] == club.home_state_key
        if club.federation_id is not None:
            assert federation_state[club.federation_id] == club.home_state_key
    assert "32020" in {c.home_municipality_key for c in clubs}  # Jerez, the demo office's own


def test_every_club_passes_the_registration_checks(demo):
    clubs = _clubs(demo[0])
    for c in clubs:
        data = ClubInput(
            name=c.name,
            toma_folio=c.toma_folio,
            toma_issuer=c.toma_issuer,
            toma_issued_on=c.toma_issued_on,
            toma_expires_on=c.toma_expires_on,
            members=c.members,
            us_city=c.us_city,
            us_state=c.us_state,
            home_state_key=c.home_state_key,
            home_municipality_key=c.home_municipality_key,
            home_contact=c.home_contact,
            federation_id=c.federation_id,
            board=tuple(json.loads(c.board)),
        )
        assert check_club(data) == [], c.name
        assert 10 <= c.members <= 80
        assert len(data.board) == 3 and data.board[0].startswith("President")
        assert c.toma_folio.startswith("TN-")


def test_toma_statuses_are_mostly_valid_with_some_expiring_and_lapsed(demo):
    statuses = [toma_status(c.toma_issued_on, c.toma_expires_on, DEFAULT_TODAY) for c in _clubs(demo[0])]
    assert set(statuses) == {TomaStatus.VALID, TomaStatus.EXPIRING, TomaStatus.LAPSED}
    assert statuses.count(TomaStatus.VALID) > len(statuses) / 2


def test_names_are_spanish_with_accents(demo):
    db = demo[0]
    with db.session() as session:
        federations = list(session.scalars(select(Federation.name)))
    clubs = _clubs(db)
    projects = _projects(db)
    assert all(_has_accent(name) for name in federations)
    assert any(_has_accent(c.name) for c in clubs)
    assert any(_has_accent(c.home_contact) for c in clubs)
    assert sum(_has_accent(p.name) for p in projects) > 20
    assert all(p.description.endswith(".") for p in projects)


def test_costs_and_beneficiaries_are_in_realistic_ranges(demo):
    for p in _projects(demo[0]):
        if p.category in {"infrastructure", "community-services", "education"}:
            assert 300_000_00 <= p.cost <= 7_000_000_99
            assert 20 <= p.beneficiaries <= 3_000
        elif p.category.startswith("productive"):
            assert 50_000_00 <= p.cost <= 600_000_99
        else:
            assert p.beneficiaries >= 30  # students in the batch


def test_shares_add_up_and_match_a_fresh_computation_under_the_stored_rule_set(demo):
    db = demo[0]
    overrides = {reason: mix for mix, reason in MIX_OVERRIDES.values()}
    with db.session() as session:
        bodies = {row.id: json.loads(row.body) for row in session.scalars(select(RuleSetRecord))}
        shares = defaultdict(dict)
        for s in session.scalars(select(ProjectShare)):
            shares[s.project_id][Party(s.party)] = (s.amount, s.percent_bp, s.capped)
    seen = {"override": 0, "fixed": 0, "capped": 0, "joint split": 0}
    for p in _projects(db):
        rule_set = RuleSet.from_data(bodies[p.rule_set_pk])
        assert rule_set.program == p.program and rule_set.covers(p.fiscal_year, p.category)
        override = None
        if p.mix_override_reason:
            override = MixOverride(overrides[p.mix_override_reason], p.mix_override_reason)
            seen["override"] += 1
        if p.partner_mode == "fixed":
            seen["fixed"] += 1
        seen["joint split"] += p.joint_split_bp is not None
        fresh = compute_shares(
            rule_set,
            p.fiscal_year,
            p.cost,
            partner=PartnerChoice(p.partner_mode, p.partner_amount),
            override=override,
            joint_split=split_joint(rule_set, p.joint_split_bp),
        )
        stored = shares[p.id]
        assert sum(amount for amount, _bp, _capped in stored.values()) == p.cost
        assert stored == {s.party: (s.amount, s.percent_bp, s.capped) for s in fresh.shares}
        caps = rule_set.caps_for(p.fiscal_year)
        for party, (amount, _bp, capped) in stored.items():
            assert capped == (party in fresh.capped)
            seen["capped"] += capped
            if capped:
                assert amount == caps[party]
            elif party in caps:
                assert amount <= caps[party]
        if p.partner_mode == "fixed":
            assert stored[Party.PARTNER][0] == p.partner_amount
    # The default demo shows each special case at least once (the seed makes this deterministic).
    assert min(seen.values()) >= 1, seen


def test_stage_history_is_a_legal_road_inside_the_fiscal_year(demo):
    db = demo[0]
    with db.session() as session:
        history = defaultdict(list)
        for change in session.scalars(select(StageChange).order_by(StageChange.id)):
            history[change.project_id].append(change)
    end_of_today = datetime(DEFAULT_TODAY.year, DEFAULT_TODAY.month, DEFAULT_TODAY.day, 23, 59)
    for p in _projects(db):
        moves = history[p.id]
        assert moves[0].from_stage is None and moves[0].to_stage == Stage.BORRADOR
        assert moves[-1].to_stage == p.stage
        for before, after in pairwise(moves):
            assert after.from_stage == before.to_stage
            assert can_move(Stage(before.to_stage), Stage(after.to_stage))
            assert after.changed_at > before.changed_at
        assert all(m.changed_at.year == p.fiscal_year and m.changed_at <= end_of_today for m in moves)
        assert all(m.changed_by == "demo" for m in moves)
    comments = {m.comment for moves in history.values() for m in moves}
    assert any(c.startswith("Aprobado en la sesión ordinaria del COVAM") for c in comments)


def test_clubs_held_a_toma_on_the_day_they_submitted(demo):
    db = demo[0]
    clubs = {c.id: c for c in _clubs(db)}
    with db.session() as session:
        submitted = dict(
            session.execute(
                select(StageChange.project_id, StageChange.changed_at).where(
                    StageChange.to_stage == Stage.SOLICITADO
                )
            ).all()
        )
    for p in _projects(db):
        club = clubs[p.club_id]
        assert p.municipality_key == club.home_municipality_key
        if p.id in submitted:
            assert submitted[p.id].date() <= club.toma_expires_on


def test_folios_follow_the_intake_scheme(demo):
    assert folio_code("2x1-zacatecas") == "2X1Z"  # the short code the programme's rule file gives
    numbers = defaultdict(list)
    for p in _projects(demo[0]):
        prefix, number = p.folio.rsplit("-", 1)
        assert prefix == f"{folio_code(p.program)}-{p.fiscal_year}-{p.municipality_key}"
        numbers[prefix].append(int(number))
    for found in numbers.values():
        assert sorted(found) == list(range(1, len(found) + 1))


def test_office_settings_are_written(demo):
    with demo[0].session() as session:
        settings = {s.key: s.value for s in session.scalars(select(Setting))}
    assert settings[OFFICE_MUNICIPALITY] == "32020"
    assert "Jerez" in settings[OFFICE_NAME]


# --- Repeatability, refusal, cancel, progress ----------------------------------------------------

_COMPARED = (
    Project.id,
    Project.folio,
    Project.fiscal_year,
    Project.program,
    Project.category,
    Project.club_id,
    Project.municipality_key,
    Project.name,
    Project.description,
    Project.cost,
    Project.stage,
    Project.partner_mode,
    Project.partner_amount,
    Project.created_at,
)


def _snapshot(db: Database) -> tuple[list[tuple], list[tuple], list[tuple]]:
    with db.session() as session:
        projects = [tuple(r) for r in session.execute(select(*_COMPARED).order_by(Project.id))]
        clubs = [
            tuple(r)
            for r in session.execute(
                select(Club.name, Club.toma_folio, Club.toma_expires_on, Club.board).order_by(Club.id)
            )
        ]
        shares = [
            tuple(r)
            for r in session.execute(
                select(ProjectShare.project_id, ProjectShare.party, ProjectShare.amount).order_by(
                    ProjectShare.project_id, ProjectShare.party
                )
            )
        ]
    return projects, clubs, shares


def test_same_seed_gives_identical_data_and_another_seed_differs(tmp_path):
    snapshots = []
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        db = _open(tmp_path / f"{name}.sqlite")
        try:
            generate_demo(db, projects=60, seed=seed)
            snapshots.append(_snapshot(db))
        finally:
            db.dispose()
    assert snapshots[0] == snapshots[1]
    assert snapshots[0][0] != snapshots[2][0]
    assert snapshots[0][1] != snapshots[2][1]


def test_a_database_with_projects_is_refused_and_left_unchanged(empty_db):
    generate_demo(empty_db, projects=15, seed=1)
    before = _snapshot(empty_db)
    with pytest.raises(InputError) as caught:
        generate_demo(empty_db, projects=15, seed=2)
    assert [p.code for p in caught.value.problems] == ["demo.not_empty"]
    assert _snapshot(empty_db) == before
    assert _count(empty_db, Club) == 20


def test_a_registry_without_projects_is_refused_too(empty_db):
    register_federation(empty_db, FederationInput("Federación Zacatecana de Oregón", "32", "Portland, OR"))
    with pytest.raises(InputError) as caught:
        generate_demo(empty_db, projects=15)
    assert [p.code for p in caught.value.problems] == ["demo.not_empty"]
    assert (_count(empty_db, Federation), _count(empty_db, Club)) == (1, 0)


def test_an_out_of_range_count_is_refused(empty_db):
    with pytest.raises(InputError) as caught:
        generate_demo(empty_db, projects=0)
    assert caught.value.problems[0].code == "projects.out_of_range"


def test_office_settings_already_set_are_kept(empty_db):
    with empty_db.transaction() as session:
        session.add(Setting(key=OFFICE_NAME, value="Presidencia Municipal de Pénjamo"))
    summary = generate_demo(empty_db, projects=5)
    assert summary.projects == 5
    with empty_db.session() as session:
        assert session.get(Setting, OFFICE_NAME).value == "Presidencia Municipal de Pénjamo"
        assert session.get(Setting, OFFICE_MUNICIPALITY).value == "32020"


def test_cancel_after_the_first_batch_rolls_everything_back(empty_db, monkeypatch):
    monkeypatch.setattr("tresxuno.demo.projects.BATCH_SIZE", 50)
    token = CancelToken()
    calls = []

    def cancel_after_first(done: int, total: int, message: str) -> None:
        calls.append(done)
        token.cancel()

    with pytest.raises(Cancelled):
        generate_demo(empty_db, projects=300, progress=cancel_after_first, cancel=token)
    assert len(calls) == 1
    for model in (Project, Club, Federation, ProjectShare, StageChange, RuleSetRecord, Setting):
        assert _count(empty_db, model) == 0, model.__name__


def test_progress_climbs_to_the_total(empty_db, monkeypatch):
    monkeypatch.setattr("tresxuno.demo.projects.BATCH_SIZE", 40)
    reports: list[tuple[int, int, str]] = []
    generate_demo(empty_db, projects=200, progress=lambda d, t, m: reports.append((d, t, m)))
    dones = [d for d, _t, _m in reports]
    assert len(reports) >= 5
    assert dones == sorted(dones) and dones[-1] == reports[0][1]
    assert {t for _d, t, _m in reports} == {reports[0][1]}
    assert all(m for _d, _t, m in reports)


# --- Progress primitives -------------------------------------------------------------------------


def test_cancel_token_is_set_from_another_thread():
    token = CancelToken()
    assert not token.cancelled
    token.raise_if_cancelled()
    worker = threading.Thread(target=token.cancel)
    worker.start()
    worker.join()
    assert token.cancelled
    with pytest.raises(Cancelled):
        token.raise_if_cancelled()


def test_no_progress_accepts_reports():
    assert no_progress(1, 2, "x") is None
