"""The streaming XLSX writer: what a spreadsheet reads back is what was written, typed and styled.

Read back with openpyxl (a full OOXML reader) and, part by part, with an XML parser: every part of
the package must be well-formed, since a spreadsheet program refuses or "repairs" a broken one.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tresxuno.reports.xlsx_stream import (
    COLUMNS,
    MAX_SHEET_NAME,
    StreamWorkbook,
    Style,
    cell_formula,
    cell_number,
    cell_text,
    cents_text,
    serial,
    text_xml,
)

STYLES = (Style(bold=True), Style("dd/mm/yyyy"), Style('"$"#,##0.00'))


def write(path, rows, *, custom=(), description=""):
    wb = StreamWorkbook(path, STYLES)
    ws = wb.add_sheet("Movimientos", (9, 30))
    for cells in rows:
        ws.row(cells)
    wb.add_sheet("Saldos").row(cell_text("A", 1, text_xml("fin")))
    wb.custom = list(custom)
    wb.description = description
    wb.close()


def test_cells_read_back_typed_and_styled_with_a_frozen_header(tmp_path):
    path = tmp_path / "x.xlsx"
    write(
        path,
        [
            cell_text("A", 1, text_xml("asiento"), 1) + cell_text("B", 1, text_xml("fecha"), 1),
            cell_number("A", 2, 7)
            + cell_number("B", 2, serial(date(2025, 2, 10)), 2)
            + cell_number("C", 2, cents_text(-123456), 3),
            cell_formula("C", 3, "SUM(C2:C2)", cents_text(-123456), 3),
        ],
        custom=[("Bitácora: cabeza", "abc123"), ("Bitácora: registros", 42)],
        description="cabeza abc123",
    )
    wb = load_workbook(path)
    assert wb.sheetnames == ["Movimientos", "Saldos"]
    ws = wb["Movimientos"]
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width == 30
    assert ws["A1"].value == "asiento" and ws["A1"].font.b
    assert ws["A2"].value == 7 and ws["A2"].data_type == "n"
    assert ws["B2"].is_date and ws["B2"].value == datetime(2025, 2, 10)
    assert ws["C2"].value == -1234.56 and ws["C2"].number_format == '"$"#,##0.00'
    assert ws["C3"].value == "=SUM(C2:C2)"
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props == {"Bitácora: cabeza": "abc123", "Bitácora: registros": 42}
    assert wb.properties.description == "cabeza abc123"
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            ElementTree.fromstring(z.read(name))  # every part well-formed


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\r\n\t<>&\"' "),
        max_size=80,
    )
)
def test_any_text_an_export_can_hold_reads_back_unchanged(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("t") / "t.xlsx"
    write(path, [cell_text("A", 1, text_xml(text))])
    value = load_workbook(path)["Movimientos"]["A1"].value
    assert (value or "") == text


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_amounts_are_written_as_exact_decimal_text(centavos):
    text = cents_text(centavos)
    whole, cents = text.lstrip("-").split(".")
    assert int(whole) * 100 + int(cents) == abs(centavos) and len(cents) == 2
    assert text.startswith("-") == (centavos < 0)


def test_bad_sheet_names_and_too_many_rows_are_refused(tmp_path, monkeypatch):
    wb = StreamWorkbook(tmp_path / "y.xlsx", STYLES)
    for name in ("", "a" * (MAX_SHEET_NAME + 1), "Saldos/2024"):
        with pytest.raises(ValueError):
            wb.add_sheet(name)
    monkeypatch.setattr("tresxuno.reports.xlsx_stream.MAX_ROWS", 2)
    ws = wb.add_sheet("Hoja")
    ws.row("")
    ws.row("")
    with pytest.raises(ValueError):
        ws.row("")
    wb.discard()


def test_columns_are_named_as_spreadsheets_name_them():
    assert COLUMNS[0] == "A" and COLUMNS[25] == "Z" and COLUMNS[26] == "AA" and COLUMNS[51] == "AZ"
