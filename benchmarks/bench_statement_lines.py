"""The statement report as whole processes, against a plain platypus LongTable (not a test).

Two lines of ``run_all``'s table (issue 17):

* ``report statement`` of a project with 10,000 ledger entries, the whole ``python -m tresxuno``
  process (interpreter, imports, sign-in, reading, building, rendering), against the anchor: a
  minimal script (this file's ``--anchor`` mode) that reads the same entries with the plain
  ``sqlite3`` driver and writes the same nine columns (entry, date, kind, party, concept,
  reference, in, out, balance) in a platypus ``LongTable`` on the same landscape letter page, with
  the same embedded DejaVu font at the same size, the header repeated, wrapped cells pre-broken with
  reportlab's ``simpleSplit``. Also a whole process. Target: ours at most 0.4 x the anchor.
* ``report statement`` with 100,000 entries: at most 15 s and 250 MB peak resident memory (GNU
  ``time``'s ``%M``). The anchor would take about eight minutes there, so it is measured only when
  ``anchor_large`` is asked for.

Fixtures: a 40-project demo whose first project gets N more entries (``bench_statement.fill_ledger``),
as ``run_all.statement_db`` builds them; kept in the work folder and reused.

Usage::

    python benchmarks/bench_statement_lines.py --workdir /tmp/bench-statement --repeat 3
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for folder in (ROOT, HERE):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

#: Ours at most this fraction of the anchor (10,000 entries), and the 100,000-entry limits.
RATIO_TARGET = 0.4
LARGE_SECONDS, LARGE_MB = 15.0, 250
ENV = {"TRESXUNO_PASSWORD": "demo1234", "TRESXUNO_LANG": "en"}
#: The anchor's column widths (points) and font size: those the statement chooses for these rows.
ANCHOR_WIDTHS = (27.8, 53.4, 43.4, 38.8, 177.7, 185.1, 60.9, 60.9, 72.0)
ANCHOR_SIZE, ANCHOR_LEADING = 7.0, 8.54


def demo(workdir: Path, projects: int = 40) -> Path:
    """The demo database of ``projects`` projects (``run_all``'s file), made once by ``tresxuno demo``."""
    import bench_exports

    path = workdir / f"demo-{projects}.sqlite"
    if not path.exists():
        partial = path.with_suffix(".building")
        partial.unlink(missing_ok=True)
        subprocess.run(
            [sys.executable, "-m", "tresxuno", "--db", str(partial), "demo", "--projects", str(projects)],
            check=True,
            env={**os.environ, **ENV},
            cwd=ROOT,
            capture_output=True,
        )
        partial.rename(path)
    return bench_exports.upgraded(path)


def statement_db(workdir: Path, entries: int) -> tuple[Path, int, str]:
    """The 40-project demo whose first project got ``entries`` more entries: (path, project id, folio).

    The same file as ``run_all.statement_db``'s, upgraded in place to this release's schema.
    """
    import bench_exports
    import bench_statement

    path = workdir / f"statement-{entries}.sqlite"
    if not path.exists():
        building = path.with_suffix(".building")
        building.unlink(missing_ok=True)
        shutil.copyfile(demo(workdir), building)
        conn = sqlite3.connect(building)
        try:
            pid = conn.execute("SELECT id FROM projects ORDER BY id LIMIT 1").fetchone()[0]
        finally:
            conn.close()
        bench_statement.fill_ledger(building, pid, entries, random.Random(entries))
        building.rename(path)
    conn = sqlite3.connect(path)
    try:
        pid, folio = conn.execute(
            "SELECT p.id, p.folio FROM projects p JOIN ledger_entries e ON e.project_id = p.id "
            "GROUP BY p.id ORDER BY COUNT(*) DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return bench_exports.upgraded(path), pid, folio


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one whole process (GNU time's ``%M``, else wait4)."""
    report = Path(tempfile.mkstemp(prefix="bench-time-")[1])
    timer = ["/usr/bin/time", "-f", "%M", "-o", str(report)] if Path("/usr/bin/time").exists() else []
    started = time.perf_counter()
    done = subprocess.run(
        [*timer, *command], capture_output=True, env={**os.environ, **ENV}, cwd=ROOT, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{command[:6]} failed: {done.stderr.decode(errors='replace')[-2000:]}")
    if timer:
        peak_kb = int(report.read_text().split()[-1])
    else:  # pragma: no cover - the children's peak, this process's included
        import resource

        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    report.unlink()
    return seconds, peak_kb / 1024


def ours_command(db: Path, folio: str, out: Path) -> list[str]:
    """``tresxuno report statement`` as a user runs it."""
    return [
        sys.executable, "-m", "tresxuno", "--db", str(db), "report", "statement",
        "--project", folio, "-o", str(out), "--force", "--user", "admin",
    ]  # fmt: skip


def anchor_command(db: Path, project_id: int, out: Path) -> list[str]:
    """The minimal LongTable script: this file in its ``--anchor`` mode."""
    return [sys.executable, str(Path(__file__).resolve()), "--anchor", str(db), str(project_id), str(out)]


def best(repeat: int, command: list[str]) -> tuple[float, float]:
    """The fastest of ``repeat`` runs (other load only adds time), with its peak memory."""
    return min((measure(command) for _ in range(max(1, repeat))), key=lambda run: run[0])


def statement_lines(workdir: Path, repeat: int, *, anchor_large: bool = False) -> list[dict[str, str]]:
    """The two lines of the table (keys work, ours, anchor, ratio, target, met), fixtures built or reused."""
    workdir.mkdir(parents=True, exist_ok=True)
    lines: list[dict[str, str]] = []
    small, small_pid, small_folio = statement_db(workdir, 10_000)
    ours_s, ours_mb = best(repeat, ours_command(small, small_folio, workdir / "ours-10k.pdf"))
    anchor_s, _anchor_mb = best(repeat, anchor_command(small, small_pid, workdir / "anchor-10k.pdf"))
    ratio = ours_s / anchor_s
    lines.append(
        {
            "work": "`report statement`, whole process, 10,000 entries",
            "ours": f"{ours_s:.1f} s, {ours_mb:.0f} MB",
            "anchor": f"platypus LongTable script: {anchor_s:.1f} s",
            "ratio": f"{ratio:.2f}x",
            "target": f"≤ {RATIO_TARGET}x",
            "met": "yes" if ratio <= RATIO_TARGET else "no",
        }
    )
    large, large_pid, large_folio = statement_db(workdir, 100_000)
    big_s, big_mb = best(repeat, ours_command(large, large_folio, workdir / "ours-100k.pdf"))
    anchor = ""
    ratio_text = ""
    if anchor_large:
        big_anchor_s, _mb = best(1, anchor_command(large, large_pid, workdir / "anchor-100k.pdf"))
        anchor, ratio_text = (
            f"platypus LongTable script: {big_anchor_s:.0f} s",
            f"{big_s / big_anchor_s:.2f}x",
        )
    lines.append(
        {
            "work": "`report statement`, whole process, 100,000 entries",
            "ours": f"{big_s:.1f} s, {big_mb:.0f} MB",
            "anchor": anchor,
            "ratio": ratio_text,
            "target": f"≤ {LARGE_SECONDS:g} s, ≤ {LARGE_MB} MB",
            "met": "yes" if big_s <= LARGE_SECONDS and big_mb <= LARGE_MB else "no",
        }
    )
    return lines


# --- The anchor: what a plain reportlab user would write -------------------------------------


def _money(centavos: int) -> str:
    sign = "-" if centavos < 0 else ""
    whole, cents = divmod(abs(centavos), 100)
    return f"{sign}MX${whole:,}.{cents:02d}"


def anchor(db: Path, project_id: int, out: Path) -> int:
    """Write the movement rows of one project as a platypus LongTable; return the page count."""
    from reportlab.lib.pagesizes import LETTER, landscape
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import LongTable, SimpleDocTemplate, TableStyle

    fonts = ROOT / "resources" / "fonts"
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(fonts / "DejaVuSans.ttf")))
    conn = sqlite3.connect(db)
    query = (
        "SELECT id, entry_date, kind, COALESCE(party, ''), COALESCE(concept, ''), COALESCE(payee_name, ''), "
        "COALESCE(payee_rfc, ''), COALESCE(reference, ''), COALESCE(cfdi_uuid, ''), COALESCE(reason, ''), "
        "amount, usd_amount, reverses_id FROM ledger_entries WHERE project_id = ? ORDER BY entry_date, id"
    )
    concept_width, reference_width = ANCHOR_WIDTHS[4] - 5, ANCHOR_WIDTHS[5] - 5
    rows = [
        [
            "No.",
            "Date",
            "Kind",
            "Party",
            "Concept, payee or reason",
            "Reference / CFDI UUID",
            "In",
            "Out",
            "Balance",
        ]
    ]
    balance = 0
    for eid, day, kind, party, concept, payee, rfc, ref, uuid, reason, amount, usd, reverses in conn.execute(
        query, (project_id,)
    ):
        balance += amount
        parts = [f"US${usd / 100:,.2f} deposited in dollars"] if usd is not None else []
        parts += [concept] if concept else []
        parts += [f"Payee: {payee} ({rfc})"] if payee else []
        parts += [f"Reverses entry No. {reverses}"] if reverses is not None else []
        parts += [reason] if reason else []
        describe = "\n".join(simpleSplit(" — ".join(parts), "DejaVuSans", ANCHOR_SIZE, concept_width))
        reference = "\n".join(
            line
            for text in (ref, uuid)
            if text
            for line in simpleSplit(text, "DejaVuSans", ANCHOR_SIZE, reference_width)
        )
        rows.append(
            [
                str(eid), day, kind, party, describe, reference,
                _money(amount) if amount > 0 else "", _money(-amount) if amount < 0 else "", _money(balance),
            ]
        )  # fmt: skip
    conn.close()
    doc = SimpleDocTemplate(
        str(out), pagesize=landscape(LETTER), leftMargin=36, rightMargin=36, topMargin=36, bottomMargin=36
    )
    table = LongTable(rows, colWidths=list(ANCHOR_WIDTHS), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "DejaVuSans", ANCHOR_SIZE, ANCHOR_LEADING),
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
    return int(doc.page)


def main(argv: list[str] | None = None) -> int:
    """Print the two lines (or, with ``--anchor DB ID OUT``, be the anchor)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "bench-statement")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--anchor-large", action="store_true", help="also run the anchor on 100,000 entries")
    parser.add_argument("--anchor", nargs=3, metavar=("DB", "PROJECT_ID", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.anchor:
        db, pid, out = args.anchor
        anchor(Path(db), int(pid), Path(out))
        return 0
    lines = statement_lines(args.workdir, args.repeat, anchor_large=args.anchor_large)
    print("| work | ours | anchor | ratio | target | met |\n|---|---:|---|---:|---|---|")
    for x in lines:
        print(f"| {x['work']} | {x['ours']} | {x['anchor']} | {x['ratio']} | {x['target']} | {x['met']} |")
    return 0 if all(x["met"] == "yes" for x in lines) else 1


if __name__ == "__main__":
    raise SystemExit(main())
