"""Background tasks: progress reaches the dialog, Cancel stops the work, failures are shown."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QPushButton

from tresxuno.services.progress import CancelToken
from tresxuno.ui.tasks import Task, run_task


def test_task_reports_progress_and_result_on_the_gui_thread(qtbot):
    seen_threads = []

    def work(progress, cancel: CancelToken):
        for i in range(1, 4):
            progress(i, 3, f"paso {i}")
        seen_threads.append(threading.current_thread())
        return "listo"

    task = Task(None, "Prueba", work)
    with qtbot.waitSignal(task.finished_ok, timeout=5000) as blocker:
        task.start()
    assert blocker.args == ["listo"]
    assert seen_threads[0] is not threading.main_thread()
    assert task.dialog is not None and task.dialog.maximum() == 3
    assert not task.running


def test_cancel_stops_the_work_at_its_next_check(qtbot):
    started = threading.Event()

    def work(progress, cancel: CancelToken):
        started.set()
        while True:
            cancel.raise_if_cancelled()
            cancel_wait = threading.Event()
            cancel_wait.wait(0.01)

    task = Task(None, "Prueba", work)
    with qtbot.waitSignal(task.was_cancelled, timeout=5000):
        task.start()
        assert started.wait(5)
        task.dialog.findChild(QPushButton).click()  # the officer presses Cancel
    assert not task.running


def test_a_failure_is_shown_not_swallowed(qtbot, prompts):
    def work(progress, cancel):
        raise RuntimeError("se cayó")

    task = run_task(None, "Prueba", work)
    qtbot.waitUntil(lambda: not task.running, timeout=5000)
    qtbot.waitUntil(lambda: bool(prompts.messages), timeout=5000)
    assert "RuntimeError" in prompts.messages[0][3] or "se cayó" in " ".join(map(str, prompts.messages[0]))
