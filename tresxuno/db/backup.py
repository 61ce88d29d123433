"""Copy an SQLite database safely while it may be in use: SQLite's online backup API, never a file copy.

A plain file copy of a database in WAL mode can miss committed pages still in the ``-wal`` file, or
catch a half-written page; the backup API copies a consistent snapshot page by page. Lives in the
db ring because opening an old database makes a backup before migrating it.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

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
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
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
        os.replace(partial, target)
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
