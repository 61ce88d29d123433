"""What every page of the main window offers, so the window can list, switch and refresh them alike."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QStyle, QWidget

from tresxuno.i18n import _
from tresxuno.ui.settings import Settings


class View(QWidget):
    """A page of the main window, shown when its entry in the navigation list is chosen.

    Subclasses set :attr:`key` (stable id, stored as the last view), :attr:`title_msgid` (an English
    msgid, translated when shown) and :attr:`icon_pixmap`, and implement :meth:`refresh` and
    :meth:`status_text`; they emit :attr:`status_changed` when the status text changes.
    """

    key: ClassVar[str]
    title_msgid: ClassVar[str]
    icon_pixmap: ClassVar[QStyle.StandardPixmap] = QStyle.StandardPixmap.SP_FileIcon

    #: The text for the main window's status bar changed (e.g. a new count after filtering).
    status_changed = Signal(str)

    def title(self) -> str:
        """The translated name shown in the navigation list."""
        return _(self.title_msgid)

    def icon(self) -> QIcon:
        """The navigation list's icon for this page (a Qt standard icon until the project has its own)."""
        return self.style().standardIcon(self.icon_pixmap)

    def refresh(self) -> None:
        """Read the data again (F5): other windows or computers may have changed it."""
        raise NotImplementedError

    def status_text(self) -> str:
        """What the status bar says while this page is shown."""
        raise NotImplementedError

    def focus_search(self) -> None:
        """Put the cursor in the page's search box, if it has one (Ctrl+F)."""

    def save_layout(self, settings: Settings) -> None:
        """Remember the page's own layout (columns, splitters); pages without one keep nothing."""

    def restore_layout(self, settings: Settings) -> None:
        """Put back what :meth:`save_layout` remembered."""
