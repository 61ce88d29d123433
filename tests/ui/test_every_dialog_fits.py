"""Every dialog and every page of the main window is usable on a laptop (issue 15, item 3).

Each dialog class of ``tresxuno.ui`` is opened over the demo database on a 1366×768 laptop at 100 %
and on a 1920×1080 screen at 125 % (free areas of 1366×728 and 1536×824 logical pixels, the taskbar
taken off): the window must not be larger than that area, and each of its buttons must lie inside it,
where a mouse can reach it. A button inside a scroll area only needs its scroll area in view.

:data:`BUILDERS` names how each dialog is opened; :func:`test_every_dialog_class_is_covered` fails
when a new ``QDialog`` subclass appears without an entry, so a new dialog cannot skip the check.
The same dialogs are checked for Enter (it presses OK/Save, item 4) and, in Spanish and English, for
tables that cut a folio, an amount, a date or a stage short.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QMainWindow,
    QPushButton,
    QTabWidget,
    QWidget,
)

import tresxuno.ui
from tests.ui.conftest import OFFSCREEN_SIZE_HINTS
from tresxuno.db.engine import Database
from tresxuno.demo.projects import DEFAULT_TODAY
from tresxuno.domain.year_end import ReintegroStatus, RequiredReintegro
from tresxuno.i18n import _
from tresxuno.services.consolidation_import import Conflict
from tresxuno.services.covam import get_session, list_sessions
from tresxuno.services.ledger import list_entries, project_balance
from tresxuno.services.ministraciones import calendar
from tresxuno.services.offices import OfficeInfo
from tresxuno.services.projects import EDITABLE, ProjectFilters, list_projects
from tresxuno.services.works import progress_history
from tresxuno.ui import screen_fit

pytestmark = OFFSCREEN_SIZE_HINTS

#: Free area of a 1366×768 laptop at 100 % and of a 1920×1080 screen at 125 %, taskbar taken off.
SCREENS = {"1366x768": QRect(0, 0, 1366, 728), "1920x1080@125%": QRect(0, 0, 1536, 824)}


@dataclass
class Office:
    """The demo office the dialogs open over: its database and a project under way with money."""

    db: Database
    project_id: int
    folio: str
    parent: QWidget
    tmp_path: Path


Builder = Callable[[Office], QDialog]


def _project_under_way(db: Database) -> tuple[int, str]:
    under_way = [
        p
        for stage in ("en_ejecucion", "convenio_firmado")
        for p in list_projects(db, ProjectFilters(stage=stage), limit=40)
    ]
    best = max(under_way, key=lambda p: project_balance(db, p.id).cash)
    return best.id, best.folio


def _draft(db: Database) -> int:
    """A request still being written (every field of the form shown filled)."""
    return next(
        p.id for stage in EDITABLE for p in list_projects(db, ProjectFilters(stage=stage.value), limit=1)
    )


def _pdf(path: Path) -> Path:
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path))
    canvas.drawString(72, 720, "Estado de cuenta")
    canvas.save()
    return path


def _record(o: Office) -> QDialog:
    from tresxuno.ui.views.project_detail import ProjectRecord

    return ProjectRecord(o.db, o.project_id, o.parent, today=DEFAULT_TODAY)


def _entry_dialog(kind: str) -> Builder:
    def build(o: Office) -> QDialog:
        from tresxuno.ui.dialogs import entries

        cls = {"contribution": entries.ContributionDialog, "payment": entries.PaymentDialog}.get(
            kind, entries.RefundDialog
        )
        return cls(o.db, o.parent, project_id=o.project_id, today=DEFAULT_TODAY)

    return build


def _reversal(o: Office) -> QDialog:
    from tresxuno.ui.dialogs.entries import ReversalDialog

    entry = list_entries(o.db, project_id=o.project_id, limit=1)[0]
    return ReversalDialog(o.db, entry, o.parent, today=DEFAULT_TODAY)


def _session(o: Office, cls_name: str) -> QDialog:
    from tresxuno.ui.dialogs import session

    info = get_session(o.db, list_sessions(o.db)[0].id)
    return getattr(session, cls_name)(o.db, info, o.parent)


def _reintegro(o: Office) -> QDialog:
    from tresxuno.ui.dialogs.close_year import ReintegroExceptionDialog

    due = RequiredReintegro(
        o.project_id, o.folio, "Pavimentación de la calle principal", 123_456_78, date(2026, 1, 15),
        ReintegroStatus.MISSING, 0, None, "", None, True,
    )  # fmt: skip
    return ReintegroExceptionDialog(o.db, 2025, due, o.parent)


def _progress_correction(o: Office) -> QDialog:
    from tresxuno.ui.views.project_record_progress import ProgressCorrectionDialog

    history = next(
        h
        for p in list_projects(o.db, ProjectFilters(stage="en_ejecucion"), limit=40)
        if (h := progress_history(o.db, p.id))
    )
    return ProgressCorrectionDialog(o.parent, o.db, history[-1], DEFAULT_TODAY)


def _authorised(o: Office) -> QDialog:
    from tresxuno.ui.dialogs.authorised_exception import AuthorisedExceptionDialog

    return AuthorisedExceptionDialog(
        o.parent, "Excepción", "Una excepción autorizada, con su motivo.", lambda reason, by: None,
        authoriser_label="Autorizó:", authorised_by="admin",
    )  # fmt: skip


def _state_office(o: Office) -> OfficeInfo:
    """A state office listing some municipalities (its form shows the checklist), made once."""
    from tresxuno.domain.actor import Actor, acting_as
    from tresxuno.services.offices import OfficeInput, create_office, list_offices

    found = [office for office in list_offices(o.db) if office.code == "zac"]
    if found:
        return found[0]
    with acting_as(Actor("admin", "administrador")):
        return create_office(
            o.db,
            OfficeInput("zac", "Secretaría del Zacatecano Migrante", "state", "32", ("32010", "32020")),
        )


def _offices(o: Office, name: str) -> QDialog:
    from tresxuno.ui.dialogs import offices

    office = _state_office(o)
    if name == "OfficesDialog":
        return offices.OfficesDialog(o.parent, o.db)
    if name == "OfficeChoiceDialog":
        return offices.OfficeChoiceDialog(o.parent, [office], "admin", "administrador", office.code)
    return offices.OfficeDialog(o.db, office, o.parent)


def _build(module: str, name: str, *args: object, **kwargs: object) -> QDialog:
    dialog = getattr(importlib.import_module(module), name)(*args, **kwargs)
    assert isinstance(dialog, QDialog)
    return dialog


D, V = "tresxuno.ui.dialogs.", "tresxuno.ui.views."

#: How each dialog class opens, by its qualified name.
BUILDERS: dict[str, Builder] = {
    D + "amendment.AmendmentDialog": lambda o: _build(
        D + "amendment", "AmendmentDialog", o.db, o.project_id, o.parent, today=DEFAULT_TODAY
    ),
    D + "audit.HistoryDialog": lambda o: _build(
        D + "audit", "HistoryDialog", o.parent, o.db, "projects", o.project_id, f"Proyecto {o.folio}"
    ),
    D + "audit.AuditLogDialog": lambda o: _build(D + "audit", "AuditLogDialog", o.parent, o.db),
    D + "authorised_exception.AuthorisedExceptionDialog": _authorised,
    D + "close_year.CloseYearDialog": lambda o: _build(
        D + "close_year", "CloseYearDialog", o.db, o.parent, today=DEFAULT_TODAY
    ),
    D + "close_year.ReintegroExceptionDialog": _reintegro,
    D + "club.ClubDialog": lambda o: _build(D + "club", "ClubDialog", o.db, None, o.parent),
    D + "convenio_terms.ConvenioTermsDialog": lambda o: _build(
        D + "convenio_terms", "ConvenioTermsDialog", o.db, o.project_id, o.parent
    ),
    D + "declarations.DeclarationsDialog": lambda o: _build(
        D + "declarations", "DeclarationsDialog", o.db, o.parent
    ),
    D + "entries.ContributionDialog": _entry_dialog("contribution"),
    D + "entries.PaymentDialog": _entry_dialog("payment"),
    D + "entries.RefundDialog": _entry_dialog("refund"),
    D + "entries.ReversalDialog": _reversal,
    D + "federation.FederationDialog": lambda o: _build(
        D + "federation", "FederationDialog", o.db, None, o.parent
    ),
    D + "first_run.FirstRunDialog": lambda o: _build(D + "first_run", "FirstRunDialog", o.parent, o.db),
    D + "importer.ImportDialog": lambda o: _build(D + "importer", "ImportDialog", o.db, o.parent),
    D + "login.LoginDialog": lambda o: _build(D + "login", "LoginDialog", o.parent, o.db),
    D + "manual.ManualWindow": lambda o: _build(D + "manual", "ManualWindow", o.parent),
    D + "officials.OfficialsDialog": lambda o: _build(
        D + "officials", "OfficialsDialog", o.db, o.parent, today=DEFAULT_TODAY
    ),
    D + "offices.OfficesDialog": lambda o: _offices(o, "OfficesDialog"),
    D + "consolidation.ImportPackageDialog": lambda o: _build(
        D + "consolidation", "ImportPackageDialog", o.db, o.parent
    ),
    D + "consolidation.ConflictsDialog": lambda o: _build(
        D + "consolidation",
        "ConflictsDialog",
        tuple(
            Conflict(
                "clubs", str(n), str(n), "changed_here", '{"name": "Club ' + "Jerezano " * 20 + '"}', "{}"
            )
            for n in range(40)
        ),
        o.parent,
    ),
    D + "offices.OfficeDialog(new)": lambda o: _build(D + "offices", "OfficeDialog", o.db, None, o.parent),
    D + "offices.OfficeDialog": lambda o: _offices(o, "OfficeDialog"),
    D + "offices.OfficeChoiceDialog": lambda o: _offices(o, "OfficeChoiceDialog"),
    D + "open_database.OpenDatabaseDialog": lambda o: _build(
        D + "open_database", "OpenDatabaseDialog", o.parent, str(o.db.path)
    ),
    D + "preferences.PreferencesDialog": lambda o: _build(
        D + "preferences", "PreferencesDialog", o.parent, o.db
    ),
    D + "project.ProjectDialog(new)": lambda o: _build(D + "project", "ProjectDialog", o.db, None, o.parent),
    D + "project.ProjectDialog": lambda o: _build(
        D + "project", "ProjectDialog", o.db, _draft(o.db), o.parent
    ),
    D + "project_ledger.ProjectLedgerDialog": lambda o: _build(
        D + "project_ledger", "ProjectLedgerDialog", o.db, o.project_id, o.parent, today=DEFAULT_TODAY
    ),
    D + "rates.RatesDialog": lambda o: _build(
        D + "rates", "RatesDialog", o.db, o.parent, today=DEFAULT_TODAY
    ),
    D + "report_preview.ReportPreview": lambda o: _build(
        D + "report_preview",
        "ReportPreview",
        _pdf(o.tmp_path / "estado.pdf"),
        title="Estado de cuenta",
        parent=o.parent,
        db=o.db,
    ),
    D + "session.SessionDialog": lambda o: _build(
        D + "session", "SessionDialog", o.db, o.parent, today=DEFAULT_TODAY
    ),
    D + "session.AgendaPickerDialog": lambda o: _session(o, "AgendaPickerDialog"),
    D + "session.RulingsDialog": lambda o: _session(o, "RulingsDialog"),
    D + "social_committee.CommitteeDialog": lambda o: _build(
        D + "social_committee", "CommitteeDialog", o.db, o.project_id, None, o.parent, today=DEFAULT_TODAY
    ),
    D + "social_committee.CommitteeRecordDialog": lambda o: _build(
        D + "social_committee", "CommitteeRecordDialog", o.db, o.project_id, o.parent, today=DEFAULT_TODAY
    ),
    D + "technical_validation.TechnicalValidationDialog": lambda o: _build(
        D + "technical_validation", "TechnicalValidationDialog", o.db, o.project_id, o.folio, 2025, o.parent
    ),
    D + "transparency.TransparencyDialog": lambda o: _build(
        D + "transparency", "TransparencyDialog", o.db, o.parent
    ),
    D + "users.UsersDialog": lambda o: _build(D + "users", "UsersDialog", o.parent, o.db),
    V + "ledger_export.ExportDialog": lambda o: _build(
        V + "ledger_export", "ExportDialog", "todo el libro del ejercicio 2025", o.parent
    ),
    V + "project_detail.CommentDialog": lambda o: _build(
        V + "project_detail",
        "CommentDialog",
        o.parent,
        "Comentario",
        "Motivo del cambio de etapa:",
        required=True,
    ),
    V + "project_detail.ProjectRecord": _record,
    V + "project_record_ministraciones.CalendarDialog": lambda o: _build(
        V + "project_record_ministraciones",
        "CalendarDialog",
        o.parent,
        o.db,
        calendar(o.db, o.project_id, today=DEFAULT_TODAY),
        today=DEFAULT_TODAY,
    ),
    V + "project_record_ministraciones.GateExceptionDialog": lambda o: _build(
        V + "project_record_ministraciones", "GateExceptionDialog", o.parent, o.db, o.project_id, o.folio
    ),
    V + "project_record_progress.ProgressCorrectionDialog": _progress_correction,
}

#: Dialog classes never opened as such: only their subclasses are (each covered above).
ABSTRACT = {D + "entries.EntryDialog"}


def _dialog_classes() -> set[str]:
    """The qualified name of every QDialog subclass defined in ``tresxuno.ui``."""
    for module in pkgutil.walk_packages(tresxuno.ui.__path__, "tresxuno.ui."):
        importlib.import_module(module.name)

    def below(cls: type) -> Iterator[type]:
        sub: type
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    return {
        f"{cls.__module__}.{cls.__name__}"
        for cls in below(QDialog)
        if cls.__module__.startswith("tresxuno.ui")
    }


def test_every_dialog_class_is_covered():
    covered = {name.split("(")[0] for name in BUILDERS} | ABSTRACT
    missing = _dialog_classes() - covered
    assert not missing, f"add these dialogs to BUILDERS so their size is checked: {sorted(missing)}"
    assert not covered - _dialog_classes(), "BUILDERS names a dialog that no longer exists"


# -- the check --------------------------------------------------------------------------------------


def _inside_scroll_area(widget: QWidget, window: QWidget) -> QWidget | None:
    """The scroll area ``widget`` scrolls inside (below ``window``), if any."""
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def _rect_in(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def out_of_reach(window: QWidget, screen: QRect) -> list[str]:
    """What of ``window`` a user cannot reach on ``screen``: the window itself too large, or a button."""
    problems = []
    if window.width() > screen.width() or window.height() > screen.height():
        problems.append(f"window is {window.width()}×{window.height()}")
    visible = QRect(0, 0, screen.width(), screen.height()).intersected(window.rect())
    for button in window.findChildren(QAbstractButton):
        if not button.isVisibleTo(window) or button.window() is not window:
            continue
        holder = _inside_scroll_area(button, window) or button
        if not visible.contains(_rect_in(holder, window)):
            name = button.text().replace("&", "") or button.toolTip() or type(button).__name__
            problems.append(f"“{name}” at {_rect_in(holder, window).getRect()}")
    return problems


@pytest.fixture
def laptop(monkeypatch: pytest.MonkeyPatch, qapp: QApplication) -> Callable[[QRect], None]:
    """Pretend the screen's free area is the one given, and fit windows to it as the app does."""
    area = {"rect": SCREENS["1366x768"]}
    monkeypatch.setattr(screen_fit, "available_geometry", lambda widget: area["rect"])
    screen_fit.install(qapp)  # as application() does; conftest removes it after the test

    def use(rect: QRect) -> None:
        area["rect"] = rect

    return use


