"""The money forms, driven through their real widgets.

Contributions (pesos and dollars), payments with a CFDI dropped onto the form, refunds, exchange rates and
the fiscal-year close.

Every refusal is checked to show the service's sentence under the field it concerns and to write nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox

from tests.services.test_ledger import CFDI_DIR, ISSUER_RFC, SHARE, contribute, fund, new_club, signed_project
from tresxuno.db.engine import Database, open_database
from tresxuno.domain.cfdi import parse_cfdi
from tresxuno.domain.ledger import FiscalYearClose
from tresxuno.domain.problems import InputError, Problem
from tresxuno.formatting import date_text, money_text
from tresxuno.i18n import _
from tresxuno.messages import describe
from tresxuno.services.ledger import count_entries, list_entries, project_balance
from tresxuno.services.office import set_office_rfc
from tresxuno.services.rates import list_rates, set_rate
from tresxuno.services.year_end import record_reintegro_exception
from tresxuno.ui import prompts as prompts_module
from tresxuno.ui.dialogs.close_year import CloseYearDialog
from tresxuno.ui.dialogs.entries import ContributionDialog, EntryDialog, PaymentDialog, RefundDialog
from tresxuno.ui.dialogs.rates import RatesDialog
from tresxuno.ui.widgets.paged_table import SEARCH_DELAY_MS

from .conftest import OFFSCREEN_SIZE_HINTS

#: The forms set a minimum width; offscreen Qt warns about any top-level size limit.
pytestmark = OFFSCREEN_SIZE_HINTS

TODAY = date(2026, 3, 31)
FIXTURE_UUID = "5F8C2A9E-3B71-4D0C-9E62-A1B4C7D8E9F0"


# --- Helpers and fixtures (test_ledger_view uses the helpers too) ------------------------------


def make_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with the INEGI catalogue, made once per module so each test copies it fast."""
    path = tmp_path_factory.mktemp("migrated") / "template.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRESXUNO_DATA_DIR", str(path.parent / "data"))
        open_database(str(path)).dispose()
    return path


def open_copy(template: Path, tmp_path: Path) -> Iterator[Database]:
    """A private copy of ``template``, open, disposed of afterwards."""
    path = tmp_path / "t.sqlite"
    shutil.copyfile(template, path)
    database = open_database(str(path))
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def _migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template(tmp_path_factory)


@pytest.fixture
def db(_migrated: Path, tmp_path: Path) -> Iterator[Database]:
    """A private migrated database (copied from the module's template)."""
    yield from open_copy(_migrated, tmp_path)


@pytest.fixture
def club(db):
    return new_club(db)


@pytest.fixture
def project(db, club, tmp_path):
    """A 3x1 public-works project of 2019 with its agreement signed: four shares of 1,000,000.00."""
    return signed_project(db, tmp_path, club_id=club.id)


@pytest.fixture
def receipt(tmp_path) -> Path:
    path = tmp_path / "recibo escaneado.pdf"
    path.write_bytes(b"%PDF-1.4 recibo 0042")
    return path


