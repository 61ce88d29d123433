"""Start the desktop application: language, Qt translations, error handling, database, main window, first run.

``TRESXUNO_QUIT_AFTER_MS`` (milliseconds) closes every window (an error box too) and leaves the event
loop after that long: smoke tests and the bundle check start the real app with it.
"""

from __future__ import annotations

import logging
import os
import sys

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication

import tresxuno
from tresxuno import paths
from tresxuno.domain.actor import set_actor
from tresxuno.domain.problems import InputError, StorageError
from tresxuno.i18n import set_language
from tresxuno.messages import describe_storage
from tresxuno.services.store import Database, open_database
from tresxuno.ui import screen_fit
from tresxuno.ui.app_icon import app_icon
from tresxuno.ui.errors import install_excepthook, install_log_file, remove_log_file, show_error
from tresxuno.ui.main_window import MainWindow
from tresxuno.ui.settings import Settings

log = logging.getLogger("tresxuno")

#: Environment variable: quit this many milliseconds after start-up.
QUIT_AFTER_ENV = "TRESXUNO_QUIT_AFTER_MS"
#: Qt locale of each interface language: Mexican Spanish first, US English for the rest.
QT_LOCALES = {
    "es": QLocale(QLocale.Language.Spanish, QLocale.Country.Mexico),
    "en": QLocale(QLocale.Language.English, QLocale.Country.UnitedStates),
}


def application() -> QApplication:
    """The QApplication, created on first call with tresxuno's names (where QSettings and logs go)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    if not isinstance(app, QApplication):  # a QCoreApplication someone else made: no widgets possible
        raise RuntimeError("a non-GUI QCoreApplication already exists")
    app.setApplicationName("tresxuno")
    app.setOrganizationName("tresxuno")
    app.setApplicationVersion(tresxuno.__version__)
    app.setDesktopFileName("tresxuno")  # Wayland and task bars match the window to tresxuno.desktop
    app.setWindowIcon(app_icon())  # every window, and QMessageBox.about, show it
    screen_fit.install(app)  # no dialog opens larger than a laptop's screen, its buttons off it
    return app


def qt_translator(lang: str) -> QTranslator | None:
    """Qt's own translation (``qtbase_<lang>.qm``: OK/Cancel, context menus...), when shipped."""
    translator = QTranslator()
    folders = [
        QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
        # A PyInstaller bundle keeps them here (Linux, Windows), whatever Qt's built-in prefix says.
        str(paths.install_root() / "PySide6" / "Qt" / "translations"),
        str(paths.install_root() / "PySide6" / "translations"),
    ]
    for folder in folders:
        if translator.load(f"qtbase_{lang}", folder):
            return translator
    return None


#: The Qt translator installed by :func:`apply_language`, replaced when the language changes.
_installed_translator: QTranslator | None = None


def apply_language(app: QCoreApplication, requested: str | None) -> tuple[str, QTranslator | None]:
    """Switch our strings, Qt's strings and number/date formats to ``requested`` (Spanish when None).

    Callable again while the app runs (Preferences): the previous Qt translator is removed first, so
    switching back and forth never stacks translators. Widgets already built keep their texts; the
    main window rebuilds its pages and menus after calling this.

    Returns:
        The language used, and the installed Qt translator (to remove on exit), if any.
    """
    global _installed_translator
    lang = set_language(requested)
    QLocale.setDefault(QT_LOCALES.get(lang, QT_LOCALES["es"]))
    remove_language(app)
    translator = qt_translator(lang) if lang != "en" else None  # Qt's own strings are English already
    if translator is not None:
        app.installTranslator(translator)
        _installed_translator = translator
    if lang != "en":
        _install_gaps(app)
    return lang, translator


def remove_language(app: QCoreApplication) -> None:
    """Remove the Qt translator :func:`apply_language` installed, if any (on exit, and before a switch)."""
    global _installed_translator, _installed_gaps
    if _installed_translator is not None:
        app.removeTranslator(_installed_translator)
        _installed_translator = None
    if _installed_gaps is not None:
        app.removeTranslator(_installed_gaps)
        _installed_gaps = None


#: The translator of the Qt strings Qt's own file leaves untranslated (see :mod:`tresxuno.ui.qt_gaps`).
_installed_gaps: QTranslator | None = None


def _install_gaps(app: QCoreApplication) -> None:
    """Install :class:`~tresxuno.ui.qt_gaps.QtGaps` last, so Qt asks it first."""
    global _installed_gaps
    from tresxuno.ui.qt_gaps import QtGaps

    _installed_gaps = QtGaps(app)
    app.installTranslator(_installed_gaps)


def quit_after_ms() -> int | None:
    """The delay asked for in ``TRESXUNO_QUIT_AFTER_MS``, or None (unset or not a whole number)."""
    value = os.environ.get(QUIT_AFTER_ENV, "").strip()
    if not value:
        return None
    try:
        return max(0, int(value))
    except ValueError:
        log.warning("%s=%r is not a whole number of milliseconds; ignored", QUIT_AFTER_ENV, value)
        return None


