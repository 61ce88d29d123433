"""Builder of the cédula de validación técnica: the latest scoring of a project's technical file.

The criteria print as the scoring used them (its criteria set), the sum against the points needed
to pass, the result, and who validated; the federal delegation in office on the validation day signs
with the validator.
"""

from __future__ import annotations

from datetime import datetime

from tresxuno.db.engine import Database
from tresxuno.domain.problems import InputError, Problem
from tresxuno.i18n import language
from tresxuno.reports.data import ValidationRow, ValidationSheet
from tresxuno.services.clubs import get_club
from tresxuno.services.projects import project_overview
from tresxuno.services.reporting.common import club_data, letterhead, project_head, stamp
from tresxuno.services.reporting.dated import club_as_of, officials_as_of, posts_for
from tresxuno.services.technical_validation import validations_of

#: Who signs the cédula besides the validator: the municipality presents it, the federal delegation rules.
VALIDATION_POSTS: tuple[str, ...] = ("titular_migrantes", "delegado_federal")


def build_validation_sheet(
    db: Database, project_id: int, *, printed_by: str, printed_at: datetime | None = None
) -> ValidationSheet:
    """Gather the cédula de validación técnica of one project (its latest scoring).

    Raises:
        InputError: ``project.unknown``; ``report.no_validation`` when it was never scored.
    """
    overview = project_overview(db, project_id)
    detail = overview.detail
    scorings = validations_of(db, project_id)
    if not scorings:
        raise InputError(Problem("project", "report.no_validation", {"folio": detail.folio}))
    latest = scorings[-1]
    lang = language()
    by_id = {s.criterion: s for s in latest.scores}
    rows = tuple(
        ValidationRow(
            label=c.label(lang),
            max_points=c.points,
            points=by_id[c.id].points if c.id in by_id else 0,
            required=c.required,
            note=by_id[c.id].note if c.id in by_id else "",
        )
        for c in latest.criteria.criteria
    )
    day = latest.validated_on
    club = club_as_of(db, club_data(get_club(db, detail.club_id)), day)
    return ValidationSheet(
        letterhead=letterhead(db, overview),
        stamp=stamp(db, printed_by, printed_at),
        project=project_head(overview),
        club=club,
        validated_on=day,
        validator_name=latest.validator_name,
        validator_post=latest.validator_post,
        source=latest.criteria.source(lang),
        rows=rows,
        points=latest.verdict.points,
        total=latest.verdict.total,
        passing=latest.verdict.passing,
        valid=latest.verdict.valid,
        observations=latest.observations,
        scorings=len(scorings),
        officials=officials_as_of(
            db, day, posts_for(db, detail.municipality_key, VALIDATION_POSTS), detail.municipality_key
        ),
    )
