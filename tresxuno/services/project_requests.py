"""A project request from its first save to its submission: shares planned, drafts, edits, submission.

A draft (stage ``borrador``) may be saved before the club's toma de nota is renewed or before the shares
can be computed, but never with a field that is wrong in itself. Drafts and returned projects
(``devuelto``) can be edited, guarded by the row's version so two officers never overwrite each other;
submitting a draft runs every check :func:`submit_project` runs on a new request.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tresxuno.db.engine import Database
from tresxuno.db.models import (
    CapAuthorisationRecord,
    Club,
    Municipality,
    Project,
    ProjectShare,
    RuleSetRecord,
    StageChange,
)
from tresxuno.db.repos import ProjectRepository, RuleSetRepository
from tresxuno.domain import limits
from tresxuno.domain.actor import current_actor
from tresxuno.domain.allocation import (
    Allocation,
    CapAuthorisation,
    MixOverride,
    PartnerChoice,
    compute_shares,
    split_joint,
)
from tresxuno.domain.parties import Party
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.records import ProjectDetail
from tresxuno.domain.rules import RuleBook, RuleSet
from tresxuno.domain.stages import TRANSITIONS, Stage
from tresxuno.domain.validation import (
    FIRST_FISCAL_YEAR,
    ProjectInput,
    TomaStatus,
    check_project,
    clean_text,
    toma_status,
)
from tresxuno.services.auth import require
from tresxuno.services.projects import EDITABLE, project_detail
from tresxuno.services.rules import folio_code, rulebook

#: Problems a draft may be saved with: the shares cannot be computed yet (the cost against the caps),
#: so the draft is stored without shares and they are computed when it is saved again or submitted.
DEFERRED_FOR_DRAFT = frozenset({"shares.shortfall_uncovered", "shares.nobody_for_rest"})


# --- a new request, planned and submitted at once -------------------------------------------------


def store_rule_set(session: Session, rule_set: RuleSet) -> RuleSetRecord:
    """The frozen copy of ``rule_set`` in the database, stored on first use.

    Raises:
        RuleSetError: the stored copy of this id and version differs (someone edited a rule set
            in place); a project must keep the rules it was computed under.
    """
    return RuleSetRepository.freeze(
        session,
        rule_id=rule_set.id,
        version=rule_set.version,
        program=rule_set.program,
        body=rule_set.to_data(),
        source=rule_set.source_text("es"),
        verified=rule_set.verified,
    )


@dataclass(frozen=True)
class SubmissionPlan:
    """What a valid submission will store: the rule set and the allocation."""

    rule_set: RuleSet
    allocation: Allocation
    partner_mode: str


def plan_submission(data: ProjectInput, *, book: RuleBook | None = None) -> SubmissionPlan:
    """Check a request's own fields and compute its shares (no database needed: the live preview).

    Raises:
        InputError: every problem found with the fields, the rule set lookup and the allocation.
    """
    problems = check_project(data)
    book = book or rulebook()
    rule_set = allocation = None
    try:
        rule_set = book.find(data.program, data.fiscal_year, data.category)
    except InputError as exc:
        problems.extend(p for p in exc.problems if p not in problems)
    partner = PartnerChoice(
        data.partner_mode or ("rule" if rule_set and rule_set.has_partner else "none"), data.partner_amount
    )
    override = MixOverride(data.mix_override, data.mix_override_reason) if data.mix_override else None
    joint_split = None
    if rule_set is not None and override is None:
        try:
            joint_split = split_joint(rule_set, data.joint_split_bp)
        except InputError as exc:
            problems.extend(exc.problems)
    if rule_set is not None and data.cost > 0:
        try:
            allocation = compute_shares(
                rule_set,
                data.fiscal_year,
                data.cost,
                partner=partner,
                override=override,
                joint_split=joint_split,
                authorisations=data.cap_authorisations,
            )
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    assert rule_set is not None and allocation is not None
    return SubmissionPlan(rule_set, allocation, partner.mode)


def request_date_problems(submitted_on: date, fiscal_year: int, today: date) -> list[Problem]:
    """A request is dated today or earlier, and not before the programme existed.

    Refuses a typing slip such as 04/08/5000. Old requests (an office capturing its archive) are
    welcome: the programme began with fiscal year 2002, so a request dated before 2001 is a slip too.
    """
    if submitted_on > today:
        return [Problem("submitted_on", "date.future", {"date": submitted_on.isoformat()})]
    first = FIRST_FISCAL_YEAR - 1
    if submitted_on.year < first:
        return [
            Problem(
                "submitted_on",
                "request.date_before_programme",
                {"date": submitted_on.isoformat(), "year": fiscal_year, "first": first},
            )
        ]
    return []


def submit_project(
    db: Database, data: ProjectInput, *, user: str = "", today: date | None = None
) -> ProjectDetail:
    """Take in a project request: validate, compute the shares, store it as "solicitado".

    Refused, with every problem found, when the club's toma de nota is not valid on the date of
    the request, the municipality is unknown or not in the state, the cost is not positive, the
    mix is invalid, or no rule set covers the programme, year and category.

    Raises:
        InputError: the problems; nothing is written.
    """
    require(db, "projects.edit")
    problems: list[Problem] = request_date_problems(
        data.submitted_on, data.fiscal_year, today or date.today()
    )
    try:
        plan = plan_submission(data, book=rulebook(db))
    except InputError as exc:
        problems.extend(exc.problems)
        plan = None
    with db.transaction(immediate=True) as session:
        club = session.get(Club, data.club_id)
        if club is None:
            problems.append(Problem("club", "club.unknown", {"id": data.club_id}))
        else:
            problems.extend(_toma_problems(club, data.submitted_on))
        if (
            not any(p.field == "municipality_key" for p in problems)
            and session.get(Municipality, data.municipality_key) is None
        ):
            problems.append(
                Problem("municipality_key", "municipality.unknown", {"key": data.municipality_key})
            )
        if problems:
            raise InputError(problems)
        assert plan is not None
        rule_row = store_rule_set(session, plan.rule_set)
        project = Project(
            folio=ProjectRepository.next_folio(
                session, data.fiscal_year, data.municipality_key, program=folio_code(data.program)
            ),
            fiscal_year=data.fiscal_year,
            program=data.program,
            category=data.category,
            club_id=data.club_id,
            state_key=data.state_key,
            municipality_key=data.municipality_key,
            locality=clean_text(data.locality, "locality", [], required=False),
            locality_key=data.locality_key.strip(),
            name=clean_text(data.name, "name", []),
            description=clean_text(
                data.description, "description", [], required=False, max_len=limits.LONG_TEXT, multiline=True
            ),
            beneficiaries=data.beneficiaries,
            cost=data.cost,
            rule_set_pk=rule_row.id,
            partner_mode=plan.partner_mode,
            partner_amount=data.partner_amount if plan.partner_mode == "fixed" else None,
            mix_override_reason=data.mix_override_reason.strip() if data.mix_override else "",
            stage=Stage.SOLICITADO.value,
            created_by=user,
            joint_split_bp=data.joint_split_bp if not data.mix_override and plan.rule_set.joint else None,
        )
        project.shares = [
            ProjectShare(party=s.party.value, percent_bp=s.percent_bp, amount=s.amount, capped=s.capped)
            for s in plan.allocation.shares
        ]
        _store_authorisations(session, project, data, _DraftPlan(plan.rule_set, plan.partner_mode, plan))
        session.add(project)
        session.flush()
        session.add(
            StageChange(
                project_id=project.id,
                from_stage=None,
                to_stage=Stage.SOLICITADO.value,
                changed_by=user,
                comment="",
                changed_at=_as_datetime(data.submitted_on),
            )
        )
        session.flush()
        return project_detail(project)


def _as_datetime(day: date) -> datetime:
    """Noon of ``day``: a request's date, stored in a timestamp column without a false precision."""
    return datetime(day.year, day.month, day.day, 12, 0)


