"""Backups and restores of an SQLite database, and a warning when its folder is a risky place for one.

Automatic backups go to the data folder's ``backups/`` (on close, before a migration, before a
restore); only the newest N automatic backups of each database are kept. A PostgreSQL database is
backed up by its server (``pg_dump``), not by the desktop: asking for one says so.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tresxuno import paths
from tresxuno.db.backup import backup_stamp, reference_schema, schema_difference, schema_of, sqlite_copy
from tresxuno.db.engine import Database, known_revisions, open_database
from tresxuno.domain.problems import StorageError
from tresxuno.i18n import N_, _
from tresxuno.services.auth import require, require_on_file, user_count
from tresxuno.services.file_ops import in_use_error, remove_file, retrying
from tresxuno.services.output_files import atomic_output, check_output
from tresxuno.services.progress import CancelToken, Progress, no_progress

#: Automatic backups kept per database when the officer has not chosen another number.
DEFAULT_KEEP = 10

#: Tables only a tresxuno database has; a file lacking any of them is not one.
_OUR_TABLES = {"alembic_version", "projects", "clubs", "states"}

#: Folder names of desktop sync clients: a database inside one gets copied half-written, or forked.
_CLOUD_PARTS = (
    "onedrive",
    "dropbox",
    "google drive",
    "googledrive",
    "my drive",
    "icloud drive",
    "iclouddrive",
    "mobile documents",
)
#: Linux file systems that live on another computer.
_NETWORK_FS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "sshfs", "9p", "afs", "ncpfs"}


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did: the database replaced, the copy kept of it, and the revision restored."""

    database: Path
    safety_copy: Path | None
    revision: str


def sqlite_path(db: Database) -> Path:
    """The database's file, or ``backup.server_database`` for a server database (its server backs it up)."""
    if db.path is None:
        raise StorageError("backup.server_database", url=db.url)
    return db.path


def _copy_step(progress: Progress, cancel: CancelToken | None, message: str):
    def step(done: int, total: int) -> None:
        if cancel is not None:
            cancel.raise_if_cancelled()
        progress(done, max(total, 1), message)

    return step


def backup_database(
    db: Database,
    target: Path,
    *,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    force: bool = False,
) -> Path:
    """``tresxuno backup -o FILE`` and File > Backup now: a consistent copy of the open database.

    Administrador only: the copy carries every row, the users' password hashes included. Never
    written onto the database or its side files, nor a folder, FIFO or device; an existing file is
    replaced only with ``force`` (:func:`tresxuno.services.output_files.check_output`).

    Raises:
        InputError: ``auth.role_required``; on field ``output``, a target ``check_output`` refuses.
        StorageError: ``backup.server_database`` (PostgreSQL), ``backup.failed`` (cannot write ``target``).
        Cancelled: the officer cancelled; no file is left at ``target``.
    """
    sqlite_path(db)
    require(db, "data.backup")
    with contextlib.suppress(OSError):  # a backup to a new folder (a USB stick's) makes it, private
        paths.private_dir(Path(target).expanduser().parent)
    path = check_output(target, db=db, force=force)
    with atomic_output(path, db=db, force=force) as temp:
        _backup(db, temp, progress=progress, cancel=cancel, shown=path)
    return path


def _backup(
    db: Database,
    target: Path,
    *,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    shown: Path | None = None,
) -> Path:
    """Copy the open database to ``target`` (no permission check: the app's own automatic copies).

    ``shown`` is the file named in messages when ``target`` is a temporary file beside it.
    """
    source = sqlite_path(db)
    if target.resolve() == source.resolve():
        raise StorageError("backup.same_file", path=str(target))
    try:
        return sqlite_copy(source, target, step=_copy_step(progress, cancel, _("Copying the database…")))
    except (OSError, sqlite3.Error) as exc:
        held = in_use_error(shown or target, exc)  # Windows: another program holds the file
        raise held or StorageError("backup.failed", path=str(shown or target), detail=str(exc)) from exc


