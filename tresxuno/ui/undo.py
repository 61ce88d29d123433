"""One app-wide undo history (Edit > Undo / Redo), and small commands pages and dialogs push onto it.

Anything undoable is a :class:`UndoCommand`: a text saying what it does ("Edit name"), a function that
does it and one that undoes it. For database changes both functions call services (the change and its
compensating change, e.g. a ledger reversal), so undo never writes SQL. Two helpers cover the common
form cases: :class:`FieldEdit` (one field from an old value to a new one; successive typing in the
same field merges into one step) and :class:`RestoreValues` (a whole set of values, e.g. a form put
back as it was before "Apply").

A command whose undo or redo fails (a service refuses, the database is locked) shows the error with
``show_error`` and drops out of the history, instead of leaving a step that cannot be taken.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

#: Steps kept; older ones are dropped (each holds only a few values).
UNDO_LIMIT = 100

_stack: QUndoStack | None = None


def undo_stack() -> QUndoStack:
    """The application's undo history, created on first use and owned by the QApplication."""
    global _stack
    if _stack is None:
        _stack = QUndoStack(QCoreApplication.instance())
        _stack.setUndoLimit(UNDO_LIMIT)
        _stack.destroyed.connect(_forget)
    return _stack


def _forget(*_args: object) -> None:
    global _stack
    _stack = None


def push(command: QUndoCommand) -> None:
    """Add ``command`` to the history (doing it now, unless it was created with ``done=True``)."""
    undo_stack().push(command)


class UndoCommand(QUndoCommand):
    """An undoable step made of two plain functions.

    Args:
        text: what the step does, translated ("Edit club name"); the Edit menu shows "Undo <text>".
        do: makes the change (again, on redo).
        undo: takes the change back.
        done: True when the change was already made before pushing (e.g. a dialog saved through a
            service and then records how to take it back): the push does not make it twice.
        parent: the widget errors are shown over (the active window when None).
    """

    def __init__(
        self,
        text: str,
        do: Callable[[], object],
        undo: Callable[[], object],
        *,
        done: bool = False,
        parent: QWidget | None = None,
    ):
        super().__init__(text)
        self._do = do
        self._undo = undo
        self._skip_first_redo = done
        self._error_parent = parent

    def _run(self, step: Callable[[], object]) -> None:
        try:
            step()
        except Exception as exc:  # a refused step leaves the history, not the app in a loop of errors
            from tresxuno.ui.errors import show_error

            self.setObsolete(True)
            show_error(self._error_parent, exc)

    def redo(self) -> None:
        """Make the change (Qt calls this on push and on Redo)."""
        if self._skip_first_redo:
            self._skip_first_redo = False
            return
        self._run(self._do)

    def undo(self) -> None:
        """Take the change back."""
        self._run(self._undo)


class FieldEdit(UndoCommand):
    """One field changed from ``old`` to ``new``; ``apply(value)`` puts a value into the field.

    Consecutive edits of the same field (same ``field`` name and ``apply`` target) merge into one
    step, so undo after typing a word restores the word before, not one letter.
    """

    def __init__(
        self,
        text: str,
        field: str,
        apply: Callable[[Any], object],
        old: Any,
        new: Any,
        *,
        done: bool = True,
        parent: QWidget | None = None,
    ):
        super().__init__(text, lambda: apply(self.new), lambda: apply(self.old), done=done, parent=parent)
        self.field = field
        self.apply = apply
        self.old = old
        self.new = new

    def id(self) -> int:
        """Commands with the same id may merge: one id per field name."""
        return hash(("tresxuno.FieldEdit", self.field)) & 0x7FFFFFFF

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt API
        """Absorb a later edit of the same field: this step now goes from our old to its new value."""
        if not isinstance(other, FieldEdit) or other.field != self.field or other.apply != self.apply:
            return False
        self.new = other.new
        # Typed back to where it started: nothing left to undo.
        self.setObsolete(self.new == self.old)
        return True


class RestoreValues(UndoCommand):
    """A set of values (a form, a record's fields) changed from ``before`` to ``after``.

    ``apply(values)`` writes a mapping of values back: into widgets, or through a service.
    """

    def __init__(
        self,
        text: str,
        apply: Callable[[Mapping[str, Any]], object],
        before: Mapping[str, Any],
        after: Mapping[str, Any],
        *,
        done: bool = True,
        parent: QWidget | None = None,
    ):
        self.before = dict(before)
        self.after = dict(after)
        super().__init__(
            text, lambda: apply(self.after), lambda: apply(self.before), done=done, parent=parent
        )
