"""Convenio modificatorio: changing a signed project's cost, with its shares recomputed by its own rules.

Once the convenio de concertación is signed, the cost and each party's share are what the parties
signed; changing them needs a signed amendment (who authorised it, why, when, its document). The
shares are recomputed with :func:`tresxuno.domain.allocation.compute_shares`, the function that
computes every request's shares, under the project's FROZEN rule set, keeping the agreed
state/municipal split, the partner mode and any special mix, so an amendment never silently
changes the rules a project was approved under. Pure: no Qt, no SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from tresxuno.domain import limits
from tresxuno.domain.allocation import (
    Allocation,
    CapAuthorisation,
    MixOverride,
    PartnerChoice,
    compute_shares,
    split_joint,
)
from tresxuno.domain.money import _TOO_LARGE as TOO_LARGE
from tresxuno.domain.money import MAX_CENTAVOS
from tresxuno.domain.parties import Party
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.records import ShareLine
from tresxuno.domain.rules import RuleSet
from tresxuno.domain.stages import Stage
from tresxuno.domain.validation import MIN_PROJECT_COST, clean_text

#: Stages in which the convenio is signed and the cost changes only by an amendment.
AMENDABLE: tuple[Stage, ...] = (Stage.CONVENIO_FIRMADO, Stage.EN_EJECUCION, Stage.TERMINADO)

#: Longest "authorised by" accepted: a name and a post ("Lic. ..., Secretaria de ... del Estado").
AUTHORISED_BY_MAX = limits.NAME


@dataclass(frozen=True)
class AmendmentInput:
    """What the officer enters for a convenio modificatorio (cost in centavos MXN)."""

    cost: int
    signed_on: date
    reason: str
    authorised_by: str
    document_reference: str = ""


@dataclass(frozen=True)
class ProjectTerms:
    """What a project's shares were computed from, besides its cost and rule set (as stored)."""

    fiscal_year: int
    partner_mode: str = "none"
    partner_amount: int | None = None
    joint_split_bp: int | None = None
    #: A special mix (override) as stored: each party's basis points and the reason; None: the rules' mix.
    override_bp: Mapping[Party, int] | None = None
    override_reason: str = ""
    authorisations: tuple[CapAuthorisation, ...] = ()


@dataclass(frozen=True)
class ShareChange:
    """One party's share before and after an amendment."""

    party: str
    previous_percent_bp: int
    previous_amount: int
    percent_bp: int
    amount: int


@dataclass(frozen=True)
class ConvenioVersion:
    """One version of a project's convenio: number 0 is the original, then each amendment.

    ``signed_on``, ``reason``, ``authorised_by`` and ``document_reference`` are empty for the original
    (its signing is in the stage history).
    """

    number: int
    cost: int
    shares: tuple[ShareLine, ...]
    signed_on: date | None = None
    reason: str = ""
    authorised_by: str = ""
    document_reference: str = ""
    created_by: str = ""


def check_amendment(
    data: AmendmentInput,
    *,
    current_cost: int,
    paid: int,
    convenio_signed_on: date | None,
    today: date,
) -> AmendmentInput:
    """The amendment with its texts cleaned, or every problem with it.

    The new cost must be a valid project cost, differ from the current one and not be below what
    has already been paid; the reason and who authorised it are required; the signing date may be
    neither in the future nor before the convenio itself was signed.

    Raises:
        InputError: the problems found (all of them at once).
    """
    problems: list[Problem] = []
    if data.cost <= 0:
        problems.append(Problem("cost", "cost.not_positive", {}))
    elif data.cost < MIN_PROJECT_COST:
        problems.append(Problem("cost", "cost.too_small", {"cost": data.cost, "amount": MIN_PROJECT_COST}))
    elif data.cost >= MAX_CENTAVOS:
        problems.append(Problem("cost", "amount.too_large", dict(TOO_LARGE)))
    elif data.cost == current_cost:
        problems.append(Problem("cost", "amendment.cost_unchanged", {"cost": current_cost}))
    elif data.cost < paid:
        problems.append(Problem("cost", "amendment.below_paid", {"cost": data.cost, "paid": paid}))
    if data.signed_on > today:
        problems.append(Problem("signed_on", "date.future", {"date": data.signed_on.isoformat()}))
    elif convenio_signed_on is not None and data.signed_on < convenio_signed_on:
        problems.append(
            Problem(
                "signed_on",
                "amendment.before_convenio",
                {"date": data.signed_on.isoformat(), "convenio": convenio_signed_on.isoformat()},
            )
        )
    reason = clean_text(data.reason, "reason", problems, max_len=limits.LONG_TEXT, multiline=True)
    authorised_by = clean_text(data.authorised_by, "authorised_by", problems, max_len=AUTHORISED_BY_MAX)
    document = clean_text(
        data.document_reference, "document_reference", problems, required=False, max_len=limits.REFERENCE
    )
    if problems:
        raise InputError(problems)
    return replace(data, reason=reason, authorised_by=authorised_by, document_reference=document)


def recompute_shares(rule_set: RuleSet, terms: ProjectTerms, cost: int) -> Allocation:
    """The shares of ``cost`` under the project's frozen ``rule_set`` and its stored terms.

    Calls the same allocation every request goes through; a cap authorisation that the new cost no
    longer needs (the share fell within its cap) is dropped rather than refused.

    Raises:
        InputError: the allocation's problems (e.g. a share now above its cap without authorisation).
    """
    override = MixOverride(dict(terms.override_bp), terms.override_reason) if terms.override_bp else None
    joint = split_joint(rule_set, terms.joint_split_bp) if override is None else None
    partner = PartnerChoice(terms.partner_mode, terms.partner_amount)
    authorisations = terms.authorisations
    try:
        return compute_shares(
            rule_set,
            terms.fiscal_year,
            cost,
            partner=partner,
            override=override,
            joint_split=joint,
            authorisations=authorisations,
        )
    except InputError as exc:
        unneeded = {p.params.get("party") for p in exc.problems if p.code == "cap.authorisation_not_needed"}
        if not unneeded or len(unneeded) != len(exc.problems):
            raise
    kept = tuple(a for a in authorisations if a.party.value not in unneeded)
    return compute_shares(
        rule_set,
        terms.fiscal_year,
        cost,
        partner=partner,
        override=override,
        joint_split=joint,
        authorisations=kept,
    )


def share_changes(previous: Sequence[ShareLine], new: Allocation) -> tuple[ShareChange, ...]:
    """Each party's share before and after, in the allocation's party order (a party in either side)."""
    before = {s.party: s for s in previous}
    after = {s.party.value: s for s in new.shares}
    order = [s.party.value for s in new.shares] + [p for p in before if p not in after]
    return tuple(
        ShareChange(
            party,
            before[party].percent_bp if party in before else 0,
            before[party].amount if party in before else 0,
            after[party].percent_bp if party in after else 0,
            after[party].amount if party in after else 0,
        )
        for party in order
    )


def payment_beyond_cost(cost: int, paid: int, amount: int) -> list[Problem]:
    """``payment.exceeds_cost`` when a payment would take what was paid out beyond the signed cost.

    Paying more than the convenio's cost needs a convenio modificatorio first (the amended cost).
    """
    if paid + amount > cost:
        return [Problem("amount", "payment.exceeds_cost", {"cost": cost, "paid": paid, "amount": amount})]
    return []
