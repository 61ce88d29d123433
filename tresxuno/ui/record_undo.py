"""Undo steps for the records an officer edits: clubs, federations and project requests.

Physical progress reports have none: the works service keeps no way to withdraw a report (each one
is part of the project's history), so there is nothing reversible to offer.

A dialog that saved an edit calls one of these with the record as it was and as it is now; the
step goes on the app's undo history (:mod:`tresxuno.ui.undo`) as "Editar club X". Undo saves the
old values back through the same service the dialog used, with its checks; redo saves the new ones.
Each step first checks that the record still reads as the step left it: if another window or
computer changed it since, the step is refused with the service's "changed elsewhere" message
rather than overwriting that change.

The ledger has no undo steps: it is append-only, and a mistaken entry is corrected by a reversal.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date

from PySide6.QtWidgets import QWidget

from tresxuno.domain.actor import current_actor
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.records import ClubInfo, FederationInfo
from tresxuno.domain.validation import ClubInput, FederationInput, ProjectInput
from tresxuno.i18n import _
from tresxuno.services.clubs import (
    club_for_edit,
    list_federations_with_counts,
    update_club,
    update_federation,
)
from tresxuno.services.project_requests import stored_request, update_project
from tresxuno.services.store import Database
from tresxuno.ui.undo import UndoCommand, push


def club_input(club: ClubInfo) -> ClubInput:
    """The form values that would store ``club`` as it is."""
    names = {f.name for f in fields(ClubInput)}
    return ClubInput(**{name: getattr(club, name) for name in names})


def federation_input(federation: FederationInfo) -> FederationInput:
    """The form values that would store ``federation`` as it is."""
    return FederationInput(
        name=federation.name,
        mx_state_key=federation.mx_state_key,
        us_region=federation.us_region,
        contact=federation.contact,
    )


def _same_club(a: ClubInfo, b: ClubInfo) -> bool:
    return club_input(a) == club_input(b)


def club_edited(db: Database, before: ClubInfo, after: ClubInfo, parent: QWidget | None = None) -> None:
    """Record the edit of a club (already saved) as an undoable step; nothing when nothing changed."""
    if _same_club(before, after):
        return

    def put(expected: ClubInfo, wanted: ClubInfo) -> None:
        current = club_for_edit(db, after.id)
        if not _same_club(current.club, expected):
            raise InputError(Problem("club", "club.changed_elsewhere", {"club": current.club.name}))
        update_club(db, after.id, club_input(wanted), expected_version=current.version)

    push(
        UndoCommand(
            _("edit club {name}").format(name=after.name),
            lambda: put(before, after),
            lambda: put(after, before),
            done=True,
            parent=parent,
        )
    )


def federation_edited(
    db: Database, before: FederationInfo, after: FederationInfo, parent: QWidget | None = None
) -> None:
    """Record the edit of a federation (already saved) as an undoable step."""
    if federation_input(before) == federation_input(after):
        return

    def put(expected: FederationInfo, wanted: FederationInfo) -> None:
        current = next((f for f in list_federations_with_counts(db) if f.id == after.id), None)
        if current is None:
            raise InputError(Problem("federation", "federation.unknown", {"id": after.id}))
        if federation_input(
            FederationInfo(current.id, current.name, current.mx_state_key, current.us_region, current.contact)
        ) != federation_input(expected):
            raise InputError(Problem("federation", "federation.changed_elsewhere", {"name": current.name}))
        update_federation(db, after.id, federation_input(wanted))

    push(
        UndoCommand(
            _("edit federation {name}").format(name=after.name),
            lambda: put(before, after),
            lambda: put(after, before),
            done=True,
            parent=parent,
        )
    )


def _comparable(data: ProjectInput) -> ProjectInput:
    """The request without what is not stored (the day the form was filled, scholarship counts)."""
    return replace(data, submitted_on=date.min, students={})


def project_edited(
    db: Database,
    project_id: int,
    folio: str,
    before: ProjectInput,
    after: ProjectInput,
    parent: QWidget | None = None,
) -> None:
    """Record the edit of a draft or returned request (already saved) as an undoable step."""
    if _comparable(before) == _comparable(after):
        return

    def put(expected: ProjectInput, wanted: ProjectInput) -> None:
        current, version = stored_request(db, project_id)
        if _comparable(current) != _comparable(expected):
            raise InputError(Problem("project", "project.changed_elsewhere", {"folio": folio}))
        update_project(db, project_id, wanted, expected_version=version, user=current_actor().username)

    push(
        UndoCommand(
            _("edit project {folio}").format(folio=folio),
            lambda: put(before, after),
            lambda: put(after, before),
            done=True,
            parent=parent,
        )
    )
