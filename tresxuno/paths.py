"""Where tresxuno's shipped data (seeds, resources) and the user's data live, and who may read the latter.

On POSIX the data folder is ``0700`` and what tresxuno writes is ``0600``: the database, backups,
attachments and logs hold public money and private persons' data, readable by the officer's own
account only. Windows keeps the per-user ACLs of the profile folder.
"""

from __future__ import annotations

import ntpath
import os
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import TypeVar

T = TypeVar("T")


def install_root() -> Path:
    """The folder holding ``seeds/`` and ``resources/``.

    A PyInstaller bundle keeps them beside the program; an installed wheel inside the package
    (``tresxuno/_shipped``, copied there by ``setup.py`` at build time); a source checkout (also an
    editable install) at the top of the repository.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    package = Path(__file__).resolve().parent
    shipped = package / "_shipped"
    return shipped if (shipped / "seeds").is_dir() else package.parent


def seeds_dir() -> Path:
    """Shipped catalogues and rule sets."""
    return install_root() / "seeds"


def resources_dir() -> Path:
    """Shipped icons, fonts, styles and translations."""
    return install_root() / "resources"


def user_data_dir() -> Path:
    """The user's data folder (database, attachments, backups, administrator rule sets).

    ``TRESXUNO_DATA_DIR`` overrides it (tests point it at a temporary folder); otherwise the folder
    chosen in Preferences (see :func:`data_location_file`), else the platform's default.
    """
    override = os.environ.get("TRESXUNO_DATA_DIR")
    if override:
        return Path(override)
    chosen = chosen_data_dir()
    return chosen if chosen is not None else default_data_dir()


def default_data_dir() -> Path:
    """The platform's data folder for tresxuno (``~/.local/share/tresxuno``; LOCALAPPDATA on Windows)."""
    from platformdirs import user_data_path

    return user_data_path("tresxuno", appauthor=False)


def data_location_file() -> Path:
    """A one-line text file naming the data folder chosen in Preferences.

    Kept beside the settings file rather than in QSettings because the services (attachments, backups)
    need it too, and they never import Qt.
    """
    from platformdirs import user_config_path

    return user_config_path("tresxuno", appauthor=False) / "data-folder.txt"


def office_key_file() -> Path:
    """The office key that seals the audit trail (HMAC), kept outside the database on purpose.

    In the config folder, not the data folder: a copy of the data (a backup, the database file
    taken away) does not carry the key, so whoever holds only the file cannot re-seal an edit.
    """
    from platformdirs import user_config_path

    return user_config_path("tresxuno", appauthor=False) / "office-key"


def consolidation_key_file() -> Path:
    """The private key this office signs its consolidation packages with (Ed25519, hex).

    In the config folder beside the office key, for the same reason: a copy of the database does
    not carry it, so whoever takes only the file cannot sign packages as this office.
    """
    from platformdirs import user_config_path

    return user_config_path("tresxuno", appauthor=False) / "consolidation-key"


def chosen_data_dir() -> Path | None:
    """The data folder chosen in Preferences, or None when the default is used."""
    try:
        # utf-8-sig: a pointer edited in Windows' Notepad may start with a byte-order mark.
        text = data_location_file().read_text(encoding="utf-8-sig").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return Path(text) if text else None


def backups_dir() -> Path:
    """Automatic backups (on close, before a migration, before a restore)."""
    return user_data_dir() / "backups"


def user_rules_dir() -> Path:
    """Rule sets an administrator adds or supersedes; read after the shipped ones."""
    return user_data_dir() / "rules"


def default_database_path() -> Path:
    """The SQLite file used when no ``--db``, ``TRESXUNO_DB`` or setting names another."""
    return user_data_dir() / "tresxuno.sqlite"


def manual_dir() -> Path:
    """The user manual's Markdown pages, one folder per language (``docs/manual/es``, ``docs/manual/en``)."""
    return install_root() / "docs" / "manual"


# --- Private files ---------------------------------------------------------------------------------

#: Modes of what tresxuno creates on POSIX: only the officer's own account may read or write it.
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
#: The process umask that gives every file created (attachments, logos, logs, exports) those modes.
PRIVATE_UMASK = 0o077


