"""Which database back end the db and services suites run on, and fresh PostgreSQL databases for them.

``TRESXUNO_TEST_BACKEND=postgres`` (with ``TRESXUNO_TEST_POSTGRES_URL``, an administrator URL such as
``postgresql+psycopg://postgres@127.0.0.1:54329/postgres``) makes the ``db`` fixture of ``tests/db`` and
``tests/services`` a PostgreSQL database: one migrated template per run, copied by ``CREATE DATABASE
... TEMPLATE`` for each test (a file copy on the server, as quick as copying the SQLite template).
Tests that are about SQLite files themselves carry the ``sqlite_only`` mark and are skipped there.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, make_url

from tresxuno.db.engine import open_database

ADMIN_URL = os.environ.get("TRESXUNO_TEST_POSTGRES_URL", "")
ON_POSTGRES = os.environ.get("TRESXUNO_TEST_BACKEND", "sqlite") == "postgres"
if ON_POSTGRES and not ADMIN_URL:
    raise RuntimeError("TRESXUNO_TEST_BACKEND=postgres needs TRESXUNO_TEST_POSTGRES_URL")


def _admin() -> Engine:
    return create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")


def _url_of(name: str) -> str:
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@contextmanager
def postgres_template() -> Iterator[str]:
    """A migrated database with the catalogue, for the run; yields its name."""
    name = f"tresxuno_tpl_{uuid.uuid4().hex[:10]}"
    admin = _admin()
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        open_database(_url_of(name)).dispose()
        yield name
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def postgres_copy(template: str) -> Iterator[str]:
    """A private copy of ``template`` for one test, dropped afterwards; yields its URL."""
    name = f"tresxuno_t_{uuid.uuid4().hex[:12]}"
    admin = _admin()
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield _url_of(name)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
