"""Consolidation in the window: send the office's package, import it at the state, decide its conflicts.

The work runs off the GUI thread (:func:`tresxuno.ui.tasks.run_task`); each test waits for it with
qtbot. A municipal file (Jerez) and a state database with Jerez registered, as in
``tests/services/test_consolidation.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget
from sqlalchemy import func, select

from tests.digest import database_digest
from tests.services.test_consolidation import register_jerez
from tests.services.test_ledger import new_club, signed_project
from tests.services.test_registry_and_projects import club_input
from tests.ui.conftest import OFFSCREEN_SIZE_HINTS
from tresxuno.db.engine import Database, open_database
from tresxuno.db.models import Club, Project
from tresxuno.i18n import set_language
from tresxuno.services import clubs, consolidation, offices
from tresxuno.services.consolidation_import import Conflict, import_package
from tresxuno.ui import consolidation_actions, prompts
from tresxuno.ui.dialogs.consolidation import ConflictsDialog, ImportPackageDialog


@pytest.fixture(autouse=True)
def _english():
    set_language("en")
    yield
    set_language("es")


@pytest.fixture
def jerez(tmp_path: Path) -> Iterator[Database]:
    db = open_database(str(tmp_path / "jerez.sqlite"))
    signed_project(db, tmp_path / "scans", club_id=new_club(db).id)
    yield db
    db.dispose()


@pytest.fixture
def state(empty_db: Database) -> Database:
    return register_jerez(empty_db)


class Host(QWidget):
    """The part of the main window the actions use: its database and the running task."""

    def __init__(self, db: Database):
        super().__init__()
        self.db = db
        self.consolidation_task = None
        self.refreshed = 0

    def after_restore(self) -> None:
        self.refreshed += 1


def _send(qtbot, db: Database, path: Path, monkeypatch) -> Host:
    host = Host(db)
    qtbot.addWidget(host)
    monkeypatch.setattr(prompts, "choose_save_file", lambda *args: str(path))
    assert consolidation_actions.send_changes(host) is not None
    qtbot.waitUntil(lambda: host.consolidation_task is None, timeout=20_000)
    return host


def test_the_office_sends_a_package_the_state_imports(qtbot, jerez, state, tmp_path, monkeypatch, prompts):
    package = tmp_path / "jerez.zip"
    _send(qtbot, jerez, package, monkeypatch)
    ((_icon, title, text, _details),) = prompts.messages
    assert title == "Package written" and consolidation.public_key() in text and package.is_file()

    host = Host(state)
    qtbot.addWidget(host)
    consolidation_actions._run_import(host, state, package, "jerez", None)
    qtbot.waitUntil(lambda: host.consolidation_task is None, timeout=20_000)
    assert prompts.messages[-1][1] == "Package imported" and host.refreshed == 1
    with jerez.transaction() as a, state.transaction() as b:
        assert a.scalars(select(Project.folio)).all() == b.scalars(select(Project.folio)).all() != []


def test_the_import_dialog_offers_only_offices_with_a_key(qtbot, state, tmp_path):
    offices.create_office(
        state, offices.OfficeInput("fresnillo", "Presidencia de Fresnillo", "municipal", "32", ("32010",))
    )
    dialog = ImportPackageDialog(state)
    qtbot.addWidget(dialog)
    assert [dialog.office.itemData(i) for i in range(dialog.office.count())] == ["jerez"]
    ok = dialog.buttons.buttons()[0]
    assert not ok.isEnabled()  # no file yet
    dialog.file.setText(str(tmp_path / "jerez.zip"))
    assert dialog.chosen() == ("jerez", tmp_path / "jerez.zip")


def _rename_club_on_both_sides(jerez: Database, state: Database) -> None:
    for db, name in ((state, "Club Jerezano (estatal)"), (jerez, "Club Jerezano (municipal)")):
        with db.transaction() as session:
            club = session.scalars(select(Club)).one()
            folio, version, club_id = club.toma_folio, club.version, club.id
        clubs.update_club(db, club_id, club_input(toma_folio=folio, name=name), expected_version=version)


def test_conflicts_show_both_versions_and_the_decision_imports(
    qtbot, jerez, state, tmp_path, monkeypatch, prompts
):
    first = tmp_path / "1.zip"
    consolidation.export_package(jerez, first)
    import_package(state, first, "jerez")
    _rename_club_on_both_sides(jerez, state)
    second = tmp_path / "2.zip"
    consolidation.export_package(jerez, second)

    shown: list[list[str]] = []

    def cancel(dialog: ConflictsDialog) -> QDialog.DialogCode:
        table = dialog.table
        shown.append([table.item(r, c).text() for r in range(table.rowCount()) for c in range(4)])
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(ConflictsDialog, "exec", cancel)
    before = database_digest(state)
    host = Host(state)
    qtbot.addWidget(host)
    consolidation_actions._run_import(host, state, second, "jerez", None)
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    (cells,) = shown
    assert any("Club Jerezano (municipal)" in cell for cell in cells)
    assert any("Club Jerezano (estatal)" in cell for cell in cells)
    assert database_digest(state) == before  # cancelled: nothing imported

    def accept_theirs(dialog: ConflictsDialog) -> QDialog.DialogCode:
        qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ConflictsDialog, "exec", accept_theirs)
    consolidation_actions._run_import(host, state, second, "jerez", None)
    qtbot.waitUntil(
        lambda: bool(prompts.messages) and prompts.messages[-1][1] == "Package imported", timeout=20_000
    )
    with state.transaction() as session:
        assert session.scalars(select(Club.name)).one() == "Club Jerezano (municipal)"
        assert session.scalar(select(func.count()).select_from(Project)) >= 1


def test_a_conflict_reads_as_labelled_fields(qtbot):
    dialog = ConflictsDialog(
        (Conflict("clubs", "1", "1", "changed_here", '{"name": "Uno", "members": 30}', '{"name": "Dos"}'),)
    )
    qtbot.addWidget(dialog)
    assert "changed here" in dialog.table.item(0, 1).text()
    assert "Uno" in dialog.table.item(0, 2).text() and "Dos" in dialog.table.item(0, 3).text()


def test_nothing_new_to_send_is_a_plain_message_and_asks_for_no_file(
    qtbot, jerez, tmp_path, monkeypatch, prompts
):
    _send(qtbot, jerez, tmp_path / "jerez.zip", monkeypatch)
    asked: list[object] = []
    monkeypatch.setattr(prompts_module(), "choose_save_file", lambda *args: asked.append(args) or "")
    host = Host(jerez)
    qtbot.addWidget(host)
    assert consolidation_actions.send_changes(host) is None
    (icon, title, text, _details) = prompts.messages[-1]
    assert icon == prompts_module().Icon.Information and title == "Nothing new to send"
    assert "up to" in text and not asked


def prompts_module():
    return prompts


def test_the_package_gets_its_zip_suffix_and_the_key_a_copy_button(
    qtbot, jerez, tmp_path, monkeypatch, prompts
):
    _send(qtbot, jerez, tmp_path / "paquete", monkeypatch)
    assert (tmp_path / "paquete.zip").is_file() and not (tmp_path / "paquete").exists()
    assert prompts.copies == [("Copy the public key", consolidation.public_key())]


@OFFSCREEN_SIZE_HINTS
def test_the_copy_button_puts_the_key_on_the_clipboard_and_leaves_the_box_open(qtbot, prompts):
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication, QMessageBox

    QGuiApplication.clipboard().setText("")
    seen: list[bool] = []

    def press_copy_then_ok() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        (copy,) = [b for b in box.buttons() if b.text() == "Copy the key"]
        qtbot.mouseClick(copy, Qt.MouseButton.LeftButton)
        seen.append(box.isVisible())
        box.button(QMessageBox.StandardButton.Ok).click()

    QTimer.singleShot(100, press_copy_then_ok)
    assert prompts.real_message is not None
    prompts.real_message(
        None, QMessageBox.Icon.Information, "Package written", "key: abc123", copy=("Copy the key", "abc123")
    )
    assert seen == [True]  # copying did not close the box
    assert QGuiApplication.clipboard().text() == "abc123"


def test_a_tampered_package_is_refused_in_the_window_and_nothing_is_imported(
    qtbot, jerez, state, tmp_path, monkeypatch, prompts
):
    import zipfile

    package = tmp_path / "jerez.zip"
    consolidation.export_package(jerez, package)
    tampered = tmp_path / "alterado.zip"
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "trail.jsonl":
                data = data.replace(b"Club", b"Clu8", 1)
            target.writestr(item, data)
    before = database_digest(state)
    host = Host(state)
    qtbot.addWidget(host)
    consolidation_actions._run_import(host, state, tampered, "jerez", None)
    qtbot.waitUntil(lambda: host.consolidation_task is None, timeout=20_000)
    (icon, title, _text, _details) = prompts.messages[-1]
    assert title != "Package imported" and icon in (
        prompts_module().Icon.Warning,
        prompts_module().Icon.Critical,
    )
    assert database_digest(state) == before and host.refreshed == 0
