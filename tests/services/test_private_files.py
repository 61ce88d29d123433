"""The data folder is 0700 and every file tresxuno creates 0600 (POSIX): another account reads nothing.

The attack: another local account (a colleague on the shared office computer) opens the database, a
backup, a CFDI or the log, which used to be world-readable (folder 0755, files 0644). Each test makes
the files through the service or the command line, with a permissive umask where the code must not
depend on the process's, and checks ``os.stat``: no bit for group or others.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from tresxuno import paths
from tresxuno.db.engine import open_database
from tresxuno.services.backups import automatic_backup, backup_database, restore_database
from tresxuno.services.data_location import move_data_folder

pytestmark = [
    pytest.mark.sqlite_only,
    pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX; Windows keeps its profile ACLs"),
]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def private_tree(folder: Path) -> list[str]:
    """Everything under ``folder`` (itself included) that group or others may read, write or enter."""
    found = [folder, *folder.rglob("*")]
    return [f"{p} {oct(mode(p))}" for p in found if mode(p) & 0o077]


@pytest.fixture
def permissive_umask():
    """A typical desktop umask (022): the code must make its files private by itself."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def app_umask():
    """The umask tresxuno's entry point sets for the whole run."""
    old = paths.use_private_umask()
    yield
    os.umask(old)


def test_a_new_database_is_0600_in_a_0700_folder_with_private_companions(tmp_path, permissive_umask):
    folder = tmp_path / "nueva" / "carpeta"
    db = open_database(str(folder / "oficina.sqlite"))
    try:
        with db.transaction() as session:
            session.execute(text("SELECT 1"))
        assert mode(folder / "oficina.sqlite") == 0o600
        assert mode(folder) == 0o700 and mode(folder.parent) == 0o700
        for companion in ("-wal", "-shm"):
            path = folder / f"oficina.sqlite{companion}"
            if path.exists():
                assert mode(path) == 0o600
    finally:
        db.dispose()


def test_backups_and_the_safety_copy_of_a_restore_are_0600(db, tmp_path, permissive_umask):
    made = backup_database(db, tmp_path / "usb" / "respaldo.sqlite")
    assert mode(made) == 0o600 and mode(made.parent) == 0o700
    automatic = automatic_backup(db, reason="close")
    assert automatic is not None and mode(automatic) == 0o600
    assert mode(paths.backups_dir()) == 0o700
    db.dispose()
    result = restore_database(db.path, made)
    assert result.safety_copy is not None and mode(result.safety_copy) == 0o600
    assert mode(db.path) == 0o600  # the fixture's copy was 0644: a restore makes it private


def test_moving_the_data_folder_leaves_no_readable_file_behind_in_the_new_one(tmp_path, permissive_umask):
    source = tmp_path / "vieja"
    (source / "attachments" / "ZAC-1").mkdir(parents=True)
    cfdi = source / "attachments" / "ZAC-1" / "factura.xml"
    cfdi.write_text("<cfdi/>")
    cfdi.chmod(0o644)  # as an older version left it
    database = source / "tresxuno.sqlite"
    open_database(str(database)).dispose()
    database.chmod(0o644)
    target = tmp_path / "nueva"
    move_data_folder(target, source=source, database=database)
    assert private_tree(target) == []


def test_attachments_logos_and_the_log_follow_the_app_umask(db, tmp_path, app_umask):
    from tresxuno.services.office import OfficeSettings, save_office_settings

    logo = tmp_path / "escudo.png"
    logo.write_bytes(PNG)
    saved = save_office_settings(db, OfficeSettings("Oficina", "32020", str(logo)))
    assert mode(Path(saved.logo_path)) == 0o600 and mode(Path(saved.logo_path).parent) == 0o700
    paths.user_data_dir().mkdir(parents=True, exist_ok=True)
    log = paths.user_data_dir() / "tresxuno.log"
    with log.open("a", encoding="utf-8") as fh:  # as cli._log_bug and ui.errors append to it
        fh.write("traceback\n")
    assert mode(log) == 0o600


def test_a_cli_run_leaves_the_whole_data_folder_private(tmp_path):
    """``tresxuno demo`` into the default database: folder, database, its companions, backups."""
    data = tmp_path / "datos"
    data.mkdir(mode=0o755)
    data.chmod(0o755)  # an older version's data folder
    env = {**os.environ, "TRESXUNO_DATA_DIR": str(data)}
    env.pop("TRESXUNO_DB", None)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys; os.umask(0o022); from tresxuno.cli import main; "
            "sys.exit(main(['demo', '--projects', '4']))",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (data / "tresxuno.sqlite").exists()
    assert private_tree(data) == []
