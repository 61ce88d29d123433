"""Attacks on the audit trail, performed as a hostile insider would: sqlite3 straight on the file.

Each test changes the database behind the app's back, then asserts that ``check_integrity`` and the
``tresxuno check`` command (a real subprocess, exit 1) both name what was done.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tresxuno.db.engine import Database, open_database
from tresxuno.i18n import language, set_language
from tresxuno.messages import describe
from tresxuno.services.audit import check_integrity
from tresxuno.services.demo import generate_demo

pytestmark = pytest.mark.sqlite_only  # the attacker holds the SQLite file


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("attack") / "demo.sqlite"
    db = open_database(str(path))
    generate_demo(db, projects=30, seed=11)
    db.dispose()
    return path


@pytest.fixture
def demo(tmp_path: Path, demo_template: Path) -> Iterator[Database]:
    path = tmp_path / "demo.sqlite"
    shutil.copyfile(demo_template, path)
    database = open_database(str(path))
    yield database
    database.dispose()


def attack(db: Database, *statements: str) -> None:
    """Run ``statements`` on the file with a plain SQLite client, as a hostile insider would."""
    db.dispose()
    connection = sqlite3.connect(db.path)
    with connection:
        for statement in statements:
            connection.execute(statement)
    connection.close()


def one(db: Database, sql: str):
    connection = sqlite3.connect(db.path)
    try:
        return connection.execute(sql).fetchone()
    finally:
        connection.close()


def english(problem) -> str:
    before = language()
    set_language("en")
    try:
        return describe(problem, with_field=False)
    finally:
        set_language(before)


def cli_check(
    db: Database, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``tresxuno check`` as a subprocess, in English."""
    db.dispose()
    return subprocess.run(
        [sys.executable, "-m", "tresxuno", "--db", str(db.path), "--lang", "en", "check", *extra],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def assert_cli_names(db: Database, text: str) -> None:
    result = cli_check(db)
    assert result.returncode == 1, result.stdout + result.stderr
    assert text in result.stderr and "Traceback" not in result.stderr


# --- 3. deleted ledger rows ----------------------------------------------------------------


def test_a_payment_deleted_with_its_allocations_is_named(demo):
    entry = one(
        demo,
        "SELECT max(e.id) FROM ledger_entries e JOIN ledger_allocations a ON a.entry_id = e.id "
        "WHERE e.kind = 'payment' AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses_id = e.id)",
    )[0]
    assert check_integrity(demo).ok
    attack(
        demo,
        "DROP TRIGGER ledger_entries_no_delete",
        "DROP TRIGGER ledger_allocations_no_delete",
        f"DELETE FROM ledger_allocations WHERE entry_id = {entry}",
        f"DELETE FROM ledger_entries WHERE id = {entry}",
    )
    problem = check_integrity(demo).problem
    assert problem is not None and (problem.code, problem.params["id"]) == ("audit.entry_missing", entry)
    assert english(problem).startswith(f"entry {entry} is in the audit trail but not in the database")
    assert_cli_names(demo, f"entry {entry} is in the audit trail but not in the database")


def test_an_allocation_line_deleted_alone_is_named(demo):
    line = one(demo, "SELECT max(id) FROM ledger_allocations")[0]
    attack(
        demo, "DROP TRIGGER ledger_allocations_no_delete", f"DELETE FROM ledger_allocations WHERE id = {line}"
    )
    problem = check_integrity(demo).problem
    assert problem is not None and (problem.code, problem.params["id"]) == ("audit.allocation_missing", line)
    assert_cli_names(demo, f"allocation line {line} is in the audit trail but not in the database")
