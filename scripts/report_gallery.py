"""Render page 1 of every printed report, in Spanish and English, to PNG in ``docs/reports/``.

The gallery (``docs/reports/README.md``) shows ``<kind>.png`` (Spanish), ``<kind>_en.png`` (English), and
page 2 of the agreement (signatures) and the summary (charts) as ``<kind>_p2.png``, at 60 dpi with
``pdftoppm`` (Debian ``poppler-utils``). Each report is printed from a fresh demo database through the
same command the officers use (``tresxuno report``), so the gallery shows what the program prints.

Usage::

    python scripts/report_gallery.py                 # demo of 300 projects in a temporary folder
    python scripts/report_gallery.py --out /tmp/gallery --pages 2
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR, QUARTER, MUNICIPALITY = 2018, 4, "32020"  # the demo's busiest year; Jerez, Zacatecas
#: Reports whose second page is worth a look: the agreement's signatures, the summary's charts.
SECOND_PAGE = ("agreement", "summary", "session", "delivery_scholarships")


def tresxuno(db: Path, *args: str, lang: str = "es") -> None:
    """Run ``python -m tresxuno`` on ``db`` (as the demo's administrator), failing loudly."""
    env = dict(os.environ, TRESXUNO_PASSWORD="demo1234", QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, "-m", "tresxuno", "--db", str(db), "--lang", lang, "--user", "admin", *args]
    subprocess.run(command, check=True, cwd=ROOT, env=env)


def pick(db: Path) -> dict[str, tuple[str, list[str]]]:
    """Each gallery picture: its report kind and options (a project under way with money, a dollar deposit...).

    The hand-over differs by category, so it has three pictures: works, scholarships and goods.
    """
    con = sqlite3.connect(db)
    try:

        def one(sql: str) -> str:
            row = con.execute(sql).fetchone()
            if row is None:
                raise SystemExit(f"the demo database has nothing for: {sql}")
            return str(row[0])

        busy = one(
            "SELECT p.folio FROM projects p JOIN ledger_entries e ON e.project_id = p.id "
            "WHERE p.stage IN ('en_ejecucion', 'terminado', 'cerrado') "
            "GROUP BY p.id ORDER BY count(*) DESC LIMIT 1"
        )
        finished = one(
            "SELECT folio FROM projects WHERE stage IN ('terminado', 'cerrado') "
            "AND category IN ('infrastructure', 'community-services', 'education') ORDER BY id LIMIT 1"
        )
        scholarships = one(
            "SELECT p.folio FROM projects p WHERE p.category = 'scholarships' AND p.program = '3x1' "
            "AND p.stage IN ('terminado', 'cerrado') AND EXISTS "
            "(SELECT 1 FROM project_beneficiaries b WHERE b.project_id = p.id) ORDER BY p.id LIMIT 1"
        )
        goods = one(
            "SELECT p.folio FROM projects p WHERE p.category LIKE 'productive%' "
            "AND p.stage IN ('terminado', 'cerrado') ORDER BY p.id LIMIT 1"
        )
        scored = one(
            "SELECT p.folio FROM projects p JOIN technical_validations v ON v.project_id = p.id LIMIT 1"
        )
        usd = one(
            "SELECT id FROM ledger_entries WHERE kind = 'contribution' AND usd_amount IS NOT NULL "
            "ORDER BY id LIMIT 1"
        )
        watched = one(
            "SELECT p.folio FROM projects p JOIN social_committees c ON c.project_id = p.id "
            "JOIN social_committee_records r ON r.committee_id = c.id ORDER BY p.id LIMIT 1"
        )
        session = one(
            "SELECT s.id FROM covam_sessions s JOIN covam_agenda a ON a.session_id = s.id "
            "GROUP BY s.id ORDER BY count(*) DESC LIMIT 1"
        )
    finally:
        con.close()
    return {
        "project": ("project", ["--project", busy]),
        "validation": ("validation", ["--project", scored]),
        "agreement": ("agreement", ["--project", busy]),
        "statement": ("statement", ["--project", busy]),
        "receipt": ("receipt", ["--entry", usd]),
        "session": ("session", ["--session", session]),
        "quarterly": (
            "quarterly",
            ["--year", str(YEAR), "--quarter", str(QUARTER), "--municipality", MUNICIPALITY],
        ),
        "summary": ("summary", ["--year", str(YEAR)]),
        "handover": ("handover", ["--project", finished]),
        "delivery_scholarships": ("handover", ["--project", scholarships]),
        "scholarship_receipts": ("scholarship_receipts", ["--project", scholarships]),
        "delivery_goods": ("handover", ["--project", goods]),
        "committee": ("committee", ["--project", watched]),
        "committee_report": ("committee_report", ["--project", watched]),
    }


def main(argv: list[str] | None = None) -> int:
    """Make a demo database, print every report in both languages and save their first pages."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reports")
    parser.add_argument("--projects", type=int, default=300)
    parser.add_argument("--pages", type=int, default=1, help="pages of each report to render")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        os.environ["TRESXUNO_DATA_DIR"] = str(work / "data")  # the demo's office, not the user's
        db = work / "demo.sqlite"
        tresxuno(db, "demo", "--projects", str(args.projects))
        for picture, (kind, options) in pick(db).items():
            for lang, suffix in (("es", ""), ("en", "_en")):
                pdf = work / f"{picture}{suffix}.pdf"
                tresxuno(db, "report", kind, *options, "-o", str(pdf), lang=lang)
                pages = max(args.pages, 2 if picture in SECOND_PAGE and not suffix else 1)
                for page in range(1, pages + 1):
                    name = f"{picture}{suffix}" if page == 1 else f"{picture}{suffix}_p{page}"
                    subprocess.run(
                        [
                            "pdftoppm",
                            "-png",
                            "-r",
                            "60",
                            "-f",
                            str(page),
                            "-l",
                            str(page),
                            "-singlefile",
                            str(pdf),
                            str(args.out / name),
                        ],
                        check=True,
                    )
                print(f"{picture}{suffix}: {pdf.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
