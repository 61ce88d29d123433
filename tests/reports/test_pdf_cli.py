"""``tresxuno report KIND``: exit statuses, messages naming what is allowed, and the PDFs written."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.reports.conftest import pdf_text
from tresxuno.cli import main
from tresxuno.services.projects import project_overview
from tresxuno.services.reporting.kinds import REPORT_KINDS


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def folio(demo_db, picks) -> str:
    return project_overview(demo_db, picks.partner).detail.folio


def test_unknown_kind_names_the_allowed_ones(demo_file, tmp_path):
    status, _out, err = run(
        "--lang", "en", "--db", str(demo_file), "report", "cedula", "-o", str(tmp_path / "x.pdf")
    )
    assert status == 2
    assert "'cedula' is not a report" in err
    for kind in REPORT_KINDS:
        assert kind in err
    assert not (tmp_path / "x.pdf").exists()


def test_missing_project_names_the_option(demo_file, tmp_path):
    status, _out, err = run("--db", str(demo_file), "report", "statement", "-o", str(tmp_path / "x.pdf"))
    assert status == 2 and "--project" in err
    status, _out, err = run("--db", str(demo_file), "report", "receipt", "-o", str(tmp_path / "x.pdf"))
    assert status == 2 and "--entry" in err


def test_unknown_folio_and_bad_output(demo_file, tmp_path, folio):
    status, _out, err = run(
        "--db", str(demo_file), "report", "project", "--project", "NO-EXISTE", "-o", str(tmp_path / "x.pdf")
    )
    assert status == 2 and "NO-EXISTE" in err
    status, _out, err = run(
        "--db",
        str(demo_file),
        "report",
        "project",
        "--project",
        folio,
        "-o",
        str(tmp_path / "falta" / "x.pdf"),
    )
    assert status == 2 and "-o" in err


@pytest.mark.parametrize("kind", ["project", "agreement", "statement"])
def test_report_written_in_spanish(demo_file, tmp_path, folio, kind):
    out = tmp_path / f"{kind}.pdf"
    status, stdout, err = run("--db", str(demo_file), "report", kind, "--project", folio, "-o", str(out))
    assert (status, err) == (0, "")
    assert str(out) in stdout
    reader, texts = pdf_text(out)
    assert folio in texts[0] and f"Página 1 de {len(reader.pages)}" in texts[0]


def test_receipt_in_english(demo_file, tmp_path, picks):
    out = tmp_path / "recibo.pdf"
    status, _stdout, err = run(
        "--lang",
        "en",
        "--db",
        str(demo_file),
        "report",
        "receipt",
        "--entry",
        str(picks.usd_entry),
        "-o",
        str(out),
    )
    assert (status, err) == (0, "")
    _reader, texts = pdf_text(out)
    assert "Contribution receipt" in texts[0] and "Recibo de aportación" in texts[0]


def test_db_after_the_command(demo_file, tmp_path: Path, folio):
    out = tmp_path / "p.pdf"
    status, _stdout, err = run(
        "report", "project", "--project", folio, "--db", str(demo_file), "-o", str(out)
    )
    assert (status, err) == (0, "") and out.stat().st_size > 5000