# --- whether a club may submit --------------------------------------------------------------------


def _toma_problems(club: Club, on: date) -> list[Problem]:
    """The refusal :func:`submit_project` gives a club on ``on``, if any."""
    status = toma_status(club.toma_issued_on, club.toma_expires_on, on)
    if status is TomaStatus.LAPSED:
        return [
            Problem(
                "club",
                "club.toma_lapsed",
                {"club": club.name, "folio": club.toma_folio, "expired_on": club.toma_expires_on.isoformat()},
            )
        ]
    if status is TomaStatus.NOT_YET_VALID:
        return [
            Problem(
                "club",
                "club.toma_not_yet_valid",
                {"club": club.name, "folio": club.toma_folio, "issued_on": club.toma_issued_on.isoformat()},
            )
        ]
    return []


def club_submission_problems(db: Database, club_id: int, on: date) -> list[Problem]:
    """Why the club cannot submit a request dated ``on`` (unknown club, toma de nota not valid); [] if it can.

    The same problems, with the same parameters, that :func:`submit_project` and :func:`submit_draft`
    raise, so a form can refuse early with the very sentence the service would give.
    """
    with db.transaction() as session:
        club = session.get(Club, club_id)
        if club is None:
            return [Problem("club", "club.unknown", {"id": club_id})]
        return _toma_problems(club, on)


