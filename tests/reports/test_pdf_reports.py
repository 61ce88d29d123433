"""The four PDF reports rendered from the demo database and read back with pypdf.

Each report must carry its data (folio, accented names, amounts formatted es-MX), totals that equal
the ledger's balances to the centavo, amounts in words that match the figures, "Página 1 de N" with
N the real page count, no text outside the page, only embedded DejaVu fonts, and English when asked.
"""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.reports.conftest import PRINTED_AT, PRINTED_BY, assert_text_inside, fonts_of, pdf_text
from tresxuno.domain.money import Money, format_money
from tresxuno.domain.words import amount_in_words
from tresxuno.i18n import set_language
from tresxuno.reports.pdf.agreement import render_agreement
from tresxuno.reports.pdf.project import render_project_sheet
from tresxuno.reports.pdf.receipt import render_receipt
from tresxuno.reports.pdf.statement import render_statement
from tresxuno.services.clubs import get_club
from tresxuno.services.ledger import list_entries, project_balance
from tresxuno.services.office import OfficeSettings, office_settings, save_office_settings
from tresxuno.services.reporting.agreement import build_agreement
from tresxuno.services.reporting.project import build_project_sheet
from tresxuno.services.reporting.receipt import build_receipt
from tresxuno.services.reporting.run import write_report
from tresxuno.services.reporting.statement import build_statement
from tresxuno.services.tomas import toma_on


def es(centavos: int) -> str:
    return format_money(Money(centavos), "es")


def check_common(path: Path, pages_expected: int | None = None) -> tuple[PdfReader, list[str]]:
    """What every report must satisfy: page numbers, fonts, nothing off the page, the footer."""
    reader, texts = pdf_text(path)
    count = len(reader.pages)
    assert f"Página 1 de {count}" in texts[0]
    for number, text in enumerate(texts, start=1):
        assert f"Página {number} de {count}" in text
        assert PRINTED_BY in text and "23/11/2026" in text  # who printed it, and when
    if pages_expected is not None:
        assert count == pages_expected
    fonts = fonts_of(reader)
    assert fonts, "no fonts at all"
    for name, embedded in fonts:
        assert "DejaVuSans" in name and embedded, f"font {name} is not an embedded DejaVu font"
    assert_text_inside(reader)
    return reader, texts


# --- 1. project sheet -----------------------------------------------------------------------------


