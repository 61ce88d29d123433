"""Year end (LDF art. 17): federal money unspent on 31 December is refunded to TESOFE by 15 January.

Closing a fiscal year is refused while a required reintegro is missing and not excepted; only an
administrador records an exception; refunds to the federal party carry their reference; ``check``
reports the reintegros past their deadline.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.services.test_ledger import (
    SHARE,
    codes,
    fund,
    new_club,
    pay,
    signed_project,
    table_digest,
)
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.domain.ledger import RefundInput
from tresxuno.domain.problems import InputError
from tresxuno.domain.year_end import ReintegroStatus
from tresxuno.i18n import set_language
from tresxuno.messages import describe
from tresxuno.services.audit import check_integrity, history
from tresxuno.services.ledger import close_fiscal_year, closed_years, record_refund
from tresxuno.services.users import create_user
from tresxuno.services.year_end import record_reintegro_exception, required_reintegros

TODAY = date(2021, 3, 31)
PW = "una clave larga y segura 42"


@pytest.fixture(autouse=True)
def _english():
    set_language("en")


@pytest.fixture
def club(db):
    return new_club(db)


@pytest.fixture
def project(db, club, tmp_path):
    """A 2019 project with its convenio signed: four shares of 1,000,000.00."""
    return signed_project(db, tmp_path, club_id=club.id)


@pytest.fixture
def receipt(tmp_path):
    path = tmp_path / "recibo.pdf"
    path.write_bytes(b"%PDF-1.4 recibo")
    return path


def refund(
    db, project_id: int, day: date, amount: int, reference: str = "0019 LC 2020 0001", party="federal"
):
    data = RefundInput(project_id, party, day, amount, reason="Reintegro a la TESOFE", reference=reference)
    return record_refund(db, data, user="tesorera", today=TODAY)


def test_closing_is_refused_naming_each_missing_reintegro_with_amount_and_deadline(
    db, club, tmp_path, receipt
):
    owing = signed_project(db, tmp_path, club_id=club.id)
    spent = signed_project(db, tmp_path, club_id=club.id)
    for p in (owing, spent):
        fund(db, p.id)
    pay(db, spent.id, 4 * SHARE, receipt=receipt)  # every peso spent in 2019: nothing owed
    pay(db, owing.id, 100_000_00, date(2020, 1, 5), receipt=receipt)  # spent after 31 December: still owed
    owed = required_reintegros(db, 2019, today=TODAY)
    assert [(r.folio, r.amount, r.deadline, r.status) for r in owed] == [
        (owing.folio, SHARE, date(2020, 1, 15), ReintegroStatus.MISSING)
    ]
    before = table_digest(db)
    with pytest.raises(InputError) as exc:
        close_fiscal_year(db, 2019, user="tesorera", today=TODAY)
    assert codes(exc) == ["fiscal_year.reintegros_missing"]
    text = describe(exc.value.problems[0])
    assert (
        owing.folio in text and "$1,000,000.00" in text and "15/01/2020" in text and spent.folio not in text
    )
    assert table_digest(db) == before and closed_years(db) == []


def test_refunds_by_15_january_are_on_time_later_ones_late_and_both_let_the_year_close(db, club, tmp_path):
    on_time = signed_project(db, tmp_path, club_id=club.id)
    late = signed_project(db, tmp_path, club_id=club.id)
    for p in (on_time, late):
        fund(db, p.id)
    refund(db, on_time.id, date(2019, 12, 20), 400_000_00, "LC DIC")  # before 31 December: not owed
    refund(db, on_time.id, date(2020, 1, 15), 600_000_00, "LC ENE")
    refund(db, late.id, date(2020, 1, 16), SHARE, "LC TARDE")
    by_folio = {r.folio: r for r in required_reintegros(db, 2019, today=TODAY)}
    assert (by_folio[on_time.folio].amount, by_folio[on_time.folio].status) == (
        600_000_00,
        ReintegroStatus.ON_TIME,
    )
    assert (by_folio[on_time.folio].refund_date, by_folio[on_time.folio].refund_reference) == (
        date(2020, 1, 15),
        "LC ENE",
    )
    assert (by_folio[late.folio].status, by_folio[late.folio].refund_reference) == (
        ReintegroStatus.LATE,
        "LC TARDE",
    )
    assert close_fiscal_year(db, 2019, user="tesorera", today=TODAY).year == 2019


def test_a_reversed_refund_does_not_count(db, project):
    from tresxuno.services.ledger import reverse_entry

    fund(db, project.id)
    entry = refund(db, project.id, date(2020, 1, 10), SHARE)
    reverse_entry(db, entry.id, reason="Línea de captura equivocada", on=date(2020, 1, 11), today=TODAY)
    assert [r.status for r in required_reintegros(db, 2019, today=TODAY)] == [ReintegroStatus.MISSING]


def test_a_refund_to_the_federal_party_needs_its_reference(db, project):
    fund(db, project.id)
    before = table_digest(db)
    with pytest.raises(InputError) as exc:
        refund(db, project.id, date(2020, 1, 10), SHARE, reference="   ")
    assert codes(exc) == ["refund.federal_reference_required"]
    assert "línea de captura" in describe(exc.value.problems[0]) and table_digest(db) == before
    # Other parties' refunds may still omit it.
    assert refund(db, project.id, date(2020, 1, 10), 1_00, reference="", party="state").reference == ""


def test_only_an_administrador_records_an_exception_which_lets_the_year_close(db, project):
    fund(db, project.id)
    create_user(db, "admin", "Adriana Méndez", "administrador", PW)
    with acting_as(Actor("admin", "administrador")):
        create_user(db, "tesorera", "Teresa Ruiz", "tesoreria", PW)
    with acting_as(Actor("tesorera", "tesoreria")):
        with pytest.raises(InputError) as exc:
            record_reintegro_exception(db, 2019, project.id, "En litigio", "Lic. Ruiz", user="tesorera")
        assert codes(exc) == ["auth.role_required"]
        with pytest.raises(InputError):
            close_fiscal_year(db, 2019, user="tesorera", today=TODAY)
    with acting_as(Actor("admin", "administrador")):
        with pytest.raises(InputError) as exc:
            record_reintegro_exception(db, 2019, project.id, "  ", "", user="admin")
        assert [(p.field, p.code) for p in exc.value.problems] == [
            ("reason", "text.required"),
            ("authorised_by", "text.required"),
        ]
        made = record_reintegro_exception(
            db, 2019, project.id, "Obra suspendida por litigio", "Lic. Ana Ruiz, Tesorera", user="admin"
        )
        assert (made.fiscal_year, made.project_id, made.created_by) == (2019, project.id, "admin")
        with pytest.raises(InputError) as exc:
            record_reintegro_exception(db, 2019, project.id, "Otra vez", "Lic. Ruiz", user="admin")
        assert codes(exc) == ["reintegro.already_excepted"]
        with pytest.raises(InputError) as exc:
            record_reintegro_exception(db, 2020, project.id, "No debe nada", "Lic. Ruiz", user="admin")
        assert codes(exc) == ["reintegro.not_required"]
        assert [h.action for h in history(db, "reintegro_exceptions", made.id)] == ["insert"]
    (owed,) = required_reintegros(db, 2019, today=TODAY)
    assert owed.status is ReintegroStatus.EXCEPTED and owed.exception == made
    with acting_as(Actor("tesorera", "tesoreria")):
        assert close_fiscal_year(db, 2019, user="tesorera", today=TODAY).year == 2019


def test_check_reports_each_reintegro_past_its_deadline_neither_made_nor_excepted(db, club, tmp_path):
    missing = signed_project(db, tmp_path, club_id=club.id)
    refunded = signed_project(db, tmp_path, club_id=club.id)
    excepted = signed_project(db, tmp_path, club_id=club.id)
    for p in (missing, refunded, excepted):
        fund(db, p.id)
    refund(db, refunded.id, date(2020, 2, 1), SHARE)  # late, but made
    record_reintegro_exception(db, 2019, excepted.id, "En litigio", "Lic. Ruiz", user="admin")
    result = check_integrity(db)  # today is long after 15 January 2020
    assert result.ok  # the trail is intact: the finding is about compliance
    assert [(f.code, f.params["folio"], f.params["amount"]) for f in result.findings] == [
        ("reintegro.overdue", missing.folio, SHARE)
    ]
    assert "15/01/2020" in describe(result.findings[0])
    record_reintegro_exception(db, 2019, missing.id, "Convenio modificatorio", "Lic. Ruiz", user="admin")
    assert check_integrity(db).findings == ()
