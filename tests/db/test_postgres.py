"""The same schema and repositories on PostgreSQL (run only when a server is given).

Set ``TRESXUNO_TEST_POSTGRES_URL`` to an administrator URL such as
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``; each run creates and drops its own database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import IntegrityError

from tresxuno.db.engine import HEAD_REVISION, Database, open_database
from tresxuno.db.models import Club
from tresxuno.db.repos import ProjectFilters, ProjectRepository

from . import factories

ADMIN_URL = os.environ.get("TRESXUNO_TEST_POSTGRES_URL", "")
if not ADMIN_URL:
    pytest.skip("TRESXUNO_TEST_POSTGRES_URL is not set", allow_module_level=True)


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """A new, empty database on the server, dropped afterwards."""
    pytest.importorskip("psycopg")
    name = f"tresxuno_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def pg_db(pg_url: str) -> Iterator[Database]:
    database = open_database(pg_url)
    yield database
    database.dispose()


def test_migrates_and_loads_the_catalogue(pg_db):
    assert pg_db.engine.dialect.name == "postgresql" and pg_db.path is None
    with pg_db.session() as session:
        assert session.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION
        assert session.execute(text("SELECT count(*) FROM municipalities")).scalar() == 2478


def test_migration_and_models_agree(pg_db):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from tresxuno.db.models import Base

    with pg_db.engine.connect() as connection:
        opts = {"compare_type": True, "compare_server_default": True}
        assert compare_metadata(MigrationContext.configure(connection, opts=opts), Base.metadata) == []


def test_reopening_does_nothing(pg_url, monkeypatch):
    open_database(pg_url).dispose()
    # A server's database at this release is opened by every desk at every start: no migration and
    # no replay of the trail (which took 27 s on a 30,000-project server).
    from tresxuno.db import engine

    def no_upgrade(_database):
        raise AssertionError("an up-to-date database was upgraded again")

    monkeypatch.setattr(engine, "_upgrade", no_upgrade)
    database = open_database(pg_url)
    with database.session() as session:
        assert session.execute(text("SELECT count(*) FROM states")).scalar() == 32
    database.dispose()


def test_constraints_and_search(pg_db):
    with pg_db.transaction() as session:
        rule = factories.rule_set(session)
        club = factories.club(session, "Club Hermanos Cosío", municipality_key="01004")
        for year in (2016, 2017):
            folio = ProjectRepository.next_folio(session, year, "01004", program="3x1")
            factories.project(session, club_row=club, rule=rule, folio=folio, municipality_key="01004")
    with pg_db.session() as session:
        assert ProjectRepository.count(session, ProjectFilters(text="COSÍO")) == 2
        assert ProjectRepository.count(session, ProjectFilters(text="100%")) == 0
        page = ProjectRepository.page(session, sort_key="cost", descending=True, limit=10)
        assert [p.folio for p in page] == ["3X1-2017-01004-0001", "3X1-2016-01004-0001"]
    with pytest.raises(IntegrityError), pg_db.transaction() as session:
        session.get(Club, club.id).home_municipality_key = "01999"
    with pytest.raises(IntegrityError, match="cost_positive"), pg_db.transaction() as session:
        factories.project(session, club_row=club, rule=rule, municipality_key="01004", cost=-4)
