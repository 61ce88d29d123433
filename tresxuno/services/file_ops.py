"""Replacing and deleting files the way Windows allows: retried a moment, then a clear message.

On Windows a file that another program holds open (Excel showing last month's export, an antivirus
scanning a new backup, a second tresxuno window on the same database) cannot be replaced, renamed
over or deleted: ``os.replace`` and ``unlink`` raise ``PermissionError`` (``WinError 5`` or ``32``,
"used by another process"), and SQLite answers "database is locked". Most such holds are short (a
scan, a preview pane), so every replacement and deletion the app makes goes through
:func:`retrying`: a few tries over about a second and a half. If the file is still held, the
officer gets ``file.in_use`` naming the file and the usual culprits, rather than a traceback.

POSIX systems never refuse to replace an open file; there a ``PermissionError`` is a real
permission problem and, after the same short retry, keeps its usual message (``file.not_writable``).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import TypeVar

from tresxuno.domain.problems import StorageError
from tresxuno.paths import (
    IN_USE_WINERRORS,
    RETRY_DELAYS,
    extended_path,
    may_be_in_use,
    retry_while_in_use,
    shown_path,
)

__all__ = [
    "IN_USE_WINERRORS",
    "RETRY_DELAYS",
    "held_by_another_program",
    "in_use_error",
    "long_form",
    "may_be_in_use",
    "remove_file",
    "remove_tree",
    "replace_file",
    "retrying",
]

T = TypeVar("T")

#: Whether this is Windows, where a PermissionError on replace or delete means "in use" (tests flip it).
ON_WINDOWS = os.name == "nt"


def held_by_another_program(exc: BaseException) -> bool:
    """Whether ``exc`` says another program holds the file (as opposed to a missing permission)."""
    if getattr(exc, "winerror", None) in IN_USE_WINERRORS:
        return True
    if isinstance(exc, sqlite3.OperationalError):
        return "locked" in str(exc) or "busy" in str(exc)
    return ON_WINDOWS and isinstance(exc, PermissionError)


def in_use_error(path: str | os.PathLike[str], exc: BaseException) -> StorageError | None:
    """The error naming ``path`` when ``exc`` says another program holds it, else None.

    ``file.in_use`` when Windows says so outright (a sharing or lock violation, SQLite's "locked");
    ``file.in_use_or_denied`` for a bare "access denied" on Windows, which an open file and a
    read-only folder both give.
    """
    if not held_by_another_program(exc):
        return None
    if isinstance(exc, sqlite3.OperationalError) or getattr(exc, "winerror", None) in IN_USE_WINERRORS:
        return StorageError("file.in_use", path=shown_path(path))
    return StorageError("file.in_use_or_denied", path=shown_path(path))


def retrying(operation: Callable[[], T], path: str | os.PathLike[str] | None = None) -> T:
    """Run ``operation``; while it fails as if its file were in use, wait a moment and try again.

    Args:
        operation: the replacement or deletion (looked up when called, so tests can patch ``os``).
        path: the file it touches, named in the error when another program still holds it.

    Raises:
        StorageError: ``file.in_use`` or ``file.in_use_or_denied`` when every try found the file
            held by another program (:func:`tresxuno.paths.retry_while_in_use` waits between them).
        OSError, sqlite3.Error: any other failure, at once (or after the retries, for a
            ``PermissionError`` that is a real permission problem).
    """
    try:
        return retry_while_in_use(operation)
    except (OSError, sqlite3.OperationalError) as exc:
        error = in_use_error(path, exc) if path is not None else None
        if error is not None:
            raise error from exc
        raise


def long_form(path: str | os.PathLike[str]) -> str:
    """``path`` as Windows' file functions take it past 260 characters (:func:`tresxuno.paths.extended_path`)."""
    return extended_path(path, windows=ON_WINDOWS)


def replace_file(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
    """``os.replace(source, target)``, retried while ``target`` (or ``source``) is held open.

    Errors name ``target`` as given; the call itself gets both in their long form on Windows.
    """
    retrying(lambda: os.replace(long_form(source), long_form(target)), target)


def remove_file(path: str | os.PathLike[str], *, missing_ok: bool = True) -> None:
    """Delete ``path``, retried while another program holds it."""
    retrying(lambda: Path(long_form(path)).unlink(missing_ok=missing_ok), path)


def remove_tree(path: str | os.PathLike[str]) -> bool:
    """Delete the folder ``path`` and all in it, best effort (tidying up after a failed copy).

    Retried like a file; what another program still holds afterwards is left behind. Returns
    whether the folder is gone.
    """
    folder = Path(path)
    with suppress(OSError, StorageError):
        retrying(lambda: shutil.rmtree(folder) if folder.exists() else None, folder)
    return not folder.exists()
