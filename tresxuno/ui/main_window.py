"""The main window: a navigation list on the left, the chosen page on the right, menus, tool bar, status bar.

Its parts live beside it: the pages (``window_pages``), the menus (``window_menus``) and the commands
(``window_commands``). The window routes the shared commands (New, Print, Find, Refresh) and records
opened from one page to the page that shows them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QByteArray, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from tresxuno.i18n import _
from tresxuno.services.store import Database
from tresxuno.ui.settings import Settings
from tresxuno.ui.undo import undo_stack
from tresxuno.ui.views.base import View, ViewState
from tresxuno.ui.views.project_detail import ProjectRecord
from tresxuno.ui.window_commands import WindowCommands, database_location, database_name
from tresxuno.ui.window_menus import NEW_NEEDS, WindowMenus, ledger_no_undo_tip
from tresxuno.ui.window_pages import PAGES, RECORD_PAGES, Pages, PageStack

__all__ = [
    "NEW_NEEDS",
    "PAGES",
    "RECORD_PAGES",
    "MainWindow",
    "Pages",
    "database_location",
    "database_name",
    "ledger_no_undo_tip",
]

log = logging.getLogger("tresxuno")

#: Size of a first window (no saved geometry), shrunk to fit smaller screens.
DEFAULT_SIZE = QSize(1280, 800)

#: Widest the database location in the status bar gets before it is elided in the middle.
_LOCATION_WIDTH = 480


class MainWindow(WindowMenus, PageStack, WindowCommands, QMainWindow):
    """The application window over one open database.

    Args:
        db: the open database; the caller disposes of it after the window closes.
        settings: where geometry, layouts, the language and the last page are remembered (a fresh
            :class:`Settings` if None).
        office: the office's name for the title bar; when None, the stored office settings' name,
            else the database's name.
        pages: the page classes to show, in order; :data:`PAGES` by default.
    """

    #: The interface language changed and every page was rebuilt (tests and pages' dialogs listen).
    language_changed = Signal(str)

    def __init__(
        self,
        db: Database,
        settings: Settings | None = None,
        *,
        office: str | None = None,
        parent: QWidget | None = None,
        pages: Sequence[type[View]] | None = None,
    ):
        super().__init__(parent)
        self.db = db
        self.settings = settings or Settings()
        self._office_override = office
        self.views = Pages(self._build_page)
        self._pending_states: dict[str, ViewState] = {}  # pages' filters to put back once rebuilt
        self.actions_by_name: dict[str, QAction] = {}
        self._page_actions: list[QAction] = []
        self._page_classes = tuple(PAGES if pages is None else pages)
        self.tool_bar: QToolBar | None = None
        self.backup_task = None  # File > Backup now / Restore while it runs
        self.consolidation_task = None  # Administration > send or import a consolidation package
        #: Another database chosen in Preferences: the application reopens on it once this closes.
        self.reopen_with: str | None = None

        self.nav = QListWidget(self)
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setSpacing(2)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget(self)
        self.nav.currentRowChanged.connect(self._on_nav)
        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.status_label = QLabel(self)
        self.status_label.setIndent(6)
        self.location_label = QLabel(self)
        self.statusBar().addWidget(self.status_label, 1)
        self.user_label = QLabel(self)  # who is signed in, and their role
        self.statusBar().addPermanentWidget(self.user_label)
        self.statusBar().addPermanentWidget(self.location_label)

        stack = undo_stack()
        stack.canUndoChanged.connect(self._update_undo_actions)
        stack.canRedoChanged.connect(self._update_undo_actions)
        stack.undoTextChanged.connect(self._update_undo_actions)
        stack.redoTextChanged.connect(self._update_undo_actions)

        self._build_chrome()
        self._build_pages()
        self.update_title()
        self._restore()

    # -- commands routed to the page shown -------------------------------------------------------

    def refresh(self) -> None:
        """F5: the shown page reads its data again."""
        view = self.current_view()
        if view is not None:
            view.refresh()

    def new_record(self) -> None:
        """File > New (Ctrl+N): the shown page's own "new" (a project, a club, a session...)."""
        view = self.current_view()
        create = getattr(view, "new_record", None)
        if view is not None and callable(create) and view.can_create():
            create()

    def print_current(self) -> None:
        """Ctrl+P: the shown page prints what it shows (a project sheet, a session's minutes...)."""
        view = self.current_view()
        print_ = getattr(view, "print_current", None)
        if view is not None and callable(print_) and view.can_print():
            print_()

    def focus_search(self) -> None:
        """Ctrl+F: to the shown page's search box."""
        view = self.current_view()
        if view is not None:
            view.focus_search()

    # -- records opened from a page --------------------------------------------------------------

    def open_record(self, kind: str, record_id: int) -> None:
        """Show record ``record_id`` of ``kind`` ("project", "club", "session") where it lives.

        A project opens in its own record window; other kinds on the page listing them, selected.
        """
        if kind == "project":
            if ProjectRecord.open(self, self.db, record_id):
                for view in self.views.built().values():
                    view.refresh()  # the project changed: stage counts, lists, sessions
            return
        key = RECORD_PAGES.get(kind)
        if key is None or key not in self.views:
            log.warning("no page shows records of kind %r (id %s)", kind, record_id)
            return
        self.show_view(key)
        view = self.views[key]
        select = getattr(view, f"select_{kind}", None)
        if callable(select):
            select(record_id)

    # -- remembering the layout ------------------------------------------------------------------

    def _show_location(self) -> None:
        location = database_location(self.db)
        metrics = self.location_label.fontMetrics()
        shown = metrics.elidedText(location, Qt.TextElideMode.ElideMiddle, _LOCATION_WIDTH)
        self.location_label.setText(shown)
        self.location_label.setToolTip(_("Database: {location}").format(location=location))

    def _restore(self) -> None:
        geometry = self.settings.window_geometry
        if not geometry or not self.restoreGeometry(QByteArray(geometry)):
            screen = QGuiApplication.primaryScreen()
            size = DEFAULT_SIZE
            if screen is not None:
                size = size.boundedTo(screen.availableSize())
            self.resize(size)
        state = self.settings.window_state
        if state:
            self.restoreState(QByteArray(state))
        # Only the page shown is built: the last one, or the first when it is gone or on a first start.
        last = self.settings.last_view
        self.show_view(last if last in self.views else self._first_key())

    def save_layout(self) -> None:
        """Remember size, position, tool bar, the pages' layouts and the page shown, for the next start."""
        self.settings.window_geometry = bytes(self.saveGeometry().data())
        self.settings.window_state = bytes(self.saveState().data())
        for page in self.views.built().values():
            page.save_layout(self.settings)
        view = self.current_view()
        if view is not None:
            self.settings.last_view = view.key

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        """Remember the layout, then close."""
        self.save_layout()
        super().closeEvent(event)
