"""File > Backup now… and File > Restore…: the backup services run off the GUI thread with progress.

Kept out of the main window so it only wires two menu entries to :func:`backup_now` and
:func:`restore_backup`. The window holds the tasks (``window.backup_task``) while they run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtWidgets import QWidget

from tresxuno import paths
from tresxuno.domain.problems import StorageError
from tresxuno.i18n import _
from tresxuno.services.backups import (
    DEFAULT_KEEP,
    RestoreResult,
    backup_database,
    check_backup_file,
    restore_database,
    sqlite_path,
)
from tresxuno.services.store import Database, backup_stamp
from tresxuno.ui import prompts
from tresxuno.ui.errors import show_error
from tresxuno.ui.tasks import Task, run_task

_FILTER = "SQLite (*.sqlite *.db);;*"


class BackupHost(Protocol):
    """What these actions need of the main window."""

    db: Database
    backup_task: Task | None

    def after_restore(self) -> None:
        """Read every page again (the data was replaced)."""


def backup_now(window: QWidget) -> Task | None:
    """Ask where to write a backup of the open database, then copy it with a progress dialog."""
    host: BackupHost = window  # type: ignore[assignment]
    try:
        source = sqlite_path(host.db)
    except StorageError as exc:
        show_error(window, exc)
        return None
    suggested = paths.backups_dir() / f"{source.stem}-{backup_stamp()}.sqlite"
    chosen = prompts.choose_save_file(window, _("Back up the database"), _FILTER, str(suggested))
    if not chosen:
        return None
    target = Path(chosen)

    def done(result: object) -> None:
        host.backup_task = None
        prompts.message(
            window,
            prompts.Icon.Information,
            _("Backup made"),
            _("The database was copied to {path}.").format(path=result),
        )

    host.backup_task = run_task(
        window,
        _("Backing up the database"),
        # The save dialog asked before replacing a file; the service still refuses the database itself.
        lambda progress, cancel: backup_database(
            host.db, target, progress=progress, cancel=cancel, force=True
        ),
        on_success=done,
        on_cancel=lambda: setattr(host, "backup_task", None),
    )
    return host.backup_task


def restore_backup(window: QWidget) -> Task | None:
    """Choose a backup, check it, confirm, then replace the open database with it (a copy is kept)."""
    host: BackupHost = window  # type: ignore[assignment]
    try:
        database = sqlite_path(host.db)
        chosen = prompts.choose_open_file(window, _("Restore a backup"), _FILTER, str(paths.backups_dir()))
        if not chosen:
            return None
        source = Path(chosen)
        check_backup_file(source)  # refused files never reach the confirmation
    except StorageError as exc:
        show_error(window, exc)
        return None
    question = _(
        "Replace the database {database} with the backup {backup}?\n\nEverything recorded after "
        "that backup was made will be gone. A copy of the current database is kept in {folder}."
    )
    if not prompts.confirm(
        window,
        _("Restore a backup"),
        question.format(database=database, backup=source, folder=paths.backups_dir()),
    ):
        return None
    keep = getattr(getattr(window, "settings", None), "backups_keep", DEFAULT_KEEP)
    host.db.dispose()  # no pooled connection may hold the file while its pages are replaced

    def done(result: object) -> None:
        host.backup_task = None
        host.after_restore()
        restored: RestoreResult = result  # type: ignore[assignment]
        text = _("The backup {backup} was restored.").format(backup=source)
        if restored.safety_copy is not None:
            text += "\n" + _("The replaced database was kept in {path}.").format(path=restored.safety_copy)
        prompts.message(window, prompts.Icon.Information, _("Backup restored"), text)

    host.backup_task = run_task(
        window,
        _("Restoring a backup"),
        lambda progress, cancel: restore_database(
            database, source, keep=keep, progress=progress, cancel=cancel
        ),
        on_success=done,
        on_cancel=lambda: setattr(host, "backup_task", None),
    )
    return host.backup_task
