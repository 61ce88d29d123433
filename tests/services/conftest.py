"""Fixtures for service tests: a private migrated database per test, copied from one template.

With ``TRESXUNO_TEST_BACKEND=postgres`` the template and its copies are PostgreSQL databases
(see ``tests/backends.py``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backends import ON_POSTGRES, postgres_copy, postgres_template
from tresxuno.db.engine import Database, open_database


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrating and loading the INEGI catalogue once per run keeps each test fast."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    open_database(str(path)).dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template_name() -> Iterator[str]:
    """The migrated PostgreSQL template of this run."""
    with postgres_template() as name:
        yield name


@pytest.fixture
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An open, migrated database with the INEGI catalogue and nothing else."""
    if ON_POSTGRES:
        with postgres_copy(request.getfixturevalue("postgres_template_name")) as url:
            database = open_database(url)
            yield database
            database.dispose()
        return
    migrated_template = request.getfixturevalue("migrated_template")
    path = tmp_path / "tresxuno.sqlite"
    shutil.copyfile(migrated_template, path)
    database = open_database(str(path))
    yield database
    database.dispose()
