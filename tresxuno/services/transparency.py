"""Transparency and federal reporting: SIPOT XV-A and XV-B (padrón) and the SRFT, from the ledger.

Every figure comes from the same building block as the balances
(:func:`tresxuno.services.ledger.money_per_project_party`) as of the period's last day, in one read
transaction, so a file agrees with the statement and the summary to the centavo. A project counts
when its stage on the period's last day (its last stage change until then) is approved or later and
not cancelled. CONAC moments, per party (the SRFT reports the federal party):

* *aprobado*: the share as the COVAM approved it (before any convenio modificatorio);
* *modificado*: the share after the convenios modificatorios signed until the period's end;
* *comprometido*: the modified share once the convenio de concertación is signed;
* *devengado*: payments backed by a CFDI; *ejercido* and *pagado*: payments (tresxuno keeps no
  separate payment orders, so both are the payments recorded); *reintegrado*: refunds.

The layouts (columns, headers, catalogues) are data: ``seeds/transparency.toml``.
"""

from __future__ import annotations

import os
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, and_, select
from sqlalchemy.orm import Session

from tresxuno import paths
from tresxuno.db.engine import Database
from tresxuno.db.models import (
    Club,
    Municipality,
    ProgressReport,
    Project,
    ProjectAmendment,
    ProjectAmendmentShare,
    ProjectGoal,
    StageChange,
    State,
)
from tresxuno.db.scope import projects_in_scope
from tresxuno.domain.audit import ChainHead
from tresxuno.domain.goals import Goal
from tresxuno.domain.ledger import APPROVED_STAGES, COMMITTED_STAGES
from tresxuno.domain.parties import Party
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.stages import Stage
from tresxuno.domain.transparency import (
    FORMAT_IDS,
    Period,
    TransparencyBook,
    parse_book,
    share_percent_tenths,
)
from tresxuno.formatting import CATEGORY_LABELS, STAGE_LABELS
from tresxuno.i18n import translate
from tresxuno.reports.transparency_xlsx import write_transparency
from tresxuno.services.audit import chain_head
from tresxuno.services.auth import require
from tresxuno.services.beneficiaries import PublicPerson, public_rows
from tresxuno.services.ledger import money_per_project_party
from tresxuno.services.office import office_settings
from tresxuno.services.output_files import atomic_output, check_output
from tresxuno.services.progress import CancelToken, Progress, no_progress
from tresxuno.services.rules import rulebook

__all__ = [
    "FIELDS",
    "FORMAT_IDS",
    "TransparencyFile",
    "export_transparency",
    "transparency_book",
    "transparency_rows",
]

_P = cast(Table, Project.__table__)
_STAGES = cast(Table, StageChange.__table__)
_PROGRESS = cast(Table, ProgressReport.__table__)
_M = cast(Table, Municipality.__table__)
_S = cast(Table, State.__table__)
_CLUBS = cast(Table, Club.__table__)
_AMENDMENTS = cast(Table, ProjectAmendment.__table__)
_AMENDED = cast(Table, ProjectAmendmentShare.__table__)

_COMMON = {"year", "period", "period_start", "period_end", "program_name", "program_type", "office"}
_COMMON |= {"validated_on", "updated_on", "note"}
#: The figures each format can hold; a layout may use any of them, in any order.
FIELDS: dict[str, frozenset[str]] = {
    "srft": frozenset(
        _COMMON
        | {"branch", "program_key", "folio", "project_name", "category", "state_key", "state_name"}
        | {"municipality_key", "municipality_name", "locality", "stage", "cost", "approved", "modified"}
        | {"committed", "accrued", "exercised", "paid", "refunded", "financial_progress", "physical_progress"}
        | {"beneficiaries", "goals", "locality_key"}
    ),
    "sipot-xv": frozenset(
        _COMMON
        | {"normative_document", "normative_link", "valid_from", "valid_until", "objective", "projects"}
        | {"beneficiaries", "approved", "modified", "paid"}
        | {f"approved_{p.value}" for p in Party}
    ),
    "padron": frozenset(
        _COMMON
        | {"beneficiary_type", "given_names", "first_surname", "second_surname", "collective_name"}
        | {"club_name", "folio", "support", "amount", "territorial_unit", "municipality_key", "locality"}
        | {"beneficiaries", "age", "sex", "locality_key"}
    ),
}
#: The padrón's words for the sex a CURP records.
_SEX = {"M": "Femenino", "H": "Masculino", "X": "No binario"}
#: Parties whose approved share is public support (the government's money) in the padrón.
_PUBLIC_PARTIES = (Party.FEDERAL.value, Party.STATE.value, Party.MUNICIPAL.value)


