"""The main window's pages: which there are, in order, and the stack that builds each on first show.

A page is built the first time it is shown, so the window opens without reading every page's data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStackedWidget, QWidget

from tresxuno.i18n import _
from tresxuno.ui.settings import Settings
from tresxuno.ui.views.base import View, ViewState
from tresxuno.ui.views.clubs import ClubsView
from tresxuno.ui.views.covam import CovamView
from tresxuno.ui.views.dashboard import DashboardView
from tresxuno.ui.views.ledger import LedgerView
from tresxuno.ui.views.projects import ProjectsView
from tresxuno.ui.views.reports import ReportsView
from tresxuno.ui.views.rules import RulesView

if TYPE_CHECKING:
    from tresxuno.services.store import Database

#: The pages, in the order of the navigation list (and Ctrl+1, Ctrl+2...).
PAGES: tuple[type[View], ...] = (
    DashboardView,
    ProjectsView,
    ClubsView,
    CovamView,
    LedgerView,
    ReportsView,
    RulesView,
)
#: Which page shows each kind of record a page can ask to open (``open_record(kind, id)``); projects
#: open in their own record window.
RECORD_PAGES = {"club": "clubs", "federation": "clubs", "session": "covam"}


def window_keys() -> tuple[QKeySequence, ...]:
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


def page_title(page: type[View]) -> str:
    """The page's translated title, from its class: pages are listed before they are built."""
    return _(page.title_msgid)


def page_icon(window: QWidget, page: type[View]) -> QIcon:
    """The page's navigation icon, from its class like :func:`page_title`."""
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

    def add(self, page: type[View]) -> None:
        """List ``page``, to be built when first asked for."""
        self._classes[page.key] = page

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


class PageStack:
    """The navigation list and the stack of pages beside it, a part of :class:`MainWindow`.

    Lists every page, builds one when it is first shown (wired to the status bar, its layout and
    filters put back), and keeps the View menu's page entries ticked for the page shown.
    """

    db: Database
    settings: Settings
    nav: QListWidget
    stack: QStackedWidget
    views: Pages
    _page_classes: tuple[type[View], ...]
    _pending_states: dict[str, ViewState]
    _page_actions: list[QAction]

    def _build_pages(self) -> None:
        """List the pages; none is built until shown (see :class:`Pages`)."""
        for cls in self._page_classes:
            self._list_page(cls)

    def _list_page(self, page: type[View]) -> None:
        self.views.add(page)
        item = QListWidgetItem(page_icon(self, page), page_title(page))
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

    def _yield_shortcuts(self, view: View) -> None:
        """Switch off a page's own window-wide shortcut on a key the window routes (Ctrl+F, F5...).

        The window's action calls the same page method; two shortcuts on one key would cancel out.
        """
        wide = (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut)
        exact = QKeySequence.SequenceMatch.ExactMatch
        keys = window_keys()
        for shortcut in view.findChildren(QShortcut):
            if shortcut.context() in wide and any(shortcut.key().matches(k) == exact for k in keys):
                shortcut.setEnabled(False)

    def _add_page_action(self, page: type[View], number: int) -> None:
        action = QAction(page_icon(self, page), page_title(page), self)
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

    def _first_key(self) -> str:
        return next(iter(self.views), "")