# --- drafts, edits and submission -----------------------------------------------------------------


def _reference_problems(session: Session, data: ProjectInput, problems: list[Problem]) -> Club | None:
    """Add problems for an unknown club or municipality (the checks needing the database)."""
    club = session.get(Club, data.club_id)
    if club is None:
        problems.append(Problem("club", "club.unknown", {"id": data.club_id}))
    if (
        not any(p.field == "municipality_key" for p in problems)
        and session.get(Municipality, data.municipality_key) is None
    ):
        problems.append(Problem("municipality_key", "municipality.unknown", {"key": data.municipality_key}))
    return club


@dataclass(frozen=True)
class _DraftPlan:
    """What a draft stores: the rule set, the partner mode, and the plan when the shares are computable."""

    rule_set: RuleSet
    partner_mode: str
    plan: SubmissionPlan | None


def _plan_draft(data: ProjectInput, book: RuleBook) -> tuple[_DraftPlan | None, list[Problem]]:
    """The draft's plan, or the problems that keep it from being saved (deferred ones left out)."""
    try:
        plan = plan_submission(data, book=book)
    except InputError as exc:
        blocking = [p for p in exc.problems if p.code not in DEFERRED_FOR_DRAFT]
        if blocking:
            return None, blocking
        # Only the split failed: the rule set itself was found (its problems would be blocking).
        rule_set = book.find(data.program, data.fiscal_year, data.category)
        mode = data.partner_mode or ("rule" if rule_set.has_partner else "none")
        return _DraftPlan(rule_set, mode, None), []
    return _DraftPlan(plan.rule_set, plan.partner_mode, plan), []


