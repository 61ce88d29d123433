"""The project record: documents, stage moves, history and progress, driven through real widgets."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from tests.services.test_registry_and_projects import project_input
from tresxuno.db.engine import Database, open_database
from tresxuno.domain.actor import current_actor
from tresxuno.domain.problems import Problem
from tresxuno.domain.stages import TRANSITIONS, Stage
from tresxuno.domain.validation import ClubInput
from tresxuno.formatting import date_text, stage_label
from tresxuno.i18n import _, language
from tresxuno.messages import describe
from tresxuno.services.attachments import attach_document, attachment_file, project_checklist
from tresxuno.services.clubs import register_club
from tresxuno.services.project_requests import save_draft, submit_project
from tresxuno.services.projects import get_project, project_overview
from tresxuno.services.stages import move_project
from tresxuno.ui import prompts as prompts_module
from tresxuno.ui.views import project_detail, project_record_documents, projects
from tresxuno.ui.views.project_detail import CommentDialog, ProjectRecord

from .conftest import OFFSCREEN_SIZE_HINTS

pytestmark = OFFSCREEN_SIZE_HINTS

TODAY = date.today()


@pytest.fixture(scope="module")
def _migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrating and loading the INEGI catalogue once per module keeps each test fast."""
    path = tmp_path_factory.mktemp("migrated") / "template.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRESXUNO_DATA_DIR", str(path.parent / "data"))
        open_database(str(path)).dispose()
    return path


@pytest.fixture
def empty_db(_migrated: Path, tmp_path: Path) -> Iterator[Database]:
    """A private migrated database with the INEGI catalogue and nothing else (copied from a template)."""
    path = tmp_path / "t.sqlite"
    shutil.copyfile(_migrated, path)
    db = open_database(str(path))
    yield db
    db.dispose()


def _register(db, folio: str, issued: date):
    expires = issued.replace(year=issued.year + 2) - timedelta(days=1)
    return register_club(
        db,
        ClubInput(
            name=f"Club {folio}",
            toma_folio=folio,
            toma_issuer="Consulado de México en Chicago",
            toma_issued_on=issued,
            toma_expires_on=expires,
            members=25,
            us_city="Chicago",
            us_state="IL",
            home_state_key="32",
            home_municipality_key="32020",
        ),
    )


@pytest.fixture
def club(empty_db):
    return _register(empty_db, "TN-CHI-0001", TODAY - timedelta(days=100))


@pytest.fixture
def project(empty_db, club):
    return submit_project(empty_db, project_input(club.id, submitted_on=TODAY), user="ventanilla")


@pytest.fixture
def open_record(qtbot, empty_db):
    def make(project_id: int) -> ProjectRecord:
        record = ProjectRecord(empty_db, project_id, today=TODAY)
        qtbot.addWidget(record)
        record.show()
        qtbot.waitExposed(record)
        return record

    return make


@pytest.fixture
def comment(monkeypatch):
    """Answer every stage move's comment box with the given text."""
    answers: list[tuple[str, bool]] = []

    def answer(text: str | None):
        def fake(parent, title, prompt, *, required=False):
            answers.append((prompt, required))
            return text

        monkeypatch.setattr(CommentDialog, "ask", fake)
        return answers

    return answer


def _doc_line(record: ProjectRecord, kind: str):
    assert record.select_requirement(kind)
    return record.documents.currentItem()


