"""The main window: a navigation list on the left, the chosen page on the right, menus and status bar.

Pages are :class:`~tresxuno.ui.views.base.View` widgets added with :meth:`MainWindow.add_view`;
the window knows nothing about projects or clubs, so adding a page touches no other page.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

import tresxuno
from tresxuno.db.engine import Database
from tresxuno.i18n import _
from tresxuno.ui import prompts
from tresxuno.ui.settings import Settings
from tresxuno.ui.views.base import View
from tresxuno.ui.views.projects import ProjectsView

#: Size of a first window (no saved geometry), shrunk to fit smaller screens.
DEFAULT_SIZE = QSize(1280, 800)
#: Widest the database location in the status bar gets before it is elided in the middle.
_LOCATION_WIDTH = 480


def database_name(db: Database) -> str:
    """A short name for ``db``: the SQLite file's name, or the server database's name."""
    if db.path is not None:
        return db.path.name
    return db.engine.url.database or db.url


def database_location(db: Database) -> str:
    """Where ``db`` is: the SQLite file's full path, or the URL with any password hidden."""
    return str(db.path) if db.path is not None else db.url


class MainWindow(QMainWindow):
    """The application window over one open database.

    Args:
        db: the open database; the caller disposes of it after the window closes.
        settings: where geometry and the last page are remembered (a fresh :class:`Settings` if None).
        office: the office's name for the title bar; the database's name when None.
    """

    def __init__(self, db: Database, settings: Settings | None = None, *, office: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.settings = settings or Settings()
        self.setWindowTitle(f"tresxuno — {office or database_name(db)}")
        self.views: dict[str, View] = {}

        self.nav = QListWidget(self)
        self.nav.setAccessibleName(_("Sections"))
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
        self.location_label.setAccessibleName(_("Database location"))
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.location_label)
        self._show_location()

        self._view_menu_actions: list[QAction] = []
        self._build_menus()
        self.add_view(ProjectsView(db, self))
        self._restore()

    # -- pages -----------------------------------------------------------------------------------

    def add_view(self, view: View) -> None:
        """Add a page: an entry in the navigation list and in the View menu (Ctrl+1, Ctrl+2...)."""
        self.views[view.key] = view
        self.stack.addWidget(view)
        item = QListWidgetItem(view.icon(), view.title())
        item.setData(Qt.ItemDataRole.UserRole, view.key)
        self.nav.addItem(item)
        view.status_changed.connect(lambda text, v=view: self._on_status(v, text))

        number = len(self.views)
        action = QAction(view.icon(), view.title(), self)
        if number <= 9:
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
        action.triggered.connect(lambda _checked=False, key=view.key: self.show_view(key))
        self._view_menu.insertAction(self._view_separator, action)
        self._view_menu_actions.append(action)
        self._fit_nav()
        if self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)

    def show_view(self, key: str) -> None:
        """Show the page ``key`` (ignored when there is none: a stored last page may be gone)."""
        for row in range(self.nav.count()):
            if self.nav.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.nav.setCurrentRow(row)
                return

    def current_view(self) -> View | None:
        """The page shown now."""
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, View) else None

    def refresh(self) -> None:
        """F5: the shown page reads its data again."""
        view = self.current_view()
        if view is not None:
            view.refresh()

    def _on_nav(self, row: int) -> None:
        if row < 0:
            return
        key = self.nav.item(row).data(Qt.ItemDataRole.UserRole)
        view = self.views[key]
        self.stack.setCurrentWidget(view)
        self.status_label.setText(view.status_text())

    def _on_status(self, view: View, text: str) -> None:
        if view is self.current_view():
            self.status_label.setText(text)

    def _fit_nav(self) -> None:
        """Wide enough for the longest translated title, no wider: the table needs the room."""
        metrics = self.nav.fontMetrics()
        widest = max((metrics.horizontalAdvance(self.nav.item(r).text()) for r in range(self.nav.count())),
                     default=0)
        self.nav.setFixedWidth(max(150, widest + self.nav.iconSize().width() + 40))

    def _show_location(self) -> None:
        location = database_location(self.db)
        metrics = self.location_label.fontMetrics()
        shown = metrics.elidedText(location, Qt.TextElideMode.ElideMiddle, _LOCATION_WIDTH)
        self.location_label.setText(shown)
        self.location_label.setToolTip(_("Database: {location}").format(location=location))

    # -- menus -----------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu(_("&File"))
        quit_action = file_menu.addAction(_("&Quit"))
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.close)

        self._view_menu = menus.addMenu(_("&View"))
        self._view_separator = self._view_menu.addSeparator()
        refresh = self._view_menu.addAction(_("&Refresh"))
        refresh.setShortcut(QKeySequence(Qt.Key.Key_F5))
        refresh.triggered.connect(self.refresh)

        help_menu = menus.addMenu(_("&Help"))
        about = help_menu.addAction(_("&About tresxuno"))
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self.show_about)

    def show_about(self) -> None:
        """Version, purpose and the database in use."""
        from PySide6 import __version__ as pyside_version

        page = "<h3>tresxuno {version}</h3><p>{purpose}</p><p>{database}</p><p><small>{qt}</small></p>"
        text = page.format(
            version=tresxuno.__version__,
            purpose=_("Municipal management of the 3x1 para Migrantes programme: clubs, projects, "
                      "contributions, payments and reports."),
            database=_("Database: {location}").format(location=database_location(self.db)),
            qt=f"PySide6 {pyside_version}",
        )
        prompts.about(self, _("About tresxuno"), text)

    # -- remembering the layout ------------------------------------------------------------------

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
        for view in self.views.values():
            view.restore_layout(self.settings)
        if self.settings.last_view:
            self.show_view(self.settings.last_view)

    def save_layout(self) -> None:
        """Remember size, position and the page shown, for the next start."""
        self.settings.window_geometry = bytes(self.saveGeometry().data())
        self.settings.window_state = bytes(self.saveState().data())
        for page in self.views.values():
            page.save_layout(self.settings)
        view = self.current_view()
        if view is not None:
            self.settings.last_view = view.key

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        """Remember the layout, then close."""
        self.save_layout()
        super().closeEvent(event)
