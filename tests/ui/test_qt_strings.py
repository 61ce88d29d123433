"""Qt's own dialogs speak the interface's language (issue 15, item 10): the file dialog all in Spanish."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QAbstractButton, QDialogButtonBox, QFileDialog, QLabel, QTreeView

from tresxuno.i18n import language
from tresxuno.ui.app import apply_language, remove_language

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

#: Words of Qt's English file dialog that must not show in a Spanish one.
ENGLISH = {"Look in:", "Files of type:", "File name:", "Folder", "File", "CSV File", "Cancel", "Open"}


@pytest.fixture
def spanish(qapp) -> Iterator[None]:
    before, locale = language(), QLocale()
    apply_language(qapp, "es")
    yield
    remove_language(qapp)
    apply_language(qapp, before)
    remove_language(qapp)  # the tests run without Qt's translation, as before
    QLocale.setDefault(locale)


def _file_dialog(qtbot, folder: Path) -> QFileDialog:
    (folder / "Expedientes").mkdir()
    (folder / "padron.csv").write_text("curp\n", encoding="utf-8")
    dialog = QFileDialog(None, "Importar", str(folder), "CSV (*.csv)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)  # Qt's own, as on Linux
    dialog.setViewMode(QFileDialog.ViewMode.Detail)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(
        lambda: dialog.findChild(QTreeView).model().rowCount(dialog.findChild(QTreeView).rootIndex()) == 2
    )
    return dialog


def _words(dialog: QFileDialog) -> list[str]:
    texts = [label.text() for label in dialog.findChildren(QLabel) if label.isVisible()]
    texts += [b.text() for b in dialog.findChildren(QAbstractButton) if b.isVisible()]
    view = dialog.findChild(QTreeView)
    model, root = view.model(), view.rootIndex()
    texts += [str(model.index(row, 2, root).data()) for row in range(model.rowCount(root))]
    return [t.replace("&", "") for t in texts if t]


def test_the_file_dialog_is_all_in_spanish(qtbot, tmp_path, spanish):
    words = _words(_file_dialog(qtbot, tmp_path))
    assert "Buscar en:" in words and "Archivos de tipo:" in words and "Carpeta" in words
    assert not ENGLISH.intersection(words), words
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(buttons)
    assert [b.text().replace("&", "") for b in buttons.buttons()] == ["Aceptar", "Cancelar"]


def test_in_english_qt_keeps_its_own_words(qtbot, tmp_path, qapp, spanish):
    apply_language(qapp, "en")
    words = _words(_file_dialog(qtbot, tmp_path))
    assert "Look in:" in words and "Folder" in words
