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
from tresxuno.demo.projects import generate_demo
from tresxuno.i18n import language, set_language
from tresxuno.messages import describe
from tresxuno.services.audit import check_integrity

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


# --- 10. the head, anchors and the office key ----------------------------------------------


def forge_payee(path: Path, *, strip_seal: bool = False) -> int:
    """Redirect a payment to another payee and rewrite the trail to match, re-hashing every record.

    What a file-only tamperer who knows the (public) hashing rules does: the row and its audit
    image agree again and each link is recomputed with plain sha256, since the office key is not
    in the file. Returns the payment's id.
    """
    import json
    from datetime import datetime

    from tresxuno.domain.audit import GENESIS, chain_hash, dumps, load_image, pack_image, record_text

    connection = sqlite3.connect(path)
    with connection:
        entry = connection.execute("SELECT max(id) FROM ledger_entries WHERE kind = 'payment'").fetchone()[0]
        for trigger in ("ledger_entries_no_update", "audit_log_no_update"):
            connection.execute(f"DROP TRIGGER {trigger}")
        connection.execute(f"UPDATE ledger_entries SET payee_name = 'Compadre SA' WHERE id = {entry}")
        rows = connection.execute(
            "SELECT seq, at, username, role, action, table_name, row_id, subject, before, after "
            "FROM audit_log ORDER BY seq"
        ).fetchall()
        prev = GENESIS
        for seq, at, username, role, action, table, row_id, subject, before, after in rows:
            if table == "ledger_entries" and after:
                data = load_image(after)
                if row_id is None:
                    index = data["columns"].index("id"), data["columns"].index("payee_name")
                    for values in data["rows"]:
                        if values[index[0]] == entry:
                            values[index[1]] = "Compadre SA"
                    # The forger stores it the way the app does (compressed when long).
                    after = pack_image(
                        json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                    )
                elif row_id == str(entry):
                    after = dumps({**data, "payee_name": "Compadre SA"})
            text = record_text(
                seq, datetime.fromisoformat(at), username, role, action, table, row_id, subject, before, after
            )
            digest = chain_hash(prev, text)
            connection.execute(
                "UPDATE audit_log SET after = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                (after, prev, digest, seq),
            )
            prev = digest
        connection.execute("UPDATE audit_head SET hash = ? WHERE id = 1", (prev,))
        if strip_seal:
            connection.execute("UPDATE audit_head SET key_id = NULL, keyed_since = NULL WHERE id = 1")
    connection.close()
    return entry


def head_line(result: subprocess.CompletedProcess[str]) -> tuple[str, int]:
    import re

    match = re.fullmatch(r"head ([0-9a-f]{64}) · (\d+) records", result.stdout.splitlines()[-1])
    assert match, result.stdout
    return match[1], int(match[2])


def test_check_prints_the_head_and_an_anchor_must_be_on_the_chain(demo):
    result = cli_check(demo)
    assert result.returncode == 0, result.stderr
    head, records = head_line(result)
    assert (head, records) == one(demo, "SELECT hash, seq FROM audit_head")
    earlier = one(demo, "SELECT hash FROM audit_log WHERE seq = 3")[0]
    assert cli_check(demo, "--anchor", head.upper()).returncode == 0
    assert cli_check(demo, "--anchor", earlier).returncode == 0
    stranger = cli_check(demo, "--anchor", "ab" * 32)
    assert stranger.returncode == 1 and f"does not pass through {'ab' * 32}" in stranger.stderr
    assert cli_check(demo, "--anchor", "nothex").returncode == 2


def test_a_forged_chain_without_the_key_still_fails_against_its_anchor(demo):
    head, _records = head_line(cli_check(demo))
    entry = forge_payee(demo.path)
    assert check_integrity(demo).ok  # a plain chain can be re-hashed: that is what anchors are for
    problem = check_integrity(demo, anchor=head).problem
    assert problem is not None and problem.code == "audit.anchor_missing"
    result = cli_check(demo, "--anchor", head)
    assert result.returncode == 1 and f"does not pass through {head}" in result.stderr
    assert one(demo, f"SELECT payee_name FROM ledger_entries WHERE id = {entry}") == ("Compadre SA",)


