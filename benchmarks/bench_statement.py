"""Benchmark of the statement of account with 10,000 entries against a plain platypus LongTable (not a test).

Measures, in one run and one process:

* building the statement's data from a database (``build_statement``: the service reads, the
  running balance, the per-party balance), on a demo database whose busiest project is given
  ``--entries`` more ledger entries with the plain ``sqlite3`` driver;
* rendering it with :func:`tresxuno.reports.pdf.statement.render_statement` (letterhead, summary
  tables, the movements drawn on the canvas by ``FastTable``, "Página N de M" footers);
* the baseline: the very same movement rows in a plain platypus ``LongTable`` (header repeated,
  same landscape letter page and margins, same embedded DejaVu font and size, same column widths,
  and each cell's text already broken into the same lines, so the baseline does no wrapping of its
  own), built with ``SimpleDocTemplate``.

Renders alternate (ours, baseline, ours, ...) and the best of ``--repeat`` runs of each counts: other
work on the machine only adds time. The target: ours takes at most half the baseline's time.

Usage::

    python benchmarks/bench_statement.py                  # 10,000 entries, best of 3
    python benchmarks/bench_statement.py --entries 2000 --repeat 1

Exit status 0 when the target is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tresxuno.reports.data import Statement

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: Ours must take at most this fraction of the LongTable's time.
TARGET = 0.5
SEED = 20261123
PAYEES = (
    ("Constructora Ñandú, S.A. de C.V.", "CÑA850101AB1"),
    ("Materiales y Ferretería La Güera, S.A. de C.V.", "MFG900312QW4"),
    ("Rocío Márquez Saldívar", "MASR850722HX2"),
    ("Transportes y Maquinaria del Cañón de Juchipila, S. de R.L.", "TMC120415JK9"),
)
CONCEPTS = (
    "Compra de cemento, varilla y tubería de PVC para la red de agua potable",
    "Estimación de obra núm. {n}: excavación, plantilla y colocación de tubo",
    "Renta de retroexcavadora, tramo {n} de la calle Niños Héroes",
    "Pago de mano de obra, semana {n}",
    "Capacitación y puesta en marcha del invernadero comunitario",
)
PARTIES = ("club", "federal", "state", "municipal")


def fill_ledger(db_path: Path, project_id: int, count: int, rng: random.Random) -> None:
    """Append ``count`` entries to one project, in date order, with their allocation lines.

    Contributions (half the club's in dollars), payments split over four parties (each with a payee,
    a concept and a CFDI UUID), refunds and reversals; one transaction with the plain driver.
    """
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        next_id = (conn.execute("SELECT COALESCE(MAX(id), 0) FROM ledger_entries").fetchone()[0]) + 1
        line_id = (conn.execute("SELECT COALESCE(MAX(id), 0) FROM ledger_allocations").fetchone()[0]) + 1
        day = date(2019, 2, 1)
        entries, lines = [], []
        reversible: list[tuple[int, int, list[tuple[str, int]]]] = []
        for n in range(count):
            if n % 25 == 0:
                day += timedelta(days=1)
            roll = rng.random()
            eid = next_id + n
            base = dict.fromkeys(
                (
                    "party",
                    "usd_amount",
                    "rate",
                    "rate_date",
                    "rate_source",
                    "payee_name",
                    "payee_rfc",
                    "cfdi_uuid",
                    "reverses_id",
                ),
            )
            base.update(reference="", concept="", reason="")
            if roll < 0.40:
                party = rng.choice(PARTIES)
                amount = rng.randint(50_000, 5_000_000)
                base.update(party=party, reference=f"SPEI {rng.randint(10**9, 10**10 - 1)}")
                if party == "club" and rng.random() < 0.5:
                    usd = rng.randint(2_000, 300_000)
                    base.update(
                        usd_amount=usd, rate="17.2345", rate_date=day.isoformat(), rate_source="Banxico FIX"
                    )
                    amount = usd * 172_345 // 10_000  # integer centavos, as the ledger keeps them
                kind, split = "contribution", [(party, amount)]
            elif roll < 0.93:
                amount = -rng.randint(10_000, 2_000_000)
                payee, rfc = rng.choice(PAYEES)
                base.update(
                    payee_name=payee,
                    payee_rfc=rfc,
                    concept=rng.choice(CONCEPTS).format(n=n),
                    cfdi_uuid=str(uuid.UUID(int=rng.getrandbits(128))).upper(),
                    reference=f"Transferencia {rng.randint(10**6, 10**7)}",
                )
                quarter = amount // 4
                kind, split = (
                    "payment",
                    [(p, quarter) for p in PARTIES[:3]] + [("municipal", amount - 3 * quarter)],
                )
            elif roll < 0.97 or not reversible:
                party = rng.choice(PARTIES)
                amount = -rng.randint(1_000, 100_000)
                base.update(party=party, reason="Reintegro de recursos no ejercidos al cierre del ejercicio")
                kind, split = "refund", [(party, amount)]
            else:
                target_id, target_amount, target_split = reversible.pop(rng.randrange(len(reversible)))
                amount = -target_amount
                base.update(reverses_id=target_id, reason="Se registró dos veces; se revierte")
                kind, split = "reversal", [(p, -a) for p, a in target_split]
            if kind in ("contribution", "payment"):
                reversible.append((eid, amount, split))
            entries.append(
                (
                    eid,
                    project_id,
                    kind,
                    base["party"],
                    day.isoformat(),
                    amount,
                    base["usd_amount"],
                    base["rate"],
                    base["rate_date"],
                    base["rate_source"],
                    base["reference"],
                    base["payee_name"],
                    base["payee_rfc"],
                    base["concept"],
                    base["cfdi_uuid"],
                    base["reverses_id"],
                    base["reason"],
                    datetime(day.year, day.month, day.day, 12).isoformat(sep=" "),
                    "bench",
                )
            )
            for party, part in split:
                lines.append((line_id, eid, party, part))
                line_id += 1
        conn.executemany(
            "INSERT INTO ledger_entries (id, project_id, kind, party, entry_date, amount, usd_amount, "
            "rate, rate_date, rate_source, reference, payee_name, payee_rfc, concept, cfdi_uuid, "
            "reverses_id, reason, created_at, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            entries,
        )
        conn.executemany(
            "INSERT INTO ledger_allocations (id, entry_id, party, amount) VALUES (?, ?, ?, ?)", lines
        )
        conn.commit()
    finally:
        conn.close()


def longtable_baseline(statement: Statement, out: Path) -> Callable[[], int]:
    """A function that builds the plain LongTable of the statement's movement rows into ``out``."""
    from reportlab.lib.pagesizes import LETTER, landscape
    from reportlab.platypus import LongTable, SimpleDocTemplate, TableStyle

    from tresxuno.i18n import language
    from tresxuno.reports.pdf.fonts import REGULAR, register_fonts
    from tresxuno.reports.pdf.page import PageDecor, PageGeometry
    from tresxuno.reports.pdf.statement import movements_table

    register_fonts()
    decor = PageDecor(statement.letterhead, "x", ("x", "x", "x"), wide=True)
    geometry = PageGeometry.letter(wide=True, head_height=decor.height)
    ours = movements_table(statement.entries, geometry, language())
    # The same cells, already broken into the same lines: the baseline measures and draws only.
    header = [c.header for c in ours.cols]
    rows = [header, *(["\n".join(cell) for cell in row] for row in ours.data.cells)]
    widths = list(ours.layout.widths)
    size, leading = ours.layout.size, ours.layout.leading

    def build() -> int:
        doc = SimpleDocTemplate(
            str(out),
            pagesize=landscape(LETTER),
            leftMargin=36,
            rightMargin=36,
            topMargin=36,
            bottomMargin=36,
            initialFontName=REGULAR,
        )
        table = LongTable(rows, colWidths=widths, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), REGULAR, size, leading),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("ALIGN", (-3, 0), (-1, -1), "RIGHT"),
                    ("ALIGN", (0, 0), (0, -1), "RIGHT"),
                    ("GRID", (0, 0), (-1, -1), 0.3, (0.65, 0.65, 0.65)),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6),
                ]
            )
        )
        doc.build([table])
        return doc.page

    return build