def automatic_backups(database: Path, folder: Path | None = None) -> list[Path]:
    """The automatic backups of ``database`` in ``folder`` (default: the backups folder), oldest first."""
    folder = folder or paths.backups_dir()
    pattern = re.compile(re.escape(database.stem) + r"-\d{8}-\d{6}(-[A-Za-z0-9_.-]+)?\.sqlite")
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if pattern.fullmatch(p.name)), key=lambda p: p.name)


def prune_backups(
    database: Path, keep: int, folder: Path | None = None, protect: frozenset[Path] = frozenset()
) -> list[Path]:
    """Delete all but the newest ``keep`` automatic backups of ``database`` (never one in ``protect``).

    Best effort: a backup another program holds open (an antivirus scanning it, a copy being made
    on Windows) is retried a moment, then left for the next time, never an error on closing.
    Returns the deleted files.
    """
    backups = [p for p in automatic_backups(database, folder) if p not in protect]
    old = backups[:-keep] if keep > 0 else backups
    deleted = []
    for path in old:
        with contextlib.suppress(OSError, StorageError):
            remove_file(path)
            deleted.append(path)
    return deleted


def automatic_backup(
    db: Database, *, reason: str = "", keep: int = DEFAULT_KEEP, folder: Path | None = None
) -> Path | None:
    """A dated backup in the backups folder (on close, before a restore), then keep the newest ``keep``.

    Returns None for a server database (its server's job) or an in-memory one.
    """
    if db.path is None:
        return None
    folder = folder or paths.backups_dir()
    suffix = f"-{reason}" if reason else ""
    target = folder / f"{db.path.stem}-{backup_stamp()}{suffix}.sqlite"
    n = 1
    while target.exists():  # two backups within one second (a test, or close right after restore)
        n += 1
        target = folder / f"{db.path.stem}-{backup_stamp()}{suffix}-{n}.sqlite"
    copy = _backup(db, target)  # the app's own safety net, whoever is signed in
    prune_backups(db.path, max(1, keep), folder)
    return copy


def check_backup_file(path: Path) -> str:
    """Make sure ``path`` is a whole tresxuno database this version can open; returns its revision.

    Raises:
        StorageError: ``restore.not_found``, ``restore.not_sqlite``, ``restore.corrupt`` (with
            the integrity check's first complaint), ``restore.not_tresxuno``, ``restore.too_new``.
    """
    if not path.is_file():
        raise StorageError("restore.not_found", path=str(path))
    with path.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise StorageError("restore.not_sqlite", path=str(path))
    try:
        connection = sqlite3.connect(paths.sqlite_uri(path), uri=True)
    except sqlite3.Error as exc:
        raise StorageError("restore.not_sqlite", path=str(path)) from exc
    try:
        try:
            result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        except sqlite3.DatabaseError as exc:
            raise StorageError("restore.corrupt", path=str(path), detail=str(exc)) from exc
        if result != ["ok"]:
            raise StorageError("restore.corrupt", path=str(path), detail=str(result[0]))
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables >= _OUR_TABLES:
            raise StorageError("restore.not_tresxuno", path=str(path))
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        connection.close()
    revision = row[0] if row else ""
    if revision not in known_revisions():
        raise StorageError("restore.too_new", path=str(path), revision=revision)
    return revision