@pytest.mark.parametrize("strip_seal", [False, True], ids=["re-hashed", "re-hashed-and-seal-stripped"])
def test_with_the_office_key_a_re_hashed_chain_fails(demo, strip_seal):
    from tresxuno.services.audit import seal_trail

    sealed = seal_trail(demo)
    assert sealed.created and sealed.path.stat().st_mode & 0o077 == 0
    assert sealed.since == one(demo, "SELECT max(seq) FROM audit_log")[0]
    assert check_integrity(demo).ok and cli_check(demo).returncode == 0
    forge_payee(demo.path, strip_seal=strip_seal)
    problem = check_integrity(demo).problem
    if strip_seal:
        assert problem is not None and problem.code == "audit.not_sealed"
        assert_cli_names(
            demo, f"the office key {sealed.key_id} on this computer does not seal this audit trail"
        )
    else:
        assert problem is not None and (problem.code, problem.params["seq"]) == (
            "audit.broken_link",
            sealed.since,
        )
        assert_cli_names(demo, f"audit record {sealed.since} (audit_head, row 1) does not match its hash")


def test_a_sealed_trail_keeps_sealing_writes_and_refuses_a_computer_without_the_key(demo):
    from dataclasses import replace

    from tests.services.test_registry_and_projects import club_input
    from tresxuno.domain.problems import StorageError
    from tresxuno.services.audit import seal_trail
    from tresxuno.services.clubs import club_for_edit, register_club, update_club

    sealed = seal_trail(demo)
    club = register_club(demo, replace(club_input(), toma_folio="TN-LA-2099-0001"))
    update_club(
        demo,
        club.id,
        replace(club_input(), toma_folio="TN-LA-2099-0001", members=60),
        expected_version=club_for_edit(demo, club.id).version,
    )
    assert one(demo, "SELECT max(seq) FROM audit_log")[0] > sealed.since
    assert check_integrity(demo).ok
    key = sealed.path.read_text()
    sealed.path.unlink()
    result = check_integrity(demo)  # the auditor's computer: links followed, seals not verifiable
    assert result.ok and (result.unverified_key, result.sealed_since) == (sealed.key_id, sealed.since)
    warned = cli_check(demo)
    assert (
        warned.returncode == 0
        and f"sealed with office key {sealed.key_id}, which is not on this" in warned.stderr
    )
    with pytest.raises(StorageError) as refused:
        update_club(
            demo,
            club.id,
            replace(club_input(), toma_folio="TN-LA-2099-0001", members=61),
            expected_version=club_for_edit(demo, club.id).version,
        )
    assert refused.value.code == "audit.key_missing"
    with pytest.raises(StorageError) as refused:
        seal_trail(demo)
    assert refused.value.code == "audit.key_missing" and not sealed.path.exists()
    sealed.path.write_text(key)
    assert check_integrity(demo).ok


def test_the_seal_command_creates_the_key_once_and_check_then_verifies_with_it(demo):
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tresxuno", "--db", str(demo.path), "--lang", "en", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    demo.dispose()
    first = run("seal")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("New office key ") and "is sealed with office key" in first.stdout
    again = run("seal")
    assert again.returncode == 0 and "New office key" not in again.stdout
    assert run("check").returncode == 0


# --- 9. every table compared with the trail ------------------------------------------------


@pytest.fixture(scope="module")
def office_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("office") / "office.sqlite"
    db = open_database(str(path))
    generate_demo(db, projects=30, seed=11, with_users=True)
    db.dispose()
    return path


@pytest.fixture
def office(tmp_path: Path, office_template: Path) -> Iterator[Database]:
    """A demo office with its five users (one per role)."""
    path = tmp_path / "office.sqlite"
    shutil.copyfile(office_template, path)
    database = open_database(str(path))
    yield database
    database.dispose()


