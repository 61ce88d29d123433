"""Jurisdiction walls in the database ring: an officer of one office sees and changes only its rows.

Projects belong to the office whose jurisdiction holds their municipality; everything filed under a
project (its shares, stages, ledger, attachments, committee, …) goes with it. A club belongs to its
home municipality's office, and is also seen by an office where it has a project.

Three walls, so that no single forgotten filter leaks another office's data:

- every ORM query of a session gets the jurisdiction's criteria (:func:`_add_criteria`), so a
  project of another office is simply not found;
- every flush refuses a new or changed row outside the jurisdiction (:func:`_check_flush`) with
  ``office.outside_jurisdiction``;
- queries written against tables (Core), which the ORM criteria cannot reach, add
  :func:`filed_in_scope` or :func:`projects_in_scope` themselves.

On PostgreSQL, row-level security is a fourth (:mod:`tresxuno.db.row_security`). The jurisdiction is
the signed-in actor's (:func:`tresxuno.domain.actor.current_actor`); None is the whole database and
adds nothing, so a single office pays nothing for this.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import ColumnElement, String, Table, event, false, inspect, literal, or_, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker, with_loader_criteria

from tresxuno.db.models import (
    Base,
    Club,
    LedgerEntry,
    Project,
    TechnicalValidation,
)
from tresxuno.domain.actor import current_actor
from tresxuno.domain.jurisdiction import Jurisdiction
from tresxuno.domain.problems import InputError, Problem

_PROJECTS = cast(Table, Project.__table__)
_CLUBS = cast(Table, Club.__table__)
_ENTRIES = cast(Table, LedgerEntry.__table__)
_VALIDATIONS = cast(Table, TechnicalValidation.__table__)

#: Columns that file a row under a project, directly or through its parent row: column -> parent table.
PARENT_COLUMNS: dict[str, Table] = {
    "project_id": _PROJECTS,
    "club_id": _CLUBS,
    "entry_id": _ENTRIES,
    "ledger_entry_id": _ENTRIES,
    "validation_id": _VALIDATIONS,
}


#: Execution options of a query that must see the whole database whoever runs it: a uniqueness check
#: (a toma folio, a CFDI already cited) holds across every office, and says only that it is taken.
WHOLE_DATABASE: dict[str, Any] = {"tresxuno_whole_database": True}


def current_jurisdiction() -> Jurisdiction | None:
    """The signed-in officer's jurisdiction; None for the whole database."""
    return current_actor().jurisdiction


def _covers(municipality: Any, state: Any, j: Jurisdiction) -> ColumnElement[bool]:
    """The jurisdiction as a condition on a row's municipality key and state key.

    Municipalities by key (the index on the municipality key finds a municipal office's few rows);
    whole states by the state key, which no index serves on purpose: a state covers most rows, and
    a list ordered by folio then reads the folio index and stops at its page instead of sorting
    the whole state.
    """
    clauses: list[ColumnElement[bool]] = []
    if j.municipality_keys:
        clauses.append(municipality.in_(sorted(j.municipality_keys)))
    if j.state_keys:
        clauses.append(state.in_(sorted(j.state_keys)))
    return or_(*clauses) if clauses else false()


def projects_in_scope(projects: Any = _PROJECTS) -> list[ColumnElement[bool]]:
    """WHERE conditions on ``projects`` (or an alias of it) keeping the jurisdiction's; none for all."""
    j = current_jurisdiction()
    return [] if j is None else [_covers(projects.c.municipality_key, projects.c.state_key, j)]


def _visible_projects(j: Jurisdiction) -> Any:
    return select(_PROJECTS.c.id).where(_covers(_PROJECTS.c.municipality_key, _PROJECTS.c.state_key, j))


def _visible_clubs(j: Jurisdiction) -> Any:
    home = _covers(_CLUBS.c.home_municipality_key, _CLUBS.c.home_state_key, j)
    return select(_CLUBS.c.id).where(
        or_(
            home,
            _CLUBS.c.id.in_(
                select(_PROJECTS.c.club_id).where(
                    _covers(_PROJECTS.c.municipality_key, _PROJECTS.c.state_key, j)
                )
            ),
        )
    )


def _visible_rows(table: Table, j: Jurisdiction) -> Any:
    """The ids of ``table``'s rows the jurisdiction sees (a parent table of :data:`PARENT_COLUMNS`)."""
    if table is _PROJECTS:
        return _visible_projects(j)
    if table is _CLUBS:
        return _visible_clubs(j)
    return select(table.c.id).where(table.c.project_id.in_(_visible_projects(j)))


def filed_in_scope(project_id: ColumnElement[Any]) -> list[ColumnElement[bool]]:
    """WHERE conditions keeping rows whose project (``project_id``) is the jurisdiction's; none for all."""
    j = current_jurisdiction()
    return [] if j is None else [project_id.in_(_visible_projects(j))]


