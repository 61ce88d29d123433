"""Opening a database from an older release: backed up first, migrated to head, every total unchanged."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

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
