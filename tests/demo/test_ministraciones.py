"""Demo calendars and signed convenios: the demo's projects look like they passed their stage gates."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import text

from tresxuno import paths
from tresxuno.demo.projects import generate_demo
from tresxuno.services.attachments import attachment_file
from tresxuno.services.audit import check_integrity
from tresxuno.services.builtin_files import placeholder_pdf
from tresxuno.services.gates import has_signed_convenio


def _rows(db, sql: str) -> list[tuple]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


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
    # The placeholder's bytes are kept once in the database, like any attachment; nothing on disk.
    assert _rows(db, "SELECT COUNT(*) FROM attachment_contents") == [(1,)]
    assert not (paths.user_data_dir() / "attachments").exists()
    result = check_integrity(db)
    assert result.ok, result.problem
    # Opened, it is a real PDF; bytes changed in the database behind the app's back are caught.
    path = attachment_file(db, scans[0][0])
    assert path.read_bytes() == placeholder_pdf()
    page = PdfReader(io.BytesIO(placeholder_pdf()), strict=True).pages[0]
    assert "Convenio de concertacion firmado" in page.extract_text()
    assert check_integrity(db).ok
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE attachment_contents SET content = :c"),
            {"c": placeholder_pdf().replace(b"demostracion", b"falsificado!")},
        )
    problem = check_integrity(db).problem
    assert problem is not None and problem.code == "attachment.content_altered"
