"""The audit trail as the database layer writes it: every change, who made it, before and after."""

from __future__ import annotations

import json
import threading
from itertools import pairwise

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DatabaseError

from tresxuno.db.models import AuditLogRow, Club, ProjectShare, Setting, StageChange
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.domain.audit import GENESIS, AuditRecord, ChainVerifier

from . import factories

ANA = Actor("ana", "capturista")


def records(db, table: str | None = None) -> list[AuditLogRow]:
    with db.session() as session:
        query = select(AuditLogRow).order_by(AuditLogRow.seq)
        if table:
            query = query.where(AuditLogRow.table_name == table)
        return list(session.scalars(query))


def verify(db) -> ChainVerifier:
    verifier = ChainVerifier()
    for r in records(db):
        verifier.feed(
            AuditRecord(
                r.seq,
                r.at,
                r.username,
                r.role,
                r.action,
                r.table_name,
                r.row_id,
                r.subject,
                r.before,
                r.after,
                r.prev_hash,
                r.hash,
            )
        )
    with db.session() as session:
        head = session.execute(text("SELECT seq, hash FROM audit_head")).one()
    verifier.finish(*head)
    return verifier


def test_an_orm_insert_records_who_and_the_whole_row(db):
    with acting_as(ANA), db.transaction() as session:
        club = factories.club(session, "Club Tepetate")
    [record] = records(db, "clubs")
    assert (record.action, record.row_id, record.subject) == ("insert", str(club.id), f"clubs:{club.id}")
    assert (record.username, record.role) == ("ana", "capturista")
    assert record.before is None
    after = json.loads(record.after)
    assert after["name"] == "Club Tepetate" and after["toma_issued_on"] == "2015-03-01"
    assert after["members"] == 25 and after["version"] == 1


def test_an_orm_update_records_before_and_after(db):
    with db.transaction() as session:
        club_id = factories.club(session).id
    with acting_as(Actor("beto", "administrador")), db.transaction() as session:
        session.get(Club, club_id).members = 40
    record = records(db, "clubs")[-1]
    assert (record.action, record.username, record.role) == ("update", "beto", "administrador")
    before, after = json.loads(record.before), json.loads(record.after)
    assert (before["members"], after["members"]) == (25, 40)
    assert (before["version"], after["version"]) == (1, 2)


def test_a_flush_without_a_net_change_records_nothing(db):
    with db.transaction() as session:
        club_id = factories.club(session).id
    count = len(records(db))
    with db.transaction() as session:
        row = session.get(Club, club_id)
        row.members = row.members  # same value: no UPDATE at all
    assert len(records(db)) == count


def test_orm_deletes_and_cascaded_orphans_are_recorded(db):
    with db.transaction() as session:
        rule = factories.rule_set(session)
        project = factories.project(session, club_row=factories.club(session), rule=rule, cost=400_00)
        project_id = project.id
        session.add(Setting(key="office.name", value="Migrantes Jerez"))
    with db.transaction() as session:
        session.delete(session.get(Setting, "office.name"))
        row = session.get(type(project), project_id)
        row.shares = [s for s in row.shares if s.party != "municipal"]  # delete-orphan cascade
    deletes = [r for r in records(db) if r.action == "delete"]
    assert {(r.table_name, r.row_id) for r in deletes} == {
        ("settings", "office.name"),
        ("project_shares", f"{project_id}/municipal"),
    }
    share = next(r for r in deletes if r.table_name == "project_shares")
    assert share.after is None and json.loads(share.before)["amount"] == 100_00
    assert share.subject == f"projects:{project_id}"


