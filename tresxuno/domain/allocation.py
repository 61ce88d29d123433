"""Splitting a project's cost into each party's share, exactly to the centavo.

The arithmetic is exact (``fractions.Fraction``) until the single rounding step, so caps and
shortfalls never accumulate rounding error, and the shares always add up to the cost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from tresxuno.domain.parties import PARTY_ORDER, Party
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.rules import FULL, RuleSet

_ORDER_INDEX = {p: i for i, p in enumerate(PARTY_ORDER)}


@dataclass(frozen=True)
class Share:
    """One party's share: ``amount`` in centavos, its ``percent_bp`` of the cost (basis points)."""

    party: Party
    amount: int
    percent_bp: int
    capped: bool = False
    fixed: bool = False


@dataclass(frozen=True)
class Allocation:
    """The split of ``cost`` (centavos) over the participating parties, in :data:`PARTY_ORDER`.

    Invariant: ``sum(s.amount for s in shares) == cost`` and no share is negative.
    """

    cost: int
    shares: tuple[Share, ...]
    currency: str = "MXN"

    @property
    def amounts(self) -> dict[Party, int]:
        """Centavos per party, in party order."""
        return {s.party: s.amount for s in self.shares}

    @property
    def capped(self) -> tuple[Party, ...]:
        """Parties held at their cap."""
        return tuple(s.party for s in self.shares if s.capped)


@dataclass(frozen=True)
class PartnerChoice:
    """How the outside partner takes part.

    ``none``; ``rule`` (by the rule set's percentage); or ``fixed`` (an amount in centavos MXN
    agreed in advance, in ``amount``).
    """

    mode: str = "none"
    amount: int | None = None


@dataclass(frozen=True)
class MixOverride:
    """A per-project mix replacing the rule set's percentages (basis points); needs a reason."""

    mix: Mapping[Party, int]
    reason: str


@dataclass(frozen=True)
class CapAuthorisation:
    """Leave for ``party`` to pay its full share above the rule set's cap in one project.

    The Reglas de Operación allow a higher federal amount when the programme's responsible unit
    authorises it in writing; the project keeps who authorised it, why, and the document's
    reference (the *oficio*), so an auditor can trace every peso above the cap to a signature.
    """

    party: Party
    authorised_by: str
    reason: str
    document: str

    @property
    def complete(self) -> bool:
        """Whether who, why and the document are all given."""
        return all(x.strip() for x in (self.authorised_by, self.reason, self.document))


def split_joint(rule_set: RuleSet, first_bp: int | None) -> dict[Party, int] | None:
    """The joint parties' percentages when the first of them (the state) takes ``first_bp``.

    The last joint party (the municipality) takes the rest of the joint share, so any split summing to
    the joint percentage is a plain agreement of the convenio, not an override. ``None`` keeps the
    rule set's default split (25/25 in the 3x1 public works).

    Raises:
        InputError: ``mix.no_joint_share`` (the rule set has no joint share) or
            ``mix.joint_split_range`` (``first_bp`` is negative or above the joint share).
    """
    if first_bp is None:
        return None
    if len(rule_set.joint) < 2:
        raise InputError(Problem("joint_split", "mix.no_joint_share", {"rule_set": rule_set.id}))
    total = rule_set.joint_total
    first, *middle, last = rule_set.joint
    if not 0 <= first_bp <= total:
        raise InputError(
            Problem(
                "joint_split",
                "mix.joint_split_range",
                {"party": first.value, "max": _percent_text(total), "value": _percent_text(first_bp)},
            )
        )
    mix = rule_set.mix_map
    split = {first: first_bp, **{p: mix[p] for p in middle}}
    split[last] = total - sum(split.values())
    if split[last] < 0:
        raise InputError(
            Problem(
                "joint_split",
                "mix.joint_split_range",
                {
                    "party": first.value,
                    "max": _percent_text(total - sum(mix[p] for p in middle)),
                    "value": _percent_text(first_bp),
                },
            )
        )
    return split