@cache
def _book_at(path: str, mtime: float) -> TransparencyBook:
    with open(path, "rb") as fh:
        return parse_book(tomllib.load(fh), FIELDS)


def transparency_book() -> TransparencyBook:
    """The layouts of ``seeds/transparency.toml`` (read again when the file changes)."""
    path = paths.seeds_dir() / "transparency.toml"
    return _book_at(str(path), path.stat().st_mtime)


@dataclass(frozen=True)
class ProjectMoment:
    """One project as of a period's end: where it stands and each party's money by CONAC moment."""

    id: int
    folio: str
    name: str
    program: str
    category: str
    state_key: str
    state_name: str
    municipality_key: str
    municipality_name: str
    locality: str
    locality_key: str
    club_name: str
    beneficiaries: int
    cost: int
    stage: str
    percent_tenths: int | None
    goals: str = ""
    persons: tuple[PublicPerson, ...] = ()
    approved: dict[str, int] = field(default_factory=dict)
    modified: dict[str, int] = field(default_factory=dict)
    accrued: dict[str, int] = field(default_factory=dict)
    paid: dict[str, int] = field(default_factory=dict)
    refunded: dict[str, int] = field(default_factory=dict)

    def committed(self, party: str) -> int:
        """*Comprometido*: the modified share once the convenio is signed."""
        return self.modified.get(party, 0) if self.stage in COMMITTED_STAGES else 0


def project_moments(session: Session, period: Period) -> list[ProjectMoment]:
    """The fiscal year's projects approved (and not cancelled) on the period's last day, with their money."""
    end = period.end
    # Stage changes are naive UTC; a change during the last day counts.
    cutoff = datetime.combine(end + timedelta(days=1), time())
    chosen = and_(_P.c.fiscal_year == period.year, *projects_in_scope(_P))
    ids = select(_P.c.id).where(chosen)
    # Each project's stage on the period's last day: its last change until then, read in one ordered
    # pass (a window function in a joined subquery makes SQLite re-evaluate it per project).
    stage_at_end: dict[int, str] = {}
    for pid, to_stage in session.execute(
        select(_STAGES.c.project_id, _STAGES.c.to_stage)
        .where(_STAGES.c.changed_at < cutoff, _STAGES.c.project_id.in_(ids))
        .order_by(_STAGES.c.project_id, _STAGES.c.changed_at, _STAGES.c.id)
    ):
        stage_at_end[pid] = to_stage
    with_history = set(
        session.scalars(select(_STAGES.c.project_id).distinct().where(_STAGES.c.project_id.in_(ids)))
    )
    progress_at_end: dict[int, int] = {}
    for pid, tenths in session.execute(
        select(_PROGRESS.c.project_id, _PROGRESS.c.percent_tenths)
        .where(_PROGRESS.c.reported_on <= end, _PROGRESS.c.project_id.in_(ids))
        .order_by(_PROGRESS.c.project_id, _PROGRESS.c.reported_on, _PROGRESS.c.id)
    ):
        progress_at_end[pid] = int(tenths)
    rows = session.execute(
        select(
            _P.c.id,
            _P.c.folio,
            _P.c.name,
            _P.c.program,
            _P.c.category,
            _P.c.state_key,
            _S.c.name.label("state_name"),
            _P.c.municipality_key,
            _M.c.name.label("municipality_name"),
            _P.c.locality,
            _P.c.locality_key,
            _CLUBS.c.name.label("club_name"),
            _P.c.beneficiaries,
            _P.c.cost,
            _P.c.stage,
        )
        .join_from(_P, _M, _M.c.key == _P.c.municipality_key)
        .join(_S, _S.c.key == _P.c.state_key)
        .join(_CLUBS, _CLUBS.c.id == _P.c.club_id)
        .where(chosen)
        .order_by(_P.c.municipality_key, _P.c.folio)
    ).all()
    heads = []
    for r in rows:
        # No change before the period's end but a history: the project did not exist yet.
        stage = stage_at_end.get(r.id) if r.id in with_history else r.stage
        if stage in APPROVED_STAGES:
            heads.append((r, stage))
    money = money_per_project_party(chosen, as_of=end)
    current: dict[int, dict[str, int]] = defaultdict(dict)
    figures: dict[str, dict[int, dict[str, int]]] = {
        k: defaultdict(dict) for k in ("accrued", "paid", "refunded")
    }
    for m in session.execute(
        select(
            money.c.project_id, money.c.party, money.c.share, money.c.accrued, money.c.paid, money.c.refunded
        )
    ):
        current[m.project_id][m.party] = int(m.share)
        for key in figures:
            figures[key][m.project_id][m.party] = int(getattr(m, key))
    approved, modified = _shares_by_moment(session, ids, end, current)
    persons = public_rows(session, [h.id for h, _stage in heads], end)
    goals: dict[int, list[str]] = defaultdict(list)
    for g in session.execute(
        select(ProjectGoal.project_id, ProjectGoal.quantity_milli, ProjectGoal.unit, ProjectGoal.description)
        .where(ProjectGoal.project_id.in_(ids))
        .order_by(ProjectGoal.project_id, ProjectGoal.position)
    ):
        quantity = Goal(g.description, int(g.quantity_milli), g.unit, 0).quantity_text
        goals[g.project_id].append(f"{quantity} {g.unit}: {g.description}")
    return [
        ProjectMoment(
            id=h.id,
            folio=h.folio,
            name=h.name,
            program=h.program,
            category=h.category,
            state_key=h.state_key,
            state_name=h.state_name,
            municipality_key=h.municipality_key,
            municipality_name=h.municipality_name,
            locality=h.locality,
            locality_key=h.locality_key,
            club_name=h.club_name,
            beneficiaries=int(h.beneficiaries),
            cost=int(h.cost),
            stage=stage,
            percent_tenths=progress_at_end.get(h.id),
            goals="; ".join(goals.get(h.id, ())),
            persons=tuple(persons.get(h.id, ())),
            approved=approved.get(h.id, {}),
            modified=modified.get(h.id, {}),
            accrued=figures["accrued"].get(h.id, {}),
            paid=figures["paid"].get(h.id, {}),
            refunded=figures["refunded"].get(h.id, {}),
        )
        for h, stage in heads
    ]


