"""``tresxuno backup`` and ``tresxuno restore`` from the command line."""

from __future__ import annotations

import hashlib
import io

import pytest

from tests.totals import database_totals
from tresxuno.cli import main
from tresxuno.demo.users import DEMO_PASSWORD


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(["--lang", "en", *argv], out, err), out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _demo_admin_password(monkeypatch):
    """The demo makes users: backup and restore are then the administrador's (``--user admin``)."""
    monkeypatch.setenv("TRESXUNO_PASSWORD", DEMO_PASSWORD)


ADMIN = ("--user", "admin")


def test_backup_then_restore_needs_yes_and_brings_the_data_back(tmp_path):
    db = tmp_path / "office.sqlite"
    assert _run("--db", str(db), "demo", "--projects", "20")[0] == 0
    backup = tmp_path / "backup.sqlite"
    code, out, _err = _run("--db", str(db), "backup", "-o", str(backup), *ADMIN)
    assert code == 0 and str(backup) in out
    expected = database_totals(db)
    assert database_totals(backup) == expected

    other = tmp_path / "other.sqlite"
    assert _run("--db", str(other), "demo", "--projects", "5", "--seed", "1")[0] == 0
    before = hashlib.sha256(other.read_bytes()).hexdigest()
    code, _out, err = _run("--db", str(other), "restore", str(backup), *ADMIN)
    assert code == 2 and "--yes" in err
    assert hashlib.sha256(other.read_bytes()).hexdigest() == before

    code, out, err = _run("--db", str(other), "restore", str(backup), "--yes", *ADMIN)
    assert code == 0, err
    assert database_totals(other) == expected
    assert "kept in" in out


def test_restore_refuses_a_file_that_is_not_tresxuno_with_exit_1(tmp_path):
    db = tmp_path / "office.sqlite"
    assert _run("--db", str(db), "demo", "--projects", "5")[0] == 0
    before = db.read_bytes()
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database")
    code, _out, err = _run("--db", str(db), "restore", str(bogus), "--yes", *ADMIN)
    assert code == 1 and "not a database file" in err and "nothing was restored" in err
    assert db.read_bytes() == before
