"""Opening databases: URLs, pragmas, migration, refusal of unknown or foreign files, speed."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

import tresxuno
from tresxuno.db.engine import (
    HEAD_REVISION,
    Database,
    database_url,
    open_database,
    storage_error_for,
)
from tresxuno.db.models import Club, Municipality, Setting, State
from tresxuno.domain.problems import StorageError

from . import factories


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def scalar(db: Database, sql: str) -> object:
    with db.session() as session:
        return session.execute(text(sql)).scalar()


# --- database_url -----------------------------------------------------------------------------


def test_database_url_none_is_the_default_sqlite_file(tmp_path):
    assert database_url(None) == f"sqlite:///{tmp_path.resolve() / 'tresxuno.sqlite'}"
    assert database_url("  ") == database_url(None)


def test_database_url_keeps_urls():
    url = "postgresql+psycopg://oficina@192.168.1.10/tresxuno"
    assert database_url(url) == url
    assert database_url("sqlite:///relative.db") == "sqlite:///relative.db"


def test_database_url_makes_paths_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert database_url("demo.sqlite") == f"sqlite:///{tmp_path.resolve() / 'demo.sqlite'}"
    assert (
        database_url("datos/año 2016.sqlite")
        == f"sqlite:///{tmp_path.resolve() / 'datos' / 'año 2016.sqlite'}"
    )


# --- a new database -----------------------------------------------------------------------------


def test_new_database_is_created_migrated_and_catalogued(tmp_path):
    db = open_database()
    try:
        assert db.engine.dialect.name == "sqlite"
        assert db.path == (tmp_path / "tresxuno.sqlite").resolve()
        assert db.path.exists()
        assert db.url == f"sqlite:///{db.path}"
        assert scalar(db, "SELECT version_num FROM alembic_version") == HEAD_REVISION
        assert scalar(db, "SELECT count(*) FROM states") == 32
        assert scalar(db, "SELECT count(*) FROM municipalities") == 2478
    finally:
        db.dispose()


def test_parent_folders_are_created(tmp_path):
    db = open_database(str(tmp_path / "oficina" / "datos" / "tresxuno.sqlite"))
    db.dispose()
    assert (tmp_path / "oficina" / "datos" / "tresxuno.sqlite").is_file()


@pytest.mark.sqlite_only
def test_every_connection_gets_the_pragmas(db):
    # Two sessions at once force a second pooled connection.
    with db.session() as first, db.session() as second:
        for session in (first, second):
            pragmas = {
                name: session.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("foreign_keys", "journal_mode", "busy_timeout", "synchronous")
            }
            assert pragmas == {
                "foreign_keys": 1,
                "journal_mode": "wal",
                "busy_timeout": 10000,
                "synchronous": 2,
            }


def test_catalogue_names_match_the_census(db):
    with db.session() as session:
        zacatecas = session.get(State, "32")
        assert (zacatecas.name, zacatecas.abbrev) == ("Zacatecas", "Zac.")
        capital = session.get(Municipality, "32056")
        assert (capital.name, capital.state_key, capital.code) == ("Zacatecas", "32", "056")
        assert (capital.population, capital.dwellings) == (149607, 42424)
        jerez = session.get(Municipality, "32020")
        assert (jerez.name, jerez.seat) == ("Jerez", "Jerez de García Salinas")
        assert not jerez.added_by_admin
        # Mexico City's boroughs have no seat in the catalogue.
        assert session.get(Municipality, "09002").seat == ""


# --- reopening --------------------------------------------------------------------------------


def test_reopening_is_idempotent_and_fast(db_path):
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        db = open_database(str(db_path))
        assert scalar(db, "SELECT version_num FROM alembic_version") == HEAD_REVISION
        timings.append(time.perf_counter() - started)
        assert scalar(db, "SELECT count(*) FROM municipalities") == 2478
        db.dispose()
    assert min(timings) < 0.15, timings


def test_opening_an_up_to_date_file_does_not_load_alembic(db_path):
    code = (
        "import sys, time\n"
        "from tresxuno.db.engine import open_database\n"
        "started = time.perf_counter()\n"
        f"db = open_database({str(db_path)!r})\n"
        "with db.session() as s: s.execute(__import__('sqlalchemy').text('SELECT 1'))\n"
        "print(time.perf_counter() - started, 'alembic' in sys.modules)\n"
    )
    checkout = Path(tresxuno.__file__).resolve().parent.parent  # importable even if not installed
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=checkout
    )
    seconds, alembic_loaded = result.stdout.split()
    assert alembic_loaded == "False"
    assert float(seconds) < 0.15


def test_head_revision_is_alembics_head():
    from alembic.script import ScriptDirectory

    from tresxuno.db.engine import _alembic_config

    assert ScriptDirectory.from_config(_alembic_config()).get_heads() == [HEAD_REVISION]


def test_a_downgraded_database_is_upgraded_again(db_path):
    from alembic import command

    from tresxuno.db.engine import _alembic_config, make_engine

    engine = make_engine(f"sqlite:///{db_path}")
    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "base")
    engine.dispose()
    db = open_database(str(db_path))
    try:
        assert scalar(db, "SELECT version_num FROM alembic_version") == HEAD_REVISION
        assert scalar(db, "SELECT count(*) FROM municipalities") == 2478
    finally:
        db.dispose()


# --- refusals ---------------------------------------------------------------------------------


def _stamp(path: Path, revision: str) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    connection.close()


def test_a_newer_database_is_refused_and_left_untouched(db_path):
    _stamp(db_path, "0042_from_the_future")
    before = sha256(db_path)
    with pytest.raises(StorageError) as caught:
        open_database(str(db_path))
    assert caught.value.code == "db.too_new"
    assert caught.value.params == {"revision": "0042_from_the_future", "app_version": tresxuno.__version__}
    assert sha256(db_path) == before


def test_a_newer_database_in_rollback_journal_mode_is_not_switched_to_wal(tmp_path):
    # Setting WAL would rewrite the file header; a refused file must stay byte for byte the same.
    path = tmp_path / "future.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version VALUES ('0099_newer')")
        connection.execute("CREATE TABLE projects (id INTEGER PRIMARY KEY)")
    connection.close()
    before = sha256(path)
    with pytest.raises(StorageError) as caught:
        open_database(str(path))
    assert caught.value.code == "db.too_new"
    assert sha256(path) == before


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "informe.sqlite"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    before = sha256(path)
    with pytest.raises(StorageError) as caught:
        open_database(str(path))
    assert caught.value.code == "db.not_a_database"
    assert caught.value.params == {"path": str(path.resolve())}
    assert sha256(path) == before


def test_another_applications_database_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    connection.close()
    with pytest.raises(StorageError) as caught:
        open_database(str(path))
    assert caught.value.code == "db.foreign_schema"
    assert caught.value.params["tables"] == ["invoices"]


def test_create_false_refuses_a_missing_file(tmp_path):
    path = tmp_path / "missing.sqlite"
    with pytest.raises(StorageError) as caught:
        open_database(str(path), create=False)
    assert caught.value.code == "db.not_found"
    assert not path.exists()


def test_migrate_false_leaves_the_schema_alone(tmp_path):
    db = open_database(str(tmp_path / "empty.sqlite"), migrate=False)
    try:
        assert scalar(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'") == 0
    finally:
        db.dispose()


# --- schema ---------------------------------------------------------------------------------


def test_migration_and_models_agree(db):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from tresxuno.db.models import Base

    with db.engine.connect() as connection:
        # Server defaults are compared in test_postgres.py: SQLite reflects '' as "''" and would
        # report every empty-string default as changed.
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
        if connection.dialect.name == "sqlite":
            # 0016 widens the trail's role column on PostgreSQL only: SQLite enforces no length, and
            # the append-only trail is not rebuilt for a length it would not check.
            differences = [
                d
                for d in differences
                if not (isinstance(d, list) and d[0][:4] == ("modify_type", None, "audit_log", "role"))
            ]
        assert differences == []


def test_foreign_keys_are_enforced(db):
    with pytest.raises(IntegrityError, match=r"(?i)foreign key"), db.transaction() as session:
        club = factories.club(session)
        club.home_municipality_key = "32999"  # no such municipality in Zacatecas
        session.flush()


def test_check_constraints_guard_money_columns(db):
    with db.transaction() as session:
        rule = factories.rule_set(session)
        club = factories.club(session)
    with pytest.raises(IntegrityError, match="cost_positive"), db.transaction() as session:
        factories.project(session, club_row=club, rule=rule, cost=0)
    with pytest.raises(IntegrityError, match="percent_bp_range"), db.transaction() as session:
        project = factories.project(session, club_row=club, rule=rule)
        project.shares[0].percent_bp = 10_001
        session.flush()


def test_concurrent_edits_of_a_club_are_detected(db):
    with db.transaction() as session:
        club_id = factories.club(session).id
    # An officer opens the club (the session ends, the row stays readable) ...
    with db.session() as session:
        mine = session.get(Club, club_id)
    # ... someone else saves a change meanwhile ...
    with db.transaction() as session:
        session.get(Club, club_id).members = 30
    # ... and the officer's save is refused instead of overwriting it.
    with pytest.raises(StaleDataError), db.transaction() as session:
        mine = session.merge(mine, load=False)
        mine.members = 40
    with db.session() as session:
        assert session.get(Club, club_id).members == 30


@pytest.mark.sqlite_only
def test_writing_after_a_stale_read_is_refused_not_applied(db):
    with db.transaction() as session:
        club_id = factories.club(session).id
    with pytest.raises(StorageError) as caught, db.transaction() as first:
        first.get(Club, club_id)  # the snapshot starts here
        with db.transaction() as second:
            second.get(Club, club_id).members = 30
        first.add(Setting(key="office.name", value="Presidencia"))
    assert caught.value.code == "db.locked"


def test_transaction_rolls_back_everything_on_error(db):
    with pytest.raises(RuntimeError), db.transaction() as session:
        session.add(Setting(key="office.name", value="Presidencia Municipal"))
        session.flush()
        raise RuntimeError("boom")
    with db.session() as session:
        assert session.scalars(select(Setting)).all() == []


def test_transaction_keeps_objects_readable_after_commit(db):
    with db.transaction() as session:
        setting = Setting(key="office.name", value="Presidencia Municipal de Jerez")
        session.add(setting)
    assert setting.value == "Presidencia Municipal de Jerez"


def test_driver_errors_map_to_storage_errors():
    def error(message: str) -> OperationalError:
        return OperationalError("INSERT ...", {}, sqlite3.OperationalError(message))

    assert storage_error_for(error("database is locked")).code == "db.locked"
    assert storage_error_for(error("attempt to write a readonly database")).code == "db.read_only"
    assert storage_error_for(error("database or disk is full")).code == "db.disk_full"
    assert storage_error_for(error("no such table: projects")) is None


@pytest.mark.sqlite_only
def test_a_locked_database_raises_storage_error(db):
    # Wait 50 ms instead of 10 s for the lock: a listener added later runs after tresxuno's own.
    event.listen(db.engine, "connect", lambda dbapi, _record: dbapi.execute("PRAGMA busy_timeout=50"))
    db.dispose()
    blocker = sqlite3.connect(db.path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        # Readers are not blocked by a writer (WAL) ...
        with db.transaction() as session:
            assert session.scalar(select(State.name).where(State.key == "32")) == "Zacatecas"
        # ... but writers are, and an immediate transaction asks for the write lock up front.
        with pytest.raises(StorageError) as caught, db.transaction() as session:
            session.add(Setting(key="office.name", value="Presidencia"))
        assert caught.value.code == "db.locked"
        with pytest.raises(StorageError) as caught, db.transaction(immediate=True) as session:
            session.scalar(select(State.name).where(State.key == "32"))
        assert caught.value.code == "db.locked"
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    with db.transaction(immediate=True) as session:
        session.add(Setting(key="office.name", value="Presidencia"))


@pytest.mark.sqlite_only
def test_constraint_names_are_not_prefixed_twice(db):
    with db.session() as session:
        ddl = "\n".join(
            session.execute(text("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")).scalars()
        )
    assert "CONSTRAINT ck_projects_cost_positive CHECK" in ddl
    assert "ck_projects_ck_" not in ddl


def test_a_failed_first_migration_leaves_no_half_built_schema(tmp_path, monkeypatch):
    def broken(session):
        raise RuntimeError("catalogue unreadable")

    monkeypatch.setattr("tresxuno.db.catalogue.load_inegi", broken)
    path = tmp_path / "half.sqlite"
    with pytest.raises(RuntimeError, match="catalogue unreadable"):
        open_database(str(path))
    # DDL ran inside the same transaction as the catalogue load, so it was rolled back too.
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
    connection.close()
    monkeypatch.undo()
    open_database(str(path)).dispose()  # and the next attempt starts clean


def test_sessions_work_from_worker_threads(db):
    from concurrent.futures import ThreadPoolExecutor

    def write(n: int) -> None:
        with db.transaction(immediate=True) as session:
            session.add(Setting(key=f"worker.{n}", value=str(n)))

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, range(20)))
    with db.session() as session:
        assert len(session.scalars(select(Setting)).all()) == 20