def allocate(
    cost: int,
    mix: Mapping[Party, int],
    *,
    caps: Mapping[Party, int] | None = None,
    shortfall: Sequence[Party] = (),
    fixed: Mapping[Party, int] | None = None,
) -> Allocation:
    """Split ``cost`` centavos over the parties of ``mix``.

    1. Parties in ``fixed`` pay exactly their amount; the rest of the cost is split over the other
       parties in proportion to their basis points in ``mix``.
    2. A party whose share would exceed its cap pays the cap; the excess is spread over the
       ``shortfall`` parties (those not capped and not fixed) in proportion to their own
       percentages, repeating while any of them hits its cap too.
    3. Rounding, the only inexact step: every party gets the whole centavos of its exact share,
       and the centavos left over go one each to the largest fractional remainders (Hamilton's
       largest-remainder method). Equal remainders are broken by the fixed party order
       club, federal, state, municipal, partner, so the same input always gives the same split.
       A capped or fixed party's exact share is a whole number of centavos, so it never gets
       a leftover centavo and never exceeds its cap.

    Args:
        cost: total cost in centavos, > 0.
        mix: basis points per party; must sum to 10,000 (the fixed parties included).
        caps: the most a party may pay, in centavos.
        shortfall: parties that cover what capped parties cannot pay.
        fixed: amounts agreed in advance, in centavos.

    Returns:
        The allocation in party order; its shares add up to ``cost`` exactly.

    Raises:
        InputError: cost not positive, a mix not summing to 100 %, a negative percentage, fixed
            amounts above the cost, or a capped excess nobody can cover.
    """
    caps = dict(caps or {})
    fixed = dict(fixed or {})
    problems = _check_inputs(cost, mix, fixed, caps)
    if problems:
        raise InputError(problems)

    weights = {p: bp for p, bp in mix.items() if bp > 0 and p not in fixed}
    rest = cost - sum(fixed.values())
    total_weight = sum(weights.values())
    if rest > 0 and total_weight == 0:
        raise InputError(Problem("partner_amount", "shares.nobody_for_rest", {"rest": rest}))
    exact: dict[Party, Fraction] = {p: Fraction(rest * w, total_weight) for p, w in weights.items()}
    capped = _apply_caps(exact, weights, caps, shortfall)

    for party, amount in fixed.items():
        exact[party] = Fraction(amount)
    amounts = _largest_remainder(exact, cost)
    shares = tuple(
        Share(p, amounts[p], _percent_of(amounts[p], cost), capped=p in capped, fixed=p in fixed)
        for p in PARTY_ORDER
        if p in amounts
    )
    return Allocation(cost, shares)


def _check_inputs(
    cost: int, mix: Mapping[Party, int], fixed: Mapping[Party, int], caps: Mapping[Party, int]
) -> list[Problem]:
    problems = []
    if cost <= 0:
        problems.append(Problem("cost", "cost.not_positive", {}))
    for party, bp in mix.items():
        if bp < 0:
            problems.append(Problem(f"mix.{party.value}", "mix.negative", {"party": party.value}))
    total = sum(mix.values())
    if total != FULL:
        problems.append(Problem("mix", "mix.sum", {"total": _percent_text(total)}))
    for party, amount in fixed.items():
        if amount < 0:
            problems.append(Problem(f"{party.value}_amount", "partner.negative", {}))
        cap = caps.get(party)
        if cap is not None and amount > cap:
            problems.append(Problem(f"{party.value}_amount", "partner.over_cap", {"cap": cap}))
    if cost > 0 and sum(fixed.values()) > cost:
        problems.append(
            Problem("partner_amount", "partner.exceeds_cost", {"amount": sum(fixed.values()), "cost": cost})
        )
    return problems


def _apply_caps(
    exact: dict[Party, Fraction],
    weights: Mapping[Party, int],
    caps: Mapping[Party, int],
    shortfall: Sequence[Party],
) -> set[Party]:
    """Hold parties at their caps and pass the excess to the shortfall parties (in place)."""
    capped: set[Party] = set()
    while True:
        over = [p for p in exact if p not in capped and p in caps and exact[p] > caps[p]]
        if not over:
            return capped
        excess = Fraction(0)
        for party in over:
            excess += exact[party] - caps[party]
            exact[party] = Fraction(caps[party])
            capped.add(party)
        receivers = [q for q in shortfall if q in exact and q not in capped]
        if not receivers:
            first = min(over, key=_ORDER_INDEX.__getitem__)
            raise InputError(
                Problem(
                    "cost",
                    "shares.shortfall_uncovered",
                    {"party": first.value, "cap": caps[first], "excess": _ceil(excess)},
                )
            )
        receiver_weight = sum(weights[q] for q in receivers)
        for q in receivers:
            exact[q] += excess * weights[q] / receiver_weight


