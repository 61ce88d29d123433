"""The import dialog driven through its real widgets: file, kind, column combos, preview, import buttons."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from tresxuno.domain.problems import Problem
from tresxuno.domain.validation import FederationInput
from tresxuno.i18n import _, ngettext
from tresxuno.messages import describe
from tresxuno.services.clubs import register_federation
from tresxuno.services.importer import run_import
from tresxuno.services.projects import count_projects
from tresxuno.ui import prompts as prompts_module
from tresxuno.ui.dialogs.importer import BAD_CELL, ImportDialog

from .conftest import OFFSCREEN_SIZE_HINTS

#: A shown dialog sets its size limits, which the offscreen platform warns about (not our fault).
pytestmark = OFFSCREEN_SIZE_HINTS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
PROJECTS_CSV = FIXTURES / "proyectos_dos_errores.csv"


@pytest.fixture
def db(empty_db):
    register_federation(empty_db, FederationInput("Federación Zacatecana del Sur de California", "32", "LA"))
    assert run_import(empty_db, FIXTURES / "clubes_bom_punto_y_coma.csv", "clubs").written
    return empty_db


@pytest.fixture
def dialog(qtbot, db):
    widget = ImportDialog(db, user="ana")
    qtbot.addWidget(widget)
    widget.show()
    return widget


def settle(qtbot, dialog: ImportDialog) -> None:
    """Wait until the background check (or import) has reported."""
    qtbot.waitUntil(lambda: not dialog.busy and dialog.preview is not None, timeout=20_000)


def choose(qtbot, dialog: ImportDialog, monkeypatch, path: Path) -> None:
    monkeypatch.setattr(prompts_module, "choose_open_file", lambda *args, **kwargs: str(path))
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    settle(qtbot, dialog)


def listed(dialog: ImportDialog) -> list[tuple[str, str, str]]:
    table = dialog.problems_table
    return [tuple(table.item(r, c).text() for c in range(3)) for r in range(table.rowCount())]


def preview_cell(dialog: ImportDialog, row_number: int, header: str):
    table = dialog.preview_table
    rows = [table.verticalHeaderItem(r).text() for r in range(table.rowCount())]
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    return table.item(rows.index(str(row_number)), headers.index(header))


def test_both_bad_rows_are_listed_marked_and_only_the_valid_rows_can_be_imported(
    qtbot, dialog, db, monkeypatch, prompts
):
    assert dialog.pages.currentIndex() == 0  # the empty state explains what to do
    assert not dialog.import_all_button.isEnabled() and not dialog.import_valid_button.isEnabled()
    choose(qtbot, dialog, monkeypatch, PROJECTS_CSV)

    assert dialog.kind == "projects"  # guessed from the headers
    assert dialog.mapping_combos["Costo"].currentData() == "cost"
    assert dialog.mapping_combos["Municipio"].currentData() == "municipality_key"
    cost = describe(
        Problem("cost", "amount.decimal_comma", {"text": "1.234,56", "suggestion": "1234.56"}),
        with_field=False,
    )
    params = {"name": "Jeréz de García", "state": "Zacatecas", "suggestions": "Jerez (32020)"}
    place = describe(
        Problem("municipality_key", "import.municipality_not_found_similar", params), with_field=False
    )
    assert listed(dialog) == [("4", "Costo", cost), ("7", "Municipio", place)]

    bad = preview_cell(dialog, 4, "Costo")
    assert bad.background().color() == BAD_CELL
    assert not bad.icon().isNull() and bad.toolTip() == cost  # not by colour alone
    assert preview_cell(dialog, 7, "Municipio").toolTip() == place
    good = preview_cell(dialog, 5, "Costo")
    assert good.icon().isNull() and good.textAlignment() & Qt.AlignmentFlag.AlignRight
    assert preview_cell(dialog, 4, _("Status")).text() == ngettext(
        "{count} problem", "{count} problems", 1
    ).format(count=1)
    counts = ", ".join(
        (
            ngettext("{count} valid row", "{count} valid rows", 5).format(count=5),
            ngettext("{count} with errors", "{count} with errors", 2).format(count=2),
        )
    )
    assert dialog.counts_label.text() == counts
    assert not dialog.import_all_button.isEnabled()
    assert dialog.import_valid_button.isEnabled()

    # Double-clicking a listed problem takes the officer to the cell.
    dialog._go_to_problem(1)
    assert dialog.preview_table.currentItem() is preview_cell(dialog, 7, "Municipio")

    asked = []
    monkeypatch.setattr(
        prompts_module, "confirm", lambda parent, title, text, **kw: asked.append(text) or True
    )
    qtbot.mouseClick(dialog.import_valid_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=20_000)
    assert asked and "5" in asked[0] and "2" in asked[0]
    assert (dialog.result.imported, dialog.result.skipped) == (5, 2)
    assert count_projects(db) == 5
    assert prompts.messages[-1][1] == _("Import finished")


def test_changing_a_column_combo_checks_again_and_blocks_a_missing_required_field(
    qtbot, dialog, db, monkeypatch
):
    choose(qtbot, dialog, monkeypatch, PROJECTS_CSV)
    dialog.mapping_combos["Costo"].setCurrentIndex(0)  # "(ignore)"
    assert dialog.busy and not dialog.import_valid_button.isEnabled()  # nothing runs on a stale preview
    settle(qtbot, dialog)
    assert dialog.preview.missing_columns == ("cost",)
    assert not dialog.import_all_button.isEnabled() and not dialog.import_valid_button.isEnabled()
    assert "Costo" not in dialog.preview.mapping
    assert listed(dialog)[0][0] == "1"  # the header row: the column is missing
    assert dialog.missing_label.isVisible()

    combo = dialog.mapping_combos["Costo"]
    combo.setCurrentIndex(combo.findData("cost"))
    settle(qtbot, dialog)
    assert dialog.preview.missing_columns == ()
    assert [row for row, _col, _why in listed(dialog)] == ["4", "7"]


def test_a_renamed_column_is_matched_by_hand_and_the_formula_is_refused(qtbot, dialog, db, monkeypatch):
    choose(qtbot, dialog, monkeypatch, FIXTURES / "proyectos_columnas.xlsx")
    assert dialog.mapping_combos["Esquema"].currentData() is None
    assert dialog.mapping_combos["Observaciones"].currentData() is None
    assert not dialog.import_valid_button.isEnabled()  # "Programa" has no column yet
    dialog.set_field("Esquema", "program")
    settle(qtbot, dialog)
    assert [(row, column) for row, column, _why in listed(dialog)] == [("3", "Inversión total")]
    assert preview_cell(dialog, 3, "Inversión total").background().color() == BAD_CELL
    assert dialog.import_valid_button.isEnabled()


def test_a_valid_workbook_is_imported_whole_with_import_all(qtbot, dialog, db, monkeypatch):
    choose(qtbot, dialog, monkeypatch, FIXTURES / "clubes.xlsx")
    assert dialog.kind == "clubs"
    assert dialog.sheet_combo.isVisible() and dialog.sheet_combo.currentText() == "Clubes"
    assert listed(dialog) == []
    assert dialog.import_all_button.isEnabled() and not dialog.import_valid_button.isEnabled()
    qtbot.mouseClick(dialog.import_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=20_000)
    assert dialog.result.imported == 3


def test_an_unreadable_file_is_reported_and_nothing_can_be_imported(
    qtbot, dialog, monkeypatch, prompts, tmp_path
):
    choose(qtbot, dialog, monkeypatch, PROJECTS_CSV)  # a good file first: its rows must not linger
    assert dialog.import_valid_button.isEnabled()
    old = tmp_path / "viejo.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    monkeypatch.setattr(prompts_module, "choose_open_file", lambda *args, **kwargs: str(old))
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(prompts.messages) and not dialog.busy, timeout=20_000)
    assert "viejo.xls" in prompts.messages[0][2]
    assert dialog.counts_label.text() == _("The file could not be read.")
    assert not dialog.import_all_button.isEnabled() and not dialog.import_valid_button.isEnabled()
    assert dialog.preview is None and dialog.mapping_combos == {} and dialog.pages.currentIndex() == 0


def test_cancel_while_checking_waits_for_the_check_and_closes(qtbot, dialog, monkeypatch):
    monkeypatch.setattr(prompts_module, "choose_open_file", lambda *args, **kwargs: str(PROJECTS_CSV))
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=20_000)
    assert not dialog.busy and dialog.result is None


def test_keyboard_order_runs_from_the_file_through_each_column_to_the_buttons(qtbot, dialog, monkeypatch):
    choose(qtbot, dialog, monkeypatch, PROJECTS_CSV)
    order: list[QWidget] = []
    widget = dialog.choose_button
    for _step in range(40):
        order.append(widget)
        widget = widget.nextInFocusChain()
    combos = list(dialog.mapping_combos.values())
    wanted = [
        dialog.choose_button,
        dialog.kind_combo,
        *combos,
        dialog.preview_table,
        dialog.problems_table,
        dialog.import_all_button,
        dialog.import_valid_button,
        dialog.cancel_button,
    ]
    positions = [order.index(w) for w in wanted]
    assert positions == sorted(positions)
    assert all(c.accessibleName() for c in combos)
