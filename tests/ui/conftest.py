"""GUI test fixtures: demo databases on disk, and message boxes replaced by a recorder.

No test may block on a modal box, so :func:`prompts` is autouse: every ``prompts.message`` and
``prompts.about`` call is recorded instead of shown.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tresxuno.db.engine import Database, open_database
from tresxuno.demo.projects import generate_demo

#: Offscreen Qt warns whenever a main window with a menu or status bar sets its size limits: a
#: limitation of the test platform, not of tresxuno. Modules showing a MainWindow use this mark.
OFFSCREEN_SIZE_HINTS = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

#: Projects in the big demo database: more than two pages of the lazy model.
BIG = 450


@dataclass
class Recorder:
    """What the app tried to show in message boxes."""

    messages: list[tuple[object, str, str, str]] = field(default_factory=list)  # icon, title, text, details
    abouts: list[tuple[str, str]] = field(default_factory=list)
    real_message: Callable[..., None] | None = None  # for the few tests that need a real box
    copies: list[tuple[str, str]] = field(default_factory=list)  # a box's "copy" button: label, text

    def record(
        self,
        parent: object,
        icon: object,
        title: str,
        text: str,
        *,
        details: str = "",
        copy: tuple[str, str] | None = None,
    ) -> None:
        """Stand in for ``prompts.message``."""
        self.messages.append((icon, title, text, details))
        if copy is not None:
            self.copies.append(copy)


@pytest.fixture(autouse=True)
def prompts(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    from tresxuno.ui import prompts as module

    recorder = Recorder(real_message=module.message)
    monkeypatch.setattr(
        module,
        "message",
        recorder.record,
    )
    monkeypatch.setattr(module, "about", lambda parent, title, text: recorder.abouts.append((title, text)))
    return recorder


@pytest.fixture(autouse=True)
def _fresh_error_state() -> Iterator[None]:
    """Bugs already shown, and log handlers, must not leak from one test into the next."""
    import logging

    from tresxuno.ui import errors

    errors._shown_bugs.clear()
    before = list(logging.getLogger("tresxuno").handlers)
    yield
    for handler in list(logging.getLogger("tresxuno").handlers):
        if handler not in before:
            errors.remove_log_file(handler)
    errors._shown_bugs.clear()


def _demo_file(folder: Path, projects: int) -> Path:
    path = folder / f"demo{projects}.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRESXUNO_DATA_DIR", str(folder / "data"))
        db = open_database(str(path))
        try:
            generate_demo(db, projects=projects, seed=1)
        finally:
            db.dispose()  # checkpoints the WAL: the file alone is the whole database
    return path


@pytest.fixture(scope="session")
def _big_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _demo_file(tmp_path_factory.mktemp("demo"), BIG)


@pytest.fixture(scope="session")
def _small_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _demo_file(tmp_path_factory.mktemp("demo"), 60)


def _open_copy(template: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "t.sqlite"
    shutil.copyfile(template, path)
    db = open_database(str(path))
    yield db
    db.dispose()


@pytest.fixture
def big_db(_big_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A private copy of a 450-project demo database (seed 1)."""
    yield from _open_copy(_big_template, tmp_path)


@pytest.fixture
def small_db(_small_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A private copy of a 60-project demo database (seed 1): one page, quick to show."""
    yield from _open_copy(_small_template, tmp_path)


@pytest.fixture
def empty_db(tmp_path: Path) -> Iterator[Database]:
    """A migrated database with the INEGI catalogue and no projects."""
    db = open_database(str(tmp_path / "t.sqlite"))
    yield db
    db.dispose()


@pytest.fixture(autouse=True)
def _empty_undo_history() -> Iterator[None]:
    """Saving a record through its dialog pushes an undo step: no test sees another test's steps."""
    from tresxuno.ui.undo import undo_stack

    undo_stack().clear()
    yield
    undo_stack().clear()


#: The smallest screen an office uses: a 1366×768 laptop, less a taskbar and the window's title bar.
LAPTOP_WIDTH, LAPTOP_HEIGHT = 1366, 728


def _too_big(widget: object) -> str | None:
    """Why a shown window does not fit a 1366×768 laptop (issue 15, item 3), or None.

    A window can shrink to its minimum size; if even that is taller or wider than the screen, its
    buttons end up off-screen whatever the officer does.
    """
    from PySide6.QtWidgets import QDialog, QMainWindow

    if not isinstance(widget, QDialog | QMainWindow) or not widget.isWindow():
        return None
    hint, minimum = widget.minimumSizeHint(), widget.minimumSize()
    width, height = max(hint.width(), minimum.width()), max(hint.height(), minimum.height())
    if width > LAPTOP_WIDTH or height > LAPTOP_HEIGHT:
        return f"{type(widget).__name__} needs at least {width}×{height}"
    return None


_shown_too_big: list[str] = []


def _watch_shown_windows() -> None:
    """Check every window as it is shown (tests keep many only as locals, gone once they return)."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None or getattr(app, "_tresxuno_size_watch", None) is not None:
        return

    class Watch(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
            if event.type() == QEvent.Type.Show:
                problem = _too_big(watched)
                if problem is not None:
                    _shown_too_big.append(problem)
            return False

    watch = Watch()
    app.installEventFilter(watch)
    app._tresxuno_size_watch = watch  # type: ignore[attr-defined]  # kept alive with the application


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Every window a GUI test shows must fit a 1366×768 laptop.

    The GUI tests open nearly every dialog and page of the app, so this checks them all where they
    are used, with their real content. A test that builds a huge window on purpose opts out with
    ``@pytest.mark.any_size``.
    """
    _watch_shown_windows()
    _shown_too_big.clear()
    outcome = yield
    if outcome.excinfo is None and item.get_closest_marker("any_size") is None and _shown_too_big:
        outcome.force_exception(AssertionError("; ".join(sorted(set(_shown_too_big)))))


@pytest.fixture(autouse=True)
def _no_screen_fit_left_behind() -> Iterator[None]:
    """Later tests do not inherit the screen fitting a test that starts the app installed.

    ``application()`` fits windows to the 800×800 offscreen screen; test order must not matter.
    """
    yield
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    watch = getattr(app, "_tresxuno_screen_fit", None)
    if app is not None and watch is not None:
        app.removeEventFilter(watch)
        del app._tresxuno_screen_fit  # type: ignore[attr-defined]