def test_project_sheet_carries_the_project_mix_and_money(demo_db, picks, tmp_path):
    data = build_project_sheet(demo_db, picks.partner, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    out = tmp_path / "cedula.pdf"
    pages = render_project_sheet(data, out)
    _reader, texts = check_common(out, pages)
    whole = " ".join(texts)
    assert "Cédula del proyecto" in texts[0]
    p = data.project
    assert p.folio in texts[0]
    club = get_club(demo_db, data.club.id)
    # The toma de nota printed is the one the club held on the project's date (its history keeps it).
    held = toma_on(demo_db, club.id, data.as_of)
    assert held is not None and held.valid_on(data.as_of)
    assert club.name in whole and held.folio in whole and data.club.toma_folio == held.folio
    assert club.federation_name.split()[0] in whole
    # Five parties, each share right there in es-MX, and the total is the cost.
    assert len(data.mix) == 5
    for line in data.mix:
        assert es(line.amount) in whole
    assert sum(m.amount for m in data.mix) == p.cost
    assert es(p.cost) in whole
    # Financial progress: per-party figures and totals are the ledger's, to the centavo.
    balance = project_balance(demo_db, picks.partner)
    for party in balance.parties:
        assert es(party.received) in whole and es(party.paid) in whole
    assert es(balance.received) in whole and es(balance.paid) in whole and es(balance.refunded) in whole
    # Rule set provenance, stage history and progress.
    assert f"{data.rule_set.id}" in whole
    assert "Historial de etapas" in whole and "Avance físico" in whole
    if data.progress:
        assert f"{data.progress[-1].percent_tenths // 10}" in whole


def test_project_sheet_marks_a_capped_share_with_its_cap(demo_db, picks, tmp_path):
    data = build_project_sheet(demo_db, picks.capped, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    capped = [m for m in data.mix if m.capped]
    assert capped and all(m.cap is not None and m.amount <= m.cap for m in capped)
    out = tmp_path / "capped.pdf"
    render_project_sheet(data, out)
    _reader, texts = check_common(out)
    whole = " ".join(texts)
    for m in capped:
        assert f"con tope: {es(m.cap)}" in whole


def test_percentages_of_the_cedula_and_the_convenio_add_up_to_100_00(demo_db, picks, tmp_path):
    """Three equal shares are 33.333… % each: the documents print 33.34 + 33.33 + 33.33 = 100.00 %.

    Each percentage rounded on its own (as the stored mix is) would total 99.99 %; the documents take
    them from the amounts by the largest-remainder rule, like the amounts themselves.
    """
    from dataclasses import replace

    sheet = build_project_sheet(demo_db, picks.partner, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    agreement = build_agreement(demo_db, picks.partner, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    third = 100_000_00  # $100,000.00 each
    sheet = replace(sheet, mix=tuple(replace(m, amount=third, percent_bp=3333) for m in sheet.mix[:3]))
    agreement = replace(
        agreement,
        signatories=tuple(replace(x, amount=third, percent_bp=3333) for x in agreement.signatories[:3]),
    )
    for name, render, data in (
        ("cedula", render_project_sheet, sheet),
        ("convenio", render_agreement, agreement),
    ):
        out = tmp_path / f"{name}.pdf"
        render(data, out)
        whole = " ".join(pdf_text(out)[1])
        assert "100.00 %" in whole and "99.99 %" not in whole, name
        assert whole.count(f"33.33 % {es(third)}") == 2 and whole.count(f"33.34 % {es(third)}") == 1, name


def test_amount_columns_are_right_aligned(demo_db, picks, tmp_path):
    """The balances of the statement end on one right edge while their widths (so their starts) vary."""
    from tests.reports.conftest import text_runs

    data = build_statement(demo_db, picks.busiest, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    out = tmp_path / "align.pdf"
    render_statement(data, out)
    reader = PdfReader(str(out))
    balances = {es(e.running_balance) for e in data.entries}
    # The movement table is drawn at 7 pt (the summary tables above it at 8): its balance column.
    runs = [
        r
        for page in reader.pages
        for r in text_runs(page)
        if r.text.strip() in balances and r.size < 7.5 and r.x + r.width > float(page.mediabox.width) - 50
    ]
    assert len(runs) >= len(data.entries)
    assert len({round(r.x + r.width, 1) for r in runs}) == 1
    assert len({round(r.x, 1) for r in runs}) > 1


def test_logo_is_drawn_when_the_file_exists(demo_copy, picks, tmp_path):
    logo = tmp_path / "escudo.png"
    logo.write_bytes(_png(40, 30))
    save_office_settings(
        demo_copy, OfficeSettings("Oficina de Atención a Migrantes de Jerez", "32020", str(logo))
    )
    assert office_settings(demo_copy).logo_path
    data = build_project_sheet(demo_copy, picks.busiest, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    out = tmp_path / "logo.pdf"
    render_project_sheet(data, out)
    reader, texts = check_common(out)
    assert "Oficina de Atención a Migrantes de Jerez" in texts[0] and "Jerez, Zacatecas" in texts[0]
    for page in reader.pages:
        images = [
            x
            for x in page["/Resources"].get("/XObject", {}).values()
            if x.get_object()["/Subtype"] == "/Image"
        ]
        assert images, "the logo is missing"
    # A logo whose file is gone is left out, and the report still prints.
    Path(office_settings(demo_copy).logo_path).unlink()
    data = build_project_sheet(demo_copy, picks.busiest, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    render_project_sheet(data, out)
    assert "/XObject" not in PdfReader(str(out)).pages[0]["/Resources"]


def _png(width: int, height: int) -> bytes:
    """A small RGB PNG (a green field), written by hand: tests need no imaging library."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"\x00\x80\x40" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


# --- 2. agreement ----------------------------------------------------------------------------------


def test_agreement_names_every_party_with_figures_and_words_and_a_signature(demo_db, picks, tmp_path):
    data = build_agreement(demo_db, picks.partner, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    assert [s.party for s in data.signatories] == ["municipal", "state", "federal", "club", "partner"]
    assert sum(s.amount for s in data.signatories) == data.project.cost
    out = tmp_path / "convenio.pdf"
    render_agreement(data, out)
    _reader, texts = check_common(out)
    whole = " ".join(texts)
    assert "Convenio de concertación" in texts[0]
    assert data.club.name in whole and data.club.toma_folio in whole
    for s in data.signatories:
        words = amount_in_words(Money(s.amount), capitals=True)
        assert es(s.amount) in whole
        # The words printed are the words of the figure, in capitals as convenios write them.
        assert f"{es(s.amount)} ({words})" in whole
    total = data.project.cost
    assert f"{es(total)} ({amount_in_words(Money(total), capitals=True)})" in whole
    # A signature block per party: the club's signer by name, every body named under a line.
    _role, name = data.club.representative
    assert name and name in whole
    assert "TESOFE" in whole  # federal money in the mix: the refund clause names the treasury
    assert whole.count("Por ") >= len(data.signatories)


def test_agreement_is_refused_for_a_project_not_approved(demo_db, picks):
    from tresxuno.domain.problems import InputError

    with pytest.raises(InputError) as caught:
        build_agreement(demo_db, picks.not_approved, printed_by=PRINTED_BY)
    assert caught.value.problems[0].code == "report.agreement_not_approved"


# --- 3. statement ----------------------------------------------------------------------------------


def test_statement_lists_every_entry_and_reconciles_with_the_ledger(demo_db, picks, tmp_path):
    data = build_statement(demo_db, picks.busiest, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    out = tmp_path / "estado.pdf"
    render_statement(data, out)
    reader, texts = check_common(out)
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    whole = " ".join(texts)
    assert "Estado de cuenta" in texts[0]
    balance = project_balance(demo_db, picks.busiest)
    entries = list_entries(demo_db, project_id=picks.busiest, limit=10_000)
    assert len(data.entries) == len(entries)
    # Every running balance is printed, the last one is the ledger's cash.
    for e in entries:
        assert es(e.running_balance) in whole
        if e.cfdi_uuid:
            assert e.cfdi_uuid in whole.replace(" ", "")
    assert data.entries[-1].running_balance == balance.cash
    assert data.total_in - data.total_out == balance.cash
    assert es(data.total_in) in whole and es(data.total_out) in whole
    # Per party: approved, received, outstanding, paid, refunded as project_balance gives them.
    assert {m.party: (m.approved, m.received, m.outstanding, m.paid, m.refunded) for m in data.money} == {
        p.party: (p.approved, p.received, p.outstanding, p.paid, p.refunded) for p in balance.parties
    }
    for total in (balance.approved, balance.received, balance.outstanding, balance.paid, balance.refunded):
        assert es(total) in whole
    # The exchange rates of the dollar deposits.
    usd = [e for e in entries if e.usd_amount is not None]
    assert len(data.rates) == len(usd)
    for e in usd:
        assert format_money(Money(e.usd_amount, "USD"), "es") in whole and e.rate in whole
        assert e.rate_source in whole


def test_statement_of_a_project_without_entries(demo_db, picks, tmp_path):
    data = build_statement(demo_db, picks.empty, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    out = tmp_path / "vacio.pdf"
    render_statement(data, out)
    check_common(out)


def test_statement_rereads_when_the_ledger_changes_between_reads(demo_copy):
    from datetime import date

    with demo_copy.engine.connect() as conn:  # works under way: a project that still takes deposits
        open_project = int(
            conn.exec_driver_sql(
                "SELECT p.id FROM projects p WHERE p.stage = 'en_ejecucion' AND EXISTS "
                "(SELECT 1 FROM ledger_entries e WHERE e.project_id = p.id) ORDER BY p.id LIMIT 1"
            ).scalar()
        )

    from tresxuno.domain.ledger import ContributionInput
    from tresxuno.services.ledger import record_contribution

    calls = []

    def meddle(attempt: int) -> None:
        calls.append(attempt)
        if attempt == 1:  # another desk records a deposit between the reads
            record_contribution(
                demo_copy,
                ContributionInput(
                    open_project,
                    "club",
                    date(2026, 11, 2),
                    amount=12_345,
                    override_reason="Aportación extraordinaria de prueba",
                    authorised_by="Tesorería",
                ),
                today=date(2026, 11, 23),
            )

    data = build_statement(demo_copy, open_project, printed_by=PRINTED_BY, on_read=meddle)
    assert calls == [1, 2]
    assert data.cash == project_balance(demo_copy, open_project).cash
    assert data.entries[-1].amount == 12_345 and data.entries[-1].running_balance == data.cash


# --- 4. receipt ------------------------------------------------------------------------------------


def test_receipt_is_bilingual_with_dollars_rate_and_words(demo_db, picks, tmp_path):
    set_language("en")  # the receipt is bilingual whatever the language in force
    data = build_receipt(demo_db, picks.usd_entry, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    out = tmp_path / "recibo.pdf"
    render_receipt(data, out)
    set_language("es")
    reader, texts = pdf_text(out)
    assert len(reader.pages) == 1
    text = texts[0]
    assert "Recibo de aportación" in text and "Contribution receipt" in text
    assert "Página 1 de 1" in text and "Page 1 of 1" in text
    assert data.club.name in text
    assert data.project.folio in text
    assert data.usd_amount is not None
    assert format_money(Money(data.usd_amount, "USD"), "es") in text
    assert data.rate in text and data.rate_source in text
    assert format_money(Money(data.amount), "es", code=True) in text
    assert amount_in_words(Money(data.amount)) in text
    assert data.reference in text
    assert "Tipo de cambio" in text and "Exchange rate" in text
    assert "Funcionario que recibe" in text or "Receiving officer" in text
    for name, embedded in fonts_of(reader):
        assert "DejaVuSans" in name and embedded
    assert_text_inside(reader)


def test_receipt_is_refused_for_a_payment(demo_db, picks):
    from tresxuno.domain.problems import InputError

    with pytest.raises(InputError) as caught:
        build_receipt(demo_db, picks.payment_entry, printed_by=PRINTED_BY)
    assert caught.value.problems[0].code == "report.receipt_not_contribution"


# --- English, and every kind through write_report ---------------------------------------------------


@pytest.mark.parametrize("kind", ["project", "agreement", "statement", "receipt"])
def test_every_report_in_english(demo_db, picks, tmp_path, kind):
    set_language("en")
    out = tmp_path / f"{kind}.pdf"
    options = {"entry_id": picks.usd_entry} if kind == "receipt" else {"project_id": picks.partner}
    result = write_report(demo_db, kind, out, printed_by=PRINTED_BY, printed_at=PRINTED_AT, **options)
    reader, texts = pdf_text(out)
    assert result.pages == len(reader.pages)
    assert f"Page 1 of {len(reader.pages)}" in texts[0]
    assert "Printed on Nov 23, 2026 at 9:30" in texts[0]
    titles = {
        "project": "Project sheet",
        "agreement": "Coordination agreement",
        "statement": "Statement of account",
        "receipt": "Contribution receipt",
    }
    assert titles[kind] in texts[0]
    if kind != "receipt":  # the receipt is bilingual on purpose
        assert "Página" not in " ".join(texts)
    # Amounts in English carry the MX$ symbol; the legal words stay Spanish.
    assert re.search(r"MX\$[0-9,]+\.[0-9]{2}", " ".join(texts)) or kind == "receipt"
    assert_text_inside(reader)


def test_a_failed_report_leaves_no_file(demo_db, picks, tmp_path):
    from tresxuno.services.progress import Cancelled, CancelToken

    out = tmp_path / "cancelled.pdf"
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        write_report(demo_db, "statement", out, project_id=picks.busiest, printed_by="x", cancel=token)
    assert list(tmp_path.iterdir()) == []


def test_project_sheet_prints_the_agreed_split_the_cap_authorisation_and_the_years_rules(tmp_path):
    """The cédula cites the year's Reglas de Operación, the agreed split and who authorised the excess.

    Never an internal file name (issue 13, item 7).
    """
    from tests.services.test_registry_and_projects import club_input, project_input
    from tresxuno.db.engine import open_database
    from tresxuno.domain.allocation import CapAuthorisation
    from tresxuno.domain.parties import Party
    from tresxuno.services.clubs import register_club
    from tresxuno.services.project_requests import submit_project

    db = open_database(str(tmp_path / "fresh.sqlite"))
    club = register_club(db, club_input())
    auth = CapAuthorisation(Party.FEDERAL, "Lic. Ana Ruiz", "Obra de alto impacto social", "Oficio 211/2016")
    project = submit_project(
        db, project_input(club.id, joint_split_bp=3000, cap_authorisations=(auth,)), user="capturista"
    )
    data = build_project_sheet(db, project.id, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    out = tmp_path / "cedula.pdf"
    render_project_sheet(data, out)
    whole = " ".join(" ".join(pdf_text(out)[1]).split())
    assert (
        "Reglas de Operación del Programa 3x1 para Migrantes para el ejercicio fiscal 2016, DOF 29/12/2015"
        in whole
    )
    assert "30.00 %" in whole and "convenio" in whole
    for needle in (
        "Lic. Ana Ruiz",
        "Oficio 211/2016",
        "alto impacto social",
        es(181_910_155),
        es(100_000_000),
    ):
        assert needle in whole, needle
    assert ".md" not in whole and ".toml" not in whole and "DOMAIN" not in whole
    db.dispose()
