"""Open a tresxuno database: URL resolution, SQLite pragmas, schema migration and refusal of newer schemas.

Alembic is imported only when a schema actually needs migrating, so opening an up-to-date file is quick.
"""

from __future__ import annotations

import logging
import os
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Integer, create_engine, event, inspect, make_url, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

import tresxuno
from tresxuno import paths
from tresxuno.db import audit, scope
from tresxuno.domain.problems import StorageError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

#: The newest migration this app ships; a test checks it equals Alembic's script head. Comparing the
#: stored revision with it avoids loading Alembic at all when nothing needs migrating.
HEAD_REVISION = "0029_officials_by_office"

#: Folder of the Alembic environment (``env.py``, ``versions/``), shipped as package data.
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: Milliseconds a connection waits for another writer before giving up with "database is locked".
BUSY_TIMEOUT_MS = 10_000

#: Pauses (seconds) between attempts to start a transaction while another program holds the write lock,
#: each after a full busy timeout; jittered so two waiting desktops do not retry in step.
LOCK_RETRY_DELAYS = (0.05, 0.25, 1.0)
#: PostgreSQL advisory lock key that immediate (read-check-write) transactions hold; any constant
#: works as long as every tresxuno writer uses the same one ("3x1" in ASCII).
WRITER_LOCK = 0x337831

#: Execution option naming how SQLite transactions begin (DEFERRED unless set to IMMEDIATE).
_BEGIN_OPTION = "tresxuno_sqlite_begin"

_SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys=ON",
    "PRAGMA journal_mode=WAL",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    # FULL makes every commit durable in WAL mode too: a power cut never loses a recorded payment.
    "PRAGMA synchronous=FULL",
)


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of the SQLite file ``path`` (made absolute).

    SQLAlchemy unquotes ``%XX`` and cuts at ``?`` in a URL, so a folder named ``Gastos 100%2026`` (or,
    off Windows, one with a ``?``) would name another file: those two characters are escaped.
    Drive letters, spaces and accents go through as they are.
    """
    return "sqlite:///" + str(path.resolve()).replace("%", "%25").replace("?", "%3F")


def database_url(value: str | None) -> str:
    """Turn what a user gives (``--db``, ``TRESXUNO_DB``, a setting) into an SQLAlchemy URL.

    Args:
        value: ``None`` (or blank) for the default SQLite file in the user's data folder; a string containing
            ``"://"`` is taken as a URL as-is (``postgresql+psycopg://user@host/db``); anything else
            is the path of an SQLite file, made absolute.

    Returns:
        The URL as a string.
    """
    if value is None or not value.strip():
        # An empty setting or environment variable means "not set", not the current folder.
        path = paths.default_database_path()
    elif "://" in value:
        return value
    else:
        path = Path(value).expanduser()
    return sqlite_url(path)


def _sqlite_file(url: URL) -> Path | None:
    """The file an SQLite URL names, or None for other back ends and in-memory databases."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


class Database:
    """An open database: the engine plus a session factory.

    Sessions do not expire objects on commit (``expire_on_commit=False``) so the services ring can
    read the rows it just wrote after the transaction ends, without another query.
    """

    def __init__(self, engine: Engine, *, read_only: bool = False):
        self.engine = engine
        #: True for an archive copy opened read-only (see :func:`is_read_only_file`): use cases that
        #: only read work; a write fails with ``db.read_only``; sign-in skips its bookkeeping.
        self.read_only = read_only
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        # Same pool, but SQLite transactions start with BEGIN IMMEDIATE (see transaction()).
        self._immediate_sessions = sessionmaker(
            bind=engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"}), expire_on_commit=False
        )
        # Every change made through these sessions leaves an audit record.
        audit.install(self._sessions, self._immediate_sessions)
        # An officer of one office reads and changes only its jurisdiction's rows.
        scope.install(self._sessions, self._immediate_sessions)

    @property
    def url(self) -> str:
        """The database URL with any password hidden (safe to show and log)."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None for a server database."""
        return _sqlite_file(self.engine.url)

    def session(self) -> Session:
        """A new session; the caller closes it (use it as a context manager)."""
        return self._sessions()

    @contextmanager
    def transaction(self, *, immediate: bool = False) -> Iterator[Session]:
        """Yield a session inside one transaction: committed on normal exit, fully rolled back on error.

        Reads see one consistent snapshot. On SQLite a transaction that reads, then writes after
        another connection committed, fails with ``db.locked`` rather than write on stale data;
        ``immediate=True`` avoids that by taking the write lock at the first statement (waiting up
        to the busy timeout for other writers); use it for read-check-write use cases such as
        recording a payment against a balance. On PostgreSQL ``immediate=True`` takes the
        database's writer lock (a transaction-level advisory lock, :data:`WRITER_LOCK`) instead, so
        read-check-write use cases run one at a time there too: two desks never take the same
        folio, and two payments never both pass a balance that covers only one.

        Raises:
            StorageError: the database is locked, read-only, full or unreachable (see
                :func:`storage_error_for`); other errors propagate unchanged.
        """
        factory = self._immediate_sessions if immediate else self._sessions
        session, begun = self._begin(factory)
        try:
            with session, begun:
                yield session
        except OperationalError as exc:
            problem = storage_error_for(exc)
            if problem is None:
                raise
            raise problem from exc

    def _begin(self, factory: sessionmaker[Session]) -> tuple[Session, SessionTransaction]:
        """A session whose transaction has begun, retrying while the database is locked.

        The one place that retries: starting a transaction is safe to repeat because nothing of the
        caller's has run yet. On SQLite an immediate transaction takes the write lock here, waiting up
        to the busy timeout; it is tried again after each pause of :data:`LOCK_RETRY_DELAYS`, and only
        then the officer sees ``db.locked``. A lock lost later (a deferred transaction upgrading to a
        write) cannot be retried without running the caller twice, so writers use ``immediate=True``.
        """
        for delay in (*LOCK_RETRY_DELAYS, None):
            session = factory()
            try:
                begun = session.begin()
                connection = session.connection()  # runs BEGIN [IMMEDIATE] now
                if factory is self._immediate_sessions and connection.dialect.name == "postgresql":
                    # Held until commit or rollback. Waits as long as SQLite's busy timeout, then the
                    # officer sees db.locked (after the retries below) instead of a frozen window.
                    connection.exec_driver_sql(f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}")
                    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK})")
                return session, begun
            except OperationalError as exc:
                session.close()
                problem = storage_error_for(exc)
                if problem is None:
                    raise
                if problem.code != "db.locked" or delay is None:
                    raise problem from exc
                log.info("database locked; trying again in %.2f s", delay)
                time.sleep(delay * random.uniform(0.5, 1.5))  # float ok: seconds
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        """Close every pooled connection (before a backup, restore or exit)."""
        self.engine.dispose()