def _run_window(
    app: QApplication, settings: Settings, target: str | None, user: str | None
) -> tuple[int, str | None]:
    """Open ``target``, sign in and run the main window until it closes.

    Returns:
        The exit status, and the database to open next when the officer chose another one in
        Preferences (None: the application ends).
    """
    try:
        db = open_database(target)
    except StorageError as exc:
        # Also on the terminal, in the command line's format: a smoke test's log shows why.
        sys.stderr.write(f"tresxuno: {describe_storage(exc)}\n")
        show_error(None, exc)
        return 1, None
    try:
        if not sign_in_at_start(db, user):
            return 0, None  # the officer closed the sign-in: nothing opened, nothing to save
        window = MainWindow(db, settings)
        window.show()
        _warn_about_location(window, db)
        # Inside the event loop, over the shown window: a quit timer (smoke tests) closes it too.
        QTimer.singleShot(0, window, window.first_run_if_needed)
        status = app.exec()
        window.close()
        reopen = window.reopen_with
        # Delete it now, not at some later event loop's turn: a host that goes on running (the
        # test suite) would otherwise see it vanish under its own windows and lose their focus.
        window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        # Closing the last window also posted an automatic Quit event; left queued, it would
        # close whatever windows the host opens next.
        QCoreApplication.removePostedEvents(app, QEvent.Type.Quit)
        return status, reopen
    finally:
        _backup_on_close(db, settings)
        set_actor(None)  # a host that goes on running (the test suite) must not keep acting as them
        db.dispose()


def _start_quit_timer(app: QApplication) -> QTimer | None:
    """Honour ``TRESXUNO_QUIT_AFTER_MS``: close every window as an officer would (layout saved), then quit."""
    delay = quit_after_ms()
    if delay is None:
        return None
    timer = QTimer(app)
    timer.setSingleShot(True)
    timer.timeout.connect(app.closeAllWindows)
    timer.timeout.connect(app.quit)
    timer.start(delay)
    return timer


#: Environment variable: the password that signs ``--user`` (or ``TRESXUNO_USER``) in without the dialog.
PASSWORD_ENV = "TRESXUNO_PASSWORD"


def sign_in_at_start(db: Database, user: str | None = None) -> bool:
    """Ask who signs in when the database has users; False when the officer leaves the sign-in.

    ``user`` (``--user``) or ``TRESXUNO_USER`` with ``TRESXUNO_PASSWORD`` sign in without the dialog
    (smoke tests and scripts); a refusal then shows the dialog with that name filled in.
    """
    from tresxuno.services.auth import has_users
    from tresxuno.services.users import authenticate
    from tresxuno.ui.dialogs.login import LoginDialog

    if not has_users(db):
        return True  # bootstrap: a one-person office works without signing in
    name = user or os.environ.get("TRESXUNO_USER") or ""
    password = os.environ.get(PASSWORD_ENV)
    if name and password is not None:
        try:
            set_actor(authenticate(db, name, password))
            return True
        except InputError:
            log.warning("signing %s in from the environment failed; asking", name)
    return LoginDialog.ask(None, db, name) is not None


def _warn_about_location(window: MainWindow, db: Database) -> None:
    """Once at open: say so in the status bar when the database sits in a synchronised folder or a share."""
    from tresxuno.services.backups import risk_warning

    warning = risk_warning(db.path)
    if warning:
        log.warning("%s", warning)
        window.statusBar().showMessage(warning)


def _backup_on_close(db: Database, settings: Settings) -> None:
    """A dated backup of an SQLite database as the app closes; failing to make one never blocks closing."""
    from tresxuno.services.backups import automatic_backup

    try:
        copy = automatic_backup(db, keep=settings.backups_keep)
    except StorageError as exc:
        log.error("No backup on close: %s", describe_storage(exc))
        return
    if copy is not None:
        log.info("Backed up the database to %s", copy)


def run_gui(db_url: str | None = None, lang: str | None = None, user: str | None = None) -> int:
    """Open the desktop application and run it until the window closes.

    Args:
        db_url: the database (URL or SQLite path) from ``--db`` or ``TRESXUNO_DB``; when None, the
            one stored in the settings, else the default file in the user's data folder.
        lang: ``"es"`` or ``"en"`` from ``--lang``; when None, ``TRESXUNO_LANG``, then the
            settings, then Spanish.
        user: ``--user``: the name the sign-in starts with (see :func:`sign_in_at_start`).

    Returns:
        The exit status: the event loop's (0), or 1 when the database cannot be opened.
    """
    app = application()
    settings = Settings()
    apply_language(app, lang or os.environ.get("TRESXUNO_LANG") or settings.language)
    handler = install_log_file()
    previous_hook = install_excepthook()
    # Started before the database opens, so an error box shown instead of the window is closed too
    # (a smoke test must end, not wait for someone to press OK).
    quit_timer = _start_quit_timer(app)
    try:
        target = db_url or settings.database_url
        while True:
            status, target = _run_window(app, settings, target, user)
            if target is None:
                return status
            user = None  # another database: whoever signs in there
    finally:
        if quit_timer is not None:
            quit_timer.stop()
            quit_timer.deleteLater()
        sys.excepthook = previous_hook
        remove_log_file(handler)
        remove_language(app)  # the one installed now: Preferences may have switched it