def restore_database(
    database: Path,
    source: Path,
    *,
    keep: int = DEFAULT_KEEP,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
) -> RestoreResult:
    """Replace the database file ``database`` with the backup ``source``, after proving the backup sound.

    ``source`` is copied into a scratch folder and only the copy is worked on: its schema must be
    exactly the one this app's migrations give a fresh database at its revision (tables, columns,
    indexes, triggers; nothing missing, nothing extra), it is then brought up to date, and its audit
    trail must pass ``check``. Only then a safety copy of ``database`` goes to the backups folder
    (``-before-restore``, named in the result) and the verified copy is written over ``database``.
    Any refusal leaves ``database`` byte for byte as it was. The caller has closed every connection
    to ``database`` and has the officer's confirmation.

    Administrador only, as the users of ``database`` say (checked here, not only in the UI); and
    once ``database`` has users, a backup without users is refused: it would open the office to
    anyone (bootstrap mode), who could then make themselves administrador.

    Raises:
        InputError: ``auth.role_required``.
        StorageError: a code of :func:`check_backup_file`, ``restore.same_file``,
            ``restore.schema_extra``, ``restore.schema_missing``, ``restore.schema_differs``,
            ``restore.upgrade_failed``, ``restore.audit_failed``, ``restore.no_users``,
            ``backup.failed``.
        Cancelled: the officer cancelled before the database was replaced; nothing changed.
    """
    require_on_file(database, "data.restore")
    has_users_now = user_count(database) > 0
    revision = check_backup_file(source)
    if database.exists() and source.resolve() == database.resolve():
        raise StorageError("restore.same_file", path=str(source))
    # A scratch file Windows will not delete yet (an antivirus scanning it) must not turn a finished
    # restore into a reported failure: cleaning up is best effort.
    with tempfile.TemporaryDirectory(
        prefix="tresxuno-restore-", ignore_cleanup_errors=True
    ) as scratch_folder:
        progress(0, 5, _("Checking the backup…"))
        scratch = Path(scratch_folder) / "candidate.sqlite"
        try:
            sqlite_copy(source, scratch)
        except (OSError, sqlite3.Error) as exc:
            raise StorageError("backup.failed", path=str(scratch), detail=str(exc)) from exc
        # The copy, not ``source``, is what gets swapped in: check it, not a file that may change.
        _check_schema(scratch, source, check_backup_file(scratch))
        _check_cancel(cancel)
        progress(1, 5, _("Bringing the backup up to date…"))
        _migrate_and_verify(scratch, source, cancel)
        if has_users_now and user_count(scratch) == 0:
            raise StorageError("restore.no_users", path=str(source))
        _check_cancel(cancel)
        safety = None
        if database.exists():
            progress(2, 5, _("Keeping a copy of the current database…"))
            folder = paths.backups_dir()
            safety = folder / f"{database.stem}-{backup_stamp()}-before-restore.sqlite"
            try:
                sqlite_copy(database, safety)
            except (OSError, sqlite3.Error) as exc:
                raise StorageError("backup.failed", path=str(safety), detail=str(exc)) from exc
        _check_cancel(cancel)
        progress(3, 5, _("Restoring the backup…"))
        try:
            # Another window or program holding the database makes SQLite answer "locked" (and
            # Windows refuse to write): retried a moment, then ``file.in_use`` naming the database.
            retrying(lambda: _copy_into(scratch, database), database)
        except (OSError, sqlite3.Error) as exc:
            raise StorageError("backup.failed", path=str(database), detail=str(exc)) from exc
        paths.make_private(database)  # an older version's 0644 file: the restored data is private too
    progress(4, 5, _("Bringing the database up to date…"))
    open_database(str(database)).dispose()
    if safety is not None:  # the copy of what was replaced outlives the retention count
        prune_backups(database, max(1, keep), protect=frozenset({safety}))
    progress(5, 5, _("Restored."))
    return RestoreResult(database, safety, revision)


def _check_cancel(cancel: CancelToken | None) -> None:
    if cancel is not None:
        cancel.raise_if_cancelled()


#: How each kind of schema object is named in a refusal (msgids).
_SCHEMA_KINDS = {"table": N_("table"), "index": N_("index"), "trigger": N_("trigger"), "view": N_("view")}


