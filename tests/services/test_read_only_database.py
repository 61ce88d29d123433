"""An archive copy (file 0444, or a read-only folder) opens for reading: sign-in writes nothing there.

The files are made read-only with ``chmod``; the app reads the mode bits as well as :func:`os.access`,
so the tests hold when the suite runs as the superuser too (who may write anything).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from tests.e2e.test_cli import run
from tresxuno.db.engine import HEAD_REVISION, open_database
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.domain.problems import InputError, StorageError
from tresxuno.messages import describe_storage
from tresxuno.services.users import authenticate, create_user, set_password

pytestmark = pytest.mark.sqlite_only  # an archive copy is a file with its write bits off

PW = "correcto-123"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def archive(db, tmp_path) -> Path:
    """A whole database with users, copied into its own folder as one file (no ``-wal`` beside it)."""
    create_user(db, "admin", "Adriana Méndez", "administrador", PW)
    with acting_as(Actor("admin", "administrador")):
        create_user(db, "ana", "Ana Ruiz", "capturista", PW)
    folder = tmp_path / "archivo"
    folder.mkdir()
    copy = folder / "2025.sqlite"
    source = sqlite3.connect(db.path)
    target = sqlite3.connect(copy)
    source.backup(target)
    target.execute("PRAGMA journal_mode=DELETE")
    target.close()
    source.close()
    yield copy
    folder.chmod(0o700)
    copy.chmod(0o600)


def _read_only_file(path: Path) -> None:
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # 0444


@pytest.mark.parametrize("how", ["file", "folder"])
def test_signing_in_to_a_read_only_archive_works_and_writes_nothing(archive, how):
    if how == "file":
        _read_only_file(archive)
    else:
        archive.parent.chmod(0o555)
    before = sha256(archive)
    db = open_database(str(archive))
    try:
        assert db.read_only
        actor = authenticate(db, "ana", PW)
        assert actor == Actor("ana", "capturista")
        with pytest.raises(InputError) as wrong:
            authenticate(db, "ana", "otra-cosa-1")
        assert [p.code for p in wrong.value.problems] == ["auth.bad_credentials"]
    finally:
        db.dispose()
    assert sha256(archive) == before
    assert sorted(p.name for p in archive.parent.iterdir()) == ["2025.sqlite"]


def test_a_write_to_a_read_only_archive_is_refused_and_changes_nothing(archive):
    _read_only_file(archive)
    before = sha256(archive)
    db = open_database(str(archive))
    try:
        with acting_as(Actor("admin", "administrador")), pytest.raises(StorageError) as refused:
            set_password(db, "ana", "nueva-clave-9")
    finally:
        db.dispose()
    assert refused.value.code == "db.read_only"
    assert "sólo lectura" in describe_storage(refused.value)
    assert sha256(archive) == before


def test_a_read_only_archive_of_an_older_schema_is_refused_with_what_to_do(tmp_path):
    old = tmp_path / "old.sqlite"
    shutil.copyfile(Path(__file__).parents[1] / "fixtures" / "db" / _oldest_fixture(), old)
    _read_only_file(old)
    before = sha256(old)
    with pytest.raises(StorageError) as refused:
        open_database(str(old))
    assert refused.value.code == "db.read_only_outdated"
    assert refused.value.params["revision"] != HEAD_REVISION
    assert sha256(old) == before
    old.chmod(0o600)


def _oldest_fixture() -> str:
    folder = Path(__file__).parents[1] / "fixtures" / "db"
    return sorted(p.name for p in folder.glob("*.sqlite"))[0]


def test_the_cli_signs_in_to_a_read_only_archive_and_exports(archive, tmp_path):
    _read_only_file(archive)
    before = sha256(archive)
    out = tmp_path / "libro.csv"
    result = run(
        "--db",
        str(archive),
        "--lang",
        "en",
        "--user",
        "ana",
        "export",
        "ledger",
        "--format",
        "csv",
        "-o",
        str(out),
        env={"TRESXUNO_PASSWORD": PW},
    )
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 0
    assert sha256(archive) == before
    assert not os.path.exists(str(archive) + "-wal")
