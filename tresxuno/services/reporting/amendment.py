"""The convenio modificatorio in force, as the project reports print it."""

from __future__ import annotations

from tresxuno.db.engine import Database
from tresxuno.reports.data import AmendmentNote
from tresxuno.services.amendments import amendments


def amendment_note(db: Database, project_id: int) -> AmendmentNote | None:
    """The last amendment of the project (its amounts are the project's current ones), or None."""
    versions = amendments(db, project_id)
    if len(versions) < 2:
        return None
    previous, latest = versions[-2], versions[-1]
    assert latest.signed_on is not None  # every amendment records its signing date
    return AmendmentNote(
        number=latest.number,
        signed_on=latest.signed_on,
        previous_cost=previous.cost,
        cost=latest.cost,
        reason=latest.reason,
        authorised_by=latest.authorised_by,
        document_reference=latest.document_reference,
    )
