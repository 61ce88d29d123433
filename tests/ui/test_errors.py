"""show_error: input problems listed, storage trouble explained, bugs logged and shown once."""

from __future__ import annotations

import logging
import sys

import pytest
from PySide6.QtCore import QObject, Signal

from tresxuno.domain.problems import InputError, Problem, StorageError
from tresxuno.messages import describe, describe_storage
from tresxuno.ui import prompts as ui_prompts
from tresxuno.ui.errors import install_excepthook, log_path, show_error


def _raise(exc: BaseException) -> BaseException:
    try:
        raise exc
    except BaseException as caught:
        return caught


def test_input_problems_are_listed_in_a_warning(prompts):
    problems = [Problem("cost", "cost.not_positive"), Problem("name", "text.required")]
    show_error(None, InputError(problems))
    [(icon, _title, text, _details)] = prompts.messages
    assert icon == ui_prompts.Icon.Warning
    for problem in problems:
        assert describe(problem) in text


def test_storage_problems_say_what_to_do(prompts):
    error = StorageError("db.locked")
    show_error(None, error)
    [(icon, _title, text, _details)] = prompts.messages
    assert icon == ui_prompts.Icon.Critical
    assert text == describe_storage(error)


def _bug() -> BaseException:
    return _raise(ZeroDivisionError("division by zero in the share table"))


def test_a_bug_is_logged_with_its_traceback_and_shown_once(prompts, caplog):
    with caplog.at_level(logging.ERROR, logger="tresxuno"):
        show_error(None, _bug())
        show_error(None, _bug())  # the same bug again (a repaint, say): logged, not shown again
    assert caplog.text.count("ZeroDivisionError") >= 2
    assert "Traceback" in caplog.text
    [(icon, _title, text, details)] = prompts.messages
    assert icon == ui_prompts.Icon.Critical
    assert str(log_path()) in text
    assert "ZeroDivisionError" in details
    assert "ZeroDivisionError" in log_path().read_text(encoding="utf-8")


def test_a_different_bug_is_shown_too(prompts):
    show_error(None, _bug())
    show_error(None, _raise(KeyError("missing")))
    assert len(prompts.messages) == 2


def test_the_excepthook_routes_uncaught_exceptions_to_show_error(prompts):
    previous = install_excepthook()
    try:
        exc = _raise(StorageError("db.disk_full"))
        sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook = previous
    assert prompts.messages[0][2] == describe_storage(StorageError("db.disk_full"))


class _Emitter(QObject):
    fired = Signal()


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_reaches_the_officer(qtbot, prompts):
    emitter = _Emitter()

    def broken_slot() -> None:
        raise RuntimeError("a bug in a slot")

    emitter.fired.connect(broken_slot)
    previous = install_excepthook()
    try:
        emitter.fired.emit()
    finally:
        sys.excepthook = previous
    assert len(prompts.messages) == 1
    assert "RuntimeError: a bug in a slot" in prompts.messages[0][3]
