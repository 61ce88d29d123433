"""Backup, restore, moving the data folder and reloading rules are the administrador's, checked in the service.

Each test is a hostile insider of another role calling the service (or the command line) directly,
as a stale window or a script would: refused with ``auth.role_required`` naming the action and who
may take it, and nothing changed (the database file's sha256, no file written). A restore also never
brings an office with users back to bootstrap mode, whoever asks.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from tresxuno import paths
from tresxuno.demo.projects import generate_demo
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.domain.problems import InputError, StorageError
from tresxuno.i18n import set_language
from tresxuno.messages import describe, describe_storage
from tresxuno.services.backups import automatic_backups, backup_database, restore_database
from tresxuno.services.data_location import move_data_folder
from tresxuno.services.rules import reload_rulebook, rulebook
from tresxuno.services.users import create_user

pytestmark = pytest.mark.sqlite_only

PW = "correcto-123"
OTHER_ROLES = ["capturista", "revisor", "tesoreria", "auditor"]


@pytest.fixture(autouse=True)
def _english():
    set_language("en")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def office(db):
    """A demo database with one user per role (the administrador made them)."""
    generate_demo(db, projects=8, seed=5)
    create_user(db, "admin", "Adriana Méndez", "administrador", PW)
    with acting_as(Actor("admin", "administrador")):
        for role in OTHER_ROLES:
            create_user(db, role, role.title(), role, PW)
    return db


def _refused(exc: pytest.ExceptionInfo[InputError], action: str) -> None:
    assert [p.code for p in exc.value.problems] == ["auth.role_required"]
    text = describe(exc.value.problems[0], with_field=False)
    assert action in text and "Administrator" in text


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_only_an_administrador_may_back_up(office, tmp_path, role):
    target = tmp_path / "robado.sqlite"
    before = sha256(office.path)
    with acting_as(Actor(role, role)), pytest.raises(InputError) as refused:
        backup_database(office, target)
    _refused(refused, "back up the database")
    assert not target.exists() and not list(tmp_path.glob("robado*"))
    assert sha256(office.path) == before
    with acting_as(Actor("admin", "administrador")):
        assert backup_database(office, target).exists()


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_only_an_administrador_may_restore(office, tmp_path, role):
    with acting_as(Actor("admin", "administrador")):
        backup = backup_database(office, tmp_path / "viejo.sqlite")
    office.dispose()
    before = sha256(office.path)
    with acting_as(Actor(role, role)), pytest.raises(InputError) as refused:
        restore_database(office.path, backup)
    _refused(refused, "restore a backup")
    assert sha256(office.path) == before
    assert automatic_backups(office.path) == []
    with acting_as(Actor("admin", "administrador")):
        assert restore_database(office.path, backup).safety_copy is not None


def test_a_restore_never_brings_an_office_with_users_back_to_bootstrap(office, tmp_path, db):
    """The original attack: restore a file without users, then create an administrador unchallenged."""
    no_users = tmp_path / "sin-usuarios.sqlite"
    bare = tmp_path / "bare.sqlite"
    from tresxuno.db.engine import open_database

    empty = open_database(str(bare))
    generate_demo(empty, projects=3, seed=1)
    backup_database(empty, no_users)  # bootstrap mode there: anyone may back it up
    empty.dispose()
    office.dispose()
    before = sha256(office.path)
    with acting_as(Actor("admin", "administrador")), pytest.raises(StorageError) as refused:
        restore_database(office.path, no_users)
    assert refused.value.code == "restore.no_users"
    assert "no users" in describe_storage(refused.value) and "nothing was restored" in describe_storage(
        refused.value
    )
    assert sha256(office.path) == before


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_only_an_administrador_may_move_the_data_folder(office, tmp_path, role):
    source = paths.user_data_dir()
    source.mkdir(parents=True, exist_ok=True)
    (source / "nota.txt").write_text("x")
    pointer = paths.data_location_file()
    target = tmp_path / "nuevo"
    with acting_as(Actor(role, role)), pytest.raises(InputError) as refused:
        move_data_folder(target, source=source, db=office)
    _refused(refused, "move the data folder")
    assert not target.exists() and not pointer.exists()
    # Without the open database, the users of the database file in the folder decide.
    with acting_as(Actor(role, role)), pytest.raises(InputError):
        move_data_folder(target, source=source, database=office.path)
    assert not target.exists() and not pointer.exists()


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_only_an_administrador_may_reload_the_rules(office, role):
    shown = rulebook()
    folder = paths.user_rules_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "trampa.toml").write_text("not = [valid")  # would fail to load if read
    with acting_as(Actor(role, role)), pytest.raises(InputError) as refused:
        reload_rulebook(office)
    _refused(refused, "reload the rule files")
    assert rulebook() is shown  # still the book read before the file was dropped


def _cli(*args: str, password: str = PW) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "tresxuno", "--lang", "en", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "TRESXUNO_PASSWORD": password},
    )


def test_the_cli_refuses_an_auditor_restore_and_backup_with_exit_2(office, tmp_path):
    with acting_as(Actor("admin", "administrador")):
        backup = backup_database(office, tmp_path / "viejo.sqlite")
    office.dispose()
    before = sha256(office.path)
    result = _cli("--db", str(office.path), "--user", "auditor", "restore", str(backup), "--yes")
    assert result.returncode == 2, result.stderr
    assert "only Administrator may restore a backup" in result.stderr
    assert sha256(office.path) == before
    result = _cli("--db", str(office.path), "--user", "auditor", "backup", "-o", str(tmp_path / "b.sqlite"))
    assert result.returncode == 2 and "back up the database" in result.stderr
    assert not (tmp_path / "b.sqlite").exists()
    # (The auditor did sign in to the open database: that sign-in is recorded, as every other is.)
    before = sha256(office.path)
    # Without --user, the command asks who signs in instead of acting in bootstrap mode.
    result = _cli("--db", str(office.path), "restore", str(backup), "--yes")
    assert result.returncode == 2 and "--user" in result.stderr
    assert sha256(office.path) == before
