"""``tresxuno check``'s money invariants: each one broken by plain SQL is named; a clean ledger passes.

The services refuse what breaks them (see tests/services/test_ledger.py); here the rows are
written behind the app's back, as an insider with a database client would, and
:func:`~tresxuno.services.money_checks.money_problems` (and so ``check_integrity``) must say so,
naming the folio, the party and the amounts.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from tests.services.test_ledger import SHARE, contribute, fund, new_club, pay, signed_project
from tresxuno.db.engine import Database
from tresxuno.db.models import Project
from tresxuno.domain.problems import Problem
from tresxuno.services.audit import check_integrity
from tresxuno.services.money_checks import money_problem, money_problems


@pytest.fixture
def project(db, tmp_path):
    """A project under way, every share deposited and 1,500,000.00 paid by shares."""
    club = new_club(db)
    project = signed_project(db, tmp_path, club_id=club.id, stage="en_ejecucion")
    fund(db, project.id)
    pay(db, project.id, 150_000_000, receipt=_receipt(tmp_path))
    return project


def _receipt(folder):
    path = folder / "recibo.pdf"
    path.write_bytes(b"%PDF-1.4 recibo")
    return path


def _sql(db: Database, *statements: str) -> None:
    with db.transaction() as session:
        for statement in statements:
            session.execute(text(statement))


def _found(db: Database) -> list[Problem]:
    with db.transaction() as session:
        return money_problems(session)


def test_a_clean_ledger_passes(db, project):
    assert _found(db) == []
    assert check_integrity(db).ok


def test_a_party_made_negative_is_named_with_its_amount(db, project):
    # A payment of 2,000,000.00 taken from the club alone, whose lines add up to the entry.
    _sql(
        db,
        "INSERT INTO ledger_entries (project_id, kind, party, entry_date, amount, created_at) "
        f"VALUES ({project.id}, 'payment', 'club', '2019-09-01', -200000000, '2019-09-01 00:00:00')",
        "INSERT INTO ledger_allocations (entry_id, party, amount) "
        "SELECT max(id), 'club', -200000000 FROM ledger_entries",
    )
    club = SHARE - 150_000_000 // 4 - 200_000_000
    assert _found(db) == [
        Problem("audit", "check.party_negative", {"folio": project.folio, "party": "club", "amount": club})
    ]


def test_a_closed_project_holding_money_is_named_per_party(db, project):
    _sql(db, f"UPDATE projects SET stage = 'cerrado' WHERE id = {project.id}")
    left = SHARE - 150_000_000 // 4
    assert _found(db) == [
        Problem("audit", "check.closed_holds_money", {"folio": project.folio, "party": p, "amount": left})
        for p in ("club", "federal", "municipal", "state")
    ]


def test_paying_beyond_the_cost_is_named_with_paid_and_cost(db, project):
    _sql(db, f"UPDATE projects SET cost = 100000000 WHERE id = {project.id}")
    assert _found(db) == [
        Problem(
            "audit",
            "check.paid_exceeds_cost",
            {"folio": project.folio, "paid": 150_000_000, "cost": 100_000_000},
        )
    ]
    with db.transaction() as session:
        assert money_problem(session) == _found(db)[0]
    # ``tresxuno check`` reports it even when the change went through the app's own (audited)
    # session, as a faulty older version would have written it.
    with db.transaction(immediate=True) as session:
        session.get(Project, project.id).cost = 90_000_000
    problem = check_integrity(db).problem
    assert problem is not None and problem.code == "check.paid_exceeds_cost"


def test_a_reversed_payment_does_not_count_as_paid(db, project, tmp_path):
    from tresxuno.services.ledger import list_entries, reverse_entry

    payment = list_entries(db, project_id=project.id, kind="payment")[0]
    reverse_entry(db, payment.id, reason="pago duplicado", on=date(2019, 8, 2), today=date(2021, 3, 31))
    _sql(db, f"UPDATE projects SET cost = 100000000 WHERE id = {project.id}")
    assert _found(db) == []


def test_an_entry_recorded_after_the_close_without_authorisation_is_named(db, project):
    contribution = contribute(db, project.id, "club", 1_00, authorised_by="x", override_reason="y")
    _sql(
        db,
        f"UPDATE projects SET stage = 'cerrado' WHERE id = {project.id}",
        "INSERT INTO stage_changes (project_id, from_stage, to_stage, changed_at, changed_by, comment) "
        f"VALUES ({project.id}, 'terminado', 'cerrado', '2000-01-01 00:00:00', 'x', '')",
    )
    after = [p for p in _found(db) if p.code == "check.entry_after_close"]
    # Every entry of the project was created after that (forged) close; an authorised
    # contribution does not count as an authorised refund or reversal.
    assert len(after) == 6 and after[-1].params == {
        "folio": project.folio,
        "id": contribution.id,
        "kind": "contribution",
        "amount": 1_00,
    }


@pytest.mark.sqlite_only  # the command opens the database file
def test_the_check_command_names_the_folio_and_fails(db, project):
    from tests.e2e.test_cli import run

    with db.transaction(immediate=True) as session:
        session.get(Project, project.id).cost = 90_000_000
    db.dispose()
    result = run("--db", str(db.path), "--lang", "en", "check")
    assert result.returncode == 1
    assert (
        project.folio in result.stderr and "$1,500,000.00" in result.stderr and "$900,000.00" in result.stderr
    )
