"""Use cases around rule sets: loading the rule book and computing shares for a proposal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from tresxuno import paths
from tresxuno.domain.allocation import Allocation, MixOverride, PartnerChoice, compute_shares
from tresxuno.domain.money import Money
from tresxuno.domain.parties import Party
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.rules import RuleBook, RuleSet, load_rulebook
from tresxuno.reports.text import rules_listing, shares_table

if TYPE_CHECKING:  # the rule book itself needs no database: ``shares`` and ``rules list`` stay quick
    from tresxuno.db.engine import Database


@lru_cache(maxsize=1)
def _cached_rulebook(user_dir: str) -> RuleBook:
    return load_rulebook([paths.seeds_dir() / "rules", Path(user_dir)])


def rulebook() -> RuleBook:
    """The shipped rule sets plus those an administrator added to the user's rules folder.

    Raises:
        RuleSetError: a malformed file (the message names file, key and what is allowed).
    """
    return _cached_rulebook(str(paths.user_rules_dir()))


def rules_text() -> str:
    """The ``tresxuno rules list`` listing: every programme and rule set, in the language in force."""
    return rules_listing(rulebook())


def reload_rulebook(db: Database) -> RuleBook:
    """Forget the cached rule book (after an administrator adds a file) and read it again.

    Administrador only, as the users of ``db`` say: new rules change the shares of every proposal
    captured afterwards.

    Raises:
        InputError: ``auth.role_required``.
        RuleSetError: a malformed file.
    """
    from tresxuno.services.auth import require

    require(db, "rules.reload")
    _cached_rulebook.cache_clear()
    return rulebook()


def folio_code(program: str) -> str:
    """The code a programme's folios start with (its ``folio_prefix``, else its id in capitals)."""
    known = rulebook().programs.get(program)
    return known.folio_code if known else program.upper()


@dataclass(frozen=True)
class ShareQuote:
    """The answer to "how is this project split?": the rule set used and the allocation."""

    program: str
    year: int
    category: str
    rule_set: RuleSet
    allocation: Allocation
    partner_mode: str

    def as_contract_json(self) -> dict[str, object]:
        """The ``tresxuno shares --json`` object (amounts as strings with two decimals)."""
        return {
            "program": self.program,
            "year": self.year,
            "category": self.category,
            "cost": str(Money(self.allocation.cost)),
            "currency": self.allocation.currency,
            "shares": {s.party.value: str(Money(s.amount)) for s in self.allocation.shares},
            "capped": [p.value for p in self.allocation.capped],
        }

    def as_text(self) -> str:
        """The ``tresxuno shares`` table for the terminal, in the language in force."""
        return shares_table(self.program, self.year, self.category, self.rule_set, self.allocation)


def parse_mix(mix: Mapping[str, str]) -> dict[Party, int]:
    """Percentages typed per party ("25", "33.34") to basis points.

    Raises:
        InputError: an unknown party or a percentage that is not a number from 0 to 100.
    """
    from decimal import Decimal, InvalidOperation

    result: dict[Party, int] = {}
    problems = []
    for key, text in mix.items():
        try:
            party = Party(key.strip())
        except ValueError:
            problems.append(Problem("mix", "mix.unknown_party", {"party": key}))
            continue
        try:
            value = Decimal(str(text).strip().rstrip("%"))
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or value < 0 or value > 100 or value != value.quantize(Decimal("0.01")):
            problems.append(
                Problem(f"mix.{party.value}", "number.out_of_range", {"value": text, "min": 0, "max": 100})
            )
            continue
        result[party] = int(value * 100)
    if problems:
        raise InputError(problems)
    return result


def quote_shares(
    program: str,
    year: int,
    category: str,
    cost: Money,
    *,
    partner_amount: Money | None = None,
    partner_mode: str | None = None,
    override: MixOverride | None = None,
    book: RuleBook | None = None,
) -> ShareQuote:
    """Compute each party's share of a proposed project, to the centavo.

    Args:
        program: programme id (``3x1``...).
        year: fiscal year.
        category: category id.
        cost: total cost in MXN (positive).
        partner_amount: a fixed amount agreed with the partner (MXN); implies partner mode "fixed".
        partner_mode: "none", "rule" or "fixed"; by default "rule" where the rule set has a
            partner percentage, else "none".
        override: a per-project mix with its reason, or None for the rule set's mix.
        book: the rule book to use (the shipped and administrator rule sets by default).

    Raises:
        InputError: unknown programme, category or year, or inputs the allocation refuses.
    """
    book = book or rulebook()
    rule_set = book.find(program, year, category)
    if cost.currency != "MXN":
        raise InputError(
            Problem("cost", "amount.wrong_currency", {"expected": "MXN", "found": cost.currency})
        )
    if partner_amount is not None:
        partner = PartnerChoice("fixed", partner_amount.centavos)
    else:
        partner = PartnerChoice(partner_mode or ("rule" if rule_set.has_partner else "none"))
    allocation = compute_shares(rule_set, year, cost.centavos, partner=partner, override=override)
    return ShareQuote(program, year, category, rule_set, allocation, partner.mode)
