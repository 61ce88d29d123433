"""On the 30,000-project demo, each transparency file of the busiest fiscal year is written in under 10 s.

Slow lane: the demo takes about half a minute to build; each export is timed as the service call the
CLI and the Reportes page make (whole-process figures are in benchmarks/README.md).
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from tresxuno.db.engine import open_database
from tresxuno.demo.projects import generate_demo
from tresxuno.services.transparency import export_transparency

pytestmark = pytest.mark.slow
LIMIT_SECONDS = 10.0


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    path = tmp_path_factory.mktemp("national") / "demo.sqlite"
    db = open_database(str(path))
    generate_demo(db, projects=30_000, seed=11)
    yield db
    db.dispose()


@pytest.mark.parametrize("fmt", ["srft", "sipot-xv", "padron"])
def test_a_years_file_of_the_national_demo_takes_under_ten_seconds(national, tmp_path, fmt):
    with national.engine.connect() as conn:
        year, projects = conn.execute(
            text("SELECT fiscal_year, COUNT(*) FROM projects GROUP BY fiscal_year ORDER BY 2 DESC LIMIT 1")
        ).one()
    assert projects > 1_000
    started = time.perf_counter()
    written = export_transparency(national, fmt, tmp_path / f"{fmt}.xlsx", year=year)
    elapsed = time.perf_counter() - started
    assert written.rows > 0
    assert elapsed < LIMIT_SECONDS, f"{fmt} {year}: {elapsed:.1f} s for {written.rows} rows"


def test_the_national_demo_passes_check(national):
    """Every money invariant holds on 30,000 projects (a refund typed after a close once slipped in)."""
    from tresxuno.services.audit import check_integrity

    result = check_integrity(national)
    assert result.ok, result.problem
    assert not result.findings
