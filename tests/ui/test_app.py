"""Starting the application: exit status, language, database choice, and failure to open."""

from __future__ import annotations

import logging
import sys

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from tresxuno.domain.problems import StorageError
from tresxuno.i18n import language
from tresxuno.messages import describe_storage
from tresxuno.ui import app as app_module
from tresxuno.ui import prompts as ui_prompts
from tresxuno.ui.app import QUIT_AFTER_ENV, qt_translator, quit_after_ms, run_gui
from tresxuno.ui.settings import Settings

from .conftest import OFFSCREEN_SIZE_HINTS

pytestmark = OFFSCREEN_SIZE_HINTS


@pytest.fixture(autouse=True)
def _restore_qt_locale():
    """run_gui sets Qt's default locale for the process; later tests expect it untouched."""
    before = QLocale()
    yield
    QLocale.setDefault(before)


@pytest.fixture
def quit_soon(monkeypatch):
    monkeypatch.setenv(QUIT_AFTER_ENV, "300")


def test_run_gui_shows_the_window_and_returns_0(qapp, quit_soon, small_db):
    hook = sys.excepthook
    assert run_gui(db_url=str(small_db.path), lang=None) == 0
    assert QApplication.applicationName() == "tresxuno"
    assert QApplication.organizationName() == "tresxuno"
    assert language() == "es"
    assert sys.excepthook is hook  # the GUI's hook does not outlive the GUI
    assert Settings().last_view == "home"  # a first start opens on Inicio; closing remembers it


def test_language_comes_from_the_argument_then_the_settings(qapp, quit_soon, small_db):
    assert run_gui(db_url=str(small_db.path), lang="en") == 0
    assert language() == "en"
    assert QLocale().name() == "en_US"

    Settings().language = "en"
    assert run_gui(db_url=str(small_db.path), lang=None) == 0
    assert language() == "en"
    assert run_gui(db_url=str(small_db.path), lang="es") == 0
    assert language() == "es"
    assert QLocale().name() == "es_MX"


def test_the_database_comes_from_the_argument_then_the_settings(
    qapp, quit_soon, small_db, tmp_path, monkeypatch
):
    opened = []
    real_open = app_module.open_database
    monkeypatch.setattr(app_module, "open_database", lambda url: opened.append(url) or real_open(url))
    elsewhere = str(tmp_path / "elsewhere.sqlite")
    Settings().database_url = str(small_db.path)
    assert run_gui(db_url=None, lang=None) == 0
    assert run_gui(db_url=elsewhere, lang=None) == 0
    assert opened == [str(small_db.path), elsewhere]


def test_a_database_that_cannot_be_opened_is_explained_and_exits_1(qapp, tmp_path, prompts):
    not_a_db = tmp_path / "notes.sqlite"
    not_a_db.write_bytes(b"these are not the droids you are looking for" * 100)
    assert run_gui(db_url=str(not_a_db), lang=None) == 1
    [(icon, _title, text, _details)] = prompts.messages
    assert icon == ui_prompts.Icon.Critical
    assert text == describe_storage(StorageError("db.not_a_database", path=str(not_a_db)))


def test_quit_after_also_closes_an_error_box(qapp, tmp_path, monkeypatch, quit_soon, prompts):
    """The bundle smoke test must end even when the app can only show an error."""
    monkeypatch.setattr(ui_prompts, "message", prompts.real_message)
    not_a_db = tmp_path / "notes.sqlite"
    not_a_db.write_bytes(b"not a database " * 500)
    assert run_gui(db_url=str(not_a_db), lang=None) == 1


def test_quit_after_reads_whole_milliseconds(monkeypatch, caplog):
    monkeypatch.delenv(QUIT_AFTER_ENV, raising=False)
    assert quit_after_ms() is None
    monkeypatch.setenv(QUIT_AFTER_ENV, "250")
    assert quit_after_ms() == 250
    monkeypatch.setenv(QUIT_AFTER_ENV, "soon")
    with caplog.at_level(logging.WARNING, logger="tresxuno"):
        assert quit_after_ms() is None
    assert "soon" in caplog.text


def test_qt_translations_are_found_for_spanish():
    translator = qt_translator("es")
    assert translator is not None and not translator.isEmpty()
