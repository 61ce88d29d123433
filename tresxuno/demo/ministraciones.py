"""Demo deposit calendars and signed convenios, so the demo's projects pass the stage gates they passed.

Every demo project whose convenio is signed gets the default calendar (half on signing, half at 50 %
progress); every project whose works started gets a ``convenio-firmado`` attachment. The scan is one
small placeholder PDF shared by all of them, kept once in the database like any attachment (see
:mod:`tresxuno.services.builtin_files` for its bytes): nothing is written to the data folder, and
``tresxuno check`` verifies the stored bytes against their hash.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tresxuno.db.models import Attachment, AttachmentContent, Ministracion, Project, ProjectShare, StageChange
from tresxuno.domain.ministraciones import default_calendar
from tresxuno.domain.stages import Stage
from tresxuno.services.builtin_files import PLACEHOLDER_NAME, placeholder_pdf, placeholder_sha256
from tresxuno.services.gates import CONVENIO_DOCUMENT
from tresxuno.services.ministraciones import SIGNED_STAGES

#: Stages of projects whose works started: the signed convenio was on file by then.
STARTED_STAGES: tuple[str, ...] = (Stage.EN_EJECUCION.value, Stage.TERMINADO.value, Stage.CERRADO.value)


def add_demo_ministraciones(session: Session) -> tuple[int, int]:
    """Write the default calendar of signed projects and the convenio of started ones; (tranches, files)."""
    shares: dict[int, dict[str, int]] = {}
    for pid, party, amount in session.execute(
        select(ProjectShare.project_id, ProjectShare.party, ProjectShare.amount)
        .join(Project, Project.id == ProjectShare.project_id)
        .where(Project.stage.in_(SIGNED_STAGES), ProjectShare.amount > 0)
    ):
        shares.setdefault(pid, {})[party] = int(amount)
    rows = [
        {
            "project_id": pid,
            "party": t.party,
            "number": t.number,
            "amount": t.amount,
            "trigger": t.trigger,
            "due_date": t.due_date,
            "progress_percent": t.progress_percent,
        }
        for pid in sorted(shares)
        for t in default_calendar(shares[pid])
    ]
    if rows:
        session.execute(insert(Ministracion), rows)
    signed = session.execute(
        select(StageChange.project_id, StageChange.changed_at)
        .join(Project, Project.id == StageChange.project_id)
        .where(Project.stage.in_(STARTED_STAGES), StageChange.to_stage == Stage.CONVENIO_FIRMADO.value)
        .order_by(StageChange.project_id, StageChange.changed_at)
    ).all()
    on: dict[int, datetime] = {pid: at for pid, at in signed}  # the last signing of each project
    if not on:
        return len(rows), 0
    sha = placeholder_sha256()
    # The placeholder's bytes once in the database, as the app keeps every attachment's.
    if session.get(AttachmentContent, sha) is None:
        content = placeholder_pdf()
        session.execute(
            insert(AttachmentContent), [{"sha256": sha, "size": len(content), "content": content}]
        )
    files = [
        {
            "project_id": pid,
            "ledger_entry_id": None,
            "kind": CONVENIO_DOCUMENT,
            "original_name": PLACEHOLDER_NAME,
            "stored_path": "",
            "sha256": sha,
            "size": len(placeholder_pdf()),
            "added_at": at,
            "added_by": "demo",
        }
        for pid, at in sorted(on.items())
    ]
    session.execute(insert(Attachment), files)
    return len(rows), len(files)
