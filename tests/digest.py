"""A fingerprint of a database's content: every table's rows in primary-key order, hashed.

Works on SQLite and PostgreSQL alike (the tables come from SQLAlchemy's inspector, not ``sqlite_master``),
so a test can assert that a refused action left the database exactly as it was.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import inspect

from tresxuno.db.engine import Database


def database_digest(db: Database) -> str:
    """sha256 of every table's name and rows, each table ordered by its primary key."""
    digest = hashlib.sha256()
    with db.engine.connect() as connection:
        inspector = inspect(connection)
        for table in sorted(inspector.get_table_names()):
            key = inspector.get_pk_constraint(table).get("constrained_columns") or []
            order = ", ".join(f'"{c}"' for c in key) or "1"
            rows = connection.exec_driver_sql(f'SELECT * FROM "{table}" ORDER BY {order}').all()
            digest.update(f"{table}: {rows!r}\n".encode())
    return digest.hexdigest()
