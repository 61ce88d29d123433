"""The demo tells a true story: read back with plain SQL, its money, stages and progress agree.

An auditor opening the demo must not find a party owed negative money, a closed project still
holding funds, works started without the first ministración, a finished project without its 100 %
progress report, an electronic invoice before CFDIs existed, or a federal 3x1 project after the
programme ended. These tests query the tables directly (not through the services), so they hold
whatever the services compute.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import text

from tresxuno.db.engine import Database, open_database
from tresxuno.demo.ledger import rfc_date
from tresxuno.demo.projects import generate_demo

ANTICIPO = re.compile(r"Anticipo del 30 % del contrato de obra (\S+) por \$([\d,]+)\.(\d\d)")
CONTRACT = re.compile(r"contrato de obra (\S+)")
STARTED = ("en_ejecucion", "terminado", "cerrado")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A 300-project demo (old 4x1 years included), written once and only read."""
    folder = tmp_path_factory.mktemp("true-story")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRESXUNO_DATA_DIR", str(folder / "data"))
        from tresxuno.services import rules

        rules._cached_rulebook.cache_clear()
        db = open_database(str(folder / "demo.sqlite"))
        generate_demo(db, projects=300, seed=13)
        rules._cached_rulebook.cache_clear()
    yield db
    db.dispose()


def _rows(db: Database, sql: str, **params: Any) -> list[Any]:
    with db.engine.connect() as conn:
        return list(conn.execute(text(sql), params).all())


def _day(value: Any) -> date:
    """A DATE or DATETIME column as a date (SQLite returns text through a plain query)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _changes(db: Database) -> dict[int, dict[str, date]]:
    """Each project's last move into each stage, by day."""
    changes: dict[int, dict[str, date]] = defaultdict(dict)
    for pid, stage, at in _rows(db, "SELECT project_id, to_stage, changed_at FROM stage_changes ORDER BY id"):
        changes[pid][stage] = _day(at)
    return changes


def test_no_party_running_balance_is_ever_negative(demo):
    running = _rows(
        demo,
        """
        SELECT e.project_id, a.party, e.entry_date,
               SUM(a.amount) OVER (
                   PARTITION BY e.project_id, a.party ORDER BY e.entry_date, e.id, a.id
                   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
               ) AS balance
        FROM ledger_allocations a JOIN ledger_entries e ON e.id = a.entry_id
        """,
    )
    assert len(running) > 1000
    negative = [r for r in running if r.balance < 0]
    assert negative == []
    # Payments really drew on several parties (not one party paying for all).
    drawn = _rows(
        demo,
        "SELECT e.id, COUNT(*) FROM ledger_entries e JOIN ledger_allocations a ON a.entry_id = e.id "
        "WHERE e.kind = 'payment' GROUP BY e.id HAVING COUNT(*) > 1",
    )
    assert len(drawn) > 50


def test_closed_projects_hold_nothing_and_refund_federal_money_to_the_tesofe(demo):
    balances = _rows(
        demo,
        """
        SELECT p.id, s.party, s.amount AS share,
               COALESCE((SELECT SUM(a.amount) FROM ledger_allocations a
                         JOIN ledger_entries e ON e.id = a.entry_id
                         WHERE e.project_id = p.id AND a.party = s.party), 0) AS balance
        FROM projects p JOIN project_shares s ON s.project_id = p.id
        WHERE p.stage = 'cerrado' AND s.amount > 0
        """,
    )
    assert len({r.id for r in balances}) > 20
    assert [r for r in balances if r.balance != 0] == []
    changes = _changes(demo)
    last = _rows(
        demo,
        "SELECT e.project_id, MAX(e.entry_date) FROM ledger_entries e JOIN projects p ON p.id = e.project_id "
        "WHERE p.stage = 'cerrado' GROUP BY e.project_id",
    )
    for pid, day in last:
        assert _day(day) <= changes[pid]["cerrado"]  # nothing moves after closing
    closing = _rows(
        demo,
        "SELECT e.project_id, e.entry_date FROM ledger_entries e JOIN projects p ON p.id = e.project_id "
        "WHERE p.stage = 'cerrado' AND e.kind = 'refund'",
    )
    assert closing
    for pid, day in closing:
        assert _day(day) >= changes[pid]["terminado"]  # refunds once the works were received
    refunds = _rows(demo, "SELECT party, reference, reason FROM ledger_entries WHERE kind = 'refund'")
    federal = [r for r in refunds if r.party == "federal"]
    assert federal and all("TESOFE" in r.reference and "TESOFE" in r.reason for r in federal)
    assert any(r.party != "federal" for r in refunds)


def test_closed_fiscal_years_returned_unspent_federal_money_by_15_january(demo):
    years = [y for (y,) in _rows(demo, "SELECT year FROM fiscal_years WHERE closed_at IS NOT NULL")]
    assert years
    for year in years:
        held = _rows(
            demo,
            """
            SELECT e.project_id, SUM(a.amount) FROM ledger_allocations a
            JOIN ledger_entries e ON e.id = a.entry_id JOIN projects p ON p.id = e.project_id
            WHERE p.fiscal_year = :year AND a.party = 'federal' AND e.entry_date <= :deadline
            GROUP BY e.project_id HAVING SUM(a.amount) <> 0
            """,
            year=year,
            deadline=date(year + 1, 1, 15),
        )
        assert held == [], year


