"""Fixtures for the database ring: every test gets its own migrated database (SQLite file or PostgreSQL).

On PostgreSQL (see ``tests/backends.py``) tests that need the SQLite file itself (``db_path``) are skipped.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backends import ON_POSTGRES, postgres_copy, postgres_template
from tresxuno.db.engine import Database, open_database


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's data folder (and so the default database) lives in this test's temporary folder."""
    monkeypatch.setenv("TRESXUNO_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One freshly migrated database with the catalogue, copied by each test that needs one."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    open_database(str(path)).dispose()  # dispose checkpoints the WAL: the main file is complete
    return path


@pytest.fixture(scope="session")
def postgres_template_name() -> Iterator[str]:
    """The migrated PostgreSQL template of this run."""
    with postgres_template() as name:
        yield name


@pytest.fixture
def db_path(tmp_path: Path, migrated_template: Path) -> Path:
    """A private copy of the migrated template."""
    if ON_POSTGRES:
        pytest.skip("about the SQLite file; this run is on PostgreSQL")
    path = tmp_path / "tresxuno.sqlite"
    shutil.copyfile(migrated_template, path)
    return path


@pytest.fixture
def db(request: pytest.FixtureRequest) -> Iterator[Database]:
    """An open, migrated database with the INEGI catalogue."""
    if ON_POSTGRES:
        with postgres_copy(request.getfixturevalue("postgres_template_name")) as url:
            database = open_database(url)
            yield database
            database.dispose()
        return
    database = open_database(str(request.getfixturevalue("db_path")))
    yield database
    database.dispose()
