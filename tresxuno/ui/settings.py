"""The user's desktop preferences (language, database, window layout) as one typed object over QSettings.

Office-wide settings (office name, logo) live in the database instead, so every workstation sharing
a database agrees; this file only holds what belongs to one person on one computer.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

#: Keys in the ini file; kept in one place so a rename cannot silently orphan a stored value.
_LANGUAGE = "ui/language"
_DATABASE_URL = "database/url"
_GEOMETRY = "window/geometry"
_STATE = "window/state"
_LAST_VIEW = "window/last_view"
_TABLES = "tables"
_BACKUPS_KEEP = "backups/keep"


def settings_path() -> Path:
    """Where the ini file lives: ``$XDG_CONFIG_HOME/tresxuno/tresxuno.ini`` (or the platform's config folder).

    Computed on every call rather than left to QSettings, because QSettings caches its default
    folders for the life of the process, and the test suite points ``XDG_CONFIG_HOME`` at a fresh
    folder for each test.
    """
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    if not base:
        base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericConfigLocation)
    return Path(base) / "tresxuno" / "tresxuno.ini"


class Settings:
    """Typed access to the per-user preferences; every write is flushed to disk at once.

    Flushing each write keeps the file right even when the process is killed (a frozen Windows
    desktop at closing time is common in municipal offices); there are only a handful of writes.
    """

    def __init__(self, path: Path | None = None):
        self.path = path or settings_path()
        self._qs = QSettings(str(self.path), QSettings.Format.IniFormat)

    # -- helpers ---------------------------------------------------------------------------------

    def _text(self, key: str) -> str | None:
        value = self._qs.value(key)
        return value if isinstance(value, str) and value.strip() else None

    def _set_text(self, key: str, value: str | None) -> None:
        if value is None or not value.strip():
            self._qs.remove(key)
        else:
            self._qs.setValue(key, value)
        self._qs.sync()

    def _bytes(self, key: str) -> bytes:
        value = self._qs.value(key)
        if isinstance(value, QByteArray):
            return bytes(value.data())
        if isinstance(value, bytes):
            return value
        return b""

    def _set_bytes(self, key: str, value: bytes) -> None:
        self._qs.setValue(key, QByteArray(value))
        self._qs.sync()

    # -- preferences -----------------------------------------------------------------------------

    @property
    def language(self) -> str | None:
        """The chosen interface language (``"es"`` or ``"en"``), or None when never chosen."""
        return self._text(_LANGUAGE)

    @language.setter
    def language(self, value: str | None) -> None:
        self._set_text(_LANGUAGE, value)

    @property
    def database_url(self) -> str | None:
        """The database last chosen in the app (URL or SQLite path), or None for the default file."""
        return self._text(_DATABASE_URL)

    @database_url.setter
    def database_url(self, value: str | None) -> None:
        self._set_text(_DATABASE_URL, value)

    @property
    def window_geometry(self) -> bytes:
        """``QWidget.saveGeometry()`` of the main window; empty when never saved."""
        return self._bytes(_GEOMETRY)

    @window_geometry.setter
    def window_geometry(self, value: bytes) -> None:
        self._set_bytes(_GEOMETRY, value)

    @property
    def window_state(self) -> bytes:
        """``QMainWindow.saveState()`` (tool bars, docks); empty when never saved."""
        return self._bytes(_STATE)

    @window_state.setter
    def window_state(self, value: bytes) -> None:
        self._set_bytes(_STATE, value)

    @property
    def last_view(self) -> str:
        """Key of the view shown when the window was last closed (``"projects"``); empty when none."""
        return self._text(_LAST_VIEW) or ""

    @last_view.setter
    def last_view(self, value: str) -> None:
        self._set_text(_LAST_VIEW, value)

    @property
    def backups_keep(self) -> int:
        """How many automatic backups of the database to keep (default 10, at least 1)."""
        from tresxuno.services.backups import DEFAULT_KEEP

        try:
            value = int(self._text(_BACKUPS_KEEP) or DEFAULT_KEEP)
        except ValueError:
            value = DEFAULT_KEEP
        return max(1, value)

    @backups_keep.setter
    def backups_keep(self, value: int) -> None:
        self._set_text(_BACKUPS_KEEP, str(max(1, int(value))))

    def table_state(self, name: str) -> bytes:
        """``QHeaderView.saveState()`` of the table ``name`` (columns shown, widths, order); empty if none."""
        return self._bytes(f"{_TABLES}/{name}")

    def set_table_state(self, name: str, state: bytes) -> None:
        """Remember the header state of the table ``name``."""
        self._set_bytes(f"{_TABLES}/{name}", state)
