"""The statement of account prints the deposit calendar, per party, with each tranche's status (read back)."""

from __future__ import annotations

from sqlalchemy import text

from tests.reports.conftest import PRINTED_AT, PRINTED_BY
from tests.reports.test_pdf_reports import check_common, es
from tresxuno.formatting import party_label
from tresxuno.i18n import set_language
from tresxuno.reports.pdf.fmt import translator
from tresxuno.reports.pdf.statement import render_statement, tranche_status_text
from tresxuno.services.ministraciones import calendar
from tresxuno.services.reporting.statement import build_statement

ES = translator("es")


def _project(db, stage: str) -> int:
    with db.engine.connect() as conn:
        value = conn.execute(
            text(
                "SELECT p.id FROM projects p WHERE p.stage = :s AND EXISTS "
                "(SELECT 1 FROM ledger_entries e WHERE e.project_id = p.id) ORDER BY p.id LIMIT 1"
            ),
            {"s": stage},
        ).scalar()
    assert value is not None, "demo data changed"
    return int(value)


def test_statement_prints_each_tranche_with_what_was_received_and_what_is_pending(demo_db, tmp_path):
    set_language("es")
    pid = _project(demo_db, "en_ejecucion")
    data = build_statement(demo_db, pid, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    cal = calendar(demo_db, pid, today=PRINTED_AT.date())
    assert cal.stored and len(data.calendar) == len(cal.lines) >= 2
    out = tmp_path / "estado.pdf"
    render_statement(data, out)
    _reader, texts = check_common(out)
    whole = " ".join(texts)
    assert ES("Deposit calendar (ministraciones)") in whole
    for line in cal.lines:
        # One row per tranche: its amount, what covered it and what is pending, side by side.
        assert f"{es(line.tranche.amount)} {es(line.received)} {es(line.pending)}" in whole
    statuses = {tranche_status_text(c) for c in data.calendar}
    assert all(s in whole for s in statuses)
    assert party_label(cal.lines[0].tranche.party) in whole


def test_a_project_not_yet_signed_has_no_calendar_on_its_statement(demo_db, tmp_path):
    with demo_db.engine.connect() as conn:
        pid = conn.execute(
            text("SELECT id FROM projects WHERE stage IN ('aprobado', 'en_covam') ORDER BY id LIMIT 1")
        ).scalar()
    assert pid is not None, "demo data changed"
    data = build_statement(demo_db, pid, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    assert data.calendar == ()
    out = tmp_path / "sin-calendario.pdf"
    render_statement(data, out)
    _reader, texts = check_common(out)
    assert ES("Deposit calendar (ministraciones)") not in " ".join(texts)
