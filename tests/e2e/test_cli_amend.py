"""``tresxuno amend``: a convenio modificatorio recorded from the command line, by the contract."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date

from tests.e2e.test_cli import run
from tests.services.test_ledger import new_club, signed_project
from tresxuno.db.engine import open_database


def _signed_database(tmp_path) -> tuple[str, str]:
    path = tmp_path / "oficina.sqlite"
    db = open_database(str(path))
    try:
        project = signed_project(db, tmp_path, club_id=new_club(db).id)
    finally:
        db.dispose()
    return str(path), project.folio


def test_amend_changes_the_cost_and_prints_the_new_shares(tmp_path):
    db, folio = _signed_database(tmp_path)
    today = date.today().strftime("%d/%m/%Y")
    result = run(
        *("--db", db, "--lang", "es", "amend", "--project", folio.lower(), "--cost", "4,400,000.00"),
        *("--date", today, "--reason", "Ampliación de metas", "--authorised-by", "Ing. Rosa Ávila"),
        *("--document", "CM-01/2026"),
    )
    assert result.returncode == 0, result.stderr
    assert folio in result.stdout and "4,400,000.00" in result.stdout
    assert "1,100,000.00" in result.stdout  # each of the four equal shares
    with closing(sqlite3.connect(db)) as connection:
        assert connection.execute("SELECT cost FROM projects").fetchone() == (440_000_000,)
        assert connection.execute(
            "SELECT number, previous_cost, document_reference FROM project_amendments"
        ).fetchall() == [(1, 400_000_000, "CM-01/2026")]


def test_bad_input_exits_2_naming_the_field_and_writes_nothing(tmp_path):
    db, folio = _signed_database(tmp_path)
    base = ("--db", db, "--lang", "en", "amend", "--project", folio, "--reason", "x", "--authorised-by", "y")
    bad_date = run(*base, "--cost", "4,400,000.00", "--date", "31/02/2026")
    assert bad_date.returncode == 2 and "Date the amendment was signed" in bad_date.stderr
    same = run(*base, "--cost", "4,000,000.00", "--date", date.today().strftime("%d/%m/%Y"))
    assert same.returncode == 2 and "Total cost" in same.stderr and len(same.stderr.splitlines()) == 1
    unknown = run(*base[:6], "NADA", *base[7:], "--cost", "1.00", "--date", "01/01/2026")
    assert unknown.returncode == 2
    with closing(sqlite3.connect(db)) as connection:
        assert connection.execute("SELECT count(*) FROM project_amendments").fetchone() == (0,)
