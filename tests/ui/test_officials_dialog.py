"""Officials over time, reached from Preferences: terms added and ended through the real dialog."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt

from tresxuno.domain.problems import Problem
from tresxuno.i18n import set_language
from tresxuno.messages import describe
from tresxuno.services.officials import officials_on
from tresxuno.ui.dialogs.officials import OfficialsDialog
from tresxuno.ui.dialogs.preferences import PreferencesDialog

from .conftest import OFFSCREEN_SIZE_HINTS

pytestmark = OFFSCREEN_SIZE_HINTS


def _fill(dialog: OfficialsDialog, post: str, name: str, start: date, end: date | None = None) -> None:
    dialog.post.setCurrentIndex(dialog.post.findData(post))
    dialog.person_name.setText(name)
    dialog.starts_on.setDate(QDate(start))
    dialog.in_office.setChecked(end is None)
    if end is not None:
        dialog.ends_on.setDate(QDate(end))


def test_a_new_administration_is_recorded_and_documents_of_each_date_name_their_holder(
    qtbot, empty_db, monkeypatch
):
    set_language("es")
    opened: list[object] = []
    monkeypatch.setattr(OfficialsDialog, "ask", classmethod(lambda cls, parent, db: opened.append(db)))
    preferences = PreferencesDialog(None, empty_db)
    qtbot.addWidget(preferences)
    qtbot.mouseClick(preferences.officials_button, Qt.MouseButton.LeftButton)
    assert opened == [empty_db]  # the button in the office's box opens the officials

    dialog = OfficialsDialog(empty_db, today=date(2018, 1, 1))
    qtbot.addWidget(dialog)
    _fill(dialog, "presidente_municipal", "C. Rosa María Castañeda", date(2016, 9, 15))
    dialog.title.setText("Presidenta municipal de Jerez")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 1).text() == "C. Rosa María Castañeda"

    # The successor from 15 September 2018 overlaps the open term: refused, shown under the date.
    _fill(dialog, "presidente_municipal", "Ing. Jorge Luis Saldívar", date(2018, 9, 15))
    assert not dialog.add()
    problem = Problem(
        "starts_on",
        "official.overlap",
        {"name": "C. Rosa María Castañeda", "start": date(2016, 9, 15), "end": "—"},
    )
    assert dialog.errors.texts()["starts_on"] == describe(problem, with_field=False)
    assert dialog.person_name.text() == "Ing. Jorge Luis Saldívar"  # nothing typed is lost

    # End the first term the day before (choosing it fills the form), then the successor is accepted.
    dialog.show()
    first = dialog.table.visualItemRect(dialog.table.item(0, 1)).center()
    qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=first)
    assert dialog.person_name.text() == "C. Rosa María Castañeda" and dialog.save_button.isEnabled()
    dialog.in_office.setChecked(False)
    dialog.ends_on.setDate(QDate(2018, 9, 14))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    _fill(dialog, "presidente_municipal", "Ing. Jorge Luis Saldívar", date(2018, 9, 15))
    assert dialog.add()
    assert dialog.table.rowCount() == 2
    assert officials_on(empty_db, date(2018, 9, 14))["presidente_municipal"].person_name == (
        "C. Rosa María Castañeda"
    )
    assert officials_on(empty_db, date(2018, 9, 15))["presidente_municipal"].person_name == (
        "Ing. Jorge Luis Saldívar"
    )


def test_each_registered_office_keeps_its_own_officials(qtbot, empty_db):
    """On a state server the dialog offers each office; a term recorded for one is that office's alone."""
    from tresxuno.services.offices import OfficeInput, create_office

    set_language("en")
    office = create_office(
        empty_db, OfficeInput("fresnillo", "Presidencia de Fresnillo", "municipal", "32", ("32010",))
    )
    dialog = OfficialsDialog(empty_db, today=date(2025, 1, 1))
    qtbot.addWidget(dialog)
    assert dialog.office.isVisibleTo(dialog) and dialog.office.count() == 2
    dialog.office.setCurrentIndex(dialog.office.findData(office.id))
    _fill(dialog, "presidente_municipal", "Lic. Saúl Monreal", date(2024, 9, 15))
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 1
    assert officials_on(empty_db, date(2025, 1, 1), office_id=office.id)[
        "presidente_municipal"
    ].person_name == ("Lic. Saúl Monreal")
    assert "presidente_municipal" not in officials_on(empty_db, date(2025, 1, 1))  # not this database's own
    dialog.office.setCurrentIndex(0)
    assert dialog.table.rowCount() == 0
