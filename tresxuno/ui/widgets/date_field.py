"""The date field every form uses: dd/mm/aaaa typed straight through, and Tab leaves the field.

Qt's date edit makes Tab walk day → month → year, so an officer who types a date and presses Tab
types the next field's figure into the year (04/08/5000). Here Tab and Shift+Tab move to the next or
previous field, as in every other input. Coming in by Tab the day is selected, and typed digits run
on through month and year by themselves (04082019 gives 04/08/2019).
"""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QSizePolicy, QWidget

#: How dates are written in Mexican offices (and in every message the app shows).
DISPLAY_FORMAT = "dd/MM/yyyy"


class DateField(QDateEdit):
    """A calendar date field: dd/mm/aaaa, a calendar to pick from, Tab to leave it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDisplayFormat(DISPLAY_FORMAT)
        self.setCalendarPopup(True)
        self.setDateRange(QDate(1990, 1, 1), QDate(2100, 12, 31))

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802 - Qt's name and signature
        """Tab leaves the field (Qt's date edit would move to the next section instead)."""
        return QWidget.focusNextPrevChild(self, next)


def date_field(parent: QWidget | None = None, *, fixed: bool = True) -> DateField:
    """A :class:`DateField` sized to its content (``fixed``), as forms lay it out."""
    edit = DateField(parent)
    if fixed:
        edit.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return edit