def _largest_remainder(exact: Mapping[Party, Fraction], cost: int) -> dict[Party, int]:
    """Whole centavos per party summing to ``cost``; see :func:`allocate` step 3."""
    floors = {p: value.numerator // value.denominator for p, value in exact.items()}
    leftover = cost - sum(floors.values())
    ranked = sorted(exact, key=lambda p: (-(exact[p] - floors[p]), _ORDER_INDEX[p]))
    for party in ranked[:leftover]:
        floors[party] += 1
    return floors


def _percent_of(amount: int, cost: int) -> int:
    """``amount`` as basis points of ``cost``, rounded half up (display only)."""
    return (amount * FULL * 2 + cost) // (2 * cost) if cost else 0


def _percent_text(bp: int) -> str:
    return f"{bp // 100}.{bp % 100:02d}" if bp % 100 else str(bp // 100)


def _ceil(value: Fraction) -> int:
    return -((-value.numerator) // value.denominator)


def compute_shares(
    rule_set: RuleSet,
    year: int,
    cost: int,
    *,
    partner: PartnerChoice | None = None,
    override: MixOverride | None = None,
    joint_split: Mapping[Party, int] | None = None,
    authorisations: Sequence[CapAuthorisation] = (),
) -> Allocation:
    """Split a project's cost under ``rule_set`` in fiscal ``year``.

    ``joint_split`` is how the rule set's joint parties (state and municipality) split their joint
    percentage as agreed in the convenio (see :func:`split_joint`); it needs no reason. It is ignored
    when an override replaces the whole mix. ``authorisations`` lift a party's cap for this project:
    each must say who authorised it, why and the document; one for a share within its cap is refused.

    The partner joins by the rule set's percentage (``rule``, only where the rule set has one),
    with an amount agreed in advance (``fixed``: the rest is split among the other parties by
    the rule set), or not at all (``none``; refused where the rule set requires a partner).
    An override replaces the percentages (it must carry a reason and still sum to 100 %);
    the rule set's caps and shortfall parties still apply.

    Raises:
        InputError: see :func:`allocate`, plus ``partner.*`` and ``mix.reason_required``.
    """
    partner = partner or PartnerChoice("rule" if rule_set.has_partner else "none")
    problems: list[Problem] = []
    mix = dict(rule_set.mix)
    if joint_split is not None and override is None:
        problems.extend(_joint_problems(rule_set, joint_split))
        mix.update(joint_split)
    if override is not None:
        if not override.reason.strip():
            problems.append(Problem("mix_reason", "mix.reason_required", {}))
        mix = dict(override.mix)
        if sum(mix.values()) != FULL:
            # Reported together with the other override problems, not after them.
            problems.append(Problem("mix", "mix.sum", {"total": _percent_text(sum(mix.values()))}))
    fixed: dict[Party, int] = {}
    if partner.mode == "rule":
        if mix.get(Party.PARTNER, 0) == 0:
            problems.append(Problem("partner", "partner.not_in_rule", {"rule_set": rule_set.id}))
    elif partner.mode == "fixed":
        if partner.amount is None or partner.amount <= 0:
            problems.append(Problem("partner_amount", "partner.amount_required", {}))
        else:
            # The partner's own percentage (if any) is ignored: allocate() splits the rest of the
            # cost over the other parties by their rule-set weights relative to each other.
            fixed[Party.PARTNER] = partner.amount
            mix.setdefault(Party.PARTNER, 0)
    elif partner.mode == "none":
        if mix.get(Party.PARTNER, 0) > 0:
            problems.append(Problem("partner", "partner.required_by_rule", {"rule_set": rule_set.id}))
    else:
        problems.append(Problem("partner", "partner.unknown_mode", {"mode": partner.mode}))
    if problems:
        raise InputError(problems)
    caps = rule_set.caps_for(year)
    if not authorisations:
        return allocate(cost, mix, caps=caps, shortfall=rule_set.shortfall, fixed=fixed)
    lifted = {a.party for a in authorisations}
    allocation = allocate(
        cost,
        mix,
        caps={p: c for p, c in caps.items() if p not in lifted},
        shortfall=rule_set.shortfall,
        fixed=fixed,
    )
    problems = _authorisation_problems(authorisations, caps, allocation.amounts)
    if problems:
        raise InputError(problems)
    return allocation


def _joint_problems(rule_set: RuleSet, split: Mapping[Party, int]) -> list[Problem]:
    """A joint split must name only the joint parties and sum to their joint percentage."""
    if len(rule_set.joint) < 2:
        return [Problem("joint_split", "mix.no_joint_share", {"rule_set": rule_set.id})]
    expected = rule_set.joint_total
    if (
        set(split) - set(rule_set.joint)
        or any(bp < 0 for bp in split.values())
        or sum(split.values()) != expected
    ):
        return [
            Problem(
                "joint_split",
                "mix.joint_split_sum",
                {
                    "parties": ", ".join(p.value for p in rule_set.joint),
                    "percent": _percent_text(expected),
                    "value": _percent_text(sum(split.values())),
                },
            )
        ]
    return []


def _authorisation_problems(
    authorisations: Sequence[CapAuthorisation], caps: Mapping[Party, int], amounts: Mapping[Party, int]
) -> list[Problem]:
    """Each authorisation must lift a cap the share really exceeds, and say who, why and the document."""
    problems: list[Problem] = []
    for auth in authorisations:
        cap = caps.get(auth.party)
        amount = amounts.get(auth.party, 0)
        params = {"party": auth.party.value, "cap": cap, "amount": amount}
        if cap is None:
            problems.append(Problem("cap_authorisation", "cap.none_to_exceed", {"party": auth.party.value}))
        elif amount <= cap:
            problems.append(Problem("cap_authorisation", "cap.authorisation_not_needed", params))
        elif not auth.complete:
            problems.extend(
                Problem(f"cap_{key}", "cap.authorisation_required", params)
                for key, value in (
                    ("authorised_by", auth.authorised_by),
                    ("reason", auth.reason),
                    ("document", auth.document),
                )
                if not value.strip()
            )
    return problems


def cap_excess(rule_set: RuleSet, year: int, allocation: Allocation) -> dict[Party, int]:
    """Centavos each party pays above its cap in ``allocation`` (only authorised shares do)."""
    caps = rule_set.caps_for(year)
    return {p: a - caps[p] for p, a in allocation.amounts.items() if p in caps and a > caps[p]}
