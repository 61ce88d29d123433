"""The few functions that put a modal message in front of the officer.

Everything else in the UI asks through these names, so a test replaces one function
(``monkeypatch.setattr(prompts, "message", fake)``) instead of fighting a blocking dialog.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from tresxuno.i18n import _

Icon = QMessageBox.Icon


def message(
    parent: QWidget | None,
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    *,
    details: str = "",
    copy: tuple[str, str] | None = None,
) -> None:
    """Show ``text`` in a modal box with one OK button; ``details`` go behind a "Show details" button.

    ``copy`` is ``(button label, text)``: a button that puts that text on the clipboard (a key to
    send someone), beside OK; the text of the box can be selected with the mouse too.
    """
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    if details:
        box.setDetailedText(details)
    if copy is not None:
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QGuiApplication

        label, value = copy
        button = box.addButton(label, QMessageBox.ButtonRole.ActionRole)
        button.clicked.disconnect()  # copying must not close the box: OK does
        button.clicked.connect(lambda: QGuiApplication.clipboard().setText(value))
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.exec()


def about(parent: QWidget | None, title: str, text: str) -> None:
    """The "About" box (rich text allowed)."""
    QMessageBox.about(parent, title, text)


def confirm(parent: QWidget | None, title: str, text: str, *, default_yes: bool = False) -> bool:
    """Ask a yes/no question; True for yes."""
    buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    default = QMessageBox.StandardButton.Yes if default_yes else QMessageBox.StandardButton.No
    return QMessageBox.question(parent, title, text, buttons, default) == QMessageBox.StandardButton.Yes


def choose_open_file(parent: QWidget | None, title: str, name_filter: str = "", directory: str = "") -> str:
    """Ask for an existing file; returns its path, or "" when the officer cancels."""
    from PySide6.QtWidgets import QFileDialog

    path, _selected = QFileDialog.getOpenFileName(parent, title, directory, name_filter)
    return path


def choose_save_file(parent: QWidget | None, title: str, name_filter: str = "", directory: str = "") -> str:
    """Ask where to save a file; returns the path, or "" when the officer cancels."""
    from PySide6.QtWidgets import QFileDialog

    path, _selected = QFileDialog.getSaveFileName(parent, title, directory, name_filter)
    return path


def save_target(parent: QWidget | None, chosen: str, suffix: str, *also: str) -> Path | None:
    """The file to write for what :func:`choose_save_file` returned, ``suffix`` added when missing.

    The save dialog has already asked before replacing ``chosen``; when the suffix had to be added,
    the file with it may exist too, and the officer is asked here. None when they say no. The
    service is then called with ``force=True``: it still refuses the database and non-files.
    """
    target = Path(chosen)
    if target.suffix.lower() not in (suffix.lower(), *also):
        target = target.with_name(target.name + suffix)
        question = _("{path} already exists. Replace it?").format(path=target)
        if (target.exists() or target.is_symlink()) and not confirm(parent, _("Replace the file?"), question):
            return None
    return target


def choose_folder(parent: QWidget | None, title: str, directory: str = "") -> str:
    """Ask for a folder; returns its path, or "" when the officer cancels."""
    from PySide6.QtWidgets import QFileDialog

    return QFileDialog.getExistingDirectory(parent, title, directory)


def choose_printer(parent: QWidget | None, printer: object, pages: int) -> bool:
    """The system print dialog on ``printer`` (a QPrinter), pages 1 to ``pages`` offered as a range.

    True when the officer chose to print: the printer then carries the choices (device, copies,
    page range). Tests replace this name to print to a PDF file instead.
    """
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    assert isinstance(printer, QPrinter)
    dialog = QPrintDialog(printer, parent)
    dialog.setMinMax(1, max(pages, 1))
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
    try:
        return dialog.exec() == QPrintDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()