def test_attaching_a_document_marks_it_delivered_with_its_sha256(
    qtbot, open_record, project, empty_db, tmp_path, monkeypatch
):
    record = open_record(project.id)
    record.tabs.setCurrentIndex(2)
    line = _doc_line(record, "solicitud")
    assert line.text(1) == _("Missing") and not line.icon(1).isNull()
    assert not record.open_button.isEnabled()

    scan = tmp_path / "solicitud firmada.pdf"
    scan.write_bytes(b"%PDF-1.4 solicitud 3x1-B firmada")
    asked: list[str] = []
    monkeypatch.setattr(
        prompts_module,
        "choose_open_file",
        lambda parent, title, name_filter="", directory="": asked.append(title) or str(scan),
    )
    qtbot.mouseClick(record.attach_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: record.attach_task is not None and not record.attach_task.running, timeout=5000)
    qtbot.waitUntil(lambda: _doc_line(record, "solicitud").text(1) == _("Delivered"))

    digest = hashlib.sha256(scan.read_bytes()).hexdigest()
    line = _doc_line(record, "solicitud")
    assert not line.icon(1).isNull()
    assert line.childCount() == 1
    child = line.child(0)
    assert (child.text(0), child.text(2), child.text(4)) == (
        "solicitud firmada.pdf",
        date_text(TODAY),
        digest[:12],
    )
    assert child.toolTip(4) == digest
    stored = next(i for i in project_checklist(empty_db, project.id) if i.requirement.id == "solicitud")
    assert stored.attachments[0].sha256 == digest
    assert attachment_file(empty_db, stored.attachments[0].id).read_bytes() == scan.read_bytes()
    assert record.did_change
    assert "3x1-B" in asked[0]  # the officer is told which document is asked for

    opened = []
    monkeypatch.setattr(project_record_documents, "open_file", lambda path: opened.append(path) or True)
    record.documents.setCurrentItem(child)
    assert record.open_button.isEnabled()
    qtbot.mouseClick(record.open_button, Qt.MouseButton.LeftButton)
    assert opened == [attachment_file(empty_db, stored.attachments[0].id)]


@pytest.mark.parametrize("forged", ["/usr/bin/xcalc", "../../etc/passwd"])
def test_a_forged_stored_path_is_never_handed_to_the_desktop(
    qtbot, open_record, project, empty_db, tmp_path, monkeypatch, prompts, forged
):
    """Issue 12 item 13: a stored name outside the attachments folder is refused, with its reason.

    A copy kept on disk by an earlier release (no bytes in the database) is what a forged name can
    point at; bytes kept in the database are always opened from the app's own copy.
    """
    from sqlalchemy import text

    scan = tmp_path / "solicitud.pdf"
    scan.write_bytes(b"%PDF-1.4 solicitud")
    info = attach_document(empty_db, project.id, "solicitud", scan)
    with empty_db.engine.begin() as connection:
        connection.execute(text("DELETE FROM attachment_contents"))
        connection.execute(
            text("UPDATE attachments SET stored_path = :p WHERE id = :id"), {"p": forged, "id": info.id}
        )
    record = open_record(project.id)
    record.tabs.setCurrentIndex(2)
    record.documents.setCurrentItem(_doc_line(record, "solicitud").child(0))
    opened: list[Path] = []
    monkeypatch.setattr(project_record_documents, "open_file", lambda path: opened.append(path) or True)
    qtbot.mouseClick(record.open_button, Qt.MouseButton.LeftButton)
    assert opened == []
    [(_icon, _title, message, _details)] = prompts.messages
    assert forged in message


def test_only_allowed_moves_are_offered_and_covam_waits_for_the_documents(
    qtbot, open_record, project, empty_db, comment, prompts, tmp_path
):
    move_project(empty_db, project.id, "prevalidado", user="revisor")
    record = open_record(project.id)
    assert set(record.stage_buttons) == {s.value for s in TRANSITIONS[Stage.PREVALIDADO]}
    assert record.stage_label.text() == stage_label("prevalidado")
    assert not record.edit_button.isVisible()

    answers = comment("Expediente revisado")
    qtbot.mouseClick(record.stage_buttons["en_covam"], Qt.MouseButton.LeftButton)
    missing = [i.requirement for i in project_checklist(empty_db, project.id)]
    expected = describe(
        Problem(
            "documents",
            "documents.missing",
            {"count": len(missing), "documents": "; ".join(r.name(language()) for r in missing)},
        )
    )
    assert expected in prompts.messages[-1][2]
    assert get_project(empty_db, project.id).stage == "prevalidado"
    assert answers and answers[0][1] is False  # a move forward needs no reason

    for item in missing:
        scan = tmp_path / f"{item.id}.pdf"
        scan.write_bytes(item.id.encode())
        attach_document(empty_db, project.id, item.id, scan)
    qtbot.mouseClick(record.stage_buttons["en_covam"], Qt.MouseButton.LeftButton)
    assert get_project(empty_db, project.id).stage == "en_covam"
    assert record.stage_label.text() == stage_label("en_covam")
    assert set(record.stage_buttons) == {s.value for s in TRANSITIONS[Stage.EN_COVAM]}
    last = record.history.rowCount() - 1
    assert [record.history.item(last, c).text() for c in range(1, 5)] == [
        stage_label("prevalidado"),
        stage_label("en_covam"),
        current_actor().username,
        "Expediente revisado",
    ]
    assert record.history.item(last, 0).text() == date_text(
        project_overview(empty_db, project.id).history[-1].changed_at
    )
    assert record.did_change


