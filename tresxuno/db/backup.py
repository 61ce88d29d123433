"""Copy an SQLite database safely while it may be in use: SQLite's online backup API, never a file copy.

A plain file copy of a database in WAL mode can miss committed pages still in the ``-wal`` file, or
catch a half-written page; the backup API copies a consistent snapshot page by page. Lives in the
db ring because opening an old database makes a backup before migrating it.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from tresxuno import paths

#: Pages copied per step: small enough for a responsive Cancel and progress bar, big enough to be quick.
PAGES_PER_STEP = 512

#: ``step(copied_pages, total_pages)``; may raise to stop the copy (the partial file is removed).
CopyStep = Callable[[int, int], None]


def backup_stamp(now: datetime | None = None) -> str:
    """A sortable, file-name-safe timestamp (local time): ``20260315-142501``."""
    return (now or datetime.now(UTC).astimezone()).strftime("%Y%m%d-%H%M%S")


def sqlite_copy(source: Path, target: Path, *, step: CopyStep | None = None) -> Path:
    """Copy the SQLite database ``source`` into the new single file ``target``.

    Written to ``target.part`` first and renamed only once complete and switched to a rollback
    journal, so ``target`` is either absent or a whole, self-contained database (no ``-wal`` beside it).

    Raises:
        sqlite3.Error, OSError: the copy failed; nothing is left at ``target``. Whatever ``step``
        raises is raised too, with the same clean-up.
    """
    partial = target.with_name(target.name + ".part")
    # On Windows an antivirus may still be scanning a file just written (or a stale ``.part``):
    # replacing or deleting it is retried a moment (paths.retry_while_in_use), not failed at once.
    paths.retry_while_in_use(lambda: partial.unlink(missing_ok=True))
    # A copy holds every row: 0600 from its first byte (a new folder 0700), whatever the umask.
    paths.create_private_file(partial)
    try:
        src = sqlite3.connect(paths.sqlite_uri(source), uri=True)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    try:
        dst = sqlite3.connect(partial)
        try:

            def _progress(_status: int, remaining: int, total: int) -> None:
                if step is not None:
                    step(total - remaining, total)

            src.backup(dst, pages=PAGES_PER_STEP, progress=_progress)
            dst.execute("PRAGMA journal_mode=DELETE")
            dst.commit()
        finally:
            dst.close()
        paths.retry_while_in_use(lambda: os.replace(partial, target))
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    return target


def migration_backup(source: Path, folder: Path, revision: str) -> Path:
    """The copy made before migrating an old database: ``<name>-<stamp>-before-upgrade-from-<rev>.sqlite``."""
    name = f"{source.stem}-{backup_stamp()}-before-upgrade-from-{revision}.sqlite"
    return sqlite_copy(source, folder / name)


# --- Schemas ------------------------------------------------------------------------------------

#: SQLite's own tables, which appear with use (``AUTOINCREMENT``, ``ANALYZE``), not with a migration.
#: Nobody can create another object whose name starts with ``sqlite_``.
_SQLITE_OWN_TABLES = frozenset(
    {"sqlite_sequence", "sqlite_stat1", "sqlite_stat2", "sqlite_stat3", "sqlite_stat4"}
)

#: One schema object: ``(type, name)`` -> ``(table, sql)``; type is table, index, trigger or view,
#: sql is its ``CREATE`` statement with runs of white space made one space (None for an automatic index).
Schema = dict[tuple[str, str], tuple[str, str | None]]


def schema_of(connection: sqlite3.Connection) -> Schema:
    """Every object of an SQLite database's schema, as ``sqlite_master`` holds it."""
    schema: Schema = {}
    for kind, name, table, sql in connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"):
        if kind == "table" and name in _SQLITE_OWN_TABLES:
            continue
        schema[(kind, name)] = (table, _normal_sql(kind, sql))
    return schema


#: How a table-level constraint starts; every other item of a ``CREATE TABLE`` is a column.
_CONSTRAINT_STARTS = ("CONSTRAINT ", "PRIMARY KEY", "UNIQUE", "CHECK", "FOREIGN KEY")


def _normal_sql(kind: str, sql: str | None) -> str | None:
    """A ``CREATE`` statement with white space made single; a table's constraints in sorted order.

    Alembic's batch migrations rebuild a SQLite table from a Python set of constraints, so the same
    migration writes them in another order in another process; columns keep their order (it matters).
    """
    if sql is None:
        return None
    text = " ".join(sql.split())
    if kind != "table" or "(" not in text or not text.endswith(")"):
        return text
    start = text.index("(")
    items = [item.strip() for item in _top_level_split(text[start + 1 : -1])]
    columns = [i for i in items if not i.upper().startswith(_CONSTRAINT_STARTS)]
    constraints = sorted(i for i in items if i.upper().startswith(_CONSTRAINT_STARTS))
    return f"{text[:start].rstrip()} ({', '.join(columns + constraints)})"


def _top_level_split(body: str) -> list[str]:
    """Split at the commas outside parentheses and quotes."""
    parts: list[str] = []
    current: list[str] = []
    depth, quote = 0, ""
    for char in body:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"`[":
            quote = "]" if char == "[" else char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


@lru_cache(maxsize=8)
def reference_schema(revision: str) -> tuple[tuple[tuple[str, str], tuple[str, str | None]], ...]:
    """The schema a fresh database migrated to ``revision`` by this app has (sorted items of a :data:`Schema`).

    Built once per revision and process, by migrating an empty scratch database with Alembic.
    """
    from tresxuno.db.engine import migrate_empty_sqlite

    with tempfile.TemporaryDirectory(prefix="tresxuno-schema-", ignore_cleanup_errors=True) as folder:
        file = Path(folder) / "reference.sqlite"
        migrate_empty_sqlite(file, revision)
        connection = sqlite3.connect(file)
        try:
            return tuple(sorted(schema_of(connection).items()))
        finally:
            connection.close()


def schema_difference(found: Schema, expected: Schema) -> tuple[str, str, str] | None:
    """The first difference between two schemas: ``(what, type, name)``, or None when they are equal.

    ``what`` is ``extra`` (in ``found`` only), ``missing`` (in ``expected`` only) or ``differs``
    (same object, another definition). Differences are looked for in that order, each by type and name.
    """
    for key in sorted(found.keys() - expected.keys()):
        return ("extra", *key)
    for key in sorted(expected.keys() - found.keys()):
        return ("missing", *key)
    for key in sorted(found):
        if found[key] != expected[key]:
            return ("differs", *key)
    return None
