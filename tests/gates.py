"""Test helpers that pass the stage gates the honest way: the convenio on file, deposits, progress.

Used by tests that need a project under way, finished or closed (see tresxuno.services.gates).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tresxuno.domain.ledger import ContributionInput
from tresxuno.services.attachments import attach_document
from tresxuno.services.ledger import record_contribution
from tresxuno.services.ministraciones import calendar, record_gate_exception
from tresxuno.services.works import record_progress


def attach_convenio(db, project_id: int, folder: Path) -> None:
    """File a scan of the signed convenio with the project."""
    folder.mkdir(parents=True, exist_ok=True)
    scan = folder / f"convenio-firmado-{project_id}.pdf"
    scan.write_bytes(b"%PDF-1.4 convenio firmado " + str(project_id).encode())
    attach_document(db, project_id, "convenio-firmado", scan, user="capturista")


def deposit_first_tranches(db, project_id: int, on: date, *, today: date | None = None) -> dict[str, int]:
    """Record each party's first tranche as a contribution dated ``on``; returns what was deposited."""
    deposited = {}
    for line in calendar(db, project_id, today=on).lines:
        if line.tranche.number == 1 and line.pending > 0:
            record_contribution(
                db,
                ContributionInput(project_id, line.tranche.party, on, amount=line.pending),
                today=today or on,
            )
            deposited[line.tranche.party] = line.pending
    return deposited


def open_start_gate(
    db, project_id: int, folder: Path, on: date, *, today: date | None = None
) -> dict[str, int]:
    """Attach the convenio and deposit every first tranche, so the works may start."""
    attach_convenio(db, project_id, folder)
    return deposit_first_tranches(db, project_id, on, today=today)


def start_by_exception(db, project_id: int) -> None:
    """An administrador's recorded exception: tests about other things start works without money."""
    record_gate_exception(db, project_id, "en_ejecucion", "Prueba: el dinero se registra aparte", "admin")


def finish_works(db, project_id: int, on: date, *, today: date | None = None) -> None:
    """Record 100 % physical progress on ``on``."""
    record_progress(db, project_id, on, "100", note="Obra terminada", today=today or on)
