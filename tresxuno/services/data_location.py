"""Move the data folder (database, attachments, logos, rule sets, backups) to another folder, safely.

Everything is copied first, the database through SQLite's backup API and every other file checked
by SHA-256 against its original; only when the whole copy is verified does the data-folder setting
switch to the new folder. The old folder is never changed: if anything fails or the officer cancels,
what was copied is removed and tresxuno goes on using the old folder, so there is no half-moved state.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from tresxuno import paths
from tresxuno.db.backup import sqlite_copy
from tresxuno.db.engine import Database
from tresxuno.domain.problems import StorageError
from tresxuno.i18n import _
from tresxuno.services.auth import require, require_on_file
from tresxuno.services.file_ops import remove_file, remove_tree, replace_file, retrying
from tresxuno.services.progress import Cancelled, CancelToken, Progress, no_progress

#: Files never carried over: SQLite's companions of the open database (the copy is made whole) and
#: unfinished copies.
_SKIP_SUFFIXES = ("-wal", "-shm", "-journal", ".part")


@dataclass(frozen=True)
class MoveResult:
    """What moved: the new folder, how many files and bytes, and the database's new path (if it moved)."""

    folder: Path
    files: int
    bytes: int
    database: Path | None


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files_to_copy(source: Path, database: Path | None) -> list[Path]:
    """Every file under ``source`` (relative), except the database (copied apart) and its companions."""
    skip = set()
    if database is not None:
        skip = {database.name, *(database.name + s for s in _SKIP_SUFFIXES)}
    found = []
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        relative = path.relative_to(source)
        if path.parent == source and path.name in skip:
            continue
        if path.name.endswith(_SKIP_SUFFIXES):
            continue
        found.append(relative)
    return found


def _check_target(source: Path, target: Path) -> None:
    if target == source:
        raise StorageError("move.same_folder", path=str(target))
    if target.is_relative_to(source) or source.is_relative_to(target):
        raise StorageError("move.nested", path=str(target))
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise StorageError("move.not_empty", path=str(target))


def _table_counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(paths.sqlite_uri(path), uri=True)
    try:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: connection.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        connection.close()


def _verify_database(original: Path, copy: Path, target: Path) -> None:
    connection = sqlite3.connect(paths.sqlite_uri(copy), uri=True)
    try:
        ok = [row[0] for row in connection.execute("PRAGMA integrity_check")] == ["ok"]
    finally:
        connection.close()
    if not ok or _table_counts(copy) != _table_counts(original):
        raise StorageError("move.verify_failed", path=str(target), file=original.name)


def move_data_folder(
    target: Path,
    *,
    source: Path | None = None,
    database: Path | None = None,
    db: Database | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
) -> MoveResult:
    """Copy the data folder to ``target``, verify every file, then make ``target`` the data folder.

    Args:
        target: the new folder; it must not exist yet, or be empty.
        source: the current data folder (default :func:`tresxuno.paths.user_data_dir`).
        database: the SQLite file in use; copied with the backup API when it lies directly in
            ``source`` (a database kept elsewhere, or a server, stays where it is).
        db: the open database, whose users decide who may move the folder; without it, the
            users of ``database`` (else of the default database in ``source``) decide.
        progress: told ``(done, total, message)`` after each file.
        cancel: checked between files; cancelling removes the partial copy.

    Returns:
        The new folder, files and bytes copied, and the database's new path (None if it did not move).

    Administrador only (checked here): the folder holds every file of the office.

    Raises:
        InputError: ``auth.role_required``.
        StorageError: ``move.same_folder``, ``move.nested``, ``move.not_empty``, ``move.failed``
            (a copy failed: the detail says why), ``move.verify_failed``.
        Cancelled: the officer cancelled; nothing changed.
    """
    source = (source or paths.user_data_dir()).resolve()
    if db is not None:
        require(db, "data.move")
    else:
        require_on_file(database or source / paths.default_database_path().name, "data.move")
    target = target.expanduser().resolve()
    _check_target(source, target)
    moves_database = database is not None and database.resolve().parent == source and database.exists()
    files = _files_to_copy(source, database.resolve() if moves_database and database else None)
    total = len(files) + (1 if moves_database else 0)
    created = not target.exists()
    copied_bytes = 0
    new_database = None
    try:
        paths.private_dir(target)
        paths.make_private(target)  # the new data folder is 0700, even an empty one chosen
        done = 0
        if moves_database and database is not None:
            progress(done, total, _("Copying the database…"))
            new_database = target / database.name
            sqlite_copy(database, new_database, step=lambda _d, _t: _check(cancel))
            _verify_database(database, new_database, target)
            copied_bytes += new_database.stat().st_size
            done += 1
        for relative in files:
            _check(cancel)
            progress(done, total, _("Copying {file}…").format(file=relative.as_posix()))
            original, copy = source / relative, target / relative
            paths.private_dir(copy.parent)
            # A file another program holds (Windows may refuse to read it): retried, then named.
            retrying(partial(shutil.copy2, original, copy), original)
            paths.make_private(copy)  # copy2 copied the old mode too: an older install's 0644
            if sha256_of(copy) != sha256_of(original):
                raise StorageError("move.verify_failed", path=str(target), file=relative.as_posix())
            copied_bytes += copy.stat().st_size
            done += 1
        _check(cancel)
        _switch_to(target)
    except (OSError, sqlite3.Error) as exc:
        _undo(target, created)
        raise StorageError("move.failed", path=str(target), detail=str(exc)) from exc
    except (StorageError, Cancelled):
        _undo(target, created)
        raise
    progress(total, total, _("Done."))
    return MoveResult(target, len(files) + (1 if new_database else 0), copied_bytes, new_database)


def _check(cancel: CancelToken | None) -> None:
    if cancel is not None:
        cancel.raise_if_cancelled()


def _undo(target: Path, created: bool) -> None:
    """Remove the partial copy; ``target`` was empty or absent before; the old folder was never touched."""
    if created:
        remove_tree(target)
        return
    for child in target.iterdir():
        if child.is_dir() and not child.is_symlink():
            remove_tree(child)
        else:
            with suppress(OSError, StorageError):
                remove_file(child)


def _switch_to(folder: Path) -> None:
    """Store ``folder`` as the data folder (atomically); the platform default removes the setting."""
    pointer = paths.data_location_file()
    if folder == paths.default_data_dir().resolve():
        remove_file(pointer)
        return
    pointer.parent.mkdir(parents=True, exist_ok=True)
    unfinished = pointer.with_name(pointer.name + ".part")
    unfinished.write_text(str(folder) + "\n", encoding="utf-8")
    replace_file(unfinished, pointer)
