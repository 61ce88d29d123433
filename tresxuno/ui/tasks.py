"""Long work off the GUI thread, with a progress dialog whose Cancel really cancels.

Long work is a plain function ``work(progress, cancel) -> result`` (see
``tresxuno.services.progress``): it reports progress through the sink, checks the cancel token,
and owns its own transaction, so a cancelled run rolls back and leaves nothing half-written.
Only one task runs at a time: SQLite has one writer, and this is the app's single write lane.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from tresxuno.i18n import _
from tresxuno.services.progress import Cancelled, CancelToken, Progress

Work = Callable[[Progress, CancelToken], Any]


class _Worker(QObject):
    """Runs the work in its thread and reports back through queued signals."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()

    def __init__(self, work: Work, token: CancelToken):
        super().__init__()
        self._work = work
        self._token = token

    def run(self) -> None:
        try:
            result = self._work(self.progressed.emit, self._token)
        except Cancelled:
            self.cancelled.emit()
        except BaseException as exc:  # handed to the GUI thread, which shows it: never swallowed
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)


class Task(QObject):
    """One run of long work with its progress dialog.

    Signals are delivered on the GUI thread: ``finished_ok(result)``, ``failed(exception)``
    (the caller shows it with ``show_error``) and ``was_cancelled()``.
    """

    finished_ok = Signal(object)
    failed = Signal(object)
    was_cancelled = Signal()

    def __init__(self, parent: QWidget | None, title: str, work: Work, *, show_dialog: bool = True):
        super().__init__(parent)
        self.token = CancelToken()
        self._thread = QThread()
        self._worker = _Worker(work, self.token)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.progressed.connect(self._on_progress)
        self._worker.succeeded.connect(self._on_success)
        self._worker.failed.connect(self._on_failure)
        self._worker.cancelled.connect(self._on_cancelled)
        self.dialog: QProgressDialog | None = None
        if show_dialog:
            self.dialog = QProgressDialog(title, _("Cancel"), 0, 0, parent)
            self.dialog.setWindowTitle(title)
            self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
            self.dialog.setMinimumDuration(300)  # quick work finishes without a flash of dialog
            self.dialog.setAutoClose(False)
            self.dialog.setAutoReset(False)
            self.dialog.canceled.connect(self.cancel)
        self.running = False

    def start(self) -> Task:
        """Start the work; returns self so callers can connect and keep a reference in one line."""
        self.running = True
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Ask the work to stop at its next check; it rolls back what it had not committed."""
        self.token.cancel()
        if self.dialog is not None:
            self.dialog.setLabelText(_("Cancelling…"))

    def wait(self, msecs: int = 60_000) -> bool:
        """Block until the worker thread ends (tests and shutdown only)."""
        return self._thread.wait(msecs)

    def _on_progress(self, done: int, total: int, message: str) -> None:
        if self.dialog is not None and not self.token.cancelled:
            self.dialog.setMaximum(max(total, 0))
            self.dialog.setValue(min(done, total) if total else 0)
            if message:
                self.dialog.setLabelText(message)

    def _finish(self) -> None:
        self.running = False
        self._thread.quit()
        self._thread.wait()
        if self.dialog is not None:
            self.dialog.reset()
            self.dialog.hide()

    def _on_success(self, result: object) -> None:
        self._finish()
        self.finished_ok.emit(result)

    def _on_failure(self, exc: object) -> None:
        self._finish()
        self.failed.emit(exc)

    def _on_cancelled(self) -> None:
        self._finish()
        self.was_cancelled.emit()


def run_task(
    parent: QWidget | None,
    title: str,
    work: Work,
    *,
    on_success: Callable[[Any], None] | None = None,
    on_cancel: Callable[[], None] | None = None,
    show_dialog: bool = True,
) -> Task:
    """Start ``work`` off the GUI thread; failures go to ``show_error`` (never swallowed).

    Keep the returned task referenced (it is parented to ``parent``) until it finishes.
    """
    from tresxuno.ui.errors import show_error

    task = Task(parent, title, work, show_dialog=show_dialog)
    if on_success is not None:
        task.finished_ok.connect(on_success)
    if on_cancel is not None:
        task.was_cancelled.connect(on_cancel)
    task.failed.connect(lambda exc: show_error(parent, exc))
    return task.start()