def test_core_statements_through_the_session_are_recorded(db):
    with db.transaction() as session:
        rule = factories.rule_set(session)
        project_id = factories.project(session, club_row=factories.club(session), rule=rule).id
        session.add(StageChange(project_id=project_id, to_stage="borrador", comment="alta"))
    with acting_as(ANA), db.transaction() as session:
        session.execute(insert(Setting.__table__), [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}])
        session.execute(update(StageChange).where(StageChange.project_id == project_id).values(comment="x"))
        session.execute(delete(Setting.__table__).where(Setting.key == "a"))
        session.execute(insert(Setting.__table__).values(key="c", value="3"))
    bulk = next(r for r in records(db, "settings") if r.row_id is None)
    assert bulk.action == "insert" and bulk.username == "ana"
    image = json.loads(bulk.after)
    assert image["columns"] == ["key", "value"] and image["rows"] == [["a", "1"], ["b", "2"]]
    changed = records(db, "stage_changes")[-1]
    assert changed.action == "update" and changed.subject == f"projects:{project_id}"
    assert (json.loads(changed.before)["comment"], json.loads(changed.after)["comment"]) == ("alta", "x")
    removed = records(db, "settings")[-2]
    assert json.loads(records(db, "settings")[-1].after)["rows"] == [["c", "3"]]
    assert (removed.action, removed.row_id, removed.after) == ("delete", "a", None)


def test_a_rolled_back_transaction_leaves_no_record(db):
    count = len(records(db))
    with pytest.raises(RuntimeError), db.transaction() as session:
        factories.club(session)
        raise RuntimeError("officer cancelled")
    assert len(records(db)) == count
    with db.transaction() as session:
        factories.club(session)
    assert verify(db).problem is None


def test_the_chain_links_every_record_to_the_previous_one(db):
    with db.transaction() as session:
        factories.club(session, "Uno")
        factories.club(session, "Dos")
    rows = records(db)
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in pairwise(rows))
    assert verify(db).problem is None


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET after = '{}' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 1",
        "DELETE FROM audit_head",
    ],
)
def test_records_cannot_be_updated_or_deleted(db, statement):
    with db.transaction() as session:
        factories.club(session)
    with pytest.raises(DatabaseError, match="audit_"), db.transaction() as session:
        session.execute(text(statement))
    assert verify(db).problem is None


def test_two_threads_writing_at_once_keep_one_chain(db):
    errors: list[BaseException] = []

    def writer(prefix: str) -> None:
        try:
            for i in range(15):
                with db.transaction(immediate=True) as session:
                    session.add(Setting(key=f"{prefix}{i}", value=str(i)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(p,)) for p in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(records(db, "settings")) == 30
    assert verify(db).problem is None


def test_a_bulk_insert_straight_to_the_driver_is_recorded_by_the_helper(db):
    from tresxuno.db.audit import audit_bulk_insert

    with db.transaction() as session:
        rule = factories.rule_set(session)
        project_id = factories.project(session, club_row=factories.club(session), rule=rule).id
        connection = session.connection()
        rows = [{"project_id": project_id, "party": "partner", "percent_bp": 0, "amount": 0}]
        connection.execute(insert(ProjectShare.__table__), rows)
        audit_bulk_insert(connection, ProjectShare.__table__, rows)
    image = json.loads(records(db, "project_shares")[-1].after)
    assert image["defaults"] == {"capped": False}
    assert image["rows"] == [[0, "partner", 0, project_id]]


def test_a_large_bulk_insert_is_recorded_in_bounded_records_that_check_verifies(db):
    # check holds one record's rows at a time: a statement inserting 25,001 rows leaves three records.
    from datetime import date, timedelta

    from tresxuno.db.audit import BULK_RECORD_ROWS
    from tresxuno.db.models import ExchangeRate
    from tresxuno.services.audit import check_integrity

    first = date(1950, 1, 1)
    rows = [
        {"rate_date": first + timedelta(days=n), "rate": "17.2345", "source": "Banxico FIX"}
        for n in range(2 * BULK_RECORD_ROWS + 1)
    ]
    with db.transaction(immediate=True) as session:
        session.execute(insert(ExchangeRate), rows)
    with db.session() as session:
        records = session.scalars(
            select(AuditLogRow).where(
                AuditLogRow.table_name == "exchange_rates", AuditLogRow.row_id.is_(None)
            )
        ).all()
    assert len(records) == 3
    result = check_integrity(db)
    assert result.ok, result.problem