def _shares_by_moment(
    session: Session, ids: Any, end: date, current: dict[int, dict[str, int]]
) -> tuple[dict[int, dict[str, int]], dict[int, dict[str, int]]]:
    """Per project and party, the share as approved (before any amendment) and as modified on ``end``.

    The current shares already include every amendment; each amendment keeps each party's amount
    before and after, so the approved share is the first amendment's "before" and the modified one
    the "after" of the last amendment signed on or before ``end``.
    """
    approved = {pid: dict(shares) for pid, shares in current.items()}
    modified = {pid: dict(shares) for pid, shares in current.items()}
    rows = session.execute(
        select(
            _AMENDMENTS.c.project_id,
            _AMENDMENTS.c.number,
            _AMENDMENTS.c.signed_on,
            _AMENDED.c.party,
            _AMENDED.c.previous_amount,
            _AMENDED.c.amount,
        )
        .join_from(_AMENDED, _AMENDMENTS, _AMENDMENTS.c.id == _AMENDED.c.amendment_id)
        .where(_AMENDMENTS.c.project_id.in_(ids))
        .order_by(_AMENDMENTS.c.project_id, _AMENDMENTS.c.number)
    ).all()
    by_project: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        by_project[r.project_id].append(r)
    for pid, amendments in by_project.items():
        first = min(r.number for r in amendments)
        original = {r.party: int(r.previous_amount) for r in amendments if r.number == first}
        approved[pid] = {**approved.get(pid, {}), **original}
        mod = dict(approved[pid])
        for r in amendments:  # by number: each signed amendment replaces the party's amount
            if r.signed_on <= end:
                mod[r.party] = int(r.amount)
        modified[pid] = mod
    return approved, modified


def _spanish_stage(stage: str) -> str:
    try:
        return translate(STAGE_LABELS[Stage(stage)], "es")
    except ValueError:
        return stage


def _spanish_category(category: str) -> str:
    label = CATEGORY_LABELS.get(category)
    return translate(label, "es") if label else category


def _dof_link(published: str) -> str:
    """The DOF's page of the day a document was published (``DOF 28/02/2013``), or "" when unknown."""
    try:
        day = datetime.strptime(published.removeprefix("DOF").strip(), "%d/%m/%Y").date()
    except ValueError:
        return ""
    return f"https://www.dof.gob.mx/index.php?year={day.year}&month={day.month:02d}&day={day.day:02d}"


