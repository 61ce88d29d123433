"""Where tresxuno's shipped data (seeds, resources) and the user's data live."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def install_root() -> Path:
    """The folder holding ``seeds/`` and ``resources/``: the source checkout or a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def seeds_dir() -> Path:
    """Shipped catalogues and rule sets."""
    return install_root() / "seeds"


def resources_dir() -> Path:
    """Shipped icons, fonts, styles and translations."""
    return install_root() / "resources"


def user_data_dir() -> Path:
    """The user's data folder (database, attachments, backups, administrator rule sets).

    ``TRESXUNO_DATA_DIR`` overrides it (tests point it at a temporary folder); otherwise the folder
    chosen in Preferences (see :func:`data_location_file`), else the platform's default.
    """
    override = os.environ.get("TRESXUNO_DATA_DIR")
    if override:
        return Path(override)
    chosen = chosen_data_dir()
    return chosen if chosen is not None else default_data_dir()


def default_data_dir() -> Path:
    """The platform's data folder for tresxuno (``~/.local/share/tresxuno``; LOCALAPPDATA on Windows)."""
    from platformdirs import user_data_path

    return user_data_path("tresxuno", appauthor=False)


def data_location_file() -> Path:
    """A one-line text file naming the data folder chosen in Preferences.

    Kept beside the settings file rather than in QSettings because the services (attachments, backups)
    need it too, and they never import Qt.
    """
    from platformdirs import user_config_path

    return user_config_path("tresxuno", appauthor=False) / "data-folder.txt"


def office_key_file() -> Path:
    """The office key that seals the audit trail (HMAC), kept outside the database on purpose.

    In the config folder, not the data folder: a copy of the data (a backup, the database file
    taken away) does not carry the key, so whoever holds only the file cannot re-seal an edit.
    """
    from platformdirs import user_config_path

    return user_config_path("tresxuno", appauthor=False) / "office-key"


def chosen_data_dir() -> Path | None:
    """The data folder chosen in Preferences, or None when the default is used."""
    try:
        text = data_location_file().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return Path(text) if text else None


def backups_dir() -> Path:
    """Automatic backups (on close, before a migration, before a restore)."""
    return user_data_dir() / "backups"


def user_rules_dir() -> Path:
    """Rule sets an administrator adds or supersedes; read after the shipped ones."""
    return user_data_dir() / "rules"


def default_database_path() -> Path:
    """The SQLite file used when no ``--db``, ``TRESXUNO_DB`` or setting names another."""
    return user_data_dir() / "tresxuno.sqlite"


def manual_dir() -> Path:
    """The user manual's Markdown pages, one folder per language (``docs/manual/es``, ``docs/manual/en``)."""
    return install_root() / "docs" / "manual"