#: What a hostile insider changes with sqlite3: the table, the row it targets (SQL run before the
#: attack), the statements (``{row}`` is that row's id) and the column check must name (None: the
#: row itself is missing or unknown).
ATTACKS = {
    "role raised to administrador": (
        "users",
        "SELECT id FROM users WHERE username = 'auditor'",
        ["UPDATE users SET role = 'administrador' WHERE id = {row}"],
        "role",
    ),
    "password hash swapped": (
        "users",
        "SELECT id FROM users WHERE username = 'admin'",
        [
            "UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE username = 'auditor') "
            "WHERE id = {row}"
        ],
        "password_hash",
    ),
    "every user deleted": ("users", "SELECT min(id) FROM users", ["DELETE FROM users"], None),
    "project cost times ten": (
        "projects",
        "SELECT min(id) FROM projects",
        ["UPDATE projects SET cost = cost * 10 WHERE id = {row}"],
        "cost",
    ),
    "project forced to approved": (
        "projects",
        "SELECT min(id) FROM projects WHERE stage <> 'aprobado'",
        ["UPDATE projects SET stage = 'aprobado' WHERE id = {row}"],
        "stage",
    ),
    "a share moved": (
        "project_shares",
        "SELECT min(project_id) || '/club' FROM project_shares WHERE party = 'club'",
        [
            "UPDATE project_shares SET amount = amount + 100 "
            "WHERE project_id = CAST(substr('{row}', 1, instr('{row}', '/') - 1) AS INTEGER) AND party = 'club'"
        ],
        "amount",
    ),
    "COVAM ruling overturned": (
        "covam_agenda",
        "SELECT min(id) FROM covam_agenda WHERE ruling IS NOT 'aprobado'",
        ["UPDATE covam_agenda SET ruling = 'aprobado' WHERE id = {row}"],
        "ruling",
    ),
    "closed year reopened": (
        "fiscal_years",
        "SELECT min(year) FROM fiscal_years WHERE closed_at IS NOT NULL",
        ["UPDATE fiscal_years SET closed_at = NULL, closed_by = NULL WHERE year = {row}"],
        "closed_at",
    ),
    "rule set edited": (
        "rule_sets",
        "SELECT min(id) FROM rule_sets",
        ["UPDATE rule_sets SET body = body || ' ' WHERE id = {row}"],
        "body",
    ),
    "exchange rate changed": (
        "exchange_rates",
        "SELECT min(rate_date) FROM exchange_rates",
        ["UPDATE exchange_rates SET rate = '99.0000' WHERE rate_date = '{row}'"],
        "rate",
    ),
    "attachment slipped in": (
        "attachments",
        "SELECT 9001",
        [
            "INSERT INTO attachments (id, project_id, kind, original_name, stored_path, sha256, size, "
            "added_at, added_by) SELECT {row}, min(id), 'otro', 'x.pdf', '/usr/bin/xcalc', "
            f"'{'0' * 64}', 1, '2026-01-01 00:00:00.000000', 'mallory' FROM projects"
        ],
        None,
    ),
    "club renamed": (
        "clubs",
        "SELECT min(id) FROM clubs",
        ["UPDATE clubs SET name = 'Club Fantasma' WHERE id = {row}"],
        "name",
    ),
    "federation deleted": (
        "federations",
        "SELECT max(id) FROM federations",  # foreign keys are off in a plain sqlite3 client
        ["DELETE FROM federations WHERE id = {row}"],
        None,
    ),
    "municipality renamed": (
        "municipalities",
        "SELECT '32056'",
        ["UPDATE municipalities SET name = 'Ningún lugar' WHERE key = '{row}'"],
        "name",
    ),
    "setting changed": (
        "settings",
        "SELECT min(key) FROM settings",
        ["UPDATE settings SET value = value || 'x' WHERE key = '{row}'"],
        "value",
    ),
}


@pytest.mark.parametrize("attack_name", list(ATTACKS))
def test_a_direct_change_to_any_audited_table_is_named(office, attack_name):
    table, row_sql, statements, column = ATTACKS[attack_name]
    row = one(office, row_sql)[0]  # before the attack: a deleted row cannot be found after it
    assert row is not None, attack_name
    assert check_integrity(office).ok
    attack(office, *(s.format(row=row) for s in statements))
    problem = check_integrity(office).problem
    assert problem is not None, attack_name
    assert (problem.params.get("table"), str(problem.params.get("id"))) == (table, str(row)), problem
    if column is None:
        expected = "audit.row_unaudited" if statements[0].startswith("INSERT") else "audit.row_missing"
        assert problem.code == expected
    else:
        assert (problem.code, problem.params["column"]) == ("audit.row_mismatch", column)
    text = english(problem)
    assert text.startswith(f"{table} row {row}")
    assert "argon2" not in text  # a secret is never printed
    assert_cli_names(office, f"tresxuno: {table} row {row}")