def _srft_rows(
    moments: list[ProjectMoment], period: Period, book: TransparencyBook, common: dict[str, Any]
) -> list[dict[str, Any]]:
    fed = Party.FEDERAL.value
    programs = rulebook().programs
    rows = []
    for m in moments:
        keys = book.programs.get(m.program)
        if keys is None or not keys.federal:
            continue  # SRFT: federal resources only (a state's 2x1 carries none)
        modified = m.modified.get(fed, 0)
        paid = m.paid.get(fed, 0)
        program = programs.get(m.program)
        rows.append(
            {
                **common,
                "branch": keys.branch,
                "program_key": keys.key,
                "program_type": keys.type,
                "program_name": program.name_es if program else m.program,
                "folio": m.folio,
                "project_name": m.name,
                "category": _spanish_category(m.category),
                "state_key": m.state_key,
                "state_name": m.state_name,
                "municipality_key": m.municipality_key,
                "municipality_name": m.municipality_name,
                "locality": m.locality,
                "locality_key": m.locality_key,
                "stage": _spanish_stage(m.stage),
                "cost": m.cost,
                "approved": m.approved.get(fed, 0),
                "modified": modified,
                "committed": m.committed(fed),
                "accrued": m.accrued.get(fed, 0),
                "exercised": paid,
                "paid": paid,
                "refunded": m.refunded.get(fed, 0),
                "financial_progress": share_percent_tenths(paid, modified),
                "physical_progress": m.percent_tenths,
                "beneficiaries": m.beneficiaries,
                "goals": m.goals,
            }
        )
    return rows


def _sipot_rows(
    moments: list[ProjectMoment], period: Period, book: TransparencyBook, common: dict[str, Any]
) -> list[dict[str, Any]]:
    programs = rulebook()
    by_program: dict[str, list[ProjectMoment]] = defaultdict(list)
    for m in moments:
        by_program[m.program].append(m)
    rows = []
    for pid in sorted(by_program):
        group = by_program[pid]
        program = programs.programs.get(pid)
        keys = book.programs.get(pid)
        document = next(
            (d for rs in programs.rule_sets if rs.program == pid and (d := rs.document_for(period.year))),
            None,
        )
        row = {
            **common,
            "program_type": keys.type if keys else "Programas mixtos",
            "program_name": program.name_es if program else pid,
            "normative_document": document.citation("es") if document else "",
            "normative_link": _dof_link(document.published) if document else "",
            "valid_from": date(period.year, 1, 1),
            "valid_until": date(period.year, 12, 31),
            "objective": program.description_text("es") if program else "",
            "projects": len(group),
            "beneficiaries": sum(m.beneficiaries for m in group),
            "approved": sum(sum(m.approved.values()) for m in group),
            "modified": sum(sum(m.modified.values()) for m in group),
            "paid": sum(sum(m.paid.values()) for m in group),
        }
        for party in Party:
            row[f"approved_{party.value}"] = sum(m.approved.get(party.value, 0) for m in group)
        rows.append(row)
    return rows


def _padron_rows(
    moments: list[ProjectMoment], period: Period, book: TransparencyBook, common: dict[str, Any]
) -> list[dict[str, Any]]:
    programs = rulebook().programs
    rows = []
    for m in moments:
        keys = book.programs.get(m.program)
        program = programs.get(m.program)
        amount = sum(m.approved.get(p, 0) for p in _PUBLIC_PARTIES)
        place = m.locality.strip() or m.municipality_name
        base = {
            **common,
            "program_type": keys.type if keys else "Programas mixtos",
            "program_name": program.name_es if program else m.program,
            "club_name": m.club_name,
            "folio": m.folio,
            "support": f"{_spanish_category(m.category)}: {m.name}",
            "territorial_unit": f"{m.municipality_name}, {m.state_name}",
            "municipality_key": m.municipality_key,
            "locality_key": m.locality_key,
        }
        if not m.persons:  # works and services: the community is the beneficiary
            rows.append(
                {
                    **base,
                    "beneficiary_type": "Colectivo",
                    "given_names": "",
                    "first_surname": "",
                    "second_surname": "",
                    "collective_name": f"Comunidad de {place}",
                    "amount": amount,
                    "locality": m.locality,
                    "beneficiaries": m.beneficiaries,
                    "age": "No aplica",
                    "sex": "No aplica",
                }
            )
            continue
        # Persons (scholarship students, a family's members): the support split evenly, the centavos
        # left over one each to the first, so the rows add up to the project's support exactly.
        share, extra = divmod(amount, len(m.persons))
        for n, person in enumerate(m.persons):
            rows.append(
                {
                    **base,
                    "beneficiary_type": "Persona física",
                    "given_names": person.given_names,
                    "first_surname": person.first_surname,
                    "second_surname": person.second_surname,
                    "collective_name": "Persona menor de edad (nombre protegido)" if person.minor else "",
                    "amount": share + (1 if n < extra else 0),
                    "locality": person.locality or m.locality,
                    "beneficiaries": 1,
                    "age": person.age_band,
                    "sex": _SEX.get(person.sex, "No aplica"),
                }
            )
    return rows


