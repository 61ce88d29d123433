"""Alembic environment for tresxuno: runs on the connection ``open_database`` passes in, or on a URL.

``render_as_batch`` is on for SQLite, whose ALTER TABLE cannot change most things in place.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from tresxuno.db.engine import make_engine
from tresxuno.db.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    """Run the migrations on ``connection`` (inside its transaction when it already has one)."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Write the migration SQL for ``sqlalchemy.url`` instead of running it (``alembic upgrade --sql``)."""
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url is not None and url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate the given connection, or connect to ``sqlalchemy.url`` (developer command line)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url (alembic -x or alembic.ini) or pass a connection")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            _configure(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
