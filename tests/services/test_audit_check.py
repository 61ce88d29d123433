"""``check_integrity`` and histories: the trail verifies on a demo, and tampering is named."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.services.test_registry_and_projects import club_input, project_input
from tresxuno.db.engine import Database, open_database
from tresxuno.demo.projects import generate_demo
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.i18n import language, set_language
from tresxuno.messages import describe
from tresxuno.services.audit import check_integrity, history, recent
from tresxuno.services.clubs import club_for_edit, register_club, update_club
from tresxuno.services.progress import Cancelled, CancelToken
from tresxuno.services.project_requests import submit_project
from tresxuno.services.stages import move_project


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    db = open_database(str(path))
    generate_demo(db, projects=60, seed=7)
    db.dispose()
    return path


@pytest.fixture
def demo(tmp_path: Path, demo_template: Path) -> Iterator[Database]:
    path = tmp_path / "demo.sqlite"
    shutil.copyfile(demo_template, path)
    database = open_database(str(path))
    yield database
    database.dispose()


def tamper(db: Database, *statements: str) -> None:
    """Change the file behind the app's back, as someone with a plain SQLite client would."""
    db.dispose()
    connection = sqlite3.connect(db.path)
    with connection:
        for statement in statements:
            connection.execute(statement)
    connection.close()


def scalar(db: Database, sql: str):
    connection = sqlite3.connect(db.path)
    try:
        return connection.execute(sql).fetchone()[0]
    finally:
        connection.close()


def english(problem) -> str:
    """The problem as an English-speaking auditor reads it (the suite runs in Spanish)."""
    before = language()
    set_language("en")
    try:
        return describe(problem, with_field=False)
    finally:
        set_language(before)


def test_the_chain_and_the_ledger_verify_on_a_demo_database(demo):
    seen: list[tuple[int, int]] = []
    result = check_integrity(demo, lambda done, total, _m: seen.append((done, total)))
    assert result.ok, describe(result.problem)
    assert result.records > 10 and result.ledger_rows > 100
    assert seen[-1][0] == seen[-1][1] and len(seen) > 2


def test_a_ledger_amount_changed_by_plain_sql_is_named(demo):
    entry = scalar(demo, "SELECT max(id) FROM ledger_entries WHERE kind = 'payment'")
    tamper(
        demo,
        "DROP TRIGGER ledger_entries_no_update",
        f"UPDATE ledger_entries SET amount = amount - 100000 WHERE id = {entry}",
    )
    result = check_integrity(demo)
    assert result.problem is not None
    assert result.problem.code == "audit.entry_amount_mismatch"
    assert result.problem.params["id"] == entry
    assert english(result.problem).startswith(f"entry {entry}: amount -MX$")
    assert describe(result.problem, with_field=False).startswith(f"movimiento {entry}: importe -$")


def test_an_allocation_changed_by_plain_sql_is_named(demo):
    line = scalar(demo, "SELECT min(id) FROM ledger_allocations WHERE party <> 'partner'")
    tamper(
        demo,
        "DROP TRIGGER ledger_allocations_no_update",
        f"UPDATE ledger_allocations SET party = 'partner' WHERE id = {line}",
    )
    problem = check_integrity(demo).problem
    assert problem is not None and problem.code == "audit.allocation_mismatch"
    params = problem.params
    assert (params["id"], params["column"], params["value"]) == (line, "party", "partner")


def test_an_entry_inserted_behind_the_apps_back_is_named(demo):
    entry = scalar(demo, "SELECT max(id) FROM ledger_entries")
    tamper(
        demo,
        "INSERT INTO ledger_entries (id, project_id, kind, entry_date, amount, created_at) "
        f"SELECT {entry + 1}, project_id, 'refund', entry_date, -1, created_at "
        f"FROM ledger_entries WHERE id = {entry}",
    )
    problem = check_integrity(demo).problem
    assert problem is not None
    assert (problem.code, problem.params["id"]) == ("audit.entry_unaudited", entry + 1)


@pytest.mark.parametrize(
    ("statement", "column", "value"),
    [
        ("UPDATE stage_changes SET comment = 'otro' WHERE id = {row}", "comment", "otro"),
        # A time SQLite holds with a fraction: the query's conversion keeps it, so it differs.
        (
            "UPDATE stage_changes SET changed_at = '2020-01-02 03:04:05.500000' WHERE id = {row}",
            "changed_at",
            None,
        ),
    ],
)
def test_a_change_deep_in_a_table_the_trail_only_inserted_into_is_named(demo, statement, column, value):
    # stage_changes is written in bulk and never updated: check compares it in one ordered pass.
    row = scalar(demo, "SELECT max(id) FROM stage_changes") - 1
    assert (
        scalar(
            demo, "SELECT count(*) FROM audit_log WHERE table_name = 'stage_changes' AND action <> 'insert'"
        )
        == 0
    )
    tamper(demo, statement.format(row=row))
    problem = check_integrity(demo).problem
    assert problem is not None and problem.code == "audit.row_mismatch"
    assert (problem.params["table"], problem.params["id"], problem.params["column"]) == (
        "stage_changes",
        str(row),
        column,
    )
    if value is not None:
        assert problem.params["value"] == value


