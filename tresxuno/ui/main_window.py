"""The main window: a navigation list on the left, the chosen page on the right, menus, tool bar, status bar.

Pages are :class:`~tresxuno.ui.views.base.View` widgets listed once, in order, in :data:`PAGES`
(module path, class name) and imported by name, so adding a page touches no other page. The window
routes the shared commands to the page shown (New, Print, Find, Refresh), records opened from one
page to the page that shows them, and rebuilds pages and menus when the language changes.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from PySide6.QtCore import QByteArray, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QPainter,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenuBar,
    QStackedWidget,
    QStyle,
    QToolBar,
    QWidget,
)

from tresxuno.domain.actor import current_actor, set_actor
from tresxuno.domain.problems import StorageError
from tresxuno.i18n import _, language
from tresxuno.services.auth import has_users
from tresxuno.services.store import Database
from tresxuno.ui.errors import show_error
from tresxuno.ui.permissions import OWN_TIP, gate, signed_in_text
from tresxuno.ui.settings import Settings
from tresxuno.ui.undo import undo_stack
from tresxuno.ui.views.base import View, ViewState

log = logging.getLogger("tresxuno")

#: The pages, in the order of the navigation list (and Ctrl+1, Ctrl+2...): module path, class name.
#: A module that does not exist yet is skipped with a warning, so pages can be written in parallel.
PAGES: tuple[tuple[str, str], ...] = (
    ("tresxuno.ui.views.dashboard", "DashboardView"),
    ("tresxuno.ui.views.projects", "ProjectsView"),
    ("tresxuno.ui.views.clubs", "ClubsView"),
    ("tresxuno.ui.views.covam", "CovamView"),
    ("tresxuno.ui.views.ledger", "LedgerView"),
    ("tresxuno.ui.views.reports", "ReportsView"),
    ("tresxuno.ui.views.rules", "RulesView"),
)
#: Which page shows each kind of record a page can ask to open (``open_record(kind, id)``).
RECORD_PAGES = {"project": "projects", "club": "clubs", "federation": "clubs", "session": "covam"}
#: The project record window, when it exists: ``ProjectRecord.open(parent, db, project_id)``.
PROJECT_RECORD = ("tresxuno.ui.views.project_detail", "ProjectRecord")
#: The import dialog, when it exists: ``ImportDialog.ask(parent, db)``.
IMPORT_DIALOG = ("tresxuno.ui.dialogs.importer", "ImportDialog")
#: Size of a first window (no saved geometry), shrunk to fit smaller screens.
DEFAULT_SIZE = QSize(1280, 800)
#: Widest the database location in the status bar gets before it is elided in the middle.
_LOCATION_WIDTH = 480


#: What File > New needs on each page (the page's "new" is greyed for other roles).
NEW_NEEDS: dict[str, str] = {
    "projects": "projects.edit",
    "clubs": "clubs.edit",
    "covam": "covam.edit",
    "ledger": "ledger.record_contribution",
}


def _window_keys() -> tuple[QKeySequence, ...]:
    """Window-wide keys the window itself routes to the page shown.

    A page's own shortcut on one of them would make both ambiguous (neither fires), so the window
    switches the page's copy off. A function, not a constant: standard keys need the QGuiApplication.
    """
    standard = QKeySequence.StandardKey
    return (
        QKeySequence(standard.New),
        QKeySequence(standard.Find),
        QKeySequence(standard.Print),
        QKeySequence(Qt.Key.Key_F5),
        QKeySequence(standard.Undo),
        QKeySequence("Ctrl+Shift+Z"),
    )


def ledger_no_undo_tip() -> str:
    """Why Undo is disabled on the Libro: ledger entries are never edited nor deleted."""
    return _(
        "Ledger entries cannot be undone: the ledger is append-only. Correct an entry by recording "
        "its reversal."
    )


def database_name(db: Database) -> str:
    """A short name for ``db``: the SQLite file's name, or the server database's name."""
    if db.path is not None:
        return db.path.name
    return db.engine.url.database or db.url


def database_location(db: Database) -> str:
    """Where ``db`` is: the SQLite file's full path, or the URL with any password hidden."""
    return str(db.path) if db.path is not None else db.url


