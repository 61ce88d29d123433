"""The money trail's use cases: what is stored, what each guard refuses, balances and listings.

Every refusal is checked to leave the database exactly as it was (a digest of every table's rows
and of the attachments folder).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.digest import database_digest
from tests.gates import finish_works, start_by_exception
from tests.services.test_registry_and_projects import club_input, project_input
from tresxuno import paths
from tresxuno.db.models import Attachment
from tresxuno.domain.ledger import (
    ContributionInput,
    PaymentInput,
    RefundInput,
    balance_from_entries,
)
from tresxuno.domain.problems import InputError
from tresxuno.domain.records import ProjectDetail
from tresxuno.services.attachments import attach_document, project_checklist
from tresxuno.services.clubs import register_club
from tresxuno.services.ledger import (
    balances_by,
    close_fiscal_year,
    closed_years,
    count_entries,
    entry,
    list_entries,
    project_balance,
    record_contribution,
    record_payment,
    record_refund,
    reverse_entry,
)
from tresxuno.services.project_requests import submit_project
from tresxuno.services.projects import get_project
from tresxuno.services.stages import move_project
from tresxuno.services.year_end import record_reintegro_exception, required_reintegros

TODAY = date(2021, 3, 31)
CFDI_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "cfdi"
#: 4,000,000.00 pesos under the 3x1 public-works rule set: four shares of exactly 1,000,000.00.
COST = 400_000_000
SHARE = 100_000_000
ROAD = ("prevalidado", "en_covam", "aprobado", "convenio_firmado")
ISSUER_RFC = "CPC1005124T0"


# --- Helpers, shared with the other ledger test modules ----------------------------------------


def attach_all(db, project_id: int, folder: Path) -> None:
    """File a scan for each required document, so the project may go to the COVAM."""
    folder.mkdir(parents=True, exist_ok=True)
    for item in project_checklist(db, project_id):
        scan = folder / f"{item.requirement.id}-{project_id}.pdf"
        scan.write_bytes(b"%PDF-1.4 " + item.requirement.id.encode())
        attach_document(db, project_id, item.requirement.id, scan, user="capturista")


def new_club(db, number: int = 1):
    return register_club(
        db,
        club_input(
            toma_folio=f"TN-LA-2018-{number:04d}",
            name=f"Club Social Jerezano de Los Ángeles {number}",
            toma_issued_on=date(2018, 6, 1),
            toma_expires_on=date(2020, 5, 31),
        ),
    )


def signed_project(
    db,
    folder: Path,
    *,
    club_id: int,
    fiscal_year: int = 2019,
    cost: int = COST,
    stage: str = "convenio_firmado",
    program: str = "3x1",
    municipality_key: str = "32020",
) -> ProjectDetail:
    """A public-works project of ``fiscal_year`` moved along the road up to ``stage``.

    The federal 3x1 has no rules after 2019: a later year needs a state programme (``2x1-zacatecas``).
    """
    project = submit_project(
        db,
        project_input(
            club_id,
            program=program,
            fiscal_year=fiscal_year,
            cost=cost,
            submitted_on=date(fiscal_year, 3, 1),
            municipality_key=municipality_key,
        ),
    )
    attach_all(db, project.id, folder / "scans")
    road = (*ROAD, "en_ejecucion", "terminado", "cerrado")
    for step in road[: road.index(stage) + 1] if stage in road else ROAD[:3]:
        if step == "en_ejecucion":
            start_by_exception(db, project.id)  # the money is each test's own business
        if step == "terminado":
            finish_works(db, project.id, date(fiscal_year, 12, 1), today=date(fiscal_year + 1, 1, 1))
        project = move_project(db, project.id, step, user="revisor")
    if stage not in road:
        project = move_project(db, project.id, stage, user="revisor")
    return project


def cfdi_file(
    folder: Path,
    *,
    uuid: str,
    total: str = "500000.00",
    rfc: str = ISSUER_RFC,
    issued: str = "2019-07-25T10:32:05",
    kind: str = "I",
    receiver: str = "MJZ850101B72",
) -> Path:
    """The fixture invoice with another UUID, total, issuer RFC, date, type or receiver.

    Dated near the payments of these tests (2019) by default: an invoice far from its payment's
    date is refused.
    """
    data = (CFDI_DIR / "factura_4_0.xml").read_text(encoding="utf-8")
    data = data.replace('Fecha="2025-08-14T10:32:05"', f'Fecha="{issued}"')
    data = data.replace('TipoDeComprobante="I"', f'TipoDeComprobante="{kind}"')
    data = data.replace('Rfc="MJZ850101B72"', f'Rfc="{receiver}"')
    data = data.replace("5f8c2a9e-3b71-4d0c-9e62-a1b4c7d8e9f0", uuid)
    data = data.replace('Total="500000.00"', f'Total="{total}"').replace(
        f'Rfc="{ISSUER_RFC}"', f'Rfc="{rfc}"'
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid}.xml"
    path.write_text(data, encoding="utf-8")
    return path


def older_cfdi_file(folder: Path, name: str, *, uuid: str, receiver: str = "MJZ850101B72") -> Path:
    """The CFDI 3.2 or 3.3 fixture ``name`` for 500,000.00, dated 2019-07-25, with ``uuid`` and ``receiver``."""
    data = (CFDI_DIR / name).read_text(encoding="utf-8")
    data = re.sub(r'(?<= )([Ff]echa)="[^"]*"', r'\1="2019-07-25T10:32:05"', data, count=1)
    data = re.sub(r'(?<= )([Tt]otal)="[^"]*"', r'\1="500000.00"', data, count=1)
    data = re.sub(r'UUID="[^"]*"', f'UUID="{uuid}"', data)
    data = re.sub(r'([Rr]fc)="MJZ850101B72"', rf'\1="{receiver}"', data)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid}.xml"
    path.write_text(data, encoding="utf-8")
    return path


def table_digest(db) -> str:
    """sha256 of every table's rows and of the attachments folder's file names and contents."""
    parts = [database_digest(db)]
    store = paths.user_data_dir() / "attachments"
    if store.exists():
        for path in sorted(store.rglob("*")):
            parts.append(f"{path}: {path.read_bytes() if path.is_file() else ''!r}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def contribute(db, project_id: int, party: str, amount: int, day: date = date(2019, 7, 1), **extra):
    return record_contribution(
        db, ContributionInput(project_id, party, day, amount=amount, **extra), user="tesorero", today=TODAY
    )


def fund(db, project_id: int, day: date = date(2019, 7, 1)) -> None:
    """Every party of the project deposits its whole share."""
    for share in get_project(db, project_id).shares:
        contribute(db, project_id, share.party, share.amount, day)


def pay(db, project_id: int, amount: int, day: date = date(2019, 8, 1), *, receipt: Path, **extra):
    fields = {
        "payee_name": "Ferretería y Materiales Ávila",
        "payee_rfc": "GODE561231GR8",
        "concept": "Cemento y varilla",
        "receipt_path": receipt,
        **extra,
    }
    data = PaymentInput(project_id, day, amount, **fields)
    return record_payment(db, data, user="tesorero", today=TODAY)


def codes(exc: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [p.code for p in exc.value.problems]


@pytest.fixture
def club(db):
    return new_club(db)


@pytest.fixture
def project(db, club, tmp_path):
    return signed_project(db, tmp_path, club_id=club.id)


@pytest.fixture
def receipt(tmp_path) -> Path:
    path = tmp_path / "recibo escaneado.pdf"
    path.write_bytes(b"%PDF-1.4 recibo de caja 0042")
    return path


# --- Each kind of entry, stored with its allocation lines ----------------------------------------


def test_contribution_in_pesos_has_one_line_for_its_party(db, project):
    stored = contribute(db, project.id, "club", 250_000_00, reference="SPEI 7788")
    assert (stored.kind, stored.party, stored.amount, stored.reference) == (
        "contribution",
        "club",
        250_000_00,
        "SPEI 7788",
    )
    assert [(line.party, line.amount) for line in stored.lines] == [("club", 250_000_00)]
    assert stored.usd_amount is None and stored.rate is None and stored.created_by == "tesorero"
    assert entry(db, stored.id) == replace(
        stored, running_balance=250_000_00, created_at=entry(db, stored.id).created_at
    )


def test_usd_contribution_keeps_dollars_rate_its_date_and_source(db, project):
    data = ContributionInput(
        project.id,
        "club",
        date(2019, 7, 2),
        usd_amount=10_000_00,
        rate="19.1234",
        rate_date=date(2019, 7, 1),
        rate_source="Banxico FIX",
    )
    stored = record_contribution(db, data, today=TODAY)
    assert stored.amount == 191_234_00  # 10,000 USD x 19.1234
    assert (stored.usd_amount, stored.rate, stored.rate_date, stored.rate_source) == (
        10_000_00,
        "19.1234",
        date(2019, 7, 1),
        "Banxico FIX",
    )
    # What the bank credited at its own rate is kept when it is within 0.5 % of USD x FIX.
    credited = record_contribution(db, replace(data, amount=190_900_00), today=TODAY)
    assert credited.amount == 190_900_00 and credited.rate == "19.1234"


def test_receipt_is_kept_in_the_database_with_hash_and_size(db, project, receipt):
    from tresxuno.services.attachments import attachment_file

    stored = contribute(db, project.id, "state", 1_000_00, receipt_path=receipt)
    with db.session() as session:
        row = session.scalars(select(Attachment).where(Attachment.ledger_entry_id == stored.id)).one()
    content = receipt.read_bytes()
    assert row.kind == "receipt" and row.original_name == "recibo escaneado.pdf"
    assert (row.sha256, row.size) == (hashlib.sha256(content).hexdigest(), len(content))
    assert row.stored_path == ""  # the bytes are in the database, not in a folder of this computer
    assert attachment_file(db, row.id).read_bytes() == content


def test_payment_with_cfdi_is_attributed_by_approved_shares(db, club, tmp_path):
    # Unequal shares (the federal share is capped): 1,819,101.55 / 1,000,000 / 2,228,652.32 x 2.
    project = signed_project(db, tmp_path, club_id=club.id, cost=727_640_619)
    shares = {s.party: s.amount for s in project.shares}
    for party, amount in shares.items():
        contribute(db, project.id, party, amount)
    invoice = cfdi_file(tmp_path, uuid="0E4B1C2D-3A5F-4E6B-9C7D-8E9F0A1B2C3D")
    data = PaymentInput(project.id, date(2019, 8, 1), 500_000_00, concept="Estimación 2", cfdi_path=invoice)
    stored = record_payment(db, data, user="tesorero", today=TODAY)
    assert stored.amount == -500_000_00 and stored.party is None
    assert stored.cfdi_uuid == "0E4B1C2D-3A5F-4E6B-9C7D-8E9F0A1B2C3D"
    assert (stored.payee_name, stored.payee_rfc) == ("CONSTRUCCIONES Y PAVIMENTOS DEL CAÑÓN", ISSUER_RFC)
    assert {line.party: line.amount for line in stored.lines} == {
        "club": -125_000_00,
        "federal": -68_715_24,
        "state": -153_142_38,
        "municipal": -153_142_38,
    }
    assert sum(line.amount for line in stored.lines) == stored.amount
    with db.session() as session:
        row = session.scalars(select(Attachment).where(Attachment.ledger_entry_id == stored.id)).one()
    assert row.kind == "cfdi" and row.sha256 == hashlib.sha256(invoice.read_bytes()).hexdigest()
    balance = project_balance(db, project.id)
    assert balance.paid == balance.accrued == 500_000_00  # pagado and devengado (it has a CFDI)


def test_payment_from_a_stated_source_party_has_one_line(db, project, receipt):
    fund(db, project.id)
    stored = pay(db, project.id, 40_000_00, receipt=receipt, source_party="municipal")
    assert [(line.party, line.amount) for line in stored.lines] == [("municipal", -40_000_00)]
    balance = project_balance(db, project.id)
    assert balance.paid == 40_000_00 and balance.accrued == 0  # a receipt is paid, not accrued
    assert balance.party("municipal").cash == SHARE - 40_000_00


def test_refund_to_a_party_with_its_reason(db, project):
    contribute(db, project.id, "federal", SHARE)
    refund = RefundInput(
        project.id,
        "federal",
        date(2019, 12, 20),
        30_000_00,
        reason="Reintegro a la TESOFE",
        reference="LC 0419",
    )
    stored = record_refund(db, refund, user="tesorero", today=TODAY)
    assert (stored.kind, stored.amount, stored.reason) == ("refund", -30_000_00, "Reintegro a la TESOFE")
    assert [(line.party, line.amount) for line in stored.lines] == [("federal", -30_000_00)]
    assert project_balance(db, project.id).party("federal").refunded == 30_000_00


def test_reversal_of_a_reversal_restores_the_original_effect(db, project, receipt):
    fund(db, project.id)
    payment = pay(db, project.id, 123_456_78, receipt=receipt)
    before = project_balance(db, project.id)
    first = reverse_entry(
        db, payment.id, reason="Se creyó duplicado", on=date(2019, 8, 2), user="t", today=TODAY
    )
    assert first.amount == -payment.amount and first.reverses_id == payment.id
    assert [(line.party, line.amount) for line in first.lines] == [
        (line.party, -line.amount) for line in payment.lines
    ]
    assert project_balance(db, project.id).paid == 0
    second = reverse_entry(db, first.id, reason="La reversa fue un error", on=date(2019, 8, 3), today=TODAY)
    assert second.amount == payment.amount and second.lines == payment.lines
    assert project_balance(db, project.id) == before
    assert entry(db, payment.id).reversed_by == first.id and entry(db, first.id).reversed_by == second.id
    with pytest.raises(InputError) as exc:
        reverse_entry(db, payment.id, reason="otra vez", on=date(2019, 8, 4), today=TODAY)
    assert [(p.code, p.params) for p in exc.value.problems] == [
        ("reversal.already_reversed", {"entry_id": payment.id, "reversal_id": first.id})
    ]


def test_a_cancelled_project_may_still_refund_and_reverse(db, project):
    contribute(db, project.id, "club", SHARE)
    contribute(db, project.id, "state", 5_000_00)
    move_project(db, project.id, "cancelado", user="revisor")
    refund = RefundInput(project.id, "club", date(2019, 9, 1), SHARE, reason="Proyecto cancelado")
    record_refund(db, refund, today=TODAY)
    state = list_entries(db, project_id=project.id, kind="contribution")[1]
    with pytest.raises(InputError) as exc:  # a reversal on a cancelled project needs the authorisation
        reverse_entry(db, state.id, reason="Depósito en cuenta equivocada", on=date(2019, 9, 2), today=TODAY)
    assert [p.code for p in exc.value.problems] == ["ledger.authorisation_required"]
    reverse_entry(
        db,
        state.id,
        reason="Depósito en cuenta equivocada",
        on=date(2019, 9, 2),
        today=TODAY,
        authorisation="Oficio DG/123: el estado depositó en la cuenta equivocada",
    )
    assert project_balance(db, project.id).cash == 0
    with pytest.raises(InputError) as exc:
        contribute(db, project.id, "municipal", 1_00)
    assert [(p.code, p.params["stage"]) for p in exc.value.problems] == [
        ("ledger.project_cancelled", "cancelado")
    ]


# --- Every guard: refused with its code, nothing written ----------------------------------------

Attempt = Callable[..., object]


def _guards() -> list[tuple[str, Attempt, str, dict]]:
    """(name, attempt(db, project, tmp_path, receipt), code, expected params subset)."""

    def usd_without_rate(db, p, tmp, receipt):
        data = ContributionInput(p.id, "club", date(2019, 7, 2), usd_amount=1_000_00)
        return record_contribution(db, data, today=TODAY)

    def usd_far_from_rate(db, p, tmp, receipt):
        data = ContributionInput(
            p.id,
            "club",
            date(2019, 7, 2),
            amount=20_000_00,
            usd_amount=1_000_00,
            rate="19.00",
            rate_date=date(2019, 7, 1),
            rate_source="Banxico FIX",
        )
        return record_contribution(db, data, today=TODAY)

    def reverse(entry_id_of, reason="error de captura", on=date(2019, 9, 1)):
        return lambda db, p, tmp, receipt: reverse_entry(
            db, entry_id_of(db, p), reason=reason, on=on, today=TODAY
        )

    def last_id(db, p):
        return list_entries(db, project_id=p.id)[-1].id

    def first_id(db, p):
        return list_entries(db, project_id=p.id)[0].id

    def twice(db, p, tmp, receipt):
        reverse_entry(db, first_id(db, p), reason="error", on=date(2019, 9, 1), today=TODAY)
        return reverse_entry(db, first_id(db, p), reason="error", on=date(2019, 9, 1), today=TODAY)

    def cfdi(name):
        def attempt(db, p, tmp, receipt):
            data = PaymentInput(
                p.id, date(2019, 8, 1), 500_000_00, concept="Estimación", cfdi_path=CFDI_DIR / name
            )
            return record_payment(db, data, today=TODAY)

        return attempt

    def cfdi_other_total(db, p, tmp, receipt):
        path = cfdi_file(tmp, uuid="11111111-2222-4333-8444-555555555555", total="499999.99")
        data = PaymentInput(p.id, date(2019, 8, 1), 500_000_00, concept="Estimación", cfdi_path=path)
        return record_payment(db, data, today=TODAY)

    def cfdi_other_rfc(db, p, tmp, receipt):
        path = cfdi_file(tmp, uuid="11111111-2222-4333-8444-666666666666", rfc="EKU9003173C9")
        data = PaymentInput(
            p.id, date(2019, 8, 1), 500_000_00, payee_rfc=ISSUER_RFC, concept="Estimación", cfdi_path=path
        )
        return record_payment(db, data, today=TODAY)

    def cfdi_3_2_credit_note(db, p, tmp, receipt):
        path = older_cfdi_file(tmp, "version_3_2.xml", uuid="11111111-2222-4333-8444-777777777777")
        path.write_bytes(path.read_bytes().replace(b'"ingreso"', b'"egreso"'))
        data = PaymentInput(p.id, date(2019, 8, 1), 500_000_00, concept="Estimación", cfdi_path=path)
        return record_payment(db, data, today=TODAY)

    def contribution(party="club", amount=1_000_00, day=date(2019, 7, 2), **extra):
        return lambda db, p, tmp, receipt: contribute(db, p.id, party, amount, day, **extra)

    def payment(amount, day=date(2019, 8, 1), **extra):
        return lambda db, p, tmp, receipt: pay(db, p.id, amount, day, receipt=receipt, **extra)

    def refund(party, amount, reason="Reintegro", day=date(2019, 12, 1)):
        return lambda db, p, tmp, receipt: record_refund(
            db, RefundInput(p.id, party, day, amount, reason=reason, reference="LC 0419"), today=TODAY
        )

    def closed(attempt):
        def run(db, p, tmp, receipt):
            for owed in required_reintegros(db, 2019, today=TODAY):  # excepted, so the year closes
                record_reintegro_exception(
                    db, 2019, owed.project_id, "Obra en litigio", "Lic. Ruiz", user="a"
                )
            close_fiscal_year(db, 2019, user="tesorero", today=TODAY)
            return attempt(db, p, tmp, receipt)

        return run

    return [
        (
            "over outstanding",
            contribution("club", 1_00),
            "contribution.exceeds_outstanding",
            {"outstanding": 0},
        ),
        (
            "override half given",
            contribution("club", 1_00, override_reason="acuerdo"),
            "override.incomplete",
            {},
        ),
        (
            "party not in project",
            contribution("partner"),
            "contribution.party_not_in_project",
            {"party": "partner"},
        ),
        ("unknown party", contribution("banco"), "party.unknown", {}),
        ("zero", contribution("club", 0), "amount.zero", {}),
        ("negative", contribution("club", -5_00), "amount.negative", {}),
        ("future", contribution("club", 1_00, date(2021, 4, 1)), "date.future", {"date": "2021-04-01"}),
        ("usd without rate", usd_without_rate, "contribution.rate_required", {}),
        ("usd far from rate", usd_far_from_rate, "contribution.rate_mismatch", {"expected": 19_000_00}),
        ("payment over cash", payment(SHARE * 3 + 1), "payment.exceeds_funds", {"available": SHARE * 3}),
        (
            "payment before the money",
            payment(1_00, date(2019, 6, 30)),
            "payment.exceeds_funds",
            {"available": 0},
        ),
        (
            "payment over party funds",
            payment(SHARE + 1, source_party="federal"),
            "payment.exceeds_party_funds",
            {"available": SHARE},
        ),
        ("payment bad rfc", payment(1_00, payee_rfc="GODE561231GR9"), "rfc.check_digit", {}),
        ("payment no evidence", payment(1_00, receipt_path=None), "payment.evidence_required", {}),
        (
            "payment missing file",
            payment(1_00, receipt_path=Path("/nonexistent/recibo.pdf")),
            "file.not_found",
            {},
        ),
        ("cfdi xxe", cfdi("xxe.xml"), "cfdi.unsafe", {}),
        ("cfdi billion laughs", cfdi("billion_laughs.xml"), "cfdi.unsafe", {}),
        ("cfdi 3.2 credit note", cfdi_3_2_credit_note, "cfdi.not_invoice", {"kind": "E", "name": "egreso"}),
        ("cfdi other total", cfdi_other_total, "payment.cfdi_total_differs", {"total": 499_999_99}),
        ("cfdi other issuer", cfdi_other_rfc, "payment.cfdi_rfc_differs", {"issuer_rfc": "EKU9003173C9"}),
        ("refund without reason", refund("federal", 1_00, reason=" "), "text.required", {}),
        (
            "refund over party funds",
            refund("municipal", 1_00),
            "refund.exceeds_party_funds",
            {"available": 0},
        ),
        ("reversal without reason", reverse(last_id, reason=""), "text.required", {}),
        ("reversal before entry", reverse(last_id, on=date(2019, 6, 1)), "reversal.before_entry", {}),
        ("reversal in the future", reverse(last_id, on=date(2022, 1, 1)), "date.future", {}),
        ("reversed twice", twice, "reversal.already_reversed", {}),
        ("closed year entry", closed(contribution("municipal", 1_00)), "ledger.year_closed", {"year": 2019}),
        ("closed year reversal", closed(reverse(last_id)), "ledger.year_closed", {"year": 2019}),
    ]


GUARDS = _guards()


@pytest.mark.parametrize(("attempt", "code", "params"), [g[1:] for g in GUARDS], ids=[g[0] for g in GUARDS])
def test_each_guard_refuses_with_its_code_and_writes_nothing(
    db, project, tmp_path, receipt, attempt, code, params
):
    # Club, federal and state have paid their shares in full; the municipality nothing yet.
    for party in ("club", "federal", "state"):
        contribute(db, project.id, party, SHARE)
    before = table_digest(db)
    with pytest.raises(InputError) as exc:
        attempt(db, project, tmp_path, receipt)
    assert code in codes(exc)
    problem = next(p for p in exc.value.problems if p.code == code)
    assert {k: problem.params[k] for k in params} == params
    if code not in ("reversal.already_reversed", "ledger.year_closed"):
        # (Those two first write what they then refuse to repeat.)
        assert table_digest(db) == before


def test_no_entries_before_the_convenio_naming_the_stage(db, club, tmp_path, receipt):
    approved = signed_project(db, tmp_path, club_id=club.id, stage="aprobado")
    before = table_digest(db)
    with pytest.raises(InputError) as exc:
        contribute(db, approved.id, "club", 1_00)
    assert [(p.code, p.params) for p in exc.value.problems] == [
        ("ledger.no_convenio", {"stage": "aprobado", "folio": approved.folio})
    ]
    with pytest.raises(InputError) as exc:
        pay(db, approved.id, 1_00, receipt=receipt)
    assert codes(exc) == ["ledger.no_convenio"]
    assert table_digest(db) == before


def test_override_allows_more_than_outstanding_and_is_stored(db, project):
    contribute(db, project.id, "club", SHARE)
    extra = contribute(
        db,
        project.id,
        "club",
        50_000_00,
        override_reason="Excedente para obra complementaria",
        authorised_by="Cabildo",
    )
    assert (extra.override_reason, extra.authorised_by) == ("Excedente para obra complementaria", "Cabildo")
    club = project_balance(db, project.id).party("club")
    assert (club.received, club.outstanding, club.over_received) == (SHARE + 50_000_00, 0, 50_000_00)
    # Given when not needed, an override is not stored: it would flag a normal deposit.
    normal = contribute(
        db, project.id, "state", 1_00, override_reason="por si acaso", authorised_by="Tesorero"
    )
    assert (normal.override_reason, normal.authorised_by) == ("", "")


def test_duplicate_cfdi_names_the_project_that_used_it(db, club, tmp_path):
    first = signed_project(db, tmp_path, club_id=club.id)
    second = signed_project(db, tmp_path, club_id=club.id)
    fund(db, first.id)
    fund(db, second.id)
    invoice = cfdi_file(tmp_path, uuid="aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee")
    data = PaymentInput(first.id, date(2019, 8, 1), 500_000_00, concept="Estimación 1", cfdi_path=invoice)
    used = record_payment(db, data, today=TODAY)
    before = table_digest(db)
    with pytest.raises(InputError) as exc:
        record_payment(db, replace(data, project_id=second.id), today=TODAY)
    assert [(p.code, p.params) for p in exc.value.problems] == [
        (
            "payment.cfdi_duplicate",
            {"uuid": "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE", "folio": first.folio, "entry_id": used.id},
        )
    ]
    assert table_digest(db) == before


def test_a_reversed_payments_cfdi_may_back_the_corrected_payment_and_nothing_else(db, club, tmp_path):
    first = signed_project(db, tmp_path, club_id=club.id)
    second = signed_project(db, tmp_path, club_id=club.id)
    fund(db, first.id)
    fund(db, second.id)
    invoice = cfdi_file(tmp_path, uuid="aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee")
    uuid = "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE"
    data = PaymentInput(first.id, date(2019, 8, 1), 500_000_00, concept="Estimación 1", cfdi_path=invoice)
    wrong = record_payment(db, replace(data, concept="Estimación 1 (partida equivocada)"), today=TODAY)
    reversal = reverse_entry(db, wrong.id, reason="partida equivocada", on=date(2019, 8, 2), today=TODAY)
    # The reversed payment no longer uses its invoice: the corrected payment cites it again.
    corrected = record_payment(db, replace(data, entry_date=date(2019, 8, 2)), today=TODAY)
    assert corrected.cfdi_uuid == wrong.cfdi_uuid == uuid

    # Any other live use is refused, naming the project whose payment holds the invoice now.
    before = table_digest(db)
    with pytest.raises(InputError) as exc:
        record_payment(db, replace(data, project_id=second.id), today=TODAY)
    assert [(p.code, p.params) for p in exc.value.problems] == [
        ("payment.cfdi_duplicate", {"uuid": uuid, "folio": first.folio, "entry_id": corrected.id})
    ]
    # Nor may reversing the reversal bring the first payment back while the invoice backs another.
    with pytest.raises(InputError) as exc:
        reverse_entry(db, reversal.id, reason="error", on=date(2019, 8, 3), today=TODAY)
    assert [(p.code, p.params) for p in exc.value.problems] == [
        ("payment.cfdi_duplicate", {"uuid": uuid, "folio": first.folio, "entry_id": corrected.id})
    ]
    assert table_digest(db) == before


def test_reversing_a_contribution_cannot_take_money_already_spent(db, project, receipt):
    first = contribute(db, project.id, "club", SHARE)
    pay(db, project.id, 60_000_00, receipt=receipt)
    before = table_digest(db)
    with pytest.raises(InputError) as exc:
        reverse_entry(db, first.id, reason="depósito duplicado", on=date(2019, 9, 1), today=TODAY)
    assert [(p.code, p.params) for p in exc.value.problems] == [
        ("reversal.exceeds_cash", {"cash": SHARE - 60_000_00, "amount": SHARE}),
        ("reversal.money_spent", {"party": "club", "available": SHARE - 60_000_00, "amount": SHARE}),
    ]
    assert table_digest(db) == before


def test_unknown_project_and_entry(db):
    with pytest.raises(InputError) as exc:
        contribute(db, 999, "club", 1_00)
    assert codes(exc) == ["project.unknown"]
    with pytest.raises(InputError) as exc:
        reverse_entry(db, 999, reason="x", on=date(2019, 1, 1), today=TODAY)
    assert codes(exc) == ["entry.unknown"]
    with pytest.raises(InputError) as exc:
        entry(db, 999)
    assert codes(exc) == ["entry.unknown"]


# --- Fiscal years --------------------------------------------------------------------------------


def test_closing_a_year_locks_it_and_lists_unspent_federal_money(db, club, tmp_path, receipt):
    spent = signed_project(db, tmp_path, club_id=club.id)
    unspent = signed_project(db, tmp_path, club_id=club.id)
    other_year = signed_project(db, tmp_path, club_id=club.id, fiscal_year=2020, program="2x1-zacatecas")
    for project in (spent, unspent, other_year):
        fund(db, project.id, date(project.fiscal_year, 7, 1))
    pay(db, spent.id, COST, receipt=receipt)  # everything spent
    pay(db, unspent.id, 100_000_00, receipt=receipt)  # federal attributed 25,000.00 of it
    record_refund(
        db,
        RefundInput(unspent.id, "federal", date(2019, 12, 1), 5_000_00, reason="TESOFE", reference="LC 0419"),
        today=TODAY,
    )
    # Federal money unspent on 31 December is refunded by 15 January or excepted before closing.
    record_reintegro_exception(db, 2019, unspent.id, "Obra en litigio", "Lic. Ana Ruiz", user="admin")
    closing = close_fiscal_year(db, 2019, user="tesorera", today=TODAY)
    assert closing.year == 2019 and closing.closed_by == "tesorera"
    assert [(u.folio, u.received, u.paid, u.refunded, u.unspent) for u in closing.unspent_federal] == [
        (unspent.folio, SHARE, 25_000_00, 5_000_00, SHARE - 30_000_00)
    ]
    assert closed_years(db) == [2019]

    before = table_digest(db)
    with pytest.raises(InputError) as exc:
        close_fiscal_year(db, 2019, user="otro", today=TODAY)
    assert codes(exc) == ["fiscal_year.already_closed"]
    with pytest.raises(InputError) as exc:
        close_fiscal_year(db, 2022, user="otro", today=TODAY)
    assert codes(exc) == ["fiscal_year.future"]
    # A late entry dated in the closed year is refused; so is a reversal dated in it.
    with pytest.raises(InputError) as exc:
        pay(db, unspent.id, 1_00, date(2019, 12, 31), receipt=receipt)
    assert [(p.code, p.params) for p in exc.value.problems] == [("ledger.year_closed", {"year": 2019})]
    payment = list_entries(db, project_id=unspent.id, kind="payment")[0]
    with pytest.raises(InputError) as exc:
        reverse_entry(db, payment.id, reason="error", on=date(2019, 12, 31), today=TODAY)
    assert codes(exc) == ["ledger.year_closed"]
    assert table_digest(db) == before
    # The correction of a closed year's entry is booked in the open year.
    fixed = reverse_entry(db, payment.id, reason="error", on=date(2020, 1, 15), today=TODAY)
    assert fixed.entry_date == date(2020, 1, 15)
    contribute(db, other_year.id, "club", 1_00, date(2020, 8, 1), override_reason="x", authorised_by="y")


# --- The append-only contract -------------------------------------------------------------------


@pytest.mark.parametrize("table", ["ledger_entries", "ledger_allocations"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET amount = amount + 1", "DELETE FROM {table}"])
def test_plain_sql_cannot_edit_or_delete_the_ledger(db, project, table, statement):
    contribute(db, project.id, "club", 1_000_00)
    before = table_digest(db)
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text(statement.format(table=table)))
    assert table_digest(db) == before


# --- Reading: listings, running balance, balances ------------------------------------------------


def test_statement_has_a_running_balance_in_date_order(db, project, receipt):
    contribute(db, project.id, "club", 300_000_00, date(2019, 7, 10))
    contribute(db, project.id, "federal", 200_000_00, date(2019, 7, 1))
    pay(db, project.id, 100_000_00, date(2019, 7, 5), receipt=receipt)  # after the federal deposit
    refund = RefundInput(project.id, "club", date(2019, 7, 20), 50_000_00, reason="Sobrante")
    record_refund(db, refund, today=TODAY)
    listing = list_entries(db, project_id=project.id)
    assert [(e.entry_date.day, e.kind, e.running_balance) for e in listing] == [
        (1, "contribution", 200_000_00),
        (5, "payment", 100_000_00),
        (10, "contribution", 400_000_00),
        (20, "refund", 350_000_00),
    ]
    assert all(e.folio == project.folio for e in listing)
    assert count_entries(db, project_id=project.id) == 4
    assert count_entries(db, project_id=project.id, kind="contribution") == 2
    # Filters and pages keep each entry's running balance over the whole statement.
    assert [e.running_balance for e in list_entries(db, project_id=project.id, kind="refund")] == [350_000_00]
    assert [e.kind for e in list_entries(db, project_id=project.id, offset=1, limit=2)] == [
        "payment",
        "contribution",
    ]
    assert count_entries(db, fiscal_year=2019) == 4 and count_entries(db, fiscal_year=2020) == 0
    assert list_entries(db, fiscal_year=2020) == []
    with pytest.raises(ValueError):
        list_entries(db, kind="donation")


def test_sql_balances_equal_the_balances_computed_from_the_entries(db, club, tmp_path, receipt):
    a = signed_project(db, tmp_path, club_id=club.id)
    b = signed_project(db, tmp_path, club_id=club.id, cost=727_640_619, stage="en_ejecucion")
    fund(db, a.id)
    for share in b.shares:
        contribute(db, b.id, share.party, share.amount // 2)
    pay(db, a.id, 333_333_33, receipt=receipt)
    payment = pay(db, b.id, 111_111_11, receipt=receipt)
    reversal = reverse_entry(db, payment.id, reason="error", on=date(2019, 9, 1), today=TODAY)
    reverse_entry(db, reversal.id, reason="error del error", on=date(2019, 9, 2), today=TODAY)
    record_refund(db, RefundInput(a.id, "state", date(2019, 10, 1), 1_00, reason="sobrante"), today=TODAY)
    groups = balances_by(db)
    for p in (a, b):
        sql = project_balance(db, p.id)
        entries = list_entries(db, project_id=p.id)
        shares = {s.party: s.amount for s in p.shares}
        assert sql == balance_from_entries(p.id, sql.stage, shares, entries, folio=p.folio)
        assert sql.cash == sum(e.amount for e in entries) == entries[-1].running_balance
    assert len(groups) == 4 and {g.fiscal_year for g in groups} == {2019}
    for group in groups:
        per_project = [project_balance(db, p.id).party(group.party) for p in (a, b)]
        assert group.projects == 2
        for field in (
            "approved",
            "committed",
            "received",
            "outstanding",
            "paid",
            "accrued",
            "refunded",
            "cash",
        ):
            assert getattr(group, field) == sum(getattr(x, field) for x in per_project), field
    assert balances_by(db, fiscal_year=2020) == []
    assert balances_by(db, municipality_key="32020", program="3x1") == groups
    assert re.fullmatch(r"3X1-2019-32020-\d{4}", a.folio)


# --- CFDI 3.2 / 3.3 evidence and RFC check digits (issue 13 item 8) -------------------------------


@pytest.mark.parametrize("name", ["version_3_2.xml", "version_3_3.xml"])
def test_a_cfdi_3_2_or_3_3_invoice_backs_a_payment_billed_to_the_office(db, project, tmp_path, name):
    from tresxuno.services.office import set_office_rfc

    fund(db, project.id)
    set_office_rfc(db, "MJZ850101B72")
    other = older_cfdi_file(
        tmp_path / "other", name, uuid="2A2A2A2A-3B3B-4C4C-8D8D-5E5E5E5E5E5E", receiver="EKU9003173C9"
    )
    data = PaymentInput(project.id, date(2019, 8, 1), 500_000_00, concept="Estimación", cfdi_path=other)
    before = table_digest(db)
    with pytest.raises(InputError) as exc:
        record_payment(db, data, today=TODAY)
    assert [(p.code, p.params["receiver_rfc"]) for p in exc.value.problems] == [
        ("payment.cfdi_receiver_differs", "EKU9003173C9")
    ]
    assert table_digest(db) == before
    invoice = older_cfdi_file(tmp_path, name, uuid="1A1A1A1A-3B3B-4C4C-8D8D-5E5E5E5E5E5E")
    stored = record_payment(db, replace(data, cfdi_path=invoice), user="tesorero", today=TODAY)
    assert stored.cfdi_uuid == "1A1A1A1A-3B3B-4C4C-8D8D-5E5E5E5E5E5E"
    assert (stored.amount, stored.payee_rfc) == (-500_000_00, ISSUER_RFC)
    assert project_balance(db, project.id).accrued == 500_000_00


def test_a_typed_payee_rfc_with_a_wrong_check_digit_is_recorded_only_once_confirmed(db, project, receipt):
    # MCI7306249Y1 is the real RFC of the Municipio de Cuautitlán Izcalli; SAT's formula expects a 6.
    fund(db, project.id)
    before = table_digest(db)
    with pytest.raises(InputError) as exc:
        pay(db, project.id, 1_000_00, receipt=receipt, payee_rfc="MCI7306249Y1")
    assert [(p.field, p.code, p.params["expected"]) for p in exc.value.problems] == [
        ("payee_rfc", "rfc.check_digit", "6")
    ]
    assert table_digest(db) == before
    stored = pay(
        db, project.id, 1_000_00, receipt=receipt, payee_rfc="MCI7306249Y1", accept_rfc_check_digit=True
    )
    assert stored.payee_rfc == "MCI7306249Y1"
    # A confirmation covers the check digit only: an RFC of the wrong shape is still refused.
    with pytest.raises(InputError) as exc:
        pay(db, project.id, 1_00, receipt=receipt, payee_rfc="MCI73062", accept_rfc_check_digit=True)
    assert codes(exc) == ["rfc.length"]


def test_an_rfc_read_from_a_stamped_cfdi_needs_no_confirmation(db, project, tmp_path):
    fund(db, project.id)
    blank = cfdi_file(tmp_path, uuid="3C3C3C3C-3B3B-4C4C-8D8D-5E5E5E5E5E5E", rfc="MCI7306249Y1")
    data = PaymentInput(project.id, date(2019, 8, 1), 500_000_00, concept="Estimación", cfdi_path=blank)
    assert record_payment(db, data, today=TODAY).payee_rfc == "MCI7306249Y1"  # taken from the CFDI
    typed = cfdi_file(tmp_path, uuid="4D4D4D4D-3B3B-4C4C-8D8D-5E5E5E5E5E5E", rfc="MCI7306249Y1")
    data = replace(data, cfdi_path=typed, payee_rfc="mci-730624-9y1")  # typed, and the same as SAT's
    assert record_payment(db, data, today=TODAY).payee_rfc == "MCI7306249Y1"