def _apply(session: Session, row: Project, data: ProjectInput, draft: _DraftPlan) -> None:
    """Write the request's fields, its frozen rule set and (when computable) its shares into ``row``."""
    # Re-frozen on every save: the request is computed under the rules in force when it is saved.
    # Stored first: its query flushes, and the row must not be half-changed then.
    rule_row = store_rule_set(session, draft.rule_set)
    row.fiscal_year = data.fiscal_year
    row.program = data.program
    row.category = data.category
    row.club_id = data.club_id
    row.state_key = data.state_key
    row.municipality_key = data.municipality_key
    row.locality = clean_text(data.locality, "locality", [], required=False)
    row.locality_key = data.locality_key.strip()
    row.name = clean_text(data.name, "name", [])
    row.description = clean_text(
        data.description, "description", [], required=False, max_len=limits.LONG_TEXT, multiline=True
    )
    row.beneficiaries = data.beneficiaries
    row.cost = data.cost
    row.rule_set_pk = rule_row.id
    row.partner_mode = draft.partner_mode
    row.partner_amount = data.partner_amount if draft.partner_mode == "fixed" else None
    row.mix_override_reason = data.mix_override_reason.strip() if data.mix_override else ""
    row.joint_split_bp = data.joint_split_bp if not data.mix_override and draft.rule_set.joint else None
    _store_authorisations(session, row, data, draft)
    if row.shares:
        # Old shares go first: a new share of the same party has the same primary key.
        row.shares.clear()
        session.flush()
    if draft.plan is not None:
        row.shares.extend(
            ProjectShare(party=s.party.value, percent_bp=s.percent_bp, amount=s.amount, capped=s.capped)
            for s in draft.plan.allocation.shares
        )


def _store_authorisations(session: Session, row: Project, data: ProjectInput, draft: _DraftPlan) -> None:
    """Replace the project's cap authorisations by the request's (kept only with computed shares)."""
    if row.cap_authorisations:
        row.cap_authorisations.clear()
        session.flush()
    if draft.plan is None:
        return
    caps = draft.rule_set.caps_for(data.fiscal_year)
    amounts = draft.plan.allocation.amounts
    row.cap_authorisations.extend(
        CapAuthorisationRecord(
            party=a.party.value,
            cap=caps[a.party],
            amount=amounts[a.party],
            authorised_by=a.authorised_by.strip(),
            reason=a.reason.strip(),
            document=a.document.strip(),
            recorded_by=current_actor().username,  # who recorded it; the audit trail says when
        )
        for a in data.cap_authorisations
    )


def _refolio(session: Session, row: Project, data: ProjectInput) -> None:
    """Give a draft a new folio when its programme, year or municipality changed (folios name them).

    A returned project keeps the folio it was known by at the COVAM.
    """
    prefix = f"{folio_code(data.program)}-{data.fiscal_year}-{data.municipality_key}-"
    if row.stage == Stage.BORRADOR.value and not row.folio.startswith(prefix):
        row.folio = ProjectRepository.next_folio(
            session, data.fiscal_year, data.municipality_key, program=folio_code(data.program)
        )


def save_draft(db: Database, data: ProjectInput, *, user: str = "") -> ProjectDetail:
    """Store a new request as a draft (stage ``borrador``), with its shares when they can be computed.

    The club's toma de nota is not checked (it may be renewed before the request is submitted), and
    a cost the caps leave uncovered is stored without shares; every other problem refuses the draft.
    ``data.submitted_on`` is not stored: the request's date is given when it is submitted.

    Raises:
        InputError: the problems (wrong fields, unknown club, municipality or rule set, a mix or
            partner amount that is wrong in itself); nothing is written.
    """
    require(db, "projects.edit")
    draft, problems = _plan_draft(data, rulebook(db))
    with db.transaction(immediate=True) as session:
        _reference_problems(session, data, problems)
        if problems:
            raise InputError(problems)
        assert draft is not None
        row = Project(
            folio=ProjectRepository.next_folio(
                session, data.fiscal_year, data.municipality_key, program=folio_code(data.program)
            ),
            stage=Stage.BORRADOR.value,
            created_by=user,
        )
        _apply(session, row, data, draft)
        session.add(row)
        session.flush()
        session.add(
            StageChange(project_id=row.id, from_stage=None, to_stage=Stage.BORRADOR.value, changed_by=user)
        )
        session.flush()
        return project_detail(row)


def _load_for_edit(session: Session, project_id: int, expected_version: int | None) -> Project:
    row = ProjectRepository.get(session, project_id)
    if row is None:
        raise InputError(Problem("project", "project.unknown", {"id": project_id}))
    if expected_version is not None and row.version != expected_version:
        raise InputError(_changed_elsewhere(row.folio))
    return row


