"""Demo calendars and signed convenios: the demo's projects look like they passed their stage gates."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import text

from tresxuno.demo.projects import generate_demo
from tresxuno.services.attachments import attachment_file, resolve_stored
from tresxuno.services.audit import check_integrity
from tresxuno.services.builtin_files import placeholder_pdf
from tresxuno.services.gates import has_signed_convenio


def _rows(db, sql: str) -> list[tuple]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def path_of(db, attachment_id: int):
    (stored,) = _rows(db, f"SELECT stored_path FROM attachments WHERE id = {attachment_id}")[0]
    return resolve_stored(stored)


def test_signed_projects_get_the_default_calendar_and_started_ones_the_signed_convenio(db):
    generate_demo(db, projects=60, seed=3)
    signed = "('convenio_firmado', 'en_ejecucion', 'terminado', 'cerrado')"
    # Each signed project's calendar adds up to each share, half on signing and half at 50 %.
    mismatches = _rows(
        db,
        "SELECT s.project_id, s.party FROM project_shares s JOIN projects p ON p.id = s.project_id "
        f"WHERE p.stage IN {signed} AND s.amount > 0 AND s.amount <> "
        "(SELECT COALESCE(SUM(m.amount), 0) FROM ministraciones m "
        " WHERE m.project_id = s.project_id AND m.party = s.party)",
    )
    assert mismatches == []
    assert _rows(
        db,
        f"SELECT COUNT(*) FROM ministraciones m JOIN projects p ON p.id = m.project_id "
        f"WHERE p.stage NOT IN {signed}",
    ) == [(0,)]
    triggers = {t for (t,) in _rows(db, "SELECT DISTINCT trigger FROM ministraciones")}
    assert triggers == {"firma", "avance"}
    started = [
        pid
        for (pid,) in _rows(
            db, "SELECT id FROM projects WHERE stage IN ('en_ejecucion', 'terminado', 'cerrado')"
        )
    ]
    assert started
    with db.transaction() as session:
        assert all(has_signed_convenio(session, pid) for pid in started)
    scans = _rows(db, "SELECT id FROM attachments WHERE kind = 'convenio-firmado'")
    assert len(scans) == len(started)
    # Nothing is written to the data folder by the demo; the check knows the placeholder's bytes.
    assert not path_of(db, scans[0][0]).exists()
    result = check_integrity(db)
    assert result.ok, result.problem
    # Opened, the placeholder is written: a real PDF, and from then on a changed copy is caught.
    path = attachment_file(db, scans[0][0])
    assert path.read_bytes() == placeholder_pdf()
    page = PdfReader(io.BytesIO(placeholder_pdf()), strict=True).pages[0]
    assert "Convenio de concertacion firmado" in page.extract_text()
    assert check_integrity(db).ok
    path.write_bytes(placeholder_pdf().replace(b"demostracion", b"falsificado!"))
    problem = check_integrity(db).problem
    assert problem is not None and problem.code == "attachment.file_altered"
