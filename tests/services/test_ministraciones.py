"""Deposit calendars and stage gates, through the services: what is stored, refused and why."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from tests.gates import attach_convenio, deposit_first_tranches, finish_works, open_start_gate
from tests.services.test_ledger import SHARE, TODAY, new_club, signed_project
from tresxuno.db.models import Ministracion, Project
from tresxuno.demo.users import create_demo_users
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.domain.ledger import ContributionInput, RefundInput
from tresxuno.domain.ministraciones import AVANCE, FECHA, FIRMA, Tranche
from tresxuno.domain.problems import InputError, Problem
from tresxuno.formatting import money_text
from tresxuno.i18n import set_language
from tresxuno.messages import describe
from tresxuno.services.attachments import missing_documents, project_checklist
from tresxuno.services.audit import check_integrity, history
from tresxuno.services.ledger import project_balance, record_contribution, record_refund
from tresxuno.services.ministraciones import calendar, record_gate_exception, set_calendar
from tresxuno.services.reporting.handover import build_handover
from tresxuno.services.stages import move_project
from tresxuno.services.works import record_progress

HALF = SHARE // 2
PARTIES = ("club", "federal", "state", "municipal")


@pytest.fixture
def signed(db, tmp_path):
    """A 3x1 project of 2019 (four shares of $1,000,000.00) whose convenio was just signed."""
    return signed_project(db, tmp_path, club_id=new_club(db).id)


def _codes(exc: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [p.code for p in exc.value.problems]


def test_signing_the_convenio_stores_the_default_calendar_in_the_audit_trail(db, signed):
    cal = calendar(db, signed.id, today=date.today())
    assert cal.stored and cal.editable
    assert [(t.party, t.number, t.amount, t.trigger, t.progress_percent) for t in cal.tranches] == [
        (party, n, HALF, trigger, percent)
        for party in PARTIES
        for n, trigger, percent in ((1, FIRMA, None), (2, AVANCE, 50))
    ]
    first = cal.lines[0]
    assert first.due and first.due_on == cal.signed_on == date.today() and first.pending == HALF
    assert not cal.lines[1].due  # no progress reported yet
    tables = {h.table for h in history(db, "projects", signed.id)}
    assert "ministraciones" in tables


def test_the_convenio_is_listed_once_approved_and_never_needed_for_the_covam(db, signed, tmp_path):
    kinds = [i.requirement.id for i in project_checklist(db, signed.id)]
    assert "convenio-firmado" in kinds
    with db.transaction() as session:
        assert missing_documents(session, session.get(Project, signed.id)) == []
    club = new_club(db, 2)
    early = signed_project(db, tmp_path / "early", club_id=club.id, stage="en_covam")
    assert "convenio-firmado" not in [i.requirement.id for i in project_checklist(db, early.id)]
    # Once filed it stays in view whatever the stage (here: cancelled after signing).
    attach_convenio(db, signed.id, tmp_path / "c")
    move_project(db, signed.id, "cancelado", comment="Sin recursos")
    [item] = [i for i in project_checklist(db, signed.id) if i.requirement.id == "convenio-firmado"]
    assert item.done


def test_works_start_only_with_the_signed_convenio_and_every_first_tranche(db, signed, tmp_path):
    with pytest.raises(InputError) as refused:
        move_project(db, signed.id, "en_ejecucion")
    assert _codes(refused) == ["gate.convenio_missing", "gate.first_deposit_missing"]
    text = describe(refused.value.problems[1])
    assert "$500,000.00" in text and "Club" in text and "Municipal" in text
    attach_convenio(db, signed.id, tmp_path / "convenio")
    for party in ("club", "federal", "state"):
        record_contribution(
            db, ContributionInput(signed.id, party, date(2019, 8, 1), amount=HALF), today=TODAY
        )
    record_contribution(
        db, ContributionInput(signed.id, "municipal", date(2019, 8, 1), amount=HALF - 1), today=TODAY
    )
    with pytest.raises(InputError) as short:
        move_project(db, signed.id, "en_ejecucion")
    [problem] = short.value.problems
    assert problem.code == "gate.first_deposit_missing"
    assert "$0.01" in problem.params["details"] and "Club" not in problem.params["details"]
    record_contribution(
        db, ContributionInput(signed.id, "municipal", date(2019, 8, 2), amount=1), today=TODAY
    )
    assert move_project(db, signed.id, "en_ejecucion").stage == "en_ejecucion"


def test_an_administrator_may_let_the_works_start_with_a_recorded_reason(db, signed):
    create_demo_users(db)
    with acting_as(Actor("tesoreria", "tesoreria")), pytest.raises(InputError) as refused:
        record_gate_exception(db, signed.id, "en_ejecucion", "Urgencia por lluvias", "tesoreria")
    assert _codes(refused) == ["auth.role_required"]
    with acting_as(Actor("admin", "administrador")):
        with pytest.raises(InputError) as wrong:
            record_gate_exception(db, signed.id, "cerrado", " ", "revisor")
        assert set(_codes(wrong)) == {"gate.unknown", "text.required", "gate.not_administrator"}
        info = record_gate_exception(
            db, signed.id, "en_ejecucion", "Urgencia por temporada de lluvias", "admin", user="admin"
        )
    assert (info.gate, info.authorised_by, info.created_by) == ("en_ejecucion", "admin", "admin")
    assert calendar(db, signed.id).exceptions == (info,)
    with acting_as(Actor("captura", "capturista")):
        assert move_project(db, signed.id, "en_ejecucion").stage == "en_ejecucion"
    with acting_as(Actor("admin", "administrador")), pytest.raises(InputError) as late:
        record_gate_exception(db, signed.id, "en_ejecucion", "Otra vez", "admin")
    assert _codes(late) == ["gate.exception_not_waiting"]


def test_works_are_finished_only_at_one_hundred_percent(db, signed, tmp_path):
    open_start_gate(db, signed.id, tmp_path / "c", date(2019, 8, 1), today=TODAY)
    move_project(db, signed.id, "en_ejecucion")
    with pytest.raises(InputError) as none:
        move_project(db, signed.id, "terminado")
    assert _codes(none) == ["gate.no_progress"]
    record_progress(db, signed.id, date(2019, 11, 30), "99.9", today=TODAY)
    with pytest.raises(InputError) as almost:
        move_project(db, signed.id, "terminado")
    assert _codes(almost) == ["gate.progress_incomplete"]
    assert "99.9 %" in describe(almost.value.problems[0])
    finish_works(db, signed.id, date(2019, 12, 15), today=TODAY)
    assert move_project(db, signed.id, "terminado").stage == "terminado"


def test_the_hand_over_act_needs_the_works_at_one_hundred_percent(db, signed, tmp_path):
    open_start_gate(db, signed.id, tmp_path / "c", date(2019, 8, 1), today=TODAY)
    move_project(db, signed.id, "en_ejecucion")
    finish_works(db, signed.id, date(2019, 12, 15), today=TODAY)
    move_project(db, signed.id, "terminado")
    assert build_handover(db, signed.id, printed_by="x").progress_tenths == 1000
    record_progress(db, signed.id, date(2020, 1, 10), "95", note="Falta la barda perimetral", today=TODAY)
    with pytest.raises(InputError) as refused:
        build_handover(db, signed.id, printed_by="x")
    assert _codes(refused) == ["report.handover_incomplete"]
    assert refused.value.problems[0].params["percent"] == "95"


def test_a_project_closes_only_when_no_party_holds_money(db, signed, tmp_path):
    deposited = open_start_gate(db, signed.id, tmp_path / "c", date(2019, 8, 1), today=TODAY)
    record_contribution(
        db,
        ContributionInput(
            signed.id,
            "club",
            date(2019, 8, 3),
            amount=HALF + 700_00,
            override_reason="El club envió de más",
            authorised_by="director",
        ),
        today=TODAY,
    )
    move_project(db, signed.id, "en_ejecucion")
    finish_works(db, signed.id, date(2019, 12, 15), today=TODAY)
    move_project(db, signed.id, "terminado")
    set_language("en")  # the details are written in the language of the refusal
    with pytest.raises(InputError) as refused:
        move_project(db, signed.id, "cerrado")
    [problem] = refused.value.problems
    assert problem.code == "gate.money_left"
    text = describe(problem)
    m = money_text
    assert f"Club: excedente of {m(700_00)} to refund to Club" in text  # received beyond its share
    assert f"Club: {m(SHARE)} not spent" in text
    assert f"Federal: {m(HALF)} not spent; refund it to the TESOFE" in text
    assert f"State: {m(HALF)} not spent; refund it to State" in text
    for party in PARTIES:
        cash = project_balance(db, signed.id).party(party).cash
        record_refund(
            db,
            RefundInput(
                signed.id, party, date(2019, 12, 20), cash, "Recursos no ejercidos", "TESOFE-2019-0001"
            ),
            today=TODAY,
        )
    assert set(deposited) == set(PARTIES)
    assert move_project(db, signed.id, "cerrado").stage == "cerrado"


def test_the_treasury_edits_tranches_not_yet_due(db, signed):
    today = date.today()
    cal = calendar(db, signed.id, today=today)
    firsts = [line.tranche for line in cal.lines if line.tranche.number == 1]
    new = []
    for t in firsts:
        new += [t, Tranche(t.party, 9, HALF - 100_000_00, FECHA, date(2030, 1, 15))]
        new.append(Tranche(t.party, 9, 100_000_00, AVANCE, None, 80))
    stored = set_calendar(db, signed.id, new, today=today)
    club = [(t.number, t.amount, t.trigger) for t in stored.tranches if t.party == "club"]
    assert club == [(1, HALF, FIRMA), (2, HALF - 100_000_00, FECHA), (3, 100_000_00, AVANCE)]
    # The signing tranche is due: changing it is refused, and nothing changes.
    changed = [Tranche("club", 1, HALF - 1, FIRMA), Tranche("club", 2, HALF + 1, AVANCE, None, 50)]
    rest = [t for t in stored.tranches if t.party != "club"]
    with pytest.raises(InputError) as refused:
        set_calendar(db, signed.id, [*changed, *rest], today=today)
    assert _codes(refused) == ["ministracion.due_changed"]
    # A new tranche may not be due already: one more on signing, which is past.
    extra = [*stored.tranches[:-1], Tranche("municipal", 9, 100_000_00, FIRMA)]
    with pytest.raises(InputError) as late:
        set_calendar(db, signed.id, extra, today=today)
    assert _codes(late) == ["ministracion.already_due"]
    with pytest.raises(InputError) as short:
        set_calendar(db, signed.id, [t for t in stored.tranches if t.number < 3], today=today)
    assert set(_codes(short)) == {"ministracion.sum_differs"}
    assert calendar(db, signed.id, today=today).tranches == stored.tranches


def test_the_calendar_is_fixed_once_the_works_are_finished_and_needs_the_treasury(db, signed, tmp_path):
    create_demo_users(db)
    tranches = calendar(db, signed.id).tranches
    with acting_as(Actor("captura", "capturista")), pytest.raises(InputError) as refused:
        set_calendar(db, signed.id, tranches)
    assert _codes(refused) == ["auth.role_required"]
    with acting_as(Actor("admin", "administrador")):
        record_gate_exception(db, signed.id, "en_ejecucion", "Obra urgente", "admin")
    with acting_as(Actor("captura", "capturista")):
        move_project(db, signed.id, "en_ejecucion")
        finish_works(db, signed.id, date(2019, 12, 1), today=TODAY)
        move_project(db, signed.id, "terminado")
    with acting_as(Actor("tesoreria", "tesoreria")), pytest.raises(InputError) as fixed:
        set_calendar(db, signed.id, tranches)
    assert _codes(fixed) == ["ministracion.not_editable"]


def test_check_finds_a_calendar_that_does_not_add_up_to_the_shares(db, signed):
    assert check_integrity(db).ok
    with db.transaction() as session:  # through the app's session: audited, so only the sum is wrong
        row = session.scalars(select(Ministracion).where(Ministracion.project_id == signed.id)).first()
        assert row is not None
        session.execute(update(Ministracion).where(Ministracion.id == row.id).values(amount=row.amount - 5))
        party = row.party
    problem = check_integrity(db).problem
    assert problem == Problem(
        "audit",
        "check.calendar_sum_differs",
        {"folio": signed.folio, "party": party, "total": SHARE - 5, "share": SHARE},
    )


def test_first_tranches_helper_deposits_exactly_what_is_due(db, signed):
    deposited = deposit_first_tranches(db, signed.id, date(2019, 8, 1), today=TODAY)
    assert deposited == dict.fromkeys(PARTIES, HALF)
    assert all(line.pending == 0 for line in calendar(db, signed.id).lines if line.tranche.number == 1)