def test_the_last_row_of_an_insert_only_table_deleted_or_a_row_added_is_named(demo, tmp_path):
    row = scalar(demo, "SELECT max(id) FROM stage_changes")
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(demo.path, copy)
    tamper(demo, f"DELETE FROM stage_changes WHERE id = {row}")
    problem = check_integrity(demo).problem
    assert problem is not None and (problem.code, problem.params) == (
        "audit.row_missing",
        {"table": "stage_changes", "id": str(row)},
    )
    added = open_database(str(copy))
    try:
        tamper(
            added,
            "INSERT INTO stage_changes (id, project_id, from_stage, to_stage, changed_at, changed_by, comment)"
            f" SELECT {row + 1}, project_id, from_stage, to_stage, changed_at, changed_by, comment"
            f" FROM stage_changes WHERE id = {row}",
        )
        problem = check_integrity(added).problem
        assert problem is not None and (problem.code, problem.params) == (
            "audit.row_unaudited",
            {"table": "stage_changes", "id": str(row + 1)},
        )
    finally:
        added.dispose()


def test_an_audit_record_edited_behind_the_apps_back_is_the_broken_link(demo):
    seq, table, row = (
        sqlite3.connect(demo.path)
        .execute(
            "SELECT seq, table_name, row_id FROM audit_log WHERE row_id IS NOT NULL "
            "AND after NOT LIKE 'zlib+%' ORDER BY seq LIMIT 1 OFFSET 3"
        )
        .fetchone()
    )
    tamper(
        demo,
        "DROP TRIGGER audit_log_no_update",
        # One character more in the stored image: the record no longer matches its hash.
        f"UPDATE audit_log SET after = after || ' ' WHERE seq = {seq}",
    )
    problem = check_integrity(demo).problem
    assert problem is not None and problem.code == "audit.broken_link"
    assert problem.params == {"seq": seq, "table": table, "row": row}
    assert f"audit record {seq} ({table}, row {row})" in english(problem)


def test_records_cut_from_the_end_or_the_middle_are_noticed(demo):
    last = scalar(demo, "SELECT max(seq) FROM audit_log")
    tamper(demo, "DROP TRIGGER audit_log_no_delete", f"DELETE FROM audit_log WHERE seq = {last}")
    problem = check_integrity(demo).problem
    assert problem is not None and problem.code == "audit.head_mismatch"
    tamper(demo, "DELETE FROM audit_log WHERE seq = 5")
    problem = check_integrity(demo).problem
    assert problem is not None and (problem.code, problem.params["expected"], problem.params["seq"]) == (
        "audit.gap",
        5,
        6,
    )


def test_check_can_be_cancelled(demo):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        check_integrity(demo, cancel=token)


def test_a_projects_history_shows_its_stage_changes_with_who_and_when(db):
    with acting_as(Actor("ana", "capturista")):
        club = register_club(db, club_input())
        project = submit_project(db, project_input(club.id), user="ana")
    with acting_as(Actor("rosa", "revisor")):
        move_project(db, project.id, "prevalidado", user="rosa", comment="completo")
    items = history(db, "projects", project.id)
    assert items[0].username == "rosa" and items[0].role == "revisor"
    moves = [i for i in items if i.table == "stage_changes"]
    assert moves[0].action == "insert"
    assert {(c.column, c.after) for c in moves[0].changes} >= {
        ("to_stage", "prevalidado"),
        ("from_stage", "solicitado"),
    }
    stage = next(
        c
        for i in items
        if i.table == "projects" and i.action == "update"
        for c in i.changes
        if c.column == "stage"
    )
    assert (stage.before, stage.after) == ("solicitado", "prevalidado")
    assert any(i.table == "project_shares" for i in items)
    assert check_integrity(db).ok


def test_a_clubs_history_shows_the_fields_an_edit_changed(db):
    club = register_club(db, club_input())
    editable = club_for_edit(db, club.id)
    with acting_as(Actor("beto", "capturista")):
        update_club(db, club.id, replace(club_input(), members=60), expected_version=editable.version)
    latest = history(db, "clubs", club.id)[0]
    assert (latest.action, latest.username) == ("update", "beto")
    assert [(c.column, c.before, c.after) for c in latest.changes] == [("members", 35, 60)]
    assert recent(db, limit=1)[0].seq == latest.seq


@pytest.mark.sqlite_only  # reads the file with sqlite3 behind the app's back
def test_entries_recorded_and_reversed_by_the_services_verify_and_are_compared(db, tmp_path):
    from tests.services.test_ledger import contribute, new_club, signed_project
    from tresxuno.services.ledger import reverse_entry

    project = signed_project(db, tmp_path, club_id=new_club(db).id)
    with acting_as(Actor("tere", "tesorería")):
        entry = contribute(db, project.id, "club", 1_000_00)
        reverse_entry(db, entry.id, reason="depósito duplicado", on=entry.entry_date, user="tere")
    entries = [i for i in history(db, "projects", project.id) if i.table == "ledger_entries"]
    assert [(i.action, i.username, i.role) for i in entries] == [("insert", "tere", "tesorería")] * 2
    assert check_integrity(db).ok
    tamper(
        db,
        "DROP TRIGGER ledger_entries_no_update",
        f"UPDATE ledger_entries SET amount = 2000000 WHERE id = {entry.id}",
    )
    problem = check_integrity(db).problem
    assert (problem.code, problem.params["id"], problem.params["amount"]) == (
        "audit.entry_amount_mismatch",
        entry.id,
        2_000_000,
    )
    assert problem.params["expected"] == 1_000_00
