"""What an officer sees whole and in line (issue 15, item 10): the project record after a stage change."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QFormLayout, QPushButton

from tests.ui.conftest import OFFSCREEN_SIZE_HINTS
from tresxuno.services.projects import ProjectFilters, list_projects
from tresxuno.services.stages import move_project
from tresxuno.ui.views.project_detail import ProjectRecord

pytestmark = OFFSCREEN_SIZE_HINTS

TODAY = date(2026, 12, 5)


def _top(widget, window) -> int:
    return widget.mapTo(window, QPoint(0, 0)).y()


def _text_top(label, window) -> int:
    """Where a label's first line of text is drawn (a vertically centred label draws it lower)."""
    spare = label.contentsRect().height() - label.heightForWidth(label.contentsRect().width())
    if label.alignment() & Qt.AlignmentFlag.AlignVCenter:
        spare //= 2
    elif not label.alignment() & Qt.AlignmentFlag.AlignBottom:
        spare = 0
    return _top(label, window) + label.contentsRect().top() + max(spare, 0)


def test_after_a_stage_change_the_data_captions_stay_level_with_their_values(qtbot, small_db):
    project = list_projects(small_db, ProjectFilters(stage="solicitado"), limit=1)[0]
    record = ProjectRecord(small_db, project.id, today=TODAY)
    qtbot.addWidget(record)
    record.show()
    qtbot.waitExposed(record)
    old_button = record.stage_buttons["prevalidado"]
    move_project(small_db, project.id, "prevalidado", comment="Expediente completo")
    record.reload()
    QApplication.processEvents()
    form = record.data_form
    assert record.data_values["description"].height() > record.data_values["folio"].height()  # wraps
    for row in range(form.rowCount()):
        caption = form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
        value = form.itemAt(row, QFormLayout.ItemRole.FieldRole).widget()
        # The caption's text starts on its value's first line, also beside a value of two lines.
        assert abs(_text_top(caption, record) - _text_top(value, record)) <= 2, caption.text()
    # The previous stage's button is gone at once, not drawn under the new ones until deleted.
    assert not old_button.isVisible()
    shown = [b.text() for b in record.findChildren(QPushButton) if b.isVisible()]
    assert not [t for t in shown if "Prevalidado" in t or "Prevalidated" in t]


def test_the_balance_notes_sit_below_the_total_row_of_the_libro(qtbot):
    from tresxuno.domain.ledger import PartyBalance, ProjectBalance
    from tresxuno.ui.views.ledger_balance import BalancePanel

    parties = (
        PartyBalance("club", share=10_000_00, approved=10_000_00, received=0, paid=3_000_00, cash=-3_000_00),
        PartyBalance(
            "state", share=10_000_00, approved=10_000_00, received=12_500_00, over_received=2_500_00,
            paid=3_000_00, cash=9_500_00,
        ),
        PartyBalance("municipal", share=10_000_00, approved=10_000_00, received=10_000_00, cash=10_000_00),
    )  # fmt: skip
    panel = BalancePanel()
    qtbot.addWidget(panel)
    panel.resize(900, 300)
    panel.show()
    panel.show_balance(ProjectBalance(1, "2X1Z-2026-32055-0001", "en_ejecucion", parties, 16_500_00))
    qtbot.wait(20)
    table, note = panel.table, panel.note
    assert note.isVisible() and note.text().count("\n") == 1  # two notes, one a line
    last = table.rowCount() - 1
    total_bottom = table.mapTo(panel, QPoint(0, table.rowViewportPosition(last) + table.rowHeight(last))).y()
    total_bottom += table.horizontalHeader().height()
    assert total_bottom <= table.mapTo(panel, QPoint(0, table.height())).y()  # the Total row is whole
    assert note.mapTo(panel, QPoint(0, 0)).y() >= table.mapTo(panel, QPoint(0, table.height())).y()
    assert note.height() >= note.heightForWidth(note.width())  # every line of the notes shown
