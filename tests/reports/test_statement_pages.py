"""A statement over several pages, read back: every entry once, the balance carried, totals as the ledger's.

The movement table is drawn a page at a time from a stream of rows (``StreamTable``) and each page
is let go as it is finished (``StreamingCanvas``), so a row lost or repeated at a page break, a
wrong balance brought forward, or a footer missing its page count would show here.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from tests.reports.conftest import PRINTED_AT, PRINTED_BY, assert_text_inside, pdf_text
from tests.reports.test_pdf_layout import synthetic_statement
from tresxuno.domain.ledger import ContributionInput
from tresxuno.domain.money import Money, format_money
from tresxuno.reports.pdf import statement as statement_pdf
from tresxuno.reports.pdf.statement import render_statement
from tresxuno.services.ledger import list_entries, project_balance, record_contribution
from tresxuno.services.reporting.statement import build_statement


def es(centavos: int) -> str:
    return format_money(Money(centavos), "es")


def test_three_page_statement_carries_the_balance_and_its_totals_are_the_ledgers(demo_copy, tmp_path):
    with demo_copy.engine.connect() as conn:  # works under way: a project that still takes deposits
        project = int(
            conn.execute(
                text(
                    "SELECT p.id FROM projects p WHERE p.stage = 'en_ejecucion' AND EXISTS "
                    "(SELECT 1 FROM ledger_entries e WHERE e.project_id = p.id) ORDER BY p.id LIMIT 1"
                )
            ).scalar_one()
        )
    for n in range(70):  # deposits with a two-line reference: the movements take two pages and more
        record_contribution(
            demo_copy,
            ContributionInput(
                project,
                "club",
                date(2026, 1, 5) + timedelta(days=n),
                amount=1_000_00 + 137 * n,
                reference=f"SPEI {9_000_000_000 + n} — depósito semanal número {n} del club espejo",
                override_reason="Aportación extraordinaria de prueba",
                authorised_by="Tesorería",
            ),
            today=date(2026, 11, 23),
        )
    data = build_statement(demo_copy, project, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    out = tmp_path / "estado.pdf"
    pages = render_statement(data, out)
    reader, texts = pdf_text(out)
    assert pages == len(reader.pages) >= 3
    for number, page in enumerate(texts, start=1):
        assert f"Página {number} de {pages}" in page

    ledger = list_entries(demo_copy, project_id=project, limit=10_000)  # balances summed by SQL's window
    balance_after = {e.id: e.running_balance for e in ledger}
    row = re.compile(r"(?:^|\s)(\d{1,6}) \d\d/\d\d/\d{4} ")
    start = next(i for i, t in enumerate(texts) if "Movimientos" in t)
    movement_pages = [texts[start].split("Movimientos", 1)[1], *texts[start + 1 :]]
    assert sum(bool(row.search(page)) for page in movement_pages) >= 2
    seen: list[int] = []
    for page_number, page in enumerate(movement_pages):
        ids = [int(m) for m in row.findall(page)]
        if not ids:  # the table ended at a page's foot: only the totals are left for the last page
            assert page is movement_pages[-1] and "Total de ingresos" in page and "Saldo anterior" not in page
            continue
        if page_number:
            # A continued page opens with the balance after the last entry of the page before.
            assert f"Saldo anterior {es(balance_after[seen[-1]])}" in page
        for eid in ids:
            assert es(balance_after[eid]) in page
        seen += ids
    # Every entry exactly once, in statement order, across the page breaks.
    assert seen == [e.id for e in ledger]

    cash = project_balance(demo_copy, project).cash
    total_in = sum(e.amount for e in ledger if e.amount > 0)
    total_out = -sum(e.amount for e in ledger if e.amount < 0)
    assert total_in - total_out == cash == ledger[-1].running_balance
    closing = texts[-1].split("Total de ingresos", 1)[1]
    assert f"{es(total_in)} {es(total_out)} {es(cash)}" in closing
    assert_text_inside(reader)


def test_a_few_movements_on_one_page_bring_no_balance_forward(demo_db, picks, tmp_path):
    data = build_statement(demo_db, picks.busiest, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    data = replace(data, entries=data.entries[:3])
    out = tmp_path / "corto.pdf"
    pages = render_statement(data, out)
    _reader, texts = pdf_text(out)
    whole = " ".join(texts)
    assert "Saldo anterior" not in whole and f"Página {pages} de {pages}" in texts[-1]
    for e in data.entries:
        assert es(e.running_balance) in whole


@pytest.mark.parametrize(("count", "giant"), [(700, None), (40, 20)])
def test_streamed_pages_are_those_of_the_whole_table(tmp_path, monkeypatch, count, giant):
    """Rows made a page at a time break exactly where the table of all rows at once breaks."""
    data = synthetic_statement(count, giant=giant)
    streamed = tmp_path / "streamed.pdf"
    render_statement(data, streamed)
    monkeypatch.setattr(statement_pdf, "movements_stream", statement_pdf.movements_table)
    whole = tmp_path / "whole.pdf"
    render_statement(data, whole)
    _r1, streamed_texts = pdf_text(streamed)
    _r2, whole_texts = pdf_text(whole)
    assert len(streamed_texts) > (10 if giant is None else 1)
    assert streamed_texts == whole_texts


def test_streamed_table_chooses_the_whole_tables_columns(demo_db, picks):
    """Widths from one pass (amounts by their extremes, repeated texts once) equal those from every cell."""
    from tresxuno.reports.pdf.page import PageDecor, PageGeometry

    real = build_statement(demo_db, picks.busiest, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    for data in (synthetic_statement(300), synthetic_statement(40, giant=20), real):
        decor = PageDecor(data.letterhead, "x", ("x",), wide=True)
        geometry = PageGeometry.letter(wide=True, head_height=decor.height)
        streamed = statement_pdf.movements_stream(data.entries, geometry, "es")
        whole = statement_pdf.movements_table(data.entries, geometry, "es")
        assert streamed.layout == whole.layout