def test_a_return_needs_a_reason_and_cancelling_the_comment_moves_nothing(
    qtbot, open_record, project, empty_db, comment
):
    record = open_record(project.id)
    answers = comment(None)
    qtbot.mouseClick(record.stage_buttons["devuelto"], Qt.MouseButton.LeftButton)
    assert answers[-1][1] is True
    assert get_project(empty_db, project.id).stage == "solicitado" and not record.did_change

    box = CommentDialog(record, "t", "p", required=True)
    qtbot.addWidget(box)
    box.show()
    qtbot.mouseClick(box.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert box.isVisible() and box.error.isVisible()
    box.text.setPlainText("Falta el expediente técnico")
    qtbot.mouseClick(box.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert not box.isVisible()


def test_a_draft_is_submitted_from_the_record_with_the_toma_checked(
    qtbot, open_record, empty_db, comment, prompts
):
    lapsed = _register(empty_db, "TN-CHI-0009", date(TODAY.year - 5, 1, 10))
    draft = save_draft(empty_db, project_input(lapsed.id))
    record = open_record(draft.id)
    assert record.edit_button.isVisible()
    assert set(record.stage_buttons) == {"solicitado", "cancelado"}
    assert record.data_values["requested_on"].text() == _("Not submitted yet (draft)")
    comment("Captura completa")
    qtbot.mouseClick(record.stage_buttons["solicitado"], Qt.MouseButton.LeftButton)
    sentence = describe(
        Problem(
            "club",
            "club.toma_lapsed",
            {
                "club": lapsed.name,
                "folio": lapsed.toma_folio,
                "expired_on": lapsed.toma_expires_on.isoformat(),
            },
        )
    )
    assert sentence in prompts.messages[-1][2]
    assert get_project(empty_db, draft.id).stage == "borrador"


def test_shares_tab_shows_the_stored_split_and_where_its_rules_come_from(open_record, club, empty_db):
    big = submit_project(empty_db, project_input(club.id, cost=450_000_000, submitted_on=TODAY))
    record = open_record(big.id)
    table = record.shares_table
    rows = {table.item(r, 0).data(project_detail.RawRole): r for r in range(table.rowCount())}
    assert list(rows) == ["club", "federal", "state", "municipal", "total"]
    assert table.item(rows["federal"], 1).text() == "$1,000,000.00"
    assert table.item(rows["federal"], 3).text() == _("capped")
    assert not table.item(rows["federal"], 3).icon().isNull()
    assert table.item(rows["total"], 1).text() == "$4,500,000.00"
    assert record.rule_label.text() == "3x1-public-works v2"
    assert _("not verified: check it against the official rules") in record.source_label.text()
    # The 2016 project cites that year's Reglas de Operación, in Spanish, never an internal file.
    assert (
        "Reglas de Operación del Programa 3x1 para Migrantes para el ejercicio fiscal 2016, DOF 29/12/2015"
        in record.source_label.text()
    )
    assert record.override_label.text() == _("The rule set's mix")
    assert record.cap_label.text() == _("No")


def test_the_record_shows_the_agreed_split_and_who_authorised_exceeding_the_cap(open_record, club, empty_db):
    from tresxuno.domain.allocation import CapAuthorisation
    from tresxuno.domain.parties import Party

    auth = CapAuthorisation(Party.FEDERAL, "Lic. Ana Ruiz", "Obra de alto impacto social", "Oficio 211/2016")
    stored = submit_project(
        empty_db,
        project_input(club.id, submitted_on=TODAY, joint_split_bp=3000, cap_authorisations=(auth,)),
    )
    record = open_record(stored.id)
    table = record.shares_table
    rows = {table.item(r, 0).data(project_detail.RawRole): r for r in range(table.rowCount())}
    assert table.item(rows["federal"], 1).text() == "$1,819,101.55"
    assert table.item(rows["federal"], 3).text() == _("above its cap, authorised")
    text = record.cap_label.text()
    for needle in ("$1,819,101.55", "$1,000,000.00", "Lic. Ana Ruiz", "Oficio 211/2016", "alto impacto"):
        assert needle in text
    assert "30.00 %" in record.override_label.text()


def test_progress_is_recorded_beside_an_empty_money_column(qtbot, open_record, project, empty_db, tmp_path):
    for item in project_checklist(empty_db, project.id):
        scan = tmp_path / f"{item.requirement.id}.pdf"
        scan.write_bytes(item.requirement.id.encode())
        attach_document(empty_db, project.id, item.requirement.id, scan)
    record = open_record(project.id)
    assert not record.progress_button.isEnabled()
    assert record.progress_empty.text() == _(
        "Progress is reported once the agreement is signed and until the works are handed over."
    )
    for stage in ("prevalidado", "en_covam", "aprobado", "convenio_firmado"):
        move_project(empty_db, project.id, stage)
    record.reload()
    assert record.progress_button.isEnabled()

    record.progress_percent.setText("cuarenta")
    qtbot.mouseClick(record.progress_button, Qt.MouseButton.LeftButton)
    assert record.progress_errors.texts()["percent"] == describe(
        Problem("percent", "percent.not_a_number", {"text": "cuarenta"}), with_field=False
    )
    record.progress_percent.setText("45.5")
    record.progress_note.setText("Cimentación terminada")
    qtbot.mouseClick(record.progress_button, Qt.MouseButton.LeftButton)
    table = record.progress_table
    assert table.rowCount() == 1
    cells = [table.item(0, c).text() for c in range(4)]
    assert cells == [date_text(TODAY), "45.5 %", "Cimentación terminada", ""]
    assert table.horizontalHeaderItem(3).text() == _("Money received / paid")
    assert record.progress_errors.texts() == {}


def test_the_list_opens_the_record_and_the_new_project_form(qtbot, small_db, monkeypatch):
    view = projects.ProjectsView(small_db)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    opened: list[int] = []
    created: list[object] = []
    monkeypatch.setattr(
        projects.ProjectRecord,
        "ask",
        classmethod(lambda cls, parent, db, project_id: opened.append(project_id) or False),
    )
    monkeypatch.setattr(
        projects.ProjectDialog,
        "ask",
        classmethod(lambda cls, parent, db, project_id=None: created.append(db) or None),
    )
    index = view.model.index(2, 0)
    view.table.setCurrentIndex(index)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    expected = view.model.data(index, projects.ProjectRole).id
    assert opened == [expected]
    rect = view.table.visualRect(view.model.index(4, 3))
    # A real double-click: press and release, then the double-click event.
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert len(opened) == 2
    assert opened[-1] == view.model.data(view.model.index(4, 0), projects.ProjectRole).id
    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    assert created == [small_db]


def test_the_main_window_way_in_opens_the_record_and_an_unknown_id_is_explained(
    project, empty_db, prompts, monkeypatch
):
    shown: list[str] = []

    def fake_exec(self):
        shown.append(self.title.text())
        return 0

    monkeypatch.setattr(ProjectRecord, "exec", fake_exec)
    assert ProjectRecord.open(None, empty_db, project.id) is False
    assert shown == [f"{project.folio} — {project.name}"]
    assert ProjectRecord.ask(None, empty_db, 9999) is False
    assert describe(Problem("project", "project.unknown", {"id": 9999})) in prompts.messages[-1][2]


def test_a_wrong_document_is_replaced_from_the_documents_tab(qtbot, open_record, project, empty_db, tmp_path):
    """Issue 15 item 6: the officer replaces a wrong scan, says why, and the checklist shows the new one."""
    from tresxuno.services.attachments import attachment_history

    wrong = tmp_path / "equivocado.pdf"
    wrong.write_bytes(b"%PDF-1.4 solicitud de otro club")
    first = attach_document(empty_db, project.id, "solicitud", wrong)
    record = open_record(project.id)
    record.tabs.setCurrentIndex(2)
    record.documents.setCurrentItem(_doc_line(record, "solicitud").child(0))
    assert record.replace_button.isEnabled()
    right = tmp_path / "solicitud.pdf"
    right.write_bytes(b"%PDF-1.4 solicitud firmada")
    record.replace_selected(str(right), "Se subió la solicitud de otro club")
    qtbot.waitUntil(
        lambda: _doc_line(record, "solicitud").child(0).text(0) == "solicitud.pdf", timeout=10_000
    )
    line = _doc_line(record, "solicitud")
    assert line.childCount() == 1 and "otro club" in line.child(0).toolTip(0)
    newest = line.child(0).data(0, project_detail.RawRole)
    assert [a.id for a in attachment_history(empty_db, newest.id)] == [newest.id, first.id]


def test_an_error_clears_as_soon_as_the_field_is_fixed_and_a_report_is_corrected(
    qtbot, open_record, project, empty_db, tmp_path, monkeypatch
):
    """Issue 15 item 7: typing in a field hides its stale error; a wrong report is corrected, with a reason."""
    from tresxuno.ui.views import project_record_progress as progress_tab

    for item in project_checklist(empty_db, project.id):
        scan = tmp_path / f"{item.requirement.id}.pdf"
        scan.write_bytes(item.requirement.id.encode())
        attach_document(empty_db, project.id, item.requirement.id, scan)
    for stage in ("prevalidado", "en_covam", "aprobado", "convenio_firmado"):
        move_project(empty_db, project.id, stage)
    record = open_record(project.id)
    record.progress_percent.setText("cuarenta")
    qtbot.mouseClick(record.progress_button, Qt.MouseButton.LeftButton)
    assert "percent" in record.progress_errors.texts()
    qtbot.keyClick(record.progress_percent, Qt.Key.Key_Backspace)  # the officer starts fixing it
    assert "percent" not in record.progress_errors.texts()
    record.progress_percent.setText("54")
    qtbot.mouseClick(record.progress_button, Qt.MouseButton.LeftButton)
    assert record.progress_table.rowCount() == 1 and not record.progress_correct_button.isEnabled()
    record.progress_table.selectRow(0)
    assert record.progress_correct_button.isEnabled()
    seen = {}

    def fix(dialog) -> int:
        qtbot.addWidget(dialog)
        dialog.percent.setText("45")
        assert dialog.save() is False  # no reason given
        seen["error"] = dialog.errors.texts().get("reason", "")
        qtbot.keyClicks(dialog.reason, "se tecleo 54 por 45")
        assert "reason" not in dialog.errors.texts()
        assert dialog.save() is True
        return dialog.result()

    monkeypatch.setattr(progress_tab.ProgressCorrectionDialog, "exec", fix)
    record.correct_selected_progress()
    assert seen["error"]
    assert record.progress_table.item(0, 1).text() == "45.0 %"


def test_the_progress_range_error_is_shown_whole(qtbot, open_record, project):
    """Issue 15 item 10: the sentence under the narrow percent field is neither cut short nor clipped."""
    record = open_record(project.id)
    record.tabs.setCurrentIndex(4)
    error = record.progress_errors.show(
        [Problem("percent", "number.out_of_range", {"value": "250", "min": 0, "max": 100})]
    )
    assert error is record.progress_percent
    qtbot.wait(20)
    label = next(e for w, e in record.progress_errors._fields.values() if w is record.progress_percent)
    assert label.isVisible() and "250" in label.text()
    assert label.width() >= label.fontMetrics().averageCharWidth() * 30
    assert label.height() >= label.heightForWidth(label.width())