@pytest.fixture
def office(small_db: Database, qtbot, tmp_path: Path) -> Office:
    parent = QMainWindow()
    qtbot.addWidget(parent)
    project_id, folio = _project_under_way(small_db)
    return Office(small_db, project_id, folio, parent, tmp_path)


def _check_shown(qtbot, window: QWidget, screen: QRect) -> list[str]:
    window.show()
    qtbot.waitExposed(window)
    QApplication.processEvents()
    problems = out_of_reach(window, screen) + cut_cells(window)
    for tabs in window.findChildren(QTabWidget):  # every tab of a tabbed window is a page of its own
        if tabs.window() is not window or not tabs.isVisibleTo(window):
            continue
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            QApplication.processEvents()
            found = out_of_reach(window, screen) + cut_cells(window)
            problems += [f"tab “{tabs.tabText(index)}”: {p}" for p in found]
    return problems


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_each_dialog_fits_the_laptop_and_the_full_hd_screen(name, lang, office, laptop, qtbot):
    """Window and buttons within the screen, every tab; no folio, amount, date or stage cut in a table."""
    problems = []
    for label, screen in SCREENS.items():
        laptop(screen)
        dialog = BUILDERS[name](office)
        qtbot.addWidget(dialog)
        problems += [f"{label}: {p}" for p in _check_shown(qtbot, dialog, screen)]
        dialog.close()
    assert not problems, "; ".join(dict.fromkeys(problems))


