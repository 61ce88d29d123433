"""Windows that fit the screen they open on: a 1366×768 laptop, or 1920×1080 at 125 % (issue 15, item 3).

A dialog sized for a large monitor (``resize(1100, 800)``, a saved size, a long form) opens with its
buttons under the taskbar on a laptop, where the officer cannot reach them. :func:`install` makes
every dialog and main window shrink, when it is shown, to the free area of its screen (less the title
bar) and move onto it; :func:`scrolling` puts a long form in a scroll area so that it *can* shrink,
while the dialog's buttons stay outside it, always in view.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QMainWindow,
    QScrollArea,
    QSizePolicy,
    QWidget,
)

#: Height of a title bar when the window manager has not told us yet (the window is not mapped).
TITLE_BAR = 32


def available_geometry(widget: QWidget) -> QRect:
    """The free area (without taskbars) of the screen ``widget`` is on, in logical pixels."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 728)


def room_for(window: QWidget) -> QSize:
    """The largest client size ``window`` may take: its screen's free area less the window frame."""
    area = available_geometry(window)
    frame = window.frameGeometry().size() - window.geometry().size()
    title = frame.height() if frame.height() > 0 else TITLE_BAR
    return QSize(max(area.width() - max(frame.width(), 0), 200), max(area.height() - title, 200))


def fit_to_screen(window: QWidget) -> None:
    """Shrink ``window`` to its screen's free area when it is larger, and move it fully onto it.

    A window whose minimum size is larger still stays larger (Qt does not shrink below it); the
    layouts are what keep that minimum small (see :func:`scrolling`).
    """
    room = room_for(window)
    if window.width() > room.width() or window.height() > room.height():
        window.resize(window.size().boundedTo(room))
    area = available_geometry(window)
    frame = window.frameGeometry()
    if window.isVisible() and not area.contains(frame):
        x = min(max(frame.x(), area.x()), max(area.right() - frame.width() + 1, area.x()))
        y = min(max(frame.y(), area.y()), max(area.bottom() - frame.height() + 1, area.y()))
        window.move(QPoint(x, y))


def show_whole(window: QWidget) -> None:
    """Size ``window`` to its whole content, within its screen (call at the end of its constructor).

    Left to itself, Qt opens a window whose layout can shrink (a form in :func:`scrolling`) at no more
    than two thirds of the screen, so a form that would fit scrolls for nothing.
    """
    layout = window.layout()
    if layout is not None:
        layout.activate()
    window.resize(window.sizeHint().expandedTo(window.minimumSizeHint()).boundedTo(room_for(window)))


class _FitOnShow(QObject):
    """Fits every dialog and main window to its screen as it is shown."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if (
            event.type() == QEvent.Type.Show
            and isinstance(watched, QDialog | QMainWindow)
            and watched.isWindow()
            and not watched.isMaximized()
            and not watched.isFullScreen()
        ):
            fit_to_screen(watched)
        return False


def install(app: QApplication) -> QObject:
    """Fit each dialog and main window the application shows to its screen; returns the filter.

    Idempotent: a second call returns the filter already installed. Remove it with
    ``app.removeEventFilter(filter)``.
    """
    current = getattr(app, "_tresxuno_screen_fit", None)
    if isinstance(current, QObject):
        return current
    watch = _FitOnShow(app)
    app.installEventFilter(watch)
    app._tresxuno_screen_fit = watch  # type: ignore[attr-defined]  # kept alive with the application
    return watch


def scrolling(content: QWidget, parent: QWidget) -> QScrollArea:
    """``content`` (a long form) in a frameless vertical scroll area that shows it whole when there is room.

    The area asks for the form's full height, so on a large screen nothing scrolls; on a laptop the
    window is shrunk to the screen (:func:`fit_to_screen`) and the form scrolls, while the dialog's
    buttons, laid out after the area, stay in view.
    """
    area = _FormScroll(parent)
    area.setWidget(content)
    return area


class _FormScroll(QScrollArea):
    """A scroll area whose size hint is its whole form (plus a scroll bar's width), not Qt's 256 px cap."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        content = self.widget()
        if content is None:
            return super().sizeHint()
        hint = content.sizeHint().expandedTo(content.minimumSizeHint())
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(hint.width() + bar, hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        content = self.widget()
        width = content.minimumSizeHint().width() if content is not None else 0
        return QSize(width + self.verticalScrollBar().sizeHint().width(), 120)
