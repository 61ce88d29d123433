"""Opening a database from an older release: backed up first, migrated to head, every total unchanged."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.totals import database_totals
from tresxuno import paths
from tresxuno.db.engine import HEAD_REVISION, open_database
from tresxuno.services.backups import automatic_backups

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "db"
RELEASED = sorted(p.stem for p in FIXTURES.glob("*.sqlite"))


def _revision(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def _checked(path: Path) -> Any:
    """``check`` on the file at ``path``, read-only: its result."""
    from tresxuno.db.engine import open_read_only
    from tresxuno.services.audit import check_integrity

    db = open_read_only(str(path))
    try:
        return check_integrity(db)
    finally:
        db.dispose()


def test_there_is_a_fixture_of_every_released_schema():
    assert RELEASED[:3] == ["0001_initial", "0002_ledger", "0003_covam_progress"]


@pytest.mark.parametrize("revision", RELEASED)
def test_an_old_database_is_backed_up_then_migrated_with_every_total_kept(tmp_path, revision):
    path = tmp_path / "oficina.sqlite"
    shutil.copyfile(FIXTURES / f"{revision}.sqlite", path)
    assert _revision(path) == revision
    before = database_totals(path)
    assert before["projects by stage"] and before["shares by project"]

    open_database(str(path)).dispose()

    assert _revision(path) == HEAD_REVISION  # read from the code: later migrations keep this test valid
    after = database_totals(path)
    assert {name: after[name] for name in before} == before
    backups = automatic_backups(path, paths.backups_dir())
    if revision == HEAD_REVISION:
        assert backups == []  # nothing to migrate, nothing to back up
    else:
        assert len(backups) == 1 and f"before-upgrade-from-{revision}" in backups[0].name
        assert _revision(backups[0]) == revision
        assert database_totals(backups[0]) == before


def test_an_old_database_is_not_migrated_when_no_backup_can_be_made(tmp_path, monkeypatch):
    from tresxuno.domain.problems import StorageError

    path = tmp_path / "oficina.sqlite"
    shutil.copyfile(FIXTURES / "0001_initial.sqlite", path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the backups folder should be")
    monkeypatch.setattr(paths, "backups_dir", lambda: blocker / "backups")
    with pytest.raises(StorageError) as caught:
        open_database(str(path))
    assert caught.value.code == "db.backup_failed"
    assert _revision(path) == "0001_initial"


@pytest.mark.parametrize("revision", RELEASED)
def test_an_upgrade_seals_the_rows_from_before_the_trail_so_check_passes_then_sees_tampering(
    tmp_path, revision
):

    path = tmp_path / "oficina.sqlite"
    shutil.copyfile(FIXTURES / f"{revision}.sqlite", path)
    open_database(str(path)).dispose()
    result = _checked(path)
    if revision == "0001_initial":
        # 0002 added allocation lines without splitting the entries already recorded: a ledger
        # invariant fails, but nothing is missing from or different to the trail.
        assert result.problem is not None and result.problem.code == "ledger.lines_differ"
    else:
        # Old releases attributed payments by shares, so a party may sit a centavo below zero: the
        # check names that (money the auditor must see), while the trail itself matches.
        assert result.ok or result.problem.code == "check.party_negative", result.problem
    assert result.ledger_rows > 0
    with sqlite3.connect(path) as connection:
        baseline = connection.execute("SELECT count(*) FROM audit_log WHERE subject = 'baseline'").fetchone()[
            0
        ]
        assert baseline > 3
        # The attack: a payment recorded by the old release, changed with sqlite3 after the upgrade.
        entry = connection.execute("SELECT min(id) FROM ledger_entries WHERE kind = 'payment'").fetchone()[0]
        connection.execute("DROP TRIGGER ledger_entries_no_update")
        connection.execute(f"UPDATE ledger_entries SET amount = amount - 100 WHERE id = {entry}")
    connection.close()
    problem = _checked(path).problem
    assert problem is not None and (problem.code, problem.params["id"]) == (
        "audit.entry_amount_mismatch",
        entry,
    )
    from tests.e2e.test_cli import run

    result = run("--db", str(path), "--lang", "en", "check")
    assert result.returncode == 1 and f"entry {entry}: amount " in result.stderr


def test_a_second_upgrade_seals_nothing_new(tmp_path):
    from tresxuno.db.audit import seal_baseline

    path = tmp_path / "oficina.sqlite"
    shutil.copyfile(FIXTURES / "0002_ledger.sqlite", path)
    db = open_database(str(path))
    try:
        with db.engine.begin() as connection:
            assert seal_baseline(connection) == 0
    finally:
        db.dispose()


@pytest.mark.parametrize("revision", RELEASED)
def test_check_never_upgrades_and_says_how_to(tmp_path, revision):
    import hashlib

    from tests.e2e.test_cli import run

    path = tmp_path / "oficina.sqlite"
    shutil.copyfile(FIXTURES / f"{revision}.sqlite", path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = run("--db", str(path), "--lang", "en", "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"older version of tresxuno ({revision})" in result.stderr and "upgrades it" in result.stderr
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert _revision(path) == revision and not paths.backups_dir().exists()


def test_check_reads_an_up_to_date_database_without_writing_it(tmp_path):
    import hashlib

    from tests.e2e.test_cli import run

    path = tmp_path / "oficina.sqlite"
    shutil.copyfile(FIXTURES / "0003_covam_progress.sqlite", path)
    open_database(str(path)).dispose()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = run("--db", str(path), "--lang", "en", "check")
    # The 0003 release attributed payments by shares: a club sits $0.01 below zero, which check names.
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0 or "less than nothing" in result.stderr
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def _audited_rows_at(path: Path, revision: str) -> None:
    """A database at ``revision`` holding a user and an official the trail recorded with that release's columns."""
    from datetime import date, datetime

    from sqlalchemy import MetaData, Table, insert

    from tresxuno.db import audit
    from tresxuno.db.engine import make_engine, migrate_empty_sqlite, sqlite_url

    migrate_empty_sqlite(path, revision)
    engine = make_engine(sqlite_url(path))
    try:
        with engine.begin() as connection:
            rows = {
                "users": {
                    "id": 1,
                    "username": "admin",
                    "role": "administrador",
                    "password_hash": "x",
                    "active": True,
                    "failed_attempts": 0,
                    "created_at": datetime(2026, 1, 5, 9, 0),
                },
                "officials": {
                    "id": 1,
                    "post": "sindico",
                    "person_name": "Rosa Elena Martínez Ruiz",
                    "starts_on": date(2024, 9, 15),
                    "created_at": datetime(2026, 1, 5, 9, 0),
                },
            }
            for name, row in rows.items():
                table = Table(name, MetaData(), autoload_with=connection)  # that release's columns
                connection.execute(insert(table), [row])
                audit.audit_bulk_insert(connection, table, [row])
    finally:
        engine.dispose()


def test_columns_a_later_release_adds_keep_check_clean_and_a_value_set_behind_the_app_is_named(tmp_path):
    """0025 and 0029 add ``users.office_id`` and ``officials.office_id``: rows audited before them must still verify.

    An office upgrading its file must not be told its trail was tampered with; a value written
    into the new column with plain SQL afterwards must still be caught.
    """
    path = tmp_path / "oficina.sqlite"
    _audited_rows_at(path, "0024_ledger_running_index")
    open_database(str(path), backup_before_upgrade=False).dispose()
    assert _revision(path) == HEAD_REVISION
    result = _checked(path)
    assert result.ok, result.problem
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE officials SET office_id = 7 WHERE id = 1")  # another office's signer
    connection.close()
    problem = _checked(path).problem
    assert problem is not None
    assert (problem.code, problem.params["table"], problem.params["column"]) == (
        "audit.row_mismatch",
        "officials",
        "office_id",
    )
