"""Stage gates: what must be on file before a project starts its works, is finished, or is closed.

Checked by :func:`tresxuno.services.stages.move_project` inside its transaction; each refusal says
exactly what is missing, party by party where money is concerned.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tresxuno.db.engine import Database
from tresxuno.db.models import Attachment, Project
from tresxuno.domain.parties import Party
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.stages import Stage
from tresxuno.formatting import money_text, party_label
from tresxuno.i18n import _, language
from tresxuno.services.attachments import requirements
from tresxuno.services.ledger import project_balance
from tresxuno.services.ministraciones import calendar_of, has_gate_exception, progress_of

#: The attachment kind of the signed convenio de concertación (``seeds/documents.toml``).
CONVENIO_DOCUMENT = "convenio-firmado"
#: Physical progress, in tenths of a percent, of finished works.
FINISHED_TENTHS = 1000


def has_signed_convenio(session: Session, project_id: int) -> bool:
    """Whether a scan of the signed convenio is filed with the project."""
    count = session.scalar(
        select(func.count())
        .select_from(Attachment)
        .where(
            Attachment.project_id == project_id,
            Attachment.kind == CONVENIO_DOCUMENT,
            Attachment.ledger_entry_id.is_(None),
        )
    )
    return (count or 0) > 0


def _document_name() -> str:
    for doc in requirements():
        if doc.id == CONVENIO_DOCUMENT:
            return doc.name(language())
    return CONVENIO_DOCUMENT


def start_problems(session: Session, project: Project, today: date) -> list[Problem]:
    """What keeps the works from starting: the signed convenio, and each party's first tranche in full."""
    problems: list[Problem] = []
    if not has_signed_convenio(session, project.id):
        problems.append(
            Problem(
                "documents", "gate.convenio_missing", {"folio": project.folio, "document": _document_name()}
            )
        )
    lines, _stored = calendar_of(session, project, today)
    firsts: dict[str, tuple[int, int]] = {}
    for line in lines:
        firsts.setdefault(line.tranche.party, (line.pending, line.tranche.amount))
    short = [(party, pending, amount) for party, (pending, amount) in firsts.items() if pending > 0]
    if short:
        details = "; ".join(
            _("{party}: {pending} of {amount} missing").format(
                party=party_label(party), pending=money_text(pending), amount=money_text(amount)
            )
            for party, pending, amount in short
        )
        problems.append(
            Problem("stage", "gate.first_deposit_missing", {"folio": project.folio, "details": details})
        )
    return problems


def finish_problem(session: Session, project: Project) -> Problem | None:
    """Why the works cannot be marked finished: the latest progress report is not 100 % (or none)."""
    reports = progress_of(session, project.id)
    if not reports:
        return Problem("stage", "gate.no_progress", {"folio": project.folio})
    on, tenths = reports[-1]
    if tenths < FINISHED_TENTHS:
        return Problem(
            "stage",
            "gate.progress_incomplete",
            {"folio": project.folio, "percent": _percent(tenths), "date": on.isoformat()},
        )
    return None


def _percent(tenths: int) -> str:
    whole, tenth = divmod(tenths, 10)
    return f"{whole}.{tenth}" if tenth else str(whole)


def close_problem(db: Database, project: Project) -> Problem | None:
    """Why the project cannot be closed: some party still holds money on it (listed party by party).

    An excedente (received beyond the share) is refunded to its party; unspent money is refunded too,
    federal money to the TESOFE with the TESOFE's reference on the refund.
    """
    balance = project_balance(db, project.id)
    lines = []
    for p in balance.parties:
        if p.cash == 0:
            continue
        name = party_label(p.party)
        if p.cash < 0:
            text = _("{party}: {amount} more paid on its behalf than it deposited; record its deposit")
            lines.append(text.format(party=name, amount=money_text(-p.cash)))
            continue
        excess = min(p.over_received, p.cash)
        if excess:
            text = _("{party}: excedente of {amount} to refund to {party}")
            lines.append(text.format(party=name, amount=money_text(excess)))
        if p.cash > excess:
            if p.party == Party.FEDERAL.value:
                text = _(
                    "{party}: {amount} not spent; refund it to the TESOFE (record a refund with the "
                    "TESOFE's reference)"
                )
            else:
                text = _("{party}: {amount} not spent; refund it to {party}")
            lines.append(text.format(party=name, amount=money_text(p.cash - excess)))
    if not lines:
        return None
    return Problem("stage", "gate.money_left", {"folio": project.folio, "details": "; ".join(lines)})


def check_gate(db: Database, session: Session, project: Project, target: Stage, *, today: date) -> None:
    """Refuse a move whose gate is not passed.

    Raises:
        InputError: to ``en_ejecucion`` without the signed convenio or a party's first tranche
            (unless an administrador recorded an exception); to ``terminado`` below 100 % progress;
            to ``cerrado`` while a party still holds money.
    """
    problems: list[Problem] = []
    if target is Stage.EN_EJECUCION:
        if not has_gate_exception(session, project.id, target.value):
            problems = start_problems(session, project, today)
    elif target is Stage.TERMINADO:
        problem = finish_problem(session, project)
        problems = [problem] if problem else []
    elif target is Stage.CERRADO:
        problem = close_problem(db, project)
        problems = [problem] if problem else []
    if problems:
        raise InputError(problems)