def _import_optional(module_path: str, name: str) -> object | None:
    """``module_path.name`` when that module exists; None (logged) while it does not exist yet.

    Only the module itself being absent is tolerated: an import error *inside* it is a bug and raised.
    """
    try:
        module = importlib.import_module(module_path)
    except ModuleNotFoundError as exc:
        if exc.name != module_path:
            raise
        return None
    found = getattr(module, name, None)
    if found is None:
        log.warning("%s has no %s yet; skipped", module_path, name)
    return found


def page_classes(pages: Iterable[tuple[str, str]] = PAGES) -> list[type[View]]:
    """The page classes of ``pages`` that exist, in order; each missing one is logged and skipped."""
    classes: list[type[View]] = []
    for module_path, class_name in pages:
        cls = _import_optional(module_path, class_name)
        if cls is None:
            log.warning(
                "page %s.%s is not available yet; the window goes without it", module_path, class_name
            )
            continue
        classes.append(cls)  # type: ignore[arg-type]
    return classes


def _page_title(page: type[View]) -> str:
    """The page's translated title, from its class: pages are listed before they are built."""
    return _(page.title_msgid)


def _page_icon(window: QWidget, page: type[View]) -> QIcon:
    """The page's navigation icon, from its class like :func:`_page_title`."""
    return window.style().standardIcon(page.icon_pixmap)


class Pages(Mapping[str, View]):
    """The window's pages by key, in navigation order, each built the first time it is asked for.

    Building every page at start-up read every page's data before the window could open (seconds on
    a large database); now only the page shown is built. ``built()`` gives the pages that exist, for
    work that only concerns them (refreshing, saving layouts); ``pages[key]`` builds one on demand.
    """

    def __init__(self, build: Callable[[type[View]], View]):
        self._build = build
        self._classes: dict[str, type[View]] = {}
        self._built: dict[str, View] = {}

    def add(self, page: type[View], view: View | None = None) -> None:
        """List ``page`` (already built as ``view``, when given)."""
        self._classes[page.key] = page
        if view is not None:
            self._built[page.key] = view

    def page_class(self, key: str) -> type[View]:
        """The class of page ``key``, without building it."""
        return self._classes[key]

    def built(self) -> dict[str, View]:
        """The pages built so far, in navigation order."""
        return {k: self._built[k] for k in self._classes if k in self._built}

    def __getitem__(self, key: str) -> View:
        if key not in self._built:
            page = self._classes[key]  # KeyError for an unknown page, as a dict
            self._built[key] = self._build(page)
        return self._built[key]

    def __contains__(self, key: object) -> bool:
        return key in self._classes

    def __iter__(self) -> Iterator[str]:
        return iter(self._classes)

    def __len__(self) -> int:
        return len(self._classes)


