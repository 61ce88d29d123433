"""``tresxuno reintegros``, ``close-year`` and ``check`` on federal money unspent on 31 December."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.e2e.test_cli import run
from tests.services.test_ledger import SHARE, fund, new_club, signed_project
from tresxuno.db.engine import open_database
from tresxuno.domain.ledger import RefundInput
from tresxuno.formatting import money_text
from tresxuno.i18n import set_language
from tresxuno.services.ledger import record_refund
from tresxuno.services.projects import list_projects


def office(tmp_path: Path) -> tuple[str, list[str]]:
    """A database with three 2019 projects, each holding 1,000,000.00 federal on 31 December."""
    path = tmp_path / "oficina.sqlite"
    db = open_database(str(path))
    try:
        club = new_club(db)
        projects = [signed_project(db, tmp_path, club_id=club.id) for _ in range(3)]
        for p in projects:
            fund(db, p.id)
        on_time, late, _missing = projects
        for project, day, reference in (
            (on_time, date(2020, 1, 14), "LC-ENERO"),
            (late, date(2020, 2, 3), "LC-FEB"),
        ):
            data = RefundInput(
                project.id, "federal", day, SHARE, reason="Reintegro TESOFE", reference=reference
            )
            record_refund(db, data, today=date(2021, 1, 1))
        return str(path), [p.folio for p in projects]
    finally:
        db.dispose()


def test_reintegros_lists_each_with_deadline_and_status_in_spanish_by_default(tmp_path):
    path, (on_time, late, missing) = office(tmp_path)
    result = run("--db", path, "reintegros", "--year", "2019")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "2019" in lines[0] and "15/01/2020" in lines[0] and "TESOFE" in lines[0]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert list(rows) == [on_time, late, missing]
    assert (
        "Reintegrado en plazo" in rows[on_time]
        and "LC-ENERO" in rows[on_time]
        and "14/01/2020" in rows[on_time]
    )
    assert "Reintegrado fuera de plazo" in rows[late] and "LC-FEB" in rows[late]
    assert "Falta" in rows[missing] and "15/01/2020" in rows[missing]
    set_language("es")
    assert all(money_text(SHARE) in rows[f] for f in rows)
    nothing = run("--db", path, "reintegros", "--year", "2020")
    assert nothing.returncode == 0 and "2020" in nothing.stdout and len(nothing.stdout.splitlines()) == 1
    bad = run("--db", path, "reintegros", "--year", "dos mil")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_close_year_is_refused_naming_the_missing_reintegro_and_check_reports_it(tmp_path):
    path, (on_time, late, missing) = office(tmp_path)
    refused = run("--db", path, "--lang", "en", "close-year", "--year", "2019")
    assert refused.returncode == 2
    [line] = refused.stderr.splitlines()
    assert "fiscal year 2019 cannot be closed" in line and missing in line and "15/01/2020" in line
    assert on_time not in line and late not in line and "$1,000,000.00" in line
    checked = run("--db", path, "--lang", "en", "check")
    # The trail is intact, but the overdue reintegro is a finding on stderr, and check exits 1.
    assert checked.returncode == 1 and checked.stdout.startswith("Audit trail intact:")
    [finding] = checked.stderr.splitlines()
    assert finding.startswith("tresxuno: finding: project " + missing) and "15/01/2020" in finding
    assert on_time not in checked.stderr and late not in checked.stderr
    db = open_database(path)
    try:
        folio_ids = {p.folio: p.id for p in list_projects(db)}
        data = RefundInput(
            folio_ids[missing], "federal", date(2020, 3, 2), SHARE, reason="Tarde", reference="LC-MAR"
        )
        record_refund(db, data, today=date(2021, 1, 1))
    finally:
        db.dispose()
    closed = run("--db", path, "--lang", "en", "close-year", "--year", "2019")
    assert closed.returncode == 0 and closed.stdout.startswith("Fiscal year 2019 was closed on ")
    rechecked = run("--db", path, "--lang", "en", "check")
    assert (rechecked.returncode, rechecked.stderr) == (0, "")  # late, but made
