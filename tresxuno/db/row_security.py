"""PostgreSQL row-level security: an office's database role sees only its jurisdiction, whatever it runs.

The application filters every query by the signed-in officer's office (:mod:`tresxuno.db.scope`).
On a state server that is one wall; this is the second, for a query the application forgot and for
anyone who connects with a desk's credentials directly. An office whose ``offices.db_role`` names a
PostgreSQL role confines that role: its desks connect as it, and the server itself shows and accepts
only rows of the office's municipalities: projects by municipality, clubs by home municipality (or
a project there), everything else by the project (or club, entry, validation) it is filed under.

Until some office names a role, nothing is confined (a server set up before offices, the tests'
superuser). The owner of the tables and superusers are never confined: migrations and the state's
administrators connect as them. Roles must not have BYPASSRLS.
"""

from __future__ import annotations

from sqlalchemy import Connection

#: Set of municipality keys the current role may see (every key while no office names a role).
FUNCTION = "tresxuno_municipalities"

_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS SETOF varchar
LANGUAGE sql STABLE AS $$
    SELECT m.key FROM municipalities m
    WHERE NOT EXISTS (SELECT 1 FROM offices WHERE db_role IS NOT NULL)
       OR EXISTS (
            SELECT 1 FROM offices o
            WHERE o.db_role = current_user
              AND (EXISTS (SELECT 1 FROM office_municipalities om
                           WHERE om.office_id = o.id AND om.municipality_key = m.key)
                   OR (o.kind = 'state' AND o.state_key = m.state_key
                       AND NOT EXISTS (SELECT 1 FROM office_municipalities om WHERE om.office_id = o.id))))
$$
"""

#: Table -> the condition its rows must meet (read and written), as of revision 0025.
#: A later table filed under a project needs its policy in its own migration (``enable_table``);
#: ``tests/db/test_row_security.py`` fails for a confined table without one.
POLICIES: dict[str, str] = {
    "projects": f"municipality_key IN (SELECT {FUNCTION}())",
    "clubs": f"home_municipality_key IN (SELECT {FUNCTION}()) OR id IN (SELECT club_id FROM projects)",
    "club_tomas": "club_id IN (SELECT id FROM clubs)",
    "ledger_allocations": "entry_id IN (SELECT id FROM ledger_entries)",
    "validation_scores": "validation_id IN (SELECT id FROM technical_validations)",
    **{
        table: "project_id IN (SELECT id FROM projects)"
        for table in (
            "project_shares",
            "stage_changes",
            "ledger_entries",
            "attachments",
            "cap_authorisations",
            "reintegro_exceptions",
            "covam_agenda",
            "project_progress",
            "ministraciones",
            "stage_gate_exceptions",
            "project_amendments",
            "project_amendment_shares",
            "social_committees",
            "social_committee_members",
            "social_committee_records",
            "project_convenio_terms",
            "project_goals",
            "project_beneficiaries",
            "technical_validations",
        )
    },
}

#: A club row written must be of the office's municipalities (seeing one through a project is not owning it).
_WRITE_CHECKS = {"clubs": f"home_municipality_key IN (SELECT {FUNCTION}())"}


def enable_table(connection: Connection, table: str, condition: str) -> None:
    """Confine ``table`` to rows meeting ``condition`` for every role but its owner and superusers."""
    check = _WRITE_CHECKS.get(table, condition)
    connection.exec_driver_sql(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    connection.exec_driver_sql(
        f"CREATE POLICY jurisdiction ON {table} USING ({condition}) WITH CHECK ({check})"
    )


def enable(connection: Connection) -> None:
    """Create the function and every policy of :data:`POLICIES`."""
    connection.exec_driver_sql(_FUNCTION_SQL)
    for table, condition in POLICIES.items():
        enable_table(connection, table, condition)


def disable(connection: Connection) -> None:
    """Drop every policy and the function (the downgrade)."""
    for table in POLICIES:
        connection.exec_driver_sql(f"DROP POLICY IF EXISTS jurisdiction ON {table}")
        connection.exec_driver_sql(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


#: Nothing is confined while no office names a role (the same rule as :data:`FUNCTION`'s).
_NONE_CONFINED = "NOT EXISTS (SELECT 1 FROM offices WHERE db_role IS NOT NULL)"
#: Tables every desk writes but an office's role reads only in part (revision 0027): table -> who reads.
READ_POLICIES: dict[str, str] = {
    "audit_log": (
        f"{_NONE_CONFINED} OR subject IN (SELECT 'projects:' || id FROM projects)"
        " OR subject IN (SELECT 'clubs:' || id FROM clubs)"
    ),
    "attachment_contents": f"{_NONE_CONFINED} OR sha256 IN (SELECT sha256 FROM attachments)",
}


def enable_readers(connection: Connection) -> None:
    """Confine what office roles read of :data:`READ_POLICIES`' tables; inserts stay open to every desk."""
    for table, condition in READ_POLICIES.items():
        connection.exec_driver_sql(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        connection.exec_driver_sql(
            f"CREATE POLICY jurisdiction_read ON {table} FOR SELECT USING ({condition})"
        )
        connection.exec_driver_sql(
            f"CREATE POLICY jurisdiction_write ON {table} FOR INSERT WITH CHECK (true)"
        )


def disable_readers(connection: Connection) -> None:
    """Drop the policies of :func:`enable_readers`."""
    for table in READ_POLICIES:
        connection.exec_driver_sql(f"DROP POLICY IF EXISTS jurisdiction_read ON {table}")
        connection.exec_driver_sql(f"DROP POLICY IF EXISTS jurisdiction_write ON {table}")
        connection.exec_driver_sql(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


def grant_statements(role: str) -> list[str]:
    """What an office's role needs to work through the application (run by the tables' owner).

    Reads and writes of every table (row-level security confines them; the audit trail's triggers
    refuse any change to it) and its sequences; never TRUNCATE or DDL.
    """
    quoted = '"' + role.replace('"', '""') + '"'
    return [
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
    ]
