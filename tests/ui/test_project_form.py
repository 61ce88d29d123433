"""The project request form and its live split preview, driven through real widgets."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from tests.services.test_registry_and_projects import project_input
from tresxuno.db.engine import Database, open_database
from tresxuno.domain.parties import Party
from tresxuno.domain.problems import Problem
from tresxuno.domain.stages import Stage
from tresxuno.domain.validation import MIN_PROJECT_COST, ClubInput
from tresxuno.i18n import _
from tresxuno.messages import describe
from tresxuno.services.clubs import register_club
from tresxuno.services.project_requests import submit_project
from tresxuno.services.projects import count_projects, get_project, project_overview
from tresxuno.ui.dialogs.project import ProjectDialog
from tresxuno.ui.widgets.share_preview import ShareSplitPreview

from .conftest import OFFSCREEN_SIZE_HINTS

#: Showing a dialog on the offscreen platform warns about size hints too (a platform limitation).
pytestmark = OFFSCREEN_SIZE_HINTS

TODAY = date.today()
JEREZ = "32020"


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


def _club(db, name: str, folio: str, issued: date):
    expires = issued.replace(year=issued.year + 2) - timedelta(days=1)
    return register_club(
        db,
        ClubInput(
            name=name,
            toma_folio=folio,
            toma_issuer="Consulado General de México en Los Ángeles",
            toma_issued_on=issued,
            toma_expires_on=expires,
            members=30,
            us_city="Los Angeles",
            us_state="CA",
            home_state_key="32",
            home_municipality_key=JEREZ,
        ),
    )


@pytest.fixture
def club(empty_db):
    return _club(empty_db, "Club Social Jerezano", "TN-LA-0001", TODAY - timedelta(days=200))


@pytest.fixture
def lapsed_club(empty_db):
    return _club(empty_db, "Club Hijos de Jerez", "TN-LA-0002", date(TODAY.year - 4, 3, 1))


@pytest.fixture
def open_form(qtbot, empty_db):
    def make(project_id: int | None = None) -> ProjectDialog:
        dialog = ProjectDialog(empty_db, project_id, today=TODAY)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog

    return make


def _fill(dialog: ProjectDialog, club_id: int, *, year: int = 2016) -> None:
    """Club, 3x1 infrastructure in ``year``, and a name; the location follows the club's home."""
    assert dialog.club.choose(club_id)
    dialog.program.setCurrentIndex(dialog.program.findData("3x1"))
    dialog.year.setCurrentIndex(dialog.year.findData(year))
    dialog.category.setCurrentIndex(dialog.category.findData("infrastructure"))
    dialog.name.setText("Ampliación de la red de agua potable en El Tepetate")


def _settled(qtbot, preview: ShareSplitPreview) -> None:
    qtbot.waitUntil(lambda: not preview.pending(), timeout=2000)


def test_submitting_while_watching_the_live_split(qtbot, open_form, club, empty_db):
    dialog = open_form()
    _fill(dialog, club.id)
    # The club's home community is where its works usually are: the location starts there.
    assert (dialog.state.chosen(), dialog.municipality.chosen()) == ("32", JEREZ)
    preview = dialog.preview
    _settled(qtbot, preview)
    assert not preview.showing_numbers()
    assert preview.message_text() == _("Enter the total cost to see how it is shared.")

    dialog.cost.setFocus()
    typed = ""
    for digit in "4500000":
        qtbot.keyClicks(dialog.cost, digit)
        typed += digit
        # Until the typing pause ends the old numbers are greyed out, never passed off as current.
        assert preview.pending() and (not preview.showing_numbers() or not preview.table.isEnabled())
        _settled(qtbot, preview)
        cost = int(typed) * 100
        if cost < MIN_PROJECT_COST:
            # Below the smallest project cost (a $0.50 project was accepted once) the preview says so.
            assert not preview.showing_numbers()
            assert [p.code for p in preview.problems] == ["cost.too_small"], preview.message_text()
            continue
        amounts = preview.shown_amounts()
        assert amounts.pop("total") == cost
        assert sum(amounts.values()) == cost
        assert preview.table.isEnabled()
        if typed == "450000":
            assert preview.shown_texts(3)["federal"] == ""
    # Above MXN 4,000,000 the federal quarter passes its MXN 1,000,000 cap.
    assert preview.shown_amounts()["federal"] == 1_000_000_00
    markers = preview.shown_texts(3)
    assert markers["federal"] == _("capped")
    assert {k: v for k, v in markers.items() if k != "federal"} == {
        "club": "",
        "state": "",
        "municipal": "",
        "total": "",
    }
    row = next(r for r in range(preview.table.rowCount()) if preview.table.item(r, 0).text() == _("Federal"))
    assert not preview.table.item(row, 3).icon().isNull()  # an icon beside the word, not colour alone
    assert preview.table.item(row, 1).textAlignment() & Qt.AlignmentFlag.AlignRight
    assert preview.shown_texts(1)["total"] == "$4,500,000.00"

    # Enter in a field never submits a request by accident: only the button does.
    qtbot.keyClick(dialog.cost, Qt.Key.Key_Return)
    assert dialog.isVisible() and count_projects(empty_db) == 0
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_texts()
    stored = get_project(empty_db, dialog.result_detail.id)
    assert stored.stage == Stage.SOLICITADO
    assert {s.party: s.amount for s in stored.shares} == {
        k: v for k, v in preview.shown_amounts().items() if k != "total"
    }
    assert [s.party for s in stored.shares if s.capped] == ["federal"]


