"""Row-level security on PostgreSQL: an office's database role sees and changes only its jurisdiction.

The application's own filters are one wall (``tests/services/test_jurisdictions.py``); this is the
second. Each test connects straight to the server as an office's role, with plain SQL and no
application in between, and tries to read and change another office's rows. Runs only when a
server is given (``TRESXUNO_TEST_POSTGRES_URL``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, func, make_url, select
from sqlalchemy.exc import DBAPIError

from tresxuno.db import row_security, scope
from tresxuno.db.engine import Database, open_database
from tresxuno.db.models import AttachmentContent, Club, LedgerEntry, Municipality, Project
from tresxuno.demo.projects import generate_demo
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.services import offices, projects, users
from tresxuno.services.attachments import attach_document
from tresxuno.services.users import authenticate

ADMIN_URL = os.environ.get("TRESXUNO_TEST_POSTGRES_URL", "")
if not ADMIN_URL:
    pytest.skip("TRESXUNO_TEST_POSTGRES_URL is not set", allow_module_level=True)

PASSWORD = "clave-de-prueba"


@dataclass(frozen=True)
class Server:
    db: Database
    url: str  # the tables' owner (the test's administrator)
    home: str  # municipality of the office that holds projects
    elsewhere: str  # municipality of an office that holds none
    home_role: str
    other_role: str

    def as_role(self, role: str) -> str:
        return make_url(self.url).set(username=role, password=PASSWORD).render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    pytest.importorskip("psycopg")
    tag = uuid.uuid4().hex[:8]
    name, home_role, other_role = f"tresxuno_rls_{tag}", f"tx_home_{tag}", f"tx_other_{tag}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        for role in (home_role, other_role):
            connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN NOBYPASSRLS PASSWORD '{PASSWORD}'")
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    db = open_database(url)
    try:
        generate_demo(db, projects=16, seed=3)
        with db.transaction() as session:
            home = session.scalar(
                select(Project.municipality_key)
                .group_by(Project.municipality_key)
                .order_by(func.count().desc())
            )
            used = set(session.scalars(select(Project.municipality_key))) | set(
                session.scalars(select(Club.home_municipality_key))
            )
            elsewhere = next(
                k
                for k in session.scalars(select(Municipality.key).where(Municipality.state_key == "32"))
                if k not in used
            )
        with acting_as(Actor("admin", "administrador")):
            for code, key, role in (("casa", home, home_role), ("otra", elsewhere, other_role)):
                offices.create_office(
                    db,
                    offices.OfficeInput(code, f"Oficina {code}", "municipal", key[:2], (key,), db_role=role),
                )
        yield Server(db, url, home, elsewhere, home_role, other_role)
    finally:
        db.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
            for role in (home_role, other_role):
                connection.exec_driver_sql(f"DROP ROLE IF EXISTS {role}")
        admin.dispose()


def _sql(url: str, statement: str, **params: object) -> list[tuple]:
    """Run one statement on its own connection (autocommit) and return its rows, if any."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            result = connection.exec_driver_sql(statement, params)
            return [tuple(r) for r in result] if result.returns_rows else [(result.rowcount,)]
    finally:
        engine.dispose()


def _count(server: Server, table: str, where: str = "TRUE") -> int:
    return _sql(server.url, f"SELECT count(*) FROM {table} WHERE {where}")[0][0]


def test_the_role_of_an_office_without_projects_reads_nothing_of_the_others(server):
    other = server.as_role(server.other_role)
    assert _count(server, "projects") > 0 and _count(server, "ledger_entries") > 0
    assert _count(server, "audit_log") > 0 and _count(server, "attachment_contents") > 0
    for table in (*row_security.POLICIES, *row_security.READ_POLICIES):
        assert _sql(other, f"SELECT count(*) FROM {table}")[0][0] == 0, table


def test_the_role_of_an_office_reads_exactly_its_own(server):
    home = server.as_role(server.home_role)
    mine = f"municipality_key = '{server.home}'"
    assert _sql(home, "SELECT count(*) FROM projects")[0][0] == _count(server, "projects", mine)
    assert _sql(home, "SELECT count(*) FROM ledger_entries")[0][0] == _count(
        server, "ledger_entries", f"project_id IN (SELECT id FROM projects WHERE {mine})"
    )