def test_each_page_of_the_main_window_fits(small_db, laptop, qtbot, tmp_path, monkeypatch):
    from tresxuno.ui.main_window import MainWindow
    from tresxuno.ui.settings import Settings

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no stored geometry
    problems = []
    for label, screen in SCREENS.items():
        laptop(screen)
        window = MainWindow(small_db, settings=Settings(tmp_path / f"{label}.ini"))
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        for key in list(window.views):
            window.show_view(key)
            QApplication.processEvents()
            problems += [f"{label}, page {key}: {p}" for p in out_of_reach(window, screen)]
        window.close()
    assert not problems, "; ".join(problems)


def test_a_button_below_the_screen_or_a_window_too_tall_is_named(qtbot):
    from PySide6.QtWidgets import QPushButton

    tall = QDialog()
    qtbot.addWidget(tall)
    tall.resize(600, 900)
    save = QPushButton("Guardar", tall)
    save.move(20, 860)
    tall.show()
    problems = out_of_reach(tall, SCREENS["1366x768"])
    assert any("window is 600×900" in p for p in problems)
    assert any("Guardar" in p for p in problems)
    assert out_of_reach(tall, QRect(0, 0, 1366, 1000)) == []


def test_a_window_larger_than_the_screen_shrinks_onto_it_when_shown(qtbot, laptop):
    big = QDialog()
    qtbot.addWidget(big)
    big.resize(1500, 900)
    big.show()
    assert big.width() <= 1366 and big.height() <= 728
    laptop(SCREENS["1920x1080@125%"])
    other = QDialog()
    qtbot.addWidget(other)
    other.resize(1500, 900)
    other.show()
    assert other.width() == 1500 and other.height() <= 824


