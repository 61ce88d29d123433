"""The main window's commands that open a dialog or act on the database: import, backup, users, language.

Also the window's title (the office's name) and the first-run questions.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from tresxuno.domain.actor import current_actor, set_actor
from tresxuno.domain.problems import StorageError
from tresxuno.i18n import language
from tresxuno.services.auth import has_users
from tresxuno.services.store import Database
from tresxuno.ui.dialogs.importer import ImportDialog
from tresxuno.ui.errors import show_error
from tresxuno.ui.undo import undo_stack
from tresxuno.ui.window_pages import Pages

if TYPE_CHECKING:
    from tresxuno.ui.settings import Settings
    from tresxuno.ui.views.base import ViewState

log = logging.getLogger("tresxuno")


def database_name(db: Database) -> str:
    """A short name for ``db``: the SQLite file's name, or the server database's name."""
    if db.path is not None:
        return db.path.name
    return db.engine.url.database or db.url


def database_location(db: Database) -> str:
    """Where ``db`` is: the SQLite file's full path, or the URL with any password hidden."""
    return str(db.path) if db.path is not None else db.url


class WindowCommands:
    """What :class:`MainWindow` does beyond showing pages: File, Administration, Tools and Help commands."""

    db: Database
    settings: Settings
    views: Pages
    _office_override: str | None
    _pending_states: dict[str, ViewState]

    def import_data(self) -> None:
        """File > Import: the import dialog (clubs, projects from a spreadsheet), then every page re-reads."""
        if ImportDialog.ask(self, self.db) is not None:
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

    def show_offices(self) -> None:
        """Administración > Oficinas (administrator of the whole database; the services check it too)."""
        from tresxuno.ui.dialogs.offices import OfficesDialog

        OfficesDialog.ask(self, self.db)

    def send_changes(self) -> None:
        """Administración > Enviar cambios a la oficina estatal: the signed package, off the GUI thread."""
        from tresxuno.ui.consolidation_actions import send_changes

        send_changes(self)

    def import_office_package(self) -> None:
        """Administración > Importar el paquete de una oficina (state office; conflicts shown before deciding)."""
        from tresxuno.ui.consolidation_actions import import_office_package

        import_office_package(self)

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
        if result.reopen is not None:
            # The event loop ends; the application opens the chosen database and asks to sign in.
            self.reopen_with = result.reopen
            self.close()
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
