"""Backups and restores: a backup is a whole copy, retention keeps N, a bad file is refused untouched."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.totals import database_totals
from tresxuno import paths
from tresxuno.db.engine import open_database
from tresxuno.demo.projects import generate_demo
from tresxuno.domain.problems import StorageError
from tresxuno.services.backups import (
    automatic_backup,
    automatic_backups,
    backup_database,
    check_backup_file,
    restore_database,
    risk_warning,
    storage_risk,
)
from tresxuno.services.progress import Cancelled, CancelToken

# Files on disk: SQLite databases and data folders (a PostgreSQL server is backed up by its owner).
pytestmark = pytest.mark.sqlite_only


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def demo_db(db):
    generate_demo(db, projects=30, seed=7)
    return db


def test_a_backup_opens_and_has_every_total_of_the_source(demo_db, tmp_path):
    target = backup_database(demo_db, tmp_path / "out" / "copy.sqlite")
    totals = database_totals(target)
    assert totals == database_totals(demo_db.path)
    assert totals["projects by stage"] and totals["ledger by party"]
    assert not (tmp_path / "out" / "copy.sqlite-wal").exists()  # one self-contained file
    from tresxuno.db.engine import HEAD_REVISION

    assert check_backup_file(target) == HEAD_REVISION


def test_a_cancelled_backup_leaves_no_file(demo_db, tmp_path):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        backup_database(demo_db, tmp_path / "copy.sqlite", cancel=token)
    assert list(tmp_path.glob("copy.sqlite*")) == []


def test_retention_keeps_the_newest_n(db):
    folder = paths.backups_dir()
    made = [automatic_backup(db, keep=3, reason=f"r{i}") for i in range(5)]
    kept = automatic_backups(db.path, folder)
    assert len(kept) == 3
    assert kept == sorted(made, key=lambda p: p.name)[-3:]


def test_a_server_database_is_the_servers_job(tmp_path):
    class Server:
        path = None
        url = "postgresql+psycopg://office@db/tresxuno"

    with pytest.raises(StorageError) as caught:
        backup_database(Server(), tmp_path / "x.sqlite")  # type: ignore[arg-type]
    assert caught.value.code == "backup.server_database"
    assert automatic_backup(Server()) is None  # type: ignore[arg-type]


def _corrupt(path: Path) -> Path:
    data = bytearray(path.read_bytes())
    for offset in range(4096 * 2, min(len(data), 4096 * 6)):
        data[offset] = 0xA5
    path.write_bytes(bytes(data))
    return path


def _foreign(path: Path) -> Path:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    connection.commit()
    connection.close()
    return path


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda p: (p.write_text("hola, no soy una base de datos"), p)[1], "restore.not_sqlite"),
        (_foreign, "restore.not_tresxuno"),
        (None, "restore.corrupt"),
        (lambda p: p.with_name("missing.sqlite"), "restore.not_found"),
    ],
)
def test_restore_refuses_a_bad_file_and_leaves_the_database_byte_identical(demo_db, tmp_path, make, code):
    current = demo_db.path
    demo_db.dispose()
    before = _digest(current)
    bad = tmp_path / "bad.sqlite"
    if make is None:
        backup_database(open_database(str(current)), bad)
        bad = _corrupt(bad)
    else:
        bad = make(bad)
    with pytest.raises(StorageError) as caught:
        restore_database(current, bad)
    assert caught.value.code == code
    assert _digest(current) == before
    assert automatic_backups(current) == []  # not even a safety copy was made


def test_restore_replaces_the_database_and_keeps_a_safety_copy(demo_db, tmp_path):
    backup = backup_database(demo_db, tmp_path / "monday.sqlite")
    expected = database_totals(backup)
    with demo_db.transaction() as session:  # work done after the backup, to be undone by the restore
        session.execute(text("DELETE FROM project_progress"))
    changed = database_totals(demo_db.path)
    demo_db.dispose()

    result = restore_database(demo_db.path, backup)
    assert database_totals(demo_db.path) == expected
    assert result.safety_copy is not None and database_totals(result.safety_copy) == changed


@pytest.mark.parametrize(
    ("path", "windows", "expected"),
    [
        (r"C:\Users\ana\OneDrive - Municipio\tresxuno\tresxuno.sqlite", True, "cloud"),
        ("/home/ana/Dropbox/tresxuno.sqlite", False, "cloud"),
        ("/Users/ana/Library/Mobile Documents/com~apple~CloudDocs/t.sqlite", False, "cloud"),
        (r"G:\My Drive\tresxuno.sqlite", True, "cloud"),
        (r"\\servidor\compartida\tresxuno.sqlite", True, "network"),
        (r"C:\Users\ana\AppData\Local\tresxuno\tresxuno.sqlite", True, None),
        ("/mnt/oficina/tresxuno.sqlite", False, "network"),
        ("/home/ana/.local/share/tresxuno/tresxuno.sqlite", False, None),
    ],
)
def test_risky_places_are_recognised(path, windows, expected):
    mounts = (
        "/dev/sda1 / ext4 rw 0 0\n"
        "//servidor/oficina /mnt/oficina cifs rw 0 0\n"
        "/dev/sdb1 /mnt/oficina-local ext4 rw 0 0\n"
    )
    assert storage_risk(Path(path), mounts=mounts, windows=windows) == expected


def test_the_warning_names_the_folder(tmp_path):
    risky = tmp_path / "Dropbox" / "tresxuno.sqlite"
    assert str(risky.parent) in risk_warning(risky)
    assert risk_warning(tmp_path / "tresxuno.sqlite") == ""
    assert risk_warning(None) == ""


def test_the_safety_copy_of_a_restore_outlives_the_retention_count(demo_db, tmp_path):
    backup = backup_database(demo_db, tmp_path / "monday.sqlite")
    for i in range(3):
        automatic_backup(demo_db, keep=10, reason=f"close{i}")
    demo_db.dispose()
    result = restore_database(demo_db.path, backup, keep=1)
    kept = automatic_backups(demo_db.path)
    assert result.safety_copy in kept and len(kept) == 2
