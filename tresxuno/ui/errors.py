"""The one place the GUI shows errors: input problems, storage trouble, and bugs.

Three families, three treatments (see DESIGN.md): wrong input is explained field by field; a
storage problem says what to do and the app keeps running; anything else is a bug, written to the
log with its traceback and shown once with an apology. Nothing is ever swallowed silently.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QWidget

from tresxuno import paths
from tresxuno.domain.problems import InputError, RuleSetError, StorageError
from tresxuno.i18n import _
from tresxuno.messages import describe, describe_storage
from tresxuno.ui import prompts

log = logging.getLogger("tresxuno")

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]

#: Bugs already shown, by (type, file, line) of where they were raised: a bug in a paint or data
#: method fires on every repaint, and one dialog per repaint would lock the officer out of the app.
_shown_bugs: set[tuple[str, str, int]] = set()
#: True while a bug dialog is open: an exception raised meanwhile is logged, not stacked on top.
_showing = False


def log_path() -> Path:
    """The log file bugs are written to (the same file the command line uses)."""
    return paths.user_data_dir() / "tresxuno.log"


def install_log_file() -> logging.Handler:
    """Make sure the ``tresxuno`` logger writes to :func:`log_path`; returns the handler (idempotent)."""
    target = log_path()
    for handler in log.handlers:
        if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename) == target:
            return handler
    target.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(target, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    if log.level == logging.NOTSET or log.level > logging.INFO:
        log.setLevel(logging.INFO)
    return handler


def remove_log_file(handler: logging.Handler) -> None:
    """Detach and close a handler from :func:`install_log_file` (on exit, and between tests)."""
    log.removeHandler(handler)
    handler.close()


def _bug_key(exc: BaseException) -> tuple[str, str, int]:
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return (type(exc).__qualname__, "", 0)
    return (type(exc).__qualname__, frames[-1].filename, frames[-1].lineno or 0)


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """Tell the officer about ``exc`` in the way its family calls for.

    Args:
        parent: the window the message belongs to (None before the main window exists).
        exc: the error. :class:`InputError` lists every problem; :class:`StorageError` explains
            what to do; a :class:`RuleSetError` names the broken rule file; anything else is a bug.
    """
    global _showing
    if isinstance(exc, InputError):
        lines = "\n".join(f"• {describe(p)}" for p in exc.problems)
        prompts.message(
            parent,
            prompts.Icon.Warning,
            _("Please check the data"),
            _("Please correct the following:") + "\n\n" + lines,
        )
        return
    if isinstance(exc, StorageError):
        log.warning("storage problem: %s", exc)
        prompts.message(parent, prompts.Icon.Critical, _("Database problem"), describe_storage(exc))
        return
    if isinstance(exc, RuleSetError):
        log.warning("rule set problem: %s", exc)
        prompts.message(parent, prompts.Icon.Critical, _("Rule set problem"), str(exc))
        return

    # A bug: always logged with its traceback; shown once per place, never while another is open.
    install_log_file()
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    log.error("unexpected error\n%s", details.rstrip())
    key = _bug_key(exc)
    if _showing or key in _shown_bugs:
        return
    _shown_bugs.add(key)
    _showing = True
    try:
        prompts.message(
            parent,
            prompts.Icon.Critical,
            _("Unexpected error"),
            _(
                "Sorry, something went wrong inside tresxuno. This is a fault in the program, not in "
                "your work.\n\nThe details were written to {path}. Please send that file to your "
                "technical support. You can keep working; if something looks wrong, restart tresxuno."
            ).format(path=log_path()),
            details=details,
        )
    finally:
        _showing = False


def _active_window() -> QWidget | None:
    return QApplication.activeWindow() if QApplication.instance() is not None else None


def _hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """The GUI's ``sys.excepthook``: uncaught exceptions (slots and Qt virtuals too) go to show_error."""
    if issubclass(exc_type, KeyboardInterrupt):
        # Ctrl+C in the terminal that started the app: leave, as a console program would.
        app = QApplication.instance()
        if app is not None:
            app.quit()
        return
    if exc.__traceback__ is None and tb is not None:
        exc = exc.with_traceback(tb)
    try:
        show_error(_active_window(), exc)
    except Exception:  # the error display itself failed: the terminal is all that is left
        sys.__excepthook__(exc_type, exc, tb)


def install_excepthook() -> ExceptHook:
    """Route uncaught exceptions to :func:`show_error`; returns the previous hook so it can be put back."""
    previous = sys.excepthook
    sys.excepthook = _hook
    return previous
