"""Inline validation for dialogs: each problem shown under its field, in the user's language.

Dialogs register their input widgets by field name; :meth:`FieldErrors.show` takes the
``Problem`` list a service or a check returned and puts each sentence under its field (problems
for fields without a widget go to a general label at the top).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from tresxuno.domain.problems import Problem
from tresxuno.messages import describe
from tresxuno.ui.screen_fit import room_for

ERROR_STYLE = "color: #b00020;"


def _make_room(window: QWidget) -> None:
    """Grow a shown window to fit the error lines just added, within the screen.

    Without it the new lines take their height from the fields above them, which shrink until they
    cannot be read (the first-run password error squashed the whole form).
    """
    if not window.isVisible():
        return
    window.layout() is not None and window.layout().activate()  # type: ignore[union-attr]
    wanted = window.sizeHint().height()
    if window.height() >= wanted:
        return
    room = room_for(window).height()
    window.resize(window.width(), min(wanted, max(room, window.height())))


class FieldErrors:
    """Error labels under registered fields, plus one general label for the rest."""

    def __init__(self, general: QLabel):
        self._general = general
        self._fields: dict[str, tuple[QWidget, QLabel]] = {}
        general.setStyleSheet(ERROR_STYLE)
        general.setWordWrap(True)
        general.hide()

    def add_row(self, form: QFormLayout, field: str, label: str, widget: QWidget) -> QLabel:
        """Add ``widget`` to ``form`` under ``label`` with an (initially hidden) error line below it."""
        error = QLabel()
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        # Room for a sentence even under a narrow field (a percent, a date): never cut to a few letters.
        error.setMinimumWidth(error.fontMetrics().averageCharWidth() * 36)
        error.hide()
        container = QWidget()
        from PySide6.QtWidgets import QVBoxLayout

        box = QVBoxLayout(container)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        box.addWidget(error)
        form.addRow(label, container)
        widget.setAccessibleName(label.rstrip(":").replace("&", ""))
        self._fields[field] = (widget, error)
        self._watch(widget, error)
        return error

    def register(self, field: str, widget: QWidget, error: QLabel) -> None:
        """Register a field laid out by the dialog itself."""
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        self._fields[field] = (widget, error)
        self._watch(widget, error)

    @staticmethod
    def _watch(widget: QWidget, error: QLabel) -> None:
        """Hide the field's error as soon as its input changes: a stale error misleads (issue 15, item 7)."""

        def hide(*_args: object) -> None:
            if error.isVisible() or error.text():
                error.clear()
                error.hide()
                widget.setAccessibleDescription("")

        for signal in (
            "textEdited",
            "textChanged",
            "dateChanged",
            "currentIndexChanged",
            "valueChanged",
            "toggled",
        ):
            bound = getattr(widget, signal, None)
            if bound is not None and hasattr(bound, "connect"):
                bound.connect(hide)
                break

    def clear(self) -> None:
        """Hide every error."""
        self._general.clear()
        self._general.hide()
        for widget, error in self._fields.values():
            error.clear()
            error.hide()
            widget.setAccessibleDescription("")

    def point_out(self, problems: Iterable[Problem]) -> None:
        """Show ``problems`` under their fields and put the cursor in the first field with one."""
        first = self.show(problems)
        if first is not None:
            first.setFocus()

    def show(self, problems: Iterable[Problem]) -> QWidget | None:
        """Show ``problems``; returns the widget of the first field with a problem (to focus it)."""
        self.clear()
        general: list[str] = []
        first: QWidget | None = None
        for problem in problems:
            key = (
                problem.field if problem.field in self._fields else problem.field.split(".")[0].split("[")[0]
            )
            if key in self._fields:
                widget, error = self._fields[key]
                text = describe(problem, with_field=False)
                error.setText((error.text() + "\n" if error.text() else "") + text)
                # Tall enough for every wrapped line at its narrowest (layouts that ignore
                # height-for-width would otherwise cut the sentence to one line).
                error.setMinimumHeight(error.heightForWidth(error.minimumWidth()))
                error.show()
                # Screen readers announce the problem with the field, not only by colour.
                widget.setAccessibleDescription(error.text())
                first = first or widget
            else:
                general.append(describe(problem))
        if general:
            self._general.setText("\n".join(general))
            self._general.show()
        _make_room(self._general.window())
        return first

    def texts(self) -> dict[str, str]:
        """Visible error text per field (tests read it)."""
        result = {f: e.text() for f, (_w, e) in self._fields.items() if e.isVisible() or e.text()}
        if self._general.text():
            result["_general"] = self._general.text()
        return result
