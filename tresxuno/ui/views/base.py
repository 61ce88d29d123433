"""What every page of the main window offers, so the window can list, switch and refresh them alike.

Besides the methods below, the window looks for a few optional ones by name (duck typing, so a page
offers only what makes sense for it): ``new_record()`` (File > New, Ctrl+N), ``print_current()``
(Ctrl+P), ``select_<kind>(record_id)`` (a record opened from another page), ``apply_filters()``
(run after the search and filters are put back), and an ``open_record = Signal(str, int)`` (kind,
id) the window routes to the page that shows that record.
"""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from tresxuno.i18n import _
from tresxuno.ui.settings import Settings

#: What :meth:`View.view_state` returns: widget attribute name -> its text, index or check state.
ViewState = dict[str, object]


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
    #: What :meth:`can_create` or :meth:`can_print` answer changed (e.g. a row was selected).
    actions_changed = Signal()

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

    def can_create(self) -> bool:
        """Whether File > New (Ctrl+N) applies now: by default, when the page has ``new_record()``."""
        return callable(getattr(self, "new_record", None))

    def can_print(self) -> bool:
        """Whether Print (Ctrl+P) applies now: by default, when the page has ``print_current()``."""
        return callable(getattr(self, "print_current", None))

    def view_state(self) -> ViewState:
        """The search text, filter choices and check boxes, to put back on a rebuilt page.

        The window rebuilds every page when the language changes. By default this keeps the text of
        every editable line edit, the index of every combo box and the state of every checkable
        button the page holds as an attribute; a page overrides it to keep more (or less).
        """
        state: ViewState = {}
        for name, widget in vars(self).items():
            if isinstance(widget, QLineEdit) and not widget.isReadOnly():
                state[name] = widget.text()
            elif isinstance(widget, QComboBox) and not widget.isEditable():
                state[name] = widget.currentIndex()
            elif isinstance(widget, QAbstractButton) and widget.isCheckable():
                state[name] = widget.isChecked()
        return state

    def restore_view_state(self, state: ViewState) -> None:
        """Put back what :meth:`view_state` kept (from the same page class), then apply the filters."""
        for name, value in state.items():
            widget = getattr(self, name, None)
            if isinstance(widget, QLineEdit) and isinstance(value, str) and widget.text() != value:
                widget.setText(value)
            elif (
                isinstance(widget, QComboBox)
                and isinstance(value, int)
                and -1 <= value < widget.count()
                and widget.currentIndex() != value
            ):
                widget.setCurrentIndex(value)
            elif (
                isinstance(widget, QAbstractButton)
                and isinstance(value, bool)
                and widget.isChecked() != value
            ):
                widget.setChecked(value)
        apply = getattr(self, "apply_filters", None)
        if callable(apply):
            apply()


def message_page(parent: QWidget, message: QLabel, *buttons: QAbstractButton) -> QWidget:
    """The page a list shows instead of an empty table: why it is empty, and what to do, centred."""
    page = QWidget(parent)
    layout = QVBoxLayout(page)
    layout.addStretch(1)
    layout.addWidget(message)
    row = QHBoxLayout()
    row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    layout.addLayout(row)
    layout.addStretch(2)
    return page