def show(qtbot, dialog: QDialog) -> QDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def click_record(qtbot, dialog: EntryDialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def type_into(qtbot, widget, text: str) -> None:
    """Replace the field's text by typing it (ASCII only: see the brief about keyClicks)."""
    widget.clear()
    qtbot.keyClicks(widget, text)


def set_day(edit, day: date) -> None:
    from tresxuno.ui.dialogs.club import to_qdate

    edit.setDate(to_qdate(day))


def drop_file(dialog: QDialog, path: Path) -> tuple[bool, bool]:
    """Drag ``path`` over the form and drop it, as the file manager does; (enter accepted, drop accepted)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(
        QPoint(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(dialog, enter)
    drop = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(dialog, drop)
    return enter.isAccepted(), drop.isAccepted()


def answer_with(monkeypatch, cls: type[QDialog], fill: Callable[[QDialog], None], qtbot) -> list[QDialog]:
    """Make ``cls.ask`` run the real form: shown, filled by ``fill``, then Record pressed."""
    seen: list[QDialog] = []

    def fake_exec(self) -> int:
        show(qtbot, self)
        seen.append(self)
        fill(self)
        return (
            QDialog.DialogCode.Accepted
            if self.result() == QDialog.DialogCode.Accepted
            else QDialog.DialogCode.Rejected
        )

    monkeypatch.setattr(cls, "exec", fake_exec)
    return seen


def error_under(dialog, field: str) -> str:
    return dialog.errors.texts().get(field, "")


def expected(field: str, code: str, **params) -> str:
    return describe(Problem(field, code, params), with_field=False)


# --- Contributions -------------------------------------------------------------------------------


def test_a_contribution_in_pesos_is_stored_with_the_outstanding_shown(qtbot, db, project):
    dialog = show(qtbot, ContributionDialog(db, project_id=project.id, today=TODAY))
    assert dialog.project.choice is not None and dialog.project.choice.folio == project.folio
    assert [dialog.party.itemData(i) for i in range(dialog.party.count())] == [
        "club",
        "federal",
        "state",
        "municipal",
    ]
    assert money_text(SHARE) in dialog.party.itemText(0)  # what the party still owes
    assert not dialog.usd_box.isVisible() and not dialog.override_box.isVisible()
    dialog.party.setCurrentIndex(dialog.party.findData("state"))
    set_day(dialog.date, date(2019, 7, 1))
    type_into(qtbot, dialog.amount, "250,000.00")
    type_into(qtbot, dialog.reference, "SPEI 7788")
    click_record(qtbot, dialog)

    assert dialog.result() == QDialog.DialogCode.Accepted
    stored = dialog.record
    assert stored is not None
    assert (stored.kind, stored.party, stored.amount, stored.entry_date, stored.reference) == (
        "contribution",
        "state",
        250_000_00,
        date(2019, 7, 1),
        "SPEI 7788",
    )
    assert project_balance(db, project.id).party("state").outstanding == SHARE - 250_000_00


def test_a_dollar_deposit_is_offered_the_stored_rate_and_credits_its_pesos(qtbot, db, project):
    set_rate(db, date(2019, 6, 28), "19.2000", "Banxico FIX", today=TODAY)
    set_rate(db, date(2019, 7, 1), "19.0512", "Banxico FIX", today=TODAY)
    dialog = show(qtbot, ContributionDialog(db, project_id=project.id, today=TODAY))
    set_day(dialog.date, date(2019, 7, 2))  # no rate that day: the latest before it is offered
    dialog.currency.setCurrentIndex(dialog.currency.findData("USD"))
    assert dialog.usd_box.isVisible()
    assert dialog.rate.text() == "19.0512"
    assert dialog.rate_source.text() == "Banxico FIX"
    assert dialog.rate_date.date().toPython() == date(2019, 7, 1)
    assert date_text(date(2019, 7, 1)) in dialog.rate_hint.text()

    type_into(qtbot, dialog.usd, "10,000.00")
    assert dialog.amount.text() == "190,512.00"  # computed live: 10,000.00 x 19.0512
    assert money_text(190_512_00) in dialog.conversion.text()
    # The bank credited a little less at its own rate: the pesos are editable, and kept.
    type_into(qtbot, dialog.amount, "190,400.00")
    type_into(qtbot, dialog.usd, "10,000.00")
    assert dialog.amount.text() == "190,400.00"
    qtbot.mouseClick(dialog.recalculate, Qt.MouseButton.LeftButton)
    assert dialog.amount.text() == "190,512.00"
    click_record(qtbot, dialog)

    stored = dialog.record
    assert stored is not None
    assert (
        stored.party,
        stored.usd_amount,
        stored.rate,
        stored.rate_date,
        stored.rate_source,
        stored.amount,
    ) == ("club", 10_000_00, "19.0512", date(2019, 7, 1), "Banxico FIX", 190_512_00)


def test_a_date_without_any_stored_rate_says_what_to_do(qtbot, db, project):
    dialog = show(qtbot, ContributionDialog(db, project_id=project.id, today=TODAY))
    dialog.currency.setCurrentIndex(dialog.currency.findData("USD"))
    assert dialog.rate.text() == ""
    assert dialog.rate_hint.text() == _(
        "No exchange rate is stored for this date or before. Type the rate of the bank receipt, or import "
        "Banco de México's FIX rates (Exchange rates… in the Ledger)."
    )
    type_into(qtbot, dialog.usd, "100.00")
    click_record(qtbot, dialog)
    assert error_under(dialog, "rate") == expected("rate", "contribution.rate_required")
    assert count_entries(db) == 0


def test_above_the_outstanding_share_needs_the_reason_and_who_authorised_it(qtbot, db, project):
    dialog = show(qtbot, ContributionDialog(db, project_id=project.id, today=TODAY))
    set_day(dialog.date, date(2019, 7, 1))
    type_into(qtbot, dialog.amount, "1,200,000.00")
    click_record(qtbot, dialog)
    assert dialog.isVisible() and dialog.record is None and count_entries(db) == 0
    assert error_under(dialog, "amount") == expected(
        "amount", "contribution.exceeds_outstanding", party="club", outstanding=SHARE, amount=120_000_000
    )
    assert dialog.override_box.isVisible()
    assert dialog.focusWidget() is dialog.amount  # the first field with a problem

    type_into(qtbot, dialog.override_reason, "Aportacion extraordinaria del club")
    click_record(qtbot, dialog)
    assert error_under(dialog, "authorised_by") == expected("authorised_by", "override.incomplete")
    type_into(qtbot, dialog.authorised_by, "Presidente municipal")
    click_record(qtbot, dialog)
    assert dialog.record is not None and dialog.record.authorised_by == "Presidente municipal"
    assert project_balance(db, project.id).party("club").over_received == 20_000_000


def test_typing_errors_are_shown_under_their_fields_and_nothing_is_written(qtbot, db, project):
    dialog = show(qtbot, ContributionDialog(db, project_id=project.id, today=TODAY))
    type_into(qtbot, dialog.amount, "1.234,56")
    click_record(qtbot, dialog)
    assert error_under(dialog, "amount") == expected(
        "amount", "amount.decimal_comma", text="1.234,56", suggestion="1234.56"
    )
    dialog.project.edit.clear()
    dialog.project.commit()
    assert dialog.project.choice is None and dialog.party.count() == 0
    click_record(qtbot, dialog)
    assert error_under(dialog, "project") == expected("project", "choice.required")
    assert count_entries(db) == 0


def test_the_project_is_found_by_typing_its_folio(qtbot, db, project):
    dialog = show(qtbot, ContributionDialog(db, today=TODAY))
    assert dialog.project.choice is None
    qtbot.keyClicks(dialog.project.edit, project.folio.lower())
    qtbot.keyClick(dialog.project.edit, Qt.Key.Key_Return)
    assert dialog.project.choice is not None and dialog.project.choice.id == project.id
    assert dialog.party.count() == 4


def test_typing_offers_the_matching_projects_after_the_lists_pause(qtbot, db, project):
    """The box searches by itself once typing pauses, as the project and club lists do (rows within 150 ms)."""
    picker = show(qtbot, ContributionDialog(db, today=TODAY)).project
    qtbot.keyClicks(picker.edit, project.folio[-6:])
    assert picker._debounce.isActive() and picker._debounce.interval() == SEARCH_DELAY_MS
    assert picker.matches.rowCount() == 0  # still typing: nothing asked of the database yet
    qtbot.waitUntil(lambda: picker.matches.rowCount() > 0, timeout=SEARCH_DELAY_MS * 8)
    offered = [
        picker.matches.item(row).data(Qt.ItemDataRole.UserRole) for row in range(picker.matches.rowCount())
    ]
    assert [choice.id for choice in offered] == [project.id]
    assert picker.choice is None  # offered, not taken: Enter or a click takes it


def test_a_project_without_a_signed_agreement_is_refused_under_the_project(qtbot, db, club, tmp_path):
    approved = signed_project(db, tmp_path, club_id=club.id, stage="aprobado")
    dialog = show(qtbot, ContributionDialog(db, project_id=approved.id, today=TODAY))
    warning = expected("project", "ledger.no_convenio", stage="aprobado", folio=approved.folio)
    assert warning in dialog.project_info.text()
    set_day(dialog.date, date(2019, 7, 1))
    type_into(qtbot, dialog.amount, "1000")
    click_record(qtbot, dialog)
    assert error_under(dialog, "project") == warning
    assert count_entries(db) == 0


# --- Payments ------------------------------------------------------------------------------------


def test_dropping_a_cfdi_fills_the_payment_and_previews_its_attribution(qtbot, db, project):
    fund(db, project.id)
    dialog = show(qtbot, PaymentDialog(db, project_id=project.id, today=TODAY))
    assert drop_file(dialog, CFDI_DIR / "factura_4_0.xml") == (True, True)

    assert dialog.uuid.text() == FIXTURE_UUID
    assert dialog.payee_rfc.text() == ISSUER_RFC
    assert dialog.payee_name.text() == "CONSTRUCCIONES Y PAVIMENTOS DEL CAÑÓN"
    assert dialog.amount.text() == "500,000.00"
    assert dialog.date.date().toPython() == date(2025, 8, 14)
    # Attributed by approved shares: four equal shares take 125,000.00 each.
    cells = [[dialog.preview.item(r, c).text() for c in range(3)] for r in range(dialog.preview.rowCount())]
    assert [row[2] for row in cells] == [money_text(125_000_00)] * 4
    assert cells[0][1] == f"{money_text(SHARE)} (25.00 %)"

    type_into(qtbot, dialog.concept, "Estimacion 2 de la pavimentacion")
    click_record(qtbot, dialog)
    stored = dialog.record
    assert stored is not None
    assert (stored.kind, stored.amount, stored.cfdi_uuid, stored.payee_rfc) == (
        "payment",
        -500_000_00,
        FIXTURE_UUID,
        ISSUER_RFC,
    )
    assert [(line.party, line.amount) for line in stored.lines] == [
        (p, -125_000_00) for p in ("club", "federal", "state", "municipal")
    ]


def test_a_cfdi_already_used_names_the_other_projects_folio(qtbot, db, club, project, tmp_path):
    fund(db, project.id)
    other = signed_project(db, tmp_path / "other", club_id=club.id)
    fund(db, other.id)
    first = show(qtbot, PaymentDialog(db, project_id=project.id, today=TODAY))
    first.load_cfdi(CFDI_DIR / "factura_4_0.xml")
    type_into(qtbot, first.concept, "Estimacion 2")
    click_record(qtbot, first)
    assert first.record is not None

    second = show(qtbot, PaymentDialog(db, project_id=other.id, today=TODAY))
    drop_file(second, CFDI_DIR / "factura_4_0.xml")
    type_into(qtbot, second.concept, "Estimacion 2")
    click_record(qtbot, second)
    assert second.record is None and second.isVisible()
    message = error_under(second, "cfdi")
    assert message == expected(
        "cfdi", "payment.cfdi_duplicate", uuid=FIXTURE_UUID, folio=project.folio, entry_id=first.record.id
    )
    assert project.folio in message
    assert count_entries(db, project_id=other.id) == 4  # the four deposits only


def test_a_cfdi_read_without_the_offices_rfc_warns_that_its_receiver_is_unchecked(qtbot, db, project):
    fund(db, project.id)
    receiver = parse_cfdi((CFDI_DIR / "factura_4_0.xml").read_bytes()).receiver_rfc
    dialog = show(qtbot, PaymentDialog(db, project_id=project.id, today=TODAY))
    assert dialog.cfdi_warning.isHidden()
    drop_file(dialog, CFDI_DIR / "factura_4_0.xml")
    warning = "⚠ " + expected("cfdi", "payment.cfdi_receiver_unchecked", receiver_rfc=receiver)
    assert dialog.cfdi_warning.isVisible() and dialog.cfdi_warning.text() == warning
    assert receiver in warning and error_under(dialog, "cfdi") == ""
    # Only a warning: the payment is recorded, and removing the invoice takes the warning away.
    type_into(qtbot, dialog.concept, "Estimacion 2")
    click_record(qtbot, dialog)
    assert dialog.record is not None and dialog.record.cfdi_uuid == FIXTURE_UUID
    dialog.clear_cfdi()
    assert dialog.cfdi_warning.isHidden() and dialog.cfdi_warning.text() == ""


def test_a_cfdi_billed_to_another_receiver_than_the_offices_rfc_is_refused(qtbot, db, project):
    fund(db, project.id)
    receiver = parse_cfdi((CFDI_DIR / "factura_4_0.xml").read_bytes()).receiver_rfc
    office_rfc = set_office_rfc(db, "MJE850101B72")  # a valid RFC, not the invoice's receiver
    assert office_rfc != receiver
    dialog = show(qtbot, PaymentDialog(db, project_id=project.id, today=TODAY))
    drop_file(dialog, CFDI_DIR / "factura_4_0.xml")
    assert dialog.uuid.text() == FIXTURE_UUID and dialog.cfdi_warning.isHidden()  # checked: nothing to warn
    type_into(qtbot, dialog.concept, "Estimacion 2")
    click_record(qtbot, dialog)
    assert dialog.record is None and dialog.isVisible()
    assert error_under(dialog, "cfdi") == expected(
        "cfdi", "payment.cfdi_receiver_differs", receiver_rfc=receiver, office_rfc=office_rfc
    )
    assert count_entries(db, project_id=project.id) == 4  # the four deposits only
    # Billed to the office's RFC, the same invoice is recorded.
    set_office_rfc(db, receiver)
    click_record(qtbot, dialog)
    assert dialog.record is not None and dialog.record.cfdi_uuid == FIXTURE_UUID


@pytest.mark.parametrize("name", ["xxe.xml", "billion_laughs.xml"])
def test_a_hostile_or_wrong_cfdi_is_refused_with_the_readers_message(qtbot, db, project, name):
    dialog = show(qtbot, PaymentDialog(db, project_id=project.id, today=TODAY))
    drop_file(dialog, CFDI_DIR / name)
    with pytest.raises(InputError) as exc:
        parse_cfdi((CFDI_DIR / name).read_bytes())
    assert error_under(dialog, "cfdi") == describe(exc.value.problems[0], with_field=False)
    assert dialog.cfdi_path is None and dialog.uuid.text() == "" and dialog.payee_name.text() == ""
    assert "passwd" not in dialog.payee_name.text() + dialog.cfdi_file.text()


def test_a_scanned_receipt_dropped_is_the_evidence_and_too_much_is_refused_under_the_amount(
    qtbot, db, project, receipt
):
    contribute(db, project.id, "club", SHARE)
    dialog = show(qtbot, PaymentDialog(db, project_id=project.id, today=TODAY))
    assert drop_file(dialog, receipt) == (True, True)
    assert dialog.receipt.text() == str(receipt)
    type_into(qtbot, dialog.payee_name, "Ferreteria Avila")
    type_into(qtbot, dialog.payee_rfc, "GODE561231GR8")
    type_into(qtbot, dialog.concept, "Cemento y varilla")
    set_day(dialog.date, date(2019, 8, 1))
    type_into(qtbot, dialog.amount, "2,000,000.00")
    click_record(qtbot, dialog)
    owed = ";".join(f"{p}={SHARE}" for p in ("federal", "state", "municipal"))
    assert error_under(dialog, "amount") == expected(
        "amount", "payment.exceeds_funds", amount=200_000_000, available=SHARE, owed=owed
    )
    assert dialog.record is None and count_entries(db) == 1

    type_into(qtbot, dialog.amount, "300,000.00")
    dialog.source.setCurrentIndex(dialog.source.findData("club"))
    assert [dialog.preview.item(r, 2).text() for r in range(4)] == [money_text(300_000_00)] + [
        money_text(0)
    ] * 3
    click_record(qtbot, dialog)
    assert dialog.record is not None
    assert [(line.party, line.amount) for line in dialog.record.lines] == [("club", -300_000_00)]


def test_a_payment_needs_evidence(qtbot, db, project):
    fund(db, project.id)
    dialog = show(qtbot, PaymentDialog(db, project_id=project.id, today=TODAY))
    type_into(qtbot, dialog.payee_name, "Ferreteria Avila")
    type_into(qtbot, dialog.payee_rfc, "GODE561231GR8")
    type_into(qtbot, dialog.concept, "Cemento")
    type_into(qtbot, dialog.amount, "1000")
    click_record(qtbot, dialog)
    assert error_under(dialog, "evidence") == expected("evidence", "payment.evidence_required")
    assert count_entries(db) == 4


def test_a_typed_rfc_failing_the_check_digit_asks_and_yes_records_the_payment(
    qtbot, db, project, receipt, monkeypatch
):
    # MCI7306249Y1 (Municipio de Cuautitlán Izcalli) is real yet fails SAT's check-digit formula.
    asked: list[tuple[str, str]] = []
    answers = [False, True]

    def confirm(parent, title, text, **kwargs):
        asked.append((title, text))
        return answers[len(asked) - 1]

    monkeypatch.setattr(prompts_module, "confirm", confirm)
    fund(db, project.id)
    dialog = show(qtbot, PaymentDialog(db, project_id=project.id, today=TODAY))
    assert drop_file(dialog, receipt) == (True, True)
    type_into(qtbot, dialog.payee_name, "Municipio de Cuautitlan Izcalli")
    type_into(qtbot, dialog.payee_rfc, "MCI7306249Y1")
    type_into(qtbot, dialog.concept, "Derechos de conexion")
    set_day(dialog.date, date(2019, 8, 1))
    type_into(qtbot, dialog.amount, "1,500.00")
    click_record(qtbot, dialog)
    # Asked, naming the RFC and the digit SAT's formula expects; "No" goes back to the RFC.
    assert len(asked) == 1 and "MCI7306249Y1" in asked[0][1] and "6" in asked[0][1]
    assert dialog.record is None and dialog.isVisible()
    assert error_under(dialog, "payee_rfc") == expected(
        "payee_rfc", "rfc.check_digit", rfc="MCI7306249Y1", expected="6"
    )
    assert dialog.focusWidget() is dialog.payee_rfc  # back at the field to correct it
    assert count_entries(db, project_id=project.id) == 4  # the four deposits only
    # "Yes" records the payment with the RFC as typed.
    click_record(qtbot, dialog)
    assert len(asked) == 2
    assert dialog.record is not None and dialog.record.payee_rfc == "MCI7306249Y1"
    assert dialog.record.amount == -1_500_00 and count_entries(db, project_id=project.id) == 5


def test_a_wrong_rfc_shape_or_another_problem_is_shown_without_asking(
    qtbot, db, project, receipt, monkeypatch
):
    monkeypatch.setattr(prompts_module, "confirm", lambda *a, **k: pytest.fail("nothing to confirm"))
    fund(db, project.id)
    dialog = show(qtbot, PaymentDialog(db, project_id=project.id, today=TODAY))
    drop_file(dialog, receipt)
    type_into(qtbot, dialog.payee_name, "Ferreteria Avila")
    type_into(qtbot, dialog.payee_rfc, "MCI7306249Y1")  # a check digit to confirm, but...
    type_into(qtbot, dialog.concept, "Cemento")
    set_day(dialog.date, date(2019, 8, 1))
    type_into(qtbot, dialog.amount, "9,000,000.00")  # ...more than the cash: corrected first
    click_record(qtbot, dialog)
    assert dialog.record is None and error_under(dialog, "amount") != ""
    type_into(qtbot, dialog.payee_rfc, "MCI7313249Y1")  # the 13th month: an error, never a question
    type_into(qtbot, dialog.amount, "1000")
    click_record(qtbot, dialog)
    assert dialog.record is None
    assert error_under(dialog, "payee_rfc") == expected(
        "payee_rfc", "rfc.date", rfc="MCI7313249Y1", date="731324"
    )


def test_a_cfdi_3_2_dropped_fills_the_payment_and_its_rfc_is_not_questioned(
    qtbot, db, project, tmp_path, monkeypatch
):
    from tests.services.test_ledger import older_cfdi_file

    monkeypatch.setattr(prompts_module, "confirm", lambda *a, **k: pytest.fail("SAT's RFC is not questioned"))
    fund(db, project.id)
    invoice = older_cfdi_file(tmp_path, "version_3_2.xml", uuid="5A5A5A5A-3B3B-4C4C-8D8D-5E5E5E5E5E5E")
    # The issuer's real RFC fails the formula: read from the stamped invoice, it is taken as is.
    invoice.write_bytes(invoice.read_bytes().replace(b'rfc="CPC1005124T0"', b'rfc="MCI7306249Y1"'))
    dialog = show(qtbot, PaymentDialog(db, project_id=project.id, today=TODAY))
    assert drop_file(dialog, invoice) == (True, True)
    assert dialog.uuid.text() == "5A5A5A5A-3B3B-4C4C-8D8D-5E5E5E5E5E5E"
    assert dialog.payee_rfc.text() == "MCI7306249Y1" and dialog.amount.text() == "500,000.00"
    type_into(qtbot, dialog.concept, "Estimacion 1")
    set_day(dialog.date, date(2019, 8, 1))
    click_record(qtbot, dialog)
    assert dialog.record is not None and dialog.record.cfdi_uuid == "5A5A5A5A-3B3B-4C4C-8D8D-5E5E5E5E5E5E"
    assert dialog.record.payee_rfc == "MCI7306249Y1"


# --- Refunds -------------------------------------------------------------------------------------


def test_a_refund_to_the_federal_party_needs_a_reason_and_is_stored(qtbot, db, project):
    fund(db, project.id)
    dialog = show(qtbot, RefundDialog(db, project_id=project.id, today=TODAY))
    dialog.party.setCurrentIndex(dialog.party.findData("federal"))
    assert money_text(SHARE) in dialog.party.currentText()  # what the party has in the project
    set_day(dialog.date, date(2019, 12, 20))
    type_into(qtbot, dialog.amount, "50,000.00")
    click_record(qtbot, dialog)
    assert error_under(dialog, "reason") == expected("reason", "text.required")
    qtbot.keyClicks(dialog.reason, "Recursos federales no ejercidos")
    click_record(qtbot, dialog)
    # A reintegro to TESOFE is traced by its línea de captura: refused without it.
    assert error_under(dialog, "reference") == expected("reference", "refund.federal_reference_required")
    assert dialog.record is None
    type_into(qtbot, dialog.reference, "0019 ABCD 1234")
    click_record(qtbot, dialog)
    assert dialog.record is not None
    stored = dialog.record
    assert (stored.kind, stored.party, stored.amount) == ("refund", "federal", -50_000_00)


# --- Exchange rates and the fiscal-year close ----------------------------------------------------


def test_rates_typed_by_hand_and_a_banxico_file_with_problems_by_line(qtbot, db, tmp_path, monkeypatch):
    dialog = show(qtbot, RatesDialog(db, today=TODAY))
    assert dialog.table.isHidden() and dialog.empty_label.isVisible()
    set_day(dialog.rate_date, date(2025, 1, 6))
    type_into(qtbot, dialog.rate, "20.5")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    stored = [(r.rate_date, r.rate, r.source) for r in list_rates(db)]
    assert stored == [(date(2025, 1, 6), "20.5", "Banxico FIX")]
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 0).text() == "06/01/2025"
    type_into(qtbot, dialog.rate, "veinte")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert error_under(dialog, "rate") == expected("rate", "rate.not_a_number", text="veinte")

    bad = tmp_path / "fix.csv"
    bad.write_text(
        '"Banco de México"\n"Fecha","SF43718"\n"01/11/2024","20.0915"\n"31/02/2024","20.1"\n'
        '"04/11/2024","veinte"\n"01/11/2024","20.0"\n',
        encoding="cp1252",
    )
    monkeypatch.setattr(prompts_module, "choose_open_file", lambda *a, **k: str(bad))
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.import_task is not None and not dialog.import_task.running, timeout=5000)
    qtbot.waitUntil(lambda: bool(dialog.problem_texts()), timeout=5000)
    assert dialog.problem_texts() == [
        expected("rates[4]", "rates.bad_date", row=4, text="31/02/2024"),
        expected("rates[5]", "rates.bad_rate", row=5, text="veinte"),
        expected("rates[6]", "rates.duplicate_date", row=6, date="2024-11-01", first_row=3),
    ]
    assert len(list_rates(db)) == 1  # nothing of the file was stored

    good = tmp_path / "fix-bueno.csv"
    good.write_text(
        '"Fecha","SF43718"\n"01/11/2024","20.0915"\n"02/11/2024","N/E"\n"04/11/2024","19.9678"\n',
        encoding="utf-8",
    )
    dialog.import_file(str(good))
    qtbot.waitUntil(lambda: not dialog.import_task.running and dialog.table.rowCount() == 3, timeout=5000)
    assert dialog.problems.isHidden()
    assert dialog.changed
    assert [dialog.table.item(r, 1).text() for r in range(3)] == ["20.5", "19.9678", "20.0915"]


def test_closing_a_year_lists_the_unspent_federal_money_and_locks_the_year(qtbot, db, project, monkeypatch):
    fund(db, project.id, date(2019, 7, 1))
    # Not refunded to TESOFE by 15 January: excepted, or the year could not close (tests/ui/test_close_year.py).
    record_reintegro_exception(db, 2019, project.id, "Obra en litigio", "Lic. Ana Ruiz", user="admin")
    asked: list[str] = []
    monkeypatch.setattr(
        prompts_module, "confirm", lambda parent, title, text, **k: asked.append(text) or True
    )
    dialog = show(qtbot, CloseYearDialog(db, today=TODAY))
    dialog.year.setCurrentIndex(dialog.year.findData(2019))
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert asked and "2019" in asked[0]
    result = dialog.result_close
    assert isinstance(result, FiscalYearClose) and result.year == 2019
    assert dialog.table.isVisible()
    assert [dialog.table.item(0, c).text() for c in (0, 2, 5)] == [
        project.folio,
        money_text(SHARE),
        money_text(SHARE),
    ]
    assert dialog.year.findData(2019) < 0  # a closed year is no longer offered

    entry_form = show(qtbot, ContributionDialog(db, project_id=project.id, today=TODAY))
    set_day(entry_form.date, date(2019, 12, 1))
    type_into(qtbot, entry_form.amount, "10")
    click_record(qtbot, entry_form)
    assert error_under(entry_form, "entry_date") == expected("entry_date", "ledger.year_closed", year=2019)
    assert len(list_entries(db)) == 4


def test_a_refused_confirmation_closes_nothing(qtbot, db, monkeypatch):
    monkeypatch.setattr(prompts_module, "confirm", lambda *a, **k: False)
    dialog = show(qtbot, CloseYearDialog(db, today=TODAY))
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert dialog.result_close is None and dialog.table.isHidden()


def test_a_refund_on_a_closed_project_asks_for_the_administradors_authorisation(qtbot, db, club, tmp_path):
    closed = signed_project(db, tmp_path / "closed", club_id=club.id, stage="cerrado")
    dialog = show(qtbot, RefundDialog(db, project_id=closed.id, today=TODAY))
    dialog.party.setCurrentIndex(dialog.party.findData("club"))
    set_day(dialog.date, date(2020, 1, 10))
    type_into(qtbot, dialog.amount, "100.00")
    qtbot.keyClicks(dialog.reason, "Devolucion autorizada")
    click_record(qtbot, dialog)
    params = {"folio": closed.folio, "stage": "cerrado"}
    assert error_under(dialog, "authorisation") == expected(
        "authorisation", "ledger.authorisation_required", **params
    )
    type_into(qtbot, dialog.authorisation, "Oficio DG/12: devolucion del club")
    click_record(qtbot, dialog)
    assert error_under(dialog, "authorisation") == ""  # given; the club has nothing left to refund
    assert "100.00" in error_under(dialog, "amount") and dialog.record is None
