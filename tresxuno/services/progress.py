"""Progress reporting and cancellation for long-running services.

Long work (demo data, imports, big reports) is a plain function that takes a progress sink and a
cancel token instead of knowing about any window. The GUI runs such a function off the GUI thread,
turns the progress calls into signals for a progress dialog, and sets the token when the officer
presses Cancel; the CLI and the tests pass :func:`no_progress` and no token at all. Because the work
checks the token between batches *inside* its transaction, a cancel raises :class:`Cancelled`, the
transaction rolls back, and the database is left exactly as it was.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

#: ``progress(done, total, message)``: ``done`` of ``total`` steps finished; ``message`` says what is
#: being done now, already translated, for the dialog's label. Called from the worker thread, so a
#: GUI sink must hand the values to the GUI thread (a queued signal) rather than touch widgets.
Progress = Callable[[int, int, str], None]


class Cancelled(Exception):  # noqa: N818 - the name reads as what happened, like KeyboardInterrupt
    """The user cancelled the work; everything it did in its transaction has been rolled back."""


class CancelToken:
    """A flag the GUI thread sets and the worker thread polls, safely across threads.

    A :class:`threading.Event` rather than a plain bool: setting and reading it from two threads
    needs no further locking, and the worker may also ``wait`` on it if it ever sleeps.
    """

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the work to stop at its next check (idempotent, callable from any thread)."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` has been called."""
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Stop the work here when cancelled, so its transaction rolls back.

        Raises:
            Cancelled: :meth:`cancel` has been called.
        """
        if self._event.is_set():
            raise Cancelled()


def no_progress(done: int, total: int, message: str) -> None:
    """A progress sink that ignores every report (the CLI and tests need no dialog)."""
