"""The audit trail on PostgreSQL: triggers, one chain under concurrent writers, tampering named.

Runs only when ``TRESXUNO_TEST_POSTGRES_URL`` names an administrator URL (see test_postgres.py).
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import DatabaseError

from tresxuno.db.engine import Database, open_database
from tresxuno.db.models import Setting

ADMIN_URL = os.environ.get("TRESXUNO_TEST_POSTGRES_URL", "")
if not ADMIN_URL:
    pytest.skip("TRESXUNO_TEST_POSTGRES_URL is not set", allow_module_level=True)


@pytest.fixture
def pg(tmp_path) -> Iterator[Database]:
    pytest.importorskip("psycopg")
    name = f"tresxuno_audit_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    db = open_database(make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False))
    try:
        yield db
    finally:
        db.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


def test_concurrent_writers_keep_one_chain_and_records_are_append_only(pg):
    from tresxuno.services.audit import check_integrity

    def writer(prefix: str) -> None:
        for i in range(20):
            with pg.transaction() as session:
                session.add(Setting(key=f"{prefix}{i}", value="x"))

    before = check_integrity(pg).records  # the upgrade's baseline record of the INEGI catalogue
    threads = [threading.Thread(target=writer, args=(p,)) for p in "abc"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = check_integrity(pg)
    assert result.ok, result.problem
    assert result.records == before + 60
    with pytest.raises(DatabaseError, match="append-only"), pg.transaction() as session:
        session.execute(text("UPDATE audit_log SET username = 'x' WHERE seq = 1"))


def test_a_ledger_amount_changed_behind_the_apps_back_is_named(pg):
    from tresxuno.demo.projects import generate_demo
    from tresxuno.services.audit import check_integrity

    generate_demo(pg, projects=40, seed=3)
    assert check_integrity(pg).ok
    with pg.engine.begin() as connection:
        entry = connection.execute(text("SELECT max(id) FROM ledger_entries")).scalar()
        connection.exec_driver_sql("ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only")
        connection.execute(
            text("UPDATE ledger_entries SET amount = amount + 1 WHERE id = :id"), {"id": entry}
        )
    problem = check_integrity(pg).problem
    assert problem is not None
    assert (problem.code, problem.params["id"]) == ("audit.entry_amount_mismatch", entry)
