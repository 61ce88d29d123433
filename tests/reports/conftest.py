"""Fixtures of the report tests: one demo database per session, and PDF reading helpers (pypdf)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from tresxuno.db.engine import Database, open_database
from tresxuno.demo.projects import generate_demo

#: The moment every test report says it was printed.
PRINTED_AT = datetime(2026, 11, 23, 9, 30)
PRINTED_BY = "lucía.núñez"


@dataclass(frozen=True)
class DemoPicks:
    """Projects and entries of the demo database that exercise each report's cases."""

    busiest: int  # the project with the most ledger entries
    partner: int  # a project whose mix has five parties (4x1, with a partner)
    capped: int  # a project with a capped federal share
    usd_entry: int  # a club contribution made in dollars
    payment_entry: int  # a payment (no receipt for it)
    not_approved: int  # a project the COVAM has not approved (no agreement for it)
    empty: int  # an approved project without ledger entries, if any (else the busiest)


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database file (60 projects, seed 7, with its money trail), written once per session."""
    folder = tmp_path_factory.mktemp("pdf-demo")
    with pytest.MonkeyPatch.context() as mp:  # the session fixture runs before the autouse one
        mp.setenv("TRESXUNO_DATA_DIR", str(folder / "data"))
        from tresxuno.services import rules

        rules._cached_rulebook.cache_clear()
        db = open_database(str(folder / "demo.sqlite"))
        generate_demo(db, projects=60, seed=7)
        db.dispose()  # checkpoints the WAL: the file can be copied whole
        rules._cached_rulebook.cache_clear()
    return folder / "demo.sqlite"


@pytest.fixture
def demo_db(demo_file: Path) -> Iterator[Database]:
    """The shared demo database, for tests that only read."""
    db = open_database(str(demo_file), create=False)
    yield db
    db.dispose()


@pytest.fixture
def demo_copy(demo_file: Path, tmp_path: Path) -> Iterator[Database]:
    """A private copy of the demo database, for tests that write."""
    path = tmp_path / "copy.sqlite"
    shutil.copyfile(demo_file, path)
    db = open_database(str(path), create=False)
    yield db
    db.dispose()


def _one(db: Database, sql: str) -> int | None:
    with db.engine.connect() as conn:
        value = conn.execute(text(sql)).scalar()
    return None if value is None else int(value)


@pytest.fixture
def picks(demo_db: Database) -> DemoPicks:
    """The demo's interesting projects and entries, found by SQL."""
    busiest = _one(
        demo_db,
        "SELECT project_id FROM ledger_entries GROUP BY project_id "
        "ORDER BY COUNT(*) DESC, project_id LIMIT 1",
    )
    partner = _one(
        demo_db,
        "SELECT s.project_id FROM project_shares s JOIN ledger_entries e ON e.project_id = s.project_id "
        "WHERE s.party = 'partner' AND s.amount > 0 ORDER BY s.project_id LIMIT 1",
    )
    capped = _one(
        demo_db, "SELECT project_id FROM project_shares WHERE capped = 1 ORDER BY project_id LIMIT 1"
    )
    usd_entry = _one(
        demo_db,
        "SELECT id FROM ledger_entries WHERE kind = 'contribution' AND party = 'club' "
        "AND usd_amount IS NOT NULL ORDER BY id LIMIT 1",
    )
    payment = _one(demo_db, "SELECT id FROM ledger_entries WHERE kind = 'payment' ORDER BY id LIMIT 1")
    not_approved = _one(
        demo_db,
        "SELECT id FROM projects WHERE stage IN ('borrador', 'solicitado', 'rechazado') ORDER BY id LIMIT 1",
    )
    empty = _one(
        demo_db,
        "SELECT p.id FROM projects p WHERE p.stage IN ('aprobado', 'convenio_firmado') AND NOT EXISTS "
        "(SELECT 1 FROM ledger_entries e WHERE e.project_id = p.id) ORDER BY p.id LIMIT 1",
    )
    assert None not in (busiest, partner, capped, usd_entry, payment, not_approved), "demo data changed"
    return DemoPicks(busiest, partner, capped, usd_entry, payment, not_approved, empty or busiest)  # type: ignore[arg-type]


# --- reading PDFs back ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextRun:
    """A piece of text as pypdf's visitor saw it: where it starts, how wide its widest line is."""

    text: str
    x: float
    y: float
    width: float
    size: float
    font: str


def text_runs(page) -> list[TextRun]:
    """Every non-blank text on a page with its position (text matrix times the current matrix).

    The width is measured with the same DejaVu metrics the renderer used, from the font named in
    the PDF (subset prefix removed) and the effective size.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from tresxuno.reports.pdf.fonts import register_fonts

    register_fonts()
    runs: list[TextRun] = []

    def visit(text_: str, cm, tm, font_dict, font_size) -> None:
        if not text_.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
        base = str(font_dict.get("/BaseFont", "")) if font_dict else ""
        font = base.lstrip("/").split("+")[-1]
        size = font_size * scale
        width = max(stringWidth(line, font, size) for line in text_.split("\n"))
        runs.append(TextRun(text_, x, y, width, size, font))

    page.extract_text(visitor_text=visit)
    return runs


def assert_text_inside(reader) -> None:
    """Fail when any text starts or ends outside its page's media box (clipped or off the page)."""
    for number, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        left, bottom, right, top = float(box.left), float(box.bottom), float(box.right), float(box.top)
        runs = text_runs(page)
        assert runs, f"page {number} has no text"
        for run in runs:
            assert left <= run.x and run.x + run.width <= right + 0.5, (number, run)
            assert bottom <= run.y <= top - run.size * 0.5, (number, run)


def fonts_of(reader) -> set[tuple[str, bool]]:
    """(BaseFont, embedded as FontFile2) of every font any page uses."""
    found = set()
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and "/FontFile2" in descriptor.get_object()
            found.add((str(font["/BaseFont"]), embedded))
    return found


def pdf_text(path: Path) -> tuple[object, list[str]]:
    """The reader and each page's text (pypdf), whitespace runs collapsed to single spaces."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return reader, [" ".join(page.extract_text().split()) for page in reader.pages]
