"""``tresxuno office``: register offices, place officers in them; an officer's export holds only their office's."""

from __future__ import annotations

import csv
import sqlite3

import pytest

from tests.e2e.test_cli import run

ADMIN = {"TRESXUNO_PASSWORD": "demo1234"}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("cli-offices") / "demo.sqlite"
    result = run("--db", str(db), "demo", "--projects", "20")
    assert result.returncode == 0, result.stderr
    return db


def _busiest(db) -> str:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT p.municipality_key FROM ledger_entries e JOIN projects p ON p.id = e.project_id "
            "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]


def test_an_officer_placed_in_an_office_exports_only_its_jurisdiction(demo_db, tmp_path):
    home = _busiest(demo_db)
    common = ("--db", str(demo_db), "--lang", "en", "--user", "admin")
    added = run(
        *common, "office", "add", "casa", "--kind", "municipal", "--state", home[:2], "--municipality", home,
        "--name", "Presidencia Municipal Anfitriona", env=ADMIN,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "casa" in added.stdout
    assigned = run(*common, "office", "assign", "tesoreria", "--office", "casa", env=ADMIN)
    assert assigned.returncode == 0, assigned.stderr
    listed = run(*common, "office", "list", env=ADMIN)
    assert "Presidencia Municipal Anfitriona" in listed.stdout and "tesoreria" in listed.stdout

    out = tmp_path / "libro.csv"
    exported = run(
        "--db", str(demo_db), "--user", "tesoreria", "export", "ledger", "--format", "csv", "-o", str(out),
        env=ADMIN,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    with sqlite3.connect(demo_db) as connection:
        mine = {
            f for (f,) in connection.execute("SELECT folio FROM projects WHERE municipality_key = ?", (home,))
        }
        everything = connection.execute("SELECT count(DISTINCT project_id) FROM ledger_entries").fetchone()[0]
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    folios = {cell for row in rows[1:] for cell in row if cell.startswith("3X1-") or cell in mine}
    assert folios and folios <= mine
    assert everything > len(folios)  # the demo has other municipalities' money, which the export left out


def test_a_municipal_officer_may_not_register_offices(demo_db):
    result = run(
        "--db", str(demo_db), "--lang", "en", "--user", "tesoreria", "office", "add", "pirata", "--kind", "state",
        "--state", "32", "--name", "Oficina pirata", env=ADMIN,
    )  # fmt: skip
    assert result.returncode == 2
    assert "register offices" in result.stderr


def test_a_municipal_package_goes_to_the_state_by_command_line(tmp_path):
    """``consolidate key`` / ``export`` at the office, ``office add --public-key`` / ``consolidate import`` at the state."""
    from tests.services.test_ledger import new_club, signed_project
    from tresxuno.db.engine import open_database

    jerez, state = tmp_path / "jerez.sqlite", tmp_path / "estado.sqlite"
    db = open_database(str(jerez))
    signed_project(db, tmp_path / "scans", club_id=new_club(db).id)
    db.dispose()
    open_database(str(state)).dispose()  # the state server's database, set up
    key = run("consolidate", "key")
    assert key.returncode == 0 and len(key.stdout.strip()) == 64
    package = tmp_path / "jerez.zip"
    exported = run("--db", str(jerez), "--lang", "en", "consolidate", "export", "-o", str(package))
    assert exported.returncode == 0, exported.stderr
    assert "records 1 to" in exported.stdout

    common = ("--db", str(state), "--lang", "en")
    added = run(
        *common, "office", "add", "jerez", "--kind", "municipal", "--state", "32", "--municipality", "32020",
        "--name", "Presidencia Municipal de Jerez", "--public-key", key.stdout.strip(),
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    imported = run(*common, "consolidate", "import", str(package), "--office", "jerez")
    assert imported.returncode == 0, imported.stderr
    assert "Imported records 1 to" in imported.stdout and "0 conflicts" in imported.stdout
    again = run(*common, "consolidate", "import", str(package), "--office", "jerez")
    assert again.returncode == 0 and "Already imported" in again.stdout
    with sqlite3.connect(jerez) as a, sqlite3.connect(state) as b:
        query = "SELECT folio, cost, stage FROM projects ORDER BY folio"
        assert a.execute(query).fetchall() == b.execute(query).fetchall() != []
    forged = run(*common, "consolidate", "import", str(package), "--office", "nadie")
    assert forged.returncode == 2 and "nadie" in forged.stderr