def storage_error_for(exc: DBAPIError) -> StorageError | None:
    """Map a driver error the officer can do something about to a :class:`StorageError`.

    Codes: ``db.locked`` (another program holds the write lock), ``db.read_only``, ``db.disk_full``,
    ``db.unreachable`` (a server did not answer). Returns None for anything else, which is a bug.
    """
    message = str(exc.orig).lower()
    for needle, code in (
        ("database is locked", "db.locked"),
        ("lock timeout", "db.locked"),  # PostgreSQL: another desk held the writer lock too long
        ("readonly database", "db.read_only"),
        ("read-only", "db.read_only"),
        ("disk is full", "db.disk_full"),
        ("disk full", "db.disk_full"),
        ("no space left", "db.disk_full"),
        ("could not connect", "db.unreachable"),
        ("connection refused", "db.unreachable"),
        ("connection timed out", "db.unreachable"),
        ("server closed the connection", "db.unreachable"),
    ):
        if needle in message:
            return StorageError(code, detail=str(exc.orig))
    return None


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """Create an engine; SQLite connections get tresxuno's pragmas and real transactions.

    Every new SQLite connection turns on foreign keys, WAL, a 10 s busy timeout and
    ``synchronous=FULL``. The driver's legacy transaction handling (a BEGIN only before the first
    INSERT/UPDATE/DELETE) is replaced by an explicit ``BEGIN`` at the start of every transaction, so
    reads, DDL and savepoints all belong to it: reads are consistent and migrations roll back whole.

    With ``read_only`` (an SQLite file only) connections are opened with ``mode=ro``, so SQLite itself
    refuses every write, even for a user the file system would let write; the journal mode is left as
    found (switching to WAL writes the header). In a folder nobody may write to, ``immutable=1`` lets
    SQLite read without creating its ``-shm`` companion there.
    """
    file = _sqlite_file(make_url(url)) if read_only else None
    if file is None:
        engine = create_engine(url)
    else:
        uri = read_only_uri(file)
        # check_same_thread=False as SQLAlchemy's own file pool does: connections move between threads
        # (the GUI's database lane) but are never shared at once.
        engine = create_engine(url, creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect_read_only if file else _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _writable(path: Path) -> bool:
    """Whether ``path`` may be written: the OS allows it and its mode keeps at least one write bit.

    The mode bits are read as well as :func:`os.access` because the superuser may write anything:
    a file or folder someone marked ``0444``/``0555`` is an archive, whoever opens it.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & 0o222) and os.access(path, os.W_OK)


def read_only_uri(file: Path) -> str:
    """An SQLite URI opening ``file`` read-only (``immutable=1`` too when its folder is read-only)."""
    uri = paths.sqlite_uri(file)
    return uri if _writable(file.resolve().parent) else uri + "&immutable=1"


def is_read_only_file(file: Path) -> bool:
    """Whether an existing SQLite file is an archive to open read-only: it, or its folder, is read-only.

    The folder counts because SQLite in WAL mode writes its ``-wal`` and ``-shm`` beside the file.
    """
    return not _writable(file) or not _writable(file.resolve().parent)


def _on_sqlite_connect_read_only(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    for pragma in _SQLITE_PRAGMAS:
        if not pragma.startswith("PRAGMA journal_mode"):
            dbapi_connection.execute(pragma).fetchone()


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Stop the sqlite3 module from issuing its own BEGIN (only before DML); _on_sqlite_begin does it.
    dbapi_connection.isolation_level = None
    for pragma in _SQLITE_PRAGMAS:
        row = dbapi_connection.execute(pragma).fetchone()
        # WAL is refused on some network drives; SQLite then silently keeps its rollback journal.
        if pragma.startswith("PRAGMA journal_mode") and row is not None and str(row[0]).lower() != "wal":
            log.warning("SQLite kept journal_mode=%s (WAL not available on this drive)", row[0])


def _on_sqlite_begin(connection: Connection) -> None:
    mode = connection.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def open_database(
    url_or_path: str | None = None,
    *,
    create: bool = True,
    migrate: bool = True,
    backup_before_upgrade: bool = True,
) -> Database:
    """Open (and if needed create and migrate) a tresxuno database.

    An empty database or one at an older revision is upgraded to :data:`HEAD_REVISION` and, if its
    ``states`` table is empty, filled with the INEGI catalogue, all in one transaction.

    Args:
        url_or_path: anything :func:`database_url` accepts; None for the default SQLite file.
        create: when False, a missing SQLite file is an error instead of being created.
        migrate: when False, the schema is left as found (no upgrade, no catalogue); a database
            newer than the app is still refused.
        backup_before_upgrade: when False, an old SQLite file is upgraded without a copy in the
            backups folder first (a restore's scratch copy, which is itself the copy).

    Returns:
        The open :class:`Database`; the caller disposes of it.

    Raises:
        StorageError: ``db.not_found`` (missing file and ``create=False``), ``db.cannot_create``,
            ``db.not_a_database``, ``db.too_new`` (revision unknown to this app; the database is not
            touched), ``db.foreign_schema`` (tables but no tresxuno revision), or a code from
            :func:`storage_error_for`.
    """
    url = database_url(url_or_path)
    file = _sqlite_file(make_url(url))
    if file is not None:
        if file.exists() and is_read_only_file(file):
            return _open_read_only(url, file)
        if file.exists():
            revision, has_catalogue = _peek_sqlite(file)
            if revision == HEAD_REVISION and (has_catalogue or not migrate):
                # The common case: nothing to do, and no connection opened yet.
                return Database(make_engine(url))
            if revision is not None:
                _check_known(revision)
                if migrate and revision != HEAD_REVISION and backup_before_upgrade:
                    _backup_before_upgrade(file, revision)
        elif not create:
            raise StorageError("db.not_found", path=str(file))
        else:
            try:
                # 0600 from the start (its -wal and -shm take its mode), in a 0700 folder if new.
                paths.create_private_file(file)
            except FileExistsError:
                pass  # made meanwhile by another window: open it like any existing file
            except OSError as exc:
                raise StorageError("db.cannot_create", path=str(file), detail=str(exc)) from exc

    database = Database(make_engine(url))
    try:
        _prepare_schema(database, migrate=migrate)
    except BaseException:
        database.dispose()
        raise
    return database


def _open_read_only(url: str, file: Path) -> Database:
    """Open an archive copy for reading; it must be at this app's schema, since it cannot be upgraded.

    Raises:
        StorageError: ``db.too_new``, ``db.read_only_outdated`` (an older schema: copy it somewhere
            writable to upgrade it), ``db.not_a_database``, ``db.cannot_open``.
    """
    revision, _has_catalogue = _peek_sqlite(file)
    if revision is None:
        raise StorageError("db.not_a_database", path=str(file))
    _check_known(revision)
    if revision != HEAD_REVISION:
        raise StorageError("db.read_only_outdated", path=str(file), revision=revision)
    log.info("Opening %s read-only (the file or its folder is read-only)", file)
    return Database(make_engine(url, read_only=True), read_only=True)


def open_read_only(url_or_path: str | None = None) -> Database:
    """Open a database at :data:`HEAD_REVISION` for reading only: nothing is created, migrated or written.

    For ``tresxuno check``: a verifier that upgraded (and so wrote a baseline into) what it is asked
    to verify would bless whatever it found. SQLite files open with ``mode=ro`` and ``query_only``;
    a server database runs its transactions read-only.

    Raises:
        StorageError: ``db.not_found``, ``db.not_a_database``, ``db.too_new``, ``db.needs_upgrade``
            (an older schema, with the way to upgrade it), or a code from :func:`storage_error_for`.
    """
    url = database_url(url_or_path)
    file = _sqlite_file(make_url(url))
    if file is None:
        database = Database(make_engine(url).execution_options(postgresql_readonly=True))
        _prepare_schema(database, migrate=False)
        with database.engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        where = {"url": database.url}
    else:
        if not file.is_file():
            raise StorageError("db.not_found", path=str(file))
        revision, _catalogue = _peek_sqlite(file)
        if revision is None:
            raise StorageError("db.not_a_database", path=str(file))
        _check_known(revision)
        where = {"path": str(file)}
        engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(paths.sqlite_uri(file), uri=True))
        event.listen(engine, "connect", _on_read_only_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        database = Database(engine)
    if revision != HEAD_REVISION:
        database.dispose()
        raise StorageError("db.needs_upgrade", revision=revision, head=HEAD_REVISION, **where)
    return database


def _on_read_only_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    for pragma in ("PRAGMA query_only=ON", f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}"):
        dbapi_connection.execute(pragma)


def _backup_before_upgrade(file: Path, revision: str) -> Path:
    """Copy an old database into the backups folder before migrating it; refuse to migrate without one."""
    from tresxuno.db.backup import migration_backup

    try:
        copy = migration_backup(file, paths.backups_dir(), revision)
    except (OSError, sqlite3.Error) as exc:
        raise StorageError("db.backup_failed", path=str(file), detail=str(exc)) from exc
    log.info("Backed up %s to %s before upgrading it from %s", file, copy, revision)
    return copy


def _peek_sqlite(file: Path) -> tuple[str | None, bool]:
    """Read an SQLite file's revision without changing it; True when its states table has rows.

    Opened read-only through the plain driver, so a file that is not ours (or from a newer app) is
    left byte for byte as it was: the engine's pragmas (WAL) would rewrite its header.
    """
    try:
        connection = sqlite3.connect(read_only_uri(file), uri=True)
    except sqlite3.Error as exc:
        raise StorageError("db.cannot_open", path=str(file), detail=str(exc)) from exc
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        revision = None
        if "alembic_version" in tables:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        has_catalogue = "states" in tables and connection.execute(
            "SELECT EXISTS (SELECT 1 FROM states)"
        ).fetchone() == (1,)
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc) or "malformed" in str(exc):
            raise StorageError("db.not_a_database", path=str(file)) from exc
        raise StorageError("db.cannot_open", path=str(file), detail=str(exc)) from exc
    finally:
        connection.close()
    return revision, has_catalogue


def _alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration built in code: no alembic.ini is needed at run time."""
    from alembic.config import Config

    config = Config()
    # ConfigParser interpolation would read a "%" in the install path as a placeholder.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        # env.py runs the migrations on this connection, inside our transaction.
        config.attributes["connection"] = connection
    return config


def known_revisions() -> set[str]:
    """Every revision id the shipped migrations define."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def _check_known(revision: str) -> None:
    """Refuse a database stamped by a newer tresxuno: migrating it down or using it could lose data."""
    if revision != HEAD_REVISION and revision not in known_revisions():
        raise StorageError("db.too_new", revision=revision, app_version=tresxuno.__version__)


def _prepare_schema(database: Database, *, migrate: bool) -> None:
    """Check the stored revision, then upgrade and load the catalogue when needed."""
    try:
        with database.engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            revision = None
            if "alembic_version" in tables:
                revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            has_catalogue = (
                revision == HEAD_REVISION
                and "states" in tables
                and connection.execute(text("SELECT 1 FROM states LIMIT 1")).first() is not None
            )
            connection.rollback()
    except OperationalError as exc:
        problem = storage_error_for(exc)
        if problem is None:
            raise StorageError("db.cannot_open", url=database.url, detail=str(exc.orig)) from exc
        raise problem from exc

    if revision is not None:
        _check_known(revision)
    elif tables - {"alembic_version"}:
        # Someone else's database: creating our tables beside theirs would mix two applications.
        raise StorageError("db.foreign_schema", url=database.url, tables=sorted(tables)[:10])
    if not migrate or has_catalogue:
        # Up to date (a server's database, opened by every desk at every start): nothing to
        # migrate, and its baseline was sealed by the upgrade that brought it here. Replaying the
        # trail again took 27 s on a 30,000-project server.
        return
    _upgrade(database)


def migrate_empty_sqlite(file: Path, revision: str) -> None:
    """Create the SQLite file ``file`` and migrate it to ``revision`` (schema only, no catalogue).

    The reference a restore compares a backup's schema with: what this app's migrations make of
    an empty database at the backup's revision.
    """
    engine = make_engine(sqlite_url(file))
    try:
        with engine.connect() as connection:
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
            with connection.begin():
                from alembic import command

                command.upgrade(_alembic_config(connection), revision)
    finally:
        engine.dispose()


def _upgrade(database: Database) -> None:
    """Run ``alembic upgrade head`` and load the INEGI catalogue, in one transaction."""
    from alembic import command

    from tresxuno.db.catalogue import load_inegi
    from tresxuno.db.models import State

    with database.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite's recipe for schema changes: foreign keys off outside the transaction (the pragma
            # is ignored inside one), so batch migrations can rebuild referenced tables; checked below.
            # (dbapi_connection is typed Optional: None only once invalidated; a checked-out one has it.)
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                command.upgrade(_alembic_config(connection), "head")
                with Session(bind=connection) as session:
                    if session.scalar(select(State.key).limit(1)) is None:
                        count = load_inegi(session)
                        log.info("Loaded %d INEGI municipalities", count)
                    session.flush()
                # Rows the trail has never seen (a release before it, the catalogue just loaded)
                # become one baseline record per table, so check compares them from now on.
                audit.seal_baseline(connection)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration left dangling foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]  # as above


def catch_up_sequences(connection: Connection) -> None:
    """On PostgreSQL, move each table's id sequence past the largest id stored; nothing elsewhere.

    Bulk writers that give rows their ids (the demo) leave a server's sequences behind, and the next
    row an officer saves would be given an id already taken. SQLite numbers from the largest id itself.
    """
    if connection.dialect.name != "postgresql":
        return
    from tresxuno.db.models import Base

    for table in Base.metadata.sorted_tables:
        columns = list(table.primary_key.columns)
        if len(columns) != 1 or not isinstance(columns[0].type, Integer):
            continue
        quote = connection.dialect.identifier_preparer.quote
        column, name = quote(columns[0].name), quote(table.name)
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), COALESCE(MAX({column}), 1), "
                f"MAX({column}) IS NOT NULL) FROM {name} WHERE pg_get_serial_sequence(:table, :column) IS NOT NULL"
            ),
            {"table": table.name, "column": columns[0].name},
        )