def _changed_elsewhere(folio: str) -> Problem:
    return Problem("project", "project.changed_elsewhere", {"folio": folio})


def _require_editable(row: Project) -> None:
    if Stage(row.stage) not in EDITABLE:
        raise InputError(
            Problem(
                "project",
                "project.not_editable",
                {"folio": row.folio, "stage": row.stage, "allowed": ", ".join(s.value for s in EDITABLE)},
            )
        )


def _refuse_cost_after_convenio(row: Project, cost: int) -> None:
    """Once the convenio is signed the cost changes only through a convenio modificatorio (amendments)."""
    from tresxuno.domain.amendments import AMENDABLE

    if Stage(row.stage) in AMENDABLE and cost != row.cost:
        raise InputError(
            Problem("cost", "project.cost_needs_amendment", {"folio": row.folio, "stage": row.stage})
        )


@contextmanager
def _version_guard(folio: str) -> Iterator[None]:
    """Turn a concurrent edit caught by the row version (at any flush) into the officer's problem."""
    try:
        yield
    except StaleDataError:
        raise InputError(_changed_elsewhere(folio)) from None


def update_project(
    db: Database, project_id: int, data: ProjectInput, *, expected_version: int, user: str = ""
) -> ProjectDetail:
    """Change a draft or returned request: its fields, shares (recomputed) and rule set (frozen again).

    A draft whose programme, fiscal year or municipality changes gets a new folio (folios name
    them); a returned project keeps the folio it was known by. The stage does not change.

    Args:
        db: the database.
        project_id: the project to change.
        data: the request as it should now read (``submitted_on`` is not stored).
        expected_version: the version the officer's form was loaded from
            (:attr:`ProjectOverview.version`).
        user: who changes it (kept for the stage history of later moves; the row has no editor column).

    Raises:
        InputError: unknown project; ``project.not_editable`` (not a draft or returned);
            ``project.changed_elsewhere`` (someone saved it since the form was loaded); or the
            problems :func:`save_draft` refuses. Nothing is written.
    """
    require(db, "projects.edit")
    del user  # no column records the editor; the argument keeps every use case's signature alike
    draft, problems = _plan_draft(data, rulebook(db))
    with db.transaction(immediate=True) as session:
        row = _load_for_edit(session, project_id, expected_version)
        _refuse_cost_after_convenio(row, data.cost)
        _require_editable(row)
        _reference_problems(session, data, problems)
        if problems:
            raise InputError(problems)
        assert draft is not None
        with _version_guard(row.folio):
            _refolio(session, row, data)
            _apply(session, row, data, draft)
            session.flush()
        session.expire(row)  # reload the rule set and shares just written
        return project_detail(row)


def stored_request(db: Database, project_id: int) -> tuple[ProjectInput, int]:
    """The stored request as the form would save it (special mix included) and the row's version.

    Undo of an edit saves this back through :func:`update_project`, with its checks.

    Raises:
        InputError: ``project.unknown``.
    """
    with db.transaction() as session:
        row = _load_for_edit(session, project_id, None)
        data = _stored_input(row, date.today())  # the submission date is not stored on a draft
        if row.mix_override_reason:
            data = replace(
                data,
                mix_override={Party(s.party): s.percent_bp for s in row.shares},
                mix_override_reason=row.mix_override_reason,
            )
        return data, row.version


def _stored_input(row: Project, on: date) -> ProjectInput:
    """The stored request as a :class:`ProjectInput` dated ``on`` (without any mix override)."""
    return ProjectInput(
        club_id=row.club_id,
        program=row.program,
        fiscal_year=row.fiscal_year,
        category=row.category,
        state_key=row.state_key,
        municipality_key=row.municipality_key,
        name=row.name,
        cost=row.cost,
        submitted_on=on,
        locality=row.locality,
        locality_key=row.locality_key,
        description=row.description,
        beneficiaries=row.beneficiaries,
        partner_mode=row.partner_mode,
        partner_amount=row.partner_amount,
        joint_split_bp=row.joint_split_bp,
        cap_authorisations=tuple(
            CapAuthorisation(Party(a.party), a.authorised_by, a.reason, a.document)
            for a in row.cap_authorisations
        ),
    )


