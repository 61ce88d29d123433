"""What the project form chooses from: a searchable combo box, the programmes, years, categories and partners."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QWidget,
)

from tresxuno.domain.parties import Category
from tresxuno.domain.rules import RuleBook
from tresxuno.i18n import N_, language

#: Programmes shipped, in the order officers name them; rule files may add others after them.
SHIPPED_PROGRAMMES = ("3x1", "4x1", "2x1-zacatecas")
#: The partner choices: item key -> (mode, currency of a fixed amount, label msgid).
PARTNER_CHOICES: dict[str, tuple[str, str, str]] = {
    "none": ("none", "MXN", N_("No partner")),
    "rule": ("rule", "MXN", N_("Partner by the rule set's percentage")),
    "fixed-mxn": ("fixed", "MXN", N_("Fixed amount in pesos (MXN)")),
    "fixed-usd": ("fixed", "USD", N_("Fixed amount in dollars (USD)")),
}


class SearchCombo(QComboBox):
    """A combo box one can type into to find an item by any part of its name (names repeat rarely).

    :meth:`chosen` is the data of the item whose text is typed exactly, or None: text that matches
    no item never silently picks the previous one.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(20)
        completer = QCompleter(self.model(), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)

    def set_placeholder(self, text: str) -> None:
        """The grey hint shown while nothing is typed."""
        line = self.lineEdit()
        if line is not None:
            line.setPlaceholderText(text)

    def chosen(self) -> object | None:
        """The data of the item named by the typed text, or None."""
        index = self.findText(self.currentText().strip(), Qt.MatchFlag.MatchFixedString)
        return self.itemData(index) if index >= 0 else None

    def choose(self, data: object) -> bool:
        """Select the item carrying ``data``; False when there is none."""
        index = self.findData(data)
        if index < 0:
            return False
        self.setCurrentIndex(index)
        self.setEditText(self.itemText(index))
        return True


def programme_names(book: RuleBook) -> dict[str, str]:
    """Programme ids and names in the current language, the shipped ones first."""
    programs = book.programs
    order = [p for p in SHIPPED_PROGRAMMES if p in programs] + sorted(
        p for p in programs if p not in SHIPPED_PROGRAMMES
    )
    return {p: programs[p].name(language()) for p in order}


def programme_years(book: RuleBook, program: str, today: date) -> list[int]:
    """The fiscal years the programme's rule sets cover, newest first (open-ended ones to next year)."""
    years: set[int] = set()
    for rs in book.rule_sets:
        if rs.program == program:
            years.update(range(rs.first_year, (rs.last_year or today.year + 1) + 1))
    return sorted(years, reverse=True)


def programme_categories(book: RuleBook, program: str, year: int) -> list[str]:
    """The categories some rule set of the programme covers in ``year``, in the catalogue's order."""
    return [
        c.value
        for c in Category
        if any(rs.program == program and rs.covers(year, c.value) for rs in book.rule_sets)
    ]