def _printer_icon(size: int = 24) -> QIcon:
    """A small printer drawn in the palette's text colour, for styles that ship no print icon."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    color = QGuiApplication.palette().windowText().color()
    painter.setPen(color)
    unit = size / 24
    painter.setBrush(QColor(color.red(), color.green(), color.blue(), 60))
    painter.drawRect(int(6 * unit), int(3 * unit), int(12 * unit), int(6 * unit))  # paper in
    painter.drawRoundedRect(int(2 * unit), int(9 * unit), int(20 * unit), int(9 * unit), 2, 2)  # body
    painter.setBrush(Qt.GlobalColor.white)
    painter.drawRect(int(6 * unit), int(14 * unit), int(12 * unit), int(7 * unit))  # paper out
    painter.end()
    return QIcon(pixmap)


class MainWindow(QMainWindow):
    """The application window over one open database.

    Args:
        db: the open database; the caller disposes of it after the window closes.
        settings: where geometry, layouts, the language and the last page are remembered (a fresh
            :class:`Settings` if None).
        office: the office's name for the title bar; when None, the stored office settings' name,
            else the database's name.
        pages: the pages to show, as (module path, class name); :data:`PAGES` by default.
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
        pages: Sequence[tuple[str, str]] | None = None,
    ):
        super().__init__(parent)
        self.db = db
        self.settings = settings or Settings()
        self._office_override = office
        self.views = Pages(self._build_page)
        self._pending_states: dict[str, ViewState] = {}  # pages' filters to put back once rebuilt
        self.actions_by_name: dict[str, QAction] = {}
        self._page_actions: list[QAction] = []
        self._page_classes = page_classes(PAGES if pages is None else pages)
        self.tool_bar: QToolBar | None = None
        self.backup_task = None  # File > Backup now / Restore while it runs

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

    # -- pages -----------------------------------------------------------------------------------

    def _build_pages(self) -> None:
        """List the pages; none is built until shown (see :class:`Pages`)."""
        for cls in self._page_classes:
            self._list_page(cls)

    def _list_page(self, page: type[View], view: View | None = None) -> None:
        self.views.add(page, view)
        item = QListWidgetItem(_page_icon(self, page), _page_title(page))
        item.setData(Qt.ItemDataRole.UserRole, page.key)
        self.nav.addItem(item)
        self._add_page_action(page, len(self.views))
        self._fit_nav()

    def _build_page(self, page: type[View]) -> View:
        """Make page ``page`` now (first shown, or asked for): wired, its layout and filters put back."""
        view = page(self.db, self)
        self._wire(view)
        view.restore_layout(self.settings)
        state = self._pending_states.pop(page.key, None)
        if state is not None:
            view.restore_view_state(state)
        return view

    def _wire(self, view: View) -> None:
        self.stack.addWidget(view)
        view.status_changed.connect(lambda text, v=view: self._on_status(v, text))
        view.actions_changed.connect(lambda v=view: self._on_actions_changed(v))
        if isinstance(getattr(type(view), "open_record", None), Signal):
            view.open_record.connect(self.open_record)  # type: ignore[attr-defined]
        self._yield_shortcuts(view)

    def add_view(self, view: View) -> None:
        """Add a built page: an entry in the navigation list and in the View menu (Ctrl+1, Ctrl+2...)."""
        self._wire(view)
        self._list_page(type(view), view)
        if self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)

    def _yield_shortcuts(self, view: View) -> None:
        """Switch off a page's own window-wide shortcut on a key the window routes (Ctrl+F, F5...).

        The window's action calls the same page method; two shortcuts on one key would cancel out.
        """
        wide = (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut)
        exact = QKeySequence.SequenceMatch.ExactMatch
        keys = _window_keys()
        for shortcut in view.findChildren(QShortcut):
            if shortcut.context() in wide and any(shortcut.key().matches(k) == exact for k in keys):
                shortcut.setEnabled(False)

    def _add_page_action(self, page: type[View], number: int) -> None:
        action = QAction(_page_icon(self, page), _page_title(page), self)
        if number <= 9:
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
        action.setCheckable(True)
        action.triggered.connect(lambda _checked=False, key=page.key: self.show_view(key))
        self._view_menu.insertAction(self._view_separator, action)
        self._page_actions.append(action)
        self._sync_page_actions()

    def show_view(self, key: str) -> None:
        """Show the page ``key`` (ignored when there is none: a stored last page may be gone)."""
        for row in range(self.nav.count()):
            if self.nav.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.nav.setCurrentRow(row)
                break
        self._sync_page_actions()  # Ctrl+n on the page shown must not leave its menu entry unticked

    def current_view(self) -> View | None:
        """The page shown now."""
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, View) else None

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

    def _on_nav(self, row: int) -> None:
        if row < 0:
            return
        key = self.nav.item(row).data(Qt.ItemDataRole.UserRole)
        view = self.views[key]
        self.stack.setCurrentWidget(view)
        self.status_label.setText(view.status_text())
        self._update_page_commands()
        self._sync_page_actions()
        self._update_undo_actions()

    def _on_status(self, view: View, text: str) -> None:
        if view is self.current_view():
            self.status_label.setText(text)

    def _on_actions_changed(self, view: View) -> None:
        if view is self.current_view():
            self._update_page_commands()

    def _update_page_commands(self) -> None:
        """New and Print follow the page shown: enabled only where the page offers them."""
        view = self.current_view()
        for name, applies in (
            ("new", view is not None and view.can_create()),
            ("print", view is not None and view.can_print()),
        ):
            action = self.actions_by_name.get(name)
            if action is not None:
                action.setEnabled(bool(applies))
                if applies and name == "new" and view is not None and view.key in NEW_NEEDS:
                    gate(action, self.db, NEW_NEEDS[view.key])
                elif action.property(OWN_TIP) is not None:
                    action.setToolTip(str(action.property(OWN_TIP)))

    def _sync_page_actions(self) -> None:
        view = self.current_view()
        for action, key in zip(self._page_actions, self.views, strict=False):
            action.setChecked(view is not None and key == view.key)

    def _fit_nav(self) -> None:
        """Wide enough for the longest translated title, no wider: the table needs the room."""
        metrics = self.nav.fontMetrics()
        widest = max(
            (metrics.horizontalAdvance(self.nav.item(r).text()) for r in range(self.nav.count())), default=0
        )
        self.nav.setFixedWidth(max(150, widest + self.nav.iconSize().width() + 40))

    # -- records opened from a page --------------------------------------------------------------

    def open_record(self, kind: str, record_id: int) -> None:
        """Show record ``record_id`` of ``kind`` ("project", "club", "session") where it lives.

        A project opens in its own record window when that exists; otherwise, and for other kinds,
        the page listing them is shown with the record selected.
        """
        if kind == "project":
            record = _import_optional(*PROJECT_RECORD)
            # Only its own classmethod: a dialog class also inherits QDialog.open(), an instance method.
            if record is not None and isinstance(inspect.getattr_static(record, "open", None), classmethod):
                if record.open(self, self.db, record_id):  # type: ignore[attr-defined]
                    for view in self.views.built().values():
                        view.refresh()  # the project changed: stage counts, lists, sessions
                return
        key = RECORD_PAGES.get(kind)
        if key is None or key not in self.views:
            log.warning("no page shows records of kind %r (id %s)", kind, record_id)
            return
        self.show_view(key)
        view = self.views[key]
        select = getattr(view, f"select_{kind}", None) or getattr(view, "select_record", None)
        if callable(select):
            select(record_id)
        elif kind == "project":
            self._find_project(view, record_id)

    def _find_project(self, view: View, project_id: int) -> None:
        """Fallback for a projects page without ``select_project``: search its folio, select the row."""
        from tresxuno.services.projects import get_project

        search, apply, table = (getattr(view, n, None) for n in ("search", "apply_filters", "table"))
        if search is None or not callable(apply):
            return
        try:
            folio = get_project(self.db, project_id).folio
        except Exception as exc:  # an unknown id or a locked database: say so, stay on the page
            show_error(self, exc)
            return
        search.setText(folio)
        apply()
        if table is not None:
            table.selectRow(0)
            table.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- office ----------------------------------------------------------------------------------

    def office_name(self) -> str:
        """The office's name as stored (or given), "" when not set up or unreadable."""
        if self._office_override:
            return self._office_override
        from tresxuno.services.office import office_settings

        try:
            return office_settings(self.db).name
        except StorageError as exc:
            log.warning("office settings unreadable: %s", exc)
            return ""

    def update_title(self) -> None:
        """``tresxuno — <office name>``, or the database's name until the office is set up."""
        self.setWindowTitle(f"tresxuno — {self.office_name() or database_name(self.db)}")

    def first_run_if_needed(self) -> None:
        """Ask for the office's settings (and offer demo data) when the database has none yet."""
        from tresxuno.services.office import office_settings
        from tresxuno.ui.dialogs.first_run import FirstRunDialog

        try:
            if office_settings(self.db).is_set:
                return
        except StorageError as exc:
            show_error(self, exc)
            return
        if FirstRunDialog.ask(self, self.db) is not None:
            self.update_title()
            for view in self.views.built().values():
                view.refresh()  # example data may have arrived

    # -- menus and tool bar ----------------------------------------------------------------------

    def _action(
        self,
        name: str,
        text: str,
        slot: Callable[[], object],
        *,
        shortcut: QKeySequence | None = None,
        icon: QIcon | None = None,
        icon_text: str = "",
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if icon is not None:
            action.setIcon(icon)
        if shortcut is not None:
            action.setShortcut(shortcut)
        if icon_text:
            action.setIconText(icon_text)
        plain = text.replace("&", "").rstrip("…").rstrip(".")
        tooltip = tip or plain
        if shortcut is not None and not shortcut.isEmpty():
            tooltip += f" ({shortcut.toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tooltip)
        action.setStatusTip(tip or plain)
        action.triggered.connect(lambda _checked=False: slot())
        self.actions_by_name[name] = action
        return action

    def _icon(self, theme: str, fallback: QStyle.StandardPixmap | None) -> QIcon:
        icon = QIcon.fromTheme(theme)
        if icon.isNull():
            icon = self.style().standardIcon(fallback) if fallback is not None else _printer_icon()
        return icon

    def _build_chrome(self) -> None:
        """Menus, tool bar and the texts around the pages, in the current language."""
        for action in self.actions_by_name.values():
            action.deleteLater()
        for action in self._page_actions:
            action.deleteLater()
        self.actions_by_name = {}
        self._page_actions = []
        self.setMenuBar(QMenuBar(self))  # the old bar and its menus are deleted by Qt
        self._build_menus()
        self._build_tool_bar()
        self.nav.setAccessibleName(_("Sections"))
        self.location_label.setAccessibleName(_("Database location"))
        self._show_location()
        self._update_undo_actions()

    def _build_menus(self) -> None:
        pixmap = QStyle.StandardPixmap
        menus = self.menuBar()
        file_menu = menus.addMenu(_("&File"))
        file_menu.addAction(
            self._action(
                "new",
                _("&New…"),
                self.new_record,
                shortcut=QKeySequence(QKeySequence.StandardKey.New),
                icon=self._icon("document-new", pixmap.SP_FileIcon),
                icon_text=_("New"),
                tip=_("A new record on the page shown: a project, a club, a session…"),
            )
        )
        importer = self._action(
            "import",
            _("&Import…"),
            self.import_data,
            icon=self._icon("document-import", pixmap.SP_DialogOpenButton),
            icon_text=_("Import"),
            tip=_("Import clubs or projects from a spreadsheet"),
        )
        file_menu.addAction(importer)
        file_menu.addAction(
            self._action(
                "print",
                _("&Print…"),
                self.print_current,
                shortcut=QKeySequence(QKeySequence.StandardKey.Print),
                icon=self._icon("document-print", None),
                icon_text=_("Print"),
                tip=_("Print what the page shows"),
            )
        )
        file_menu.addSeparator()
        file_menu.addAction(
            self._action(
                "backup", _("&Backup now…"), self.backup_now, tip=_("Copy the database to a backup file")
            )
        )
        file_menu.addAction(
            self._action(
                "restore",
                _("&Restore…"),
                self.restore_backup,
                tip=_("Replace the database with a backup (a copy is kept)"),
            )
        )
        file_menu.addSeparator()
        preferences = self._action(
            "preferences",
            _("P&references…"),
            self.show_preferences,
            icon=self._icon("preferences-system", pixmap.SP_FileDialogInfoView),
            tip=_("Language and the office's name, municipality and logo"),
        )
        preferences.setMenuRole(QAction.MenuRole.PreferencesRole)
        file_menu.addAction(preferences)
        file_menu.addAction(
            self._action(
                "switch_user",
                _("Sign &out / switch user…"),
                self.switch_user,
                tip=_("Sign out and let another officer sign in"),
            )
        )
        file_menu.addSeparator()
        quit_action = self._action("quit", _("&Quit"), self.close, shortcut=QKeySequence("Ctrl+Q"))
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu.addAction(quit_action)

        edit_menu = menus.addMenu(_("&Edit"))
        undo = self._action(
            "undo",
            _("&Undo"),
            self.undo,
            shortcut=QKeySequence(QKeySequence.StandardKey.Undo),
            icon=self._icon("edit-undo", pixmap.SP_ArrowBack),
            icon_text=_("Undo"),
        )
        redo = self._action(
            "redo",
            _("&Redo"),
            self.redo,
            shortcut=QKeySequence("Ctrl+Shift+Z"),
            icon=self._icon("edit-redo", pixmap.SP_ArrowForward),
            icon_text=_("Redo"),
        )
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)

        self._view_menu = menus.addMenu(_("&View"))
        self._view_separator = self._view_menu.addSeparator()
        self._view_menu.addAction(
            self._action(
                "find",
                _("&Search"),
                self.focus_search,
                shortcut=QKeySequence(QKeySequence.StandardKey.Find),
                icon=self._icon("edit-find", pixmap.SP_FileDialogContentsView),
                icon_text=_("Search"),
                tip=_("Go to the search box of the page shown"),
            )
        )
        self._view_menu.addAction(
            self._action(
                "refresh",
                _("&Refresh"),
                self.refresh,
                shortcut=QKeySequence(Qt.Key.Key_F5),
                icon=self._icon("view-refresh", pixmap.SP_BrowserReload),
                icon_text=_("Refresh"),
                tip=_("Read the data again: other computers may have changed it"),
            )
        )
        for number, key in enumerate(self.views, start=1):
            self._add_page_action(self.views.page_class(key), number)

        admin_menu = menus.addMenu(_("&Administration"))
        admin_menu.addAction(
            self._action(
                "users",
                _("&Users…"),
                self.show_users,
                tip=_("Add users, change roles, reset passwords, deactivate"),
            )
        )

        tools_menu = menus.addMenu(_("&Tools"))
        tools_menu.addAction(
            self._action(
                "audit_trail",
                _("&Audit trail…"),
                self.show_audit_trail,
                tip=_("Every change: who, when, before and after; verify it"),
            )
        )

        help_menu = menus.addMenu(_("&Help"))
        help_menu.addAction(
            self._action(
                "manual",
                _("&Manual"),
                self.show_manual,
                shortcut=QKeySequence(QKeySequence.StandardKey.HelpContents),
                tip=_("The user manual, at the page of the view shown"),
            )
        )
        about = self._action("about", _("&About tresxuno"), self.show_about)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addAction(about)
        if not self._import_available():
            importer.setEnabled(False)
            importer.setToolTip(_("Importing is not available in this version"))
        else:
            gate(importer, self.db, "data.import")
        gate(self.actions_by_name["users"], self.db, "users.manage")
        gate(self.actions_by_name["backup"], self.db, "data.backup")
        gate(self.actions_by_name["restore"], self.db, "data.restore")
        self.user_label.setText(signed_in_text(self.db))
        self._update_page_commands()

    def _build_tool_bar(self) -> None:
        if self.tool_bar is not None:
            self.removeToolBar(self.tool_bar)
            # Unnamed at once: restoreState() finds tool bars by name, and would put this one back
            # beside the new bar before deleteLater() runs.
            self.tool_bar.setObjectName("")
            self.tool_bar.deleteLater()
        bar = QToolBar(_("Main tool bar"), self)
        bar.setObjectName("main_tool_bar")  # saveState()/restoreState() find it by name
        bar.setAccessibleName(_("Main tool bar"))
        bar.setMovable(False)
        bar.setIconSize(QSize(20, 20))
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for name in ("new", "import", "print", None, "undo", "redo", None, "refresh"):
            if name is None:
                bar.addSeparator()
                continue
            action = self.actions_by_name[name]
            bar.addAction(action)
            button = bar.widgetForAction(action)
            if button is not None:
                button.setAccessibleName(action.iconText().replace("&", ""))
                button.setAccessibleDescription(action.toolTip())
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.tool_bar = bar
        self._view_menu.insertAction(self._view_separator, bar.toggleViewAction())
        bar.toggleViewAction().setText(_("&Tool bar"))

    def undo(self) -> None:
        """Edit > Undo (Ctrl+Z): take back the last edit, then the pages shown re-read what it changed."""
        undo_stack().undo()
        self._after_undo_step()

    def redo(self) -> None:
        """Edit > Redo (Ctrl+Shift+Z): make the undone edit again."""
        undo_stack().redo()
        self._after_undo_step()

    def _after_undo_step(self) -> None:
        for view in self.views.built().values():
            view.refresh()

    def _update_undo_actions(self, *_args: object) -> None:
        """Undo/Redo say what they undo ("Deshacer: editar club X"), enabled only when there is something.

        On the Libro, a disabled Undo says why ledger entries have none: the ledger is append-only.
        """
        stack = undo_stack()
        for name, can, what, plain, template in (
            ("undo", stack.canUndo(), stack.undoText(), _("&Undo"), _("&Undo: {what}")),
            ("redo", stack.canRedo(), stack.redoText(), _("&Redo"), _("&Redo: {what}")),
        ):
            action = self.actions_by_name.get(name)
            if action is None:
                continue
            action.setEnabled(can)
            text = template.format(what=what) if can and what else plain
            action.setText(text)
            shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{text.replace('&', '')} ({shortcut})")
            view = self.current_view()
            if name == "undo" and not can and view is not None and view.key == "ledger":
                action.setToolTip(ledger_no_undo_tip())

    def _import_available(self) -> bool:
        return _import_optional(*IMPORT_DIALOG) is not None

    def import_data(self) -> None:
        """File > Import: the import dialog (clubs, projects from a spreadsheet), then every page re-reads."""
        dialog = _import_optional(*IMPORT_DIALOG)
        ask = getattr(dialog, "ask", None)
        if not callable(ask):
            return
        if ask(self, self.db) is not None:
            for view in self.views.built().values():
                view.refresh()

    def show_audit_trail(self) -> None:
        """The read-only audit trail (Bitácora), with its integrity check."""
        from tresxuno.ui.dialogs.audit import AuditLogDialog

        AuditLogDialog.ask(self, self.db)

    def show_users(self) -> None:
        """Administración > Usuarios (administrador only; the services check it too)."""
        from tresxuno.ui.dialogs.users import UsersDialog

        UsersDialog.ask(self, self.db)

    def switch_user(self) -> None:
        """Sign out, then ask who signs in; leaving the sign-in closes the window."""
        from tresxuno.ui.dialogs.login import LoginDialog

        if not has_users(self.db):
            return  # nobody to switch to: the office works without users
        previous = current_actor()
        set_actor(None)
        actor = LoginDialog.ask(self, self.db, "")
        if actor is None:
            set_actor(previous)  # so the layout is saved as before, then the window closes
            self.close()
            return
        self.rebuild()  # every page and button again, for the new role

    def show_manual(self) -> None:
        """Help > Manual (F1): the manual's page for the view shown."""
        from tresxuno.ui.dialogs.manual import ManualWindow

        view = self.current_view()
        ManualWindow.open_for(self, view.key if view is not None else None)

    def show_about(self) -> None:
        """Help > About: version, licence, data sources and the database in use."""
        from tresxuno.ui.dialogs.about import show_about

        show_about(self, database_location(self.db), self.office_name())

    def backup_now(self) -> None:
        """File > Backup now…: a copy of the database, made off the GUI thread."""
        from tresxuno.ui.backup_actions import backup_now

        backup_now(self)

    def restore_backup(self) -> None:
        """File > Restore…: replace the database with a checked backup, after confirmation."""
        from tresxuno.ui.backup_actions import restore_backup

        restore_backup(self)

    def after_restore(self) -> None:
        """The database's content was replaced: every page reads it again."""
        self.update_title()
        for view in self.views.values():
            view.refresh()

    # -- preferences and language ----------------------------------------------------------------

    def show_preferences(self) -> None:
        """The Preferences dialog; a new language applies at once, without restarting."""
        from tresxuno.ui.dialogs.preferences import PreferencesDialog

        result = PreferencesDialog.ask(self, self.db, self.settings)
        if result is None:
            return
        self.update_title()
        if result.language != language():
            self.switch_language(result.language)

    def switch_language(self, lang: str) -> None:
        """Switch the interface to ``lang`` now: our strings, Qt's, and every page, menu and label.

        Pages are rebuilt rather than retranslated in place (each would need its own retranslate
        code, and one forgotten label would stay in the old language): the page shown, each page's
        search and filters and its remembered layout are kept. The undo history is cleared, since
        its steps may point at the widgets being replaced.
        """
        from tresxuno.ui.app import apply_language

        app = QApplication.instance()
        if app is not None:
            lang, _translator = apply_language(app, lang)
        self.settings.language = lang
        self.rebuild()
        self.language_changed.emit(lang)

    def rebuild(self) -> None:
        """Recreate every page, the menus and the tool bar in the current language."""
        current = self.current_view()
        current_key = current.key if current is not None else ""
        built = self.views.built()
        # Pages not built yet have nothing to keep; the others get their filters back when rebuilt.
        self._pending_states = {key: view.view_state() for key, view in built.items()}
        for view in built.values():
            view.save_layout(self.settings)
        window_state = self.saveState()  # the tool bar shown or hidden, as the officer left it
        undo_stack().clear()

        self.nav.blockSignals(True)
        self.nav.clear()
        self.nav.blockSignals(False)
        for view in built.values():
            self.stack.removeWidget(view)
            view.hide()
            view.deleteLater()
        self.views = Pages(self._build_page)
        self._build_chrome()
        self._build_pages()
        self.restoreState(window_state)
        self.show_view(current_key or self._first_key())
        view = self.current_view()
        if view is not None:
            self.status_label.setText(view.status_text())
        self.update_title()

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

    def _first_key(self) -> str:
        return next(iter(self.views), "")

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
