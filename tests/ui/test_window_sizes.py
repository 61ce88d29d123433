"""The size check every GUI test runs (tests/ui/conftest.py): it names a window too big for a laptop."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout

from tests.ui.conftest import LAPTOP_HEIGHT, LAPTOP_WIDTH, _shown_too_big, _too_big


def test_a_window_whose_smallest_size_overflows_a_laptop_is_named(qtbot):
    tall = QDialog()
    qtbot.addWidget(tall)
    layout = QVBoxLayout(tall)
    for n in range(60):  # sixty lines of a form that cannot shrink
        label = QLabel(f"Campo {n}", tall)
        label.setMinimumHeight(20)
        layout.addWidget(label)
    assert _too_big(tall) is not None and "QDialog needs at least" in _too_big(tall)
    small = QDialog()
    qtbot.addWidget(small)
    small.setMinimumSize(LAPTOP_WIDTH - 10, LAPTOP_HEIGHT - 10)
    assert _too_big(small) is None


@pytest.mark.any_size
def test_showing_it_is_recorded_for_the_check_after_the_test(qtbot):
    wide = QDialog()
    qtbot.addWidget(wide)
    wide.setMinimumSize(LAPTOP_WIDTH + 100, 300)
    wide.show()
    assert any("needs at least" in p for p in _shown_too_big)
