"""The PDF building blocks on their own: text measuring and splitting, column planning, long tables.

No database here: the statement is fed synthetic entries, so a long ledger (page breaks, a row
taller than a page, the balance brought forward to every page) is checked quickly and exactly.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from tests.reports.conftest import PRINTED_AT, assert_text_inside, fonts_of, pdf_text
from tresxuno.domain.money import Money, format_money
from tresxuno.reports.data import (
    Letterhead,
    PartyMoney,
    PrintStamp,
    ProgramName,
    ProjectHead,
    Statement,
    StatementEntry,
)
from tresxuno.reports.pdf.flow import Col, column_widths, fit_table
from tresxuno.reports.pdf.fonts import BOLD, REGULAR, Measure, fonts_dir, register_fonts
from tresxuno.reports.pdf.ledger_table import PAD_X, FastCol, plan_layout
from tresxuno.reports.pdf.page import atomic_output
from tresxuno.reports.pdf.statement import render_statement

ACCENTED = "Ñandú Güero — Pérez Sánchez, aportación: «ÁÉÍÓÚ» ü ñ ¿¡ $1,234.56"


def test_fonts_are_shipped_with_their_licence():
    folder = fonts_dir()
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"):
        assert (folder / name).stat().st_size > 100_000
    licence = (folder / "LICENSE").read_text(encoding="utf-8")
    assert "Bitstream" in licence and "Permission is hereby granted" in licence
    assert register_fonts() == (REGULAR, BOLD, "DejaVuSans-Oblique")


@pytest.mark.parametrize("font", [REGULAR, BOLD])
@pytest.mark.parametrize("text", ["", "0123456789", ACCENTED, "UUID 15488252-E3AC-484A-8308-3900A6F79439"])
def test_measure_agrees_with_reportlab(font, text):
    assert Measure(font).width(text, 7.5) == pytest.approx(stringWidth(text, font, 7.5), abs=1e-6)


TOKENS = [
    "a",
    "ñandú",
    "Pérez",
    "—",
    " ",
    "  ",
    "\n",
    "Constructora",
    "15488252-E3AC-484A-8308-3900A6F79439",
    "$1,234.56",
]


@settings(max_examples=200, deadline=None)
@given(
    text=st.lists(st.sampled_from(TOKENS), max_size=60).map(" ".join),
    width=st.floats(min_value=8, max_value=400),
)
def test_split_never_exceeds_the_width_and_loses_nothing(text, width):
    measure = Measure(REGULAR)
    lines = measure.split(text, width, 7.0)
    assert lines
    for line in lines:
        # A single character wider than the line is the one thing that cannot be helped.
        assert measure.width(line, 7.0) <= width + 1e-9 or len(line) == 1
    assert "".join("".join(lines).split()) == "".join(text.split())


def test_split_keeps_line_breaks_and_cuts_long_words():
    measure = Measure(REGULAR)
    assert measure.split("", 50, 7) == [""]
    assert measure.split("uno\ndos", 500, 7) == ["uno", "dos"]
    uuid = "15488252-E3AC-484A-8308-3900A6F79439"
    lines = measure.split(f"CFDI {uuid}", 60, 7)
    assert len(lines) > 2 and "".join(lines[1:]) == uuid
    # Broken after its hyphens when the parts fit: never inside a group of the UUID.
    assert all(line.endswith("-") for line in lines[1:-1])
    assert measure.split("x" * 40, 30, 7)[0] == "x" * len(measure.split("x" * 40, 30, 7)[0])


def test_a_reference_column_gets_its_whole_width_first():
    uuid = "15488252-E3AC-484A-8308-3900A6F79439"
    cols = (
        FastCol("Concepto", wrap=True, weight=3, min_width=90),
        FastCol("Referencia", wrap=True, weight=1, min_width=60, prefer_whole=True),
        FastCol("Saldo", "right"),
    )
    rows = [["palabra " * 80, uuid, "$1.00"]]
    layout = plan_layout(cols, rows, 400.0)
    assert layout.widths[1] >= Measure(REGULAR).width(uuid, layout.size) + 2 * PAD_X
    assert layout.widths[0] >= 90


def test_fixed_columns_too_wide_for_any_type_wrap_too(tmp_path: Path):
    from reportlab.platypus import SimpleDocTemplate

    from tresxuno.reports.pdf.ledger_table import FastTable, prepare_rows

    huge = format_money(Money(999_999_999_999_99), "es")
    cols = tuple(FastCol(f"Importe {i}", "right") for i in range(20))
    rows = [[huge] * 20 for _ in range(3)]
    layout = plan_layout(cols, rows, 540.0)
    assert all(layout.wrap) and sum(layout.widths) == pytest.approx(540.0)
    data = prepare_rows(cols, rows, layout, ["$0.00"] * 3, max_lines=40)
    out = tmp_path / "angosta.pdf"
    SimpleDocTemplate(str(out), leftMargin=36, rightMargin=36).build([FastTable(cols, data, layout)])
    reader, texts = pdf_text(out)
    assert "".join(texts[0].split()).count("999,999,999,999.99") == 60
    assert_text_inside(reader)


def test_fixed_columns_get_their_widest_cell_and_the_font_shrinks_to_fit():
    huge = format_money(Money(999_999_999_999_99), "es")
    cols = [Col("Parte")] + [Col(f"Importe {i}", "right", wrap=False) for i in range(6)]
    rows = [["Municipal", *[huge] * 6], ["Total", *[huge] * 6]]
    width = 540.0
    assert column_widths(cols, rows, width, 8.0) is None  # too wide at 8 pt
    table = fit_table(cols, rows, width, size=8.0, total_rows=1)
    widths = table._colWidths
    assert sum(widths) <= width + 1e-6
    size = table._cellStyles[1][1].fontsize
    assert size < 8.0
    for w in widths[1:]:
        assert Measure(BOLD).width(huge, size) + 2 * 3.0 <= w + 1e-6


def test_a_table_too_wide_even_in_small_type_wraps_instead_of_overflowing(tmp_path: Path):
    from reportlab.platypus import SimpleDocTemplate

    huge = format_money(Money(999_999_999_999_99), "es")
    cols = [Col("Parte")] + [Col(f"Importe {i}", "right", wrap=False) for i in range(12)]
    rows = [["Municipal", *[huge] * 12]]
    table = fit_table(cols, rows, 540.0)
    assert sum(table._colWidths) <= 540.0 + 1e-6
    out = tmp_path / "ancha.pdf"
    SimpleDocTemplate(str(out), leftMargin=36, rightMargin=36).build([table])
    reader, texts = pdf_text(out)
    assert "".join(texts[0].split()).count("999,999,999,999.99") == 12  # wrapped, never cut
    assert_text_inside(reader)


def test_plan_layout_gives_wrapping_columns_what_is_left():
    cols = (FastCol("Fecha"), FastCol("Concepto", wrap=True, weight=3), FastCol("Importe", "right"))
    rows = [["01/01/2026", "x " * 200, "$1,234,567.89"], ["31/12/2026", "corto", "$0.01"]]
    layout = plan_layout(cols, rows, 500.0, size=7.0)
    assert sum(layout.widths) == pytest.approx(500.0)
    regular = Measure(REGULAR)
    assert layout.widths[2] >= regular.width("$1,234,567.89", layout.size) + 2 * PAD_X
    assert layout.widths[1] > 300


def test_atomic_output_leaves_nothing_on_failure(tmp_path: Path):
    target = tmp_path / "r.pdf"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_output(target) as temp:
        temp.write_bytes(b"half")
        raise RuntimeError("boom")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.pdf"]


# --- a long synthetic statement ----------------------------------------------------------------------


def synthetic_statement(
    count: int, *, giant: int | None = None, office: str = "Oficina de Atención al Migrante"
) -> Statement:
    """``count`` entries with accented payees; entry ``giant`` (if any) has a 6,000-character concept."""
    entries = []
    balance = 0
    for i in range(1, count + 1):
        kind = "contribution" if i % 3 == 1 else "payment"
        amount = (i * 7919 % 4_000_000 + 1) * (1 if kind == "contribution" else -1)
        balance += amount
        concept = "Compra de materiales (cemento, varilla, tubería de PVC) para la red de agua"
        if i == giant:
            concept = " ".join(["Estimación"] + [f"concepto{j} ñandú" for j in range(600)])
        entries.append(
            StatementEntry(
                id=i,
                entry_date=date(2025, 1, 1) + timedelta(days=i // 20),
                kind=kind,
                party="club" if kind == "contribution" else None,
                concept=concept if kind == "payment" else "",
                payee_name="Constructora Ñandú, S.A. de C.V." if kind == "payment" else "",
                payee_rfc="CÑA850101AB1" if kind == "payment" else "",
                reference=f"SPEI {1000000 + i}",
                cfdi_uuid="15488252-E3AC-484A-8308-3900A6F79439" if kind == "payment" else "",
                reason="",
                amount=amount,
                running_balance=balance,
            )
        )
    project = ProjectHead(
        1,
        "3X1-2025-32020-0001",
        "Red de agua potable en Ermita de Guadalupe",
        ProgramName("3x1", "3x1", "3x1"),
        2025,
        "infrastructure",
        "en_ejecucion",
        "Zacatecas",
        "Jerez",
        "Ermita de Guadalupe",
        "",
        500,
        100,
    )
    total_in = sum(e.amount for e in entries if e.amount > 0)
    return Statement(
        letterhead=Letterhead(office, "Jerez, Zacatecas", ""),
        stamp=PrintStamp(PRINTED_AT, "prueba"),
        project=project,
        club_name="Club Fraternidad Jerezana",
        entries=tuple(entries),
        money=(PartyMoney("club", 0, total_in, 0, 0, 0, 0),),
        rates=(),
        cash=balance,
        total_in=total_in,
        total_out=total_in - balance,
    )


def test_long_statement_carries_the_balance_to_every_page(tmp_path: Path):
    data = synthetic_statement(700)
    out = tmp_path / "largo.pdf"
    drawn: list[tuple[int, int]] = []
    pages = render_statement(data, out, on_page=lambda done, total: drawn.append((done, total)))
    reader, texts = pdf_text(out)
    assert pages == len(reader.pages) > 10
    # Told after every page of movements, in order, up to the last entry.
    assert drawn[-1] == (700, 700) and len(drawn) <= pages
    assert [d for d, _t in drawn] == sorted({d for d, _t in drawn})
    assert f"Página {pages} de {pages}" in texts[-1]
    balances = {e.id: e.running_balance for e in data.entries}
    # Each continued page starts with the balance after the last entry of the page before.
    for before, after in pairwise(texts[1:]):
        last_id = max(int(n) for n in re.findall(r"\b(\d{1,3}) (?:\d\d/\d\d/\d{4})", before))
        assert f"Saldo anterior {format_money(Money(balances[last_id]), 'es')}" in after
    assert format_money(Money(data.cash), "es") in texts[-1]
    assert_text_inside(reader)
    assert all("DejaVuSans" in name and embedded for name, embedded in fonts_of(reader))


def test_a_row_taller_than_a_page_is_continued_not_clipped(tmp_path: Path):
    data = synthetic_statement(40, giant=20)
    out = tmp_path / "gigante.pdf"
    render_statement(data, out)
    reader, texts = pdf_text(out)
    whole = " ".join(texts)
    # Every word of the giant concept is printed, on more than one page.
    assert all(f"concepto{j}" in whole for j in range(600))
    assert sum("concepto" in t for t in texts) >= 2  # continued on the next page
    assert_text_inside(reader)


def test_a_very_long_office_name_wraps_within_the_letterhead(tmp_path: Path):
    data = synthetic_statement(
        5, office="Presidencia Municipal " * 9 + "de Jerez de García Salinas, Zacatecas"
    )
    out = tmp_path / "membrete.pdf"
    render_statement(data, out)
    reader = PdfReader(str(out))
    assert_text_inside(reader)


def test_rendering_a_long_statement_is_quick(tmp_path: Path):
    """A smoke bound (the benchmark measures properly): 2,000 entries well under a few seconds."""
    import time

    data = synthetic_statement(2000)
    started = time.perf_counter()
    render_statement(data, tmp_path / "rapido.pdf")
    assert time.perf_counter() - started < 8.0


def test_printed_at_is_the_stamp(tmp_path: Path):
    data = synthetic_statement(3)
    render_statement(data, tmp_path / "s.pdf")
    _reader, texts = pdf_text(tmp_path / "s.pdf")
    assert "Impreso el 23/11/2026 a las 09:30 por prueba" in texts[0]
    assert isinstance(PRINTED_AT, datetime)
