"""The COVAM page and its dialogs, driven through real widgets on a database built with the services."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from tests.services.test_registry_and_projects import club_input, project_input
from tresxuno.db.engine import Database, open_database
from tresxuno.domain.problems import Problem
from tresxuno.formatting import party_label, session_kind_label, stage_label
from tresxuno.i18n import _, language, ngettext, set_language
from tresxuno.messages import describe
from tresxuno.services.attachments import attach_document, project_checklist
from tresxuno.services.clubs import register_club
from tresxuno.services.covam import (
    AttendeeInput,
    SessionInput,
    add_to_agenda,
    create_session,
    get_session,
    list_sessions,
)
from tresxuno.services.project_requests import submit_project
from tresxuno.services.projects import get_project
from tresxuno.services.stages import move_project
from tresxuno.ui.dialogs.session import AgendaPickerDialog, RulingsDialog, SessionDialog
from tresxuno.ui.views.covam import AGENDA_COLUMNS, CovamView

from .conftest import OFFSCREEN_SIZE_HINTS

STAGE_COLUMN = [h for h, _a in AGENDA_COLUMNS].index("Stage")
RULING_COLUMN = [h for h, _a in AGENDA_COLUMNS].index("Ruling")
COST_COLUMN = [h for h, _a in AGENDA_COLUMNS].index("Cost (MXN)")
pytestmark = OFFSCREEN_SIZE_HINTS

NAMES = ("Pavimentación de la calle Hidalgo", "Domo de la escuela primaria", "Pozo de agua potable")


@pytest.fixture(autouse=True)
def confirmations(monkeypatch) -> list[str]:
    """Yes to every confirmation, each question kept (applying rulings asks once per batch)."""
    from tresxuno.ui import prompts

    asked: list[str] = []
    monkeypatch.setattr(prompts, "confirm", lambda parent, title, text, **kw: asked.append(text) or True)
    return asked


def _attach_all(db: Database, project_id: int, folder: Path) -> None:
    for item in project_checklist(db, project_id):
        scan = folder / f"{project_id}-{item.requirement.id}.pdf"
        scan.write_bytes(b"%PDF-1.4 " + scan.name.encode())
        attach_document(db, project_id, item.requirement.id, scan, user="capturista")


def _build(db: Database, folder: Path) -> dict[str, int]:
    """Three pre-validated projects with every document, and one pre-validated without its documents."""
    club = register_club(db, club_input())
    ids = {}
    for name in (*NAMES, "Cancha de usos múltiples"):
        project = submit_project(db, project_input(club.id, name=name))
        if name in NAMES:
            _attach_all(db, project.id, folder)
        move_project(db, project.id, "prevalidado")
        ids[name] = project.id
    return ids


@pytest.fixture(scope="module")
def _template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """Built once with the services; each test gets its own copy of the file."""
    folder = tmp_path_factory.mktemp("covam")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRESXUNO_DATA_DIR", str(folder / "data"))
        db = open_database(str(folder / "template.sqlite"))
        try:
            ids = _build(db, folder)
        finally:
            db.dispose()
    return folder / "template.sqlite", ids


@pytest.fixture
def empty_db(_template, tmp_path) -> Iterator[Database]:
    """No COVAM session yet; four pre-validated projects (see :func:`_build`)."""
    path = tmp_path / "t.sqlite"
    shutil.copyfile(_template[0], path)
    db = open_database(str(path))
    yield db
    db.dispose()


@pytest.fixture
def prevalidated(_template) -> dict[str, int]:
    """Project ids by name in :func:`empty_db`."""
    return _template[1]


@pytest.fixture
def view(qtbot, empty_db) -> Iterator[CovamView]:
    """The page inside a plain window, shown (window shortcuts need a visible, active window)."""
    window = QWidget()
    qtbot.addWidget(window)
    page = CovamView(empty_db, window)
    QVBoxLayout(window).addWidget(page)
    window.resize(1200, 760)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    yield page  # the window stays referenced (alive) until the test ends


def _fill_session_dialog(qtbot, dialog: SessionDialog) -> None:
    qtbot.keyClicks(dialog.number, "1/2026")
    dialog.held_on.setDate(QDate(2026, 5, 12))
    dialog.place.setText("Sala de Cabildo, Jerez")
    dialog.kind.setCurrentIndex(dialog.kind.findData("ordinaria"))
    qtbot.keyClicks(dialog.notes, "Primera sesion ordinaria")
    federal, state, municipal, club = dialog.rows
    federal.name.setText("Lic. Ana Lucía Bermúdez")
    federal.position.setText("Delegada de Bienestar")
    state.name.setText("Ing. Ramón Ibáñez")
    municipal.name.setText("C. Rosa María Núñez")
    club.name.setText("Sr. José Ángel Ortiz")


def test_a_session_is_created_through_the_real_dialog(qtbot, view, empty_db, monkeypatch):
    set_language("es")
    assert view.pages.currentIndex() == 1  # the empty state, explaining what to do
    assert view.message_new.isVisible() and not view.message_all.isVisible()

    def drive(cls, parent, db, **kwargs):
        dialog = cls(db, parent, today=date(2026, 5, 1))
        qtbot.addWidget(dialog)
        assert [r.party.currentData() for r in dialog.rows] == ["federal", "state", "municipal", "club"]
        _fill_session_dialog(qtbot, dialog)
        extra = dialog.add_attendee("partner")
        assert extra.remove.accessibleName() == _("Remove attendee {n}").format(n=5)
        qtbot.mouseClick(extra.remove, Qt.MouseButton.LeftButton)  # changed their mind
        assert len(dialog.rows) == 4
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert dialog.result() == dialog.DialogCode.Accepted
        return dialog.result_session

    monkeypatch.setattr(SessionDialog, "ask", classmethod(drive))
    qtbot.keyClick(view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)

    [stored] = list_sessions(empty_db)
    info = get_session(empty_db, stored.id)
    assert (info.number, info.held_on, info.place, info.kind, info.notes) == (
        "1/2026",
        date(2026, 5, 12),
        "Sala de Cabildo, Jerez",
        "ordinaria",
        "Primera sesion ordinaria",
    )
    assert [(a.party, a.name) for a in info.attendees] == [
        ("federal", "Lic. Ana Lucía Bermúdez"),
        ("state", "Ing. Ramón Ibáñez"),
        ("municipal", "C. Rosa María Núñez"),
        ("club", "Sr. José Ángel Ortiz"),
    ]

    # The list shows it, in es-MX, and it is chosen; the attendees are grouped by translated party.
    assert view.pages.currentIndex() == 0
    row = [view.sessions.item(0, c).text() for c in range(view.sessions.columnCount())]
    assert row == [
        "1/2026",
        "12/05/2026",
        "Sala de Cabildo, Jerez",
        session_kind_label("ordinaria"),
        "0",
        _("agenda empty"),
    ]
    assert view.current is not None and view.current.id == stored.id
    groups = [view.attendees.topLevelItem(i).text(0) for i in range(view.attendees.topLevelItemCount())]
    assert groups == [f"{party_label(p)} (1)" for p in ("club", "federal", "state", "municipal")]
    assert view.attendees.topLevelItem(1).child(0).text(1) == "Delegada de Bienestar"
    # No agenda yet: the page says how to fill it, and there is nothing to rule.
    assert view.agenda_pages.currentWidget() is view.agenda_empty
    assert not view.rule_button.isEnabled() and view.add_button.isEnabled()
    one = ngettext("{count} COVAM session", "{count} COVAM sessions", 1)
    assert view.status_text() == one.format(count=1)


def test_the_session_dialog_shows_each_problem_under_its_field_and_keeps_the_entries(qtbot, empty_db):
    create_session(empty_db, SessionInput("1/2026", date(2026, 4, 2), "Jerez"))
    dialog = SessionDialog(empty_db, today=date(2026, 5, 1))
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.number, "1/2026")  # taken
    dialog.rows[1].position.setText("Secretario")  # a position without a name
    assert not dialog.submit()

    texts = dialog.errors.texts()
    assert texts["number"] == describe(
        Problem("number", "session.duplicate_number", {"number": "1/2026"}), with_field=False
    )
    assert texts["place"] == describe(Problem("place", "text.required", {}), with_field=False)
    # The blank rows were left out, so the problem lands on the second row, where the officer typed.
    assert dialog.rows[1].error.isVisibleTo(dialog) and not dialog.rows[0].error.isVisibleTo(dialog)
    assert dialog.rows[1].name.accessibleDescription() == dialog.rows[1].error.text()
    assert dialog.number.text() == "1/2026" and dialog.rows[1].position.text() == "Secretario"
    assert len(list_sessions(empty_db)) == 1

    dialog.number.setText("2/2026")
    dialog.place.setText("Jerez")
    dialog.rows[1].name.setText("Ing. Ramón Ibáñez")
    assert dialog.submit()
    assert dialog.result_session.attendees == (AttendeeInput("state", "Ing. Ramón Ibáñez", "Secretario"),)


def test_pre_validated_projects_go_on_the_agenda_and_refusals_say_why(
    qtbot, view, empty_db, prevalidated, monkeypatch
):
    session = create_session(empty_db, SessionInput("1/2016", date(2016, 5, 12), "Jerez"))
    view.refresh()
    bad = prevalidated["Cancha de usos múltiples"]
    shown: dict[str, object] = {}

    def drive(cls, parent, db, chosen):
        dialog = cls(db, chosen, parent)
        qtbot.addWidget(dialog)
        assert dialog.table.rowCount() == 4
        # Search narrows the list; ticks survive it.
        qtbot.keyClicks(dialog.search, "Pozo")
        dialog.reload()
        assert dialog.table.rowCount() == 1
        dialog.table.setFocus()
        dialog.table.setCurrentCell(0, 2)
        qtbot.keyClick(dialog.table, Qt.Key.Key_Space)  # ticks the row wherever the cursor is
        dialog.search.clear()
        dialog.reload()
        for name in (*NAMES[:2], "Cancha de usos múltiples"):
            dialog.tick(prevalidated[name])
        assert set(dialog.ticked) == set(prevalidated.values())
        dialog.show()  # a dialog's default button answers Enter only while it is shown
        qtbot.waitExposed(dialog)
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)  # searches; adds nothing
        assert dialog.result_session is None and not dialog.problems
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
        # Refused: nothing added, and the project without documents says why in its row.
        assert dialog.result_session is None
        missing = "; ".join(i.requirement.name(language()) for i in project_checklist(db, bad))
        expected = describe(
            Problem("", "documents.missing", {"count": 4, "documents": missing}), with_field=False
        )
        assert dialog.problems == {bad: expected}
        [row] = [r for r in range(dialog.table.rowCount()) if dialog.table.item(r, 0).data(256) == bad]
        assert dialog.table.item(row, dialog.table.columnCount() - 1).text() == expected
        assert not dialog.table.isColumnHidden(dialog.table.columnCount() - 1)
        shown["general"] = dialog.general.text()
        assert get_project(db, prevalidated[NAMES[0]]).stage == "prevalidado"
        dialog.tick(bad, False)
        assert dialog.submit()
        return dialog.result_session

    monkeypatch.setattr(AgendaPickerDialog, "ask", classmethod(drive))
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)

    missing = get_session(empty_db, session.id)
    assert [line.project_id for line in missing.agenda] == [prevalidated[n] for n in (NAMES[2], *NAMES[:2])]
    assert "Cancha" not in str(missing.agenda)
    folio = get_project(empty_db, bad).folio
    assert folio in str(shown["general"])
    # The agenda table shows the projects at the COVAM, costs right-aligned in es-MX.
    assert view.agenda.rowCount() == 3
    assert {view.agenda.item(r, STAGE_COLUMN).text() for r in range(3)} == {stage_label("en_covam")}
    cost = view.agenda.item(0, COST_COLUMN)
    assert cost.text() == "$7,276,406.19"
    assert Qt.AlignmentFlag(cost.textAlignment()) & Qt.AlignmentFlag.AlignRight
    assert view.rule_button.isEnabled()
    ruled = ngettext("{ruled} of {total} ruled", "{ruled} of {total} ruled", 3)  # plural: 3 projects
    assert view.sessions.item(0, 5).text() == ruled.format(ruled=0, total=3)


@pytest.fixture
def on_agenda(empty_db, prevalidated) -> tuple[int, list[int]]:
    session = create_session(
        empty_db,
        SessionInput(
            "1/2016",
            date(2016, 5, 12),
            "Jerez",
            attendees=(
                # The chair attends: without the president there is no quorum and no ruling.
                AttendeeInput(
                    "federal", "Lic. Ana Lucía Bermúdez", "Delegada de la SEDESOL", role="presidente"
                ),
                AttendeeInput("club", "Sr. José Ángel Ortiz", "Federación Zacatecana"),
            ),
        ),
    )
    ids = [prevalidated[n] for n in NAMES]
    add_to_agenda(empty_db, session.id, ids)
    return session.id, ids


def test_rulings_are_applied_together_and_the_stages_change_in_the_table(
    qtbot, view, empty_db, on_agenda, monkeypatch, confirmations
):
    _session_id, (approve, reject, give_back) = on_agenda
    view.refresh()

    def drive(cls, parent, db, session):
        dialog = cls(db, session, parent)
        qtbot.addWidget(dialog)
        assert [row.line.project_id for row in dialog.rows] == [approve, reject, give_back]
        dialog.set_ruling(approve, "aprobado", 90, "Presentar permiso de construcción")
        dialog.set_ruling(reject, "rechazado", 20, "El predio no está acreditado")
        dialog.set_ruling(give_back, "devuelto", None, "Falta el presupuesto actualizado")
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
        return dialog.result_session

    monkeypatch.setattr(RulingsDialog, "ask", classmethod(drive))
    qtbot.mouseClick(view.rule_button, Qt.MouseButton.LeftButton)

    assert [get_project(empty_db, p).stage for p in (approve, reject, give_back)] == [
        "aprobado",
        "rechazado",
        "devuelto",
    ]
    table = view.agenda
    assert [table.item(r, STAGE_COLUMN).text() for r in range(3)] == [
        stage_label(s) for s in ("aprobado", "rechazado", "devuelto")
    ]
    assert [table.item(r, RULING_COLUMN).text() for r in range(3)] == [
        stage_label(s) for s in ("aprobado", "rechazado", "devuelto")
    ]
    assert not view.rule_button.isEnabled()  # nothing left to rule
    assert len(confirmations) == 1 and "3" in confirmations[0]
    ruled = ngettext("{ruled} of {total} ruled", "{ruled} of {total} ruled", 3)  # plural: 3 projects
    assert view.sessions.item(0, 5).text() == ruled.format(ruled=3, total=3)


def test_a_batch_with_one_bad_ruling_writes_nothing_and_keeps_the_entries(qtbot, empty_db, on_agenda):
    session_id, (approve, reject, give_back) = on_agenda
    dialog = RulingsDialog(empty_db, get_session(empty_db, session_id))
    qtbot.addWidget(dialog)
    dialog.set_ruling(approve, "aprobado", 90)
    dialog.set_ruling(reject, "rechazado", 20, "")  # a rejection without reasons
    dialog.set_ruling(give_back, "devuelto", None, "Falta el presupuesto actualizado")
    assert not dialog.submit()

    expected = describe(
        Problem(f"project[{reject}]", "ruling.reason_required", {"ruling": "rechazado"}), with_field=False
    )
    row = dialog.row_for(reject)
    assert row.error.isVisibleTo(dialog) and row.error.text() == expected
    assert not dialog.row_for(approve).error.isVisibleTo(dialog)
    assert [get_project(empty_db, p).stage for p in (approve, reject, give_back)] == ["en_covam"] * 3
    assert all(line.ruling is None for line in get_session(empty_db, session_id).agenda)
    # The officer's entries are all still there, to correct and apply again.
    assert dialog.row_for(approve).ruling.currentData() == "aprobado"
    assert dialog.row_for(approve).priority.value() == 90
    assert dialog.row_for(give_back).conditions.text() == "Falta el presupuesto actualizado"

    row.conditions.setText("El predio no está acreditado")
    assert dialog.submit()
    assert get_project(empty_db, reject).stage == "rechazado"


def test_rows_left_without_a_ruling_stay_at_the_covam(qtbot, empty_db, on_agenda, confirmations, monkeypatch):
    from tresxuno.ui import prompts

    session_id, (approve, reject, give_back) = on_agenda
    dialog = RulingsDialog(empty_db, get_session(empty_db, session_id))
    qtbot.addWidget(dialog)
    assert not dialog.submit()  # nothing chosen: said, not stored, not even asked
    assert dialog.general.isVisibleTo(dialog) and dialog.general.text()
    assert confirmations == []
    dialog.set_ruling(approve, "aprobado", 75)
    monkeypatch.setattr(prompts, "confirm", lambda *a, **k: False)  # the officer thinks again
    assert not dialog.submit()
    assert get_project(empty_db, approve).stage == "en_covam"
    monkeypatch.setattr(prompts, "confirm", lambda *a, **k: True)
    assert dialog.submit()
    assert [get_project(empty_db, p).stage for p in (approve, reject, give_back)] == [
        "aprobado",
        "en_covam",
        "en_covam",
    ]


def test_an_agenda_row_opens_its_project_and_the_year_filter_narrows_the_list(
    qtbot, view, empty_db, on_agenda
):
    session_id, ids = on_agenda
    create_session(empty_db, SessionInput("1/2017", date(2017, 4, 20), "Fresnillo", kind="extraordinaria"))
    view.refresh()
    assert [view.sessions.item(r, 0).text() for r in range(view.sessions.rowCount())] == ["1/2017", "1/2016"]
    view.year.setCurrentIndex(view.year.findData(2016))
    assert view.sessions.rowCount() == 1 and view.current.id == session_id

    view.agenda.setFocus()
    view.agenda.setCurrentCell(1, 0)
    with qtbot.waitSignal(view.open_record) as signal:
        qtbot.keyClick(view.agenda, Qt.Key.Key_Return)
    assert signal.args == ["project", ids[1]]

    view.year.setCurrentIndex(view.year.findData(2017))
    assert view.agenda_pages.currentWidget() is view.agenda_empty
    assert view.title.text().startswith(_("Session {number} — {kind}, {date}, {place}").split("{")[0])
    assert "20/04/2017" in view.title.text()


def test_tab_walks_the_page_in_reading_order(qtbot, view, empty_db, on_agenda):
    view.refresh()
    view.year.setFocus()
    reached = []
    for _step in range(6):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    assert reached == [
        view.new_button,
        view.sessions,
        view.attendees,
        view.agenda,
        view.add_button,
        view.rule_button,
    ]
    for widget in (view.year, view.sessions, view.attendees, view.agenda):
        assert widget.accessibleName()