def pages_of(path: Path) -> int:
    """Page count of a PDF (pypdf when installed, else a count of page objects)."""
    try:
        from pypdf import PdfReader

        return len(PdfReader(str(path)).pages)
    except ImportError:
        return path.read_bytes().count(b"/Type /Page\n")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the times, the ratio and whether the target is met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000, help="ledger entries in the statement")
    parser.add_argument("--repeat", type=int, default=3, help="renders of each kind; the best counts")
    parser.add_argument("--workdir", type=Path, help="keep the database and PDFs here")
    args = parser.parse_args(argv)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-statement-"))
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TRESXUNO_DATA_DIR", str(workdir / "data"))

    from tresxuno.db.engine import open_database
    from tresxuno.demo.projects import generate_demo
    from tresxuno.i18n import set_language
    from tresxuno.reports.pdf.statement import render_statement
    from tresxuno.services.reporting.statement import build_statement

    set_language("es")
    db_path = workdir / "bench.sqlite"
    if db_path.exists():
        db_path.unlink()
    db = open_database(str(db_path))
    generate_demo(db, projects=30, seed=SEED)
    db.dispose()
    conn = sqlite3.connect(db_path)
    project_id = conn.execute(
        "SELECT project_id FROM ledger_entries GROUP BY project_id ORDER BY COUNT(*) DESC LIMIT 1"
    ).fetchone()[0]
    existing = conn.execute(
        "SELECT COUNT(*) FROM ledger_entries WHERE project_id = ?", (project_id,)
    ).fetchone()[0]
    conn.close()
    fill_ledger(db_path, project_id, args.entries - existing, random.Random(SEED))

    db = open_database(str(db_path), create=False)
    started = time.perf_counter()
    statement = build_statement(db, project_id, printed_by="bench", printed_at=datetime(2026, 11, 23, 9, 30))
    build_seconds = time.perf_counter() - started
    db.dispose()
    count = len(statement.entries)

    ours_pdf, base_pdf = workdir / "ours.pdf", workdir / "longtable.pdf"
    baseline = longtable_baseline(statement, base_pdf)
    ours_times, base_times = [], []
    ours_pages = base_pages = 0
    for _ in range(max(1, args.repeat)):
        started = time.perf_counter()
        ours_pages = render_statement(statement, ours_pdf)
        ours_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        baseline()
        base_times.append(time.perf_counter() - started)
        base_pages = pages_of(base_pdf)
    ours, base = min(ours_times), min(base_times)
    ratio = ours / base
    met = ratio <= TARGET

    import reportlab

    print(
        f"Statement benchmark, {datetime.now():%Y-%m-%d %H:%M}; {platform.platform()}; "
        f"Python {platform.python_version()}; reportlab {reportlab.Version}; {os.cpu_count()} CPUs"
    )
    print(f"entries in the statement: {count:,}")
    print(f"build_statement (SQL reads, running balance, balances): {build_seconds:.2f} s")
    print(
        f"tresxuno render_statement: best {ours:.2f} s of {[round(t, 2) for t in ours_times]}; "
        f"{ours_pages} pages, {ours_pdf.stat().st_size / 1e6:.1f} MB (letterhead, summary, footers included)"
    )
    print(
        f"plain platypus LongTable:  best {base:.2f} s of {[round(t, 2) for t in base_times]}; "
        f"{base_pages} pages, {base_pdf.stat().st_size / 1e6:.1f} MB (movements only)"
    )
    print(f"ratio tresxuno / LongTable: {ratio:.2f} (target <= {TARGET}): {'met' if met else 'NOT MET'}")
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
