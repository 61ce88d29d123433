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

    ``TRESXUNO_DATA_DIR`` overrides it (tests point it at a temporary folder).
    """
    override = os.environ.get("TRESXUNO_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path("tresxuno", appauthor=False)


def user_rules_dir() -> Path:
    """Rule sets an administrator adds or supersedes; read after the shipped ones."""
    return user_data_dir() / "rules"


def default_database_path() -> Path:
    """The SQLite file used when no ``--db``, ``TRESXUNO_DB`` or setting names another."""
    return user_data_dir() / "tresxuno.sqlite"


def manual_dir() -> Path:
    """The user manual's Markdown pages, one folder per language (``docs/manual/es``, ``docs/manual/en``)."""
    return install_root() / "docs" / "manual"
