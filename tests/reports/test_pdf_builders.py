"""The report builders on their own: plain frozen data gathered through the services, no PDF drawn."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import text

from tests.reports.conftest import PRINTED_AT, PRINTED_BY
from tresxuno.domain.ledger import LEDGER_STAGES
from tresxuno.domain.problems import InputError
from tresxuno.services.ledger import entry, list_entries, project_balance
from tresxuno.services.projects import project_overview
from tresxuno.services.reporting.agreement import build_agreement, federal_agency
from tresxuno.services.reporting.common import project_id_of
from tresxuno.services.reporting.kinds import REPORT_KINDS, REQUIRED_OPTIONS, check_request
from tresxuno.services.reporting.project import build_project_sheet
from tresxuno.services.reporting.receipt import build_receipt, receipt_number
from tresxuno.services.reporting.statement import build_statement
from tresxuno.services.works import progress_history


def test_project_sheet_data(demo_db, picks):
    sheet = build_project_sheet(demo_db, picks.busiest, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    overview = project_overview(demo_db, picks.busiest)
    assert sheet.project.folio == overview.detail.folio
    assert sheet.stamp.printed_by == PRINTED_BY and sheet.stamp.printed_at == PRINTED_AT
    assert sum(m.amount for m in sheet.mix) == sheet.project.cost
    assert sum(m.percent_bp for m in sheet.mix) == 10_000
    assert len(sheet.history) == len(overview.history)
    assert len(sheet.progress) == len(progress_history(demo_db, picks.busiest))
    balance = project_balance(demo_db, picks.busiest)
    assert sum(m.received for m in sheet.money) == balance.received
    assert sum(m.paid for m in sheet.money) == balance.paid
    assert sheet.cash == balance.cash
    assert sheet.letterhead.municipality == "Jerez, Zacatecas"
    with pytest.raises(dataclasses.FrozenInstanceError):
        sheet.cash = 0  # type: ignore[misc]


def test_capped_share_carries_the_cap_in_force(demo_db, picks):
    sheet = build_project_sheet(demo_db, picks.capped, printed_by=PRINTED_BY)
    capped = [m for m in sheet.mix if m.capped]
    assert capped
    for m in capped:
        assert m.cap is not None and m.amount == m.cap  # a capped share is the cap itself
    assert all(m.cap is None for m in sheet.mix if not m.capped)


def test_agreement_parties_by_mix(demo_db):
    with demo_db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT p.id, p.stage, GROUP_CONCAT(s.party) FROM projects p JOIN project_shares s "
                "ON s.project_id = p.id WHERE s.amount > 0 GROUP BY p.id"
            )
        ).all()
    seen = 0
    for project_id, stage, parties in rows:
        if stage not in LEDGER_STAGES:
            continue
        agreement = build_agreement(demo_db, project_id, printed_by=PRINTED_BY)
        signed = [s.party for s in agreement.signatories]
        assert signed[0] == "municipal"
        assert set(signed) == set(parties.split(",")) | {"municipal"}
        assert sum(s.amount for s in agreement.signatories) == agreement.project.cost
        assert agreement.signed_on is not None and agreement.deposit_deadline is not None
        assert agreement.deposit_deadline >= agreement.signed_on
        if agreement.signed_on <= date(agreement.project.fiscal_year, 12, 31):
            assert agreement.deposit_deadline <= date(agreement.project.fiscal_year, 12, 31)
        assert agreement.has_federal == ("federal" in signed)
        seen += 1
    assert seen >= 5


def test_federal_agency_by_year():
    assert "SEDESOL" in federal_agency(2018)
    assert federal_agency(2019) == "Secretaría de Bienestar"


def test_statement_data_chains_the_running_balance(demo_db, picks):
    data = build_statement(demo_db, picks.busiest, printed_by=PRINTED_BY)
    previous = 0
    for e in data.entries:
        assert e.running_balance == previous + e.amount
        previous = e.running_balance
    assert previous == data.cash == project_balance(demo_db, picks.busiest).cash
    assert data.total_in - data.total_out == data.cash
    usd = [
        e for e in list_entries(demo_db, project_id=picks.busiest, limit=10_000) if e.usd_amount is not None
    ]
    assert [r.entry_id for r in data.rates] == [e.id for e in usd]


def test_statement_progress_and_cancel(demo_db, picks):
    from tresxuno.services.progress import Cancelled, CancelToken

    told = []
    build_statement(demo_db, picks.busiest, printed_by="", progress=lambda d, t, m: told.append((d, t)))
    assert told and told[-1][0] == told[-1][1]
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        build_statement(demo_db, picks.busiest, printed_by="", cancel=token)


def test_receipt_data(demo_db, picks):
    data = build_receipt(demo_db, picks.usd_entry, printed_by=PRINTED_BY)
    record = entry(demo_db, picks.usd_entry)
    assert data.number == receipt_number(demo_db, record)
    year = record.entry_date.year
    with demo_db.engine.connect() as conn:  # the contributions of that year, in recording order
        ids = [
            r[0]
            for r in conn.exec_driver_sql(
                "SELECT id FROM ledger_entries WHERE kind = 'contribution' AND entry_date BETWEEN ? AND ? "
                "ORDER BY id",
                (f"{year}-01-01", f"{year}-12-31"),
            )
        ]
    assert data.number == f"R-{year}-{ids.index(record.id) + 1:05d}"
    # One series per year, without gaps: the year's receipts are numbered 1, 2, 3, ...
    numbers = [receipt_number(demo_db, entry(demo_db, i)) for i in ids]
    assert numbers == [f"R-{year}-{n:05d}" for n in range(1, len(ids) + 1)]
    assert data.amount == record.amount and data.usd_amount == record.usd_amount
    assert data.rate == record.rate and data.rate_date == record.rate_date
    assert data.contributor == data.club.name
    assert data.reversed == (record.reversed_by is not None)


def test_project_id_of_folio(demo_db, picks):
    folio = project_overview(demo_db, picks.busiest).detail.folio
    assert project_id_of(demo_db, folio) == picks.busiest
    assert project_id_of(demo_db, f"  {folio.lower()} ") == picks.busiest
    with pytest.raises(InputError) as caught:
        project_id_of(demo_db, "3X1-1999-00000-0000")
    assert caught.value.problems[0].code == "project.unknown_folio"


@pytest.mark.parametrize(
    ("kind", "given", "codes"),
    [
        ("nada", {}, ["report.unknown_kind"]),
        ("session", {"project": "X"}, ["report.option_required", "report.option_not_applicable"]),
        ("handover", {"project": None}, ["report.option_required"]),
        ("project", {"project": None}, ["report.option_required"]),
        (
            "receipt",
            {"project": "X", "entry": None},
            ["report.option_required", "report.option_not_applicable"],
        ),
        ("statement", {"project": "X", "year": "2020"}, ["report.option_not_applicable"]),
        ("quarterly", {"year": 2018, "municipality": "32020"}, ["report.option_required"]),
        ("summary", {"year": 2018, "quarter": 1}, ["report.option_not_applicable"]),
    ],
)
def test_check_request(kind, given, codes):
    with pytest.raises(InputError) as caught:
        check_request(kind, given)
    assert [p.code for p in caught.value.problems] == codes


def test_an_unknown_kind_names_every_printable_kind():
    with pytest.raises(InputError) as caught:
        check_request("future", {"project": "X"})
    [problem] = caught.value.problems
    assert problem.code == "report.unknown_kind" and problem.params["kind"] == "future"
    assert problem.params["allowed"].split(", ") == list(REPORT_KINDS)


def test_every_kind_is_known_once():
    assert len(set(REPORT_KINDS)) == len(REPORT_KINDS) and set(REQUIRED_OPTIONS) == set(REPORT_KINDS)
    assert {"session", "handover"} <= set(REPORT_KINDS)
    for kind in REPORT_KINDS:
        check_request(kind, {name: "X" for name in REQUIRED_OPTIONS[kind]})
