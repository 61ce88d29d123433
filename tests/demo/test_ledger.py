"""The demo money trail passes every ledger guard, adds up, shows every kind of entry, and repeats."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tresxuno.db.engine import Database, open_database
from tresxuno.db.models import ExchangeRate, FiscalYear, Project, StageChange
from tresxuno.demo.projects import DEFAULT_TODAY, generate_demo
from tresxuno.domain.ledger import LEDGER_STAGES, balance_from_entries, rate_mismatch
from tresxuno.domain.money import Money, convert_usd
from tresxuno.domain.rfc import check_rfc
from tresxuno.services.ledger import balances_by, list_entries, project_balance
from tresxuno.services.rates import suggest_rate

UUID = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    folder = tmp_path_factory.mktemp("ledger-demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRESXUNO_DATA_DIR", str(folder / "data"))
        from tresxuno.services import rules

        rules._cached_rulebook.cache_clear()
        db = open_database(str(folder / "demo.sqlite"))
        generate_demo(db, projects=400, seed=11)
        rules._cached_rulebook.cache_clear()
    yield db
    db.dispose()


def _projects(db: Database) -> list[Project]:
    with db.session() as session:
        return list(session.scalars(select(Project).order_by(Project.id)))


def _entries(db: Database) -> dict[int, list]:
    by_project: dict[int, list] = defaultdict(list)
    for e in list_entries(db, limit=10**6):
        by_project[e.project_id].append(e)
    return by_project


def test_money_moves_only_in_signed_projects_inside_their_fiscal_year(demo):
    projects = {p.id: p for p in _projects(demo)}
    with demo.session() as session:
        signed = dict(
            session.execute(
                select(StageChange.project_id, StageChange.changed_at).where(
                    StageChange.to_stage == "convenio_firmado"
                )
            ).all()
        )
    entries = _entries(demo)
    assert len(entries) > 200
    for project_id, listing in entries.items():
        project = projects[project_id]
        assert project.stage in LEDGER_STAGES
        for e in listing:
            assert (
                signed[project_id].date()
                <= e.entry_date
                <= min(date(project.fiscal_year, 12, 31), DEFAULT_TODAY)
            )
    # Most signed projects have money in them (a few just-signed ones may not yet).
    signed_projects = [p for p in projects.values() if p.stage in LEDGER_STAGES]
    assert len(entries) >= 0.9 * len(signed_projects)


def test_every_project_passes_the_guards_and_adds_up(demo):
    projects = {p.id: p for p in _projects(demo)}
    for project_id, listing in _entries(demo).items():
        sql = project_balance(demo, project_id)
        shares = {p.party: p.share for p in sql.parties}
        assert sql == balance_from_entries(
            project_id, sql.stage, shares, listing, folio=projects[project_id].folio
        )
        running = 0
        for e in listing:
            assert sum(line.amount for line in e.lines) == e.amount
            running += e.amount
            assert e.running_balance == running >= 0
        assert sql.cash == running
        overridden = {e.party for e in listing if e.override_reason}
        for party in sql.parties:
            # No deposit above the outstanding share without an authorised override.
            assert party.over_received == 0 or party.party in overridden
            assert party.refunded == 0 or party.cash >= 0
    # The aggregate by year, programme and municipality adds up to the projects' balances.
    groups = balances_by(demo)
    assert sum(g.cash for g in groups) == sum(project_balance(demo, pid).cash for pid in _entries(demo))


def test_payments_name_valid_payees_and_unique_cfdis(demo):
    payments = [e for listing in _entries(demo).values() for e in listing if e.kind == "payment"]
    uuids = [e.cfdi_uuid for e in payments if e.cfdi_uuid]
    assert len(uuids) == len(set(uuids)) > 50
    assert all(UUID.fullmatch(u) for u in uuids)
    assert any(e.cfdi_uuid is None for e in payments)  # scanned receipts (scholarship transfers)
    for e in payments:
        assert check_rfc(e.payee_rfc) == [], e.payee_rfc
        assert e.payee_name and e.concept


def test_club_dollars_carry_a_fix_rate_stored_in_the_rates_table(demo):
    with demo.session() as session:
        rates = {r.rate_date: r for r in session.scalars(select(ExchangeRate))}
    dollars = [e for listing in _entries(demo).values() for e in listing if e.usd_amount is not None]
    assert len(dollars) > 20
    for e in dollars:
        assert (e.kind, e.party, e.rate_source) == ("contribution", "club", "Banxico FIX")
        assert e.rate_date < e.entry_date and e.rate_date.weekday() < 5
        assert rates[e.rate_date].rate == e.rate and rates[e.rate_date].source == "Banxico FIX"
        expected = convert_usd(Money(e.usd_amount, "USD"), Decimal(e.rate)).centavos
        assert not rate_mismatch(e.amount, expected)
    assert all(Decimal("10") < Decimal(r.rate) < Decimal("23") for r in rates.values())
    some = dollars[0]
    assert suggest_rate(demo, some.rate_date).rate == some.rate


def test_corrections_refunds_and_overrides_appear(demo):
    listing = [e for entries in _entries(demo).values() for e in entries]
    by_id = {e.id: e for e in listing}
    reversals = [e for e in listing if e.kind == "reversal"]
    assert reversals and any(by_id[e.reverses_id].kind == "reversal" for e in reversals)
    assert all(e.reason for e in reversals)
    assert all(by_id[e.reverses_id].project_id == e.project_id for e in reversals)
    refunds = [e for e in listing if e.kind == "refund"]
    assert refunds and any("TESOFE" in e.reason for e in refunds)
    assert any(e.override_reason and e.authorised_by for e in listing)


def test_old_fiscal_years_are_closed(demo):
    with demo.session() as session:
        years = {y.year: y for y in session.scalars(select(FiscalYear))}
    assert years and max(years) <= DEFAULT_TODAY.year - 2
    assert all(y.closed_at is not None and y.closed_by == "demo" for y in years.values())


def _ledger_rows(path: Path) -> list[tuple]:
    db = open_database(str(path))
    try:
        with db.engine.connect() as conn:
            return [
                *conn.execute(text("SELECT * FROM ledger_entries ORDER BY id")).all(),
                *conn.execute(text("SELECT * FROM ledger_allocations ORDER BY id")).all(),
                *conn.execute(text("SELECT * FROM exchange_rates ORDER BY rate_date")).all(),
            ]
    finally:
        db.dispose()


def test_same_seed_same_money_trail(tmp_path):
    rows = []
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        db = open_database(str(tmp_path / f"{name}.sqlite"))
        try:
            generate_demo(db, projects=80, seed=seed)
        finally:
            db.dispose()
        rows.append(_ledger_rows(tmp_path / f"{name}.sqlite"))
    assert rows[0] == rows[1] and rows[0]
    assert rows[0] != rows[2]