def use_private_umask() -> int | None:
    """Make every file and folder this process creates private to the user; returns the old umask.

    Called once when tresxuno starts (:func:`tresxuno.cli.main`), so files written by any ring,
    with any library, are covered. None on Windows, where the umask means nothing.
    """
    if os.name != "posix":
        return None
    return os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents as ``0700`` folders (an existing one is left as is)."""
    missing = []
    current = path
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:  # another process made it meanwhile
            continue
        make_private(folder)
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)  # raises the right error (a file in the way)
    return path


def make_private(path: Path) -> None:
    """Give a file ``0600`` or a folder ``0700`` on POSIX (a file someone else owns is left alone)."""
    if os.name != "posix":
        return
    try:
        if path.stat().st_uid != os.getuid():
            return
        path.chmod(PRIVATE_DIR_MODE if path.is_dir() else PRIVATE_FILE_MODE)
    except OSError:
        return  # best effort: a file system without modes (FAT on a USB stick) keeps its own


def create_private_file(path: Path) -> Path:
    """Create the empty file ``path`` as ``0600`` (its folder is made private when missing).

    SQLite gives a database's ``-wal``, ``-shm`` and ``-journal`` the mode of the database file, so
    creating the file first this way keeps its companions private too.

    Raises:
        FileExistsError: ``path`` exists.
        OSError: the folder cannot be written.
    """
    private_dir(path.parent)
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE))
    make_private(path)  # the umask may have taken bits away, never added: this only repeats the mode
    return path


#: Longest Windows path the classic file functions take: MAX_PATH (260) less the room a folder
#: must leave for an 8.3 file name; longer ones need the extended-length form.
WINDOWS_MAX_PATH = 248
_EXTENDED = "\\\\?\\"


def extended_path(path: str | os.PathLike[str], *, windows: bool | None = None) -> str:
    r"""``path`` in Windows' extended-length form when it is too long for the classic limit.

    A folder chosen deep in OneDrive or a network share (``C:\Users\José Pérez\OneDrive -
    Presidencia Municipal\Documentos\Migrantes\2026\...``) easily passes 260 characters, which
    Windows refuses unless long paths are enabled in the registry. The extended form
    (``\\?\C:\...``, ``\\?\UNC\server\share\...``) has no such limit; it takes no ``/`` and no
    ``..``, so the path is made absolute and normalised first. Elsewhere, and for short paths, the
    text is returned unchanged.

    Args:
        path: the file or folder.
        windows: treat it as a Windows path (default: whether this is Windows); tests pass True.
    """
    text = os.fspath(path)
    if not (os.name == "nt" if windows is None else windows) or text.startswith(_EXTENDED):
        return text
    full = ntpath.normpath(text if ntpath.isabs(text) else ntpath.abspath(text))
    if len(full) < WINDOWS_MAX_PATH:
        return text
    if full.startswith("\\\\"):  # \\server\share\...
        return _EXTENDED + "UNC\\" + full[2:]
    if ntpath.splitdrive(full)[0]:
        return _EXTENDED + full
    return text


def shown_path(path: str | os.PathLike[str]) -> str:
    """``path`` as the officer typed it: without the extended-length prefix :func:`extended_path` adds."""
    text = os.fspath(path)
    if text.startswith(_EXTENDED + "UNC\\"):
        return "\\\\" + text[len(_EXTENDED) + 4 :]
    return text[len(_EXTENDED) :] if text.startswith(_EXTENDED) else text


# -- files another program holds (Windows) -------------------------------------------------------

#: Seconds to wait before each new try of a file held open (about 1.5 s in all); tests record them.
RETRY_DELAYS: tuple[float, ...] = (0.05, 0.1, 0.2, 0.4, 0.8)
#: Windows error numbers for a file another process holds: sharing and lock violations.
IN_USE_WINERRORS = frozenset({32, 33})


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def may_be_in_use(exc: BaseException) -> bool:
    """Whether ``exc`` may pass if tried again: a file or database another program holds for now.

    Windows refuses to replace, rename over or delete a file another program has open (Excel, an
    antivirus scanning a file just written, another tresxuno window): ``PermissionError``, often
    ``WinError 32``; SQLite says "database is locked".
    """
    if isinstance(exc, sqlite3.OperationalError):
        return "locked" in str(exc) or "busy" in str(exc)
    return isinstance(exc, PermissionError) or getattr(exc, "winerror", None) in IN_USE_WINERRORS


def retry_while_in_use(operation: Callable[[], T]) -> T:
    """Run ``operation``; while it fails as if its file were held open, wait a moment and try again.

    After :data:`RETRY_DELAYS` the last error is raised as it is (the services name the file, see
    :mod:`tresxuno.services.file_ops`); any other error at once.
    """
    for delay in (*RETRY_DELAYS, None):
        try:
            return operation()
        except (OSError, sqlite3.OperationalError) as exc:
            if delay is None or not may_be_in_use(exc):
                raise
            _sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def sqlite_uri(path: PurePath, query: str = "mode=ro") -> str:
    r"""An SQLite ``file:`` URI for ``path`` (made absolute), with ``query`` (read-only by default).

    ``Path.as_uri()`` writes a Windows share ``\\servidor\respaldos\x.sqlite`` as
    ``file://servidor/respaldos/x.sqlite``, whose authority SQLite refuses ("invalid uri authority"):
    a backup on a network drive could not be checked or restored. With an empty authority
    (``file:////servidor/respaldos/x.sqlite``) SQLite opens the share. Accents and spaces are
    percent-encoded by ``as_uri``; drive letters come out as ``file:///C:/...``, which SQLite reads.
    """
    full = path.resolve() if isinstance(path, Path) else path
    uri = full.as_uri()
    if not uri.startswith("file:///"):  # a UNC share: file://server/share/...
        uri = "file:////" + uri.removeprefix("file://")
    return f"{uri}?{query}" if query else uri
