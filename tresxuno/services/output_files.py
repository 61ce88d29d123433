"""Every file the app writes where the officer says (exports, reports, backups, saved copies).

One gate and one way of writing, shared by the CLI and the GUI, so no command can clobber what it
must not: :func:`check_output` refuses the live database and its ``-wal``/``-shm``/``-journal``
files (by name, through symbolic links, and by device and inode, so a hard link is caught too), a
target that is not a regular file (folder, FIFO, device), and an existing file unless ``force``.
:func:`atomic_output` writes to a hidden temporary file in the destination folder and moves it into
place only when complete, after checking the target once more (a long export leaves time for a
file to appear there).
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from tresxuno.domain.problems import InputError, Problem, StorageError
from tresxuno.services.file_ops import long_form, remove_file, replace_file

__all__ = [
    "SIDE_SUFFIXES",
    "atomic_output",
    "check_output",
    "copy_output",
    "file_storage_error",
    "protected_files",
]

#: The files SQLite keeps beside a database: write-ahead log, shared memory, rollback journal.
SIDE_SUFFIXES: tuple[str, ...] = ("-wal", "-shm", "-journal")


def _database_file(source: Any) -> Path | None:
    """The SQLite file behind a Database, Engine or Connection; None for a server or in-memory one."""
    if source is None:
        return None
    if isinstance(source, Path):
        return source
    path = getattr(source, "path", None)
    if isinstance(path, Path):
        return path
    engine = source.engine if isinstance(source, Connection) else source
    if not isinstance(engine, Engine):
        engine = getattr(source, "engine", None)
    if not isinstance(engine, Engine):
        return None
    url = engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def protected_files(source: Any) -> list[Path]:
    """The database file of ``source`` (a Database, Engine, Connection or path) and its side files.

    Each under the name it was opened by and under its resolved name (SQLite names the side files
    after either, depending on the platform). Empty for a server database.
    """
    database = _database_file(source)
    if database is None:
        return []
    names = {database.absolute(), database.resolve()}
    return [Path(str(name) + suffix) for name in names for suffix in ("", *SIDE_SUFFIXES)]


def _refuse(code: str, path: Path) -> InputError:
    return InputError(Problem("output", code, {"path": str(path)}))


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _is_protected(target: Path, protected: Iterable[Path]) -> bool:
    """True when ``target`` names one of ``protected`` by path, by link, or by device and inode."""
    candidates = {target.absolute(), target.resolve()}
    identity = _identity(target)
    parent = _identity(target.parent)
    for path in protected:
        if path.absolute() in candidates or path.resolve() in candidates:
            return True
        if identity is not None and identity == _identity(path):
            return True  # a hard link, or a name the file system folds (case, Unicode form)
        # A side file that does not exist yet, named with other letter case in the same folder.
        same_folder = parent is not None and parent == _identity(path.parent)
        if same_folder and path.name.casefold() == target.name.casefold():
            return True
    return False


def check_output(target: str | os.PathLike[str], *, db: Any = None, force: bool = False) -> Path:
    """Make sure ``target`` may be written; returns it as a :class:`Path`.

    Args:
        target: the file the officer chose.
        db: the open database (a Database, Engine, Connection or the SQLite path), whose file and
            side files are never written.
        force: replace an existing regular file (``--force``, or the save dialog's "replace?").

    Raises:
        InputError: on field ``output``: ``output.no_folder`` (its folder does not exist),
            ``output.is_database`` (the database or one of its side files, even through a link),
            ``output.not_regular`` (a folder, FIFO, device or socket), ``output.exists`` (without
            ``force``).
    """
    path = Path(target).expanduser()
    if _is_protected(path, protected_files(db)):
        raise _refuse("output.is_database", path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise file_storage_error(path, exc) from exc
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise _refuse("output.not_regular", path)
    if not path.parent.is_dir():
        raise _refuse("output.no_folder", path)
    if (info is not None or os.path.lexists(path)) and not force:
        raise _refuse("output.exists", path)
    return path


def file_storage_error(path: Path, exc: OSError) -> StorageError:
    """The :class:`StorageError` for a file that could not be written: permission, space or else."""
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorageError("file.not_writable", path=str(path))
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageError("file.disk_full", path=str(path))
    return StorageError("file.cannot_write", path=str(path), reason=exc.strerror or type(exc).__name__)


def _place(tmp: Path, path: Path, *, db: Any, force: bool) -> None:
    """Move the finished ``tmp`` onto ``path``, checking again right before (the file may have changed).

    The check is repeated because a long export leaves minutes in which a file, a link to the
    database or a FIFO may appear at ``path``; what remains is the instant between check and rename.
    On Windows the file being replaced may be open in Excel or being scanned: the rename is
    retried a moment, then refused as ``file.in_use`` naming it (:func:`~tresxuno.services.file_ops.retrying`).
    """
    check_output(path, db=db, force=force)
    replace_file(tmp, path)


@contextmanager
def atomic_output(target: str | os.PathLike[str], *, db: Any = None, force: bool = False) -> Iterator[Path]:
    """Check ``target`` (:func:`check_output`), yield a temporary path beside it, move it into place.

    The temporary file is hidden (``.NAME.xxxxxxxx.part``), in the same folder (so the move is a
    rename, never a copy), created empty with ``O_EXCL`` and the user's usual permissions; the block
    writes it (or replaces it). Any exception, a cancel included, removes it and leaves ``target``
    as it was.

    Raises:
        InputError: see :func:`check_output` (before anything is written, and again before the move).
        StorageError: the folder or file cannot be written (no permission, read-only, disk full...).
    """
    path = check_output(target, db=db, force=force)
    try:
        for _attempt in range(100):
            # Beside the target, in Windows' long form when the folder is deep (no 260-character limit).
            tmp = Path(long_form(path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")))
            try:
                with open(tmp, "x", encoding="utf-8"):
                    break
            except FileExistsError:
                continue
        else:  # pragma: no cover - 100 collisions of 32 random bits
            raise FileExistsError(tmp)
    except OSError as exc:
        raise file_storage_error(path, exc) from exc
    try:
        yield tmp
        _place(tmp, path, db=db, force=force)
    except BaseException as exc:
        with suppress(OSError, StorageError):
            remove_file(tmp)
        if isinstance(exc, OSError):
            raise file_storage_error(path, exc) from exc
        raise


def copy_output(
    source: str | os.PathLike[str], target: str | os.PathLike[str], *, db: Any = None, force: bool = False
) -> Path:
    """Copy the finished file ``source`` to ``target`` through :func:`atomic_output` (a report's "Save as").

    Raises:
        InputError, StorageError: as :func:`atomic_output`; ``source`` unreadable is a StorageError.
    """
    with atomic_output(target, db=db, force=force) as tmp, open(source, "rb") as src, open(tmp, "wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
    return Path(target).expanduser()
