"""The COVAM page corrects a session and its attendees until the minutes are final, then opens versions."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt

from tests.ui import test_covam_view as covam_page
from tresxuno.i18n import _, set_language
from tresxuno.services.covam import (
    AttendeeInput,
    SessionInput,
    add_to_agenda,
    create_session,
    get_session,
    list_versions,
    session_version,
)
from tresxuno.services.officials import OfficialInput, add_official
from tresxuno.ui.dialogs.session import RulingsDialog, SessionDialog

from .conftest import OFFSCREEN_SIZE_HINTS

pytestmark = OFFSCREEN_SIZE_HINTS

# The COVAM page's fixtures: a database with pre-validated projects, the page shown in a window.
_template = covam_page._template
empty_db = covam_page.empty_db
prevalidated = covam_page.prevalidated
view = covam_page.view
confirmations = covam_page.confirmations


def test_a_session_is_edited_until_final_then_reopened_as_a_new_version(
    qtbot,
    view,
    empty_db,
    prevalidated,
    monkeypatch,
    confirmations,
):
    set_language("en")
    info = create_session(
        empty_db,
        SessionInput(
            "1/2026",
            date(2026, 5, 12),
            "Sala de Cabildo, Jerez",
            attendees=(
                AttendeeInput("federal", "Lic. Ana Lucía Bermúdez", "Delegada", role="presidente"),
                AttendeeInput("municipal", "C. Rosa María Nuñez", "Presidenta municipal"),
                AttendeeInput("club", "Sr. José Ángel Ortiz", "Federación"),
            ),
        ),
    )
    add_to_agenda(empty_db, info.id, list(prevalidated.values())[:1])
    view.reload(select_id=info.id)
    assert view.edit_button.isEnabled() and view.final_button.isEnabled()
    assert not view.version_button.isEnabled()
    assert "not final yet" in view.state_label.text() and "Quorum: 3 of 3" in view.state_label.text()

    def drive(cls, parent, db, **kwargs):
        dialog = cls(db, parent, **kwargs)
        qtbot.addWidget(dialog)
        # The stored session is shown, attendees with their roles and votes.
        assert dialog.number.text() == "1/2026" and len(dialog.rows) == 3
        assert dialog.rows[0].role.currentData() == "presidente" and dialog.rows[0].vote.isChecked()
        dialog.rows[1].name.setText("C. Rosa María Núñez Castañeda")  # the typo fixed
        secretary = dialog.add_attendee("state")
        secretary.name.setText("Ing. Ramón Ibáñez")  # keyClicks cannot type accents offscreen
        secretary.role.setCurrentIndex(secretary.role.findData("secretario_tecnico"))
        guest = dialog.add_attendee("partner")
        guest.name.setText("Ms. Laura Gómez")
        guest.role.setCurrentIndex(guest.role.findData("invitado"))
        assert not guest.vote.isChecked()  # a guest does not vote
        dialog.called_known.setChecked(True)
        dialog.called_on.setDate(QDate(2026, 4, 12))
        dialog.voting_members.setValue(5)
        dialog.criteria.setPlainText("Agua potable primero\nMás beneficiarios por peso")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert dialog.result() == dialog.DialogCode.Accepted
        return dialog.result_session

    monkeypatch.setattr(SessionDialog, "ask", classmethod(drive))
    qtbot.mouseClick(view.edit_button, Qt.MouseButton.LeftButton)
    stored = get_session(empty_db, info.id)
    assert [a.name for a in stored.attendees] == [
        "Lic. Ana Lucía Bermúdez",
        "C. Rosa María Núñez Castañeda",
        "Sr. José Ángel Ortiz",
        "Ing. Ramón Ibáñez",
        "Ms. Laura Gómez",
    ]
    assert stored.holder("secretario_tecnico").name == "Ing. Ramón Ibáñez"
    assert (stored.called_on, stored.voting_members, stored.voters) == (date(2026, 4, 12), 5, 4)
    assert stored.criteria_lines == ("Agua potable primero", "Más beneficiarios por peso")
    assert "Quorum: 4 of 5" in view.state_label.text()

    # Marked final (after a confirmation): nothing can be edited, a new version can be opened.
    qtbot.mouseClick(view.final_button, Qt.MouseButton.LeftButton)
    assert confirmations and "final" in confirmations[-1]
    assert get_session(empty_db, info.id).final
    assert not view.edit_button.isEnabled() and not view.add_button.isEnabled()
    assert view.version_button.isEnabled() and "final" in view.state_label.text()
    view.edit_session()  # a stray call (a shortcut) changes nothing
    assert [v.version for v in list_versions(empty_db, info.id)] == [1]

    view.new_version("El cargo de la presidenta estaba incompleto")
    assert view.current is not None and (view.current.version, view.current.final) == (2, False)
    assert view.edit_button.isEnabled() and not view.version_button.isEnabled()
    text = view.versions_text()
    assert _("Version {version}: final on {date} by {user}").split(":")[0].format(version=1) in text
    # Version 1 is kept as it was when final.
    assert len(session_version(empty_db, info.id, 1).attendees) == 5


def test_an_edit_that_breaks_the_rules_keeps_the_dialog_open(qtbot, empty_db):
    set_language("en")
    info = create_session(empty_db, SessionInput("2/2026", date(2026, 6, 1), "Jerez"))
    dialog = SessionDialog(empty_db, existing=info)
    qtbot.addWidget(dialog)
    dialog.called_known.setChecked(True)
    dialog.called_on.setDate(QDate(2026, 7, 1))  # called after it was held
    assert not dialog.submit()
    assert "called_on" in dialog.errors.texts()
    assert get_session(empty_db, info.id).called_on is None


def test_the_attendance_starts_from_the_officials_in_office_on_the_session_date(qtbot, empty_db):
    set_language("es")
    add_official(
        empty_db,
        OfficialInput("delegado_federal", "Lic. Héctor Ramírez", date(2013, 1, 1), date(2018, 12, 31)),
    )
    add_official(empty_db, OfficialInput("delegado_federal", "Lic. Ana Lucía Bermúdez", date(2019, 1, 1)))
    add_official(
        empty_db, OfficialInput("presidente_municipal", "C. Rosa María Castañeda", date(2016, 9, 15))
    )
    dialog = SessionDialog(empty_db, today=date(2017, 5, 1))
    qtbot.addWidget(dialog)
    dialog.held_on.setDate(QDate(2017, 5, 12))
    qtbot.mouseClick(dialog.officials_button, Qt.MouseButton.LeftButton)
    filled = {row.party.currentData(): row for row in dialog.rows if not row.blank()}
    # The blank rows of those parties are used; the 2017 delegate is the SEDESOL's, not today's.
    assert len(dialog.rows) == 4
    assert (
        filled["federal"].name.text() == "Lic. Héctor Ramírez"
        and "SEDESOL" in filled["federal"].position.text()
    )
    assert filled["municipal"].name.text() == "C. Rosa María Castañeda"
    assert dialog.add_officials() == 0  # pressed again: nobody is added twice


def test_votes_are_typed_with_each_ruling_and_must_add_up(qtbot, empty_db, prevalidated, confirmations):
    set_language("en")
    info = create_session(
        empty_db,
        SessionInput(
            "3/2026",
            date(2026, 7, 1),
            "Jerez",
            attendees=(
                AttendeeInput("federal", "Lic. Ana Lucía Bermúdez", "Delegada", role="presidente"),
                AttendeeInput("state", "Ing. Ramón Ibáñez", "Secretaría", role="secretario_tecnico"),
                AttendeeInput("club", "Sr. José Ángel Ortiz", "Federación"),
            ),
        ),
    )
    project = next(iter(prevalidated.values()))
    info = add_to_agenda(empty_db, info.id, [project])
    dialog = RulingsDialog(empty_db, info)
    qtbot.addWidget(dialog)
    dialog.set_ruling(project, "aprobado", 80, votes=(3, 1, 0))  # four votes, three members with vote
    assert not dialog.submit()
    assert dialog.row_for(project).error.isVisibleTo(dialog)
    assert "3" in dialog.row_for(project).error.text() and "4" in dialog.row_for(project).error.text()
    dialog.set_ruling(project, "aprobado", 80, votes=(2, 1, 0))
    assert dialog.submit()
    line = get_session(empty_db, info.id).agenda[0]
    assert (line.votes_for, line.votes_against, line.abstentions, line.effective_on) == (
        2,
        1,
        0,
        date(2026, 7, 1),
    )
