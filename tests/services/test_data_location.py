"""Moving the data folder: everything copied and verified before the switch; a failure changes nothing."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from tests.totals import database_totals
from tresxuno import paths
from tresxuno.demo.projects import generate_demo
from tresxuno.domain.problems import StorageError
from tresxuno.services import data_location
from tresxuno.services.data_location import move_data_folder
from tresxuno.services.progress import Cancelled, CancelToken

# Files on disk: SQLite databases and data folders (a PostgreSQL server is backed up by its owner).
pytestmark = pytest.mark.sqlite_only


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(("-wal", "-shm"))
    }


@pytest.fixture
def data(tmp_path, db, monkeypatch):
    """A data folder with the demo database, two attachments, a logo and a backup; no TRESXUNO_DATA_DIR."""
    folder = tmp_path / "old"
    folder.mkdir()
    generate_demo(db, projects=10, seed=3)
    db.dispose()
    database = folder / "tresxuno.sqlite"
    shutil.copyfile(db.path, database)
    (folder / "attachments" / "1").mkdir(parents=True)
    (folder / "attachments" / "1" / "acta.pdf").write_bytes(b"%PDF-1.4 acta" * 1000)
    (folder / "attachments" / "1" / "fotos.zip").write_bytes(bytes(range(256)) * 400)
    (folder / "logos").mkdir()
    (folder / "logos" / "escudo.png").write_bytes(b"\x89PNG logo")
    (folder / "backups").mkdir()
    shutil.copyfile(database, folder / "backups" / "tresxuno-20260101-120000.sqlite")
    monkeypatch.delenv("TRESXUNO_DATA_DIR")
    monkeypatch.setattr(paths, "default_data_dir", lambda: folder)
    return folder, database


def test_moving_copies_everything_verified_then_switches(data, tmp_path):
    folder, database = data
    before = _snapshot(folder)
    steps = []
    result = move_data_folder(
        tmp_path / "new" / "tresxuno", database=database, progress=lambda d, t, m: steps.append((d, t))
    )
    target = tmp_path / "new" / "tresxuno"
    assert paths.user_data_dir() == target == result.folder
    assert result.database == target / "tresxuno.sqlite" and result.files == 5
    assert database_totals(result.database) == database_totals(database)
    after = _snapshot(target)
    assert {k: v for k, v in after.items() if k != "tresxuno.sqlite"} == {
        k: v for k, v in before.items() if k != "tresxuno.sqlite"
    }
    assert _snapshot(folder) == before  # the old folder is left as it was
    assert steps[-1] == (5, 5)


def test_moving_back_to_the_default_forgets_the_setting(data, tmp_path):
    folder, database = data
    elsewhere = tmp_path / "elsewhere"
    move_data_folder(elsewhere, database=database)
    shutil.rmtree(folder)
    move_data_folder(folder, database=elsewhere / "tresxuno.sqlite")
    assert not paths.data_location_file().exists()
    assert paths.user_data_dir() == folder


@pytest.mark.parametrize("where", ["same", "inside", "not empty"])
def test_a_wrong_target_is_refused_before_anything_is_copied(data, tmp_path, where):
    folder, database = data
    target = {"same": folder, "inside": folder / "sub", "not empty": tmp_path / "full"}[where]
    if where == "not empty":
        target.mkdir()
        (target / "notes.txt").write_text("mine")
    with pytest.raises(StorageError) as caught:
        move_data_folder(target, database=database)
    assert (
        caught.value.code
        == {"same": "move.same_folder", "inside": "move.nested", "not empty": "move.not_empty"}[where]
    )
    assert paths.user_data_dir() == folder
    if where == "not empty":
        assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_a_copy_that_differs_is_caught_and_nothing_switches(data, tmp_path, monkeypatch):
    folder, database = data
    real_copy = shutil.copy2

    def flaky_copy(src, dst):
        real_copy(src, dst)
        if Path(src).name == "fotos.zip":
            with open(dst, "r+b") as fh:  # one flipped byte, as a failing USB stick would do
                fh.seek(100)
                fh.write(b"\x00")

    monkeypatch.setattr(data_location.shutil, "copy2", flaky_copy)
    target = tmp_path / "usb"
    with pytest.raises(StorageError) as caught:
        move_data_folder(target, database=database)
    assert caught.value.code == "move.verify_failed"
    assert caught.value.params["file"] == "attachments/1/fotos.zip"
    assert not target.exists()
    assert paths.user_data_dir() == folder


def test_a_failing_disk_and_a_cancel_leave_the_old_folder_in_use(data, tmp_path, monkeypatch):
    folder, database = data
    target = tmp_path / "empty"
    target.mkdir()

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(data_location.shutil, "copy2", full_disk)
        with pytest.raises(StorageError) as caught:
            move_data_folder(target, database=database)
    assert caught.value.code == "move.failed" and "No space" in caught.value.params["detail"]
    assert target.exists() and list(target.iterdir()) == []

    token = CancelToken()
    with pytest.raises(Cancelled):
        move_data_folder(
            target, database=database, progress=lambda d, t, m: d == 2 and token.cancel(), cancel=token
        )
    assert list(target.iterdir()) == []
    assert paths.user_data_dir() == folder
