"""Demo COVAM sessions and progress agree with the demo's stage history."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from tresxuno.db.engine import open_database
from tresxuno.db.models import (
    CovamAgendaItem,
    CovamAttendee,
    CovamSession,
    ProgressReport,
    Project,
    StageChange,
)
from tresxuno.demo.projects import generate_demo


def test_every_ruling_sits_on_one_session_and_progress_only_grows(tmp_path):
    db = open_database(str(tmp_path / "demo.sqlite"))
    generate_demo(db, projects=120, seed=5)
    with db.session() as session:
        rulings = {
            (pid, to)
            for pid, to in session.execute(
                select(StageChange.project_id, StageChange.to_stage).where(
                    StageChange.from_stage == "en_covam"
                )
            )
        }
        agenda = session.execute(
            select(CovamAgendaItem.project_id, CovamAgendaItem.ruling, CovamAgendaItem.session_id)
        ).all()
        assert {(a.project_id, a.ruling) for a in agenda} == rulings
        assert len({a.project_id for a in agenda}) == len(agenda)  # one session per ruling
        for item in session.scalars(select(CovamSession)):
            parties = {
                a.party
                for a in session.scalars(select(CovamAttendee).where(CovamAttendee.session_id == item.id))
            }
            assert {"state", "municipal", "club"} <= parties
        reports = defaultdict(list)
        for pid, _on, tenths in session.execute(
            select(
                ProgressReport.project_id, ProgressReport.reported_on, ProgressReport.percent_tenths
            ).order_by(ProgressReport.reported_on, ProgressReport.id)
        ):
            reports[pid].append(tenths)
        assert reports, "the demo has projects whose works started"
        stages = dict(session.execute(select(Project.id, Project.stage)).all())
        for pid, values in reports.items():
            assert values == sorted(values) and values[0] >= 0 and values[-1] <= 1000
            if stages[pid] in ("terminado", "cerrado"):
                assert values[-1] == 1000
    db.dispose()