def test_a_lapsed_club_is_refused_with_the_date_its_toma_was_valid_until(
    qtbot, open_form, lapsed_club, empty_db
):
    dialog = open_form()
    _fill(dialog, lapsed_club.id)
    dialog.cost.setText("1,250,000.00")
    problem = Problem(
        "club",
        "club.toma_lapsed",
        {
            "club": lapsed_club.name,
            "folio": lapsed_club.toma_folio,
            "expired_on": lapsed_club.toma_expires_on.isoformat(),
        },
    )
    sentence = describe(problem, with_field=False)
    # Said as soon as the club is chosen, with an icon beside the words...
    assert dialog.toma_label.text() == sentence
    assert lapsed_club.toma_expires_on.strftime("%d/%m/%Y") in sentence
    assert dialog.toma_icon.pixmap() is not None and not dialog.toma_icon.pixmap().isNull()
    # ...and the request is refused under the club, before anything is written.
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error_texts()["club"] == sentence
    assert count_projects(empty_db) == 0


def test_a_decimal_comma_is_explained_under_the_cost_and_no_numbers_are_shown(
    qtbot, open_form, club, empty_db
):
    dialog = open_form()
    _fill(dialog, club.id)
    preview = dialog.preview
    dialog.cost.setFocus()
    qtbot.keyClicks(dialog.cost, "1234")
    _settled(qtbot, preview)
    assert preview.shown_amounts()["total"] == 1234_00

    dialog.cost.clear()
    qtbot.keyClicks(dialog.cost, "1.234,56")
    _settled(qtbot, preview)
    comma = Problem("cost", "amount.decimal_comma", {"text": "1.234,56", "suggestion": "1234.56"})
    expected = describe(comma, with_field=False)
    # The preview drops the earlier numbers and says what is wrong instead.
    assert not preview.showing_numbers() and preview.shown_amounts() == {}
    assert expected in preview.message_text()
    # Leaving the field puts the sentence under it at once.
    qtbot.keyClick(dialog.cost, Qt.Key.Key_Tab)
    assert dialog.error_texts()["cost"] == expected
    assert dialog.cost.accessibleDescription() == expected
    # Neither button writes anything while it is wrong.
    qtbot.mouseClick(dialog.draft_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.error_texts()["cost"] == expected
    assert count_projects(empty_db) == 0


def test_a_partner_in_dollars_and_a_special_mix(qtbot, open_form, club):
    dialog = open_form()
    _fill(dialog, club.id)
    preview = dialog.preview
    dialog.cost.setText("1,000,000.00")
    dialog.partner.setCurrentIndex(dialog.partner.findData("fixed-usd"))
    assert dialog.partner_amount.isEnabled() and dialog.rate.isEnabled()
    qtbot.keyClicks(dialog.partner_amount, "10000")
    _settled(qtbot, preview)
    assert not preview.showing_numbers()  # no rate yet: no pesos to show
    qtbot.keyClicks(dialog.rate, "17.5")
    assert dialog.converted.text() == "= $175,000.00 MXN"
    _settled(qtbot, preview)
    amounts = preview.shown_amounts()
    assert amounts["partner"] == 175_000_00 and amounts.pop("total") == sum(amounts.values())
    assert preview.shown_texts(3)["partner"] == _("fixed")

    dialog.partner.setCurrentIndex(dialog.partner.findData("none"))
    dialog.override.setChecked(True)
    # The grid starts from the rule set's mix.
    assert {p.value: e.text() for p, e in dialog.mix.items()} == {
        "club": "25.00",
        "federal": "25.00",
        "state": "25.00",
        "municipal": "25.00",
        "partner": "",
    }
    dialog.mix[Party.CLUB].setText("50")
    for party in (Party.STATE, Party.MUNICIPAL):
        dialog.mix[party].setText("")
    _settled(qtbot, preview)
    assert "75.00" in dialog.mix_sum.text()
    assert not preview.showing_numbers()
    assert [p.code for p in preview.problems] == ["mix.reason_required", "mix.sum"]
    dialog.mix[Party.FEDERAL].setText("50")
    dialog.mix_reason.setText("Sin aportación estatal ni municipal este año")
    _settled(qtbot, preview)
    assert preview.shown_amounts() == {"club": 500_000_00, "federal": 500_000_00, "total": 1_000_000_00}


def test_draft_reopened_changed_and_submitted_and_a_stale_form_refused(qtbot, open_form, club, empty_db):
    dialog = open_form()
    _fill(dialog, club.id)
    dialog.cost.setText("800000")
    qtbot.mouseClick(dialog.draft_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_texts()
    draft = dialog.result_detail
    assert draft.stage == Stage.BORRADOR and draft.cost == 800_000_00

    first, second = open_form(draft.id), open_form(draft.id)
    assert first.name.text() == draft.name and first.cost.text() == "800,000.00"
    assert first.municipality.chosen() == JEREZ and first.club.chosen() == club.id
    first.name.setText("Red de agua potable, primera etapa")
    qtbot.mouseClick(first.draft_button, Qt.MouseButton.LeftButton)
    assert first.result() == QDialog.DialogCode.Accepted

    # The second form was loaded before that save: it must not overwrite it.
    second.description.setPlainText("Otra versión")
    qtbot.mouseClick(second.submit_button, Qt.MouseButton.LeftButton)
    assert second.result() != QDialog.DialogCode.Accepted
    stale = describe(Problem("project", "project.changed_elsewhere", {"folio": draft.folio}))
    assert second.error_texts()["_general"] == stale
    assert get_project(empty_db, draft.id).name == "Red de agua potable, primera etapa"

    third = open_form(draft.id)
    qtbot.mouseClick(third.submit_button, Qt.MouseButton.LeftButton)
    assert third.result() == QDialog.DialogCode.Accepted, third.error_texts()
    overview = project_overview(empty_db, draft.id)
    assert overview.detail.stage == Stage.SOLICITADO and overview.requested_on == TODAY
    assert overview.detail.description == ""


def test_missing_choices_are_named_under_their_fields(qtbot, open_form, club, empty_db):
    dialog = open_form()
    qtbot.mouseClick(dialog.draft_button, Qt.MouseButton.LeftButton)
    errors = dialog.error_texts()
    required = describe(Problem("club", "text.required"), with_field=False)
    assert errors["club"] == required and errors["municipality_key"] == required
    assert errors["cost"] == describe(Problem("cost", "amount.empty"), with_field=False)
    assert dialog.focusWidget() is dialog.club
    assert count_projects(empty_db) == 0


def test_ask_returns_the_stored_project_or_refuses_a_project_past_its_request(qtbot, club, empty_db, prompts):
    requested = submit_project(empty_db, project_input(club.id, submitted_on=TODAY))
    assert ProjectDialog.ask(None, empty_db, requested.id) is None
    not_editable = describe(
        Problem("project", "project.not_editable", {"folio": requested.folio, "stage": "solicitado"})
    )
    assert not_editable in prompts.messages[-1][2]

    def fill_and_save() -> None:
        dialog = QApplication.activeModalWidget()
        try:
            assert isinstance(dialog, ProjectDialog)
            _fill(dialog, club.id, year=2017)
            dialog.cost.setText("300000")
            dialog.draft_button.click()
        finally:
            if dialog is not None and dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, fill_and_save)
    stored = ProjectDialog.ask(None, empty_db)
    assert stored is not None and stored.stage == Stage.BORRADOR and stored.fiscal_year == 2017


def test_an_edited_draft_is_put_back_by_undo_and_again_by_redo(qtbot, open_form, club, empty_db):
    from tresxuno.ui.undo import undo_stack

    undo_stack().clear()
    dialog = open_form()
    _fill(dialog, club.id)
    dialog.cost.setText("800000")
    qtbot.mouseClick(dialog.draft_button, Qt.MouseButton.LeftButton)
    draft = dialog.result_detail
    assert undo_stack().count() == 0  # a new draft is not an edit: nothing to undo yet

    form = open_form(draft.id)
    form.name.setText("Red de agua potable, primera etapa")
    form.cost.setText("950000")
    qtbot.mouseClick(form.draft_button, Qt.MouseButton.LeftButton)
    assert form.result() == QDialog.DialogCode.Accepted, form.error_texts()
    assert undo_stack().undoText() == _("edit project {folio}").format(folio=draft.folio)

    undo_stack().undo()
    back = get_project(empty_db, draft.id)
    assert (back.name, back.cost) == (draft.name, 800_000_00)
    assert sum(s.amount for s in back.shares) == 800_000_00  # shares recomputed with the cost
    undo_stack().redo()
    again = get_project(empty_db, draft.id)
    assert (again.name, again.cost) == ("Red de agua potable, primera etapa", 950_000_00)
    undo_stack().clear()


def test_the_state_and_municipality_split_their_joint_half_as_agreed(qtbot, open_form, club, empty_db):
    dialog = open_form()
    _fill(dialog, club.id)
    preview = dialog.preview
    dialog.cost.setText("1,000,000.00")
    _settled(qtbot, preview)
    # 3x1 public works: the split field is open and starts from the rule set's 25/25.
    assert dialog.joint_split.isEnabled() and dialog.joint_split.placeholderText() == "25.00"
    assert "25.00" in dialog.joint_rest.text() and "50.00" in dialog.joint_rest.text()
    qtbot.keyClicks(dialog.joint_split, "40")
    assert "10.00" in dialog.joint_rest.text()
    _settled(qtbot, preview)
    amounts = preview.shown_amounts()
    assert amounts == {
        "club": 250_000_00,
        "federal": 250_000_00,
        "state": 400_000_00,
        "municipal": 100_000_00,
        "total": 1_000_000_00,
    }
    # More than the joint half is refused under the field, naming what is allowed.
    dialog.joint_split.setText("60")
    _settled(qtbot, preview)
    assert not preview.showing_numbers()
    assert [p.code for p in preview.problems] == ["mix.joint_split_range"]

    dialog.joint_split.setText("30")
    qtbot.mouseClick(dialog.draft_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_texts()
    stored = get_project(empty_db, dialog.result_detail.id)
    assert {s.party: s.amount for s in stored.shares} == {
        "club": 250_000_00,
        "federal": 250_000_00,
        "state": 300_000_00,
        "municipal": 200_000_00,
    }
    assert stored.joint_split_bp == 3000 and stored.mix_override_reason == ""

    # The draft reopened shows the agreed split; a special mix closes the split field.
    again = open_form(stored.id)
    assert again.joint_split.text() == "30.00"
    again.override.setChecked(True)
    assert not again.joint_split.isEnabled()


def test_the_split_field_is_closed_where_the_rules_have_no_joint_share(qtbot, open_form, club):
    dialog = open_form()
    _fill(dialog, club.id)
    dialog.category.setCurrentIndex(dialog.category.findData("productive-community"))
    assert not dialog.joint_split.isEnabled()


def test_exceeding_the_federal_cap_needs_who_why_and_the_oficio(qtbot, open_form, club, empty_db):
    dialog = open_form()
    _fill(dialog, club.id)
    preview = dialog.preview
    dialog.cost.setText("7,276,406.19")
    assert dialog.cap_exceeded.isEnabled() and not dialog.cap_authorised_by.isEnabled()
    _settled(qtbot, preview)
    assert preview.shown_amounts()["federal"] == 1_000_000_00  # the cap holds without authorisation
    dialog.cap_exceeded.setChecked(True)
    assert dialog.cap_authorised_by.isEnabled()
    _settled(qtbot, preview)
    assert not preview.showing_numbers()
    assert {p.code for p in preview.problems} == {"cap.authorisation_required"}
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.result() != QDialog.DialogCode.Accepted
    errors = dialog.error_texts()
    assert "$1,000,000.00" in errors["cap_document"] and "$1,819,101.55" in errors["cap_document"]

    dialog.cap_authorised_by.setText("Lic. Ana Ruiz, Unidad de Microrregiones")
    dialog.cap_reason.setText("Obra de alto impacto social")
    dialog.cap_document.setText("Oficio 211/2016")
    _settled(qtbot, preview)
    assert preview.shown_amounts()["federal"] == 1_819_101_55
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_texts()
    (auth,) = get_project(empty_db, dialog.result_detail.id).cap_authorisations
    assert (auth.authorised_by, auth.document, auth.amount) == (
        "Lic. Ana Ruiz, Unidad de Microrregiones",
        "Oficio 211/2016",
        1_819_101_55,
    )


def test_the_form_offers_only_the_years_and_categories_the_rules_have(qtbot, open_form, club):
    dialog = open_form()
    dialog.program.setCurrentIndex(dialog.program.findData("3x1"))
    years = [dialog.year.itemData(i) for i in range(dialog.year.count())]
    assert max(years) == 2019 and min(years) == 2002
    dialog.year.setCurrentIndex(dialog.year.findData(2011))
    offered = {dialog.category.itemData(i) for i in range(dialog.category.count())}
    assert "productive-family" not in offered and "productive-individual" not in offered
    dialog.year.setCurrentIndex(dialog.year.findData(2012))
    offered = {dialog.category.itemData(i) for i in range(dialog.category.count())}
    assert {"productive-family", "productive-individual"} <= offered