# -- Enter runs the dialog's main action (issue 15, item 4) --------------------------------------------

_ACCEPTING = (QDialogButtonBox.ButtonRole.AcceptRole, QDialogButtonBox.ButtonRole.YesRole)


def enter_problem(dialog: QDialog) -> str | None:
    """Why Enter does not press the dialog's OK/Save button, or None (also when it has none).

    Qt presses the *default* button on Enter; unless one is set, a dialog makes the first button
    after the focused field its default, which may be "Examinar…" or "Agregar fila" rather than OK.
    """
    accept = [
        button
        for box in dialog.findChildren(QDialogButtonBox)
        if box.window() is dialog and box.isVisibleTo(dialog)
        for button in box.buttons()
        if box.buttonRole(button) in _ACCEPTING and button.isVisibleTo(dialog)
    ]
    if not accept:
        return None
    defaults = [b for b in dialog.findChildren(QPushButton) if b.isDefault() and b.window() is dialog]
    if not defaults:
        return "no default button: Enter does nothing"
    if defaults[0] not in accept:
        return f"Enter presses “{defaults[0].text().replace('&', '')}”, not “{accept[0].text().replace('&', '')}”"
    return None


#: Dialogs where Enter deliberately does not press the main button, and why.
ENTER_DOES_NOT_ACCEPT = {
    D + "importer.ImportDialog": "Enter in a combo box must never import public-money records by accident",
}


