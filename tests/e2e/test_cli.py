"""The command-line contract, run as a real subprocess (``python -m tresxuno``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "tresxuno", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        check=False,
    )


SHARES = ["shares", "--program", "3x1", "--year", "2016", "--category", "infrastructure"]


def test_shares_json_follows_the_contract_and_adds_up_exactly():
    result = run(*SHARES, "--cost", "7276406.19", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"program", "year", "category", "cost", "currency", "shares", "capped"}
    assert (data["program"], data["year"], data["category"], data["currency"]) == (
        "3x1",
        2016,
        "infrastructure",
        "MXN",
    )
    assert data["cost"] == "7276406.19"
    assert set(data["shares"]) == {"club", "federal", "state", "municipal"}
    assert all(len(v.split(".")[1]) == 2 for v in data["shares"].values())
    assert sum(Decimal(v) for v in data["shares"].values()) == Decimal("7276406.19")
    assert data["capped"] == ["federal"]


def test_shares_below_the_cap_split_evenly_with_leftover_centavos_by_party_order():
    data = json.loads(run(*SHARES, "--cost", "$3,276,406.19", "--json").stdout)
    assert data["shares"] == {
        "club": "819101.55",
        "federal": "819101.55",
        "state": "819101.55",
        "municipal": "819101.54",
    }
    assert data["capped"] == []


def test_shares_with_a_partner_amount_and_the_human_table():
    result = run(
        "shares",
        "--program",
        "2x1-zacatecas",
        "--year",
        "2025",
        "--category",
        "education",
        "--cost",
        "1,100,000",
        "--partner-amount",
        "100,000",
    )
    assert result.returncode == 0, result.stderr
    assert "$100,000.00" in result.stdout and "$1,100,000.00" in result.stdout
    assert "Socio" in result.stdout  # Spanish by default


def test_db_is_accepted_before_and_after_the_command(tmp_path):
    db = str(tmp_path / "x.sqlite")
    assert run("--db", db, *SHARES, "--cost", "100", "--json").returncode == 0
    assert run(*SHARES, "--cost", "100", "--json", "--db", db).returncode == 0


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--cost", "-5"], "negativ"),
        (["--cost", "12.345"], "2 decimales"),
        (["--cost", "abc"], "'abc'"),
        (["--cost", "1.234,56"], "punto decimal"),
        (["--cost", "0"], "mayor que cero"),
        (["--cost", "10000000000000"], "9,999,999,999,999.99"),
    ],
)
def test_bad_cost_exits_2_with_one_spanish_line_naming_the_field(args, needle):
    result = run(*SHARES, *args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "Costo total" in lines[0] and needle in lines[0]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (
            ["shares", "--program", "5x1", "--year", "2016", "--category", "education", "--cost", "5"],
            "2x1-zacatecas, 3x1, 4x1",
        ),
        (
            ["shares", "--program", "3x1", "--year", "2016", "--category", "roads", "--cost", "5"],
            "community-services",
        ),
        (
            ["shares", "--program", "3x1", "--year", "2024", "--category", "education", "--cost", "5"],
            "2002–2019",
        ),
        (
            ["shares", "--program", "3x1", "--year", "dos mil", "--category", "education", "--cost", "5"],
            "dos mil",
        ),
        (["shares", "--program", "3x1"], "--year"),
        (["frobnicate"], "frobnicate"),
    ],
)
def test_bad_input_exits_2_with_one_line_saying_what_is_allowed(args, needle):
    result = run(*args)
    assert result.returncode == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], result.stderr


def test_english_on_request():
    result = run("--lang", "en", *SHARES, "--cost", "1.234,56")
    assert result.returncode == 2
    assert "Total cost" in result.stderr and "decimal point" in result.stderr


def test_rules_list_shows_every_programme_and_json_parses():
    text = run("rules", "list").stdout
    for needle in ("3x1", "4x1", "2x1-zacatecas", "2002–2019", "$1,000,000.00"):
        assert needle in text
    data = json.loads(run("rules", "list", "--json").stdout)
    assert {p["id"] for p in data["programs"]} == {"3x1", "4x1", "2x1-zacatecas"}


def test_commands_without_a_window_never_import_qt_or_the_database():
    code = (
        "import sys, io; from tresxuno.cli import main; "
        "rc = main(['shares','--program','3x1','--year','2016','--category','education','--cost','10'],"
        " out=io.StringIO()); "
        "print(rc, any(m.startswith(('PySide6', 'sqlalchemy')) for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["0", "False"]


def test_a_newer_database_is_refused_with_exit_1(tmp_path):
    import sqlite3

    db = tmp_path / "future.sqlite"
    assert run("--db", str(db), "demo", "--projects", "20").returncode == 0
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    result = run("--db", str(db), "demo", "--projects", "20")
    assert result.returncode == 1
    assert "9999_future" in result.stderr and "Traceback" not in result.stderr


def test_check_exits_0_on_a_demo_and_1_naming_an_amount_changed_by_plain_sql(tmp_path):
    import sqlite3

    db = str(tmp_path / "demo.sqlite")
    assert run("--db", db, "demo", "--projects", "25").returncode == 0
    result = run("--db", db, "--lang", "en", "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Audit trail intact:")
    connection = sqlite3.connect(db)
    with connection:
        entry = connection.execute("SELECT max(id) FROM ledger_entries").fetchone()[0]
        connection.execute("DROP TRIGGER ledger_entries_no_update")
        connection.execute(f"UPDATE ledger_entries SET amount = amount + 1 WHERE id = {entry}")
    connection.close()
    result = run("--db", db, "--lang", "en", "check")
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"tresxuno: entry {entry}: amount ") and "does not match the audit trail" in line
    missing = run("--db", str(tmp_path / "nothing.sqlite"), "check")
    assert missing.returncode == 1 and not (tmp_path / "nothing.sqlite").exists()
