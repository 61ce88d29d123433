"""Every printed report and every export carries the audit chain's head at that moment.

Read back from the files (PDF text via pypdf, the journals' comment, the XLSX's document properties,
the CSV export's summary line), compared with ``audit_head``, and proven usable: after more work is
recorded, ``tresxuno check --anchor HASH`` (a real subprocess) still passes on the hash printed.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from tests.reports.conftest import PRINTED_AT, PRINTED_BY, pdf_text
from tresxuno.cli import main
from tresxuno.db.engine import Database
from tresxuno.domain.audit import ChainHead
from tresxuno.i18n import language, set_language
from tresxuno.reports.ledger_formats import XLSX_HEAD_PROPERTY, XLSX_RECORDS_PROPERTY
from tresxuno.services.audit import chain_head, check_integrity
from tresxuno.services.exports import export_ledger
from tresxuno.services.office import OfficeSettings, office_settings, save_office_settings
from tresxuno.services.reporting.run import write_report

pytestmark = pytest.mark.sqlite_only  # the subprocess reads the SQLite file

HEX = r"[0-9a-f]{64}"


def stored_head(db: Database) -> ChainHead:
    with db.engine.connect() as conn:
        seq, digest = conn.execute(text("SELECT seq, hash FROM audit_head WHERE id = 1")).one()
    return ChainHead(digest, seq)


def anchor_passes(db: Database, digest: str) -> subprocess.CompletedProcess[str]:
    db.dispose()
    return subprocess.run(
        [sys.executable, "-m", "tresxuno", "--db", str(db.path), "--lang", "en", "check", "--anchor", digest],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def record_more(db: Database) -> None:
    """Something audited happens after the document was made: the head moves on."""
    before = stored_head(db)
    current = office_settings(db)
    key = current.municipality_key or "32020"  # Jerez, Zacatecas
    save_office_settings(db, OfficeSettings("Oficina de Atención a Migrantes, segunda época", key, ""))
    assert stored_head(db).records > before.records


def test_the_cheap_read_is_what_a_full_check_finds(demo_db):
    head = chain_head(demo_db)
    assert head == stored_head(demo_db) and head.records > 0
    full = check_integrity(demo_db)
    assert full.ok and (full.head, full.records) == (head.hash, head.records)


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("kind", ["project", "statement", "receipt", "quarterly", "summary"])
def test_every_page_of_a_printed_report_carries_the_head(demo_copy, picks, tmp_path, kind, lang):
    options = {
        "project": {"project_id": picks.busiest},
        "statement": {"project_id": picks.busiest},
        "receipt": {"entry_id": picks.usd_entry},
        "quarterly": {"year": 2024, "quarter": 2},
        "summary": {"year": 2024},
    }[kind]
    previous = language()
    set_language(lang)
    try:
        out = tmp_path / f"{kind}.pdf"
        write_report(demo_copy, kind, out, printed_by=PRINTED_BY, printed_at=PRINTED_AT, **options)  # type: ignore[arg-type]
    finally:
        set_language(previous)
    head = stored_head(demo_copy)
    _reader, pages = pdf_text(out)
    # A bilingual receipt prints the line in its first language (Spanish).
    words = ("head", "records") if lang == "en" and kind != "receipt" else ("cabeza", "registros")
    for page in pages:
        found = re.findall(rf"{words[0]} ({HEX}) · (\d+) {words[1]}", page)
        assert found == [(head.hash, str(head.records))], page[-300:]
        assert "tresxuno check --anchor" in page
    record_more(demo_copy)
    assert anchor_passes(demo_copy, head.hash).returncode == 0


def test_the_report_cli_prints_a_head_check_accepts(demo_copy, picks, tmp_path):
    from tresxuno.services.projects import project_overview

    folio = project_overview(demo_copy, picks.busiest).detail.folio
    out = tmp_path / "cedula.pdf"
    demo_copy.dispose()
    status = main(
        [
            "--lang",
            "en",
            "--db",
            str(demo_copy.path),
            "report",
            "project",
            "--project",
            folio,
            "-o",
            str(out),
        ],
        out=io.StringIO(),
        err=io.StringIO(),
    )
    assert status == 0
    [digest] = set(re.findall(rf"head ({HEX})", " ".join(pdf_text(out)[1])))
    record_more(demo_copy)
    result = anchor_passes(demo_copy, digest)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("fmt", ["beancount", "ledger"])
def test_journals_name_the_head_in_a_leading_comment(demo_copy, tmp_path, fmt):
    out = tmp_path / f"libro.{fmt}"
    summary = export_ledger(demo_copy, fmt, out)
    head = stored_head(demo_copy)
    assert summary.head == head
    first_lines = out.read_text(encoding="utf-8").splitlines()[:3]
    comments = [line for line in first_lines if line.startswith("; Bitácora: cabeza")]
    assert comments == [
        f"; Bitácora: cabeza {head.hash} · {head.records} registros "
        f"(compruébese con: tresxuno check --anchor {head.hash})"
    ]
    record_more(demo_copy)
    assert anchor_passes(demo_copy, head.hash).returncode == 0


def test_xlsx_carries_the_head_as_document_properties(demo_copy, tmp_path):
    out = tmp_path / "libro.xlsx"
    export_ledger(demo_copy, "xlsx", out)
    head = stored_head(demo_copy)
    wb = load_workbook(out, read_only=True)
    try:
        props = {p.name: p.value for p in wb.custom_doc_props.props}
        assert props[XLSX_HEAD_PROPERTY] == head.hash
        assert props[XLSX_RECORDS_PROPERTY] == head.records
        assert head.hash in (wb.properties.description or "")
        assert wb.sheetnames == ["Movimientos", "Saldos"]  # readers' sheets unchanged
    finally:
        wb.close()


def test_csv_keeps_its_contract_header_and_the_cli_summary_names_the_head(demo_copy, tmp_path):
    out = tmp_path / "libro.csv"
    demo_copy.dispose()
    stdout = io.StringIO()
    status = main(
        ["--lang", "en", "--db", str(demo_copy.path), "export", "ledger", "--format", "csv", "-o", str(out)],
        out=stdout,
        err=io.StringIO(),
    )
    assert status == 0
    head = stored_head(demo_copy)
    [line] = stdout.getvalue().splitlines()
    assert line.endswith(f"; head {head.hash} · {head.records} records")
    # No comment line: the header comes first, in the language asked for (--lang en).
    assert out.read_text(encoding="utf-8-sig").startswith("entry,date,")
    record_more(demo_copy)
    assert anchor_passes(demo_copy, head.hash).returncode == 0


def test_a_document_without_a_database_has_no_head_line(tmp_path: Path):
    from tresxuno.reports.data import PrintStamp
    from tresxuno.reports.pdf.page import Footer

    assert Footer(PrintStamp(PRINTED_AT, PRINTED_BY)).head_line == ""