def test_the_role_of_another_office_changes_nothing(server):
    other = server.as_role(server.other_role)
    before = _sql(server.url, "SELECT id, name, cost FROM projects ORDER BY id")
    assert _sql(other, "UPDATE projects SET name = 'tomado', cost = 1")[0][0] == 0
    assert _sql(other, "DELETE FROM project_goals")[0][0] == 0
    assert _sql(server.url, "SELECT id, name, cost FROM projects ORDER BY id") == before
    project = _sql(server.url, f"SELECT id FROM projects WHERE municipality_key = '{server.home}' LIMIT 1")[
        0
    ][0]
    entries = _count(server, "ledger_entries")
    with pytest.raises(DBAPIError, match="row-level security"):
        _sql(
            other,
            "INSERT INTO ledger_entries (project_id, kind, party, entry_date, amount, created_at, created_by) "
            "VALUES (%(p)s, 'contribution', 'club', DATE '2026-03-02', 100, now(), 'x')",
            p=project,
        )
    # Another office's project cannot even be found to be moved.
    moved = f"UPDATE projects SET municipality_key = '{server.elsewhere}' WHERE id = %(p)s"
    assert _sql(other, moved, p=project)[0][0] == 0
    # Nor can its own office hand it to a municipality outside its jurisdiction.
    with pytest.raises(DBAPIError, match="row-level security"):
        _sql(server.as_role(server.home_role), moved, p=project)
    assert _count(server, "ledger_entries") == entries


def test_a_role_of_no_office_sees_nothing_once_offices_are_confined(server):
    stranger = f"tx_stranger_{uuid.uuid4().hex[:8]}"
    _sql(ADMIN_URL, f"CREATE ROLE {stranger} LOGIN NOBYPASSRLS PASSWORD '{PASSWORD}'")
    try:
        for statement in row_security.grant_statements(stranger):
            _sql(server.url, statement)
        assert _sql(server.as_role(stranger), "SELECT count(*) FROM projects")[0][0] == 0
    finally:
        _sql(server.url, f"DROP OWNED BY {stranger}")
        _sql(ADMIN_URL, f"DROP ROLE {stranger}")


def test_every_table_the_application_confines_has_a_policy(server):
    """A later migration adding a table filed under a project must add its policy too."""
    policies = {
        table
        for (table,) in _sql(
            server.url, "SELECT tablename FROM pg_policies WHERE policyname = 'jurisdiction'"
        )
    }
    forced = {
        table
        for (table,) in _sql(
            server.url, "SELECT relname FROM pg_class WHERE relrowsecurity AND relkind = 'r'"
        )
    }
    confined = set(scope.scoped_tables())
    assert confined <= policies and confined <= forced, sorted(confined - (policies & forced))


def test_a_desk_connected_as_its_office_role_works_through_the_application(server, tmp_path):
    with acting_as(Actor("admin", "administrador")):
        users.create_user(server.db, "admin", "", "administrador", "correcto-123")
        users.create_user(server.db, "cap-casa", "", "capturista+tesoreria", "correcto-123")
        offices.assign_office(server.db, "cap-casa", "casa")
    desk = open_database(server.as_role(server.home_role), create=False)
    try:
        officer = authenticate(desk, "cap-casa", "correcto-123")
        with acting_as(officer):
            seen = {p.folio for p in projects.list_projects(desk, limit=1000)}
        mine = f"SELECT folio FROM projects WHERE municipality_key = '{server.home}'"
        assert seen == {folio for (folio,) in _sql(server.url, mine)}
        with desk.transaction() as session:  # the server alone, even with no officer signed in
            assert set(session.scalars(select(Project.municipality_key).distinct())) == {server.home}
            assert session.scalar(select(func.count()).select_from(LedgerEntry)) == _count(
                server,
                "ledger_entries",
                f"project_id IN (SELECT id FROM projects WHERE municipality_key = '{server.home}')",
            )
        # Writing through the role: the entry, its audit record and a scan's bytes all go in.
        with desk.transaction() as session:
            mine = session.scalar(select(Project.id).order_by(Project.id).limit(1))
        with acting_as(officer):
            scan = tmp_path / "oficio.pdf"
            scan.write_bytes(b"%PDF-1.4 oficio de la casa")
            attach_document(desk, mine, "otro", scan)
        with desk.transaction() as session:
            assert session.scalar(select(func.count()).select_from(AttachmentContent)) > 0
        trail = _sql(server.as_role(server.home_role), "SELECT DISTINCT subject FROM audit_log")
        projects_here = {
            f"projects:{i}"
            for (i,) in _sql(server.url, f"SELECT id FROM projects WHERE municipality_key = '{server.home}'")
        }
        assert trail and all(s in projects_here or s.startswith("clubs:") for (s,) in trail)
    finally:
        desk.dispose()
