"""The main window's menus, tool bar and their actions, rebuilt in the current language.

Also Undo and Redo, whose texts say what they undo, and New and Print, which follow the page shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QColor, QGuiApplication, QIcon, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import QMenuBar, QStyle, QToolBar

from tresxuno.i18n import _
from tresxuno.ui.permissions import OWN_TIP, gate, jurisdiction_tip, signed_in_text
from tresxuno.ui.undo import undo_stack

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel, QListWidget, QMenu

    from tresxuno.services.store import Database
    from tresxuno.ui.window_pages import Pages


#: What File > New needs on each page (the page's "new" is greyed for other roles).
NEW_NEEDS: dict[str, str] = {
    "projects": "projects.edit",
    "clubs": "clubs.edit",
    "covam": "covam.edit",
    "ledger": "ledger.record_contribution",
}


def ledger_no_undo_tip() -> str:
    """Why Undo is disabled on the Libro: ledger entries are never edited nor deleted."""
    return _(
        "Ledger entries cannot be undone: the ledger is append-only. Correct an entry by recording "
        "its reversal."
    )


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


class WindowMenus:
    """The menus, the tool bar and the named actions of :class:`MainWindow` (``actions_by_name``)."""

    db: Database
    views: Pages
    nav: QListWidget
    location_label: QLabel
    user_label: QLabel
    tool_bar: QToolBar | None
    actions_by_name: dict[str, QAction]
    _page_actions: list[QAction]
    _view_menu: QMenu
    _view_separator: QAction

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
        admin_menu.addAction(
            self._action(
                "offices",
                _("&Offices…"),
                self.show_offices,
                tip=_("Register the offices sharing this database and the municipalities each one covers"),
            )
        )
        admin_menu.addAction(
            self._action(
                "send_changes",
                _("&Send changes to the state office…"),
                self.send_changes,
                tip=_("Write the signed package of this office's changes not sent yet"),
            )
        )
        admin_menu.addAction(
            self._action(
                "import_package",
                _("&Import an office's package…"),
                self.import_office_package,
                tip=_("Bring a municipal office's changes into this database (state office)"),
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
        gate(importer, self.db, "data.import")
        gate(self.actions_by_name["users"], self.db, "users.manage")
        gate(self.actions_by_name["offices"], self.db, "offices.manage")
        gate(self.actions_by_name["send_changes"], self.db, "consolidation.export")
        gate(self.actions_by_name["import_package"], self.db, "consolidation.import")
        gate(self.actions_by_name["backup"], self.db, "data.backup")
        gate(self.actions_by_name["restore"], self.db, "data.restore")
        self.user_label.setText(signed_in_text(self.db))
        self.user_label.setToolTip(jurisdiction_tip())
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
