"""Save a PNG of each main page of tresxuno into ``docs/screenshots/``, for the README and reviews.

One ``<page key>.png`` per page the main window has (``home.png``, ``projects.png``, ``ledger.png``...;
a page not written yet, such as Reportes while it is being built, is simply not shot) at 1366 x 728,
a searched project list (``projects-jerez.png``), the first-run and Preferences dialogs, and the
ledger's entry forms: a contribution in dollars (``entry-contribution-usd.png``) and a payment
filled from a CFDI invoice (``entry-payment-cfdi.png``).

Usage::

    python scripts/screenshots.py                      # a fresh demo database (tresxuno demo)
    python scripts/screenshots.py --db oficina.sqlite  # an existing database
    python scripts/screenshots.py --lang en --out /tmp/shots

Runs offscreen (``QT_QPA_PLATFORM=offscreen``) unless ``DISPLAY`` is set, e.g. under Xvfb
(``xvfb-run python scripts/screenshots.py``), where the real X11 platform draws the window.
Settings go to a throw-away folder, so the shots never depend on, or change, the user's own.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: A CFDI 4.0 invoice to drop on the payment form (the one the tests use).
SAMPLE_CFDI = ROOT / "tests" / "fixtures" / "cfdi" / "factura_4_0.xml"
#: Window size of every screenshot: a common laptop screen, and the size the views are designed for.
#: A 1366×768 laptop less its taskbar: the smallest screen offices use.
WIDTH, HEIGHT = 1366, 728


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: database, language and output folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL or SQLite path (default: a new demo database)")
    parser.add_argument("--lang", choices=["es", "en"], default="es", help="interface language (default es)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="folder for the PNGs")
    parser.add_argument("--projects", type=int, default=180, help="projects in the demo database")
    return parser.parse_args(argv)


def make_demo(folder: Path, projects: int) -> str:
    """Create a demo database with the real command line, as an officer would."""
    path = folder / "demo.sqlite"
    subprocess.run(
        [sys.executable, "-m", "tresxuno", "--db", str(path), "demo", "--projects", str(projects)],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    return str(path)


def main(argv: list[str] | None = None) -> int:
    """Open the main window on the database, shoot each page and dialog, quit; returns the exit status."""
    args = parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="tresxuno-shots-"))
    os.environ["XDG_CONFIG_HOME"] = str(scratch / "config")  # no stored geometry, no user settings touched
    os.environ["TRESXUNO_DATA_DIR"] = str(scratch / "data")
    if not os.environ.get("DISPLAY"):
        # A 1366×768 laptop screen (offscreen Qt's own is 800×800), so windows fit it as on the laptop;
        # a few pixels wider for the offscreen window frame, so the main window keeps its 1366 pixels.
        screen = scratch / "screen.json"
        laptop = {"name": "laptop", "x": 0, "y": 0, "width": WIDTH + 8, "height": HEIGHT + 40}
        screen.write_text(json.dumps({"screens": [laptop | {"logicalDpi": 96, "dpr": 1}]}), encoding="utf-8")
        os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen}"
    db_url = args.db or make_demo(scratch, args.projects)

    sys.path.insert(0, str(ROOT))
    from PySide6.QtWidgets import QWidget

    from tresxuno.db.engine import open_database
    from tresxuno.demo.projects import DEFAULT_TODAY as DEMO_TODAY
    from tresxuno.ui.app import application, apply_language
    from tresxuno.ui.dialogs.first_run import FirstRunDialog
    from tresxuno.ui.dialogs.preferences import PreferencesDialog
    from tresxuno.ui.main_window import MainWindow
    from tresxuno.ui.views.projects import ProjectsView

    app = application()
    apply_language(app, args.lang)
    db = open_database(db_url)
    # A demo database has users: shoot each page as the officer who works there sees it (the ledger as
    # the treasurer, the rest as the capturista), so the buttons shown are the ones that person uses.
    from tresxuno.demo.users import DEMO_PASSWORD
    from tresxuno.domain.actor import current_actor, set_actor
    from tresxuno.services.auth import has_users
    from tresxuno.services.users import authenticate

    def sign_in(username: str) -> None:
        if has_users(db):
            set_actor(authenticate(db, username, DEMO_PASSWORD))

    sign_in("captura")
    window = MainWindow(db)
    window.resize(WIDTH, HEIGHT)
    window.show()

    def settle() -> None:
        """Let layouts, lazy fetching and painting finish before a shot."""
        for _ in range(5):
            app.processEvents()

    def page(key: str) -> Callable[[], QWidget]:
        def show() -> QWidget:
            wanted = "tesoreria" if key == "ledger" else "captura"
            if has_users(db) and current_actor().username != wanted:
                sign_in(wanted)
                window.rebuild()
            window.show_view(key)
            return window

        return show

    def search(text: str) -> Callable[[], QWidget]:
        def apply() -> QWidget:
            window.show_view("projects")
            view = window.views["projects"]
            assert isinstance(view, ProjectsView)
            view.search.setText(text)
            view.apply_filters()  # at once, not after the typing pause
            return window

        return apply

    empty = None

    def first_run() -> QWidget:
        """The welcome dialog as a new office sees it: over a new, empty database."""
        nonlocal empty
        empty = open_database(str(scratch / "empty.sqlite"))
        dialog = FirstRunDialog(window, empty)
        dialog.show()  # at its own size: adjustSize() would cap it at 2/3 of the screen and scroll
        return dialog

    def preferences() -> QWidget:
        sign_in("admin")  # the office's details are the administrador's to change
        dialog = PreferencesDialog(window, db)
        dialog.show()  # at its own size: adjustSize() would cap it at 2/3 of the screen and scroll
        return dialog

    def report_preview() -> QWidget:
        """A project's statement of account in the preview (the Reportes page's result)."""
        from tresxuno.i18n import _
        from tresxuno.services.projects import ProjectFilters, list_projects
        from tresxuno.services.reporting.run import write_report
        from tresxuno.ui.dialogs.report_preview import ReportPreview

        projects = list_projects(db, ProjectFilters(), limit=200)
        busy = [p for p in projects if p.stage in ("en_ejecucion", "terminado", "cerrado")] or projects
        path = scratch / f"estado_de_cuenta_{busy[0].folio}.pdf"
        write_report(db, "statement", path, project_id=busy[0].id, printed_by="oficina")
        dialog = ReportPreview(path, title=_("Statement of account"), parent=window)
        dialog.resize(1100, 700)
        dialog.show()
        return dialog

    def richest_project() -> int | None:
        """A project under way with the most cash: its payment form previews a real attribution."""
        from tresxuno.services.ledger import project_balance
        from tresxuno.services.projects import ProjectFilters, list_projects

        under_way = [
            p
            for stage in ("en_ejecucion", "convenio_firmado")
            for p in list_projects(db, ProjectFilters(stage=stage), limit=40)
        ]
        best = max(under_way, key=lambda p: project_balance(db, p.id).cash, default=None)
        return best.id if best is not None else None

    def club_still_owing() -> int | None:
        """A project whose club has not deposited its whole share: a deposit in dollars is due."""
        from tresxuno.services.ledger import project_balance
        from tresxuno.services.projects import ProjectFilters, list_projects

        for stage in ("convenio_firmado", "en_ejecucion"):
            for project in list_projects(db, ProjectFilters(stage=stage), limit=100):
                if project_balance(db, project.id).party("club").outstanding > 0:
                    return project.id
        return richest_project()

    def contribution_usd() -> QWidget | None:
        from tresxuno.ui.dialogs.entries import ContributionDialog

        sign_in("tesoreria")

        if club_still_owing() is None:
            return None  # no project takes money yet (a database without a signed convenio)
        dialog = ContributionDialog(db, window, project_id=club_still_owing(), today=DEMO_TODAY)
        dialog.party.setCurrentIndex(max(dialog.party.findData("club"), 0))
        dialog.currency.setCurrentIndex(dialog.currency.findData("USD"))
        dialog.usd.setText("5,000.00")
        if not dialog.rate.text():
            dialog.rate.setText("17.2345")
        dialog.reference.setText("SPEI 0012345678")
        dialog.show()
        dialog.adjustSize()
        return dialog

    def payment_cfdi() -> QWidget | None:
        from tresxuno.ui.dialogs.entries import PaymentDialog

        if richest_project() is None:
            return None
        dialog = PaymentDialog(db, window, project_id=richest_project(), today=DEMO_TODAY)
        dialog.load_cfdi(SAMPLE_CFDI)
        dialog.concept.setText("Estimación 2 de la pavimentación")
        dialog.show()  # at its own size: adjustSize() would squeeze the wrapped hints and warning
        return dialog

    def project_record(tab: int) -> Callable[[], QWidget | None]:
        """The record of a project under way, on one tab (1: shares, 3: stage history)."""

        def show() -> QWidget | None:
            from tresxuno.ui.views.project_detail import ProjectRecord

            sign_in("captura")
            project_id = richest_project()
            if project_id is None:
                return None
            dialog = ProjectRecord(db, project_id, window, today=DEMO_TODAY)
            dialog.tabs.setCurrentIndex(tab)
            dialog.resize(1000, 720)
            dialog.show()
            return dialog

        return show

    def amendment() -> QWidget | None:
        from tresxuno.ui.dialogs.amendment import AmendmentDialog

        sign_in("captura")
        project_id = richest_project()
        if project_id is None:
            return None
        dialog = AmendmentDialog(db, project_id, window, today=DEMO_TODAY)
        dialog.show()
        return dialog

    def close_year() -> QWidget:
        from tresxuno.ui.dialogs.close_year import CloseYearDialog

        sign_in("tesoreria")
        dialog = CloseYearDialog(db, window, today=DEMO_TODAY)
        dialog.show()
        return dialog

    def users() -> QWidget:
        from tresxuno.ui.dialogs.users import UsersDialog

        sign_in("admin")
        dialog = UsersDialog(window, db)
        dialog.show()
        dialog.adjustSize()
        return dialog

    def audit_trail() -> QWidget:
        from tresxuno.ui.dialogs.audit import AuditLogDialog

        sign_in("auditor")
        dialog = AuditLogDialog(window, db)
        dialog.resize(1100, 640)
        dialog.show()
        return dialog

    shots: list[tuple[str, Callable[[], QWidget | None]]] = [(key, page(key)) for key in window.views]
    shots += [
        ("projects-jerez", search("Jerez")),
        ("first-run", first_run),
        ("preferences", preferences),
        ("entry-contribution-usd", contribution_usd),
        ("entry-payment-cfdi", payment_cfdi),
        ("project-shares", project_record(1)),
        ("project-history", project_record(3)),
        ("project-ministraciones", project_record(5)),
        ("amendment", amendment),
        ("close-year", close_year),
        ("users", users),
        ("audit-trail", audit_trail),
    ]
    if "reports" in window.views:
        shots.append(("report-preview", report_preview))
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        for name, prepare in shots:
            widget = prepare()
            if widget is None:
                print(f"{name}: nothing to show in this database; skipped", file=sys.stderr)
                continue
            settle()
            path = args.out / f"{name}.png"
            saved = widget.grab().save(str(path))
            if widget is not window:
                widget.close()
            if not saved:
                print(f"could not write {path}", file=sys.stderr)
                return 1
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    finally:
        window.close()
        db.dispose()
        if empty is not None:
            empty.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
