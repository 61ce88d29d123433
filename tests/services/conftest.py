"""Fixtures for service tests: a private migrated database per test, copied from one template."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tresxuno.db.engine import Database, open_database


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrating and loading the INEGI catalogue once per run keeps each test fast."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    open_database(str(path)).dispose()
    return path


@pytest.fixture
def db(tmp_path: Path, migrated_template: Path) -> Iterator[Database]:
    """An open, migrated database with the INEGI catalogue and nothing else."""
    path = tmp_path / "tresxuno.sqlite"
    shutil.copyfile(migrated_template, path)
    database = open_database(str(path))
    yield database
    database.dispose()
