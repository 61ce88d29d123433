"""The ledger's money invariants, checked with SQL aggregates for ``tresxuno check``.

The services refuse every entry that would break them (see :mod:`tresxuno.domain.ledger`), so a
finding here means rows were written behind the app's back, or by an older version:

- no party's fund in a project (the sum of its ``ledger_allocations.amount``) is negative;
- a closed project (stage ``cerrado``) holds nothing for any party;
- what a project paid, net of reversals, is not more than its cost;
- nothing was recorded on a closed project after it was closed, except a refund or a reversal
  authorised by an administrador (``authorised_by`` filled).

Each query aggregates in the database (SQLite and PostgreSQL alike) and returns only the
offending rows, so a check of a large database reads no more than a few rows into Python.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import ColumnElement, Select, Table, and_, func, or_, select
from sqlalchemy.orm import Session

from tresxuno.db.models import LedgerAllocation, LedgerEntry, Project, StageChange
from tresxuno.domain.ledger import PAYMENT, REFUND, REVERSAL
from tresxuno.domain.problems import Problem
from tresxuno.domain.stages import Stage
from tresxuno.services.ledger import _reversal_roots

_ENTRIES = cast(Table, LedgerEntry.__table__)
_LINES = cast(Table, LedgerAllocation.__table__)
_PROJECTS = cast(Table, Project.__table__)
_CHANGES = cast(Table, StageChange.__table__)
_CLOSED = Stage.CERRADO.value


def money_problem(session: Session) -> Problem | None:
    """The first broken money invariant (by folio), or None; what ``check`` reports."""
    found = money_problems(session, limit=1)
    return found[0] if found else None


def money_problems(session: Session, *, limit: int | None = None) -> list[Problem]:
    """Every broken money invariant (at most ``limit`` per invariant), each naming folio, party, amounts.

    Codes: ``check.party_negative`` (``folio``, ``party``, ``amount``),
    ``check.closed_holds_money`` (``folio``, ``party``, ``amount``), ``check.paid_exceeds_cost``
    (``folio``, ``paid``, ``cost``), ``check.entry_after_close`` (``folio``, ``id``, ``kind``,
    ``amount``).
    """
    found: list[Problem] = []
    for query in (_negative_funds, _closed_with_money, _paid_beyond_cost, _entries_after_close):
        found += query(session, limit)
    return found


def _funds(having: ColumnElement[bool], where: ColumnElement[bool] | None, limit: int | None) -> Select:
    """Each project x party fund (folio, party, sum of its lines) that matches ``having``."""
    query = (
        select(_PROJECTS.c.folio, _LINES.c.party, func.sum(_LINES.c.amount).label("total"))
        .select_from(_LINES)
        .join(_ENTRIES, _ENTRIES.c.id == _LINES.c.entry_id)
        .join(_PROJECTS, _PROJECTS.c.id == _ENTRIES.c.project_id)
        .group_by(_PROJECTS.c.folio, _LINES.c.party)
        .having(having)
        .order_by(_PROJECTS.c.folio, _LINES.c.party)
        .limit(limit)
    )
    return query.where(where) if where is not None else query


def _negative_funds(session: Session, limit: int | None) -> list[Problem]:
    query = _funds(func.sum(_LINES.c.amount) < 0, None, limit)
    return [
        Problem("audit", "check.party_negative", {"folio": folio, "party": party, "amount": int(total)})
        for folio, party, total in session.execute(query)
    ]


def _closed_with_money(session: Session, limit: int | None) -> list[Problem]:
    query = _funds(func.sum(_LINES.c.amount) != 0, _PROJECTS.c.stage == _CLOSED, limit)
    return [
        Problem("audit", "check.closed_holds_money", {"folio": folio, "party": party, "amount": int(total)})
        for folio, party, total in session.execute(query)
    ]


def _paid_beyond_cost(session: Session, limit: int | None) -> list[Problem]:
    roots = _reversal_roots()
    # A payment counts as itself; a reversal counts against the kind at the root of its chain.
    paid = -func.sum(_ENTRIES.c.amount)
    query = (
        select(_PROJECTS.c.folio, paid.label("paid"), _PROJECTS.c.cost)
        .select_from(_ENTRIES)
        .join(_PROJECTS, _PROJECTS.c.id == _ENTRIES.c.project_id)
        .outerjoin(roots, roots.c.id == _ENTRIES.c.id)
        .where(or_(_ENTRIES.c.kind == PAYMENT, roots.c.root_kind == PAYMENT))
        .group_by(_PROJECTS.c.id, _PROJECTS.c.folio, _PROJECTS.c.cost)
        .having(-func.sum(_ENTRIES.c.amount) > _PROJECTS.c.cost)
        .order_by(_PROJECTS.c.folio)
        .limit(limit)
    )
    return [
        Problem("audit", "check.paid_exceeds_cost", {"folio": folio, "paid": int(total), "cost": int(cost)})
        for folio, total, cost in session.execute(query)
    ]


def _entries_after_close(session: Session, limit: int | None) -> list[Problem]:
    closed_at = (
        select(_CHANGES.c.project_id, func.max(_CHANGES.c.changed_at).label("closed_at"))
        .where(_CHANGES.c.to_stage == _CLOSED)
        .group_by(_CHANGES.c.project_id)
        .subquery("closed")
    )
    authorised = and_(_ENTRIES.c.kind.in_((REFUND, REVERSAL)), _ENTRIES.c.authorised_by != "")
    query = (
        select(_PROJECTS.c.folio, _ENTRIES.c.id, _ENTRIES.c.kind, _ENTRIES.c.amount)
        .select_from(_ENTRIES)
        .join(_PROJECTS, _PROJECTS.c.id == _ENTRIES.c.project_id)
        .join(closed_at, closed_at.c.project_id == _ENTRIES.c.project_id)
        .where(
            _PROJECTS.c.stage == _CLOSED,
            _ENTRIES.c.created_at > closed_at.c.closed_at,
            ~authorised,
        )
        .order_by(_PROJECTS.c.folio, _ENTRIES.c.id)
        .limit(limit)
    )
    return [
        Problem(
            "audit",
            "check.entry_after_close",
            {"folio": folio, "id": entry_id, "kind": kind, "amount": int(amount)},
        )
        for folio, entry_id, kind, amount in session.execute(query)
    ]
