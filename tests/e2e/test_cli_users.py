"""The command line on a database with users: --user and TRESXUNO_PASSWORD, as a real subprocess."""

from __future__ import annotations

import pytest

from tests.e2e.test_cli import run


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """A small demo database: its data plus one user per role (password demo1234)."""
    db = tmp_path_factory.mktemp("cli-users") / "demo.sqlite"
    result = run("--db", str(db), "demo", "--projects", "20")
    assert result.returncode == 0, result.stderr
    return db


def test_a_database_with_users_asks_who_exports(demo_db, tmp_path):
    out = tmp_path / "libro.csv"
    result = run("--db", str(demo_db), "export", "ledger", "--format", "csv", "-o", str(out))
    assert result.returncode == 2
    assert "--user" in result.stderr and not out.exists()


def test_the_right_password_from_the_environment_signs_in(demo_db, tmp_path):
    out = tmp_path / "libro.csv"
    result = run(
        "--db",
        str(demo_db),
        "export",
        "ledger",
        "--format",
        "csv",
        "-o",
        str(out),
        "--user",
        "auditor",
        env={"TRESXUNO_PASSWORD": "demo1234"},
    )
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 0


def test_a_wrong_password_is_refused_with_exit_2(demo_db, tmp_path):
    result = run(
        "--db",
        str(demo_db),
        "--lang",
        "en",
        "--user",
        "auditor",
        "export",
        "ledger",
        "--format",
        "csv",
        "-o",
        str(tmp_path / "x.csv"),
        env={"TRESXUNO_PASSWORD": "otra-cosa"},
    )
    assert result.returncode == 2
    assert "wrong user name or password" in result.stderr


def test_a_role_that_may_not_import_is_told_which_role_may(demo_db, tmp_path):
    source = tmp_path / "clubes.csv"
    source.write_text("folio,nombre\n", encoding="utf-8")
    result = run(
        "--db",
        str(demo_db),
        "--lang",
        "en",
        "import",
        "clubs",
        str(source),
        "--user",
        "auditor",
        env={"TRESXUNO_PASSWORD": "demo1234"},
    )
    assert result.returncode == 2
    assert "Data entry" in result.stderr and "import" in result.stderr


def test_demo_if_empty_on_a_database_with_data_needs_nobody(demo_db):
    result = run("--db", str(demo_db), "demo", "--if-empty")
    assert result.returncode == 0, result.stderr


def test_commands_that_read_no_database_never_ask(demo_db):
    result = run("--db", str(demo_db), "rules", "list", "--json")
    assert result.returncode == 0, result.stderr


def test_a_password_with_a_byte_that_is_not_utf8_is_refused_and_never_printed(demo_db, tmp_path):
    import os

    secret = os.fsdecode(b"secreto-de-ana\xff")  # as Python reads a non-UTF-8 environment variable
    result = run(
        "--db",
        str(demo_db),
        "--lang",
        "en",
        "--user",
        "auditor",
        "export",
        "ledger",
        "--format",
        "csv",
        "-o",
        str(tmp_path / "x.csv"),
        env={"TRESXUNO_PASSWORD": secret},
    )
    assert result.returncode == 2, result.stderr
    assert "not UTF-8 text" in result.stderr and "internal error" not in result.stderr
    assert "secreto" not in result.stderr + result.stdout
    assert not (tmp_path / "x.csv").exists()


def test_an_internal_error_on_text_never_prints_the_text():
    from tresxuno.cli import _bug_text

    try:
        "contraseña-secreta\udcff".encode()
    except UnicodeEncodeError as exc:
        shown = _bug_text(exc)
    assert "secreta" not in shown and "UnicodeEncodeError" in shown and "position 18" in shown
