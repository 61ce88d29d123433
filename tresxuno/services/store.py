"""The office's database as the outer rings hold it: resolve its address, open it, pass it to use cases.

The UI and the command line keep a :class:`Database` handle and hand it to services; they never import
``tresxuno.db`` themselves (``tests/test_rings.py`` checks it), so this module is their one door.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import Any

from sqlalchemy import make_url

from tresxuno.db.backup import backup_stamp
from tresxuno.db.engine import Database, _sqlite_file, database_url, open_read_only
from tresxuno.db.engine import open_database as _open_database
from tresxuno.domain.problems import StorageError

__all__ = [
    "Database",
    "backup_stamp",
    "database_url",
    "open_database",
    "open_read_only",
    "sqlite_file_of",
    "url_for_display",
]


def sqlite_file_of(url: str) -> Path | None:
    """The SQLite file a database URL names, or None for a server database (PostgreSQL)."""
    return _sqlite_file(make_url(url))


def url_for_display(url: str) -> str:
    """The URL with any password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def open_database(*args: Any, **kwargs: Any) -> Database:
    """Open (and upgrade) the database, then print local dates in its office's time zone."""
    from tresxuno.services.attachments import absorb_files
    from tresxuno.services.office import apply_office_zone

    db = _open_database(*args, **kwargs)
    # Unreadable now: the default zone holds until the database can be read.
    with suppress(StorageError):
        apply_office_zone(db)
    # Files an earlier release kept in this computer's data folder go into the database (once).
    with suppress(StorageError, OSError):
        absorb_files(db)
    return db
