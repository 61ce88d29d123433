"""The few functions that put a modal message in front of the officer.

Everything else in the UI asks through these names, so a test replaces one function
(``monkeypatch.setattr(prompts, "message", fake)``) instead of fighting a blocking dialog.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

Icon = QMessageBox.Icon


def message(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str, *,
            details: str = "") -> None:
    """Show ``text`` in a modal box with one OK button; ``details`` go behind a "Show details" button."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    if details:
        box.setDetailedText(details)
    box.exec()


def about(parent: QWidget | None, title: str, text: str) -> None:
    """The "About" box (rich text allowed)."""
    QMessageBox.about(parent, title, text)