def _kept_override_problems(row: Project) -> list[Problem]:
    """A stored special mix is submitted as stored: its shares must exist and add up to the cost."""
    if row.shares and sum(s.amount for s in row.shares) == row.cost:
        return []
    return [Problem("mix", "shares.missing", {"folio": row.folio})]


def submit_draft(
    db: Database,
    project_id: int,
    *,
    on: date,
    user: str = "",
    comment: str = "",
    data: ProjectInput | None = None,
    expected_version: int | None = None,
) -> ProjectDetail:
    """Submit a draft or returned request: every check of ``submit_project``, then stage ``solicitado``.

    Without ``data`` the stored request is checked again and its shares recomputed under the rules
    in force (a special mix, whose percentages are not stored apart from its shares, keeps the
    shares stored with it). With ``data`` the request is first changed as :func:`update_project`
    does, in the same transaction, so a refused submission changes nothing.

    Args:
        db: the database.
        project_id: the draft or returned project.
        on: the request's date: the club's toma de nota must be valid on it; it is the date of
            the stage change.
        user: who submits it.
        comment: why, for the stage history (e.g. what was corrected after a return).
        data: the request as changed in the form, or None to submit it as stored.
        expected_version: with ``data``, the version the form was loaded from.

    Raises:
        InputError: unknown project; a stage other than draft or returned (``stage.not_allowed``);
            ``project.changed_elsewhere``; the club's toma de nota not valid on ``on``; or any
            problem with the fields, rule set, mix or shares. Nothing is written.
    """
    require(db, "projects.edit")
    comment_problems: list[Problem] = []
    comment = clean_text(
        comment, "comment", comment_problems, required=False, max_len=limits.LONG_TEXT, multiline=True
    )
    if comment_problems:
        raise InputError(comment_problems)
    book = rulebook(db)
    with db.transaction(immediate=True) as session:
        row = _load_for_edit(session, project_id, expected_version if data is not None else None)
        current = Stage(row.stage)
        if current not in EDITABLE:
            allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "—"
            raise InputError(
                Problem(
                    "stage",
                    "stage.not_allowed",
                    {"from": current.value, "to": Stage.SOLICITADO.value, "allowed": allowed},
                )
            )
        keep_override = data is None and bool(row.mix_override_reason)
        request = data if data is not None else _stored_input(row, on)
        problems: list[Problem] = []
        plan: SubmissionPlan | None = None
        try:
            plan = plan_submission(request, book=book)
        except InputError as exc:
            problems.extend(exc.problems)
        club = _reference_problems(session, request, problems)
        if club is not None:
            problems.extend(_toma_problems(club, on))
        if keep_override:
            problems.extend(_kept_override_problems(row))
        if problems:
            raise InputError(_unique(problems))
        assert plan is not None
        with _version_guard(row.folio):
            if data is not None:
                _refolio(session, row, data)
            if not keep_override:
                _apply(session, row, request, _DraftPlan(plan.rule_set, plan.partner_mode, plan))
            session.add(
                StageChange(
                    project_id=row.id,
                    from_stage=current.value,
                    to_stage=Stage.SOLICITADO.value,
                    changed_by=user,
                    comment=comment.strip(),
                    changed_at=_as_datetime(on),
                )
            )
            row.stage = Stage.SOLICITADO.value
            session.flush()
        session.expire(row)
        return project_detail(row)


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    seen: list[Problem] = []
    for p in problems:
        if p not in seen:
            seen.append(p)
    return seen
