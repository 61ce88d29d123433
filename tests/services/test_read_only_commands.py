"""Read-only commands write nothing to a working (writable) database file.

An export, or ``check``, signed in with ``--user``, must leave the office's file byte for byte as it
was: no last sign-in time, no audit record, not even a checkpoint that rewrites pages. Otherwise a
file backed up, hashed or handed to an auditor would change each time someone merely read it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from tests.e2e.test_cli import run
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.services.users import create_user

pytestmark = pytest.mark.sqlite_only  # the file's bytes and times are what is checked

PW = "correcto-123"


def _state(path: Path) -> tuple[str, int, int, object]:
    """The file's bytes (hash), its modification time, the trail's length and the last sign-in time."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    mtime = path.stat().st_mtime_ns
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        trail = con.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        login = con.execute("SELECT last_login_at FROM users WHERE username = 'ana'").fetchone()[0]
    finally:
        con.close()
    return digest, mtime, trail, login


@pytest.fixture
def office_file(db) -> Path:
    """The office's own database file (WAL mode, writable), with its WAL checkpointed into it."""
    create_user(db, "admin", "Adriana Méndez", "administrador", PW)
    with acting_as(Actor("admin", "administrador")):
        create_user(db, "ana", "Ana Ruiz", "capturista", PW)
    path = Path(db.path)
    db.dispose()
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["export", "ledger", "--format", "csv", "-o", "{out}/libro.csv"],
        ["export", "ledger", "--format", "beancount", "-o", "{out}/libro.beancount"],
        ["check"],
    ],
    ids=["csv", "beancount", "check"],
)
def test_a_read_only_command_leaves_the_database_file_unchanged(office_file, tmp_path, command):
    before = _state(office_file)
    args = [part.format(out=tmp_path) for part in command]
    result = run(
        "--db", str(office_file), "--lang", "en", "--user", "ana", *args, env={"TRESXUNO_PASSWORD": PW}
    )
    assert result.returncode == 0, result.stderr
    if args[0] == "export":
        assert Path(args[-1]).stat().st_size > 0
    assert _state(office_file) == before
    wal = Path(str(office_file) + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # nothing waits to be written either


def test_a_wrong_password_is_still_counted(office_file, tmp_path):
    """The other side: read-only commands store nothing, but a failed sign-in is stored (lockout)."""
    before = _state(office_file)
    out = tmp_path / "libro.csv"
    result = run(
        "--db",
        str(office_file),
        "--user",
        "ana",
        "export",
        "ledger",
        "--format",
        "csv",
        "-o",
        str(out),
        env={"TRESXUNO_PASSWORD": "equivocada-1"},
    )
    assert result.returncode == 2
    assert not out.exists()
    con = sqlite3.connect(office_file)
    attempts = con.execute("SELECT failed_attempts FROM users WHERE username = 'ana'").fetchone()[0]
    con.close()
    assert attempts == 1
    assert _state(office_file)[0] != before[0]