def test_works_started_only_with_the_first_ministracion_deposited(demo):
    changes = _changes(demo)
    shares = _rows(
        demo,
        "SELECT p.id, s.party, s.amount FROM projects p JOIN project_shares s ON s.project_id = p.id "
        "WHERE p.stage IN ('en_ejecucion', 'terminado', 'cerrado') AND s.amount > 0",
    )
    # Net deposits (contributions less their reversals) per project, party and day.
    deposits = _rows(
        demo,
        """
        SELECT e.project_id, a.party, e.entry_date, a.amount FROM ledger_allocations a
        JOIN ledger_entries e ON e.id = a.entry_id
        LEFT JOIN ledger_entries t ON t.id = e.reverses_id
        WHERE e.kind = 'contribution' OR (e.kind = 'reversal' AND t.kind = 'contribution')
        """,
    )
    by: dict[tuple[int, str], list[tuple[date, int]]] = defaultdict(list)
    for pid, party, day, amount in deposits:
        by[(pid, party)].append((_day(day), amount))
    assert len({pid for pid, _party, _amount in shares}) > 50
    for pid, party, share in shares:
        started = changes[pid]["en_ejecucion"]
        before = sum(amount for day, amount in by[(pid, party)] if day <= started)
        assert 2 * before >= share, (pid, party, before, share)


def test_progress_matches_the_stage(demo):
    changes = _changes(demo)
    stages = dict(_rows(demo, "SELECT id, stage FROM projects"))
    reports: dict[int, list[Any]] = defaultdict(list)
    for row in _rows(
        demo, "SELECT project_id, reported_on, percent_tenths, created_at FROM project_progress"
    ):
        reports[row.project_id].append(row)
    finished = [pid for pid, stage in stages.items() if stage in ("terminado", "cerrado")]
    assert len(finished) > 20
    for pid in finished:
        done = changes[pid]["terminado"]
        full = [r for r in reports[pid] if r.percent_tenths == 1000]
        assert full and min(_day(r.reported_on) for r in full) <= done, pid
    for pid, stage in stages.items():
        if stage == "en_ejecucion":
            assert all(r.percent_tenths < 1000 for r in reports[pid]), pid
        elif stage not in STARTED:
            assert "en_ejecucion" in changes[pid] or not reports[pid], pid


def test_entries_follow_the_stage_history(demo):
    changes = _changes(demo)
    ordered = _rows(demo, "SELECT project_id, changed_at FROM stage_changes ORDER BY project_id, id")
    previous: dict[int, Any] = {}
    for pid, at in ordered:
        assert pid not in previous or str(previous[pid]) < str(at), pid
        previous[pid] = at
    for pid, kind, day in _rows(demo, "SELECT project_id, kind, entry_date FROM ledger_entries"):
        assert _day(day) >= changes[pid]["convenio_firmado"]
        if kind == "payment" and "en_ejecucion" in changes[pid]:
            assert _day(day) >= changes[pid]["en_ejecucion"]


def test_no_cfdi_before_2014_and_payees_existed_before_they_were_paid(demo):
    payments = _rows(
        demo, "SELECT entry_date, cfdi_uuid, payee_rfc FROM ledger_entries WHERE kind = 'payment'"
    )
    old = [p for p in payments if _day(p.entry_date).year < 2014]
    assert old  # the 4x1 years (2005-2007) are in the demo
    assert all(p.cfdi_uuid is None for p in old)
    assert any(p.cfdi_uuid for p in payments)
    for p in payments:
        assert rfc_date(p.payee_rfc) < _day(p.entry_date), p


def test_works_contracts_anticipo_is_30_percent_and_one_contractor_is_paid(demo):
    stages = dict(_rows(demo, "SELECT id, stage FROM projects"))
    reversed_by = dict(
        _rows(demo, "SELECT reverses_id, id FROM ledger_entries WHERE reverses_id IS NOT NULL")
    )

    def stands(entry_id: int) -> bool:  # not reversed, or its reversal was itself reversed
        return entry_id not in reversed_by or not stands(reversed_by[entry_id])

    payments = [
        row[1:]
        for row in _rows(
            demo,
            "SELECT e.id, e.project_id, e.amount, e.concept, e.payee_rfc FROM ledger_entries e "
            "WHERE e.kind = 'payment' AND e.concept LIKE '%contrato de obra%' ORDER BY e.id",
        )
        if stands(row[0])
    ]
    contracts: dict[str, int] = {}
    paid: dict[str, int] = defaultdict(int)
    payees: dict[str, set[str]] = defaultdict(set)
    projects: dict[str, int] = {}
    for pid, amount, concept, rfc in payments:
        number = CONTRACT.search(concept)
        assert number, concept
        key = number.group(1)
        anticipo = ANTICIPO.search(concept)
        if anticipo:
            contract = int(anticipo.group(2).replace(",", "")) * 100 + int(anticipo.group(3))
            assert abs(-amount * 10 - contract * 3) <= 5, concept  # 30 %, to the nearest centavo
            contracts[key] = contract
        paid[key] += -amount
        payees[key].add(rfc)
        projects[key] = pid
    assert len(contracts) > 20
    assert all(len(rfcs) == 1 for rfcs in payees.values())  # anticipo, estimaciones, finiquito
    for key, contract in contracts.items():
        if stages[projects[key]] in ("terminado", "cerrado"):
            assert paid[key] == contract, key
        else:
            assert paid[key] <= contract, key


def test_programmes_fit_their_years(demo):
    late_federal = _rows(demo, "SELECT id FROM projects WHERE program = '3x1' AND fiscal_year > 2019")
    assert late_federal == []
    early_productive = _rows(
        demo,
        "SELECT id FROM projects WHERE category IN ('productive-family', 'productive-individual') "
        "AND fiscal_year < 2012",
    )
    assert early_productive == []
    assert _rows(demo, "SELECT id FROM projects WHERE program = '2x1-zacatecas'")
