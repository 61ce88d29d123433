"""Demo deposit calendars and signed convenios, so the demo's projects pass the stage gates they passed.

Every demo project whose convenio is signed gets the default calendar (half on signing, half at 50 %
progress); every project whose works started gets a ``convenio-firmado`` attachment. The scan is one
small placeholder PDF shared by all of them (a file per project would cost 100,000 files on the
largest demo); its sha256 is recorded like any attachment's, so ``tresxuno check`` verifies it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tresxuno.db.models import Attachment, Ministracion, Project, ProjectShare, StageChange
from tresxuno.domain.ministraciones import default_calendar
from tresxuno.domain.stages import Stage
from tresxuno.services.attachments import ATTACHMENTS, resolve_stored
from tresxuno.services.gates import CONVENIO_DOCUMENT
from tresxuno.services.ministraciones import SIGNED_STAGES

#: Stages of projects whose works started: the signed convenio was on file by then.
STARTED_STAGES: tuple[str, ...] = (Stage.EN_EJECUCION.value, Stage.TERMINADO.value, Stage.CERRADO.value)
#: Name shown for the placeholder scan.
PLACEHOLDER_NAME = "convenio-firmado-demo.pdf"


def placeholder_pdf() -> bytes:
    """A one-page PDF saying it stands in for the signed convenio (valid xref, readable by any viewer)."""
    text = b"BT /F1 14 Tf 72 720 Td (Convenio de concertacion firmado - documento de demostracion) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(text)).encode() + b" >>\nstream\n" + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


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
    content = placeholder_pdf()
    sha = hashlib.sha256(content).hexdigest()
    stored = f"{ATTACHMENTS}/demo/{sha[:16]}.pdf"
    target = resolve_stored(stored)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    files = [
        {
            "project_id": pid,
            "ledger_entry_id": None,
            "kind": CONVENIO_DOCUMENT,
            "original_name": PLACEHOLDER_NAME,
            "stored_path": stored,
            "sha256": sha,
            "size": len(content),
            "added_at": at,
            "added_by": "demo",
        }
        for pid, at in sorted(on.items())
    ]
    session.execute(insert(Attachment), files)
    return len(rows), len(files)
