"""Each party's money is a fund that never goes negative; closed and cancelled projects; the cost cap.

Driven through the services as an officer would (see tresxuno/domain/ledger.py for the rule).
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.gates import finish_works
from tests.services.test_ledger import (
    SHARE,
    TODAY,
    codes,
    contribute,
    fund,
    new_club,
    pay,
    signed_project,
    table_digest,
)
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.domain.ledger import RefundInput
from tresxuno.domain.problems import InputError
from tresxuno.messages import describe
from tresxuno.services.ledger import list_entries, project_balance, record_refund, reverse_entry
from tresxuno.services.stages import move_project
from tresxuno.services.users import create_user

PW = "una clave larga y segura 2024"
WHY = "Oficio DG/45/2021: el contratista devolvió el anticipo"


@pytest.fixture
def receipt(tmp_path):
    path = tmp_path / "recibo.pdf"
    path.write_bytes(b"%PDF-1.4 recibo")
    return path


@pytest.fixture
def under_way(db, tmp_path):
    return signed_project(db, tmp_path, club_id=new_club(db).id, stage="en_ejecucion")


def test_a_back_dated_payment_takes_from_each_party_no_more_than_it_held_from_then_on(db, under_way, receipt):
    pid = under_way.id
    contribute(db, pid, "club", SHARE, date(2019, 7, 1))
    contribute(db, pid, "federal", SHARE, date(2019, 7, 1))
    pay(db, pid, 80_000_000, date(2019, 8, 1), receipt=receipt, source_party="club")
    # Dated 15 July: the club then held 1,000,000.00 but pays 800,000.00 on 1 August, so only
    # 200,000.00 of its 550,000.00 part may go; federal covers the rest. State and municipal
    # deposited nothing and give nothing.
    back = pay(db, pid, 110_000_000, date(2019, 7, 15), receipt=receipt)
    assert [(line.party, line.amount) for line in back.lines] == [
        ("club", -20_000_000),
        ("federal", -90_000_000),
    ]
    balance = project_balance(db, pid)
    assert [p.cash for p in balance.parties] == [0, SHARE - 90_000_000, 0, 0]


def test_nothing_is_paid_beyond_the_cost_without_a_convenio_modificatorio(db, under_way, receipt):
    pid = under_way.id
    fund(db, pid)
    contribute(db, pid, "club", 1_00, override_reason="Excedente", authorised_by="Tesorero")
    pay(db, pid, 4 * SHARE, receipt=receipt)
    before = table_digest(db)
    with pytest.raises(InputError) as exc:
        pay(db, pid, 1_00, receipt=receipt)
    assert [(p.code, p.params) for p in exc.value.problems] == [
        ("payment.exceeds_cost", {"amount": 1_00, "paid": 4 * SHARE, "cost": 4 * SHARE})
    ]
    assert "convenio modificatorio" in describe(exc.value.problems[0])
    assert table_digest(db) == before


def _close(db, pid: int, receipt) -> None:
    """Fund, pay 1,000,000.00, refund what is left, 100 % progress, terminado, cerrado."""
    fund(db, pid)
    pay(db, pid, SHARE, receipt=receipt)
    for party in project_balance(db, pid).parties:
        record_refund(
            db, RefundInput(pid, party.party, date(2019, 12, 1), party.cash, "Remanente", "LC 1"), today=TODAY
        )
    finish_works(db, pid, date(2019, 12, 1), today=TODAY)
    move_project(db, pid, "terminado", user="revisor")
    move_project(db, pid, "cerrado", user="revisor")


def test_a_closed_project_takes_only_refunds_and_reversals_authorised_by_an_administrador(
    db, under_way, receipt
):
    pid = under_way.id
    _close(db, pid, receipt)
    with pytest.raises(InputError) as exc:
        contribute(db, pid, "club", 1_00)
    assert codes(exc) == ["ledger.project_closed"]
    assert "reintegros" in describe(exc.value.problems[0])  # it says what is still allowed
    with pytest.raises(InputError) as exc:
        pay(db, pid, 1_00, receipt=receipt)
    assert codes(exc) == ["ledger.project_closed"]

    create_user(db, "admin", "Adriana Méndez", "administrador", PW)
    with acting_as(Actor("admin", "administrador")):
        create_user(db, "tesoreria", "Tomás", "tesoreria", PW)
    payment = list_entries(db, project_id=pid, kind="payment")[0]
    before = table_digest(db)
    with acting_as(Actor("tesoreria", "tesoreria")), pytest.raises(InputError) as exc:
        reverse_entry(db, payment.id, reason="Pago devuelto", on=TODAY, today=TODAY, authorisation=WHY)
    assert codes(exc) == ["auth.role_required"]
    with acting_as(Actor("admin", "administrador")), pytest.raises(InputError) as exc:
        reverse_entry(db, payment.id, reason="Pago devuelto", on=TODAY, today=TODAY)
    assert codes(exc) == ["ledger.authorisation_required"]
    assert table_digest(db) == before

    with acting_as(Actor("admin", "administrador")):
        reversal = reverse_entry(
            db, payment.id, reason="Pago devuelto", on=TODAY, today=TODAY, authorisation=WHY
        )
        for line in reversal.lines:
            refund = RefundInput(pid, line.party, TODAY, line.amount, "Reintegro", "LC 2", authorisation=WHY)
            stored = record_refund(db, refund, today=TODAY)
            assert (stored.authorised_by, stored.override_reason) == ("admin", WHY)
    assert (reversal.authorised_by, reversal.override_reason) == ("admin", WHY)
    assert all(p.cash == 0 for p in project_balance(db, pid).parties)


def test_a_cancelled_project_refunds_as_usual_but_reversals_need_the_administrador(db, under_way, receipt):
    pid = under_way.id
    contribute(db, pid, "club", SHARE)
    move_project(db, pid, "cancelado", user="revisor")
    create_user(db, "admin", "Adriana Méndez", "administrador", PW)
    with acting_as(Actor("admin", "administrador")):
        create_user(db, "tesoreria", "Tomás", "tesoreria", PW)
    deposit = list_entries(db, project_id=pid, kind="contribution")[0]
    with acting_as(Actor("tesoreria", "tesoreria")):
        with pytest.raises(InputError) as exc:
            pay(db, pid, 1_00, receipt=receipt)
        assert codes(exc) == ["ledger.project_cancelled"]
        with pytest.raises(InputError) as exc:
            reverse_entry(db, deposit.id, reason="Error", on=TODAY, today=TODAY, authorisation=WHY)
        assert codes(exc) == ["auth.role_required"]
        record_refund(db, RefundInput(pid, "club", TODAY, SHARE, "Proyecto cancelado"), today=TODAY)
    with acting_as(Actor("admin", "administrador")), pytest.raises(InputError) as exc:
        refund = RefundInput(pid, "club", TODAY, 1_00, "Otra vez")
        record_refund(db, refund, today=TODAY)  # an administrador does not refund ordinary projects
    assert codes(exc) == ["auth.role_required"]


def test_a_refund_may_not_exceed_what_the_party_holds_on_its_date(db, under_way, receipt):
    pid = under_way.id
    contribute(db, pid, "club", SHARE, date(2019, 7, 1))
    pay(db, pid, 90_000_000, date(2019, 9, 1), receipt=receipt, source_party="club")
    with pytest.raises(InputError) as exc:  # back-dated to August: September's payment needs it
        record_refund(db, RefundInput(pid, "club", date(2019, 8, 1), 10_000_001, "Remanente"), today=TODAY)
    assert [(p.code, p.params.get("available")) for p in exc.value.problems] == [
        ("refund.exceeds_party_funds", 10_000_000),
        ("refund.exceeds_cash", None),
    ]