def _check_schema(candidate: Path, source: Path, revision: str) -> None:
    """Refuse a backup whose schema is not exactly its revision's (a dropped trigger, an extra one...)."""
    connection = sqlite3.connect(paths.sqlite_uri(candidate), uri=True)
    try:
        found = schema_of(connection)
        versions = connection.execute("SELECT COUNT(*) FROM alembic_version").fetchone()[0]
    finally:
        connection.close()
    difference = schema_difference(found, dict(reference_schema(revision)))
    if difference is not None:
        what, kind, name = difference
        raise StorageError(
            f"restore.schema_{what}",
            path=str(source),
            revision=revision,
            kind=_(_SCHEMA_KINDS.get(kind, kind)),
            name=name,
        )
    if versions != 1:  # two revisions at once: which migrations ran is unknown
        raise StorageError(
            "restore.schema_differs",
            path=str(source),
            revision=revision,
            kind=_("table"),
            name="alembic_version",
        )


def _migrate_and_verify(candidate: Path, source: Path, cancel: CancelToken | None) -> None:
    """Upgrade the scratch copy to this app's schema, then require its audit trail to pass ``check``."""
    from tresxuno.messages import describe, describe_storage
    from tresxuno.services.audit import check_integrity

    try:
        scratch_db = open_database(str(candidate), create=False, backup_before_upgrade=False)
    except StorageError as exc:
        raise StorageError("restore.upgrade_failed", path=str(source), detail=describe_storage(exc)) from exc
    except Exception as exc:  # a migration that fails on this file's rows: refused, not a crash
        raise StorageError("restore.upgrade_failed", path=str(source), detail=str(exc)) from exc
    try:
        result = check_integrity(scratch_db, cancel=cancel)
    finally:
        scratch_db.dispose()
    if result.problem is not None:
        raise StorageError(
            "restore.audit_failed", path=str(source), detail=describe(result.problem, with_field=False)
        )


def _copy_into(source: Path, database: Path) -> None:
    """Overwrite ``database`` in place with ``source``'s pages (its WAL is reset, never left stale)."""
    if not database.exists():
        paths.create_private_file(database)  # 0600, like every database tresxuno creates
    src = sqlite3.connect(paths.sqlite_uri(source), uri=True)
    try:
        dst = sqlite3.connect(database, timeout=1.0)  # a holder is retried by the caller, not waited on
        try:
            src.backup(dst)
            dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            dst.close()
    finally:
        src.close()


# -- risky places -------------------------------------------------------------------------------------


def storage_risk(path: Path, *, mounts: str | None = None, windows: bool | None = None) -> str | None:
    """``"cloud"`` when ``path`` is in a synchronised folder, ``"network"`` on a network share, else None.

    Args:
        path: the database file.
        mounts: the text of ``/proc/mounts`` (read from the system when None; tests pass their own).
        windows: treat ``path`` as a Windows path (default: this computer's).
    """
    text = str(path)
    windows = os.name == "nt" if windows is None else windows
    lowered = text.replace("\\", "/").lower()
    parts = [part.strip() for part in lowered.split("/")]
    if any(part.startswith(cloud) for part in parts for cloud in _CLOUD_PARTS):
        return "cloud"
    if windows:
        return "network" if text.startswith(("\\\\", "//")) else None
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    best, best_fs = "", ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = text == point or text.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, best_fs = point, fields[2]
    return "network" if best_fs in _NETWORK_FS else None


def risk_warning(path: Path | None) -> str:
    """The warning to show about where the database is, or "" when the place is fine (or a server)."""
    if path is None:
        return ""
    risk = storage_risk(path)
    if risk == "cloud":
        return _(
            "The database is in a cloud-synchronised folder ({path}). Sync programs can copy it "
            "half-written or make conflicting copies: move it to a local folder (Preferences)."
        ).format(path=path.parent)
    if risk == "network":
        return _(
            "The database is on a network share ({path}). SQLite on a shared drive can be damaged when "
            "two computers write: keep it on a local disk, or use a PostgreSQL server."
        ).format(path=path.parent)
    return ""