_BUILDERS: dict[
    str, Callable[[list[ProjectMoment], Period, TransparencyBook, dict[str, Any]], list[dict[str, Any]]]
] = {"srft": _srft_rows, "sipot-xv": _sipot_rows, "padron": _padron_rows}


def _check_period(year: int, quarter: int) -> Period:
    problems = []
    if not 2002 <= year <= 2100:
        problems.append(Problem("year", "transparency.year", {"year": year}))
    if quarter not in (0, 1, 2, 3, 4):
        problems.append(Problem("quarter", "transparency.quarter", {"quarter": quarter}))
    if problems:
        raise InputError(problems)
    return Period(year, quarter)


def transparency_rows(
    db: Database, fmt: str, year: int, quarter: int = 0, *, today: date | None = None
) -> tuple[list[dict[str, Any]], ChainHead]:
    """The rows of one format for a fiscal year and quarter (0: the whole year), and the chain's head.

    Raises:
        InputError: ``transparency.format``, ``transparency.year``, ``transparency.quarter``;
            ``auth.role_required`` when the signed-in person may not export.
    """
    require(db, "records.export")
    if fmt not in FORMAT_IDS:
        raise InputError(
            Problem("format", "transparency.format", {"format": fmt, "allowed": ", ".join(FORMAT_IDS)})
        )
    period = _check_period(year, quarter)
    book = transparency_book()
    office = office_settings(db).name
    layout = book.layouts[fmt]
    day = today or date.today()
    common = {
        "year": period.year,
        "period": period.name,
        "period_start": period.start,
        "period_end": period.end,
        "office": office,
        "validated_on": day,
        "updated_on": day,
        "note": layout.note,
    }
    with db.transaction() as session:
        moments = project_moments(session, period)
        head = chain_head(session)
    return _BUILDERS[fmt](moments, period, book, common), head


@dataclass(frozen=True)
class TransparencyFile:
    """What ``export transparency`` wrote: format, period, rows and the sum of each money column."""

    format: str
    period: Period
    path: Path
    rows: int
    totals: dict[str, int]
    head: ChainHead


def export_transparency(
    db: Database,
    fmt: str,
    out_path: str | os.PathLike[str],
    *,
    year: int,
    quarter: int = 0,
    force: bool = False,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    today: date | None = None,
) -> TransparencyFile:
    """Write one transparency format as XLSX: the layout's columns, a notes sheet with the legend.

    Long work: reports progress and checks ``cancel``; a cancel or an error leaves no file behind and
    an existing file untouched. ``out_path`` is refused when it exists (without ``force``) or is the
    database.

    Raises:
        InputError: as :func:`transparency_rows`; on field ``output``, a refused target.
        StorageError: the file cannot be written.
    """
    path = Path(out_path).expanduser()
    check_output(path, db=db, force=force)
    token = cancel or CancelToken()
    progress(0, 3, _step("read"))
    rows, head = transparency_rows(db, fmt, year, quarter, today=today)
    token.raise_if_cancelled()
    book = transparency_book()
    layout = book.layouts[fmt]
    progress(1, 3, _step("write"))
    with atomic_output(path, db=db, force=force) as tmp:
        write_transparency(tmp, layout, rows, book, head, tick=token.raise_if_cancelled)
    progress(3, 3, _step("done"))
    money = [c.field for c in layout.columns if c.kind == "money"]
    totals = {f: sum(int(r.get(f) or 0) for r in rows) for f in dict.fromkeys(money)}
    return TransparencyFile(fmt, Period(year, quarter), path, len(rows), totals, head)


def _step(which: str) -> str:
    from tresxuno.i18n import _

    return {
        "read": _("Reading the year's projects"),
        "write": _("Writing the file"),
        "done": _("Done"),
    }[which]


def money_fields(fmt: str) -> Iterable[str]:
    """The fields of a format's money columns (for summaries and tests)."""
    return [c.field for c in transparency_book().layouts[fmt].columns if c.kind == "money"]
