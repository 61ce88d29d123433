"""Convenio modificatorio through the services: who may, when, what is stored, every version kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from tests.digest import database_digest
from tests.gates import attach_convenio
from tests.services.test_ledger import COST, SHARE, attach_all, fund, new_club, pay, signed_project
from tests.services.test_registry_and_projects import project_input
from tresxuno.db.models import Ministracion, ProjectAmendment, ProjectAmendmentShare
from tresxuno.demo.users import create_demo_users
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.domain.amendments import AmendmentInput
from tresxuno.domain.problems import InputError
from tresxuno.services.amendments import amend_project, amendments, preview_amendment
from tresxuno.services.audit import check_integrity, history
from tresxuno.services.ministraciones import calendar
from tresxuno.services.project_requests import stored_request, submit_project, update_project
from tresxuno.services.projects import get_project
from tresxuno.services.stages import move_project

TODAY = date.today()  # the convenio is signed today by the helpers (stage changes carry the clock)


def _amendment(cost: int, **changes) -> AmendmentInput:
    base = AmendmentInput(
        cost=cost,
        signed_on=TODAY,
        reason="Ampliación de metas: 200 metros más de red",
        authorised_by="Ing. Rosa Ávila, Directora de Obras Públicas",
        document_reference="CM-01",
    )
    return replace(base, **changes)


def _codes(exc: pytest.ExceptionInfo[InputError]) -> set[str]:
    return {p.code for p in exc.value.problems}


@pytest.fixture
def signed(db, tmp_path):
    return signed_project(db, tmp_path, club_id=new_club(db).id)


def test_an_amendment_changes_cost_and_shares_and_keeps_the_original(db, signed):
    detail = amend_project(db, signed.id, _amendment(COST + 100_000_001), user="captura")
    assert detail.cost == COST + 100_000_001
    assert sum(s.amount for s in detail.shares) == detail.cost  # exactly, to the centavo
    assert get_project(db, signed.id).cost == detail.cost

    versions = amendments(db, signed.id)
    assert [v.number for v in versions] == [0, 1]
    original, first = versions
    assert original.cost == COST and {s.party: s.amount for s in original.shares} == dict.fromkeys(
        ("club", "federal", "state", "municipal"), SHARE
    )
    assert first.cost == detail.cost and first.reason.startswith("Ampliación")
    assert first.signed_on == TODAY and first.document_reference == "CM-01" and first.created_by == "captura"
    assert {s.party: s.amount for s in first.shares} == {s.party: s.amount for s in detail.shares}


def test_a_second_amendment_is_numbered_two_and_every_version_stays(db, signed):
    amend_project(db, signed.id, _amendment(COST + 40_000_000))
    amend_project(db, signed.id, _amendment(COST - 40_000_000, reason="Reducción de metas"))
    versions = amendments(db, signed.id)
    assert [(v.number, v.cost) for v in versions] == [
        (0, COST),
        (1, COST + 40_000_000),
        (2, COST - 40_000_000),
    ]
    for version in versions:
        assert sum(s.amount for s in version.shares) == version.cost
    with db.session() as session:
        rows = session.scalars(select(ProjectAmendment).order_by(ProjectAmendment.number)).all()
        assert [(r.previous_cost, r.cost) for r in rows] == [
            (COST, COST + 40_000_000),
            (COST + 40_000_000, COST - 40_000_000),
        ]


def test_without_amendments_the_only_version_is_the_current_convenio(db, signed):
    (only,) = amendments(db, signed.id)
    assert only.number == 0 and only.cost == COST and only.signed_on is None


def test_the_preview_shows_each_party_before_and_after_and_writes_nothing(db, signed):
    before = database_digest(db)
    preview = preview_amendment(db, signed.id, COST * 2)
    assert {c.party: (c.previous_amount, c.amount) for c in preview.changes}["club"] == (SHARE, 2 * SHARE)
    assert database_digest(db) == before


def test_the_agreed_joint_split_is_kept(db, tmp_path):
    club = new_club(db)
    project = submit_project(
        db,
        project_input(
            club.id, fiscal_year=2019, cost=200_000_000, joint_split_bp=3000, submitted_on=date(2019, 3, 1)
        ),
    )
    attach_all(db, project.id, tmp_path / "scans")
    for step in ("prevalidado", "en_covam", "aprobado", "convenio_firmado"):
        move_project(db, project.id, step, user="revisor")
    detail = amend_project(db, project.id, _amendment(300_000_000))
    amounts = {s.party: s.amount for s in detail.shares}
    assert amounts["state"] == 90_000_000 and amounts["municipal"] == 60_000_000
    assert detail.joint_split_bp == 3000


def test_only_the_roles_that_sign_convenios_may_amend(db, signed):
    create_demo_users(db)
    before = database_digest(db)
    for role in ("tesoreria", "revisor", "auditor"):
        with acting_as(Actor(role, role)), pytest.raises(InputError) as refused:
            amend_project(db, signed.id, _amendment(COST + 1_000_00))
        assert _codes(refused) == {"auth.role_required"}
    assert database_digest(db) == before
    with acting_as(Actor("admin", "administrador")):
        assert amend_project(db, signed.id, _amendment(COST + 1_000_00)).cost == COST + 1_000_00


@pytest.mark.parametrize("stage", ["aprobado", "cerrado"])
def test_an_amendment_is_refused_before_the_convenio_and_after_closing(db, tmp_path, stage):
    project = signed_project(db, tmp_path, club_id=new_club(db).id, stage=stage)
    before = database_digest(db)
    with pytest.raises(InputError) as refused:
        amend_project(db, project.id, _amendment(COST + 1_000_00))
    assert _codes(refused) == {"amendment.stage_not_allowed"}
    assert database_digest(db) == before


def test_a_cost_below_what_was_paid_is_refused_and_nothing_is_written(db, tmp_path):
    project = signed_project(db, tmp_path, club_id=new_club(db).id, stage="en_ejecucion")
    fund(db, project.id)
    receipt = tmp_path / "recibo.pdf"
    receipt.write_bytes(b"%PDF-1.4 recibo")
    pay(db, project.id, 350_000_000, receipt=receipt)
    before = database_digest(db)
    with pytest.raises(InputError) as refused:
        amend_project(db, project.id, _amendment(349_999_999))
    assert _codes(refused) == {"amendment.below_paid"}
    assert database_digest(db) == before
    assert amend_project(db, project.id, _amendment(350_000_000)).cost == 350_000_000


def test_a_date_before_the_convenio_is_refused(db, signed):
    with pytest.raises(InputError) as refused:
        amend_project(db, signed.id, _amendment(COST + 1_000_00, signed_on=date(2019, 1, 1)))
    assert _codes(refused) == {"amendment.before_convenio"}


def test_a_failure_half_way_writes_nothing(db, signed, monkeypatch):
    import tresxuno.services.amendments as service

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "_rebalance_calendar", broken)
    before = database_digest(db)
    with pytest.raises(RuntimeError):
        amend_project(db, signed.id, _amendment(COST + 1_000_00))
    assert database_digest(db) == before


def test_the_deposit_calendar_follows_the_new_shares(db, signed):
    detail = amend_project(db, signed.id, _amendment(COST + 40_000_000))
    shares = {s.party: s.amount for s in detail.shares}
    with db.session() as session:
        totals: dict[str, int] = {}
        for row in session.scalars(select(Ministracion).where(Ministracion.project_id == signed.id)):
            totals[row.party] = totals.get(row.party, 0) + row.amount
    assert totals == {p: a for p, a in shares.items() if a}
    assert calendar(db, signed.id, today=TODAY).stored


def test_the_amendment_is_in_the_projects_audit_history_and_the_chain_checks(db, signed):
    amend_project(db, signed.id, _amendment(COST + 1_000_00))
    tables = {h.table for h in history(db, "projects", signed.id)}
    assert {"project_amendments", "project_amendment_shares", "project_shares"} <= tables
    assert check_integrity(db).ok
    with db.session() as session:
        assert session.scalars(select(ProjectAmendmentShare)).all()


def test_the_request_form_cannot_change_a_signed_projects_cost(db, signed, tmp_path):
    attach_convenio(db, signed.id, tmp_path)
    data, version = stored_request(db, signed.id)
    with pytest.raises(InputError) as refused:
        update_project(db, signed.id, replace(data, cost=COST + 1_000_00), expected_version=version)
    assert _codes(refused) == {"project.cost_needs_amendment"}


def test_paying_beyond_the_signed_cost_needs_an_amendment_first(db, tmp_path):
    from tests.services.test_ledger import contribute

    project = signed_project(db, tmp_path, club_id=new_club(db).id, stage="en_ejecucion")
    fund(db, project.id)
    contribute(
        db, project.id, "club", 20_000_000, override_reason="Obra complementaria", authorised_by="Tesorero"
    )
    receipt = tmp_path / "recibo.pdf"
    receipt.write_bytes(b"%PDF-1.4 recibo")
    before = database_digest(db)
    with pytest.raises(InputError) as refused:
        pay(db, project.id, COST + 20_000_000, receipt=receipt)
    assert _codes(refused) == {"payment.exceeds_cost"}
    assert database_digest(db) == before
    amend_project(db, project.id, _amendment(COST + 20_000_000))
    assert pay(db, project.id, COST + 20_000_000, receipt=receipt).amount == -(COST + 20_000_000)
