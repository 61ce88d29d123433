"""Restoring a doctored backup: every file below was refused, and the database stayed byte for byte.

Each test plays the hostile insider: take a real backup, change it with ``sqlite3`` (as anyone with
the file can), restore it, and expect a refusal that names why, the current database unchanged
(sha256 of the file) and not even a safety copy made.
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tresxuno.db.engine import HEAD_REVISION
from tresxuno.demo.projects import generate_demo
from tresxuno.domain.problems import StorageError
from tresxuno.i18n import set_language
from tresxuno.messages import describe_storage
from tresxuno.services.backups import automatic_backups, backup_database, restore_database

pytestmark = pytest.mark.sqlite_only


@pytest.fixture(autouse=True)
def _english():
    set_language("en")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def office(db, tmp_path):
    """A demo database (closed) and a sound backup of it, to be doctored."""
    generate_demo(db, projects=12, seed=3)
    backup = backup_database(db, tmp_path / "respaldo.sqlite")
    db.dispose()
    return db.path, backup


def _sql(*statements: str) -> Callable[[Path], None]:
    def doctor(path: Path) -> None:
        connection = sqlite3.connect(path)
        try:
            for statement in statements:
                connection.execute(statement)
            connection.commit()
        finally:
            connection.close()

    return doctor


def _four_tables(path: Path) -> None:
    """The file of the original attack: the four table names restore used to look for, and a revision."""
    path.unlink()
    _sql(
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
        f"INSERT INTO alembic_version VALUES ('{HEAD_REVISION}')",
        "CREATE TABLE projects (id INTEGER PRIMARY KEY)",
        "CREATE TABLE clubs (id INTEGER PRIMARY KEY)",
        "CREATE TABLE states (key TEXT PRIMARY KEY)",
    )(path)


def _edited_amount(path: Path) -> None:
    """Drop the append-only trigger, raise a payment, put the very same trigger back: schema intact."""
    connection = sqlite3.connect(path)
    try:
        (trigger,) = connection.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'ledger_entries_no_update'"
        ).fetchone()
        connection.execute("DROP TRIGGER ledger_entries_no_update")
        connection.execute(
            "UPDATE ledger_entries SET amount = amount * 10 WHERE id = (SELECT MIN(id) FROM ledger_entries)"
        )
        connection.execute(trigger)
        connection.commit()
    finally:
        connection.close()


ATTACKS = [
    pytest.param(_four_tables, "restore.schema_missing", id="four-right-table-names"),
    pytest.param(
        _sql("DROP TRIGGER ledger_entries_no_update", "DROP TRIGGER ledger_entries_no_delete"),
        "restore.schema_missing",
        id="append-only-triggers-dropped",
    ),
    pytest.param(
        _sql(
            "CREATE TRIGGER steal AFTER INSERT ON ledger_entries BEGIN "
            "UPDATE projects SET cost = cost * 2 WHERE id = NEW.project_id; END"
        ),
        "restore.schema_extra",
        id="extra-after-insert-trigger",
    ),
    pytest.param(
        _sql("CREATE TABLE notas (id INTEGER PRIMARY KEY)"), "restore.schema_extra", id="extra-table"
    ),
    pytest.param(_sql("CREATE INDEX ix_quick ON projects (cost)"), "restore.schema_extra", id="extra-index"),
    pytest.param(_sql("CREATE VIEW v AS SELECT 1"), "restore.schema_extra", id="extra-view"),
    pytest.param(
        _sql("ALTER TABLE projects ADD COLUMN bonus INTEGER"), "restore.schema_differs", id="extra-column"
    ),
    pytest.param(_sql("DROP INDEX ix_audit_log_subject"), "restore.schema_missing", id="index-dropped"),
    pytest.param(
        _sql("INSERT INTO alembic_version VALUES ('0001_initial')"),
        "restore.schema_differs",
        id="two-revisions",
    ),
    pytest.param(_edited_amount, "restore.audit_failed", id="amount-edited-behind-the-trail"),
    pytest.param(
        _sql(
            "DROP TRIGGER audit_log_no_delete",
            "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)",
            "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'x'); END",
        ),
        "restore.schema_differs",
        id="trigger-rewritten",
    ),
]


@pytest.mark.parametrize(("doctor", "code"), ATTACKS)
def test_a_doctored_backup_is_refused_and_the_database_is_untouched(office, doctor, code):
    current, backup = office
    doctor(backup)
    before = sha256(current)
    with pytest.raises(StorageError) as refused:
        restore_database(current, backup)
    assert refused.value.code == code
    message = describe_storage(refused.value)
    assert str(backup) in message and "nothing was restored" in message
    assert sha256(current) == before
    assert automatic_backups(current) == []  # refused before even the safety copy


def test_the_refusal_names_what_was_altered(office):
    current, backup = office
    _sql("DROP TRIGGER ledger_entries_no_update")(backup)
    with pytest.raises(StorageError) as refused:
        restore_database(current, backup)
    assert refused.value.params["name"] == "ledger_entries_no_update"
    assert "trigger ledger_entries_no_update" in describe_storage(refused.value)


def test_the_audit_refusal_says_which_row_differs(office):
    current, backup = office
    _edited_amount(backup)
    with pytest.raises(StorageError) as refused:
        restore_database(current, backup)
    assert "fails the audit trail check" in describe_storage(refused.value)
    assert refused.value.params["detail"]


def test_a_sound_backup_is_restored_and_the_safety_copy_is_named(office):
    current, backup = office
    result = restore_database(current, backup)
    assert result.safety_copy is not None and result.safety_copy.exists()
    assert result.safety_copy.name.endswith("-before-restore.sqlite")
    assert sha256(current) != ""  # opened again by the next test step without complaint


@pytest.mark.parametrize(("doctor", "code"), [ATTACKS[1], ATTACKS[2]])
def test_the_cli_refuses_a_doctored_backup_with_exit_1(office, doctor, code, tmp_path):
    current, backup = office
    doctor(backup)
    before = sha256(current)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tresxuno",
            "--lang",
            "en",
            "--db",
            str(current),
            "restore",
            str(backup),
            "--yes",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "nothing was restored" in result.stderr and "trigger" in result.stderr
    assert sha256(current) == before


def test_the_cli_names_the_safety_copy(office):
    current, backup = office
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tresxuno",
            "--lang",
            "en",
            "--db",
            str(current),
            "restore",
            str(backup),
            "--yes",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (copy,) = automatic_backups(current)
    assert str(copy) in result.stdout
