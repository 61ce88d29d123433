"""CONAC moments in the SRFT file, on every back end.

Approved from the COVAM's day, committed from the convenio's, modified from the day an amendment is
signed: stage and amendment dates, never the day the file is written.
"""

from __future__ import annotations

from datetime import date, datetime

from tests.reports.test_transparency import centavos, export, header_of, read_back
from tresxuno.domain.amendments import AmendmentInput
from tresxuno.services.amendments import amend_project, amendments


def test_an_amendment_counts_as_modified_from_the_day_it_was_signed(db, tmp_path):
    from tests.services.test_ledger import ROAD, attach_all, new_club
    from tests.services.test_registry_and_projects import project_input
    from tresxuno.services.project_requests import submit_project
    from tresxuno.services.stages import move_project

    year = 2019
    project = submit_project(
        db, project_input(new_club(db).id, fiscal_year=year, cost=200_000_000, submitted_on=date(year, 3, 1))
    )
    attach_all(db, project.id, tmp_path / "scans")
    for month, step in enumerate(ROAD, start=4):  # convenio signed in July, in the third quarter
        move_project(db, project.id, step, user="revisor", at=datetime(year, month, 10, 12))
    before = next(s.amount for s in amendments(db, project.id)[0].shares if s.party == "federal")
    amend_project(
        db,
        project.id,
        AmendmentInput(
            cost=240_000_000,
            signed_on=date(year, 11, 15),
            reason="Ampliación de metas",
            authorised_by="Ing. Rosa Ávila",
            document_reference="CM-01",
        ),
    )
    after = next(s.amount for s in amendments(db, project.id)[-1].shares if s.party == "federal")
    assert after != before
    h = lambda f: header_of("srft", f)  # noqa: E731
    figures = {}
    for quarter in (2, 3, 4):
        _headers, rows, _notes = read_back(export(db, "srft", tmp_path, quarter, year=year))
        row = next(r for r in rows if r[h("folio")] == project.folio)
        figures[quarter] = tuple(centavos(row[h(f)]) for f in ("approved", "modified", "committed"))
    assert figures[2] == (before, before, 0)  # approved by the COVAM in June, convenio not yet signed
    assert figures[3] == (before, before, before)  # the amendment is signed in November
    assert figures[4] == (before, after, after)