@pytest.mark.parametrize("name", sorted(set(BUILDERS) - set(ENTER_DOES_NOT_ACCEPT)))
def test_enter_presses_the_main_button_of_each_dialog(name, office, qtbot):
    dialog = BUILDERS[name](office)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert enter_problem(dialog) is None, enter_problem(dialog)


# -- no folio, amount, date or stage cut short in a table (issue 15, item 3) ----------------------------

#: Texts a table must show whole: a folio, an amount (millions in English: MX$1,234,567.89), a date.
WHOLE = re.compile(r"^(\w{2,5}-\d{4}-\d{5}-\d{4}|-?(MX)?\$[\d,]+\.\d\d|\d\d/\d\d/\d{4})$")


def cut_cells(window: QWidget) -> list[str]:
    """Cells of ``window``'s tables whose folio, amount or date (or stage) does not fit its column."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QStyle, QTableView

    cut = []
    for view in window.findChildren(QTableView):
        if not view.isVisibleTo(window) or view.model() is None:
            continue
        model, header = view.model(), view.horizontalHeader()
        margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1)
        for column in range(model.columnCount()):
            if header.isSectionHidden(column):
                continue
            title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            stage = any(word in title for word in (_("Stage"), _("Status")))
            for row in range(min(model.rowCount(), 200)):
                index = model.index(row, column)
                text = index.data()
                if not isinstance(text, str) or not (WHOLE.match(text) or (stage and text)):
                    continue
                font = index.data(Qt.ItemDataRole.FontRole) or view.font()
                width = QFontMetrics(font).horizontalAdvance(text) + margin
                if index.data(Qt.ItemDataRole.DecorationRole) is not None:
                    width += view.iconSize().width() if view.iconSize().isValid() else 16
                    width += 4
                if width > view.columnWidth(column):
                    cut.append(f"{view.accessibleName() or type(view).__name__} “{title}”: {text}")
    return cut


def test_no_folio_amount_date_or_stage_is_cut_in_the_tables(lang, small_db, laptop, qtbot, tmp_path):
    from tresxuno.ui.main_window import MainWindow
    from tresxuno.ui.settings import Settings
    from tresxuno.ui.views.project_detail import ProjectRecord

    window = MainWindow(small_db, settings=Settings(tmp_path / "s.ini"))
    qtbot.addWidget(window)
    window.resize(1366, 728)
    window.show()
    qtbot.waitExposed(window)
    cut = []
    for key in list(window.views):
        window.show_view(key)
        QApplication.processEvents()
        cut += [f"{key}: {c}" for c in cut_cells(window)]
    project_id, _folio = _project_under_way(small_db)
    record = ProjectRecord(small_db, project_id, window, today=DEFAULT_TODAY)
    qtbot.addWidget(record)
    record.show()
    for index in range(record.tabs.count()):
        record.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        cut += [f"record, {record.tabs.tabText(index)}: {c}" for c in cut_cells(record)]
    assert not cut, "; ".join(dict.fromkeys(cut))


def test_an_amount_cut_short_is_named(qtbot):
    from PySide6.QtWidgets import QTableWidget, QTableWidgetItem, QVBoxLayout

    dialog = QDialog()
    qtbot.addWidget(dialog)
    table = QTableWidget(1, 2, dialog)
    table.setHorizontalHeaderLabels(["Balance", "Note"])
    table.setItem(0, 0, QTableWidgetItem("MX$1,311,506.00"))
    table.setItem(0, 1, QTableWidgetItem("a long note that may be elided"))
    QVBoxLayout(dialog).addWidget(table)
    dialog.show()
    table.setColumnWidth(0, 60)
    table.setColumnWidth(1, 20)
    assert cut_cells(dialog) == ["QTableWidget “Balance”: MX$1,311,506.00"]
    table.resizeColumnToContents(0)
    assert cut_cells(dialog) == []
