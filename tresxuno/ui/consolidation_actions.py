"""Administration > Send changes to the state office… / Import an office's package…, off the GUI thread.

The municipal office writes its signed package (:mod:`tresxuno.services.consolidation`); the state
office imports one (:mod:`tresxuno.services.consolidation_import`), and when the package meets
records changed here too, the administrator sees both versions and decides before anything is written.
The window holds the running task (``window.consolidation_task``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog, QWidget

from tresxuno.domain.problems import InputError, StorageError
from tresxuno.i18n import _
from tresxuno.services.consolidation import PackageSummary, export_package, public_key, unsent
from tresxuno.services.consolidation_import import ConsolidationConflictError, ImportSummary, import_package
from tresxuno.services.office import office_settings
from tresxuno.ui import prompts
from tresxuno.ui.errors import show_error
from tresxuno.ui.tasks import Task, run_task


def _done(window: QWidget) -> None:
    window.consolidation_task = None  # type: ignore[attr-defined]


def send_changes(window: QWidget) -> Task | None:
    """Ask where to write the package of the changes not sent yet, then write it with progress."""
    db: Any = window.db  # type: ignore[attr-defined]
    try:
        waiting = unsent(db)
        key = public_key()
        office = office_settings(db).municipality_key or "oficina"
    except (InputError, StorageError) as exc:
        show_error(window, exc)
        return None
    if not waiting.records:  # not an error: the last package already carried everything
        prompts.message(
            window,
            prompts.Icon.Information,
            _("Nothing new to send"),
            _(
                "The last package already carried every record up to {last} of the audit trail. "
                "Send again once this office has recorded something."
            ).format(last=waiting.last),
        )
        return None
    suggested = Path.home() / f"{office}-{date.today().isoformat()}.zip"
    chosen = prompts.choose_save_file(
        window, _("Send changes to the state office"), _("Packages (*.zip)"), str(suggested)
    )
    target = prompts.save_target(window, chosen, ".zip") if chosen else None
    if target is None:
        return None

    def written(result: object) -> None:
        _done(window)
        made: PackageSummary = result  # type: ignore[assignment]
        prompts.message(
            window,
            prompts.Icon.Information,
            _("Package written"),
            _(
                "{path}: records {first} to {last} of the audit trail and {files} files, signed.\n\n"
                "The state office verifies it with this office's public key, registered there once:\n{key}"
            ).format(path=made.path, first=made.from_seq, last=made.to_seq, files=made.files, key=key),
            copy=(_("Copy the public key"), key),
        )

    window.consolidation_task = run_task(  # type: ignore[attr-defined]
        window,
        _("Writing the package for the state office"),
        # The save dialog asked before replacing a file; the service still refuses the database itself.
        lambda progress, cancel: export_package(db, target, force=True, progress=progress, cancel=cancel),
        on_success=written,
        on_cancel=lambda: _done(window),
    )
    window.consolidation_task.failed.connect(lambda _exc: _done(window))  # type: ignore[attr-defined]
    return window.consolidation_task  # type: ignore[attr-defined, no-any-return]


def import_office_package(window: QWidget) -> Task | None:
    """Choose the package and its office, then import it; conflicts are shown before any decision."""
    from tresxuno.ui.dialogs.consolidation import ImportPackageDialog

    db: Any = window.db  # type: ignore[attr-defined]
    dialog = ImportPackageDialog(db, window)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        office, path = dialog.chosen()
    finally:
        dialog.deleteLater()
    return _run_import(window, db, path, office, None)


def _run_import(window: QWidget, db: Any, path: Path, office: str, decision: str | None) -> Task:
    def imported(result: object) -> None:
        _done(window)
        done: ImportSummary = result  # type: ignore[assignment]
        text = (
            _("Already imported: records up to {last} of {office} were here; nothing changed.")
            if done.already_imported
            else _(
                "Imported records {first} to {last} of {office}: {rows} rows written, {conflicts} conflicts settled."
            )
        )
        prompts.message(
            window,
            prompts.Icon.Information,
            _("Package imported"),
            text.format(
                first=done.from_seq,
                last=done.to_seq,
                office=done.office,
                rows=done.rows,
                conflicts=len(done.conflicts),
            ),
        )
        refresh = getattr(window, "after_restore", None)  # every page reads its rows again
        if callable(refresh) and not done.already_imported:
            refresh()

    def work(progress: Any, cancel: Any) -> ImportSummary | ConsolidationConflictError:
        try:
            return import_package(db, path, office, decision=decision, progress=progress, cancel=cancel)
        except ConsolidationConflictError as conflicts:  # a decision to take, not an error
            return conflicts

    def finished(result: object) -> None:
        if isinstance(result, ConsolidationConflictError):
            _done(window)
            _decide(window, db, path, office, result)
        else:
            imported(result)

    window.consolidation_task = run_task(  # type: ignore[attr-defined]
        window,
        _("Importing the office's package"),
        work,
        on_success=finished,
        on_cancel=lambda: _done(window),
    )
    # A refused package (bad signature, altered file, a gap) was shown by run_task; the task is over.
    window.consolidation_task.failed.connect(lambda _exc: _done(window))  # type: ignore[attr-defined]
    return window.consolidation_task  # type: ignore[attr-defined, no-any-return]


def _decide(window: QWidget, db: Any, path: Path, office: str, refused: ConsolidationConflictError) -> None:
    from tresxuno.ui.dialogs.consolidation import ConflictsDialog

    dialog = ConflictsDialog(refused.conflicts, window)
    try:
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.decision is not None:
            _run_import(window, db, path, office, dialog.decision)
    finally:
        dialog.deleteLater()