def trail_in_scope(log: Any) -> list[ColumnElement[bool]]:
    """WHERE conditions on ``audit_log`` keeping the records of the jurisdiction's projects and clubs.

    A record without such a subject (users, settings, rates, a bulk insert) is the whole database's
    and stays out of a scoped officer's sight: its images could hold another office's rows.
    """
    j = current_jurisdiction()
    if j is None:
        return []
    projects = select(literal("projects:") + sql_cast(_PROJECTS.c.id, String)).where(
        _PROJECTS.c.id.in_(_visible_projects(j))
    )
    clubs = select(literal("clubs:") + sql_cast(_CLUBS.c.id, String)).where(
        _CLUBS.c.id.in_(_visible_clubs(j))
    )
    return [or_(log.c.subject.in_(projects), log.c.subject.in_(clubs))]


def _scoped_classes() -> list[tuple[type[Base], str]]:
    """Every mapped class the walls apply to, with the column that files it (``""``: its own key)."""
    found: list[tuple[type[Base], str]] = []
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if cls in (Project, Club):
            found.append((cls, ""))
            continue
        columns = mapper.columns.keys()
        for column in PARENT_COLUMNS:
            if column in columns:
                found.append((cls, column))
                break
    return found


@functools.lru_cache(maxsize=16)
def _criteria(j: Jurisdiction) -> tuple[Any, ...]:
    """One loader criterion per confined class (built once per jurisdiction: they are immutable)."""
    options = []
    for cls, column in _scoped_classes():
        if cls is Project:
            criterion = _covers(Project.municipality_key, Project.state_key, j)
        elif cls is Club:
            criterion = Club.id.in_(_visible_clubs(j))
        else:
            criterion = getattr(cls, column).in_(_visible_rows(PARENT_COLUMNS[column], j))
        options.append(with_loader_criteria(cls, criterion, include_aliases=True))
    return tuple(options)


def _add_criteria(state: ORMExecuteState) -> None:
    j = current_jurisdiction()
    if j is None or state.is_column_load or state.is_relationship_load:
        return
    if state.execution_options.get("tresxuno_whole_database"):
        return
    if state.is_select or state.is_update or state.is_delete:
        options = _criteria(j)
        mappers = state.all_mappers
        if state.is_select and mappers and mappers[0].class_ is Project:
            # Rows of projects (the project list): a club reached from a visible project is visible,
            # so the clubs' own criterion (a subquery over every project) would only cost time.
            options = tuple(o for o in options if o.entity is not inspect(Club))
        state.statement = state.statement.options(*options)


def refusal(j: Jurisdiction, field: str, value: object) -> InputError:
    """``office.outside_jurisdiction``: ``field``'s ``value`` is not this office's to change."""
    return InputError(
        Problem(field, "office.outside_jurisdiction", {"office": j.office_name, "value": str(value)})
    )


def _check_flush(session: Session, _context: Any, _instances: Any) -> None:
    j = current_jurisdiction()
    if j is None:
        return
    wanted: dict[str, set[int]] = {}
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Project):
            if not j.covers(obj.municipality_key):
                raise refusal(j, "municipality", obj.municipality_key)
        elif isinstance(obj, Club) and not j.covers(obj.home_municipality_key):
            raise refusal(j, "municipality", obj.home_municipality_key)
        for column in PARENT_COLUMNS:
            value = getattr(obj, column, None)
            if isinstance(value, int):
                wanted.setdefault(column, set()).add(value)
    if not wanted:
        return
    new_ids = {(type(o).__table__.name, getattr(o, "id", None)) for o in session.new}
    with session.no_autoflush:
        for column, ids in wanted.items():
            parent = PARENT_COLUMNS[column]
            ids = {i for i in ids if (parent.name, i) not in new_ids}
            if not ids:
                continue
            seen = set(
                session.execute(
                    select(parent.c.id).where(
                        parent.c.id.in_(sorted(ids)), parent.c.id.in_(_visible_rows(parent, j))
                    )
                ).scalars()
            )
            missing = sorted(ids - seen)
            if missing:
                raise refusal(j, column.removesuffix("_id"), missing[0])


def install(*factories: sessionmaker[Session]) -> None:
    """Put the walls on every session of ``factories``."""
    for factory in factories:
        event.listen(factory, "do_orm_execute", _add_criteria)
        event.listen(factory, "before_flush", _check_flush)


def scoped_tables() -> Iterable[str]:
    """Names of the tables the walls confine (for ``check`` and the tests)."""
    return sorted(cast(Table, cls.__table__).name for cls, _column in _scoped_classes())
